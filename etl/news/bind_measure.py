"""Binding, step 4: the measure of a candidate figure (:func:`measure_of`): the marker of its clause ("over the
past day", "since February 3", "in the same period"), a bracketed increase, a range; see :mod:`etl.news.bind`."""

from __future__ import annotations

import re

from etl.news import lexicon as lx
from etl.news.bind_state import ALSO, Sent, State
from etl.news.claim import PeriodSpec
from etl.news.clauses import Marker, start_across_comma
from etl.news.mentions import Candidate

_BRINGING = re.compile(lx.BRINGING_TOTAL, re.I)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|e\s+|і\s+|та\s+)?|\s+(?:and|e|і|та|й)\s+)\s*", re.I)
_MORE_IN = re.compile(r"^\s+(?:additional|more|further|ulteriori|altri)(?![\w])", re.I)
_WEAK_TOTAL = re.compile(r"a total of", re.I)
_BARE_TOTAL = re.compile(r"in total|a total of|totals? of|total|in totale|complessivamente", re.I)
_ADDED = re.compile(r"(?<![\w])(?:added|adds|adding|додав|додали|aggiunto|aggiunge)\s+(?:[\w'-]+\s+){0,2}$", re.I)
_TO_COUNT = re.compile(
    r"\s*(?:to (?:its|their|the|Kyiv's|Ukraine's) (?:count|total|tally|figures)|до (?:загальної )?кількості"
    r"|al (?:conteggio|totale|bilancio))",
    re.I,
)
_ANOTHER = re.compile(r"(?<![\w])(?:another|a further|ще|ще одн\w+|altri|altre|ulteriori)\s+(?:[\w'-]+\s+){0,1}$", re.I)
# the day's part of a total: "with 61 more added since the previous report" (the bulletins are daily)
_PAST_DAY = re.compile(
    r"(?:past|previous|last|final) day|(?:previous|last) (?:report|update|bulletin)|добу|24 ore|ieri|yesterday|вчора",
    re.I,
)
_PERIODS = {
    "start": "mention",
    "period_month_mention": "month_mention",
    "period_year": "year",
    "period_month": "month",
    "period_vague": "unknown",
}


# --------------------------------------------------------------------------- measure


def _marker_of(st: State, se: Sent, c: Candidate) -> Marker | None:
    """The measure marker of the figure's clause (nearest before it; after it only within its clause)."""
    p, norm = se.p, st.norm
    group = next(((a, b) for a, b in p.groups if a <= c.start < b), (p.s.start, p.s.end))
    in_group = [mk for mk in p.markers if group[0] <= mk.start < group[1]]
    if c.bringing or _BRINGING.search(norm, group[0], max(c.start, c.number.start)):  # the label may be in it
        return Marker(c.start, c.start, "cumulative")
    if in_group:

        def distance(mk: Marker) -> int:
            if mk.end <= c.start:
                # "470 servicemen ... over the past 24 hours, and more than 6,600 since ...": the marker is the figure
                # before's, across a comma, when one after the figure is in its own clause
                behind = re.search(r",(?!\d)", norm[mk.end : c.start]) and any(o.end <= mk.start for o in se.cands)
                return c.start - mk.end + (500 if behind else 0)
            # a marker after a comma opens another clause, unless a list of figures runs up to it
            clause = (
                re.search(
                    r"[,:](?!\d)", norm[c.end : mk.start]
                )  # not the comma of "714,380"; "880.000 soldati: 1.150 ..."
                and not (mk.kind == "start" and start_across_comma(norm, mk.start))
                and not any(c.end < o.start < mk.start and not o.inherit for o in se.cands)
                and not _listed(st, se, c)
            )
            return max(0, mk.start - c.end) + (1000 if clause else 0)

        strong = [mk for mk in in_group if not _WEAK_TOTAL.fullmatch(norm[mk.start : mk.end])] or in_group
        marker = min(strong, key=distance)
        day = [mk for mk in in_group if mk.kind == "daily" and 0 <= marker.start - mk.end <= 25]
        if marker.kind == "start" and day:
            # "in the 24 hours between Saturday July 1 and Sunday July 2": a day, not a period
            marker = day[0]
        return None if distance(marker) >= 1000 else marker
    if p.groups and group != p.groups[0]:
        lead = [mk for mk in p.markers if mk.end <= se.cands[0].start and mk.start < p.groups[0][1]]
        return lead[-1] if lead else None
    if se.in_list and st.list_header is not None and st.list_header.markers:
        return st.list_header.markers[0]
    return None


def _listed(st: State, se: Sent, c: Candidate) -> bool:
    """``c`` is the last item of a list of figures: "..., 32 armored vehicles, and seven tanks, all in a day"."""
    before = [o for o in se.cands if o.end <= c.start and not o.inherit]
    return bool(before) and bool(_LIST_SEP.fullmatch(st.norm, before[-1].end, c.start))


def measure_of(st: State, se: Sent, c: Candidate, entity: str) -> tuple[str, PeriodSpec | None, bool]:
    """(measure, period, marked): how the figure counts, from the cue words of its clause."""
    marker = _marker_of(st, se, c)
    if (
        marker is not None
        and entity == "ru_defense_ministry"
        and st.measures_seen.get(entity) == {"daily_increase"}
        and _BARE_TOTAL.fullmatch(st.norm, marker.start, marker.end)
    ):
        marker = None  # Moscow's briefing: "In total, the enemy lost up to 135 ..." sums the day's figures
    measure, period = "cumulative", None
    if marker is not None:
        if marker.kind == "daily":
            measure = "daily_increase"
        elif marker.kind in _PERIODS:
            measure, period = (
                "period_increase",
                PeriodSpec(
                    _PERIODS[marker.kind], marker.mention if marker.kind in ("start", "period_month_mention") else None
                ),
            )
        elif marker.kind == "period_same":
            # "in the same period": the period of the figures before it (the past day, or since a day)
            # (a part of the figure before, "che ne conta 1.360 nell'ultima giornata", is not the period: its total is)
            prev = st.prev_claim
            last = st.last_measure.get(entity) or (
                None if prev is None else "cumulative" if prev.kind == "inherit" else prev.measure
            )
            if last == "daily_increase":
                measure = "daily_increase"
            elif last == "cumulative" and st.last_measure.get(entity) is None:
                measure = "cumulative"  # "dal 24 febbraio 2022 ... Nello stesso periodo": the span since the start
            else:
                measure, period = "period_increase", st.prev_period or PeriodSpec("unknown")
    if c.kind == "inherit" and marker is None and not c.bringing:
        base = se.claims[-1] if se.claims else st.prev_claim
        if base is not None and base.measure == "cumulative" and _PAST_DAY.search(st.norm, c.start, se.p.s.end):
            measure = "daily_increase"
    if (
        marker is None
        and measure == "cumulative"
        and c.bracket is None
        and st.measures_seen.get(entity) == {"daily_increase"}
        and ALSO.search(st.norm, se.p.s.start, se.p.s.end)  # "It said 27 artillery systems had also been hit"
    ):
        measure = "daily_increase"  # "He said Russian forces had also destroyed three tanks" after the day's figures
    elif (
        marker is None
        and measure == "cumulative"
        and entity == "ru_defense_ministry"
        and st.measures_seen.get(entity) == {"daily_increase"}
        and (c.kind not in lx.PEOPLE_KINDS or not se.p.report_dates)  # "since September 2022, when it said 5,937"
    ):
        # Moscow's briefing of the day goes on: "The ministry said its forces had destroyed", "In total, the enemy lost
        # up to 135 military personnel in this direction", "Kiev has also lost up to 65 soldiers in the ... direction"
        measure = "daily_increase"
    if (
        marker is None
        and measure == "cumulative"
        and (_total_follows(st, se, c) or _another(st, se) or _MORE_IN.match(st.norm, c.number.end, c.end))
    ):
        measure = "daily_increase"  # "Russia lost 1,010 personnel, bringing its total to 1,170,200"
    if c.low is not None:
        measure = "estimate_range"
    return measure, period, marker is not None or c.low is not None


def _another(st: State, se: Sent) -> bool:
    """ "destroyed another 16 tanks, 40 ...": the figures of the list add to the totals (the day's)."""
    first = se.cands[0].start
    if _ADDED.search(st.norm, max(se.p.s.start, first - 40), first) and _TO_COUNT.match(
        st.norm, se.cands[-1].end, se.p.s.end
    ):
        return True  # "added 810 troops and eight tanks to its count": the figures are what the day added
    return bool(_ANOTHER.search(st.norm, max(se.p.s.start, first - 25), first))


def _total_follows(st: State, se: Sent, c: Candidate) -> bool:
    """A General Staff figure followed in its sentence by the total it brings: the day's increase."""
    if (
        c.inherit
        or c.bringing
        or not (se.p.cues and se.p.cues[0].claimant == "ua_general_staff" or st.ctx_claimant == "ua_general_staff")
    ):
        return False
    later = [o for o in se.cands if o.start > c.end]
    if not later or any(mk.kind == "daily" for mk in se.p.markers):
        return False
    return later[0].bringing or bool(_BRINGING.search(st.norm, c.end, later[0].start))
