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

The steps live in :mod:`etl.news.bind_claimant` (exclusions, claimant, category, subject),
:mod:`etl.news.bind_measure` and :mod:`etl.news.bind_date`; the state in :mod:`etl.news.bind_state`.
This module makes the claims of each figure and carries the context on (:func:`bind_sentence`).
"""

from __future__ import annotations

import re

from etl.news.bind_claimant import OFF_TOPIC_HEADER, category_of, claimant_of, excluded, subject_of
from etl.news.bind_date import date_spec_of, note_cue_dates, sentence_spec
from etl.news.bind_measure import measure_of
from etl.news.bind_state import Sent, State, is_at_the_time
from etl.news.claim import Claim
from etl.news.clauses import SentenceInfo
from etl.news.exclusions import bullet_item, short_list_item
from etl.news.mentions import Candidate

__all__ = ["Sent", "State", "bind_candidate", "bind_sentence", "make_claims"]


# --------------------------------------------------------------------------- claims of a sentence


def _is_round(value: int | None) -> bool:
    return value is not None and value >= 100 and value % 100 == 0


_TOTAL_INSIDE = re.compile(
    r"(?<![\w])(?:in total|total|overall|all told|so far|since the (?:start|beginning)|всього|загалом|усього"
    r"|з початку|in tutto|in totale|totale|complessiv\w+|dall'inizio)(?![\w])",
    re.I,
)


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
    # "14 tanks (10,100 in total)", "1 150 осіб (всього 880 000)": the bracket holds the total, the figure the day's
    total_inside = c.bracket_span is not None and bool(_TOTAL_INSIDE.search(st.norm, *c.bracket_span))
    if total_inside and measure == "cumulative":
        claim.measure = "daily_increase"
    if c.bracket is None or c.bracket_span is None or measure != "daily_increase" or total_inside:
        se.claims.append(claim)
    if c.bracket is not None and c.bracket_span is not None:
        bval = c.bracket.value
        ok = bval is not None and c.bracket.problem is None
        a, b = c.bracket_span
        if 0 <= a - c.number.start <= 40:
            a = c.number.start  # the evidence of "8,887 (+4)" is the total with its increase
        se.claims.append(
            Claim(
                measure="cumulative" if total_inside else "daily_increase",
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
    if claimant == "ru_defense_ministry" and category in ("drones", "cruise_missiles"):
        return  # "it had destroyed 58 Ukrainian drones overnight": drones its air defences downed, not losses
    subject = subject_of(st, se, c, kind, claimant)
    if subject == "foreign":
        return
    measure, period, marked = measure_of(st, se, c, entity)
    when = date_spec_of(st, se, c, cue, entity)
    make_claims(st, se, c, (claimant, entity), (kind, category, subject), (measure, period, marked), when)
    if period is not None:
        st.prev_period = period
    if measure in ("daily_increase", "period_increase") and not c.inherit:
        st.last_measure[entity] = measure
    st.measures_seen.setdefault(entity, set()).update(
        # a total a figure brings or a part of one ("bringing the total to 247,230") is not how the report counts
        cl.measure
        for cl in se.claims
        if cl.entity == entity and cl.sentence not in st.heads and cl.kind != "inherit"
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
        if any(is_at_the_time(d) for d in p.report_dates):
            st.last_sentence_spec = se.spec
        old = st.ctx_date.get(se.claims[-1].entity) if se.claims else None
        if not p.cues and se.claims and not _yesterday_after_today(old, st.last_sentence_spec):
            st.ctx_date[se.claims[-1].entity] = st.last_sentence_spec
    if is_header:
        st.list_header = p
    elif (
        st.list_header is not None
        and not se.in_list
        and not short_list_item(st.norm[p.s.start : p.s.end])
        and not bullet_item(st.norm, p.s.start)
    ):
        st.list_header = None


def _yesterday_after_today(old, new) -> bool:
    """ "... nell'aggiornamento di oggi. Nel numero sono comprese le 820 vittime subite ieri": the day of the
    losses said after the report's day is that figure's date, not the report's."""
    return (
        old is not None
        and new is not None
        and old.mention is not None
        and new.mention is not None
        and new.mention.kind == "relative"
        and (new.mention.offset or 0) < 0
        and (old.mention.kind == "date" or (old.mention.kind == "relative" and old.mention.offset == 0))
    )


_GS_NAMED = re.compile(r"general staff|генштаб|генеральн\w+ штаб|stato maggiore", re.I)


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
    text = st.norm[p.s.start : p.s.end]
    if colon:  # a list's header: is it about an army's losses, or a strike's victims, aid, shoot-downs, a swap?
        st.off_topic_list = bool(OFF_TOPIC_HEADER.search(text)) and not _GS_NAMED.search(text)
    elif not cands or len(text) > 100:  # prose again: the list is over
        st.off_topic_list = False
    se = Sent(p, cands, spec, in_list)
    for c in cands:
        bind_candidate(st, se, c)
    _carry_on(st, se, is_header or borrowed)
    if borrowed:
        st.list_header = st.prev_info
    st.prev_info = p
    return se.claims
