"""The chain of the decision engine: per category, the candidates of each day and the Viterbi pass
that picks the accepted series (see :mod:`etl.quality.consensus` for the algorithm)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
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
    increases: tuple[int, ...] = ()  # the printed increases of its records (those that printed one)


_PRIO = {source: len(PRIORITY) - i for i, source in enumerate(PRIORITY)}


def _prio(source: str) -> int:
    return _PRIO.get(source, 0)


def _by_priority(source: str) -> tuple[int, str]:
    return (-_PRIO.get(source, 0), source)


def candidates(recs: list[Record], dependent: Collection, forced: Collection = ()) -> list[Cand]:
    by_value: dict[int, list[Record]] = {}
    for r in recs:
        by_value.setdefault(r.cumulative, []).append(r)
    out = []
    for value, rs in by_value.items():
        sources = {r.source for r in rs}
        pinned = ANCHOR in sources
        if dependent:
            indep = {r.source for r in rs if r.source != ANCHOR and r[:3] not in dependent}
        else:
            indep = sources - {ANCHOR} if pinned else sources
        operator = bool(forced) and any(r[:3] in forced for r in rs)
        weight = (len(indep) or 1) + (_FORCED_WEIGHT if pinned or operator else 0)
        out.append(
            Cand(
                value,
                rs,
                weight,
                tuple(sorted(indep, key=_by_priority)) if indep else tuple(sorted(sources)),
                max(_PRIO.get(source, 0) for source in sources),
                operator,
                tuple(r.increase for r in rs if r.increase is not None),
            )
        )
    if len(out) > 1:
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


def _increase_bonus(c: Cand, prev_value: int, one_day: bool) -> int:
    """Printed increases that fit the chain: equal to the difference after a one-day step; after
    skipped days, implying a previous-day figure not below the previous accepted value
    (``prev_value <= c.value - increase <= c.value``)."""
    if not c.increases:
        return 0
    if one_day:
        return _U_INCREASE * c.increases.count(c.value - prev_value)
    room = c.value - prev_value
    return _U_INCREASE * sum(0 <= x <= room for x in c.increases)


def _step(c: Cand, c2: Cand, s2: int, local: int, day: date, prev_day: date, one_day: bool, registry):
    """(score, justification, penalised) of the chain ending in ``c2`` (score ``s2``) extended by ``c``."""
    why, pen = None, 0
    if c.value < c2.value:
        why = _justify(prev_day, c2.value, day, c, registry, c2.operator)
        pen = 0 if why else _PENALTY
        if why and "registry" not in why and "operator" not in why:
            pen = _U_DECREASE  # not in the registry: prefer a chain that needs no decrease
    return s2 + local + _increase_bonus(c, c2.value, one_day) - pen, why, why is None and c.value < c2.value


def best_chain(days: list[date], cands: list[list[Cand]], registry: list[tuple[date, int]]):
    """Viterbi over the days: returns [(i, k, justification, penalised)] of the accepted days.

    Each candidate of day ``i`` takes the best chain ending at most ``MAX_SKIP`` days earlier (the
    first in day and candidate order among equals).  The steps from the day before are scored
    first; a chain ending earlier whose score plus the most a step can add (the candidate's own
    support and all its printed increases fitting) stays below the best of them cannot win nor tie,
    so it is not scored: the same choice as scoring every step."""
    n = len(days)
    ordinals = [d.toordinal() for d in days]
    best: list[list[tuple[int, Any]]] = []  # per day, per candidate: (score, back=(j, k', why, pen) | None)
    best_of_day: list[int | None] = []  # per day, the best score of its candidates
    for i in range(n):
        row = []
        for c in cands[i]:
            local = c.weight * _U_SUPPORT + c.pri * _U_PRIORITY + (n - i)
            reach = local + _U_INCREASE * len(c.increases)  # the most a step into c adds
            steps_before = {}  # k' -> the step from the day before
            known = local if i <= MAX_SKIP else None  # a score some choice reaches
            if i:
                one_day = ordinals[i] - ordinals[i - 1] == 1
                for k2, (c2, (s2, _)) in enumerate(zip(cands[i - 1], best[i - 1], strict=True)):
                    if s2 is not None:
                        step = steps_before[k2] = _step(c, c2, s2, local, days[i], days[i - 1], one_day, registry)
                        known = step[0] if known is None else max(known, step[0])
            choice = None
            score = local if i <= MAX_SKIP else None
            for j in range(max(0, i - MAX_SKIP - 1), i):
                top = best_of_day[j]
                if top is None or (j < i - 1 and top + reach < known):
                    continue
                one_day = ordinals[i] - ordinals[j] == 1
                for k2, (c2, (s2, _)) in enumerate(zip(cands[j], best[j], strict=True)):
                    if s2 is None or (j < i - 1 and s2 + reach < known):
                        continue
                    if j == i - 1:
                        step = steps_before[k2]
                    else:
                        step = _step(c, c2, s2, local, days[i], days[j], one_day, registry)
                    if score is None or step[0] > score:
                        score, choice = step[0], (j, k2, step[1], step[2])
            row.append((score, choice))
        best.append(row)
        best_of_day.append(max((sc for sc, _ in row if sc is not None), default=None))
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
