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

from etl.domain import categories
from etl.domain.model import Observation, ParseError

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
# qualifier, a digit, a minus sign stuck to a digit, or the "(+N)" bracket).  The label is lazy so
# "UAV operational-tactical level ‒ 124" splits at the spaced dash: the hyphen inside the label is
# followed by letters, not a figure.  A sign stuck to the digits is part of the value: without it
# in the pattern, "tanks ‒ -1880" would split as label "tanks ‒" and value "1880" and the sign would
# be lost; with it the value is "-1880", a negative total the validation step refuses.  "tanks -- 1880"
# (a doubled dash, sign not stuck to the digits) still reads 1880.
_MINUS = f"{_DASH}(?=\\d)"
LOSS_LINE_RE = re.compile(
    rf"^\s*(?P<label>[^\d\n]+?)\s*{_DASH}\s*(?P<value>(?:{QUALIFIER_RE}\s+)?(?:{_MINUS})?[\d(].*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
# More digits than any bound needs (etl.losses.parsers.validate.BOUNDS; bigint has 19): such a figure is
# refused where it is read, before Python's int() limit (4300 digits) could raise a bare ValueError.
MAX_DIGITS = 100
MAX_LABEL_CHARS = 70  # a longer "label" is prose with a dash in it, not a loss line

_INCREASE_RE = re.compile(rf"\(\s*(?P<sign>[+{re.escape(DASHES)}]?)\s*(?P<num>[^()]*?)\s*\)")
_WORDS_RE = re.compile(r"^[^\d()]*$")  # unit words: anything without digits or brackets
# A value's head: qualifier, sign and the cumulative figure (parse_value).
_CUMULATIVE_RE = re.compile(
    rf"^(?:(?P<qual>{QUALIFIER_RE})\s+)?(?P<sign>{_DASH})?(?P<num>{NUMBER_RE.pattern})", re.IGNORECASE
)
_SECOND_ITEM_SPLIT = re.compile(rf",\s+(?=(?:{QUALIFIER_RE}\s+)?\d)", re.IGNORECASE)
_SECOND_ITEM_RE = re.compile(
    rf"^(?:(?P<qual>{QUALIFIER_RE})\s+)?(?P<num>{NUMBER_RE.pattern})\s*(?P<words>[^\d()]+?)[\s.,;:]*$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- decoding

_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})


def decode(body: bytes, content_type: str | None, source: str, url: str) -> str:
    """Bytes to text, by the charset the document declares; a declaration that does not fit is refused.

    * a UTF-8 byte-order mark means UTF-8 (as browsers read it);
    * else the Content-Type header's charset, else the page's own ``<meta ... charset>`` (or an XML
      declaration's encoding) - the declared charset must decode the whole body, and a single-byte
      charset (windows-1251, latin-1...) declared for a body that is valid multi-byte UTF-8 is a wrong
      declaration (such charsets decode any bytes, into mojibake): both are ParseErrors of field
      ``encoding`` that name the charset and where it was declared;
    * nothing declared: UTF-8, else windows-1251 (minfin served it in its early years).
    """
    if body is None or not body.strip():
        raise ParseError(source, url, "page", "empty document")
    header = None
    if content_type:
        m = _HEADER_CHARSET_RE.search(content_type)
        header = m.group(1) if m else None
    head = body[:4096]
    m = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    meta = m.group(1).decode("ascii", errors="replace") if m else None
    if body.startswith(codecs.BOM_UTF8):
        return _decode_declared(body[len(codecs.BOM_UTF8) :], "utf-8", "its byte-order mark", source, url)
    if header:
        hint = f" (the page's <meta> declares {meta})" if meta and _codec_name(meta) != _codec_name(header) else ""
        return _decode_declared(body, header, "the Content-Type header", source, url, hint)
    if meta:
        return _decode_declared(body, meta, "the page's <meta>", source, url)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # minfin served windows-1251 in its early years; it decodes any byte sequence but 0x98.
    try:
        return body.decode("windows-1251")
    except UnicodeDecodeError as exc:
        raise ParseError(
            source,
            url,
            "encoding",
            f"no charset declared and the body is neither UTF-8 nor windows-1251 ({_where(exc)})",
        ) from None


def _codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _where(exc: UnicodeDecodeError) -> str:
    return f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"


def _decode_declared(body: bytes, charset: str, where: str, source: str, url: str, hint: str = "") -> str:
    name = _codec_name(charset)
    if name is None:
        raise ParseError(source, url, "encoding", f"unknown charset {charset!r} declared in {where}")
    try:
        text = body.decode(name)
    except UnicodeDecodeError as exc:
        raise ParseError(
            source,
            url,
            "encoding",
            f"{where} declares charset {charset} but the body is not valid {charset} ({_where(exc)}){hint}",
        ) from None
    if name not in _UTF8_NAMES and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise ParseError(
                source,
                url,
                "encoding",
                f"{where} declares charset {charset} but the body is UTF-8 "
                f"(read as {charset} it would be mojibake){hint}",
            )
    return text.lstrip("\ufeff")


_HTML_END_RE = re.compile(r"</html\s*>", re.IGNORECASE)
_DOCUMENT_CLOSERS_RE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)


def html_selector(text: str):
    """A parsel Selector over the whole text, even when it holds more than one HTML document.

    lxml stops reading at the first ``</html>``: a second page glued after it would be silently
    ignored.  When anything but whitespace follows the first ``</html>``, the ``</body>`` and
    ``</html>`` end tags are dropped so that every glued page lands in the one body, and the
    parsers see (and refuse, see etl.losses.parsers.validate) two different bulletins for one day.
    """
    from parsel import Selector

    m = _HTML_END_RE.search(text)
    if m and text[m.end() :].strip():
        text = _DOCUMENT_CLOSERS_RE.sub("", text)
    return Selector(text=text, type="html")  # never guessed: a JSON body is not a page of these sources


# --------------------------------------------------------------------------- text helpers


# Compiled once (the module-level re functions look each pattern up again on every call: a rebuild
# reads about 90,000 loss lines, each through several of them).
_SPACES_RE = re.compile(r"\s+")
_NON_DIGITS_RE = re.compile(r"\D")
_LETTER_RE = re.compile(r"[^\W\d_]")


def clean_text(text: str) -> str:
    """Unescape entities, drop zero-width spaces, fold every kind of whitespace (no-break and thin
    spaces among them) to one space, strip.  ``str.split()`` splits on exactly what ``\\s`` matches
    (checked over every code point); four times faster than a regex and three replaces."""
    text = html.unescape(text)
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    return " ".join(text.split())


def html_to_lines(fragment: str) -> list[str]:
    """A fragment of HTML to its visible lines (block ends and <br> break lines)."""
    fragment = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1\s*>", " ", fragment)
    fragment = re.sub(r"(?is)<!--.*?-->", " ", fragment)
    # A line break in the HTML source is whitespace, as a browser shows it: "tanks ‒\n 1263" is one line.
    fragment = re.sub(r"\r\n?|\n", " ", fragment)
    fragment = re.sub(
        r"(?i)<br\s*/?>|</?(?:p|li|ul|ol|div|h[1-6]|tr|td|th|table|section|article|dd|dt)\b[^>]*>", "\n", fragment
    )
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
    digits = _NON_DIGITS_RE.sub("", text)
    return int(digits) if len(digits) <= MAX_DIGITS else None


def to_int(digits_text: str, field: str, source: str, url: str) -> int:
    """The integer a matched figure spells; a figure of more than MAX_DIGITS digits is refused by name."""
    digits = _NON_DIGITS_RE.sub("", digits_text)
    if len(digits) > MAX_DIGITS:
        raise ParseError(source, url, field, f"total of {len(digits)} digits out of bounds")
    return int(digits)


def qualifier_of(word: str | None) -> str | None:
    if not word:
        return None
    return _QUALIFIER_MAP[_SPACES_RE.sub(" ", word.strip().lower())]


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
    if not _LETTER_RE.search(label) or len(label) > MAX_LABEL_CHARS:
        return None
    return label, m.group("value")


def resolve_label(label: str, source: str, extra: dict[str, str] | None = None) -> str | None:
    """The category of a printed label; a bilingual ``'особового складу / personnel'`` resolves when
    its halves agree.  ``extra``: a parser's own labels (keys folded with
    :func:`etl.domain.categories.normalize_label`), consulted after the category contract's aliases."""

    def one(text: str) -> str | None:
        code = categories.resolve(text, source)
        if code is None and extra:
            code = extra.get(categories.normalize_label(text))
        return code

    code = one(label)
    if code:
        return code
    parts = [p for p in re.split(r"\s*/\s*", label) if p.strip()]
    if len(parts) > 1:
        codes = {one(p) for p in parts}
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
    m = _CUMULATIVE_RE.match(head)
    if not m:
        raise ParseError(source, url, field, f"no cumulative figure in {value.strip()!r}")
    cumulative = to_int(m.group("num"), field, source, url)
    if m.group("sign"):
        cumulative = -cumulative  # kept, never dropped: etl.losses.parsers.validate refuses a negative total
    qualifier = qualifier_of(m.group("qual"))
    after = head[m.end() :]
    increase = None
    bracket = after.find("(")
    if bracket >= 0:
        words_before, remainder = after[:bracket], after[bracket:]
        close = remainder.find(")")
        if close < 0:
            raise ParseError(source, url, field, f"garbled number {value.strip()!r} (unclosed bracket)")
        increase = _parse_increase(remainder[: close + 1], field, source, url)
        words_after = remainder[close + 1 :]
    else:
        words_before, words_after = after, ""
    # Unit words ("од", "осіб", "persons were liquidated") carry no digits: "3 7x9" leaves " 7x9" after
    # the 3 and "12..5" leaves "..5" after the 12, so both are garbled.
    for words in (words_before, words_after):
        if not _WORDS_RE.match(words):
            raise ParseError(source, url, field, f"garbled number {value.strip()!r}")
    return cumulative, increase, qualifier, tail


def parse_second_item(text: str, source: str, url: str, extra: dict[str, str] | None = None) -> LossItem:
    """``'понад 200 полоненими'`` → a LossItem for pow (qualifier more_than)."""
    m = _SECOND_ITEM_RE.match(clean_text(text))
    if not m:
        raise ParseError(source, url, "page", f"cannot read the trailing item {text!r}")
    words = m.group("words").strip()
    code = resolve_label(words, source, extra)
    if code is None:
        raise ParseError(source, url, f"label:{words}", f"unknown loss label in trailing item {text!r}")
    return LossItem(
        words, code, to_int(m.group("num"), f"category:{code}", source, url), None, qualifier_of(m.group("qual"))
    )


# The lines read so far: {(line, source, id(extra)): (extra, items or None)}.  The same line recurs
# (a month page repeats its newest day, a bulletin is read from its page and its search reply, the
# units' lines of consecutive days are alike: about a third of a rebuild's 90,000); what it gives does
# not depend on the URL, which only an error names, and an error is never kept (it is raised again).
# ``extra`` is kept with the items, so its id names that table while the entry lives.
_LINES: dict[tuple[str, str, int], tuple[dict[str, str] | None, list[LossItem] | None]] = {}
_LINES_CAP = 100_000  # about 20 MB at most; the whole history has about 56,000 distinct lines


def parse_loss_line(line: str, source: str, url: str, extra: dict[str, str] | None = None) -> list[LossItem] | None:
    """The loss items on one line; None when the line is not a loss line at all.

    Raises ParseError for a loss-shaped line with an unknown label or a garbled figure.  ``extra``:
    see :func:`resolve_label`.
    """
    key = (line, source, id(extra))
    kept = _LINES.get(key)
    if kept is not None and kept[0] is extra:
        return None if kept[1] is None else list(kept[1])
    items = _read_loss_line(line, source, url, extra)
    if len(_LINES) >= _LINES_CAP:
        _LINES.clear()
    _LINES[key] = (extra, None if items is None else list(items))
    return items


def _read_loss_line(line: str, source: str, url: str, extra: dict[str, str] | None) -> list[LossItem] | None:
    split = split_loss_line(line)
    if split is None:
        return None
    label, value = split
    code = resolve_label(label, source, extra)
    if code is None:
        raise ParseError(source, url, f"label:{label}", f"unknown loss label in {clean_text(line)!r}")
    cumulative, increase, qualifier, tail = parse_value(value, code, source, url)
    items = [LossItem(label, code, cumulative, increase, qualifier)]
    while tail:
        head, *rest = _SECOND_ITEM_SPLIT.split(tail, maxsplit=1)
        items.append(parse_second_item(head, source, url, extra))
        tail = rest[0] if rest else ""
    return items


def items_to_observations(items: list[LossItem], day: date, source: str, url: str) -> list[Observation]:
    """LossItems of one day to Observations; the same category twice must agree (two different
    figures are two bulletins in one document, see etl.losses.parsers.validate.one_bulletin_per_day)."""
    from etl.losses.parsers.validate import one_bulletin_per_day

    observations = [
        Observation(day, item.category, item.cumulative, item.increase, item.qualifier, source) for item in items
    ]
    return one_bulletin_per_day(source, url, observations)
