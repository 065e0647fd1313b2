"""Binding, step 5: the report date of a candidate figure (:func:`date_spec_of`): the date the sentence states
for the claimant's report, else the claimant's report date earlier in the text (:mod:`etl.news.dating` resolves
them); :func:`note_cue_dates` keeps each claimant's date for the sentences after; see :mod:`etl.news.bind`."""

from __future__ import annotations

import re

from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news.bind_state import REPORT_NOUN, REPORT_VERB, Sent, State, is_at_the_time, nearest, owner
from etl.news.claim import DateSpec
from etl.news.clauses import Cue, SentenceInfo
from etl.news.mentions import Candidate

# --------------------------------------------------------------------------- report date


def explicit_first(mentions: list[dates_mod.DateMention]) -> list[dates_mod.DateMention]:
    """A stated day wins over a weekday or "yesterday" in the same words: "giovedì 12 giugno", "on Friday, May 9"."""
    days = [d for d in mentions if d.kind == "date"]
    return days if days and any(d.kind in ("weekday", "relative") for d in mentions) else mentions


_SAID_ON = re.compile(r"\s*(?:" + lx.SAID_VERBS + r"|wrote)?\s*(?:on\s+)?", re.I)


def _start(d: dates_mod.DateMention) -> int:
    return d.start


def _end(d: dates_mod.DateMention) -> int:
    return d.end


def sentence_spec(st: State, p: SentenceInfo) -> DateSpec | None:
    """The report date the sentence states ("at the time": the one of the sentence before)."""
    if not p.report_dates:
        return None
    if any(is_at_the_time(d) for d in p.report_dates):
        return st.last_sentence_spec or DateSpec(vague=True)
    return st.spec_for(explicit_first(p.report_dates)[0])


def date_spec_of(st: State, se: Sent, c: Candidate, cue: Cue | None, entity: str) -> tuple[DateSpec | None, bool]:
    """(report date, the sentence's own) of a figure."""
    p, spec = se.p, se.spec
    mine = explicit_first([d for d in p.report_dates if cue is None or owner(p, d) is cue])
    if not mine and cue is not None:  # "a joint investigation by the BBC and Mediazona": a date of either
        mine = explicit_first([d for d in p.report_dates if getattr(owner(p, d), "claimant", None) == cue.claimant])
    if spec is not None and (spec.mention is None or mine):
        if spec.mention is None:
            return spec, True
        # the day right after the claimant's verb is its report's ("died on Sunday, ..., the General Staff said on
        # Monday"), else the nearest before the cue
        said_on = [
            x
            for x in mine
            if cue is not None and x.kind in ("date", "weekday") and _SAID_ON.fullmatch(st.norm, cue.end, x.start)
        ]
        d = said_on[0] if said_on else nearest(mine, cue.start if cue is not None else c.start, _start, _end)[0]
        if is_at_the_time(d):
            return st.last_sentence_spec or DateSpec(vague=True), True
        return st.spec_for(d), True
    if se.in_list and st.list_header is not None and st.list_header.report_dates:
        # a list's header "as of June 21 ..., reported on Tuesday": its stated day wins over its weekday
        return st.spec_for(explicit_first(st.list_header.report_dates)[-1]), False
    return st.ctx_date.get(entity), False


def note_cue_dates(st: State, p: SentenceInfo, spec: DateSpec | None) -> None:
    """The sentence's report dates become the date of each claimant it names (and of reported speech)."""
    words = (st.norm, p.s.start, p.s.end)
    said = p.s.end - p.s.start < 120 and REPORT_VERB.search(*words)  # "This was reported by ... on September 15"
    if not (p.loss or said or REPORT_NOUN.search(*words)):
        return  # "In April the Defence Forces drove the invaders out": not the date of a report of losses
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
        ) or (old is not None and old.mention is not None and _finer(old.mention, found.mention)):
            continue  # a stated day of the claimant's report wins over a weekday (or a month) said later
        st.ctx_date[cue.entity] = found
        st.first_date.setdefault(cue.entity, found)
    if (
        not p.cues
        and not p.attribution_blocked
        and spec is not None
        and spec.mention is not None
        and st.ctx_entity
        and (REPORT_NOUN.search(*words) or (p.loss and st.norm[p.s.start : p.s.end].rstrip().endswith(":")))
    ):  # ... or the header of its list: "Загальні бойові втрати противника станом на 22 листопада орієнтовно склали:"
        # "The bulletin is of Sunday": the date of the report the text is quoting
        st.ctx_date[st.ctx_entity] = spec
        st.first_date.setdefault(st.ctx_entity, spec)


def _finer(old: dates_mod.DateMention, new: dates_mod.DateMention | None) -> bool:
    """The claimant's report day said before, against a month said after it ("Kyiv said this month ...")."""
    return new is not None and old.precision == "day" and (new.kind == "month" or new.month_offset is not None)
