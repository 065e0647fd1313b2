"""Number mentions in news text: 574,690 / 574 690 / 1.099.530 / 16'095 / 72 thousand / 1.2 million /
one submarine / дві / due, and malformed ones (",000", "1,00,0", "57469O") reported as unparseable.

:func:`scan` returns every mention with its character span; a mention whose text cannot be read as a
count has ``value=None`` and ``problem`` saying why (the extractor reports it, never guesses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPACES = " \u00a0\u202f\u2009"


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    text: str
    value: int | None  # None: unparseable (see problem)
    problem: str | None = None
    words: bool = False  # written in words ("one submarine")
    decimal: bool = False  # a fraction without a multiplier (3.5): not a count

    @property
    def ok(self) -> bool:
        return self.value is not None and self.problem is None


# Digits with separators.  Space-grouped figures first (574 690, 1 099 530), then anything made of
# digits and , . ' ’ (validated below), a leading separator included (",000" is a garbled figure).
_BLOB = re.compile(
    r"(?<![\w.,'’+])(?:\+(?=\d))?(?:"
    r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d]|[,.'’]\d)"
    r"|(?:[,.](?=\d))?\d+(?:[,.'’]\d+)*"
    r")(?:(?![\w])|(?=(?:mila|mln|млн|тис|(?-i:[KM]))(?![\w])))"  # "40mila", "1,2mln", "880K": a multiplier written on
)
# Ukrainian thousands written out with the remainder: "646 тис. 400" (646,400), "+1 тис. 250"
_TYS = re.compile(r"(?<![\w.,'’+])(?:\+(?=\d))?(\d{1,3})\s*тис\.?\s+(\d{3})(?![\d,.]\d|\d)")
# A figure with a letter O (latin or cyrillic) typed for a zero, or a letter l for a one: "57469O".
_GARBLED = re.compile(r"(?<![\w])\d[\d,.]*[OoОо][\dOoОо,.]*(?![\w])|(?<![\w])\d+[OoОо]\d*(?![\w])")
# A thousands group broken by a stray space: "4,59 9", "11,3 26" (three digits after the separator, split in two)
_SPLIT_GROUP = re.compile(r"(?<![\w.,'’+])\d{1,3}[,.](?:\d \d{2}|\d{2} \d)(?![\w]|[,.]\d)")
# A space-grouped figure cut mid-way where the text ends: "БпЛА — 75 7" (a list cut mid-number)
# ... or before an ellipsis that cuts it ("БпЛА — 10 4…")
_CUT_END = re.compile(
    r"(?<![\w.,'’+])\d{1,3}(?:[ \u00a0\u202f]\d{3})*[ \u00a0\u202f]\d{1,2}(?=\s*\Z|\s*(?:…|\.\.\.)\s*$)", re.M
)
# A list item's figure in space groups of odd sizes: "Artillery systems - 13 77 0 (+34)" (a garbled figure)
_ODD_GROUPS = re.compile(r"(?<=[-:=] )\d{1,3}(?: \d{1,3})+(?=[ \t]*(?:\(|$))", re.M)

_MULTIPLIERS = [
    # "40-thousand", "15-thousand troops": a hyphen before the multiplier too
    (re.compile(r"(?:\s*|-)(?:thousand|тис\.|тис(?![а-яіїєґ])|тисяч[іа]?|mila|mille)(?![\w])", re.I), 1_000),
    (re.compile(r"\s*(?:million|millions|mln\.?|млн\.?|мільйон(?:ів|а|и)?|milion[ei])(?![\w])", re.I), 1_000_000),
    (re.compile(r"K(?![\w])"), 1_000),  # "880K", "1.15K": written on, upper case only
    (re.compile(r"M(?![\w])"), 1_000_000),
]
# Rounded figures in words: "half a million", "півтора мільйона", "a million", "un milione e mezzo"
_MILLION = r"(?:million|мільйон(?:а|ів|и)?|milion[ei])"
_ROUNDED = [
    (
        re.compile(
            rf"(?<![\w])(?:one and a half|a million and a half|півтора|півтори)\s+{_MILLION}(?![\w])"
            rf"|(?<![\w])(?:un|one|a)\s+{_MILLION}\s+(?:e mezzo|and a half)(?![\w])",
            re.I,
        ),
        1_500_000,
    ),
    (re.compile(rf"(?<![\w])(?:half a|пів|mezzo)\s*{_MILLION}(?![\w])|(?<![\w])півмільйона(?![\w])", re.I), 500_000),
    (re.compile(r"(?<![\w])(?:півтори|півтора)\s+тисяч[іи]?(?![\w])", re.I), 1_500),
    (re.compile(rf"(?<![\w])(?:a|un)\s+{_MILLION}(?![\w])|(?<![\w])(?<!\d )мільйон(?![\w])", re.I), 1_000_000),
]

# --------------------------------------------------------------------------- words

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_UK_WORDS = {
    "один": 1,
    "одна": 1,
    "одне": 1,
    "одну": 1,
    "одного": 1,
    "одній": 1,
    "два": 2,
    "дві": 2,
    "двох": 2,
    "три": 3,
    "трьох": 3,
    "чотири": 4,
    "чотирьох": 4,
    "п'ять": 5,
    "п’ять": 5,
    "пʼять": 5,
    "шість": 6,
    "сім": 7,
    "вісім": 8,
    "дев'ять": 9,
    "дев’ять": 9,
    "девʼять": 9,
    "десять": 10,
    "одинадцять": 11,
    "дванадцять": 12,
    "тринадцять": 13,
    "чотирнадцять": 14,
    "п'ятнадцять": 15,
    "п’ятнадцять": 15,
    "шістнадцять": 16,
    "сімнадцять": 17,
    "вісімнадцять": 18,
    "дев'ятнадцять": 19,
    "дев’ятнадцять": 19,
    "двадцять": 20,
    "тридцять": 30,
    "сорок": 40,
    "п'ятдесят": 50,
    "п’ятдесят": 50,
    "шістдесят": 60,
    "сімдесят": 70,
    "вісімдесят": 80,
    "дев'яносто": 90,
    "дев’яносто": 90,
    "сто": 100,
}
_IT_UNITS = {
    "uno": 1,
    "un": 1,
    "una": 1,
    "due": 2,
    "tre": 3,
    "quattro": 4,
    "cinque": 5,
    "sei": 6,
    "sette": 7,
    "otto": 8,
    "nove": 9,
    "dieci": 10,
    "undici": 11,
    "dodici": 12,
    "tredici": 13,
    "quattordici": 14,
    "quindici": 15,
    "sedici": 16,
    "diciassette": 17,
    "diciotto": 18,
    "diciannove": 19,
}
_IT_TENS = {
    "venti": 20,
    "trenta": 30,
    "quaranta": 40,
    "cinquanta": 50,
    "sessanta": 60,
    "settanta": 70,
    "ottanta": 80,
    "novanta": 90,
}


def _italian_words() -> dict[str, int]:
    words = dict(_IT_UNITS)
    words.update(_IT_TENS)
    for tens, tv in _IT_TENS.items():
        for unit, uv in _IT_UNITS.items():
            if uv > 9 or unit in ("un", "una"):
                continue
            stem = tens[:-1] if unit in ("uno", "otto") else tens
            words[stem + ("tré" if unit == "tre" else unit)] = tv + uv
    words["cento"] = 100
    for unit, uv in _IT_UNITS.items():
        if 2 <= uv <= 9 and unit not in ("un", "una", "uno"):
            words[unit + "cento"] = uv * 100  # "trecento"
    words["mille"] = 1000  # "oltre mille invasori"
    return words


_IT_WORDS = _italian_words()
_SIMPLE_WORDS = {**_UK_WORDS, **_IT_WORDS}

_EN_WORD = "|".join(sorted(list(_EN_UNITS) + list(_EN_TENS), key=len, reverse=True))
_EN_G = rf"(?:{_EN_WORD})(?:[- ](?:{_EN_WORD}))?"
_EN_H = rf"{_EN_G}(?:\s+hundred(?:\s+(?:and\s+)?{_EN_G})?)?"
_EN_SEQ = re.compile(  # "one thousand one hundred fifty", "two hundred and five", "eleven hundred"
    rf"(?<![\w'’-]){_EN_H}(?:\s+thousand(?:\s+(?:and\s+)?{_EN_H})?)?"
    r"(?![\w'’]|-(?!\s))",  # "seven- and 15-thousand": a hyphen left hanging
    re.I,
)
_UK_HUNDREDS = {"сто": 100, "двісті": 200, "триста": 300, "чотириста": 400, "шістсот": 600, "сімсот": 700}
_UK_HUNDREDS["вісімсот"] = 800
for _apostrophe in "'’ʼ":
    _UK_HUNDREDS.update({f"п{_apostrophe}ятсот": 500, f"дев{_apostrophe}ятсот": 900})
_SIMPLE_WORDS.update(_UK_HUNDREDS)
# "тисячу" counts only with words after it ("тисячу сто п'ятдесят"): "понад тисяча" alone is a round "over a thousand"
_SUMMED = {**_SIMPLE_WORDS, "тисяча": 1000, "тисячу": 1000}


_IT_COMPOUND = re.compile(r"(?<![\w'’])[a-zé]*(?:cento|cent(?=ottanta|otto\b)|mille|mila)[a-zé]*(?![\w'’])", re.I)


def _it_below_thousand(word: str) -> int | None:
    """ "centoquarantuno" 141, "trecentocinque" 305, "centottanta" 180, "" 0."""
    if not word:
        return 0
    head, sep, rest = word.partition("cent")
    if not sep:
        return _IT_WORDS.get(word) if _IT_WORDS.get(word, 100) < 100 else None
    hundreds = 1 if head == "" else _IT_UNITS.get(head)
    rest = rest[1:] if rest.startswith("o") and not rest.startswith("ott") else rest
    rest = "o" + rest if rest.startswith("tt") else rest  # "centottanta": cento + ottanta
    tail = _it_below_thousand(rest) if "cent" not in rest else None
    if hundreds is None or hundreds > 9 or tail is None or tail >= 100:
        return None
    return hundreds * 100 + tail


def _it_value(word: str) -> int | None:
    """An Italian number written as one word: "milleduecento" 1200, "duemilatrecento" 2300, "centoquarantuno" 141."""
    word = word.lower()
    thousands, rest = 0, word
    if word.startswith("mille"):
        thousands, rest = 1, word[5:]
    elif "mila" in word:
        head, _, rest = word.partition("mila")
        thousands = _it_below_thousand(head)
        if not thousands:
            return None
    low = _it_below_thousand(rest)
    return None if low is None else thousands * 1000 + low


def _word_value(rx: re.Pattern, words: str) -> int | None:
    if rx is _IT_COMPOUND:
        return _it_value(words)
    if rx is _EN_SEQ:
        return _en_value(words)
    total, current = 0, 0
    for w in words.lower().split():
        if w.startswith("тисяч"):
            total, current = total + max(current, 1) * 1000, 0
        elif w in _SUMMED:
            current += _SUMMED[w]
        else:
            return None
    return total + current


def _alt(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


_UK_TENS = _alt(w for w, v in _UK_WORDS.items() if v >= 20 and v % 10 == 0 and v < 100)
_UK_UNITS = _alt(w for w, v in _UK_WORDS.items() if v < 20)
_UK_H = _alt(_UK_HUNDREDS)
# "сто сорок один", "двісті п'ять", "тисячу сто п'ятдесят": Ukrainian numbers are words in order, summed
_UK_SMALL = rf"(?:{_UK_H}(?:\s+{_UK_TENS})?(?:\s+{_UK_UNITS})?|{_UK_TENS}\s+{_UK_UNITS})"
_UK_ANY = rf"(?:{_UK_SMALL}|{_UK_TENS}|{_UK_UNITS})"
_UK_SEQ = (  # "одна тисяча сто п'ятдесят", "дві тисячі сто", "тисячу сто п'ятдесят", "сто сорок один"
    rf"(?:{_UK_ANY}\s+)?тисяч[уаі]?\s+{_UK_ANY}|{_UK_SMALL}"
)
_OTHER_WORD = re.compile(
    r"(?<![\w'’ʼ])(?:" + _UK_SEQ + "|" + _alt(_SIMPLE_WORDS) + r")(?![\w'’ʼ])",
    re.I,
)


def _en_value(text: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word == "and":
            continue
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


# --------------------------------------------------------------------------- digits


def parse_figure(text: str) -> tuple[int | None, float | None, str | None]:
    """(integer value, decimal value, problem) of a digit blob such as ``574,690`` or ``1.2``.

    An integer: plain digits or groups of three after a 1-3 digit head, one separator kind throughout
    (``,`` ``.`` ``'`` ``’`` or a space).  A decimal: digits, one ``.`` or ``,`` and 1-2 digits, usable
    only with a multiplier (1.2 million).  Anything else is a problem, never a guess.
    """
    raw = text.strip().lstrip("+-−")
    if raw and raw[0] in ",.":
        return None, None, f"figure {text!r} starts with a separator (digits missing)"
    if raw.isdigit():
        return int(raw), None, None
    seps = [c for c in raw if not c.isdigit()]
    groups = re.split(r"[,.'’ \u00a0\u202f\u2009]", raw)
    kinds = {" " if s in SPACES else s for s in seps}
    if len(kinds) == 1:
        sep = kinds.pop()
        if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            if sep in ",." and len(groups) == 2 and groups[0] == "0":
                return None, float(raw.replace(",", ".")), None  # 0.5
            return int("".join(groups)), None, None
        if sep in ",." and len(groups) == 2 and 1 <= len(groups[1]) <= 2:
            return None, float(groups[0] + "." + groups[1]), None
        return None, None, f"figure {text!r} has digit groups that are not thousands"
    # two separator kinds: thousands with one, a decimal fraction with the other (1,234.5 / 1.234,5)
    last = seps[-1]
    head, _, frac = raw.rpartition(last)
    if last in ",." and 1 <= len(frac) <= 2 and frac.isdigit():
        value, _, problem = parse_figure(head)
        if value is not None:
            return None, float(f"{value}.{frac}"), None
    return None, None, f"figure {text!r} mixes separators"


def scan(text: str, skip: list[tuple[int, int]] | None = None) -> list[NumberMention]:
    """Every number mention of ``text`` (digits, multipliers, words), in order; spans in ``skip`` (dates)
    are left out."""
    skip = sorted(skip or [])

    def skipped(a: int, b: int) -> bool:
        return any(a < e and s < b for s, e in skip)

    out: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    for rx, why in (
        (_GARBLED, "has a letter where a digit belongs"),
        (_SPLIT_GROUP, "has a space in a group"),
        (_CUT_END, "is cut where the text ends"),
        (_ODD_GROUPS, "has digit groups of odd sizes"),
    ):
        for m in rx.finditer(text):
            if skipped(m.start(), m.end()) or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if rx is _ODD_GROUPS and all(len(g) == 3 for g in m.group().split()[1:]):
                continue  # "13 770 (+34)" is a figure
            out.append(NumberMention(m.start(), m.end(), m.group(), None, f"figure {m.group()!r} {why}"))
            taken.append((m.start(), m.end()))
    for m in _TYS.finditer(text):
        if not skipped(m.start(), m.end()):
            out.append(NumberMention(m.start(), m.end(), m.group(), int(m.group(1)) * 1000 + int(m.group(2))))
            taken.append((m.start(), m.end()))
    for m in _BLOB.finditer(text):
        a, b = m.start(), m.end()
        if skipped(a, b) or any(a < e and s < b for s, e in taken):
            continue
        if a >= 2 and text[a - 1] == "-" and text[a - 2].isalpha():
            continue  # a model name: Su-34, T-90, Ka-52
        value, dec, problem = parse_figure(m.group())
        end = b
        if problem is None:
            for rx, factor in _MULTIPLIERS:
                mm = rx.match(text, b)
                if mm:
                    base = value if value is not None else dec
                    value, dec, end = int(round(base * factor)), None, mm.end()
                    break
        out.append(
            NumberMention(
                a,
                end,
                text[a:end],
                value if problem is None and dec is None else None,
                problem,
                decimal=dec is not None,
            )
        )
        taken.append((a, end))
    for rx, value in _ROUNDED:
        for m in rx.finditer(text):
            a, b = m.start(), m.end()
            if skipped(a, b) or any(a < e and s < b for s, e in taken):
                continue
            out.append(NumberMention(a, b, m.group(), value, words=True))
            taken.append((a, b))
    for rx in (_EN_SEQ, _OTHER_WORD, _IT_COMPOUND):
        for m in rx.finditer(text):
            a, b = m.start(), m.end()
            if skipped(a, b) or any(a < e and s < b for s, e in taken):
                continue
            value = _word_value(rx, m.group())
            if value is None or value < 0:
                continue
            end = b
            for mrx, factor in _MULTIPLIERS:
                mm = mrx.match(text, b)
                if mm:
                    value, end = value * factor, mm.end()
                    break
            out.append(NumberMention(a, end, text[a:end], value, words=True))
            taken.append((a, end))
    out.extend(_articles_in_a_list(text, out, skipped))
    out.sort(key=lambda n: n.start)
    return out


# ", an infantry fighting vehicle", "and a helicopter", "and a German-made Leopard tank"
_ARTICLE = re.compile(r"(?:(?<=, )|(?<= and ))an?(?= (?:[a-z]|[A-Z][\w.]*-(?:made|built|supplied)\b))")


def _articles_in_a_list(text: str, found: list[NumberMention], skipped) -> list[NumberMention]:
    """ "three tanks, an infantry fighting vehicle and four pickup trucks": an article among listed figures is one
    (it becomes a claim only with a category noun after it, as any number)."""
    out = []
    for m in _ARTICLE.finditer(text):
        a = m.start()
        if skipped(a, m.end()) or not any(a - 40 <= n.end < a and "." not in text[n.end : a] for n in found):
            continue
        out.append(NumberMention(a, m.end(), m.group(), 1, words=True))
    return out
