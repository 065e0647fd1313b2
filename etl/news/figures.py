"""Stage 3b: a number mention read as a figure, before its category is looked for: a range ("7,000 to 15,000",
"between 7 and 15 thousand"), a qualifier before or after it ("over", "близько", "circa", "or more"), a bracketed daily
increase right after it ("(+1180)", "(up 26)", "(plus nine)", "(0)"), and what is never a loss figure (money, a share,
a number, a time of day).  :mod:`etl.news.mentions` binds the figure to its category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.news import lexicon as lx
from etl.news import numbers as numbers_mod
from etl.news.text import Sentence

_QUAL_BEFORE = [(re.compile(r"(?<![\w'])(?:" + p + r")\s*$", re.I), q) for p, q in lx.QUALIFIER_BEFORE]
_QUAL_AFTER = [(re.compile(r"^\s*(?:" + p + r")", re.I), q) for p, q in lx.QUALIFIER_AFTER]
_CURRENCY = re.compile(lx.CURRENCY_BEFORE, re.I)
_NOT_COUNT = re.compile(lx.NOT_COUNT_AFTER, re.I)
_RANGE_CONN = re.compile(lx.RANGE_CONNECTOR, re.I)
_RANGE_BEFORE = re.compile(lx.RANGE_BEFORE, re.I)
_RISE_BEFORE = re.compile(lx.RISE_BEFORE, re.I)
_BRACKET = re.compile(
    r"(?:\s+(?:units?|pcs\.?|од\.?|одиниц[ьі]|unità)(?![\w]))?\s*[(\[]\s*"  # "10,100 units (+7)"
    r"(?:(?:[+↑▲]\s*|up\s+|plus\s+|(?:всього|загалом|усього|in total|total|totale|in tutto)\s+)?(?=\d)"
    r"|(?:up|plus)\s+(?=[a-z]))"
)  # "(plus nine)", "(всього 880 000)": a total the bind stage tells from a change by its word
# the day's change after a total without brackets: "Tanks: 3,175, +14", "3,175 / +14", "3,175 ↑14", "3,175\t+14"
_SIGNED = re.compile(r"[ \t]*(?:[,/|][ \t]*)?(?:\+|↑|▲)[ \t]*(?=\d)")
_ONE_NAMED = re.compile(
    r"\s+(?:of (?:them|those|these|which)|dei quali|di questi|з них)\s*,?\s*(?:an?|the|un[oa']?|il|la|lo)\s", re.I
)
_MULTIPLIER = re.compile(r"thousand|тис|тисяч|mila|million|млн|мільйон|milion", re.I)


def qualifier_before(norm: str, start: int, sent_start: int) -> tuple[str | None, int]:
    pre = norm[max(sent_start, start - 30) : start]
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


def not_a_count(norm: str, s: Sentence, n: numbers_mod.NumberMention) -> bool:
    """Money, a share, a number ("#3", "№ 5"), a time of day: never a loss figure."""
    pre = norm[max(s.start, n.start - 12) : n.start]
    if _CURRENCY.search(pre) or _NOT_COUNT.match(norm, n.end, s.end):
        return True
    if n.start >= 1 and norm[n.start - 1] in "#№":
        return True
    if n.value == 1 and _ONE_NAMED.match(norm, n.end, s.end):
        return True  # "340 aircraft, one of them an A-50": the one named, not a count of its own
    return bool(re.match(r"\s*(?::\d|[ap]\.?m\b)", norm[n.end : n.end + 6], re.I))  # a time: 3:55 AM


def _range(
    norm: str, s: Sentence, n: numbers_mod.NumberMention, nxt: numbers_mod.NumberMention | None
) -> tuple[int, int] | None:
    """(low, high) when ``n`` opens a range with the next mention: 7,000 to 15,000 / between 7 and 15 thousand."""
    if nxt is None or n.value is None or nxt.value is None:
        return None
    conn = norm[n.end : nxt.start]
    if not _RANGE_CONN.fullmatch(conn):
        return None
    word = conn.strip().lower()
    before = norm[max(s.start, n.start - 40) : n.start]
    if word in ("and", "e", "a", "або", "or") and not _RANGE_BEFORE.search(before):
        return None  # "11 tanks and nine" is two figures; "between 7 and 15" is a range
    if _RISE_BEFORE.search(before) or re.search(r"(?<![\w])by\s*$", before, re.I):
        return None  # "rose from 380,000 to 400,000", "grew by 20 to 4,537": a change, not an estimate
    lo, hi = n.value, nxt.value
    mult = _MULTIPLIER.search(nxt.text)
    if mult and (re.fullmatch(r"[\d.,' ]+", n.text) or n.words and not _MULTIPLIER.search(n.text)):
        factor = 1_000_000 if re.search(r"mil|млн|мільйон", mult.group(), re.I) else 1000
        if lo * factor <= hi:
            lo *= factor
    return (lo, hi) if lo < hi else None


def bracket_after(norm: str, s: Sentence, nums: list, i: int, at: int) -> tuple[int | None, tuple[int, int] | None]:
    """(index of the mention, span) of a bracketed increase right after a total: (+1180) / (up 26) / (0)."""
    bm = _BRACKET.match(norm, at, s.end)
    if bm:
        for j in range(i + 1, min(i + 3, len(nums))):
            if nums[j].start == bm.end() or nums[j].start == bm.end() - 1 and norm[nums[j].start] == "+":
                # "(+9 nelle ultime 24 ore)": the day said in the bracket
                close = re.match(r"\s*(?:[^()\[\]\d]|(?<!\d)24(?!\d)){0,40}?\s*[)\]]", norm[nums[j].end : s.end], re.I)
                if close:
                    return j, (bm.start() + len(bm.group()) - len(bm.group().lstrip()), nums[j].end + close.end())
                break
        return None, None
    sm = _SIGNED.match(norm, at, s.end)
    if sm:
        for j in range(i + 1, min(i + 2, len(nums))):
            starts = (sm.end(), sm.end() - 1)
            if nums[j].start in starts and re.match(r"[ \t]*(?:[,;]|$)", norm[nums[j].end : s.end]):
                a = sm.start() + len(sm.group()) - len(sm.group().lstrip(" \t,/|"))
                return j, (a, nums[j].end)
        return None, None
    m0 = re.match(r"\s*\(\s*0\s*\)", norm[at : s.end])
    if m0:
        for j in range(i + 1, min(i + 2, len(nums))):
            if nums[j].start < at + m0.end():
                return j, (at + m0.start() + (len(m0.group()) - len(m0.group().lstrip())), at + m0.end())
    return None, None


@dataclass
class Figure:
    """A number with what is read right around it, before its category is looked for."""

    n: numbers_mod.NumberMention
    value: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    qual_start: int
    after: int  # where the figure (with its qualifier and bracket) ends
    bracket: numbers_mod.NumberMention | None = None
    bracket_span: tuple[int, int] | None = None


def read_figure(norm: str, s: Sentence, nums: list, i: int, consumed: set[int]) -> Figure:
    n = nums[i]
    low = high = None
    value, anchor_end = n.value, n.end
    rng = _range(norm, s, n, nums[i + 1] if i + 1 < len(nums) else None)
    if rng is not None:
        low, high, value = rng[0], rng[1], None
        anchor_end = nums[i + 1].end
        consumed.add(i + 1)
    qual, qual_start = qualifier_before(norm, n.start, s.start)
    qual_after, anchor_end2 = _qualifier_after(norm, anchor_end)
    fig = Figure(n, value, low, high, qual or qual_after, qual_start, anchor_end2)
    if low is None:
        j, span = bracket_after(norm, s, nums, i, anchor_end2)
        if j is not None:
            fig.bracket, fig.bracket_span, fig.after = nums[j], span, span[1]
            consumed.add(j)
    return fig
