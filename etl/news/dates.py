"""Date mentions in news text (English, Ukrainian, Italian) and how to resolve them.

A mention is one of:

* ``date``: a day, with or without its year (``July 28, 2024``, ``Feb. 24``, ``28.07.24``, ``28 липня``,
  ``28 luglio 2024``, ``2024-07-28``);
* ``month``: a month, with or without its year (``April 2023``, ``in March``, ``у березні``, ``a marzo``);
* ``weekday``: ``Thursday``, ``у четвер``, ``giovedì``;
* ``relative``: ``today`` / ``yesterday`` (``сьогодні``, ``вчора``, ``oggi``, ``ieri``);
* ``vague``: ``last week``, ``at the time``, ``earlier this year``: a time the text does not pin down.

A day or month without a year takes the year that puts it on or before the reference day (the
publication date, or the bulletin day found by the series match) and closest to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from etl.domain import calendar

# Month tables, January first, lower-cased: the calendar's names, then the forms only news text uses.
MONTHS_EN = tuple(name.lower() for name in calendar.MONTHS_EN)
MONTHS_EN_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS_UK_GEN = calendar.MONTHS_UK_GEN
MONTHS_UK_LOC = (
    "січні",
    "лютому",
    "березні",
    "квітні",
    "травні",
    "червні",
    "липні",
    "серпні",
    "вересні",
    "жовтні",
    "листопаді",
    "грудні",
)
MONTHS_UK_NOM = tuple(name.lower() for name in calendar.MONTHS_UK)
MONTHS_IT = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
# Italian agency datelines: "KIEV, 6 NOV -", "ROMA, 20 GIU -"
MONTHS_IT_ABBR = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")
# the same as a pattern; September also as "sett"
MONTHS_IT_ABBR_RX = "|".join("sett?" if m == "set" else m for m in MONTHS_IT_ABBR)
WEEKDAYS = {
    # Monday = 0
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "понеділок": 0,
    "понеділка": 0,
    "вівторок": 1,
    "вівторка": 1,
    "середа": 2,
    "середу": 2,
    "середи": 2,
    "четвер": 3,
    "четверга": 3,
    "п'ятниця": 4,
    "п'ятницю": 4,
    "п'ятниці": 4,
    "п’ятниця": 4,
    "п’ятницю": 4,
    "п’ятниці": 4,
    "субота": 5,
    "суботу": 5,
    "суботи": 5,
    "неділя": 6,
    "неділю": 6,
    "неділі": 6,
    "lunedì": 0,
    "lunedi": 0,
    "martedì": 1,
    "martedi": 1,
    "mercoledì": 2,
    "mercoledi": 2,
    "giovedì": 3,
    "giovedi": 3,
    "venerdì": 4,
    "venerdi": 4,
    "sabato": 5,
    "domenica": 6,
}
RELATIVE = {
    "today": 0,
    "this morning": 0,
    "tonight": 0,
    "yesterday": -1,
    "last night": -1,
    "сьогодні": 0,
    "вчора": -1,
    "учора": -1,
    "oggi": 0,
    "stamattina": 0,
    "ieri": -1,
}
VAGUE = (
    r"last (?:week|month|year)|earlier this (?:week|month|year)|this (?:week|month|year)|at the time"
    r"|a (?:week|month|year) ago"
    r"|recently|previously|минулого (?:тижня|місяця|року)|на минулому тижні|раніше|la settimana scorsa"
    r"|il mese scorso|la scorsa settimana|цього (?:тижня|місяця)|questo mese|questa settimana"
)


def _month_number(word: str) -> int | None:
    w = word.lower().rstrip(".")
    for table in (MONTHS_EN, MONTHS_UK_GEN, MONTHS_UK_LOC, MONTHS_UK_NOM, MONTHS_IT):
        if w in table:
            return table.index(w) + 1
    if w in MONTHS_EN_ABBR:
        return MONTHS_EN_ABBR.index(w) + 1
    if w in ("sept", "sett"):
        return 9
    if w in MONTHS_IT_ABBR:
        return MONTHS_IT_ABBR.index(w) + 1
    return None


_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_UK_MONTH_GEN = "(?:" + "|".join(MONTHS_UK_GEN) + ")"
_UK_MONTH_LOC = "(?:" + "|".join(MONTHS_UK_LOC + MONTHS_UK_NOM) + ")"
_IT_MONTH = "(?:" + "|".join(MONTHS_IT) + ")"
_YEAR = r"(?:19|20)\d{2}"

# (regex, kind, group names) in priority order; spans already taken are not matched again.
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"), "date"),
    (re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>20\d{2}|\d{2})(?![\d])"), "date"),
    # a bulletin's yearless range "з 24.02 по 27.09": its last day
    (re.compile(r"(?:(?<=24\.02 до )|(?<=24\.02 по ))(?P<d>\d{1,2})\.(?P<m>\d{2})(?![\d]|\.\d)"), "date"),
    (
        re.compile(rf"\b(?P<mon>{_EN_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>{_YEAR}))?(?![\d,.]\d)"),
        "date",
    ),
    (
        re.compile(
            rf"(?<![\d])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_EN_MONTH})(?:,?\s+(?P<y>{_YEAR}))?\b"
        ),
        "date",
    ),
    (
        re.compile(
            rf"(?<![\d])(?P<d>\d{{1,2}})\s+(?P<mon>{_UK_MONTH_GEN})(?:\s+(?P<y>{_YEAR})(?:\s*(?:року|р\.))?)?", re.I
        ),
        "date",
    ),
    # "As of november 4" (machine copy in lower case; not "may", "march", words of their own)
    (
        re.compile(
            r"\b(?:[Aa]s of|[Oo]n|[Ss]ince|[Ff]rom|[Bb]y)\s+(?P<mon>january|february|april|june|july|august"
            rf"|september|october|november|december)\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>{_YEAR}))?(?![\d,.]\d)"
        ),
        "date",
    ),
    (re.compile(rf"(?<![\d])(?P<d>\d{{1,2}})\s+(?P<mon>{_IT_MONTH})(?:\s+(?P<y>{_YEAR}))?\b", re.I), "date"),
    (re.compile(rf"(?<![\w])(?:primo|1°|1º)\s+(?P<mon>{_IT_MONTH})(?:\s+(?P<y>{_YEAR}))?\b", re.I), "date_first"),
    (re.compile(r"(?<![\d])(?P<d>\d{1,2})\s+(?P<mon>GEN|FEB|MAR|APR|MAG|GIU|LUG|AGO|SET|OTT|NOV|DIC)\b"), "date"),
    # an agency dateline in lower case: "Kiev, 28 giu 09:35 - (Agenzia Nova)"
    (
        re.compile(
            rf"(?<![\d])(?P<d>\d{{1,2}})\s+(?P<mon>{MONTHS_IT_ABBR_RX})\b"
            rf"(?:\.?\s+(?P<y>{_YEAR}))?(?=\.?\s*(?:\d{{1,2}}[:.]\d{{2}}\s*)?(?:\([^)]{{1,40}}\)\s*)?-)",
            re.I,  # "Kiev, 30 Sett 2024 - ...", "Mosca, 14 set. (Adnkronos) -"
        ),
        "date",
    ),
    (re.compile(rf"\b(?P<mon>{_EN_MONTH}|{_IT_MONTH})\s+(?P<y>{_YEAR})\b", re.I), "month"),
    (
        re.compile(rf"(?<![\w])(?:у|в)\s+(?P<mon>{_UK_MONTH_LOC})(?:\s+(?P<y>{_YEAR})(?:\s*(?:року|р\.))?)?", re.I),
        "month",
    ),
    (
        re.compile(
            rf"(?<![\w])(?:наприкінці|на початку|в середині|у середині|до кінця|з початку)\s+(?P<mon>{_UK_MONTH_GEN})"
            rf"(?:\s+(?P<y>{_YEAR})(?:\s*(?:року|р\.))?)?",
            re.I,
        ),
        "month",
    ),
    (
        re.compile(
            # "In late September" opening a sentence too (the month's name keeps its capital: not "may", "march")
            rf"\b(?:[Ii]n|[Tt]hroughout|[Dd]uring|[Ss]ince|of|[Uu]ntil|[Ff]rom)\s+(?:early\s+|late\s+|mid-?)?"
            rf"(?P<mon>{_EN_MONTH})\b(?!\s*\d)"
        ),
        "month",
    ),
    (re.compile(rf"\b(?:a|ad|nel|nel mese di|da|dal|fino a)\s+(?P<mon>{_IT_MONTH})\b(?!\s*\d)", re.I), "month"),
    (
        re.compile(
            r"(?<![\w])(?:in|since|of|from|until|by|у|в|з|від|до|nel|dal|del|entro)\s+(?P<y>20[12]\d)\b(?![-./,]\d)",
            re.I,
        ),
        "year",
    ),
    (re.compile(r"(?<![\w.,])(?P<y>20[12]\d)\s*(?:року|р\.|рік)"), "year"),
    (
        re.compile(
            r"(?<![\w'’])(?P<wd>"
            + "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))
            + r")(?![\w])(?!['’](?!s(?![\w])))",  # "Thursday's numbers" too
            re.I,
        ),
        "weekday",
    ),
    (
        re.compile(r"(?<![\w])(?P<rel>" + "|".join(sorted(RELATIVE, key=len, reverse=True)) + r")(?![\w])", re.I),
        "relative",
    ),
    (re.compile(rf"(?<![\w])(?P<vague>{VAGUE})(?![\w])", re.I), "vague"),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: str  # date, month, year, weekday, relative, vague
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    offset: int | None = None  # relative: days from the reference day
    opens: bool = False  # the first day of a range of days ("Aug. 18-24"): a period's start
    last_year: bool = False  # "febbraio dello scorso anno", "February of last year": the year before the reference
    next_day: bool = False  # "за минулу добу, 22 листопада": the day of the losses, reported the next morning
    month_offset: int | None = None  # "said last month" (-1), "this month" (0): a month counted from the reference

    @property
    def precision(self) -> str | None:
        return {"date": "day", "weekday": "day", "relative": "day", "month": "month", "year": "year"}.get(self.kind)


# "з 25 по 31 березня", "from 22 to 28 July", "between 22 and 28 July", "dal 22 al 28 luglio": two days, one month
_SHARED_MONTH = re.compile(
    rf"(?<![\w])(?:(?:з|із|від|from|between|dal|tra il|fra il|tra l'|fra l')\s+|dall'\s*)(?P<d1>\d{{1,2}})\s*"
    rf"(?:-|по|до|to|and|through|al|e il|all'|e l')\s*"
    rf"(?P<d2>\d{{1,2}})\s+(?P<mon>{_UK_MONTH_GEN}|{_IT_MONTH}|{_EN_MONTH})(?:,?\s+(?P<y>{_YEAR})(?:\s*(?:року|р\.))?)?"
    # "between March 1 and 7", "from Aug. 11 to 18": the month first, then the two days
    rf"|(?<![\w])(?:from|between)\s+(?P<mon_b>{_EN_MONTH})\s*(?P<d1b>\d{{1,2}})\s*(?:-|to|and|through|until)\s*"
    rf"(?P<d2b>\d{{1,2}})(?![\d,.]\d|\d|\s+{_EN_MONTH})(?:,?\s+(?P<yb>{_YEAR}))?",
    re.I,
)

# "Aug. 18-24", "18-24 серпня", "18-24 agosto": a range of days without a preposition
_DAY_RANGE = re.compile(
    rf"(?<![\w])(?:(?P<mon>{_EN_MONTH}|{_IT_MONTH})\s+(?P<d1>\d{{1,2}})\s*[-–—]\s*(?P<d2>\d{{1,2}})(?![\d,.]\d|\d)"
    rf"|(?P<e1>\d{{1,2}})\s*[-–—]\s*(?P<e2>\d{{1,2}})\s+(?P<mon2>{_UK_MONTH_GEN}|{_IT_MONTH}|{_EN_MONTH}))"
    rf"(?:,?\s+(?P<y>{_YEAR})(?:\s*(?:року|р\.))?)?",
    re.I,
)


def _day_ranges(text: str, out: list, taken: list) -> None:
    for m in _DAY_RANGE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        g1, g2 = ("d1", "d2") if m.group("d1") else ("e1", "e2")
        month = _month_number(m.group("mon") or m.group("mon2"))
        year = int(m.group("y")) if m.group("y") else None
        d1, d2 = int(m.group(g1)), int(m.group(g2))
        try:
            date(year or 2024, month, d1), date(year or 2024, month, d2)
        except (TypeError, ValueError):
            continue
        if d1 >= d2:
            continue
        a = m.start("mon") if m.group("d1") else m.start(g1)
        out.append(DateMention(a, m.end(g1), text[a : m.end(g1)], "date", year, month, d1, opens=True))
        out.append(DateMention(m.start(g2), m.end(), text[m.start(g2) : m.end()], "date", year, month, d2))
        taken.append((m.start(), m.end()))


# "За минулу добу, 22 листопада, ...", "Упродовж минулої доби, 2 січня": a bulletin counts the day before it
_LOSS_DAY = re.compile(
    r"(?:за|протягом|упродовж|впродовж|за прошедшие|за минувшие)\s+(?:минул\w+|прошедш\w+|минувш\w+)?\s*"
    r"(?:доб[уи]|сутки|суток),?\s*$",
    re.I,
)

_MONTH_OFFSET = {
    "last month": -1,
    "this month": 0,
    "минулого місяця": -1,
    "цього місяця": 0,
    "il mese scorso": -1,
    "questo mese": 0,
}

_LAST_YEAR = re.compile(r"\s*(?:dello scorso anno|dell'anno scorso|of last year|last year|минулого року)\b", re.I)


def scan(text: str) -> list[DateMention]:
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for m in _SHARED_MONTH.finditer(text):
        b = "" if m.group("d1") else "b"  # the month after the days, or before them
        g1, g2, year_text = "d1" + b, "d2" + b, m.group("y" + b)
        month = _month_number(m.group("mon_b" if b else "mon"))
        year = int(year_text) if year_text else None
        try:
            for g in (g1, g2):
                date(year or 2024, month, int(m.group(g)))
        except (TypeError, ValueError):
            continue
        a = m.start("mon_b") if b else m.start(g1)
        out.append(DateMention(a, m.end(g1), text[a : m.end(g1)], "date", year, month, int(m.group(g1)), opens=True))
        out.append(
            DateMention(m.start(g2), m.end(), text[m.start(g2) : m.end()], "date", year, month, int(m.group(g2)))
        )
        taken.append((a, m.end()))
    _day_ranges(text, out, taken)
    for rx, kind in _PATTERNS:
        for m in rx.finditer(text):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken):
                continue
            g = m.groupdict()
            mention = None
            if kind == "date_first":
                kind, g = "date", {**g, "d": "1"}
            if kind in ("date", "month", "year"):
                year = g.get("y")
                y = int(year) + (2000 if year and len(year) == 2 else 0) if year else None
                mon = g.get("mon")
                month = _month_number(mon) if mon else (int(g["m"]) if g.get("m") else None)
                day = int(g["d"]) if g.get("d") else None
                if kind in ("month", "year") and (mon or kind == "year"):
                    # the preposition is context for the extractor, not part of the mention
                    a = m.start("mon") if mon else m.start("y")
                if kind != "year" and (month is None or not 1 <= month <= 12):
                    continue
                if day is not None:
                    try:
                        date(y or 2024, month, day)
                    except ValueError:
                        continue
                mention = DateMention(
                    a, b, text[a:b], kind, y, month, day, last_year=y is None and bool(_LAST_YEAR.match(text, b))
                )
                if kind == "date" and _LOSS_DAY.search(text, max(0, a - 40), a):
                    mention = replace(mention, next_day=True)
                if mention.last_year:  # "Feb. 24 last year": the words are the date's year, no date of their own
                    taken.append((b, _LAST_YEAR.match(text, b).end()))
            elif kind == "weekday":
                mention = DateMention(a, b, m.group(), kind, weekday=WEEKDAYS[m.group("wd").lower()])
            elif kind == "relative":
                mention = DateMention(a, b, m.group(), kind, offset=RELATIVE[m.group("rel").lower()])
            elif kind == "vague" and m.group().lower() in _MONTH_OFFSET:
                mention = DateMention(a, b, m.group(), "relative", month_offset=_MONTH_OFFSET[m.group().lower()])
            else:
                mention = DateMention(a, b, m.group(), kind)
            out.append(mention)
            taken.append((m.start(), m.end()))
    out.sort(key=lambda d: d.start)
    return out


# --------------------------------------------------------------------------- resolution


def with_year(month: int, day: int, reference: date, slack_days: int = 2) -> date | None:
    """The day ``month``/``day`` in the year that puts it on or before ``reference`` (+ slack), closest to it."""
    for year in (reference.year, reference.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d <= reference + timedelta(days=slack_days):
            return d
    return None


def month_year(month: int, reference: date) -> int:
    return reference.year if month <= reference.month else reference.year - 1


def last_weekday(weekday: int, reference: date) -> date:
    """The most recent ``weekday`` on or before ``reference``."""
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def resolve(mention: DateMention, reference: date | None) -> tuple[date | None, str | None]:
    """(first day, precision) a mention stands for, given the reference day; (None, None) when it cannot."""
    if mention.next_day:
        day, precision = resolve(replace(mention, next_day=False), reference and reference - timedelta(days=1))
        return (day + timedelta(days=1), precision) if day else (None, None)
    if mention.last_year and reference is not None and mention.kind in ("date", "month"):
        return date(reference.year - 1, mention.month, mention.day or 1), "day" if mention.day else "month"
    if mention.kind == "date":
        if mention.year:
            return date(mention.year, mention.month, mention.day), "day"
        if reference is None:
            return None, None
        d = with_year(mention.month, mention.day, reference)
        return (d, "day") if d else (None, None)
    if mention.kind == "month":
        year = mention.year or (month_year(mention.month, reference) if reference else None)
        return (date(year, mention.month, 1), "month") if year else (None, None)
    if mention.kind == "year":
        return date(mention.year, 1, 1), "year"
    if mention.kind == "weekday" and reference is not None:
        return last_weekday(mention.weekday, reference), "day"
    if mention.kind == "relative" and reference is not None and mention.month_offset is not None:
        first = reference.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1) if mention.month_offset else first, "month"
    if mention.kind == "relative" and reference is not None:
        return reference + timedelta(days=mention.offset), "day"
    return None, None
