"""Helpers every parser shares: decoding, numbers, dashes, qualifiers, "(+N)" and loss lines.

A *loss line* is the unit all three HTML layouts print, one per category::

    <label> <dash> [qualifier] <number> [unit words] [(+N)] [unit words] [, <second item>]

``Танки — 3759 (+3)``, ``personnel ‒ about 19600 осіб,``, ``особового складу - близько 36900 (+250)
осіб ліквідовано``, ``Особовий склад — близько 5300 осіб, понад 200 полоненими`` (a second item, the
prisoners of war, riding on the personnel line in early 2022).

Qualifiers map to the two values core.observation.qualifier allows:

* ``about`` ← about, approximately, aprx., близько, приблизно, около, майже/almost/nearly;
* ``more_than`` ← more than, over, понад, більше, більш ніж, более, свыше;
* "up to" (``до``, ``up to``; minfin 2022-02-25/26: ``Танки — до 80``, ``ББМ — до 540``) is an
  approximate figure whose true value may be lower.  The model has no "at most", and leaving it
  unqualified would claim an exact count, so it becomes ``about`` (the nearest honest reading).
"""
from __future__ import annotations

import codecs
import html
import re
from datetime import date

from etl import categories
from etl.model import Observation, ParseError

# Dashes a bulletin puts between label and figure (hyphen, figure dash, en, em, horizontal bar, minus,
# non-breaking hyphen).  ``&mdash;`` etc. arrive here already unescaped.
DASHES = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH = f"[{re.escape(DASHES)}]"

# Thousands separators: space, NBSP, thin space, narrow NBSP, figure space, punctuation space, comma,
# apostrophe-like marks are NOT accepted (never seen, and they would hide typos).
_SEP = "[ \u00a0\u2009\u202f\u2007\u2008,]"
NUMBER_RE = re.compile(rf"\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)|\d+")

_QUALIFIER_WORDS: tuple[tuple[str, str], ...] = (
    # longest first so "more than" wins over a bare word
    ("більш ніж", "more_than"),
    ("more than", "more_than"),
    ("up to", "about"),
    ("approximately", "about"),
    ("приблизно", "about"),
    ("близько", "about"),
    ("понад", "more_than"),
    ("більше", "more_than"),
    ("более", "more_than"),
    ("свыше", "more_than"),
    ("около", "about"),
    ("almost", "about"),
    ("nearly", "about"),
    ("майже", "about"),
    ("approx.", "about"),
    ("aprx.", "about"),
    ("about", "about"),
    ("over", "more_than"),
    ("до", "about"),
)
_QUALIFIER_MAP = dict(_QUALIFIER_WORDS)
QUALIFIER_RE = "(?:" + "|".join(re.escape(w) for w, _ in _QUALIFIER_WORDS) + ")"

# A candidate loss line: a short label, a dash, then something that starts like a figure (a
# qualifier, a digit or the "(+N)" bracket).  The label is lazy so "UAV operational-tactical level ‒
# 124" splits at the spaced dash: the hyphen inside the label is followed by letters, not a figure.
LOSS_LINE_RE = re.compile(
    rf"^\s*(?P<label>[^\d\n]+?)\s*{_DASH}\s*(?P<value>(?:{QUALIFIER_RE}\s+)?[\d(].*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
MAX_LABEL_CHARS = 70  # a longer "label" is prose with a dash in it, not a loss line

_INCREASE_RE = re.compile(rf"\(\s*(?P<sign>[+{re.escape(DASHES)}]?)\s*(?P<num>[^()]*?)\s*\)")
_WORDS_RE = re.compile(r"^[^\d()]*$")  # unit words: anything without digits or brackets
_SECOND_ITEM_SPLIT = re.compile(rf",\s+(?=(?:{QUALIFIER_RE}\s+)?\d)", re.IGNORECASE)
_SECOND_ITEM_RE = re.compile(
    rf"^(?:(?P<qual>{QUALIFIER_RE})\s+)?(?P<num>{NUMBER_RE.pattern})\s*(?P<words>[^\d()]+?)[\s.,;:]*$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- decoding

def decode(body: bytes, content_type: str | None, source: str, url: str) -> str:
    """Bytes to text: the Content-Type charset when given, else UTF-8, else a <meta> charset, else cp1251."""
    if body is None or not body.strip():
        raise ParseError(source, url, "page", "empty document")
    charset = None
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if m:
            charset = m.group(1)
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            raise ParseError(source, url, "encoding", f"unknown charset {charset!r} in Content-Type") from None
        try:
            return body.decode(charset).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise ParseError(source, url, "encoding", f"body is not valid {charset}: {exc}") from None
    try:
        return body.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        pass
    head = body[:4096].decode("ascii", errors="replace")
    m = re.search(r"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", head, re.IGNORECASE)
    if m and m.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return body.decode(m.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    # minfin served windows-1251 in its early years; it decodes any byte sequence but 0x98.
    try:
        return body.decode("windows-1251")
    except UnicodeDecodeError as exc:
        raise ParseError(source, url, "encoding", f"neither UTF-8 nor windows-1251: {exc}") from None


# --------------------------------------------------------------------------- text helpers

def clean_text(text: str) -> str:
    """Unescape entities, fold every kind of whitespace to one space, strip."""
    text = html.unescape(text)
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def html_to_lines(fragment: str) -> list[str]:
    """A fragment of HTML to its visible lines (block ends and <br> break lines)."""
    fragment = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1\s*>", " ", fragment)
    fragment = re.sub(r"(?is)<!--.*?-->", " ", fragment)
    fragment = re.sub(r"(?i)<br\s*/?>|</?(?:p|li|ul|ol|div|h[1-6]|tr|td|th|table|section|article|dd|dt)\b[^>]*>",
                      "\n", fragment)
    fragment = re.sub(r"<[^>]+>", "", fragment)
    lines = []
    for raw in html.unescape(fragment).split("\n"):
        line = clean_text(raw)
        if line:
            lines.append(line)
    return lines


def parse_number(text: str) -> int | None:
    """The integer a whole string spells (thousands separators allowed), else None."""
    text = text.strip()
    m = NUMBER_RE.fullmatch(text)
    if not m:
        return None
    return int(re.sub(r"\D", "", text))


def qualifier_of(word: str | None) -> str | None:
    if not word:
        return None
    return _QUALIFIER_MAP[re.sub(r"\s+", " ", word.strip().lower())]


# --------------------------------------------------------------------------- loss lines

class LossItem:
    """One parsed loss figure before it is tied to a day: label, category, figure, "(+N)", qualifier."""

    __slots__ = ("label", "category", "cumulative", "increase", "qualifier")

    def __init__(self, label: str, category: str, cumulative: int, increase: int | None, qualifier: str | None):
        self.label, self.category, self.cumulative = label, category, cumulative
        self.increase, self.qualifier = increase, qualifier

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"LossItem({self.label!r}, {self.category}, {self.cumulative}, {self.increase}, {self.qualifier})"


def split_loss_line(line: str) -> tuple[str, str] | None:
    """(label, value) when the line has the shape of a loss line, else None (prose, headings)."""
    m = LOSS_LINE_RE.match(clean_text(line))
    if not m:
        return None
    label = m.group("label").strip()
    if not re.search(r"[^\W\d_]", label) or len(label) > MAX_LABEL_CHARS:
        return None
    return label, m.group("value")


def resolve_label(label: str, source: str) -> str | None:
    """The category of a printed label; a bilingual ``'особового складу / personnel'`` resolves when
    its halves agree."""
    code = categories.resolve(label, source)
    if code:
        return code
    parts = [p for p in re.split(r"\s*/\s*", label) if p.strip()]
    if len(parts) > 1:
        codes = {categories.resolve(p, source) for p in parts}
        codes.discard(None)
        if len(codes) == 1:
            return codes.pop()
    return None


def _parse_increase(text: str, field: str, source: str, url: str) -> int:
    m = _INCREASE_RE.fullmatch(text.strip())
    num = parse_number(m.group("num")) if m else None
    if num is None:
        raise ParseError(source, url, field, f"garbled increase {text.strip()!r}")
    return -num if m.group("sign") and m.group("sign") != "+" else num


def parse_value(value: str, category: str, source: str, url: str) -> tuple[int, int | None, str | None, str]:
    """``'близько 199460 осіб (+580)'`` → (199460, 580, 'about', tail).  Raises ParseError when garbled.

    The tail is whatever follows a ``', '`` that starts a second item (see :func:`parse_loss_line`).
    """
    field = f"category:{category}"
    text = clean_text(value)
    head, *rest = _SECOND_ITEM_SPLIT.split(text, maxsplit=1)
    tail = rest[0] if rest else ""
    m = re.match(rf"^(?:(?P<qual>{QUALIFIER_RE})\s+)?(?P<num>{NUMBER_RE.pattern})", head, re.IGNORECASE)
    if not m:
        raise ParseError(source, url, field, f"no cumulative figure in {value.strip()!r}")
    cumulative = int(re.sub(r"\D", "", m.group("num")))
    qualifier = qualifier_of(m.group("qual"))
    after = head[m.end():]
    increase = None
    bracket = re.search(r"\(", after)
    if bracket:
        words_before, remainder = after[: bracket.start()], after[bracket.start():]
        close = remainder.find(")")
        if close < 0:
            raise ParseError(source, url, field, f"garbled number {value.strip()!r} (unclosed bracket)")
        increase = _parse_increase(remainder[: close + 1], field, source, url)
        words_after = remainder[close + 1:]
    else:
        words_before, words_after = after, ""
    # Unit words ("од", "осіб", "persons were liquidated") carry no digits: "3 7x9" leaves " 7x9" after
    # the 3 and "12..5" leaves "..5" after the 12, so both are garbled.
    for words in (words_before, words_after):
        if not _WORDS_RE.match(words):
            raise ParseError(source, url, field, f"garbled number {value.strip()!r}")
    return cumulative, increase, qualifier, tail


def parse_second_item(text: str, source: str, url: str) -> LossItem:
    """``'понад 200 полоненими'`` → a LossItem for pow (qualifier more_than)."""
    m = _SECOND_ITEM_RE.match(clean_text(text))
    if not m:
        raise ParseError(source, url, "page", f"cannot read the trailing item {text!r}")
    words = m.group("words").strip()
    code = resolve_label(words, source)
    if code is None:
        raise ParseError(source, url, f"label:{words}", f"unknown loss label in trailing item {text!r}")
    return LossItem(words, code, int(re.sub(r"\D", "", m.group("num"))), None, qualifier_of(m.group("qual")))


def parse_loss_line(line: str, source: str, url: str) -> list[LossItem] | None:
    """The loss items on one line; None when the line is not a loss line at all.

    Raises ParseError for a loss-shaped line with an unknown label or a garbled figure.
    """
    split = split_loss_line(line)
    if split is None:
        return None
    label, value = split
    code = resolve_label(label, source)
    if code is None:
        raise ParseError(source, url, f"label:{label}", f"unknown loss label in {clean_text(line)!r}")
    cumulative, increase, qualifier, tail = parse_value(value, code, source, url)
    items = [LossItem(label, code, cumulative, increase, qualifier)]
    while tail:
        head, *rest = _SECOND_ITEM_SPLIT.split(tail, maxsplit=1)
        items.append(parse_second_item(head, source, url))
        tail = rest[0] if rest else ""
    return items


def items_to_observations(items: list[LossItem], day: date, source: str, url: str) -> list[Observation]:
    """LossItems of one day to Observations; the same category twice must agree."""
    seen: dict[str, Observation] = {}
    for item in items:
        obs = Observation(day, item.category, item.cumulative, item.increase, item.qualifier, source)
        prior = seen.get(item.category)
        if prior is not None and (prior.cumulative, prior.increase) != (obs.cumulative, obs.increase):
            raise ParseError(source, url, f"category:{item.category}",
                             f"reported twice on {day.isoformat()} with different figures "
                             f"({prior.cumulative} and {obs.cumulative})")
        seen.setdefault(item.category, obs)
    return list(seen.values())
