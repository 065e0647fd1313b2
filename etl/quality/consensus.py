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

Verdicts of a quarantined record (``Quarantined.verdict``: who decides it):

``rejected``
    the evidence settles it: the record is outvoted by two or more independent sources agreeing on
    the day's accepted value, and that value is an ordinary cell (no correction) that fits the
    accepted days around it. The gate rejects it (``decided_by gate``, ``evidence['settled_by']``).
``resolved``
    an ``official_correction``: explained by a correction, nothing to decide.
``open``
    a person decides: unresolved days, one source against one, decreases the registry does not
    confirm (the Required Action of the quarantine_review DAG, or ``attrition quarantine``).

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

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import date

from etl.quality.consensus_chain import Cand, best_chain, candidates
from etl.quality.consensus_diagnosis import quarantine as _quarantine
from etl.quality.consensus_model import (  # noqa: F401 - the engine's vocabulary, re-exported
    ANCHOR,
    CORRECTION_LABELS,
    DIAGNOSES,
    EARLY_DAYS,
    MAX_SKIP,
    OFFICIAL_INCREASE,
    PRIORITY,
    STATUSES,
    VERDICTS,
    Accepted,
    Correction,
    Decision,
    Quarantined,
    Record,
    Retracted,
    as_date,
    correction_of,
    load_official_corrections,
    record_of,
)


def decide(
    observations: Iterable,
    corrections: Iterable,
    previous: Decision | None = None,
    *,
    dependent: Collection = (),
    forced: Collection = (),
    anchors: Mapping | None = None,
    reopened: Collection = (),
) -> Decision:
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
    ``reopened``: (source, as_of, category) keys of records an operator reopened: a person decides
    them (verdict ``open``) even where the evidence would settle them.
    """
    merged, anchor_cells, forced, dep, registry = _inputs(
        observations, corrections, previous, dependent, forced, anchors
    )
    by_cat: dict[str, dict[date, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in merged.values():
        by_cat[r.category][r.as_of].append(r)
    accepted: dict[tuple[date, str], Accepted] = {}
    quarantine: list[Quarantined] = []
    applied: list[dict] = []
    for cat in sorted(by_cat):
        cells = by_cat[cat]
        days = sorted(cells)
        cands = [candidates(cells[d], dep, forced) for d in days]
        path = best_chain(days, cands, registry.get(cat, []))
        chosen, unresolved_days = _accept(
            cat, days, cands, path, anchor_cells, registry.get(cat, []), accepted, applied
        )
        quarantine.extend(
            q
            for q in _quarantine(cat, days, cells, chosen, unresolved_days, registry.get(cat, []))
            if q.source != ANCHOR and (q.as_of, cat) not in anchor_cells
        )
    retracted = []
    if previous is not None:
        retracted, quarantine = _retract(previous, accepted, quarantine)
    reopened = frozenset((s, as_date(d), c) for s, d, c in reopened)
    quarantine = [
        replace(q, verdict="open", evidence={**q.evidence, "reopened": True})
        if q.verdict == "rejected" and (q.source, q.as_of, q.category) in reopened
        else q
        for q in quarantine
    ]
    quarantine.sort(key=lambda q: (q.as_of, q.category, q.source))
    merged = {k: r for k, r in merged.items() if r.source != ANCHOR}
    return Decision(accepted, quarantine, retracted, applied, merged, dep)


def _inputs(observations, corrections, previous, dependent, forced, anchors):
    """The merged records (with the anchors as records of :data:`ANCHOR`), the anchor cells, the
    forced and dependent keys, and the registry per category."""
    merged: dict[tuple[str, date, str], Record] = dict(previous.observations) if previous else {}
    for obj in observations:
        r = record_of(obj)
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
    for corr in map(correction_of, corrections):
        registry[corr.category].append((corr.as_of, corr.delta))
    return merged, anchor_cells, forced, dep, registry


def _status(c: Cand, others: list[Cand], why: str | None) -> str:
    if why:
        return "correction"
    if c.operator:
        return "resolved"
    if not others:
        return "agreed" if c.weight >= 2 else "single_source"
    if c.weight >= 2:
        return "majority"
    if any(o.weight >= c.weight for o in others) and not any(o.weight > c.weight for o in others):
        return "resolved"
    return "single_source"


def _accept(cat, days, cands, path, anchor_cells, registry, accepted, applied):
    """The accepted cells of one category's chain into ``accepted`` (and its corrections into
    ``applied``); returns (chosen: day index -> (candidate, justification), the unresolved days)."""
    chosen: dict[int, tuple[Cand, str | None]] = {}
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
        status = _status(c, others, why)
        note = ""
        if status == "resolved":
            nxt = next((cands[i2][k2].value for i2, k2, _, p2 in path if i2 > i and not p2), None)
            fits = [
                o
                for o in others
                if o.weight == c.weight
                and (prev_acc is None or o.value >= prev_acc)
                and (nxt is None or o.value <= nxt)
            ]
            if fits:
                note = "priority_tiebreak"
        if c.operator and not why:
            note = "operator"
        if others and status in ("majority", "correction"):
            note = "; ".join(f"{'/'.join(sorted({r.source for r in o.records}))}={o.value}" for o in others)
        accepted[(days[i], cat)] = Accepted(c.value, c.sources, status, why, note)
        if why:
            before = days[_prev_index(chosen, i)]
            applied.append(
                {
                    "as_of": days[i],
                    "category": cat,
                    "previous": (before, prev_acc),
                    "value": c.value,
                    "change": c.value - prev_acc,
                    "evidence": why,
                    "registry": [(d, x) for d, x in registry if before <= d <= days[i]],
                }
            )
        prev_acc = c.value
    return chosen, unresolved_days


def _retract(previous: Decision, accepted: dict, quarantine: list[Quarantined]):
    """The previously accepted cells now withdrawn or changed; their records marked ``retracted``."""
    retracted = []
    for key, old in sorted(previous.accepted.items()):
        now = accepted.get(key)
        if now is None or now.value != old.value:
            retracted.append(Retracted(key[0], key[1], old, now))
    withdrawn = {(r.as_of, r.category, r.previous.value) for r in retracted}
    quarantine = [
        q
        if (q.as_of, q.category, q.cumulative) not in withdrawn
        else Quarantined(
            q.source,
            q.as_of,
            q.category,
            q.cumulative,
            q.expectation,
            q.neighbours,
            q.diagnosis,
            {**q.evidence, "retracted": True},
            q.verdict,
        )
        for q in quarantine
    ]
    return retracted, quarantine


def _prev_index(chosen: dict, i: int) -> int:
    return max(j for j in chosen if j < i)


# ---------------------------------------------------------------------------------------------- checks


def majority_agreement(
    accepted: Mapping[tuple[date, str], Accepted], observations: Iterable, dependent: Collection = ()
) -> tuple[int, int, list]:
    """(matching, cells, mismatches) over the cells where two or more independent sources agree."""
    votes: dict[tuple[date, str], dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for obj in observations:
        r = record_of(obj)
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
