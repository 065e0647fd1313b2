"""The claims extractor: article text in, loss claims out (English, Ukrainian, Italian).

    claims = extract(text, published=date(2024, 7, 28), series=series)
    [c.to_json() for c in claims]

A claim is one figure one claimant put on one side's losses: who claims it (``claimant``), whose losses
(``subject``), what (``category``: a bulletin category code, or ``killed`` / ``wounded`` /
``casualties_total``), how it counts (``measure``: ``cumulative``, ``daily_increase``,
``period_increase`` from ``period_start``, or ``estimate_range`` with ``low``/``high``), its
``qualifier`` (``about``, ``more_than``, ``up_to``), the day it is reported for (``as_of``, with
``as_of_precision`` and ``date_method``: ``explicit``, ``weekday``, ``relative``, ``series_match`` or
``unresolved``), and the evidence ``span`` (character offsets into the text given).

How (docs/news.md has the long form):

1. The text is split into sentences; number mentions, date mentions, claimant cues ("the General
   Staff", "NATO", "Russia's Defense Ministry" ...), subject cues ("Russia has lost", "Ukrainian
   casualties") and measure markers ("over the past day", "since February 3", "since the beginning of
   the invasion") are found in each.
2. A number is a claim when a category word follows it ("574,690 troops", "one submarine"), a
   category label precedes it ("tanks - 8,344 (+5)", "casualties to 439,190") or it says what happened
   ("1,351 servicemen have died"), its sentence speaks of losses, and nothing marks it as someone
   else's (civilians, another war).  A bracketed "(+N)" after a total is the day's increase.
3. A claim takes the nearest claimant cue of its sentence, else that of the sentences before it; the
   nearest subject cue, else the claimant's usual subject; the measure marker of its clause.
4. Dates: a date the sentence states for the report; else the date its claimant's report was given
   earlier in the text; then ``explicit`` dates and ``weekday``/``relative`` ones (counted back from the
   publication date) are resolved; General Staff figures still undated are matched against the
   bulletin series (``series_match``: the one day whose accepted cumulative values equal them); a
   series-matched day then also anchors the article's other weekdays when it has no publication date.
5. The same figure said twice (headline and body, "more than 20,000" and "20,180") is one claim.

A figure that cannot be read (",000", "57469O") is still a claim, with ``status`` ``unparseable``, no
value and the ``problem``: it is reported, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from etl.categories import MERGE_DAY
from etl.news import dates as dates_mod
from etl.news import lexicon as lx
from etl.news import numbers as numbers_mod
from etl.news.text import Sentence, fold, sentences

EXTRACTOR_VERSION = "news-claims/1"

_NOUNS = lx.compile_table(lx.NOUNS)
_MODIFIER = re.compile(r"(?:" + lx.MODIFIERS + r")\s+", re.I)
_MOD_SUBJECT = [(re.compile(r"^(?:" + p + r")\b", re.I), s) for p, s in lx.MODIFIER_SUBJECT]
_VERB_AFTER = [(re.compile(r"\s*(?:of them\s+|of those\s+|з них\s+)?(?:" + p + r")(?![\w])", re.I), k)
               for p, k in lx.VERB_AFTER]
_QUAL_BEFORE = [(re.compile(r"(?<![\w'])(?:" + p + r")\s*$", re.I), q) for p, q in lx.QUALIFIER_BEFORE]
_QUAL_AFTER = [(re.compile(r"^\s*(?:" + p + r")", re.I), q) for p, q in lx.QUALIFIER_AFTER]
_CUES = lx.compile_table(lx.CLAIMANT_CUES)
_NOT_ATTR = re.compile(lx.NOT_ATTRIBUTION, re.I)
_SUBJECTS = lx.compile_table(lx.SUBJECT_CUES)
_SUBJECT_MASKS = re.compile(lx.SUBJECT_MASKS, re.I)
_CIVILIAN = re.compile(r"(?<![\w])(?:" + lx.CIVILIAN + r")(?![\w])", re.I)
_LOSS = re.compile(r"(?<![\w])(?:" + lx.LOSS_TRIGGERS + r")(?![\w])", re.I)
_NOT_LOSS = re.compile(r"(?<![\w])(?:" + lx.NOT_LOSS + r")(?![\w])", re.I)
_MARKERS = [(re.compile(r"(?<![\w'])(?:" + p + r")(?![\w])", re.I), kind) for p, kind in (
    (lx.DAILY, "daily"), (lx.PERIOD_SAME, "period_same"), (lx.PERIOD_YEAR, "period_year"),
    (lx.PERIOD_MONTH, "period_month"), (lx.PERIOD_VAGUE, "period_vague"), (lx.CUMULATIVE, "cumulative"))]
_GROUP_SPLIT = re.compile(lx.GROUP_SPLIT, re.I)
_BRINGING = re.compile(lx.BRINGING_TOTAL, re.I)
_INHERIT_BEFORE = re.compile(lx.INHERIT_BEFORE, re.I)
_CURRENCY = re.compile(lx.CURRENCY_BEFORE, re.I)
_NOT_COUNT = re.compile(lx.NOT_COUNT_AFTER, re.I)
_RANGE_CONN = re.compile(lx.RANGE_CONNECTOR, re.I)
_RANGE_BEFORE = re.compile(lx.RANGE_BEFORE, re.I)
_RISE_BEFORE = re.compile(lx.RISE_BEFORE, re.I)
_LABEL_TAIL = re.compile(lx.LABEL_TAIL, re.I)
_AVERAGE = re.compile(r"(?<![\w])(?:" + lx.AVERAGE + r")(?![\w])", re.I)
_INCREASE_BEFORE = re.compile(lx.INCREASE_BEFORE, re.I)
_REGIONAL_AFTER = re.compile(lx.REGIONAL_AFTER, re.I)
_KILLED_BEFORE = re.compile(lx.KILLED_BEFORE, re.I)
_DATELINE = re.compile(lx.DATELINE)
_INHERIT_WORD = re.compile(r"including|of which|of whom|of them|of those|among them|з них|із них|у тому числі|зокрема"
                           r"|di cui", re.I)
_REPORT_NOUN = re.compile(r"(?<![\w])(?:" + lx.REPORT_NOUNS + r")(?![\w])", re.I)
# the side named right before a destroy verb did the destroying: "Ukrainian forces destroyed three tanks"
_AGENT = re.compile(r"\s+(?:[\w'-]+\s+){0,2}?(?:also\s+)?(?:" + lx.DESTROY_VERBS + r")(?![\w])", re.I)
_BRINGING_PRE = re.compile(r"(?:bring\w*|brought|push\w*|rais\w*|tak\w+|putting|put|lift\w*)\s+(?:[\w']+\s+){0,3}(?:total|tally|toll|count"
                           r"|losses|casualties)\b"
                           r"[^.;]{0,90}?\b(?:to|at)\s*$|(?:total|tally|toll|count)\s+(?:now\s+)?(?:stands at|stood at|reached"
                           r"|rose to|climbed to)\s*$", re.I)
_BRACKET = re.compile(r"\s*\(\s*(?:\+\s*|up\s+|plus\s+)?(?=\d)")
_LABEL_SEP = re.compile(
    r"(?:\s*[-:=]\s*|\s+(?:to|at|of|(?:had |have |has )?(?:reached|risen to|rose to|climbed to)"
    r"|(?:probably |likely |now )?(?:stand|stands|stood) at|totals?|totall?ed|was|were|is|are|numbered|склали"
    r"|становлять|становить|сягнули|ammontano a|ammonta a|sono|a|pari a|hanno raggiunto)\s+|\s+)$", re.I)
_FOLLOWERS = {
    "since", "in", "over", "on", "as", "during", "according", "and", "with", "from", "by", "per", "until", "this",
    "so", "at", "after", "for", "of", "the", "persons", "people", "units", "pcs", "од", "осіб", "одиниць", "з", "за",
    "у", "в", "на", "станом", "та", "і", "й", "dal", "dall", "nelle", "nel", "in", "e", "secondo", "a", "ha", "have",
    "has", "had", "while", "but", "or", "said", "says", "reported", "including", "of", "than", "now", "yesterday",
    "today", "only", "just", "according", "compared", "up",
}
_PEOPLE_FAMILY = {"personnel", "killed", "casualties_total"}


# --------------------------------------------------------------------------- data

@dataclass
class DateSpec:
    """The day a report is given for, as the text states it; shared by the claims of that report."""

    mention: dates_mod.DateMention | None = None
    vague: bool = False
    resolved: date | None = None
    precision: str | None = None
    method: str = "unresolved"
    reference: str | None = None

    @property
    def text(self) -> str | None:
        return self.mention.text if self.mention else None


@dataclass
class PeriodSpec:
    kind: str  # mention, year, month, same, unknown
    mention: dates_mod.DateMention | None = None


@dataclass
class Claim:
    claimant: str
    subject: str
    category: str
    measure: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    period_start: date | None
    as_of: date | None
    as_of_precision: str | None
    date_method: str
    date_reference: str | None
    date_text: str | None
    span: tuple[int, int]
    evidence: str
    number_text: str
    status: str = "ok"  # ok | unparseable
    problem: str | None = None
    bulletin_value: int | None = None  # set by etl.news.compare
    comparison: str | None = None  # match, mismatch, consistent, no_series, not_compared
    # extractor internals
    kind: str = field(default="", repr=False)
    sentence: int = field(default=0, repr=False)
    date_spec: DateSpec | None = field(default=None, repr=False)
    period_spec: PeriodSpec | None = field(default=None, repr=False)
    own_date: bool = field(default=False, repr=False)
    rounded: bool = field(default=False, repr=False)
    measure_marked: bool = field(default=True, repr=False)
    entity: str = field(default="", repr=False)

    KEYS = ("claimant", "subject", "category", "measure", "value", "low", "high", "period_start", "qualifier",
            "as_of", "as_of_precision", "date_method", "date_reference", "date_text", "span", "evidence",
            "number_text", "status", "problem", "bulletin_value", "comparison")

    def to_json(self) -> dict:
        out = {}
        for key in self.KEYS:
            v = getattr(self, key)
            if isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = list(v)
            out[key] = v
        return out

    def key(self) -> tuple:
        return (self.claimant, self.subject, self.category, self.measure, self.value, self.low, self.high,
                self.period_start, self.as_of)


# --------------------------------------------------------------------------- per sentence

@dataclass
class _Cue:
    start: int
    end: int
    claimant: str
    entity: str = ""  # the claimant, or for "other" the name itself: Oryx and Mediazona are not one source


@dataclass
class _Marker:
    start: int
    end: int
    kind: str  # daily, period_*, cumulative, start, period_month_mention, war_start
    mention: dates_mod.DateMention | None = None


@dataclass
class _Sent:
    s: Sentence
    cues: list[_Cue]
    subjects: list[tuple[int, int, str]]
    markers: list[_Marker]
    report_dates: list[dates_mod.DateMention]
    groups: list[tuple[int, int]]
    loss: bool
    not_loss_only: bool
    attribution_blocked: bool


def _find_all(table, text: str, offset: int) -> list[tuple[int, int, str]]:
    out = []
    for rx, meaning in table:
        for m in rx.finditer(text):
            if m.end() > m.start():
                out.append((m.start() + offset, m.end() + offset, meaning))
    return out


def _non_overlapping(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep earlier-listed (higher priority) and longer matches over the ones they overlap."""
    kept: list[tuple[int, int, str]] = []
    for a, b, m in found:  # already in priority order
        if any(a < e and s < b for s, e, _ in kept):
            continue
        kept.append((a, b, m))
    return sorted(kept)


def _cues(norm: str, s: Sentence) -> tuple[list[_Cue], bool]:
    text = norm[s.start:s.end]
    kept = _non_overlapping(_find_all(_CUES, text, s.start))
    blocked = bool(_NOT_ATTR.search(text))
    cues = []
    for a, b, c in kept:
        if blocked:
            near = [m for m in _NOT_ATTR.finditer(text) if abs(m.start() + s.start - a) < 80]
            if near:
                continue
        name = re.sub(r"^(?:the|according to)\s+", "", norm[a:b].strip().lower())
        cues.append(_Cue(a, b, c, c if c != "other" else "other:" + name.split()[0] if name else "other"))
    return cues, blocked


def _subjects(norm: str, s: Sentence, cues: list[_Cue]) -> list[tuple[int, int, str]]:
    text = norm[s.start:s.end]
    masks = [(c.start, c.end) for c in cues]
    masks += [(m.start() + s.start, m.end() + s.start) for m in _SUBJECT_MASKS.finditer(text)]
    out = []
    for a, b, subj in _non_overlapping(_find_all(_SUBJECTS, text, s.start)):
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


def _classify_dates(norm: str, s: Sentence, mentions: list[dates_mod.DateMention],
                    first_number: int | None) -> tuple[list[_Marker], list[dates_mod.DateMention]]:
    markers, report = [], []
    prev_role = None
    for d in mentions:
        pre = norm[max(s.start, d.start - 40):d.start].lower()
        role = "report"
        if re.search(r"(?:since|from|starting|з|із|від|dal|dall'|da|dai|tra|between)\s+(?:the\s+|mid-?|early\s+|late\s+)?$", pre):
            role = "start"
        elif prev_role == "start" and re.search(r"(?:to|through|until|till|and|по|до|al|e|a)\s+$", pre):
            role = "report"
        elif d.kind == "month" and re.search(r"(?:in|throughout|during|for|over|у|в|a|nel|nel mese di)\s+$", pre) \
                and first_number is not None and first_number < d.start:
            role = "period_month"
        if _is_war_start(d) and role != "report" or (_is_war_start(d) and d.kind == "date"):
            role = "war_start"
        if role == "report" and d.kind == "vague" and d.text.lower() in ("at the time",):
            role = "same_as_previous"
        prev_role = role
        if role == "start":
            markers.append(_Marker(d.start, d.end, "start", d))
        elif role == "period_month":
            markers.append(_Marker(d.start, d.end, "period_month_mention", d))
        elif role == "war_start":
            markers.append(_Marker(d.start, d.end, "cumulative", d))
        else:
            report.append(d)
    return markers, report


def _groups(norm: str, s: Sentence) -> list[tuple[int, int]]:
    cuts = [s.start]
    for m in _GROUP_SPLIT.finditer(norm, s.start, s.end):
        cuts.append(m.start())
        if _INHERIT_WORD.search(m.group()):
            # "of which 1,180 in the past day, and 28 ships": the part figure ends at the next comma
            nxt = re.compile(r"[,;]").search(norm, m.end(), s.end)
            if nxt:
                cuts.append(nxt.start())
    cuts.append(s.end)
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


# --------------------------------------------------------------------------- candidates

@dataclass
class _Cand:
    start: int
    end: int
    value: int | None
    low: int | None
    high: int | None
    kind: str
    qualifier: str | None
    number: numbers_mod.NumberMention
    problem: str | None
    subject_hint: str | None = None
    verb_kind: str | None = None
    label_first: bool = False
    bracket: numbers_mod.NumberMention | None = None
    bracket_span: tuple[int, int] | None = None
    inherit: bool = False
    bringing: bool = False


def _match_noun(norm: str, pos: int, end: int) -> tuple[str, int] | None:
    best = None
    for rx, kind in _NOUNS:
        m = rx.match(norm, pos, end)
        if m and (best is None or m.end() > best[1]):
            best = (kind, m.end())
    return best


def _noun_after(norm: str, pos: int, end: int) -> tuple[str | None, int, str | None]:
    """(kind, end of the noun, subject named by a modifier) of the category noun after ``pos``."""
    p = pos
    while p < end and norm[p] == " ":
        p += 1
    subject = None
    for _ in range(3):
        hit = _match_noun(norm, p, end)
        if hit:
            kind, noun_end = hit
            # "tanks and other armoured vehicles": a label for two categories is not one category
            rest = norm[noun_end:end]
            mm = re.match(r"\s+(?:and|or|plus|та|і|e)\s+(?:other\s+)?", rest, re.I)
            if mm and _match_noun(norm, noun_end + mm.end(), end) and kind not in lx.PEOPLE_KINDS:
                return None, p, None
            # trailing adjective in Italian / Ukrainian: "soldati russi", "військових РФ"
            tail = re.match(r"\s+(russ[aoie]|ucrain[aoie]|рф|РФ|росії|України)\b", rest, re.I)
            if tail and subject is None:
                subject = "ru_forces" if tail.group(1).lower().startswith(("russ", "рф", "рос")) else "ua_forces"
            return kind, noun_end, subject
        m = _MODIFIER.match(norm, p, end)
        if not m:
            return None, p, None
        for rx, subj in _MOD_SUBJECT:
            if rx.match(m.group()):
                subject = subj
        p = m.end()
    return None, p, None


def _label_before(norm: str, start: int, sent_start: int, number_start: int) -> tuple[str | None, int, bool]:
    """(kind, label start, bulletin style) of a category label right before the number."""
    pre = norm[max(sent_start, start - 90):start]
    base = start - len(pre)
    sep = _LABEL_SEP.search(pre)
    if not sep:
        return None, start, False
    head = pre[:sep.start()]
    tail = _LABEL_TAIL.search(head)
    if tail and tail.start() < len(head):
        head = head[:tail.start()]
    bulletin = bool(re.search(r"[-:=]", sep.group()))
    best = None
    for rx, kind in _NOUNS:
        for m in rx.finditer(head):
            if m.end() == len(head) and (best is None or m.start() < best[1]):
                best = (kind, m.start())
    if best is None:
        return None, start, False
    kind, label_start = best
    if not bulletin and sep.group().strip() == "":
        return None, start, False  # "tanks 8344" without a dash is a list too loose to trust in prose
    return kind, base + label_start, bulletin


def _qualifier_before(norm: str, start: int, sent_start: int) -> tuple[str | None, int]:
    pre = norm[max(sent_start, start - 30):start]
    for rx, q in _QUAL_BEFORE:
        m = rx.search(pre)
        if m:
            return q, start - len(pre) + m.start()
    return None, start


def _qualifier_after(norm: str, end: int) -> tuple[str | None, int]:
    for rx, q in _QUAL_AFTER:
        m = rx.match(norm, end)
        if m:
            return q, end + m.end() - m.start()
    return None, end


def _follower_ok(norm: str, pos: int, end: int) -> bool:
    rest = norm[pos:end]
    m = re.match(r"\s*(?:\(\s*[+\d][^)]*\)\s*)?([^\W\d_]+)", rest)
    if not m:
        return True
    if rest[:m.start(1)].strip(" ") and re.match(r"\s*[,.;:)\-]", rest):
        return True
    return m.group(1).lower() in _FOLLOWERS


def _candidates(norm: str, s: Sentence, nums: list[numbers_mod.NumberMention]) -> list[_Cand]:
    out: list[_Cand] = []
    consumed: set[int] = set()
    for i, n in enumerate(nums):
        if i in consumed:
            continue
        pre = norm[max(s.start, n.start - 12):n.start]
        if _CURRENCY.search(pre) or _NOT_COUNT.match(norm, n.end, s.end):
            continue
        if n.start >= 1 and norm[n.start - 1] in "#№":
            continue
        if re.match(r"\s*(?::\d|[ap]\.?m\b)", norm[n.end:n.end + 6], re.I):
            continue  # a time: 3:55 AM
        low = high = None
        value = n.value
        anchor_end = n.end
        problem = n.problem
        # a range: 7,000 to 15,000 / 124,500-131,000 / between 7 and 15 thousand
        if i + 1 < len(nums):
            nxt = nums[i + 1]
            conn = norm[n.end:nxt.start]
            m = _RANGE_CONN.fullmatch(conn)
            if m and n.value is not None and nxt.value is not None:
                word = conn.strip().lower()
                before = norm[max(s.start, n.start - 40):n.start]
                ok = True
                if word in ("and", "e", "a", "або", "or") and not _RANGE_BEFORE.search(before):
                    ok = False  # "11 tanks and nine" is two figures; "between 7 and 15" is a range
                if _RISE_BEFORE.search(before):
                    ok = False  # "rose from 380,000 to 400,000" is a change, not an estimate
                lo, hi = n.value, nxt.value
                mult = re.search(r"thousand|тис|тисяч|mila|million|млн|мільйон|milion", nxt.text, re.I)
                if ok and mult and re.fullmatch(r"[\d.,' ]+", n.text):
                    factor = 1_000_000 if re.search(r"mil|млн|мільйон", mult.group(), re.I) else 1000
                    if lo * factor <= hi:
                        lo *= factor
                if ok and lo < hi:
                    low, high, value = lo, hi, None
                    anchor_end = nxt.end
                    consumed.add(i + 1)
        qual, qual_start = _qualifier_before(norm, n.start, s.start)
        qual_after, anchor_end2 = _qualifier_after(norm, anchor_end)
        if qual_after and not qual:
            qual = qual_after
        # a bracketed increase right after the number: (+1180) / (up 26)
        bracket = bracket_span = None
        after_num = anchor_end2
        bm = _BRACKET.match(norm, anchor_end2, s.end)
        if bm and low is None:
            for j in range(i + 1, min(i + 3, len(nums))):
                if nums[j].start == bm.end() or nums[j].start == bm.end() - 1 and norm[nums[j].start] == "+":
                    close = re.match(r"\s*(?:in a day|a day|за добу)?\s*\)", norm[nums[j].end:s.end], re.I)
                    if close:
                        bracket = nums[j]
                        bracket_span = (bm.start() + len(bm.group()) - len(bm.group().lstrip()),
                                        nums[j].end + close.end())
                        consumed.add(j)
                        after_num = bracket_span[1]
                    break
        elif low is None and (m0 := re.match(r"\s*\(\s*0\s*\)", norm[anchor_end2:s.end])):
            for j in range(i + 1, min(i + 2, len(nums))):
                if nums[j].start < anchor_end2 + m0.end():
                    bracket = nums[j]
                    bracket_span = (anchor_end2 + m0.start() + (len(m0.group()) - len(m0.group().lstrip())),
                                    anchor_end2 + m0.end())
                    consumed.add(j)
                    after_num = bracket_span[1]
        kind, noun_end, subj = _noun_after(norm, after_num, s.end)
        label_first = False
        start = min(qual_start, n.start)
        end = noun_end if kind else after_num
        verb_kind = None
        inherit = bringing = False
        lkind, lstart, bulletin = _label_before(norm, qual_start, s.start, n.start)
        if kind is not None and lkind is not None and bulletin and (
                lkind == kind or (kind in lx.PEOPLE_KINDS and lkind in lx.PEOPLE_KINDS)):
            label_first, start = True, lstart  # "особового складу - близько 878070 (+1350) осіб"
            kind = lkind
        if kind is None:
            if lkind and (bulletin or _follower_ok(norm, after_num, s.end)):
                kind, label_first = lkind, bulletin
                start = lstart
                end = after_num
                # a unit after a bulletin figure: "осіб", "од", "persons"
                um = re.match(r"\s*(?:осіб|од\.?|persons|units|pcs\.?)(?![\w])", norm[end:s.end], re.I)
                if um:
                    end += um.end()
        if kind is None:
            for rx, vk in _VERB_AFTER:
                m = rx.match(norm, after_num, s.end)
                if m:
                    kind, verb_kind = "people", vk
                    end = m.end()
                    break
        if kind is None:
            pre_long = norm[max(s.start, qual_start - 120):qual_start]
            if _INHERIT_BEFORE.search(pre_long[-50:]) or _INCREASE_BEFORE.search(pre_long[-20:]):
                if _REGIONAL_AFTER.search(norm[after_num:s.end]):
                    continue  # "including up to 600 in the Kursk region": a breakdown, not a total
                kind, inherit = "inherit", True
                end = after_num
            elif _BRINGING_PRE.search(pre_long):
                kind, inherit, bringing = "inherit", True, True
                end = after_num
        if kind is None:
            continue
        if kind in lx.PEOPLE_KINDS and verb_kind is None:
            for rx, vk in _VERB_AFTER:
                m = rx.match(norm, end, s.end)
                if m:
                    verb_kind = vk
                    break
            if verb_kind is None and kind == "people" and _KILLED_BEFORE.search(norm[max(s.start, n.start - 40):n.start]):
                verb_kind = "killed"
        if n.decimal and value is None and problem is None and low is None:
            problem = f"figure {n.text!r} is a fraction, not a count"
        out.append(_Cand(start, max(end, after_num), value, low, high, kind, qual, n, problem, subj, verb_kind,
                         label_first, bracket, bracket_span, inherit, bringing))
    return out


# --------------------------------------------------------------------------- the extractor

def _nearest(items, pos: int, key_start, key_end):
    before = [x for x in items if key_end(x) <= pos]
    if before:
        return max(before, key=key_end), "before"
    after = [x for x in items if key_start(x) >= pos]
    if after:
        return min(after, key=key_start), "after"
    return None, None


def _people_category(claimant: str, kind: str, verb_kind: str | None) -> str:
    k = verb_kind or kind
    if claimant == "ua_general_staff":
        return "wounded" if k == "wounded" else "personnel"
    if k == "killed":
        return "killed"
    if k == "wounded":
        return "wounded"
    return "casualties_total"


def _is_round(value: int | None) -> bool:
    return value is not None and value >= 100 and value % 100 == 0


def extract(text: str, *, published: date | None = None, series=None) -> list[Claim]:
    """The claims of ``text``; ``published`` is the article's publication day (Kyiv), ``series`` an
    :class:`etl.news.series.BulletinSeries` for dating undated General Staff figures."""
    norm = fold(text)
    sents = sentences(norm)
    all_dates = dates_mod.scan(norm)
    digit_date_spans = [(d.start, d.end) for d in all_dates if d.kind in ("date", "month", "year")]
    all_nums = numbers_mod.scan(norm, skip=digit_date_spans)

    prepared: list[_Sent] = []
    cand_by_sent: list[list[_Cand]] = []
    for s in sents:
        stext = norm[s.start:s.end]
        cues, blocked = _cues(norm, s)
        nums = [n for n in all_nums if s.start <= n.start and n.end <= s.end]
        cands = _candidates(norm, s, nums)
        first_number = cands[0].start if cands else None
        dms = [d for d in all_dates if s.start <= d.start and d.end <= s.end]
        date_markers, report = _classify_dates(norm, s, dms, first_number)
        markers = date_markers[:]
        for rx, kind in _MARKERS:
            for m in rx.finditer(norm, s.start, s.end):
                if not any(m.start() < mk.end and mk.start < m.end() for mk in markers if mk.kind == "cumulative"
                           and mk.mention is None):
                    markers.append(_Marker(m.start(), m.end(), kind))
        brackets = [c.bracket_span for c in cands if c.bracket_span]
        markers = [mk for mk in markers if not any(a <= mk.start and mk.end <= b for a, b in brackets)]
        markers.sort(key=lambda mk: mk.start)
        report = [d for d in report if not any(d.start < mk.end and mk.start < d.end for mk in markers)]
        loss_hits = [m for m in _LOSS.finditer(stext)
                     if not any(c.start <= m.start() + s.start < c.end for c in cues)]
        not_loss = bool(_NOT_LOSS.search(stext))
        prepared.append(_Sent(s, cues, _subjects(norm, s, cues), markers, report, _groups(norm, s),
                              bool(loss_hits), not_loss and not loss_hits, blocked))
        cand_by_sent.append(cands)

    claims: list[Claim] = []
    first = next((c for p in prepared for c in p.cues), None)
    first_cue, first_entity = (first.claimant, first.entity) if first else (None, None)
    ctx_claimant: str | None = None
    ctx_entity: str | None = None
    ctx_date: dict[str, DateSpec] = {}
    first_date: dict[str, DateSpec] = {}
    spec_cache: dict[int, DateSpec] = {}
    last_sentence_spec: DateSpec | None = None
    prev_period: PeriodSpec | None = None
    list_header: _Sent | None = None
    last_subject: dict[str, str] = {}
    last_measure: dict[str, str] = {}
    prev_claim: Claim | None = None

    def spec_for(d: dates_mod.DateMention) -> DateSpec:
        if d.start not in spec_cache:
            spec_cache[d.start] = DateSpec(mention=d, vague=d.kind == "vague")
        return spec_cache[d.start]

    for p, cands in zip(prepared, cand_by_sent):
        s = p.s
        # the sentence's own report dates, and which claimant they belong to
        sentence_spec: DateSpec | None = None
        if p.report_dates:
            if any(d.kind == "vague" and d.text.lower() == "at the time" for d in p.report_dates):
                sentence_spec = last_sentence_spec or DateSpec(vague=True)
            else:
                sentence_spec = spec_for(p.report_dates[0])
        def owner(d: dates_mod.DateMention) -> _Cue | None:
            """The claimant cue a date belongs to: the nearest one ("Russia on Friday said ..., NATO put ...")."""
            if not p.cues:
                return None
            return min(p.cues, key=lambda q: 0 if q.start <= d.start < q.end else
                       min(abs(d.start - q.end), abs(q.start - d.end)))

        for cue in p.cues:
            if p.report_dates and sentence_spec is not None:
                mine = [d for d in p.report_dates if owner(d) is cue]
                if sentence_spec.mention is None:
                    spec = sentence_spec
                elif mine:
                    d, _ = _nearest(mine, cue.start, lambda x: x.start, lambda x: x.end)
                    spec = spec_for(d)
                else:
                    continue
                ctx_date[cue.entity] = spec
                first_date.setdefault(cue.entity, spec)
        if not p.cues and not p.attribution_blocked and sentence_spec is not None \
                and sentence_spec.mention is not None and ctx_entity and _REPORT_NOUN.search(norm, s.start, s.end):
            # "The bulletin is of Sunday": the date of the report the text is quoting
            ctx_date[ctx_entity] = sentence_spec
            first_date.setdefault(ctx_entity, sentence_spec)
        is_header = norm[s.start:s.end].rstrip().endswith(":") and (p.loss or p.cues)
        in_list = list_header is not None and any(c.label_first for c in cands)

        sent_claims: list[Claim] = []
        for c in cands:
            # --- is this a loss figure at all?
            window = norm[max(s.start, c.start - 40):min(s.end, c.end + 30)]
            if _CIVILIAN.search(window) and c.kind in lx.PEOPLE_KINDS + ("inherit",):
                continue
            if _AVERAGE.search(norm, max(s.start, c.start - 40), min(s.end, c.end + 25)):
                continue  # "an average of 1,000 casualties a day" is a rate, not a count
            accepted = p.loss or (c.label_first and (in_list or c.bracket is not None)) or \
                (c.bracket is not None and (p.cues or ctx_claimant == "ua_general_staff"))
            if in_list and c.label_first:
                accepted = True
            if not accepted:
                continue
            # --- claimant
            cue, _ = _nearest(p.cues, c.start, lambda x: x.start, lambda x: x.end)
            if cue is not None:
                claimant, entity = cue.claimant, cue.entity
            elif in_list and list_header.cues:
                claimant, entity = list_header.cues[-1].claimant, list_header.cues[-1].entity
            elif ctx_claimant:
                claimant, entity = ctx_claimant, ctx_entity
            else:
                claimant, entity = first_cue, first_entity
            if claimant is None:
                continue
            # --- category
            kind = c.kind
            if kind == "inherit":
                base = sent_claims[-1] if sent_claims else (None if c.bringing else prev_claim)
                if base is None and c.bringing:
                    # "the total stood at 868,230" with no figure before it: the claimant's people count
                    kind = "people"
                    category = _people_category(claimant, "casualties", None)
                elif base is None:
                    continue
                else:
                    category = base.category
            elif kind in lx.PEOPLE_KINDS:
                category = _people_category(claimant, kind, c.verb_kind)
            else:
                category = kind
            # --- subject
            subject = c.subject_hint
            if subject is None and kind == "people" and re.search(
                    r"(?:invaders|occupiers|окупант|загарбник|росіян|invasori)", norm[c.start:c.end], re.I):
                subject = "ru_forces"
            if subject is None:
                group = next(((a, b) for a, b in p.groups if a <= c.start < b), (s.start, s.end))
                # a cue inside an earlier figure ("1270 російських окупантів") names that figure's side
                subs = [x for x in p.subjects if x[1] <= c.start
                        and not any(o.start <= x[0] < o.end for o in cands if o is not c)]
                if subs:
                    near = max(subs, key=lambda x: x[1])
                    subject = near[2]
                    if subject in lx.SUBJECTS and _AGENT.match(norm, near[1], c.start):
                        # "Ukrainian forces destroyed three tanks": the tanks were the other side's
                        subject = "ru_forces" if subject == "ua_forces" else "ua_forces"
                else:
                    subs = [x for x in p.subjects if x[0] >= c.end and x[0] - c.end < 60 and x[0] < group[1]]
                    if subs:
                        subject = min(subs, key=lambda x: x[0])[2]
            if subject == "foreign":
                continue
            if subject is None:
                if kind == "inherit" and (sent_claims or prev_claim):
                    subject = (sent_claims[-1] if sent_claims else prev_claim).subject
                elif in_list and list_header is not None and list_header.subjects:
                    subject = list_header.subjects[-1][2]
                else:
                    subject = "ru_forces" if claimant in ("ua_general_staff", "ru_defense_ministry") and \
                        claimant not in last_subject else last_subject.get(claimant, "ru_forces")
            # --- measure and period
            group = next(((a, b) for a, b in p.groups if a <= c.start < b), (s.start, s.end))
            in_group = [mk for mk in p.markers if group[0] <= mk.start < group[1]]
            marker = None
            if c.bringing or _BRINGING.search(norm, group[0], c.start):
                marker = _Marker(c.start, c.start, "cumulative")
            elif in_group:
                def distance(mk: _Marker) -> int:
                    if mk.end <= c.start:
                        return c.start - mk.end
                    # a marker after a comma opens another clause, unless a list of figures runs up to it
                    clause = "," in norm[c.end:mk.start] and not any(
                        c.end < o.start < mk.start and not o.inherit for o in cands)
                    return max(0, mk.start - c.end) + (1000 if clause else 0)
                marker = min(in_group, key=distance)
                if distance(marker) >= 1000:
                    marker = None
            elif group != p.groups[0] if p.groups else False:
                first_num = cands[0].start
                lead = [mk for mk in p.markers if mk.end <= first_num and mk.start < p.groups[0][1]]
                if lead:
                    marker = lead[-1]
            elif in_list and list_header is not None:
                lead = [mk for mk in list_header.markers]
                if lead:
                    marker = lead[0]
            period = None
            measure = "cumulative"
            if marker is not None:
                if marker.kind == "daily":
                    measure = "daily_increase"
                elif marker.kind == "cumulative":
                    measure = "cumulative"
                elif marker.kind == "start":
                    measure, period = "period_increase", PeriodSpec("mention", marker.mention)
                elif marker.kind == "period_month_mention":
                    measure, period = "period_increase", PeriodSpec("month_mention", marker.mention)
                elif marker.kind == "period_year":
                    measure, period = "period_increase", PeriodSpec("year")
                elif marker.kind == "period_month":
                    measure, period = "period_increase", PeriodSpec("month")
                elif marker.kind == "period_same":
                    # "in the same period": the period of the figures before it (the past day, or since a day)
                    if last_measure.get(entity) == "daily_increase":
                        measure = "daily_increase"
                    else:
                        measure, period = "period_increase", prev_period or PeriodSpec("unknown")
                elif marker.kind == "period_vague":
                    measure, period = "period_increase", PeriodSpec("unknown")
            if kind == "inherit" and marker is None and not c.bringing:
                base = sent_claims[-1] if sent_claims else prev_claim
                measure = "daily_increase" if base is not None and base.measure == "cumulative" and \
                    re.search(r"(?:past|previous|last) day|добу|24 ore", norm[c.start:s.end], re.I) else measure
            if c.low is not None:
                measure = "estimate_range"
            # --- report date
            own_date = False
            spec: DateSpec | None = None
            mine = [d for d in p.report_dates if cue is None or owner(d) is cue]
            if sentence_spec is not None and (sentence_spec.mention is None or mine):
                own_date = True
                if sentence_spec.mention is None:
                    spec = sentence_spec
                else:
                    ref = cue.start if cue is not None else c.start
                    d, _ = _nearest(mine, ref, lambda x: x.start, lambda x: x.end)
                    spec = spec_for(d)
                    if d.kind == "vague" and d.text.lower() == "at the time":
                        spec = last_sentence_spec or DateSpec(vague=True)
            elif in_list and list_header is not None and list_header.report_dates:
                spec = spec_for(list_header.report_dates[-1])
            else:
                spec = ctx_date.get(entity)
            # --- the claim(s)
            status = "unparseable" if c.problem or (c.value is None and c.low is None) else "ok"
            problem = c.problem if status == "unparseable" else None
            if status == "unparseable" and problem is None:
                problem = f"figure {c.number.text!r} could not be read"
            qualifier = c.qualifier
            claim = Claim(
                claimant=claimant, subject=subject, category=category, measure=measure,
                value=None if status == "unparseable" else c.value, low=c.low, high=c.high, qualifier=qualifier,
                period_start=None, as_of=None, as_of_precision=None, date_method="unresolved", date_reference=None,
                date_text=None, span=(c.start, c.end), evidence=text[c.start:c.end], number_text=c.number.text,
                status=status, problem=problem, kind=kind, sentence=s.index, date_spec=spec, period_spec=period,
                own_date=own_date, rounded=bool(qualifier) or _is_round(c.value), entity=entity,
                measure_marked=marker is not None or c.low is not None)
            if c.bracket is None or c.bracket_span is None or measure != "daily_increase":
                sent_claims.append(claim)
            if c.bracket is not None and c.bracket_span is not None:
                bval = c.bracket.value
                bstatus = "ok" if bval is not None and c.bracket.problem is None else "unparseable"
                inc = Claim(
                    claimant=claimant, subject=subject, category=category, measure="daily_increase",
                    value=bval if bstatus == "ok" else None, low=None, high=None, qualifier=None, period_start=None,
                    as_of=None, as_of_precision=None, date_method="unresolved", date_reference=None, date_text=None,
                    span=c.bracket_span, evidence=text[c.bracket_span[0]:c.bracket_span[1]],
                    number_text=c.bracket.text, status=bstatus,
                    problem=None if bstatus == "ok" else (c.bracket.problem or "increase could not be read"),
                    kind=kind, sentence=s.index, date_spec=spec, period_spec=None, own_date=own_date, entity=entity)
                sent_claims.append(inc)
            if period is not None:
                prev_period = period
            if measure in ("daily_increase", "period_increase"):
                last_measure[entity] = measure
            last_subject[claimant] = subject
        for cl in sent_claims:
            if cl.date_spec is not None:
                ctx_date.setdefault(cl.entity, cl.date_spec)
                first_date.setdefault(cl.entity, cl.date_spec)
        claims.extend(sent_claims)
        if sent_claims:
            prev_claim = sent_claims[-1]
        # context for the sentences after this one
        attributing = [c for c in p.cues]
        if attributing:
            ctx_claimant, ctx_entity = attributing[-1].claimant, attributing[-1].entity
        elif sent_claims:
            ctx_claimant, ctx_entity = sent_claims[-1].claimant, sent_claims[-1].entity
        if sentence_spec is not None:
            last_sentence_spec = sentence_spec if sentence_spec.mention is None or not p.report_dates else \
                spec_for(p.report_dates[0])
            if any(d.kind == "vague" and d.text.lower() == "at the time" for d in p.report_dates):
                last_sentence_spec = sentence_spec
            if not p.cues and sent_claims:
                ctx_date[sent_claims[-1].entity] = last_sentence_spec
        if is_header:
            list_header = p
        elif list_header is not None and not any(c.label_first for c in cands):
            list_header = None

    # claims without a date of their own or of their claimant's context: the claimant's first report date,
    # else the story's dateline ("MOSCOW/KYIV, Dec 19 - ...")
    dateline = None
    for p in prepared:
        head = norm[p.s.start:p.s.end]
        m = _DATELINE.match(head)
        if m:
            d = next((x for x in all_dates if x.kind == "date" and p.s.start + m.end() <= x.start
                      and re.match(r"\s*(?:\([^)]*\))?\s*-", norm[x.end:p.s.end])), None)
            if d is not None and d.start - p.s.start - m.end() < 3:
                dateline = spec_for(d)
            break
    shared_none: dict[str, DateSpec] = {}
    for cl in claims:
        if cl.date_spec is None:
            cl.date_spec = first_date.get(cl.entity) or dateline or shared_none.setdefault(cl.entity, DateSpec())

    _resolve_dates(claims, published, series)
    for cl in claims:
        if cl.category == "vehicles":
            cl.category = "military_vehicles" if cl.as_of and cl.as_of < MERGE_DAY else "vehicles_fuel_tanks"
    claims = _dedup(claims)
    return claims


# --------------------------------------------------------------------------- dates

def _resolve_spec(spec: DateSpec, reference: date | None, reference_name: str | None) -> None:
    if spec.resolved is not None or spec.mention is None:
        return
    m = spec.mention
    day, precision = dates_mod.resolve(m, reference)
    if day is None:
        return
    spec.resolved, spec.precision = day, precision
    spec.method = {"date": "explicit", "month": "explicit", "year": "explicit", "weekday": "weekday",
                   "relative": "relative"}[m.kind]
    needs_reference = m.kind in ("weekday", "relative") or (m.kind in ("date", "month") and m.year is None)
    spec.reference = reference_name if needs_reference else None


def _series_day(group: list[Claim], series, published: date | None) -> date | None:
    """The one bulletin day whose accepted cumulative values equal the group's General Staff totals."""
    totals = [c for c in group if c.claimant == "ua_general_staff" and c.measure == "cumulative"
              and c.value is not None and c.qualifier in (None, "about") and c.subject == "ru_forces"
              and c.category not in lx.PEOPLE_CATEGORIES]
    personnel = [c for c in totals if c.category == "personnel"]
    if not personnel:
        return None  # the rule: the personnel figure is what identifies the day
    days: set[date] | None = None
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


def _resolve_dates(claims: list[Claim], published: date | None, series) -> None:
    specs: list[DateSpec] = []
    for cl in claims:
        if cl.date_spec is not None and all(cl.date_spec is not s for s in specs):
            specs.append(cl.date_spec)
    for spec in specs:
        _resolve_spec(spec, published, "published" if published else None)
    anchor = None
    if series is not None:
        for spec in specs:
            if spec.resolved is not None:
                continue
            group = [c for c in claims if c.date_spec is spec]
            day = _series_day(group, series, published)
            if day is not None:
                # the figure identifies the day, even against a weekday the text gives (kept in date_text)
                spec.resolved, spec.precision, spec.method = day, "day", "series_match"
                anchor = anchor or day
    if published is None and anchor is not None:
        for spec in specs:
            _resolve_spec(spec, anchor, "series_match")
    for cl in claims:
        spec = cl.date_spec
        cl.as_of, cl.as_of_precision = spec.resolved, spec.precision
        cl.date_method = spec.method if spec.resolved else "unresolved"
        cl.date_reference = spec.reference if spec.resolved else None
        cl.date_text = spec.text
        if cl.period_spec is not None and cl.measure == "period_increase":
            ref = cl.as_of or published or anchor
            cl.period_start = _period_start(cl.period_spec, ref)


def _period_start(period: PeriodSpec, reference: date | None) -> date | None:
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
        day, _ = dates_mod.resolve(period.mention, reference)
        return day
    if reference is None:
        return None
    if period.kind == "year":
        return date(reference.year, 1, 1)
    if period.kind == "month":
        return reference.replace(day=1)
    return None


# --------------------------------------------------------------------------- one claim per figure

def _compatible(a: Claim, b: Claim) -> bool:
    if (a.claimant, a.subject) != (b.claimant, b.subject):
        return False
    if a.as_of and b.as_of and a.as_of != b.as_of:
        return False
    if a.period_start and b.period_start and a.period_start != b.period_start:
        return False
    return True


def _info(c: Claim) -> tuple:
    return (c.sentence > 0, c.own_date, c.period_start is not None, c.qualifier is None, c.status == "ok",
            -c.sentence)


def _dedup(claims: list[Claim]) -> list[Claim]:
    drop: set[int] = set()
    for i, a in enumerate(claims):
        for j, b in enumerate(claims):
            if i == j or i in drop or j in drop or not _compatible(a, b):
                continue
            # a rounded figure whose sentence did not say how it counts may restate any count of the family
            same_measure = a.measure == b.measure or (not a.measure_marked and b.measure != "estimate_range")
            # the same figure twice
            if a.category == b.category and (a.measure == b.measure) and (a.value, a.low, a.high) == (b.value, b.low, b.high) \
                    and a.status == b.status == "ok":
                loser = j if _info(a) >= _info(b) else i
                drop.add(loser)
                continue
            if a.status != "ok" or b.status != "ok":
                continue
            family = (a.category == b.category) or (a.category in _PEOPLE_FAMILY and b.category in _PEOPLE_FAMILY)
            if not family:
                continue
            # a rounded restatement of a precise figure: "more than 20,000" for 20,180
            if a.rounded and a.value is not None and b.value is not None and not b.rounded and same_measure \
                    and abs(a.value - b.value) <= 0.1 * b.value:
                drop.add(i)
                continue
            # a bound of a range said again: "up to 15,000" for "7,000 to 15,000"
            if a.value is not None and b.low is not None and a.value in (b.low, b.high) and b.measure == "estimate_range":
                drop.add(i)
                continue
    return [c for k, c in enumerate(claims) if k not in drop]
