"""The chain of the decision engine: per category, the candidates of each day and the Viterbi pass
that picks the accepted series (see :mod:`etl.quality.consensus` for the algorithm)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from etl.quality.consensus_model import ANCHOR, MAX_SKIP, OFFICIAL_INCREASE, PRIORITY, Record

# Score units: support dominates, then printed-increase consistency, then priority, then keeping earlier days.
_U_SUPPORT = 10**12
_U_INCREASE = 4 * 10**11
_U_PRIORITY = 10**7
_PENALTY = 10**18  # an unjustified decrease: taken only when no skip can avoid it
_FORCED_WEIGHT = 1000  # anchors and operator-accepted records: more support than any set of sources
_U_DECREASE = 3 * 10**11  # a decrease justified only by agreeing sources: allowed, but a monotonic chain wins ties


@dataclass
class Cand:
    value: int
    records: list[Record]
    weight: int  # independent sources
    sources: tuple[str, ...]  # independent sources, in priority order
    pri: int
    # an operator accepted one of its records: it must be taken, decreases around it are justified
    operator: bool = False


_PRIO = {source: len(PRIORITY) - i for i, source in enumerate(PRIORITY)}


def _prio(source: str) -> int:
    return _PRIO.get(source, 0)


def candidates(recs: list[Record], dependent: Collection, forced: Collection = ()) -> list[Cand]:
    by_value: dict[int, list[Record]] = defaultdict(list)
    for r in recs:
        by_value[r.cumulative].append(r)
    out = []
    for value, rs in by_value.items():
        indep = sorted(
            {r.source for r in rs if (r.source, r.as_of, r.category) not in dependent and r.source != ANCHOR},
            key=lambda s: (-_prio(s), s),
        )
        pinned = any(r.source == ANCHOR for r in rs)
        operator = any((r.source, r.as_of, r.category) in forced for r in rs)
        weight = (len(indep) or 1) + (_FORCED_WEIGHT if pinned or operator else 0)
        out.append(
            Cand(
                value,
                rs,
                weight,
                tuple(indep) or tuple(sorted({r.source for r in rs})),
                max(_prio(r.source) for r in rs),
                operator,
            )
        )
    out.sort(key=lambda c: (-c.weight, -c.pri, c.value))
    return out


def _justify(p_day: date, p: int, day: date, cand: Cand, registry: dict, prev_operator: bool = False) -> str | None:
    """Why a decrease p -> cand.value is an official correction, or None."""
    drop = cand.value - p
    why = []
    if cand.operator or prev_operator:
        why.append("operator")
    allowance = sum(d for r_day, d in registry if p_day <= r_day <= day and d < 0)
    if allowance and drop >= allowance:
        why.append("registry")
    if any(
        r.source in OFFICIAL_INCREASE and r.increase is not None and r.increase < 0 and drop >= r.increase
        for r in cand.records
    ):
        why.append("printed_increase")
    if len(cand.sources) >= 2 and cand.weight >= 2:
        why.append("sources_agree")
    return "+".join(why) or None


def _increase_bonus(c: Cand, prev_value: int, gap: timedelta) -> int:
    """Printed increases that fit the chain: equal to the difference after a one-day step; after
    skipped days, implying a previous-day figure not below the previous accepted value."""
    n = 0
    for r in c.records:
        if r.increase is not None:
            if gap == timedelta(days=1):
                n += r.increase == c.value - prev_value
            else:
                n += prev_value <= c.value - r.increase <= c.value
    return _U_INCREASE * n


def best_chain(days: list[date], cands: list[list[Cand]], registry: list[tuple[date, int]]):
    """Viterbi over the days: returns [(i, k, justification, penalised)] of the accepted days."""
    n = len(days)
    best: list[list[tuple[int, Any]]] = []  # per day, per candidate: (score, back=(j, k', why, pen) | None)
    for i in range(n):
        row = []
        for c in cands[i]:
            local = c.weight * _U_SUPPORT + c.pri * _U_PRIORITY + (n - i)
            choice = None
            score = local if i <= MAX_SKIP else None
            for j in range(max(0, i - MAX_SKIP - 1), i):
                for k2, c2 in enumerate(cands[j]):
                    s2 = best[j][k2][0]
                    if s2 is None:
                        continue
                    why, pen = None, 0
                    if c.value < c2.value:
                        why = _justify(days[j], c2.value, days[i], c, registry, c2.operator)
                        pen = 0 if why else _PENALTY
                    if why and "registry" not in why and "operator" not in why:
                        pen = _U_DECREASE  # not in the registry: prefer a chain that needs no decrease
                    total = s2 + local + _increase_bonus(c, c2.value, days[i] - days[j]) - pen
                    if score is None or total > score:
                        score, choice = total, (j, k2, why, why is None and c.value < c2.value)
            row.append((score, choice))
        best.append(row)
    end = None
    for i in range(max(0, n - MAX_SKIP - 1), n):
        for k in range(len(cands[i])):
            s = best[i][k][0]
            if s is not None and (end is None or s > end[0]):
                end = (s, i, k)
    path = []
    if end is None:
        return path
    _, i, k = end
    while True:
        _, back = best[i][k]
        if back is None:
            path.append((i, k, None, False))
            break
        j, k2, why, pen = back
        path.append((i, k, why, pen))
        i, k = j, k2
    path.reverse()
    return path
