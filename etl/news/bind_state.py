"""The state the binding stage carries from sentence to sentence (:class:`State`), the sentence being bound
(:class:`Sent`) and the helpers every step of :mod:`etl.news.bind` reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news.claim import Claim, DateSpec, PeriodSpec
from etl.news.clauses import Cue, SentenceInfo
from etl.news.mentions import Candidate

REPORT_NOUN = re.compile(r"(?<![\w])(?:" + lx.REPORT_NOUNS + r")(?![\w])", re.I)
REPORT_VERB = re.compile(r"(?<![\w])(?:" + lx.REPORT_VERBS + r")(?![\w])", re.I)
ALSO = re.compile(r"(?<![\w])(?:also|as well|in addition|additionally|також|ще|anche|inoltre)(?![\w])", re.I)


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
    off_topic_list: bool = False  # under a header about a strike's victims, aid, shoot-downs or a swap
    last_subject: dict[str, str] = field(default_factory=dict)
    last_measure: dict[str, str] = field(default_factory=dict)
    prev_claim: Claim | None = None
    measures_seen: dict[str, set] = field(default_factory=dict)  # the measures of each claimant's body figures
    heads: set[int] = field(default_factory=set)  # the headline sentences
    said_after: dict[int, object] = field(default_factory=dict)  # sentence -> the cue of "Lo hanno detto X" after it

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


def is_at_the_time(d: dates_mod.DateMention) -> bool:
    return d.kind == "vague" and d.text.lower() == "at the time"


def owner(p: SentenceInfo, d: dates_mod.DateMention) -> Cue | None:
    """The claimant cue a date belongs to: the nearest one ("Russia on Friday said ..., NATO put ...")."""
    if not p.cues:
        return None
    # the cue of the date's own clause first: "British intelligence put ... on Tuesday, while a U.S. official"
    group = next(((a, b) for a, b in p.groups if a <= d.start < b), None)
    mine = [q for q in p.cues if group is not None and group[0] <= q.start < group[1]] or p.cues
    return min(mine, key=lambda q: 0 if q.start <= d.start < q.end else min(abs(d.start - q.end), abs(q.start - d.end)))
