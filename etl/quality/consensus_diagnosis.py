"""The quarantine of the decision engine: for every record the chain did not take, its accepted
neighbours, its diagnosis and the evidence, and whether the evidence settles it (see
:mod:`etl.quality.consensus` for the diagnoses and the verdicts)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, timedelta

from etl.quality.consensus_model import EARLY_DAYS, Quarantined

SETTLING_SOURCES = 2  # independent sources agreeing on the accepted value: enough to reject a lone record


def quarantine(
    cat: str, days: list[date], cells: dict, chosen: dict, unresolved_days: set, registry: list
) -> list[Quarantined]:
    """The records of ``cat`` that the chain (``chosen``: day index -> (candidate, justification)) left out."""
    acc_days = sorted(chosen)
    own: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for d in days:
        for r in cells[d]:
            own[r.source].append((d, r.cumulative))
    out = []
    for i, d in enumerate(days):
        acc = chosen.get(i)
        for r in cells[d]:
            if acc is not None and r.cumulative == acc[0].value:
                continue
            q = _one(cat, days, cells, chosen, acc_days, own, unresolved_days, registry, i, r)
            if q is not None:
                out.append(q)
    return out


def _neighbours(days, chosen, acc_days, i):
    pos = bisect.bisect_left(acc_days, i)
    prev_i = acc_days[pos - 1] if pos > 0 else None
    after = pos + 1 if pos < len(acc_days) and acc_days[pos] == i else pos
    next_i = acc_days[after] if after < len(acc_days) else None
    prev = (days[prev_i], chosen[prev_i][0].value) if prev_i is not None else None
    nxt = (days[next_i], chosen[next_i][0].value) if next_i is not None else None
    return prev_i, next_i, prev, nxt


def _one(cat, days, cells, chosen, acc_days, own, unresolved_days, registry, i, r) -> Quarantined | None:
    d = days[i]
    acc = chosen.get(i)
    prev_i, next_i, prev, nxt = _neighbours(days, chosen, acc_days, i)
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
        "own_prev": own_prev,
        "own_next": own_next,
        "printed_increase": r.increase,
    }
    neighbours = {"prev": prev, "next": nxt}
    if not (low or high or own_low or own_high or i in unresolved_days):
        # fits between its neighbours: a disagreement, unless its own "(+N)" contradicts it
        if (
            r.increase is not None
            and prev is not None
            and d - prev[0] == timedelta(days=1)
            and r.cumulative - r.increase != prev[1]
            and acc is not None
            and acc[0].value - prev[1] == r.increase
        ):
            evidence["why"] = "its printed increase fits the accepted value, not its cumulative"
            diagnosis = "typo_low" if r.cumulative < acc[0].value else "spike_before"
            return Quarantined(
                r.source,
                d,
                cat,
                r.cumulative,
                "increase_matches_difference",
                neighbours,
                diagnosis,
                evidence,
                _verdict(diagnosis, acc, prev, nxt, evidence),
            )
        return None
    lo = prev[0] if prev is not None and low else d  # a low record: a correction since the day before
    hi = d if low or nxt is None else nxt[0]  # a high one: a correction up to the day after
    window = [(rd, x) for rd, x in registry if lo <= rd <= hi and x < 0]
    corr_near = any(chosen[k][1] for k in chosen if (prev_i is None or k > prev_i) and (next_i is None or k <= next_i))
    if i in unresolved_days:
        diagnosis, why = "unresolved", "an unjustified decrease no skip could avoid"
    elif low:
        diagnosis, why = _diagnose_low(days, chosen, acc, prev, nxt, window, i, r)
    elif high:
        diagnosis, why = (
            ("official_correction", "higher, before an official correction was applied")
            if corr_near or window
            else ("spike_before", "higher than the accepted day after it")
        )
    else:
        diagnosis, why = "unresolved", "breaks its own source's neighbours only"
    evidence["why"] = why
    if window:
        evidence["registry"] = window
    return Quarantined(
        r.source,
        d,
        cat,
        r.cumulative,
        "monotonic_cumulative",
        neighbours,
        diagnosis,
        evidence,
        _verdict(diagnosis, acc, prev, nxt, evidence),
    )


def _diagnose_low(days, chosen, acc, prev, nxt, window, i, r) -> tuple[str, str]:
    """A record lower than the accepted day before it: a typo, an official correction, or unresolved."""
    d = days[i]
    early = [
        days[k]
        for k in chosen
        if chosen[k][1]
        and "registry" in chosen[k][1]
        and timedelta(0) < days[k] - d <= timedelta(days=EARLY_DAYS)
        and chosen[k][0].value == r.cumulative
    ]
    if window and r.cumulative - prev[1] >= sum(x for _, x in window):
        return "official_correction", "lower, within an official correction of a neighbouring day"
    if early:
        return "official_correction", f"the corrected figure of {early[0].isoformat()}, printed early"
    if acc is not None or (nxt is not None and nxt[1] >= prev[1]):
        return "typo_low", (
            "the other sources of the day" if acc is not None else "the next accepted day returns to the level"
        )
    return "unresolved", "no later day yet to tell a low typo from a spike before it"


def _verdict(diagnosis: str, acc, prev, nxt, evidence: dict) -> str:
    """``rejected`` when the evidence settles the record without a person: two or more independent
    sources agree on the day's accepted value, that value is no correction (an ordinary cell, not a
    decrease) and it fits the accepted days around it (not below the day before, not above the day
    after). The rule is added to ``evidence['settled_by']``. ``resolved`` for an official correction;
    ``open`` (a person decides) for the rest: unresolved days, one source against one, decreases."""
    if diagnosis == "official_correction":
        return "resolved"
    if diagnosis not in ("typo_low", "spike_before") or acc is None:
        return "open"
    cand, why = acc
    if why or len(cand.sources) < SETTLING_SOURCES or cand.operator:
        return "open"
    if (prev is not None and cand.value < prev[1]) or (nxt is not None and cand.value > nxt[1]):
        return "open"
    evidence["settled_by"] = {
        "rule": f"outvoted by {len(cand.sources)} agreeing sources; their value fits the accepted days around it",
        "sources": list(cand.sources),
        "value": cand.value,
        "prev": prev,
        "next": nxt,
    }
    return "rejected"
