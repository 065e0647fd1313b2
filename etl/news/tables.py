"""A table in the text read as a list: each row of a pipe table becomes, in the normalised copy, a bulletin line of
the same length ("| Tanks | 3,175 | +14 |" -> "  Tanks : 3,175 ( +14 )"), so the list syntax reads it.

The header row says which column is the total and which the day's change ("Total", "Past day", "Change", "Всього",
"За добу", "Totale", "Nelle ultime 24 ore"); a change column first is written with an arrow ("Tanks : +14 → 3,175"),
the syntax of "change → total" digests. A cell with no digit ("–": no change) is blanked.
"""

from __future__ import annotations

import re

_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)
_RULE = re.compile(r"^[\s|:+=-]+$")
_TOTAL = re.compile(r"total|cumulative|overall|all\b|since|всього|усього|загалом|totale|complessiv|dall'inizio", re.I)
_DAY = re.compile(r"day|daily|change|24|добу|доба|змін|giorno|giornata|variazion|\+", re.I)


def _pipes(line: str) -> list[int]:
    return [i for i, ch in enumerate(line) if ch == "|"]


def _columns(header: str) -> tuple[int | None, int | None]:
    """(total column, day column) of a header row, columns counted after the label's."""
    cells = header.strip().strip("|").split("|")[1:]
    day = next((i for i, c in enumerate(cells) if _DAY.search(c) and not _TOTAL.search(c)), None)
    total = next((i for i, c in enumerate(cells) if i != day and _TOTAL.search(c)), None)
    if total is None and day is not None and len(cells) == 2:
        total = 1 - day
    return total, day


def _row(line: str, total: int | None, day: int | None) -> str:
    chars = list(line)
    pipes = _pipes(line)
    if len(pipes) < 3:
        return line
    cells = [(pipes[k] + 1, pipes[k + 1]) for k in range(1, len(pipes) - 1)]
    keep = {total if total is not None else 0}
    if day is not None and day < len(cells) and re.search(r"\d", line[cells[day][0] : cells[day][1]]):
        keep.add(day)
    for k, (a, b) in enumerate(cells):
        if k not in keep:
            chars[a:b] = " " * (b - a)
    for p in pipes:
        chars[p] = " "
    chars[pipes[1]] = ":"
    if len(keep) == 2 and total is not None and day is not None:
        first, second = sorted(keep)
        if first == total:  # "3,175 ( +14 )": the day's change in brackets after the total
            chars[pipes[second + 1]], chars[pipes[second + 2]] = "(", ")"
        else:  # "+14 → 3,175": the change, then the total
            chars[pipes[second + 1]] = "→"
    return "".join(chars)


def relayout(text: str) -> str:
    """``text`` with its pipe tables written as bulletin lines; same length."""
    if "|" not in text:
        return text
    out = list(text)
    header: tuple[int | None, int | None] | None = None
    last_end = -2
    for m in _ROW.finditer(text):
        line = m.group()
        if m.start() != last_end + 1:
            header = None  # a new table
        last_end = m.end()
        if _RULE.match(line):
            out[m.start() : m.end()] = " " * len(line)
        elif header is None and not re.search(r"\d", line):
            header = _columns(line)
            out[m.start() : m.end()] = " " * len(line)  # read for its columns only
        else:
            total, day = header or (0, None)
            out[m.start() : m.end()] = _row(line, total, day)
    return "".join(out)
