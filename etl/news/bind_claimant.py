"""Binding, steps 1-3: the exclusions (:func:`excluded`), the claimant (:func:`claimant_of`), the category
(:func:`category_of`) and the subject (:func:`subject_of`) of a candidate figure; see :mod:`etl.news.bind`."""

from __future__ import annotations

import re

from etl.news import lexicon as lx
from etl.news.bind_state import ALSO, REPORT_NOUN, Sent, State, nearest
from etl.news.clauses import Cue
from etl.news.exclusions import prisoner_swap, short_list_item, side_story
from etl.news.mentions import Candidate, military_people, noun_after

_STRIKE = re.compile(r"(?<![\w])(?:" + lx.STRIKE_WORDS + r")(?![\w])", re.I)
_TOTALS = re.compile(
    r"(?<![\w])(?:totals?|(?:running |overall )?count|tallies|totali|totale|підсум\w*|the number of)(?![\w])", re.I
)
_DOWNED_AFTER = re.compile(lx.DOWNED_AFTER, re.I)
_BRINGING = re.compile(lx.BRINGING_TOTAL, re.I)
_CIVILIAN = re.compile(r"(?<![\w])(?:" + lx.CIVILIAN + r")(?![\w])", re.I)
_PEOPLE_PLAIN = re.compile(r"(?<![\w])(?:" + lx.PEOPLE_PLAIN + r")(?![\w])", re.I)
_BOTH = re.compile(r"(?<![\w])(?:" + lx.BOTH_SIDES + r")(?![\w])", re.I)
# Moscow's "enemy" up to 70 characters before the figure:
# "The total enemy losses in this [Donetsk] direction amounted to"
_ENEMY = re.compile(r"(?<![\w])(?:enemy|nemic\w*|ворог\w*|противник\w*)(?![\w])[^.;]{0,70}$", re.I)
_NOT_LOSS_WORD = re.compile(r"(?<![\w])(?:" + lx.NOT_LOSS + r")(?![\w])", re.I)
_LAUNCHED = re.compile(
    r"(?<![\w])(?:launched|fired|lanciat[oiae]|ha lanciato|hanno lanciato|запустил\w*|випустил\w*|атакувал\w*)"
    r"(?![\w])[^.;]{0,40}$",
    re.I,
)
_SHOT_DOWN = re.compile(r"(?<![\w])(?:" + lx.NOT_LOSS + r")(?![\w])[^.;]{0,40}$", re.I)
_COMBINED = re.compile(r"(?<![\w])(?:a |the )?combined (?:total|tally|number) of\s*$", re.I)  # two categories
_AVERAGE = re.compile(r"(?<![\w])(?:" + lx.AVERAGE + r")(?![\w])", re.I)
# the side named right before a destroy verb did the destroying: "Ukrainian forces destroyed three tanks"
_RESPECTIVELY = re.compile(lx.RESPECTIVELY, re.I)
_BY_AGENT = re.compile(
    r"(?:"
    + lx.DESTROY_VERBS
    + r")\s+(?:by|da|dalle|dai|dal|dagli)\s+(?:the\s+)?(?:(?:forze|truppe|esercito|militari)\s+)?$",
    re.I,
)
_AGENT = re.compile(r"\s+(?:[\w'-]+\s+){0,2}?(?:also\s+)?(?:" + lx.AGENT_VERBS + r")(?![\w])", re.I)
_SAME_SOURCE = re.compile(
    r"(?<![\w])(?:the same|that|this) (?:site|website|source|count|tally|database|project|list|report)(?![\w])"
    r"|(?<![\w])(?:lo stesso|la stessa) (?:sito|fonte|conteggio|elenco|bollettino)(?![\w])",
    re.I,
)
_ITS_OWN = re.compile(r"(?<![\w])of (?:its|their) (?:own )?", re.I)
_OWN_SIDE = {"ru_defense_ministry": "ru_forces", "ua_general_staff": "ua_forces"}
_INVADERS = re.compile(r"(?:invaders|occupiers|окупант|загарбник|росіян|invasori)", re.I)
_RATE = re.compile(
    r"\s*(?:a|per|every|each) (?:day|week|month|year)\b|\s*(?:[\w'-]+\s+){0,2}for (?:every|each)\b|\s*(?:ogni giorno"
    r"|al giorno|al mese|all'anno|l'anno|ogni anno|щодня|щомісяця|щороку"
    r"|на день|на місяць|на рік)"
    # "nearly 1,000 soldiers are being lost each day": a verb between the figure and its rate
    r"|\s*(?:are|were|is|was)\s+(?:being\s+)?(?:lost|killed|wounded)\s+(?:each|every|per)\s+(?:day|week|month)\b",
    re.I,
)
_FORECAST = re.compile(
    r"\s*(?:[\w'-]+\s+){0,2}?by (?:the )?(?:summer|spring|autumn|fall|winter|end of (?:the|this|next) \w+|year-end"
    r"|next (?:year|month|spring|summer))\b",
    re.I,
)
_KILLED_WORD = re.compile(r"(?<![\w])(killed|wounded)(?![\w])", re.I)
# the total a figure brings names its own category: "bringing the total personnel loss since the invasion to"
_PEOPLE_TOTAL = re.compile(
    r"(?<![\w])(?:total|overall)\s+(?:number of\s+)?(?:personnel|troops?|manpower|soldiers)(?![\w])[^.;]{0,60}$", re.I
)


# --------------------------------------------------------------------------- exclusions


# a list's header about something other than an army's losses: a strike's victims, aid, shoot-downs, a swap
OFF_TOPIC_HEADER = re.compile(
    r"(?<![\w])(?:(?:strikes?|attacks?|shelling|bombing)\s+(?:on|in|against)|civilians?|residents|governor|mayor|aid"
    r"|packages?|deliver\w*|pledged|supplied|approved|donat\w+|shot down|intercept\w*|air force|prisoners?"
    r"|exchange|swap|returned home|обстріл\w*|цивільн\w*|полонен\w*|обмін\w*|збит\w*|допомог\w*|attacc\w+"
    r"|civili|aiuti|abbattut\w*|prigionier\w*|scambio)(?![\w])",
    re.I,
)


def excluded(st: State, se: Sent, c: Candidate) -> bool:
    """Civilians, an average rate, or a figure in a sentence that is not about losses."""
    norm, s, p = st.norm, se.p.s, se.p
    window = norm[max(s.start, c.start - 60) : min(s.end, c.end + 30)]
    civil = [
        m
        for m in _CIVILIAN.finditer(window)
        if not (_PEOPLE_PLAIN.fullmatch(m.group()) and (c.label_first or military_people(norm, s, c.start)))
    ]
    if civil and c.kind in lx.PEOPLE_KINDS + ("inherit",) or side_story(norm, s.start, s.end):
        return True
    if st.off_topic_list and (se.in_list or c.label_first or c.start - s.start <= 3):
        return True  # a list under "Casualties of the strike on Kharkiv:", "Aid packages approved:", "shot down:"
    group = next(((a, b) for a, b in p.groups if a <= c.start < b), (s.start, s.end))
    if c.kind != "pow" and prisoner_swap(norm, s.start, s.end):
        return True  # "205 soldiers brought home in the latest prisoner exchange": not losses
    if _BOTH.search(norm, group[0], c.start) or _COMBINED.search(norm, max(s.start, c.start - 30), c.start):
        return True  # "Russia and Ukraine collectively lost one million", "a combined total of 124 armored ..."
    after = norm.find(",", c.end, s.end)
    if _AVERAGE.search(norm, max(s.start, c.start - 40), min(s.end, c.end + 25, after if after >= 0 else s.end)):
        return True  # "an average of 1,000 casualties a day" is a rate, not a count
    if c.kind in ("drones", "cruise_missiles") and c.bracket is None and _SHOT_DOWN.search(norm, group[0], c.start):
        return True  # "air defences had shot down 214 drones": launched at the one who counts them, not lost
    if c.kind in ("drones", "cruise_missiles") and c.bracket is None and _LAUNCHED.search(norm, group[0], c.start):
        return True  # "Russia also launched 27 cruise missiles and dozens of drones at Kyiv's power plants": an attack
    if c.kind in ("wounded", "killed", "killed_wounded") and _STRIKE.search(norm, s.start, s.end):
        if not military_people(norm, s, c.start):
            return True  # "Russian strike damages Odesa port infrastructure, three injured": civilians
    if _DOWNED_AFTER.match(norm, c.end, s.end) and not _BRINGING.search(norm, c.end, s.end):
        # ... unless the sentence brings the count: "Two cruise missiles were downed, bringing the count to 2,199"
        return True  # "launched 180 drones, of which 152 were downed": weapons launched and shot down, not losses
    if _FORECAST.match(norm, c.end, s.end):
        return True  # "likely to exceed 1,000,000 by the summer": a projection, not a count
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
    if c.kind in lx.PEOPLE_KINDS or c.inherit or st.prev_claim is None:
        return False
    if se.p.not_loss_only and not _downed_in_label(st, se, c):
        return False
    if any(q.entity != st.prev_claim.entity for q in se.p.cues):
        return False  # only the claimant of the figures before goes on: "Kyiv's military also counted 1,254 tanks"
    if se.p.s.index - st.prev_claim.sentence > 2:
        return False
    labelled = c.label_first or noun_after(st.norm, c.start, c.number.start)[0] == c.kind
    gap = se.p.s.index - st.prev_claim.sentence
    between = st.prev_info is not None and short_list_item(st.norm[st.prev_info.s.start : st.prev_info.s.end])
    if labelled and (gap == 1 or gap == 2 and c.label_first and between):
        # "Carri armati: 10.431.", "I droni abbattuti nell'ultimo giorno sono 2.120." after the figures (past an item
        # of a label the lexicon does not know: "Missili balistici: 12")
        return True
    return bool(
        REPORT_NOUN.search(st.norm, se.p.s.start, se.p.s.end)
        or ALSO.search(st.norm, se.p.s.start, se.p.s.end)  # "It said 27 artillery systems had also been hit"
        # "Kyiv's totals now include 6,757 tanks", "Quanto ai droni, il totale è di 49.767"
        or _TOTALS.search(st.norm, se.p.s.start, c.number.start)
        or _SAME_SOURCE.search(st.norm, se.p.s.start, c.number.start)  # "For Ukraine, the same site lists 1,388 tanks"
    )


def _downed_in_label(st: State, se: Sent, c: Candidate) -> bool:
    """ "Il bollettino indica anche 2.627 droni abbattuti", "The number of Russian drones downed reached 18,798": the
    shoot-down word is the participle of the figure's own label (the count's name), not a verb of the day's air
    defence ("shot down 152 drones", "152 were downed")."""
    hits = list(_NOT_LOSS_WORD.finditer(st.norm, se.p.s.start, se.p.s.end))
    return bool(hits) and all(c.start <= m.start() <= c.end + 2 for m in hits)


# --------------------------------------------------------------------------- claimant, category, subject


def claimant_of(st: State, se: Sent, c: Candidate) -> tuple[Cue | None, str | None, str | None]:
    cue, _ = nearest(se.p.cues, c.start, lambda x: x.start, lambda x: x.end)
    if cue is not None:
        return cue, cue.claimant, cue.entity
    after = st.said_after.get(se.p.s.index)
    if after is not None:
        return None, after.claimant, after.entity
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
        if c.bringing and _PEOPLE_TOTAL.search(st.norm, max(se.p.s.start, c.start - 90), c.start):
            return "people", people_category(claimant, "people", None)
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


def _noun_kind(norm: str, pos: int, end: int) -> str | None:
    """The category of an equipment noun right after ``pos`` ("Russian| cruise missiles destroyed"), if any."""
    kind, _end, _subject = noun_after(norm, pos, end)
    return kind if kind not in lx.PEOPLE_KINDS else "people"


def _subject_named(st: State, se: Sent, c: Candidate) -> str | None:
    p, norm = se.p, st.norm
    subs = [
        x for x in p.subjects if x[1] <= c.start and not any(o.start <= x[0] < o.end for o in se.cands if o is not c)
    ]
    if subs:
        near = max(subs, key=lambda x: x[1])
        subject = near[2]
        agent = _AGENT.match(norm, near[1], c.start)
        if agent and _noun_kind(norm, near[1], agent.end()) not in (None, "people"):
            agent = None  # "the count of Russian cruise missiles destroyed grew by 20": the things destroyed, passive
        if subject in lx.SUBJECTS and (agent or _BY_AGENT.search(norm, max(p.s.start, near[0] - 40), near[0])):
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
    if subject is None and claimant in _OWN_SIDE and _ITS_OWN.search(st.norm, c.start, c.end):
        subject = _OWN_SIDE[claimant]  # Moscow "said 5,937 of its soldiers had been killed": its own side
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
        subject in (None, "ru_forces")
        and claimant == "ru_defense_ministry"
        and any(_ENEMY.search(st.norm, max(se.p.s.start, c.start - 80), end) for end in (c.start, c.end))
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
