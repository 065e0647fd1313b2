"""The decision engine of the data-quality gate: pure Python, no database.

:func:`decide` takes the current revision of every (source, day, category) observation and the
official corrections registry and returns, per (day, category), the accepted cumulative count and
why; the records that must not be accepted (quarantine) with a diagnosis; and the previously
accepted cells that are now withdrawn.

Statuses of an accepted cell (``Accepted.status``):

``agreed``
    every independent source that reported the cell gives this value (two or more of them).
``majority``
    two or more independent sources give this value, at least one other source disagrees.
``single_source``
    only one independent source reported the cell (copies of another source do not count).
``resolved``
    sources disagree and no value has two sources: the value that fits the neighbouring days
    (monotonic, consistent with the printed "(+N)") wins; ``note='priority_tiebreak'`` when the
    evidence could not separate the values and the fallback priority mod > minfin > russianwarship
    decided.
``correction``
    the value is lower than the previous accepted day and the decrease is an official correction,
    confirmed by the corrections registry, by the bulletin's own negative "(+N)" (mod only: the
    aggregators' increases are their own differences), by two or more independent sources printing
    the lower value, or by an operator (``attrition quarantine accept``). ``flag`` names that evidence
    (``'registry'``, ``'printed_increase'``, ``'sources_agree'``, ``'operator'``, joined by ``+``); it is None on
    every other cell.

Diagnoses of a quarantined record (``Quarantined.diagnosis``):

``typo_low``
    the record is lower than the accepted day before it and the evidence (the other sources of the
    same day, or the later days returning to the level) says this record is wrong, not its neighbour.
``spike_before``
    the record is higher than the accepted day after it: a spike, exposed by the day after it (it
    lies *before* the day that revealed it). When an earlier decision had accepted it, that cell is
    in ``Decision.retracted`` and the day after is accepted.
``official_correction``
    the record breaks monotonicity only because of an official correction nearby (it applied the
    correction a day early, or had not applied it yet): the accepted cell carries the correction.
``unresolved``
    the evidence cannot tell the record from its neighbour yet (e.g. a single-source decrease on
    the newest day, before the day after it arrives).

Algorithm: per category, the days are a chain; each day offers its distinct observed values as
candidates (weighted by the number of independent sources printing them) or "skip". A Viterbi pass
picks the chain that keeps the most source support subject to the accepted series never decreasing
except by a justified correction; a skip discards a day's values (at most ``MAX_SKIP`` days in a row).
Ties are broken, in this order, by printed increases matching the difference to the previous day,
by source priority, and by keeping earlier days (a new day does not overturn an accepted one
on equal evidence). The decision depends only on the merged observations, so one call over the
full history equals incremental calls that pass the previous Decision.
"""
from __future__ import annotations

import bisect
import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, NamedTuple

from etl.domain.model import SOURCES

PRIORITY = SOURCES  # fallback order, used only to break true ties
STATUSES = ("agreed", "single_source", "majority", "resolved", "correction")
DIAGNOSES = ("typo_low", "spike_before", "official_correction", "unresolved")
MAX_SKIP = 5  # consecutive days the chain may discard
# Sources whose printed "(+N)" is the General Staff's own: a negative one confirms a correction.
# The aggregators' increases are their own differences and confirm nothing.
OFFICIAL_INCREASE = ("mod",)
ANCHOR = "accepted"  # pseudo-source of the anchors: values accepted earlier, just outside a window
EARLY_DAYS = 10  # a source printing a registry correction's figure up to this many days early

# Labels of russia_losses_equipment_correction.json (PetroIvaniuk/2022-Ukraine-Russia-War-Dataset) -> our codes.
CORRECTION_LABELS = {
    "aircraft": "aircraft",
    "helicopter": "helicopters",
    "tank": "tanks",
    "APC": "armored_vehicles",
    "field artillery": "artillery",
    "MRL": "mlrs",
    "drone": "drones",
    "naval ship": "ships_boats",
    "submarines": "submarines",
    "anti-aircraft warfare": "air_defense",
    "special equipment": "special_equipment",
    "vehicles and fuel tanks": "vehicles_fuel_tanks",
    "cruise missiles": "cruise_missiles",
    "personnel": "personnel",
}

# Score units: support dominates, then printed-increase consistency, then priority, then keeping earlier days.
_U_SUPPORT = 10**12
_U_INCREASE = 4 * 10**11
_U_PRIORITY = 10**7
_PENALTY = 10**18  # an unjustified decrease: taken only when no skip can avoid it
_FORCED_WEIGHT = 1000  # anchors and operator-accepted records: more support than any set of sources
_U_DECREASE = 3 * 10**11  # a decrease justified only by agreeing sources: allowed, but a monotonic chain wins ties


class Record(NamedTuple):
    source: str
    as_of: date
    category: str
    cumulative: int
    increase: int | None = None


class Correction(NamedTuple):
    as_of: date
    category: str
    delta: int
    note: str = ""


@dataclass(frozen=True)
class Accepted:
    value: int
    sources_agreeing: tuple[str, ...]
    status: str
    flag: str | None = None
    note: str = ""  # 'priority_tiebreak' when priority decided; dissenting values for majority cells


@dataclass(frozen=True)
class Quarantined:
    source: str
    as_of: date
    category: str
    cumulative: int
    expectation: str  # 'monotonic_cumulative' | 'increase_matches_difference'
    neighbours: dict  # {'prev': (day, value) | None, 'next': (day, value) | None}: the accepted neighbours
    diagnosis: str
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Retracted:
    as_of: date
    category: str
    previous: Accepted
    now: Accepted | None


@dataclass
class Decision:
    accepted: dict[tuple[date, str], Accepted]
    quarantine: list[Quarantined]
    retracted: list[Retracted]
    corrections: list[dict]  # accepted decreases with their evidence (for quality.correction)
    observations: dict[tuple[str, date, str], Record]  # the merged input, so later calls can build on it
    dependent: frozenset = frozenset()

    def series(self, category: str) -> list[tuple[date, int]]:
        return sorted((d, a.value) for (d, c), a in self.accepted.items() if c == category)


# ---------------------------------------------------------------------------------------------- inputs

def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _record(obj: Any) -> Record:
    if isinstance(obj, Record):
        return obj
    if isinstance(obj, Mapping):
        get = obj.get
    elif hasattr(obj, "cumulative"):
        def get(key, default=None):
            return getattr(obj, key, default)
    else:
        return Record(obj[0], as_date(obj[1]), obj[2], int(obj[3]), None if len(obj) < 5 or obj[4] is None else int(obj[4]))
    inc = get("increase")
    return Record(get("source"), as_date(get("as_of")), get("category"), int(get("cumulative")),
                  None if inc in (None, "") else int(inc))


def _correction(obj: Any) -> Correction:
    if isinstance(obj, Correction):
        return obj
    if isinstance(obj, Mapping):
        return Correction(as_date(obj["as_of"]), obj["category"], int(obj["delta"]), obj.get("note") or "")
    return Correction(as_date(obj[0]), obj[1], int(obj[2]), obj[3] if len(obj) > 3 else "")


def load_official_corrections(path: str | Path) -> list[Correction]:
    """The official corrections: the dataset's JSON (one object per day, a delta per label, mapped to our
    codes, zero deltas dropped) or our ``data/corrections.csv`` (as_of, category, delta, note)."""
    path = Path(path)
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return [Correction(date.fromisoformat(r["as_of"]), r["category"], int(r["delta"]), r.get("note") or "")
                    for r in csv.DictReader(fh)]
    out = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        day = date.fromisoformat(entry["date"])
        unknown = set(entry) - set(CORRECTION_LABELS) - {"date", "day"}
        if unknown:
            raise ValueError(f"{path}: {entry['date']}: unknown correction labels {sorted(unknown)}")
        for label, code in CORRECTION_LABELS.items():
            delta = int(entry.get(label) or 0)
            if delta:
                out.append(Correction(day, code, delta, f"day {entry.get('day')}"))
    return out


# ---------------------------------------------------------------------------------------------- engine

@dataclass
class _Cand:
    value: int
    records: list[Record]
    weight: int  # independent sources
    sources: tuple[str, ...]  # independent sources, in priority order
    pri: int
    operator: bool = False  # an operator accepted one of its records: it must be taken, decreases around it are justified


_PRIO = {source: len(PRIORITY) - i for i, source in enumerate(PRIORITY)}


def _prio(source: str) -> int:
    return _PRIO.get(source, 0)


def _candidates(recs: list[Record], dependent: Collection, forced: Collection = ()) -> list[_Cand]:
    by_value: dict[int, list[Record]] = defaultdict(list)
    for r in recs:
        by_value[r.cumulative].append(r)
    out = []
    for value, rs in by_value.items():
        indep = sorted({r.source for r in rs if (r.source, r.as_of, r.category) not in dependent
                        and r.source != ANCHOR},
                       key=lambda s: (-_prio(s), s))
        pinned = any(r.source == ANCHOR for r in rs)
        operator = any((r.source, r.as_of, r.category) in forced for r in rs)
        weight = (len(indep) or 1) + (_FORCED_WEIGHT if pinned or operator else 0)
        out.append(_Cand(value, rs, weight, tuple(indep) or tuple(sorted({r.source for r in rs})),
                         max(_prio(r.source) for r in rs), operator))
    out.sort(key=lambda c: (-c.weight, -c.pri, c.value))
    return out


def _justify(p_day: date, p: int, day: date, cand: _Cand, registry: dict, prev_operator: bool = False) -> str | None:
    """Why a decrease p -> cand.value is an official correction, or None."""
    drop = cand.value - p
    why = []
    if cand.operator or prev_operator:
        why.append("operator")
    allowance = sum(d for r_day, d in registry if p_day <= r_day <= day and d < 0)
    if allowance and drop >= allowance:
        why.append("registry")
    if any(r.source in OFFICIAL_INCREASE and r.increase is not None and r.increase < 0 and drop >= r.increase
           for r in cand.records):
        why.append("printed_increase")
    if len(cand.sources) >= 2 and cand.weight >= 2:
        why.append("sources_agree")
    return "+".join(why) or None


def _increase_bonus(c: _Cand, prev_value: int, gap: timedelta) -> int:
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


def _chain(days: list[date], cands: list[list[_Cand]], registry: list[tuple[date, int]]):
    """Viterbi over the days: returns [(i, k, justification, penalised)] of the accepted days."""
    n = len(days)
    best: list[list[tuple[int, Any]]] = []  # per day, per candidate: (score, back=(j, k', why, pen) | None)
    for i in range(n):
        row = []
        for k, c in enumerate(cands[i]):
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


def decide(observations: Iterable, corrections: Iterable, previous: Decision | None = None,
           *, dependent: Collection = (), forced: Collection = (), anchors: Mapping | None = None) -> Decision:
    """Accepted series, quarantine and retractions for the merged observations.

    ``observations``: records with source, as_of, category, cumulative, increase (Record, tuples,
    dicts or etl.domain.model.Observation); a later revision of a (source, as_of, category) replaces the
    earlier one. ``previous``: an earlier Decision; its observations are merged under the new ones,
    so a late day is judged with both neighbours and the result equals one call on all the data.
    ``dependent``: (source, as_of, category) keys of records copied from another source (e.g.
    data/replay/completed.csv): they carry no vote of their own.
    ``forced``: (source, as_of, category) keys of records an operator accepted: their value is taken
    and a decrease into or out of it is justified (flag ``'operator'``).
    ``anchors``: {(as_of, category): value} already accepted just outside a window of days being
    decided again; the chain is pinned to them (source :data:`ANCHOR`), and they are not part of
    the returned ``accepted`` nor ``quarantine``.
    """
    merged: dict[tuple[str, date, str], Record] = dict(previous.observations) if previous else {}
    for obj in observations:
        r = _record(obj)
        merged[(r.source, r.as_of, r.category)] = r
    anchor_cells = set()
    for (d, cat), value in (anchors or {}).items():
        d = as_date(d)
        anchor_cells.add((d, cat))
        merged[(ANCHOR, d, cat)] = Record(ANCHOR, d, cat, int(value))
    forced = frozenset((s, as_date(d), c) for s, d, c in forced)
    dep = frozenset(dependent) | (previous.dependent if previous else frozenset())
    dep = frozenset((s, as_date(d), c) for s, d, c in dep)
    registry: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for corr in map(_correction, corrections):
        registry[corr.category].append((corr.as_of, corr.delta))

    by_cat: dict[str, dict[date, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in merged.values():
        by_cat[r.category][r.as_of].append(r)

    accepted: dict[tuple[date, str], Accepted] = {}
    quarantine: list[Quarantined] = []
    applied: list[dict] = []
    for cat in sorted(by_cat):
        cells = by_cat[cat]
        days = sorted(cells)
        cands = [_candidates(cells[d], dep, forced) for d in days]
        path = _chain(days, cands, registry.get(cat, []))
        chosen: dict[int, tuple[_Cand, str | None]] = {}
        unresolved_days: set[int] = set()
        prev_acc = None
        for i, k, why, pen in path:
            if pen:  # unavoidable unjustified decrease: do not accept, records go to quarantine
                unresolved_days.add(i)
                continue
            chosen[i] = (cands[i][k], why)
            c = cands[i][k]
            others = [o for o in cands[i] if o is not c]
            if (days[i], cat) in anchor_cells:
                prev_acc = c.value
                continue
            if why:
                status = "correction"
            elif c.operator:
                status = "resolved"
            elif not others:
                status = "agreed" if c.weight >= 2 else "single_source"
            elif c.weight >= 2:
                status = "majority"
            elif any(o.weight >= c.weight for o in others) and not any(o.weight > c.weight for o in others):
                status = "resolved"
            else:
                status = "single_source"
            note = ""
            if status == "resolved":
                nxt = next((cands[i2][k2].value for i2, k2, _, p2 in path if i2 > i and not p2), None)
                fits = [o for o in others if o.weight == c.weight
                        and (prev_acc is None or o.value >= prev_acc) and (nxt is None or o.value <= nxt)]
                if fits:
                    note = "priority_tiebreak"
            if c.operator and not why:
                note = "operator"
            if others and status in ("majority", "correction"):
                note = "; ".join(f"{'/'.join(sorted({r.source for r in o.records}))}={o.value}" for o in others)
            accepted[(days[i], cat)] = Accepted(c.value, c.sources, status, why, note)
            if why:
                applied.append({"as_of": days[i], "category": cat, "previous": (days[_prev_index(chosen, i)],
                                prev_acc), "value": c.value, "change": c.value - prev_acc, "evidence": why,
                                "registry": [(d, x) for d, x in registry.get(cat, [])
                                             if days[_prev_index(chosen, i)] <= d <= days[i]]})
            prev_acc = c.value
        quarantine.extend(q for q in _quarantine(cat, days, cells, chosen, unresolved_days, registry.get(cat, []))
                          if q.source != ANCHOR and (q.as_of, cat) not in anchor_cells)

    retracted = []
    if previous is not None:
        for key, old in sorted(previous.accepted.items()):
            now = accepted.get(key)
            if now is None or now.value != old.value:
                retracted.append(Retracted(key[0], key[1], old, now))
        withdrawn = {(r.as_of, r.category, r.previous.value) for r in retracted}
        quarantine = [q if (q.as_of, q.category, q.cumulative) not in withdrawn
                      else Quarantined(q.source, q.as_of, q.category, q.cumulative, q.expectation, q.neighbours,
                                       q.diagnosis, {**q.evidence, "retracted": True})
                      for q in quarantine]
    quarantine.sort(key=lambda q: (q.as_of, q.category, q.source))
    merged = {k: r for k, r in merged.items() if r.source != ANCHOR}
    return Decision(accepted, quarantine, retracted, applied, merged, dep)


def _prev_index(chosen: dict, i: int) -> int:
    return max(j for j in chosen if j < i)


def _quarantine(cat, days, cells, chosen, unresolved_days, registry):
    acc_days = sorted(chosen)
    out = []
    own: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for d in days:
        for r in cells[d]:
            own[r.source].append((d, r.cumulative))
    for i, d in enumerate(days):
        acc = chosen.get(i)
        for r in cells[d]:
            if acc is not None and r.cumulative == acc[0].value:
                continue
            pos = bisect.bisect_left(acc_days, i)
            prev_i = acc_days[pos - 1] if pos > 0 else None
            after = pos + 1 if pos < len(acc_days) and acc_days[pos] == i else pos
            next_i = acc_days[after] if after < len(acc_days) else None
            prev = (days[prev_i], chosen[prev_i][0].value) if prev_i is not None else None
            nxt = (days[next_i], chosen[next_i][0].value) if next_i is not None else None
            series = own[r.source]
            j = series.index((d, r.cumulative))
            own_prev = series[j - 1] if j > 0 else None
            own_next = series[j + 1] if j + 1 < len(series) else None
            low = prev is not None and r.cumulative < prev[1]
            high = nxt is not None and r.cumulative > nxt[1]
            own_low = own_prev is not None and r.cumulative < own_prev[1]
            own_high = own_next is not None and r.cumulative > own_next[1]
            evidence = {
                "accepted": acc[0].value if acc else None,
                "other_sources": {o.source: o.cumulative for o in cells[d] if o.source != r.source},
                "own_prev": own_prev, "own_next": own_next,
                "printed_increase": r.increase,
            }
            expectation = "monotonic_cumulative"
            if not (low or high or own_low or own_high or i in unresolved_days):
                # fits between its neighbours: a disagreement, unless its own "(+N)" contradicts it
                if (r.increase is not None and prev is not None and d - prev[0] == timedelta(days=1)
                        and r.cumulative - r.increase != prev[1] and acc is not None
                        and acc[0].value - prev[1] == r.increase):
                    expectation = "increase_matches_difference"
                    evidence["why"] = "its printed increase fits the accepted value, not its cumulative"
                    out.append(Quarantined(r.source, d, cat, r.cumulative, expectation,
                                           {"prev": prev, "next": nxt}, "typo_low" if r.cumulative < acc[0].value
                                           else "spike_before", evidence))
                continue
            lo = prev[0] if prev is not None and low else d  # a low record: a correction since the day before
            hi = d if low or nxt is None else nxt[0]  # a high one: a correction up to the day after
            window = [(rd, x) for rd, x in registry if lo <= rd <= hi and x < 0]
            corr_near = any(chosen[k][1] for k in chosen
                            if (prev_i is None or k > prev_i) and (next_i is None or k <= next_i))
            if i in unresolved_days:
                diagnosis = "unresolved"
                evidence["why"] = "an unjustified decrease no skip could avoid"
            elif low:
                early = [days[k] for k in chosen if chosen[k][1] and "registry" in chosen[k][1]
                         and timedelta(0) < days[k] - d <= timedelta(days=EARLY_DAYS)
                         and chosen[k][0].value == r.cumulative]
                if window and r.cumulative - prev[1] >= sum(x for _, x in window):
                    diagnosis = "official_correction"
                    evidence["why"] = "lower, within an official correction of a neighbouring day"
                elif early:
                    diagnosis = "official_correction"
                    evidence["why"] = f"the corrected figure of {early[0].isoformat()}, printed early"
                elif acc is not None or (nxt is not None and nxt[1] >= prev[1]):
                    diagnosis = "typo_low"
                    evidence["why"] = ("the other sources of the day" if acc is not None
                                       else "the next accepted day returns to the level")
                else:
                    diagnosis = "unresolved"
                    evidence["why"] = "no later day yet to tell a low typo from a spike before it"
            elif high:
                if corr_near or window:
                    diagnosis = "official_correction"
                    evidence["why"] = "higher, before an official correction was applied"
                else:
                    diagnosis = "spike_before"
                    evidence["why"] = "higher than the accepted day after it"
            else:
                diagnosis = "unresolved"
                evidence["why"] = "breaks its own source's neighbours only"
            if window:
                evidence["registry"] = window
            out.append(Quarantined(r.source, d, cat, r.cumulative, expectation, {"prev": prev, "next": nxt},
                                   diagnosis, evidence))
    return out


# ---------------------------------------------------------------------------------------------- checks

def majority_agreement(accepted: Mapping[tuple[date, str], Accepted], observations: Iterable,
                       dependent: Collection = ()) -> tuple[int, int, list]:
    """(matching, cells, mismatches) over the cells where two or more independent sources agree."""
    votes: dict[tuple[date, str], dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for obj in observations:
        r = _record(obj)
        if (r.source, r.as_of, r.category) not in dependent:
            votes[(r.as_of, r.category)][r.cumulative].add(r.source)
    cells = match = 0
    bad = []
    for key, vals in votes.items():
        top = max(vals.values(), key=len)
        if len(top) < 2:
            continue
        value = next(v for v, s in vals.items() if s is top)
        cells += 1
        got = accepted.get(key)
        if got is not None and got.value == value:
            match += 1
        else:
            bad.append((key, value, got))
    return match, cells, bad


def monotonic_violations(accepted: Mapping[tuple[date, str], Accepted]) -> list[tuple[str, date, int, int]]:
    """Decreases of the accepted series at cells not accepted as corrections."""
    out = []
    last: dict[str, int] = {}
    for (d, cat), a in sorted(accepted.items()):
        if cat in last and a.value < last[cat] and a.status != "correction":
            out.append((cat, d, last[cat], a.value))
        last[cat] = a.value
    return out
