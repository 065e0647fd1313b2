"""Stage: bind each candidate figure to a claimant, a subject, a measure and a report date.

* **exclusions** (:func:`excluded`): civilians, average rates, sentences not about losses;
* **claimant** (:func:`claimant_of`): the nearest cue of the sentence, else the list header's, else the
  claimant the text was quoting (reported speech carried on: "the ministry said", "according to it");
* **subject** (:func:`subject_of`): the nearest side named before the figure (flipped when that side
  destroyed it), a modifier ("soldati russi"), else the claimant's usual subject;
* **measure** (:func:`measure_of`): the marker of the figure's clause ("over the past day", "since
  February 3", "in the same period"), a bracketed increase, a range;
* **report date** (:func:`date_spec_of`): the date the sentence states for the claimant's report, else
  the claimant's report date earlier in the text (:mod:`etl.news.dating` resolves them).

The state carried from sentence to sentence is :class:`State`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news.claim import Claim, DateSpec, PeriodSpec
from etl.news.clauses import Cue, Marker, SentenceInfo
from etl.news.exclusions import prisoner_swap, short_list_item, side_story
from etl.news.mentions import Candidate, military_people

_CIVILIAN = re.compile(r"(?<![\w])(?:" + lx.CIVILIAN + r")(?![\w])", re.I)
_PEOPLE_PLAIN = re.compile(r"(?<![\w])(?:" + lx.PEOPLE_PLAIN + r")(?![\w])", re.I)
_BOTH = re.compile(r"(?<![\w])(?:" + lx.BOTH_SIDES + r")(?![\w])", re.I)
_ENEMY = re.compile(r"(?<![\w])(?:enemy|nemic\w*|ворог\w*|противник\w*)(?![\w])[^.;]{0,40}$", re.I)
_BREAKDOWN = re.compile(
    r"(?<![\w])(?:group of forces|battlegroup|battle group|gruppo (?:tattico|di forze)|угрупован\w+)(?![\w])", re.I
)
_SHOT_DOWN = re.compile(r"(?<![\w])(?:" + lx.NOT_LOSS + r")(?![\w])[^.;]{0,40}$", re.I)
_AVERAGE = re.compile(r"(?<![\w])(?:" + lx.AVERAGE + r")(?![\w])", re.I)
_BRINGING = re.compile(lx.BRINGING_TOTAL, re.I)
_REPORT_NOUN = re.compile(r"(?<![\w])(?:" + lx.REPORT_NOUNS + r")(?![\w])", re.I)
# the side named right before a destroy verb did the destroying: "Ukrainian forces destroyed three tanks"
_RESPECTIVELY = re.compile(lx.RESPECTIVELY, re.I)
_BY_AGENT = re.compile(r"(?:" + lx.DESTROY_VERBS + r")\s+(?:by|da|dalle|dai|dal|dagli)\s+(?:the\s+)?$", re.I)
_AGENT = re.compile(r"\s+(?:[\w'-]+\s+){0,2}?(?:also\s+)?(?:" + lx.DESTROY_VERBS + r")(?![\w])", re.I)
_INVADERS = re.compile(r"(?:invaders|occupiers|окупант|загарбник|росіян|invasori)", re.I)
_ALSO = re.compile(r"(?<![\w])(?:also|as well|in addition|additionally|також|ще|anche|inoltre)(?![\w])", re.I)
_RATE = re.compile(
    r"\s*(?:a|per|every|each) (?:day|week|month|year)\b|\s*(?:[\w'-]+\s+){0,2}for (?:every|each)\b|\s*(?:ogni giorno"
    r"|al giorno|al mese|all'anno|l'anno|ogni anno|щодня|щомісяця|щороку"
    r"|на день|на місяць|на рік)",
    re.I,
)
_KILLED_WORD = re.compile(r"(?<![\w])(killed|wounded)(?![\w])", re.I)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|e\s+|і\s+|та\s+)?|\s+(?:and|e|і|та|й)\s+)\s*", re.I)
_MORE_IN = re.compile(r"^\s+(?:additional|more|further|ulteriori|altri)(?![\w])", re.I)
_WEAK_TOTAL = re.compile(r"a total of", re.I)
_ANOTHER = re.compile(r"(?<![\w])(?:another|a further|ще|ще одн\w+|altri|altre|ulteriori)\s+(?:[\w'-]+\s+){0,1}$", re.I)
_PAST_DAY = re.compile(r"(?:past|previous|last|final) day|добу|24 ore|ieri|yesterday|вчора", re.I)
_PERIODS = {
    "start": "mention",
    "period_month_mention": "month_mention",
    "period_year": "year",
    "period_month": "month",
    "period_vague": "unknown",
}


@dataclass
class State:
    """What the text said before the sentence being read."""

    norm: str
    text: str
    first_cue: str | None = None
    first_entity: str | None = None
    ctx_claimant: str | None = None
    ctx_entity: str | None = None
    ctx_date: dict[str, DateSpec] = field(default_factory=dict)
    first_date: dict[str, DateSpec] = field(default_factory=dict)
    spec_cache: dict[int, DateSpec] = field(default_factory=dict)
    last_sentence_spec: DateSpec | None = None
    prev_period: PeriodSpec | None = None
    list_header: SentenceInfo | None = None
    prev_info: SentenceInfo | None = None  # the sentence before, for a header that only says "The numbers include:"
    last_subject: dict[str, str] = field(default_factory=dict)
    last_measure: dict[str, str] = field(default_factory=dict)
    prev_claim: Claim | None = None
    measures_seen: dict[str, set] = field(default_factory=dict)  # the measures of each claimant's body figures
    heads: set[int] = field(default_factory=set)  # the headline sentences

    def spec_for(self, d: dates_mod.DateMention) -> DateSpec:
        if d.start not in self.spec_cache:
            self.spec_cache[d.start] = DateSpec(mention=d, vague=d.kind == "vague")
        return self.spec_cache[d.start]


@dataclass
class Sent:
    """One sentence being bound: its analysis, candidates and the claims made so far."""

    p: SentenceInfo
    cands: list[Candidate]
    spec: DateSpec | None
    in_list: bool
    claims: list[Claim] = field(default_factory=list)


def nearest(items, pos: int, key_start, key_end):
    before = [x for x in items if key_end(x) <= pos]
    if before:
        return max(before, key=key_end), "before"
    after = [x for x in items if key_start(x) >= pos]
    if after:
        return min(after, key=key_start), "after"
    return None, None


def _is_at_the_time(d: dates_mod.DateMention) -> bool:
    return d.kind == "vague" and d.text.lower() == "at the time"


def owner(p: SentenceInfo, d: dates_mod.DateMention) -> Cue | None:
    """The claimant cue a date belongs to: the nearest one ("Russia on Friday said ..., NATO put ...")."""
    if not p.cues:
        return None
    return min(
        p.cues, key=lambda q: 0 if q.start <= d.start < q.end else min(abs(d.start - q.end), abs(q.start - d.end))
    )


# --------------------------------------------------------------------------- exclusions


def excluded(st: State, se: Sent, c: Candidate) -> bool:
    """Civilians, an average rate, or a figure in a sentence that is not about losses."""
    norm, s, p = st.norm, se.p.s, se.p
    window = norm[max(s.start, c.start - 40) : min(s.end, c.end + 30)]
    civil = [
        m
        for m in _CIVILIAN.finditer(window)
        if not (_PEOPLE_PLAIN.fullmatch(m.group()) and (c.label_first or military_people(norm, s, c.start)))
    ]
    if civil and c.kind in lx.PEOPLE_KINDS + ("inherit",) or side_story(norm, s.start, s.end):
        return True
    group = next(((a, b) for a, b in p.groups if a <= c.start < b), (s.start, s.end))
    if c.kind != "pow" and prisoner_swap(norm, s.start, s.end):
        return True  # "205 soldiers brought home in the latest prisoner exchange": not losses
    if _BOTH.search(norm, group[0], c.start):
        return True  # "Russia and Ukraine collectively lost one million": both sides' figure
    after = norm.find(",", c.end, s.end)
    if _AVERAGE.search(norm, max(s.start, c.start - 40), min(s.end, c.end + 25, after if after >= 0 else s.end)):
        return True  # "an average of 1,000 casualties a day" is a rate, not a count
    if _BREAKDOWN.search(norm, c.start, group[1]):
        return True  # "up to 620 soldiers in battles with Russia's Tsentr group of forces": one group's share
    if c.kind in ("drones", "cruise_missiles") and c.bracket is None and _SHOT_DOWN.search(norm, group[0], c.start):
        return True  # "air defences had shot down 214 drones": launched at the one who counts them, not lost
    if c.bracket is None and _RATE.match(norm, c.end, s.end):
        return True  # "losing 1,000 soldiers a day", "30,000 a month": a rate
    accepted = (
        p.loss
        or (c.label_first and (se.in_list or c.bracket is not None))
        or (c.bracket is not None and (p.cues or st.ctx_claimant == "ua_general_staff"))
        or (c.inherit and (c.bringing or se.claims or st.prev_claim is not None))
        or _report_goes_on(st, se, c)
    )
    return not (accepted or (se.in_list and (c.label_first or c.start - s.start <= 3)))


def _report_goes_on(st: State, se: Sent, c: Candidate) -> bool:
    """ "The report also listed 9,780 tanks": equipment right after a claimant's loss figures."""
    if c.kind in lx.PEOPLE_KINDS or c.inherit or st.prev_claim is None or se.p.cues or se.p.not_loss_only:
        return False
    if se.p.s.index - st.prev_claim.sentence > 2:
        return False
    if c.label_first and se.p.s.index - st.prev_claim.sentence == 1:
        return True  # "Carri armati: 10.431." right after the figures it goes on from
    return bool(_REPORT_NOUN.search(st.norm, se.p.s.start, se.p.s.end) or _ALSO.search(st.norm, se.p.s.start, c.start))


# --------------------------------------------------------------------------- claimant, category, subject


def claimant_of(st: State, se: Sent, c: Candidate) -> tuple[Cue | None, str | None, str | None]:
    cue, _ = nearest(se.p.cues, c.start, lambda x: x.start, lambda x: x.end)
    if cue is not None:
        return cue, cue.claimant, cue.entity
    if se.in_list and st.list_header.cues:
        return None, st.list_header.cues[-1].claimant, st.list_header.cues[-1].entity
    if st.ctx_claimant:
        return None, st.ctx_claimant, st.ctx_entity
    return None, st.first_cue, st.first_entity


def people_category(claimant: str, kind: str, verb_kind: str | None) -> str:
    k = verb_kind or kind
    if claimant == "ua_general_staff":
        return "wounded" if k == "wounded" else "personnel"
    if k in ("killed", "wounded"):
        return k
    return "casualties_total"


def category_of(st: State, se: Sent, c: Candidate, claimant: str) -> tuple[str, str] | None:
    """(kind, category); a figure that inherits a category takes the one of the figure before."""
    kind = c.kind
    if kind == "inherit":
        base = se.claims[-1] if se.claims else (None if c.bringing else st.prev_claim)
        resp = _RESPECTIVELY.search(st.norm, se.p.s.start, c.start)
        if resp and se.claims:  # "six tanks and 12 armoured vehicles ... respectively 3,751 and 7,307"
            listed = [x for x in se.claims if x.span[0] < resp.start() and x.kind != "inherit"]
            later = [x for x in se.cands if x.start > resp.start()]
            k = sum(1 for x in later if x.start < c.start)
            if len(later) <= len(listed):
                base = listed[len(listed) - len(later) + k]
        if base is None and c.bringing:
            # "the total stood at 868,230" with no figure before it: the claimant's people count
            said = claimant != "ua_general_staff" and _KILLED_WORD.search(
                st.norm, max(se.p.s.start, c.start - 60), c.start
            )
            return "people", people_category(claimant, "casualties", said and said.group(1).lower())
        if base is None:
            return None
        return kind, base.category
    if kind in lx.PEOPLE_KINDS:
        return kind, people_category(claimant, kind, c.verb_kind)
    return kind, kind


def _subject_named(st: State, se: Sent, c: Candidate) -> str | None:
    p, norm = se.p, st.norm
    subs = [
        x for x in p.subjects if x[1] <= c.start and not any(o.start <= x[0] < o.end for o in se.cands if o is not c)
    ]
    if subs:
        near = max(subs, key=lambda x: x[1])
        subject = near[2]
        if subject in lx.SUBJECTS and (
            _AGENT.match(norm, near[1], c.start) or _BY_AGENT.search(norm, max(p.s.start, near[0] - 40), near[0])
        ):
            # "Ukrainian forces destroyed three tanks", "hardware destroyed by Russian forces": the other side's
            subject = "ru_forces" if subject == "ua_forces" else "ua_forces"
        return subject
    group = next(((a, b) for a, b in p.groups if a <= c.start < b), (p.s.start, p.s.end))
    subs = [x for x in p.subjects if x[0] >= c.end and x[0] - c.end < 60 and x[0] < group[1]]
    return min(subs, key=lambda x: x[0])[2] if subs else None


def subject_of(st: State, se: Sent, c: Candidate, kind: str, claimant: str) -> str:
    subject = c.subject_hint
    on = re.compile(lx.INFLICTED_ON, re.I).match(
        st.norm, c.end, se.p.s.end
    )  # "inflicted losses of 1,300 servicemen on Ukrainian troops"
    if on and re.search(r"inflict", st.norm[max(se.p.s.start, c.start - 60) : c.start], re.I):
        return "ua_forces" if on.group(1).lower().startswith(("ukrain", "україн")) else "ru_forces"
    if subject is None and kind == "people" and _INVADERS.search(st.norm[c.start : c.end]):
        subject = "ru_forces"
    if subject is None and kind == "inherit" and se.claims:
        subject = se.claims[-1].subject  # "1,020 of them", "dei quali": a part of the figure before
    if subject is None:
        subject = _subject_named(st, se, c)
        prev = se.claims[-1] if se.claims else None
        if prev is not None and prev.kind == kind or prev is not None and kind not in lx.PEOPLE_KINDS:
            # a list goes on: "15 Russian tanks, 24 armored vehicles" - the side of the item before
            named = [x for x in se.p.subjects if prev.span[1] <= x[0] < c.start]
            if not named:
                subject = prev.subject
    if (
        subject == "ru_forces"
        and claimant == "ru_defense_ministry"
        and _ENEMY.search(st.norm, max(se.p.s.start, c.start - 50), c.end)
    ):
        return "ua_forces"  # Moscow's "enemy" is Ukraine
    if subject is not None:
        return subject
    if kind == "inherit" and (se.claims or st.prev_claim):
        return (se.claims[-1] if se.claims else st.prev_claim).subject
    if se.in_list and st.list_header is not None and st.list_header.subjects:
        return st.list_header.subjects[-1][2]
    if claimant in ("ua_general_staff", "ru_defense_ministry") and claimant not in st.last_subject:
        return "ru_forces"
    return st.last_subject.get(claimant, "ru_forces")


# --------------------------------------------------------------------------- measure


def _marker_of(st: State, se: Sent, c: Candidate) -> Marker | None:
    """The measure marker of the figure's clause (nearest before it; after it only within its clause)."""
    p, norm = se.p, st.norm
    group = next(((a, b) for a, b in p.groups if a <= c.start < b), (p.s.start, p.s.end))
    in_group = [mk for mk in p.markers if group[0] <= mk.start < group[1]]
    if c.bringing or _BRINGING.search(norm, group[0], c.start):
        return Marker(c.start, c.start, "cumulative")
    if in_group:

        def distance(mk: Marker) -> int:
            if mk.end <= c.start:
                return c.start - mk.end
            # a marker after a comma opens another clause, unless a list of figures runs up to it
            clause = (
                "," in norm[c.end : mk.start]
                and not any(c.end < o.start < mk.start and not o.inherit for o in se.cands)
                and not _listed(st, se, c)
            )
            return max(0, mk.start - c.end) + (1000 if clause else 0)

        strong = [mk for mk in in_group if not _WEAK_TOTAL.fullmatch(norm[mk.start : mk.end])] or in_group
        marker = min(strong, key=distance)
        if marker.kind == "start" and any(mk.kind == "daily" for mk in in_group):
            # "in the 24 hours between Saturday July 1 and Sunday July 2": a day, not a period
            marker = next(mk for mk in in_group if mk.kind == "daily")
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
            last = st.last_measure.get(entity) or (st.prev_claim.measure if st.prev_claim is not None else None)
            if last == "daily_increase":
                measure = "daily_increase"
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
        and _ALSO.search(st.norm, se.p.s.start, c.start)
    ):
        measure = "daily_increase"  # "He said Russian forces had also destroyed three tanks" after the day's figures
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


# --------------------------------------------------------------------------- report date


def explicit_first(mentions: list[dates_mod.DateMention]) -> list[dates_mod.DateMention]:
    """A stated day wins over a weekday or "yesterday" in the same words: "giovedì 12 giugno", "on Friday, May 9"."""
    days = [d for d in mentions if d.kind == "date"]
    return days if days and any(d.kind in ("weekday", "relative") for d in mentions) else mentions


def sentence_spec(st: State, p: SentenceInfo) -> DateSpec | None:
    """The report date the sentence states ("at the time": the one of the sentence before)."""
    if not p.report_dates:
        return None
    if any(_is_at_the_time(d) for d in p.report_dates):
        return st.last_sentence_spec or DateSpec(vague=True)
    return st.spec_for(explicit_first(p.report_dates)[0])


def date_spec_of(st: State, se: Sent, c: Candidate, cue: Cue | None, entity: str) -> tuple[DateSpec | None, bool]:
    """(report date, the sentence's own) of a figure."""
    p, spec = se.p, se.spec
    mine = explicit_first([d for d in p.report_dates if cue is None or owner(p, d) is cue])
    if spec is not None and (spec.mention is None or mine):
        if spec.mention is None:
            return spec, True
        d, _ = nearest(mine, cue.start if cue is not None else c.start, lambda x: x.start, lambda x: x.end)
        if _is_at_the_time(d):
            return st.last_sentence_spec or DateSpec(vague=True), True
        return st.spec_for(d), True
    if se.in_list and st.list_header is not None and st.list_header.report_dates:
        return st.spec_for(st.list_header.report_dates[-1]), False
    return st.ctx_date.get(entity), False


def note_cue_dates(st: State, p: SentenceInfo, spec: DateSpec | None) -> None:
    """The sentence's report dates become the date of each claimant it names (and of reported speech)."""
    for cue in p.cues:
        if not p.report_dates or spec is None:
            continue
        mine = explicit_first([d for d in p.report_dates if owner(p, d) is cue])
        if spec.mention is None:
            found = spec
        elif mine:
            found = st.spec_for(nearest(mine, cue.start, lambda x: x.start, lambda x: x.end)[0])
        else:
            continue
        old = st.ctx_date.get(cue.entity)
        if (
            old is not None
            and old.mention is not None
            and old.mention.kind == "date"
            and found.mention is not None
            and found.mention.kind in ("weekday", "relative")
        ):
            continue  # a stated day of the claimant's report wins over a weekday said later
        st.ctx_date[cue.entity] = found
        st.first_date.setdefault(cue.entity, found)
    if (
        not p.cues
        and not p.attribution_blocked
        and spec is not None
        and spec.mention is not None
        and st.ctx_entity
        and _REPORT_NOUN.search(st.norm, p.s.start, p.s.end)
    ):
        # "The bulletin is of Sunday": the date of the report the text is quoting
        st.ctx_date[st.ctx_entity] = spec
        st.first_date.setdefault(st.ctx_entity, spec)


# --------------------------------------------------------------------------- claims of a sentence


def _is_round(value: int | None) -> bool:
    return value is not None and value >= 100 and value % 100 == 0


def make_claims(st: State, se: Sent, c: Candidate, who: tuple, what: tuple, how: tuple, when: tuple) -> None:
    """The claim of a figure, and the daily increase of its bracket "(+N)"."""
    (claimant, entity), (kind, category, subject), (measure, period, marked), (spec, own_date) = who, what, how, when
    status = "unparseable" if c.problem or (c.value is None and c.low is None) else "ok"
    problem = (c.problem or f"figure {c.number.text!r} could not be read") if status == "unparseable" else None
    common = dict(
        claimant=claimant,
        subject=subject,
        category=category,
        period_start=None,
        as_of=None,
        as_of_precision=None,
        date_method="unresolved",
        date_reference=None,
        date_text=None,
        kind=kind,
        sentence=se.p.s.index,
        date_spec=spec,
        own_date=own_date,
        entity=entity,
    )
    claim = Claim(
        measure=measure,
        value=None if status == "unparseable" else c.value,
        low=c.low,
        high=c.high,
        qualifier=c.qualifier,
        span=(c.start, c.end),
        evidence=st.text[c.start : c.end],
        number_text=c.number.text,
        status=status,
        problem=problem,
        period_spec=period,
        rounded=bool(c.qualifier) or _is_round(c.value),
        measure_marked=marked,
        **common,
    )
    if c.bracket is None or c.bracket_span is None or measure != "daily_increase":
        se.claims.append(claim)
    if c.bracket is not None and c.bracket_span is not None:
        bval = c.bracket.value
        ok = bval is not None and c.bracket.problem is None
        a, b = c.bracket_span
        if 0 <= a - c.number.start <= 40:
            a = c.number.start  # the evidence of "8,887 (+4)" is the total with its increase
        se.claims.append(
            Claim(
                measure="daily_increase",
                value=bval if ok else None,
                low=None,
                high=None,
                qualifier=None,
                span=(a, b),
                evidence=st.text[a:b],
                number_text=c.bracket.text,
                status="ok" if ok else "unparseable",
                problem=None if ok else (c.bracket.problem or "increase could not be read"),
                period_spec=None,
                **common,
            )
        )


def bind_candidate(st: State, se: Sent, c: Candidate) -> None:
    if excluded(st, se, c):
        return
    cue, claimant, entity = claimant_of(st, se, c)
    if claimant is None:
        return
    what = category_of(st, se, c, claimant)
    if what is None:
        return
    kind, category = what
    subject = subject_of(st, se, c, kind, claimant)
    if subject == "foreign":
        return
    measure, period, marked = measure_of(st, se, c, entity)
    when = date_spec_of(st, se, c, cue, entity)
    make_claims(st, se, c, (claimant, entity), (kind, category, subject), (measure, period, marked), when)
    if period is not None:
        st.prev_period = period
    if measure in ("daily_increase", "period_increase"):
        st.last_measure[entity] = measure
    st.measures_seen.setdefault(entity, set()).update(
        cl.measure for cl in se.claims if cl.entity == entity and cl.sentence not in st.heads
    )
    st.last_subject[claimant] = subject


def _carry_on(st: State, se: Sent, is_header: bool) -> None:
    """The context the next sentences read: claimant quoted, its report date, the list header."""
    p = se.p
    for cl in se.claims:
        if cl.date_spec is not None:
            st.ctx_date.setdefault(cl.entity, cl.date_spec)
            st.first_date.setdefault(cl.entity, cl.date_spec)
    if se.claims:
        st.prev_claim = se.claims[-1]
    if p.cues:
        st.ctx_claimant, st.ctx_entity = p.cues[-1].claimant, p.cues[-1].entity
    elif se.claims:
        st.ctx_claimant, st.ctx_entity = se.claims[-1].claimant, se.claims[-1].entity
    if se.spec is not None:
        st.last_sentence_spec = (
            se.spec if se.spec.mention is None or not p.report_dates else st.spec_for(p.report_dates[0])
        )
        if any(_is_at_the_time(d) for d in p.report_dates):
            st.last_sentence_spec = se.spec
        if not p.cues and se.claims:
            st.ctx_date[se.claims[-1].entity] = st.last_sentence_spec
    if is_header:
        st.list_header = p
    elif st.list_header is not None and not se.in_list and not short_list_item(st.norm[p.s.start : p.s.end]):
        st.list_header = None


def bind_sentence(st: State, p: SentenceInfo, cands: list[Candidate]) -> list[Claim]:
    """The claims of one sentence, given what the text said before it (``st``, updated)."""
    spec = sentence_spec(st, p)
    note_cue_dates(st, p, spec)
    colon = st.norm[p.s.start : p.s.end].rstrip().endswith(":")
    is_header = colon and bool(p.loss or p.cues)
    # "Russia has also lost significant equipment. The numbers include:" - the loss sentence before heads the list
    borrowed = (
        colon
        and not is_header
        and st.prev_info is not None
        and st.prev_info.loss
        and st.prev_info.s.paragraph == p.s.paragraph
    )
    # a list item: "tanks - 11,230" or a line that is its figure ("* 10,268 tanks")
    in_list = st.list_header is not None and any(c.label_first or c.start - p.s.start <= 3 for c in cands)
    se = Sent(p, cands, spec, in_list)
    for c in cands:
        bind_candidate(st, se, c)
    _carry_on(st, se, is_header or borrowed)
    if borrowed:
        st.list_header = st.prev_info
    st.prev_info = p
    return se.claims
