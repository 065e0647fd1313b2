"""Stage: number mentions that can be claims, with their category (the lexicon bound through list syntax).

:func:`candidates` takes a sentence's number mentions (:func:`etl.news.numbers.scan`: digit groups per
language, words, "72 thousand", "1.2 million", "1,1 milioni", "півтора мільйона") and keeps those bound
to a category: a category word after the figure ("574,690 troops", "one submarine"), a label before it
("tanks - 8,344 (+12)", "carri armati: 120", "танків — 10 123"), a verb saying what happened ("3,825 have
been injured"), or a figure taking the category of the one before ("including 1,180 over the past day").
Ranges, qualifiers ("over", "близько", "circa") and a bracketed daily increase "(+N)" are read first, by
:mod:`etl.news.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.news import lexicon as lx
from etl.news import numbers as numbers_mod
from etl.news.figures import Figure, bracket_after, not_a_count, read_figure
from etl.news.text import Sentence

_NOUNS = lx.compile_table(lx.NOUNS)
_LIST_LABELS = lx.compile_table(lx.LIST_LABELS)
_MODIFIER = re.compile(r"(?:" + lx.MODIFIERS + r")\s+", re.I)
_MOD_SUBJECT = [(re.compile(r"^(?:" + p + r")\b", re.I), s) for p, s in lx.MODIFIER_SUBJECT]
_VERB_AFTER = [
    (
        re.compile(
            r"(?:\s+(?:russ[aoie]|ucrain[aoie]|російськ\w*|українськ\w*|Russians|Ukrainians))?\s*"
            r"(?:of them\s+|of those\s+"
            r"|з них\s+)?(?:" + p + r")(?![\w])",
            re.I,
        ),
        k,
    )
    for p, k in lx.VERB_AFTER
]
_INHERIT_BEFORE = re.compile(lx.INHERIT_BEFORE, re.I)
_INHERIT_AFTER = re.compile(lx.INHERIT_AFTER, re.I)
_TOTAL_LEAD = re.compile(lx.TOTAL_LEAD, re.I)
_LABEL_TAIL = re.compile(lx.LABEL_TAIL, re.I)
_INCREASE_BEFORE = re.compile(lx.INCREASE_BEFORE, re.I)
_RISEN_OF = re.compile(lx.RISEN_OF + lx.INCREASE_BEFORE, re.I)
_LOSSES_RISEN = re.compile(lx.LOSSES_RISEN, re.I)
_PART_WORD = re.compile(r"\s+(?:of them|of whom|of those|of which|dei quali|delle quali|di questi|more)(?![\w])", re.I)
_RESPECTIVELY = re.compile(lx.RESPECTIVELY, re.I)
_REGIONAL_AFTER = re.compile(lx.REGIONAL_AFTER, re.I)
_INCREASE_AFTER = re.compile(
    r"\s*(?:added|in più|more than (?:the day before|a day earlier|the previous day)|більше,? ніж"
    r" (?:напередодні|добою раніше))(?![\w])",
    re.I,
)
_KILLED_BEFORE = re.compile(lx.KILLED_BEFORE, re.I)
_WOUNDED_BEFORE = re.compile(lx.WOUNDED_BEFORE, re.I)
_MILITARY_LOSER = re.compile(lx.MILITARY_LOSER, re.I)
_PEOPLE_PLAIN = re.compile(r"\s*(?:" + lx.PEOPLE_PLAIN + r")(?![\w])", re.I)
_BRINGING_PRE = re.compile(lx.BRINGING_BEFORE, re.I)  # "che porta così a circa 1.689.900 il totale"
# ", 1.724.600 dall'inizio della guerra": a bare total after a figure takes its category
# "Artillery systems: 46 in a day, 13,736 in all.", "1,660 soldiers over the past day and 830,790 since the invasion"
_TOTAL_AFTER = re.compile(
    r"\s+(?:dall'inizio|dal 24 febbraio|since the (?:start|beginning)|з початку|in all(?=\s*[.,;]|\s*$)"
    r"|since the (?:full-scale )?(?:invasion|war)\b)",
    re.I,
)
# "757.340 uomini, 1.400 nelle ultime 24 ore": a bare figure of the day after a figure takes its category
_DAILY_AFTER = re.compile(
    r"\s+(?:nelle ultime (?:24|ventiquattro) ore|nell'ultimo giorno|nella giornata di ieri|in the (?:past|last)"
    r" (?:day|24 hours)|over the (?:past|last) (?:day|24 hours)|за (?:минулу |останню )?добу)(?![\w])",
    re.I,
)
_LABEL_SEP = re.compile(
    r"(?:\s*(?:[-:=]|\.{2,}|…+)\s*|\s+(?:to|at|of|(?:had |have |has )?(?:reached|risen to|rose to|climbed to)"
    r"|reach|reaches"
    r"|(?:probably |likely |now )?(?:stand|stands|stood) at|(?:may|might|could|would|will) (?:have )?(?:reach(?:ed)?"
    r"|total(?:led)?|exceed(?:ed)?|top(?:ped)?)|"
    r"now total(?:s|led|ed)?|(?:stand|stands|stood|are|were|is|was|range[sd]?|ranging"
    r"|at) between|(?:sarebbero|sono|siano|erano|sarebbe|è) (?:tra|fra)(?: i)?|totals?|totall?ed|was|were|is|are"
    r"|numbered|склали|досягли|досягла|досягнули"
    r"|(?:(?:were|was|is|are|been|being) )?(?:put|estimated|placed|pegged|reckoned) at"  # "losses were put at"
    r"|(?:також |ще )?(?:знищено|уражено|ліквідовано|втрачено)"  # "Кораблів і катерів знищено 16"
    r"|(?:potrebbe|potrebbero) aver raggiunto(?: quota)?|avrebbe raggiunto(?: quota)?"
    r"|ha raggiunto(?: quota)?|sale a|salgono a|(?:è|sono) salit[oaie] a"
    r"|(?:have|has|had)(?: probably| likely| now)?|hanno|abbiano|avrebbero|abbia|avrebbe"
    r"|становлять|становить|сягнули|ammontano a|ammonta a|sono stat[ei] di|sono stat[ei]|sarebbero|sarebbe|è di"
    r"|è pari a|sono|a|pari a|hanno raggiunto|hanno toccato quota|quota|" + lx.QUALIFIER_VERBS + r")\s+|\s+)$",
    re.I,
)
_ENEMY_LOSSES_ROSE = re.compile(
    r"втрати\s+(?:ворога|противника|окупантів|росіян|російських\s+(?:військ|окупантів|загарбників))\s+"
    r"(?:зросли|збільшилися)\s+(?:ще\s+)?на\s*$",
    re.I,
)
_ELLIPSIS = re.compile(r"\d\s+(?:e|ed|and|та|і|й)\s+(?:(?:i|le|gli|the)\s+)?$", re.I)
_LABEL_VERB = re.compile(r"(?<![\w])(killed|dead|wounded|injured)(?![\w])", re.I)
# "Quanto ai droni, il totale è di 49.767", "As for drones, the count stands at 18,798"
_TOPIC = re.compile(
    r"(?:Quanto (?:ai|agli|alle|al|alla|all')|As for|As to|Що стосується)\s*(\S[^,;.]{1,40}?)\s*,\s*"
    r"(?:il (?:totale|conteggio|numero)|the (?:total|count|number|tally))\s+(?:è di|è|sale a|is|stands at|stood at"
    r"|was|reached|rose to)\s+(?:circa |oltre |about |over |more than )?$",
    re.I,
)
_UNIT_AFTER = re.compile(r"\s*(?:осіб|од\.?|persons|units|pcs\.?|unità)(?![\w])", re.I)
_FOLLOWERS = {
    "since",
    "in",
    "over",
    "on",
    "as",
    "during",
    "according",
    "and",
    "with",
    "from",
    "by",
    "per",
    "until",
    "this",
    "so",
    "at",
    "after",
    "for",
    "of",
    "the",
    "persons",
    "people",
    "units",
    "unità",
    "pcs",
    "од",
    "осіб",
    "одиниць",
    "з",
    "за",
    "у",
    "в",
    "на",
    "станом",
    "та",
    "і",
    "й",
    "dal",
    "dall",
    "nelle",
    "nel",
    "e",
    "secondo",
    "a",
    "ha",
    "have",
    "has",
    "had",
    "while",
    "but",
    "or",
    "said",
    "says",
    "reported",
    "including",
    "than",
    "now",
    "yesterday",
    "today",
    "only",
    "just",
    "compared",
    "up",
    "людей",
}


@dataclass
class Candidate:
    start: int
    end: int
    value: int | None
    low: int | None
    high: int | None
    kind: str  # a category code, "vehicles", a people kind, or "inherit" (the category of the figure before)
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


# --------------------------------------------------------------------------- the category lexicon


def _match_noun(norm: str, pos: int, end: int) -> tuple[str, int] | None:
    best = None
    for rx, kind in _NOUNS:
        m = rx.match(norm, pos, end)
        if m and (best is None or m.end() > best[1]):
            best = (kind, m.end())
    return best


def noun_after(norm: str, pos: int, end: int) -> tuple[str | None, int, str | None]:
    """(kind, end of the noun, subject named by a modifier) of the category noun after ``pos``."""
    p = pos
    while p < end and norm[p] in ' "':
        p += 1
    of = (
        re.match(r"(?:di|d')\s*", norm[p:end], re.I)
        if re.search(r"milion[ei]\s*$", norm[max(0, p - 9) : p], re.I)
        else None
    )
    p += of.end() if of else 0  # "1,2 milioni di uomini"
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
            tail = re.match(
                r"\s+(?:della |di |dell')?(russ[aoie]|ucrain[aoie]|Russia|Ucraina|nemic[oi]|рф|РФ|росії"
                r"|України|ворога)(?![\w])",
                rest,
                re.I,
            )
            if tail and subject is None:
                subject = "ukr" if tail.group(1).lower().startswith("ucr") or tail.group(1) == "України" else "ru"
                subject = {"ru": "ru_forces", "ukr": "ua_forces"}[subject]
            if tail and re.match(r"\s+nemic", rest, re.I):
                noun_end += tail.end()  # "carri armati nemici (14 solo ieri)": the bracket follows the adjective
            return kind, noun_end, subject
        m = _MODIFIER.match(norm, p, end)
        if not m:
            return None, p, None
        for rx, subj in _MOD_SUBJECT:
            if rx.match(m.group()):
                subject = subj
        p = m.end()
    return None, p, None


# "Unchanged: aircraft 434, helicopters 347, ships 28": items "label N" after a colon, one after another
_LOOSE_ITEM = re.compile(r"(?::|\d\s*[,;])\s*$")


def _loose_item(pre: str, label_start: int, at_start: bool) -> bool:
    """ "Unchanged: aircraft 434, ...", or a sentence that opens with the label ("Tanks 3,175 (+14)",
    "Tanks<tab>3,175<tab>+14", "🔥 Tanks 3,175"): a list item without a dash."""
    head = pre[:label_start]
    return bool(_LOOSE_ITEM.search(head)) and ":" in head or at_start and not re.sub(r"[\W_]", "", head)


def label_before(norm: str, start: int, sent_start: int) -> tuple[str | None, int, bool]:
    """(kind, label start, bulletin style) of a category label right before the number."""
    pre = norm[max(sent_start, start - 90) : start]
    base = start - len(pre)
    sep = _LABEL_SEP.search(pre)
    if not sep:
        return None, start, False
    head = pre[: sep.start()]
    tail = _LABEL_TAIL.search(head)
    if tail and tail.start() < len(head):
        head = head[: tail.start()]
    bulletin = bool(re.search(r"[-:=.…]", sep.group()))
    best = None
    for rx, kind in _NOUNS + (_LIST_LABELS if bulletin else []):
        for m in rx.finditer(head):
            if m.end() == len(head) and (best is None or m.start() < best[1]):
                best = (kind, m.start())
    if best is None:
        return None, start, False
    kind, label_start = best
    if (
        not bulletin
        and sep.group().strip() == ""
        and not _ELLIPSIS.search(pre, 0, label_start)
        and not _loose_item(pre, label_start, base == sent_start)
    ):
        # "tanks 8344" without a dash is a list too loose to trust in prose, but for a verb left out after a figure:
        # "i veicoli corazzati sono 10.401 e i sistemi di artiglieria 7.961"
        return None, start, False
    return kind, base + label_start, bulletin


def _follower_ok(norm: str, pos: int, end: int) -> bool:
    rest = norm[pos:end]
    m = re.match(r"\s*(?:\(\s*[+\d][^)]*\)\s*)?([^\W\d_]+)", rest)
    if not m:
        return True
    if rest[: m.start(1)].strip(" ") and re.match(r"\s*[,.;:)\-]", rest):
        return True
    return m.group(1).lower() in _FOLLOWERS


# --------------------------------------------------------------------------- binding a figure to a category


def _bind_category(norm: str, s: Sentence, f: Figure) -> tuple | None:
    """(kind, start, end, subject hint, verb kind, label first, inherit, bringing) or None: no category."""
    kind, noun_end, subj = noun_after(norm, f.after, s.end)
    start, end = min(f.qual_start, f.n.start), (noun_end if kind else f.after)
    label_first = inherit = bringing = False
    verb_kind = None
    lkind, lstart, bulletin = label_before(norm, f.qual_start, s.start)
    if lkind is None and f.qual_start < f.n.start:  # a verb as qualifier: "втрати окупантів перевищили 600 тисяч"
        lkind, lstart, bulletin = label_before(norm, f.n.start, s.start)
    if (
        kind is not None
        and lkind is not None
        and bulletin
        and (lkind == kind or (kind in lx.PEOPLE_KINDS and lkind in lx.PEOPLE_KINDS))
    ):
        label_first, start, kind = True, lstart, lkind  # "особового складу - близько 878070 (+1350) осіб"
    if kind is None and lkind and (bulletin or _follower_ok(norm, f.after, s.end)):
        kind, label_first, start, end = lkind, bulletin, lstart, f.after
        um = _UNIT_AFTER.match(norm, end, s.end)  # a unit after a bulletin figure: "осіб", "од", "persons"
        if um:
            end = um.end()
    if kind is None:
        for rx, vk in _VERB_AFTER:
            m = rx.match(norm, f.after, s.end)
            if m:
                kind, verb_kind, end = "people", vk, m.end()
                break
    if kind is None and _PEOPLE_PLAIN.match(norm, f.after, s.end) and military_people(norm, s, f.qual_start):
        kind, end = "people", _PEOPLE_PLAIN.match(norm, f.after, s.end).end()
    if (
        kind == "people"
        and _UNIT_AFTER.match(norm, f.after, s.end)
        and _INCREASE_BEFORE.search(norm, s.start, start)
        and not _ENEMY_LOSSES_ROSE.search(norm, s.start, start)  # "Втрати ворога зросли на 1 150 осіб": its own
    ):
        kind = None  # "цей показник збільшився ще на 930 осіб": the increase of the figure before
    topic = None if kind is not None else _TOPIC.search(norm, max(s.start, f.qual_start - 80), f.qual_start)
    hit = _match_noun(norm, topic.start(1), topic.end(1)) if topic else None
    if hit and hit[1] == topic.end(1):  # "Quanto ai droni, il totale è di 49.767 unità": the topic names the count
        kind, start, end = hit[0], topic.start(1), f.after
        um = _UNIT_AFTER.match(norm, end, s.end)
        end = um.end() if um else end
    if kind is None:
        found = _inherited(norm, s, f)
        if found == "breakdown":
            return None
        if found is not None:
            kind, inherit, bringing, end = found
    if kind is None:
        return None
    if kind in lx.PEOPLE_KINDS and verb_kind is None:
        verb_kind = next((vk for rx, vk in _VERB_AFTER if rx.match(norm, end, s.end)), None)
        lo = max(s.start, start - 30)
        digits = [lo + m.end() for m in re.finditer(r"\d", norm[lo:start])]
        lo = max([lo] + digits)  # never reach back over another figure
        said = _LABEL_VERB.search(norm, lo, f.qual_start) if kind == "people" and start < f.qual_start else None
        if verb_kind is None and said:  # "the number of soldiers killed at around 60,000"
            verb_kind = "killed" if said.group(1).lower() in ("killed", "dead") else "wounded"
        if (
            verb_kind is None
            and kind == "people"
            and _KILLED_BEFORE.search(norm[max(s.start, f.n.start - 40) : f.n.start])
        ):
            verb_kind = "killed"
        elif (
            verb_kind is None
            and kind == "people"
            and _WOUNDED_BEFORE.search(norm, max(s.start, f.n.start - 40), f.n.start)
        ):
            verb_kind = "wounded"
    return kind, start, end, subj, verb_kind, label_first, inherit, bringing


def _inherited(norm: str, s: Sentence, f: Figure) -> tuple[str, bool, bool, int] | str | None:
    """(kind, inherit, bringing, end) of a bare figure that takes the category of the one before ("including 1,180",
    "610 in più", "3 dei quali", "bringing the total to 4,537"), "breakdown" for a regional part, else None."""
    pre_long = norm[max(s.start, f.qual_start - 120) : f.qual_start]
    after = _INHERIT_AFTER.match(norm, f.after, s.end)
    if (
        _INHERIT_BEFORE.search(pre_long[-50:])
        or _TOTAL_LEAD.fullmatch(norm, s.start, f.qual_start)
        or _INCREASE_BEFORE.search(pre_long[-20:])
        or _INCREASE_AFTER.match(norm, f.after, s.end)
        or after
        or (_TOTAL_AFTER.match(norm, f.after, s.end) or _DAILY_AFTER.match(norm, f.after, s.end))
        and re.search(r"\w,\s*(?:and |e |та |і )?$|\w\s+(?:and|e|та|і)\s+$", pre_long)
    ):
        if _REGIONAL_AFTER.search(norm[f.after : s.end]):
            return "breakdown"  # "including up to 600 in the Kursk region": a breakdown, not a total
        part = _PART_WORD.match(norm, f.after, s.end) if after else _INCREASE_AFTER.match(norm, f.after, s.end)
        end = part.end() if part else f.after  # "3 dei quali", "890 in più": the figure with its word
        # "Втрати бойових броньованих машин зросли на 3", "Russia's personnel losses grew by 1,770"
        named = _RISEN_OF.search(pre_long) or _LOSSES_RISEN.search(pre_long)
        hit = _match_noun(norm, f.qual_start - len(pre_long) + named.start(1), s.end) if named else None
        return (hit[0], False, False, end) if hit else ("inherit", True, False, end)
    if _BRINGING_PRE.search(pre_long):
        return "inherit", True, True, f.after
    if _RESPECTIVELY.search(pre_long) and re.search(
        r"(?:\d|" + lx.RESPECTIVELY + r")[\s,]*(?:and|e|та|і|й)?\s*$",
        norm[max(s.start, f.qual_start - 40) : f.qual_start],
        re.I,
    ):
        return "inherit", True, False, f.after  # "... respectively to 3,751 and 7,307"
    return None


def military_people(norm: str, s: Sentence, start: int) -> bool:
    """ "The Ukrainian army had lost 215 thousand people": people an army lost are soldiers, not civilians."""
    return bool(_MILITARY_LOSER.search(norm[max(s.start, start - 110) : start]))


_ARROW = re.compile(r"\s*(?:→|⟶|➡️?|->|=>)\s*")


def _arrowed(norm: str, s: Sentence, nums: list, i: int, consumed: set[int]) -> Figure | None:
    """ "Tanks: +6 → 11,550": the change over the day, an arrow, then the total (a digest's "change → total")."""
    n = nums[i]
    sign = n.start - 1 if n.start >= 1 and norm[n.start - 1] == "+" else n.start if n.text.startswith("+") else None
    if sign is None or i + 1 >= len(nums) or not _ARROW.fullmatch(norm, n.end, nums[i + 1].start):
        return None
    consumed.add(i + 1)
    f = read_figure(norm, s, nums, i + 1, consumed)
    if f.bracket is not None or f.low is not None:
        return None
    f.bracket, f.bracket_span, f.qual_start = n, (sign, n.end), min(f.qual_start, sign)
    return f


def candidates(norm: str, s: Sentence, nums: list[numbers_mod.NumberMention]) -> list[Candidate]:
    """The figures of a sentence bound to a category (see the module doc)."""
    out: list[Candidate] = []
    consumed: set[int] = set()
    for i, n in enumerate(nums):
        if i in consumed or not_a_count(norm, s, n):
            continue
        f = _arrowed(norm, s, nums, i, consumed) or read_figure(norm, s, nums, i, consumed)
        bound = _bind_category(norm, s, f)
        if bound is None:
            continue
        kind, start, end, subj, verb_kind, label_first, inherit, bringing = bound
        if f.bracket is None and f.low is None and end > f.after:
            j, span = bracket_after(norm, s, nums, i, end)  # "10 620 tanks (+7)": the increase after the noun
            if j is not None:
                f.bracket, f.bracket_span = nums[j], span
                consumed.add(j)
        problem = n.problem
        if n.decimal and f.value is None and problem is None and f.low is None:
            problem = f"figure {n.text!r} is a fraction, not a count"
        out.append(
            Candidate(
                start,
                max(end, f.after),
                f.value,
                f.low,
                f.high,
                kind,
                f.qualifier,
                n,
                problem,
                subj,
                verb_kind,
                label_first,
                f.bracket,
                f.bracket_span,
                inherit,
                bringing,
            )
        )
    return out
