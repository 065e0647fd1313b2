"""Stage: sentences and clauses, and what each sentence says besides its numbers.

For every sentence (a line, a list item, a sentence of prose: :func:`etl.news.text.sentences`) this
finds its claimant cues ("the General Staff", "according to NATO"), its subject cues ("Russia has lost",
"Ukrainian casualties"), its measure markers ("over the past day", "since February 3"), the dates it
states for a report, and its clauses (:func:`clauses`: cut at "while", ";", "including", "of which" ...).
A claimant cue is bound to its sentence; :mod:`etl.news.bind` carries it to later sentences only
through reported speech ("the ministry said", "according to the report").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news.lexicon_nouns import NOUNS
from etl.news.text import Sentence

_CUES = lx.compile_table(lx.CLAIMANT_CUES)
_NOT_ATTR = re.compile(lx.NOT_ATTRIBUTION, re.I)
# "the Ukrainian Armed Forces were losing 30 thousand": the army named as the side that lost is no claimant
_LOSSES_OF = re.compile(r"(?:losses|втрати|perdite) (?:of|di|delle|dell'|degli) (?:the )?$", re.I)
_LOSER_AFTER = re.compile(
    r"\s+(?:(?:were |was |had |have |has )?(?:already )?(?:lost|losing|loses|suffered)"
    r"|(?:abbia|ha|hanno|avrebbe|avrebbero|aveva) (?:già )?perso|perde|perdono)\b",
    re.I,
)
# "eliminated over 220 Ukrainian military personnel", "sono stati uccisi 300 militari dell'esercito ucraino": the army
# counted right after a figure is what was lost, not who counts
_COUNTED_BEFORE = re.compile(
    r"(?<![\w.,])\d[\d,.' ]*(?:\s+(?:thousand|тисяч\w*|mila))?\s+(?:more\s+|other\s+|militari\s+dell[a']\s*)?$", re.I
)
# "fonti della Nato al Wall Street Journal", "officials told the New York Times": the outlet told is no claimant
_TOLD = re.compile(r"(?:\btold|\bal|\balla|\ballo)\s+(?:the\s+)?$", re.I)
_SUBJECTS = lx.compile_table(lx.SUBJECT_CUES)
_SUBJECT_MASKS = re.compile(lx.SUBJECT_MASKS, re.I)
_LOSS = re.compile(r"(?<![\w])(?:" + lx.LOSS_TRIGGERS + r")(?![\w])", re.I)
_NOT_LOSS = re.compile(r"(?<![\w])(?:" + lx.NOT_LOSS + r")(?![\w])", re.I)
_GROUND_CATEGORIES = ("tanks", "armored_vehicles", "artillery", "aircraft", "helicopters")
# equipment a shoot-down verb takes out of a side's count (not the drones and missiles launched at the other):
# the lexicon's nouns of these categories
_GROUND = re.compile(
    r"(?<![\w])(?:" + "|".join(pattern for pattern, code in NOUNS if code in _GROUND_CATEGORIES) + r")(?![\w])", re.I
)
_MARKERS = [
    (re.compile(r"(?<![\w'])(?:" + p + r")(?![\w])", re.I), kind)
    for p, kind in (
        (lx.DAILY, "daily"),
        (lx.PERIOD_SAME, "period_same"),
        (lx.PERIOD_YEAR, "period_year"),
        (lx.PERIOD_MONTH, "period_month"),
        (lx.PERIOD_VAGUE, "period_vague"),
        (lx.CUMULATIVE, "cumulative"),
    )
]
_GROUP_SPLIT = re.compile(lx.GROUP_SPLIT, re.I)
_INHERIT_WORD = re.compile(
    r"including|of which|of whom|of them|of those|among them|з них|із них|у тому числі|зокрема"
    r"|di cui|dei quali|delle quali|з яких|із яких",
    re.I,
)
_MONTH_WORD = "|".join(dates_mod.MONTHS_UK_GEN + dates_mod.MONTHS_EN + dates_mod.MONTHS_IT)
_START_BEFORE = re.compile(
    # "more than 6,600 since the start of its incursion on Aug. 6": the incursion's start opens the period
    r"(?:since the (?:start|beginning|launch) of (?:its|the|their|Ukraine's|Kyiv's) [\w-]+(?: [\w-]+)?,? on"
    # "dall'inizio dell'incursione, il 6 agosto", "з початку операції 6 серпня": the incursion's day opens the period
    r"|dall'inizio dell'(?:incursione|offensiva|operazione)(?: [\w-]+){0,3},?(?: il| del)?"
    r"|з початку (?:операції|наступу|вторгнення)(?: [\w'-]+){0,3},?"
    # "since the start of 2025", "з початку 2025 року", "dall'inizio del 2025": a year's start opens the period
    r"|(?:since|from) the (?:start|beginning) of|з початку|dall'inizio del(?:l')?"
    r"|since|from|starting|з|із|від|dal|dall'|da|dai|tra|between)\s+"
    rf"(?:the\s+|mid-?|early\s+|late\s+)?(?:[a-z]+day\s+|(?:{_MONTH_WORD})\s+)?$"
)
_END_BEFORE = re.compile(r"(?:to|through|until|till|and|по|до|al|e|a)\s+$")
_MONTH_BEFORE = re.compile(
    r"(?:in|throughout|during|for|over|(?:over|in) the course of|у|в|протягом|упродовж|a|nel|nel mese di"
    r"|nel corso di)\s+$"
)
# "Shoigu declared that, in November, Kiev's losses amounted to ...": a month inside the words reported is the
# month counted, not the day of the report
_SAID_THAT = re.compile(
    r"(?<![\w])(?:said|says|declared|stated|claimed|announced|reported|added|noted|заявив|повідомив|сказав|ha detto"
    r"|ha dichiarato|ha affermato|ha riferito)(?:\s+[\w.]+){0,3}?\s*,?\s*(?:that|що|che)\s*,?\s*$",
    re.I,
)


def start_across_comma(norm: str, start: int) -> bool:
    """ "dall'inizio dell'incursione, il 6 agosto": the words that open a period run across a comma to its day."""
    m = _START_BEFORE.search(norm[max(0, start - 80) : start])
    return bool(m and "," in m.group())


@dataclass
class Cue:
    start: int
    end: int
    claimant: str
    entity: str = ""  # the claimant, or for "other" the name itself: Oryx and Mediazona are not one source


@dataclass
class Marker:
    start: int
    end: int
    kind: str  # daily, period_*, cumulative, start, period_month_mention
    mention: dates_mod.DateMention | None = None


@dataclass
class SentenceInfo:
    s: Sentence
    cues: list[Cue]
    subjects: list[tuple[int, int, str]]
    markers: list[Marker]
    report_dates: list[dates_mod.DateMention]
    groups: list[tuple[int, int]]
    loss: bool
    not_loss_only: bool
    attribution_blocked: bool


def find_all(table, text: str, offset: int) -> list[tuple[int, int, str]]:
    out = []
    for rx, meaning in table:
        for m in rx.finditer(text):
            if m.end() > m.start():
                out.append((m.start() + offset, m.end() + offset, meaning))
    return out


def non_overlapping(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep earlier-listed (higher priority) and longer matches over the ones they overlap."""
    kept: list[tuple[int, int, str]] = []
    for a, b, m in found:  # already in priority order
        if any(a < e and s < b for s, e, _ in kept):
            continue
        kept.append((a, b, m))
    return sorted(kept)


def claimant_cues(norm: str, s: Sentence) -> tuple[list[Cue], bool]:
    """The claimant cues of a sentence, and whether it names someone who is not a claimant."""
    text = norm[s.start : s.end]
    kept = non_overlapping(find_all(_CUES, text, s.start))
    blocked = bool(_NOT_ATTR.search(text))
    cues = []
    for a, b, c in kept:
        if (
            c == "ua_general_staff"
            and (
                _LOSER_AFTER.match(norm, b, s.end)
                or _LOSSES_OF.search(norm, s.start, a)
                or _COUNTED_BEFORE.search(norm, max(s.start, a - 30), a)
            )
            and not re.search(r"general staff|генштаб|stato maggiore", norm[a:b], re.I)
        ):
            continue
        if blocked and [m for m in _NOT_ATTR.finditer(text) if abs(m.start() + s.start - a) < 80]:
            continue
        if c == "other" and _TOLD.search(norm, max(s.start, a - 12), a):
            continue
        name = re.sub(r"^(?:the|according to)\s+", "", norm[a:b].strip().lower())
        cues.append(Cue(a, b, c, c if c != "other" else "other:" + name.split()[0] if name else "other"))
    return cues, blocked


def subject_cues(norm: str, s: Sentence, cues: list[Cue]) -> list[tuple[int, int, str]]:
    text = norm[s.start : s.end]
    masks = [(c.start, c.end) for c in cues]
    masks += [(m.start() + s.start, m.end() + s.start) for m in _SUBJECT_MASKS.finditer(text)]
    out = []
    for a, b, subj in non_overlapping(find_all(_SUBJECTS, text, s.start)):
        if any(a < e and st < b for st, e in masks):
            continue
        out.append((a, b, subj))
    return out


def _is_war_start(d: dates_mod.DateMention) -> bool:
    if d.kind == "date":
        return d.month == 2 and d.day == 24 and d.year in (None, 2022)
    if d.kind == "month":
        return d.month == 2 and d.year == 2022
    if d.kind == "year":
        return d.year == 2022
    return False


_WHEN_SAID = re.compile(
    # "since February, when President Volodymyr Zelensky put the number ... at 31,000": a name of up to four words
    r",?\s+(?:when|at which time|at that time)\s+(?:it|he|she|they|the \w+|Moscow|Russia|Kyiv"
    r"|(?:(?-i:[A-Z])[\w.'-]+\s+){1,4}?)\s*(?:said|reported|announced|acknowledged|admitted|put|gave|claimed)\b"
    # "non aggiorna le sue cifre da marzo, quando parlò di 1.351 caduti"
    r"|,?\s+quando\s+(?:(?:il ministero|Mosca|il Cremlino|Kiev)\s+)?(?:parlò|disse|riferì|indicò|comunicò|dichiarò"
    r"|ammise|aveva parlato|ha parlato)\b",
    re.I,
)


# "..., Zelensky said this month", "as the ministry put it last month": a month said of the report
_SAID_AFTER_FIGURE = re.compile(
    r"(?<![\w])(?:" + lx.REPORT_VERBS + r"|claimed|estimated|put it|wrote|told|added|noted|заявив|заявила|ha detto"
    r"|ha dichiarato)\b[^.;]{0,25}$",
    re.I,
)
_LAUNCHED = re.compile(
    r"(?:launched|began|started|invaded|invasion|вторгл\w*|вторгнення|почал\w*|invasione|invaso|iniziat\w*)\b[^.;]{0,40}"
    r"(?:in|у|в|a|nel)\s+$",
    re.I,
)
# "In February, Russia lost 35,000 troops": the month's losses follow it, with no one saying them in between
_LOST_NEXT = re.compile(
    r",?\s*(?:(?:Russia|Ukraine|Moscow|Kyiv|the enemy|Russian forces|Ukrainian forces|росія|ворог|la Russia|l'Ucraina)"
    r"(?:'s)?\s+)?(?:lost|has lost|had lost|losses (?:reached|totalled|totaled|stood at|were)|втратил\w*|ha perso"
    r"|perse)\b",
    re.I,
)
_AS_OF = re.compile(r"(?<![\w])(?:as of|as at|станом на|на ранок|aggiornat[oi] al|al giorno)\s+$", re.I)
_OF_REPORT = re.compile(r"\s*(?:\d{4}\s+)?(?:bulletin|report|update|briefing|бюлетен\w*|звіт\w*|зведенн\w*)\b", re.I)
_SAID_BEFORE = re.compile(r"(?<![\w])(?:" + lx.SAID_VERBS + r"|claimed)\s+(?:on\s+)?$", re.I)


def _date_role(
    norm: str, s: Sentence, d: dates_mod.DateMention, prev_role: str | None, first_number: int | None
) -> str:
    pre = norm[max(s.start, d.start - 40) : d.start].lower()
    role = "report"
    if _SAID_BEFORE.search(pre) and d.kind in ("date", "weekday"):
        return "report"  # "the General Staff said on Feb. 24 that ...": the day of the report, not the war's start
    if _WHEN_SAID.match(norm, d.end, s.end):
        # "since September 2022, when it said 5,937 ...", "in September 2022, at which time it reported"
        role = "report"
    elif _START_BEFORE.search(pre) or d.opens:
        role = "start"
    elif prev_role == "start" and _END_BEFORE.search(pre):
        role = "report"
    elif (
        d.kind in ("month", "year")
        and _MONTH_BEFORE.search(pre)
        and first_number is not None
        and (
            first_number < d.start
            or d.kind == "month"
            and (
                bool(_SAID_THAT.search(pre[: _MONTH_BEFORE.search(pre).start()]))
                or bool(_LOST_NEXT.match(norm, d.end, min(first_number, s.end)))
            )
        )
    ):
        role = "period_month"
    elif (
        d.month_offset is not None
        and first_number is not None
        and first_number < d.start
        and not _SAID_AFTER_FIGURE.search(pre)
    ):
        role = "period_month"  # "Kiev lost over 8,300 troops last month": the month counted, not the report's
    if _AS_OF.search(pre) or _OF_REPORT.match(norm, d.end, s.end):
        return "report"  # "as of Feb. 24", "станом на 24 лютого", "the Feb. 24 bulletin": a report's day, whatever day
    if _is_war_start(d) and role != "report" or (_is_war_start(d) and d.kind == "date"):
        role = "war_start"
    elif d.kind == "month" and d.month == 2 and d.year is None and _LAUNCHED.search(pre):
        role = "war_start"  # "since Moscow launched its military operation in February"
    return role


def classify_dates(
    norm: str, s: Sentence, mentions: list[dates_mod.DateMention], first_number: int | None
) -> tuple[list[Marker], list[dates_mod.DateMention]]:
    """A sentence's dates: the start of a period, a month counted over, the war's start, or a report day."""
    markers, report = [], []
    prev_role = None
    kinds = {"start": "start", "period_month": "period_month_mention", "war_start": "cumulative"}
    for d in mentions:
        role = _date_role(norm, s, d, prev_role, first_number)
        prev_role = role
        if role in kinds:
            markers.append(Marker(d.start, d.end, kinds[role], d))
        else:
            report.append(d)
    return markers, report


def clauses(norm: str, s: Sentence) -> list[tuple[int, int]]:
    """The clauses of a sentence: spans cut at the clause words of :data:`lexicon.GROUP_SPLIT`."""
    cuts = [s.start]
    for m in _GROUP_SPLIT.finditer(norm, s.start, s.end):
        cuts.append(m.start())
        if _INHERIT_WORD.search(norm, m.start(), min(s.end, m.end() + 30)):
            # "of which 1,180 in the past day, and 28 ships": the part figure ends at the next comma
            nxt = re.compile(r"[,;](?!\d)").search(norm, m.end(), s.end)
            if nxt:
                cuts.append(nxt.start())
    cuts.append(s.end)
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


# "(change over the past day in brackets)", "у дужках - за минулу добу", "tra parentesi le ultime 24 ore": words
# that say what the brackets hold describe the bracketed increases, not the list's own figures
_BRACKET_WORD = re.compile(r"(?<![\w])(?:brackets?|parenthes[ie]s|дужк\w*|parentes[ie])(?![\w])", re.I)
_NOTE_EDGE = re.compile(r"[,;:()]")


def format_notes(norm: str, s: Sentence) -> list[tuple[int, int]]:
    """The spans of a sentence that describe the list's format ("change over the past day in brackets")."""
    out = []
    for m in _BRACKET_WORD.finditer(norm, s.start, s.end):
        before = [e.end() for e in _NOTE_EDGE.finditer(norm, s.start, m.start())]
        after = _NOTE_EDGE.search(norm, m.end(), s.end)
        out.append((before[-1] if before else s.start, after.start() if after else s.end))
    return out


def measure_markers(
    norm: str, s: Sentence, date_markers: list[Marker], brackets: list[tuple[int, int]]
) -> list[Marker]:
    """The cue words of how a figure counts ("over the past day", "since ...", "in total"), in order."""
    markers = date_markers[:]
    for rx, kind in _MARKERS:
        for m in rx.finditer(norm, s.start, s.end):
            if not any(
                m.start() < mk.end and mk.start < m.end()
                for mk in markers
                if mk.kind == "cumulative" and mk.mention is None
            ):
                markers.append(Marker(m.start(), m.end(), kind))
    notes = format_notes(norm, s)
    markers = [mk for mk in markers if not any(a <= mk.start and mk.end <= b for a, b in brackets + notes)]
    markers.sort(key=lambda mk: mk.start)
    return markers


def _in_brackets(norm: str, s: Sentence, pos: int) -> bool:
    before = norm[s.start : pos]
    return before.rfind("(") > before.rfind(")")


def analyse(
    norm: str,
    s: Sentence,
    all_dates: list[dates_mod.DateMention],
    first_number: int | None,
    brackets: list[tuple[int, int]],
) -> SentenceInfo:
    """Everything :mod:`etl.news.bind` needs to know about one sentence besides its figures."""
    stext = norm[s.start : s.end]
    cues, blocked = claimant_cues(norm, s)
    dms = [d for d in all_dates if s.start <= d.start and d.end <= s.end]
    date_markers, report = classify_dates(norm, s, dms, first_number)
    markers = measure_markers(norm, s, date_markers, brackets)
    report = [
        d
        for d in report
        if not any(d.start < mk.end and mk.start < d.end for mk in markers) and not _in_brackets(norm, s, d.start)
    ]  # "(14 solo ieri)" dates its figure, not the report
    loss_hits = [m for m in _LOSS.finditer(stext) if not any(c.start <= m.start() + s.start < c.end for c in cues)]
    not_loss = bool(_NOT_LOSS.search(stext))
    if not_loss and _GROUND.search(stext):
        # "l'esercito ucraino ha comunicato che sono stati abbattuti 1.594 carri armati": Russia's losses
        loss_hits, not_loss = [_NOT_LOSS.search(stext)], False
    return SentenceInfo(
        s,
        cues,
        subject_cues(norm, s, cues),
        markers,
        report,
        clauses(norm, s),
        bool(loss_hits),
        not_loss and not loss_hits,
        blocked,
    )
