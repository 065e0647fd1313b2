"""Stage: date resolution per claim.

Every claim carries the :class:`~etl.news.claim.DateSpec` of its report (shared by the claims of that
report).  They are resolved in this order, and each claim says which one it used (``date_method``):

1. ``explicit``: a date the text states for the report, or the story's dateline;
2. ``weekday`` / ``relative``: counted back from the publication date;
3. ``series_match``: General Staff totals with no date of their own, matched against the accepted series;
   a series-matched day then anchors the article's weekdays when it has no publication date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from etl.domain.categories import MERGE_DAY
from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news.bind import State
from etl.news.claim import Claim, DateSpec, PeriodSpec
from etl.news.clauses import SentenceInfo

_DATELINE = re.compile(lx.DATELINE)
_IN_BRACKET = re.compile(lx.DATELINE_IN_BRACKET)
# what follows a dateline's date: a dash ("Dec 19 -", "6 lug. (Adnkronos) -") or an agency between slashes
# ("MOSCOW, March 27. /TASS/."), or the end of that first line
_AFTER_DATELINE = re.compile(r"\.?\s*(?:\d{1,2}[:.]\d{2}\s*)?(?:\([^)]*\))?\s*(?:-|/[A-Z][\w-]{1,12}/)|\.\s*$")
_METHOD = {"date": "explicit", "month": "explicit", "year": "explicit", "weekday": "weekday", "relative": "relative"}


def dateline(st: State, prepared: list[SentenceInfo], all_dates: list[dates_mod.DateMention]) -> DateSpec | None:
    """The story's dateline ("MOSCOW/KYIV, Dec 19 - ..."): the first sentence's date before a dash."""
    norm = st.norm
    for p in prepared:
        m = _DATELINE.match(norm[p.s.start : p.s.end])
        inside = _IN_BRACKET.match(norm[p.s.start : p.s.end])
        if inside:
            d = next((x for x in all_dates if x.kind == "date" and x.start == p.s.start + inside.end()), None)
            if d is not None and norm[d.end : d.end + 1] == ")":
                return st.spec_for(d)
        if not m:
            continue
        d = next(
            (
                x
                for x in all_dates
                if x.kind == "date" and p.s.start + m.end() <= x.start and _AFTER_DATELINE.match(norm, x.end, p.s.end)
            ),
            None,
        )
        if d is not None and d.start - p.s.start - m.end() < 3:
            # "(Di mercoledì 2 novembre 2022), 2 nov. (Adnkronos) -": the same day with its year just before
            full = [x for x in all_dates if p.s.start <= x.start < d.start and (x.month, x.day) == (d.month, d.day)]
            return st.spec_for(full[0] if d.year is None and full and full[0].year else d)
        return None
    return None


def lede_date(st: State, prepared: list[SentenceInfo]) -> DateSpec | None:
    """The day the story's first sentence gives ("... hit Kharkiv on Wednesday, the mayor said"): the date of
    figures the text gives no date of their own or of their claimant's, when there is no dateline."""
    body = [p for p in prepared if p.s.paragraph == 1][:1]
    for p in body:
        days = [d for d in p.report_dates if d.kind in ("date", "weekday", "relative")]
        if days:
            return st.spec_for(days[0])
    return None


def headline_date(st: State, prepared: list[SentenceInfo], all_dates: list[dates_mod.DateMention]) -> DateSpec | None:
    """The day a headline names ("Ucraina, le ultime notizie sulla guerra oggi 2 marzo"), for the day's figures when
    neither a dateline nor the lede gives one: it wins over a series match."""
    for p in prepared:
        if p.s.index not in st.heads:
            continue
        day = next((d for d in all_dates if d.kind == "date" and p.s.start <= d.start < p.s.end), None)
        if day is not None and (day.month, day.day) != (2, 24):
            return st.spec_for(day)
    return None


def fill_undated(st: State, claims: list[Claim], line: DateSpec | None, lede: DateSpec | None = None) -> None:
    """A claim without a date of its own or of its claimant's context: the claimant's first report date,
    else the dateline, else (for the two ministries' figures, which are the day's news) the lede's day."""
    shared_none: dict[str, DateSpec] = {}
    for cl in claims:
        if cl.date_spec is not None:
            continue
        before = same_day_as_before(st, claims, cl)
        if before is not None:  # "the ministry said Ukraine lost up to 1,150 over the same period"
            cl.date_spec = before
            continue
        # both ministries' figures are the day's news: Kyiv's bulletin, Moscow's briefing ("у міноборони РФ заявили,
        # що українські сили за добу нібито втратили до 1 650"), and a General Staff period said the same day
        daily = cl.claimant == "ua_general_staff" or (
            cl.claimant == "ru_defense_ministry" and cl.measure == "daily_increase"
        )
        cl.date_spec = (
            st.first_date.get(cl.entity)
            or line
            or (lede if daily else None)
            or shared_none.setdefault(cl.entity, DateSpec())
        )


_SAME_DAY = re.compile(lx.SAME_DAY, re.I)


def same_day_as_before(st: State, claims: list[Claim], cl: Claim) -> DateSpec | None:
    """The date of the figure before, for one another claimant gives "over the same period" / "nella stessa
    giornata" (the sentence of ``cl`` names that period, no day)."""
    norm = st.norm
    starts = [m.end() for m in re.finditer(r"[.!?]\s|\n", norm[: cl.span[0]])]
    end = re.search(r"[.!?](?:\s|$)|\n", norm[cl.span[1] :])
    sentence = norm[starts[-1] if starts else 0 : cl.span[1] + (end.start() if end else len(norm))]
    if not _SAME_DAY.search(sentence):
        return None
    prev = [c for c in claims if c.span[0] < cl.span[0] and c.date_spec is not None and c.date_spec.mention is not None]
    return prev[-1].date_spec if prev else None


def _resolve_spec(spec: DateSpec, reference: date | None, reference_name: str | None) -> None:
    if spec.resolved is not None or spec.mention is None:
        return
    m = spec.mention
    day, precision = dates_mod.resolve(m, reference)
    if day is None:
        return
    spec.resolved, spec.precision, spec.method = day, precision, _METHOD[m.kind]
    needs_reference = m.kind in ("weekday", "relative") or (m.kind in ("date", "month") and m.year is None)
    spec.reference = reference_name if needs_reference else None


def _significant(value: int) -> int:
    return len(str(value).rstrip("0"))


def series_day(group: list[Claim], series, published: date | None) -> date | None:
    """The one bulletin day whose accepted cumulative values equal the group's General Staff totals."""
    totals = [
        c
        for c in group
        if c.claimant == "ua_general_staff"
        and c.measure == "cumulative"
        and c.value is not None
        and c.qualifier in (None, "about", "more_than")
        and c.subject == "ru_forces"
        and c.category not in lx.PEOPLE_CATEGORIES
    ]
    personnel = [c for c in totals if c.category == "personnel"]
    if not any(series.days_with("personnel", c.value) for c in personnel):
        # no personnel total, or only the day's figure read as one ("540 invaders" above the list)
        return _equipment_day([c for c in totals if c.category != "personnel"], series, published)
    days: set[date] | None = None
    if any(series.days_with("personnel", c.value) for c in personnel):
        # a rounder restatement ("quasi 277 mila" of 276,990) is no figure of the series: the exact one decides
        personnel = [c for c in personnel if series.days_with("personnel", c.value)]
        # of several that match, the most precise decides ("oltre 17 mila" restates "circa 17.200")
        precision = max(_significant(c.value) for c in personnel)
        personnel = [c for c in personnel if _significant(c.value) == precision]
    for c in personnel + [c for c in totals if c.category != "personnel"]:
        found = set(series.days_with(c.category, c.value))
        if not found and c.category != "personnel":
            continue  # an equipment figure the series lacks (or a typo) does not veto the personnel match
        days = found if days is None else (days & found or days)
        if c.category == "personnel" and not days:
            return None
    if not days:
        return None
    if published is not None:
        days = {d for d in days if d <= published + timedelta(days=1)}
    return next(iter(days)) if len(days) == 1 else None


def _equipment_day(totals: list[Claim], series, published: date | None) -> date | None:
    """Without a personnel total (a list of equipment under "the day's 540 invaders"): the one day on which three
    or more of the equipment totals all equal the series."""
    found = [set(series.days_with(c.category, c.value)) for c in totals]
    found = [f for f in found if f]
    if len(found) < 3:
        return None
    days = set.intersection(*found)
    if published is not None:
        days = {d for d in days if d <= published + timedelta(days=1)}
    return next(iter(days)) if len(days) == 1 else None


def _specs(claims: list[Claim]) -> list[DateSpec]:
    specs: list[DateSpec] = []
    for cl in claims:
        if cl.date_spec is not None and all(cl.date_spec is not s for s in specs):
            specs.append(cl.date_spec)
    return specs


def _by_dateline(specs: list[DateSpec], line: DateSpec | None, published: date | None) -> None:
    """The dateline wins over a weekday: its day when the weekday is that day, else the weekday counted back
    from it (``date_reference: dateline``)."""
    if line is None:
        return
    _resolve_spec(line, published, "published" if published else None)
    if line.resolved is None:
        return
    for spec in specs:
        if (
            spec is line
            or spec.resolved is not None
            or spec.mention is None
            or spec.mention.kind not in ("weekday", "relative")
        ):
            continue
        _resolve_spec(spec, line.resolved, "dateline")
        if spec.resolved == line.resolved:
            spec.mention, spec.method, spec.reference = line.mention, line.method, line.reference


def _explicit_wins(specs: list[DateSpec], claims: list[Claim]) -> None:
    """A claimant's report day the text states wins over a weekday giving the same day: said ``explicit``."""
    stated: dict[tuple[str, date], DateSpec] = {}
    for cl in claims:
        spec = cl.date_spec
        if spec.resolved is not None and spec.method == "explicit" and spec.precision == "day":
            stated.setdefault((cl.entity, spec.resolved), spec)
    for cl in claims:
        spec = cl.date_spec
        if not cl.own_date and spec.method in ("weekday", "relative") and (cl.entity, spec.resolved) in stated:
            cl.date_spec = stated[(cl.entity, spec.resolved)]


def _yearless_explicit(spec: DateSpec, day: date) -> bool:
    """An explicit day without a year ("станом на 7 травня", "reported on May 26") in a text with no publication
    date: the series-matched day gives its year, and the stated day wins (``explicit``, reference
    ``series_match``) when it lies within a few days of the matched one."""
    m = spec.mention
    if m is None or m.kind != "date" or m.year is not None:
        return False
    _resolve_spec(spec, day + timedelta(days=3), "series_match")
    if spec.resolved is not None and abs((spec.resolved - day).days) <= 3:
        return True
    spec.resolved = spec.precision = spec.reference = None
    spec.method = "unresolved"
    return False


def resolve_dates(
    claims: list[Claim], published: date | None, series, line: DateSpec | None = None, text_year: date | None = None
) -> None:
    """Stage: every claim's ``as_of``, ``date_method``, ``date_reference``, ``date_text`` and period start.
    ``text_year`` (the end of the latest year the text states in a date) gives a yearless day its year when
    neither a publication date nor the series can."""
    specs = _specs(claims)
    _by_dateline(specs, line, published)
    for spec in specs:
        _resolve_spec(spec, published, "published" if published else None)
    anchor = None
    if series is not None:
        for spec in specs:
            if spec.resolved is not None:
                continue
            day = series_day([c for c in claims if c.date_spec is spec], series, published)
            if day is not None:
                anchor = anchor or day
                if not _yearless_explicit(spec, day):
                    spec.resolved, spec.precision, spec.method = day, "day", "series_match"
    if published is None and anchor is not None:
        for spec in specs:
            _resolve_spec(spec, anchor, "series_match")
    if published is None and anchor is None and text_year is not None:
        for spec in specs:
            if spec.mention is not None and spec.mention.kind in ("date", "month") and not spec.mention.year:
                _resolve_spec(spec, text_year, "text")
    _explicit_wins(specs, claims)
    for cl in claims:
        spec = cl.date_spec
        cl.as_of, cl.as_of_precision = spec.resolved, spec.precision
        cl.date_method = spec.method if spec.resolved else "unresolved"
        cl.date_reference = spec.reference if spec.resolved else None
        cl.date_text = spec.text
        if cl.period_spec is not None and cl.measure == "period_increase":
            cl.period_start = period_start(cl.period_spec, cl.as_of or published or anchor)
            if cl.period_start is not None and date(2022, 2, 1) <= cl.period_start <= date(2022, 2, 24):
                cl.measure, cl.period_start = "cumulative", None  # "dal febbraio dello scorso anno": the war's start
            elif (
                cl.period_start and cl.as_of and cl.as_of_precision == "day" and (cl.as_of - cl.period_start).days == 1
            ):
                cl.measure, cl.period_start = "daily_increase", None  # "up 250 from Thursday": two days' difference
        before_merge = bool(cl.as_of and cl.as_of < MERGE_DAY)
        if cl.category == "vehicles":
            cl.category = "military_vehicles" if before_merge else "vehicles_fuel_tanks"
        elif cl.category == "tankers":
            cl.category = "fuel_tanks" if before_merge else "vehicles_fuel_tanks"


def day_figures(claims: list[Claim], series, published: date | None) -> None:
    """Stage: a General Staff "total" far below the accepted total of an earlier day is the day's figure
    ("Ukraine also claimed the destruction of 15 Russian tanks", "a total of 710 soldiers" in a story about
    one day): totals only grow, so a twentieth of a total already reached cannot be the running total."""
    if series is None:
        return
    for cl in claims:
        day = cl.as_of or published
        if (
            cl.claimant != "ua_general_staff"
            or cl.subject != "ru_forces"
            or cl.measure != "cumulative"
            or cl.value is None
            or day is None
            or cl.category in lx.PEOPLE_CATEGORIES
        ):
            continue
        floor = series.latest_before(day, cl.category)
        if floor is not None and cl.value * 20 <= floor:
            cl.measure = "daily_increase"


def period_start(period: PeriodSpec, reference: date | None) -> date | None:
    if period.kind == "mention" and period.mention is not None:
        m = period.mention
        if m.kind == "weekday" and reference is not None:
            d = dates_mod.last_weekday(m.weekday, reference)
            return d if d < reference else d - timedelta(days=7)
        day, _ = dates_mod.resolve(m, reference)
        if day is not None and reference is not None and m.kind == "date" and m.year is None and day > reference:
            day = day.replace(year=day.year - 1)
        return day
    if period.kind == "month_mention" and period.mention is not None:
        return dates_mod.resolve(period.mention, reference)[0]
    if reference is None:
        return None
    if period.kind == "year":
        return date(reference.year, 1, 1)
    if period.kind == "month":
        return reference.replace(day=1)
    return None
