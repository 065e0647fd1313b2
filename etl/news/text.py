"""Text helpers: a same-length normalized copy of an article, and its sentences with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.news.dates import MONTHS_IT_ABBR_RX
from etl.news.tables import relayout

# one character for one character, so offsets into the normalized text are offsets into the original
_FOLD = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "\t": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)


def fold(text: str) -> str:
    """The text with spaces, quotes, apostrophes and dashes made uniform; same length as ``text``."""
    out = relayout(text.translate(_FOLD))
    assert len(out) == len(text)
    return out


ABBREVIATIONS = {
    "col",
    "gen",
    "lt",
    "maj",
    "sgt",
    "capt",
    "cpt",
    "adm",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "sen",
    "rep",
    "gov",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "no",
    "nos",
    "approx",
    "est",
    "inc",
    "co",
    "corp",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "fig",
    "ca",
    "тис",
    "млн",
    "од",  # "10 100 од. (+7 од.)": units
    "шт",
    "pcs",
    "ст",
    "ім",
    "р",
    "див",
    "ген",
    "полк",
    "грн",
    "sig",
    "gen.le",
    "mld",
    "mln",
    "pp",
    "op",
    "cit",
    "al",
}


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int
    line: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


_DAY_MONTH_ABBR = re.compile(rf"(?<!\d)\d{{1,2}}\s+(?:{MONTHS_IT_ABBR_RX})$", re.I)
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
_BULLET_SPLIT = re.compile(r"\s[*•▪·]\s")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` ends an abbreviation (Col., Feb., U.S.) rather than a sentence."""
    m = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if not m:
        return False
    word = m.group(1)
    if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word):  # U.S, U.K, single initials
        return True
    if _DAY_MONTH_ABBR.search(text, max(0, dot - 12), dot):  # an agency dateline's "6 lug.", "14 sett."
        return True
    return word.lower().rstrip(".") in ABBREVIATIONS


def sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (already folded), split at line breaks, bullets and sentence ends."""
    out: list[Sentence] = []
    paragraph, line_no = 0, 0
    pos = 0
    lines = text.split("\n")
    blank_run = False
    for raw_line in lines:
        line_start = pos
        pos += len(raw_line) + 1
        if not raw_line.strip():
            if not blank_run and out:
                paragraph += 1
            blank_run = True
            continue
        blank_run = False
        # pieces separated by inline bullets
        cuts = [0]
        for m in _BULLET_SPLIT.finditer(raw_line):
            cuts.append(m.start() + 1)
        cuts.append(len(raw_line))
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece_start = a
            for m in _BOUNDARY.finditer(raw_line, a, b):
                end = m.end()
                nxt = raw_line[end:b].lstrip()
                if not nxt:
                    continue
                if raw_line[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(raw_line, m.start()):
                    continue
                if not (nxt[0].isupper() or nxt[0] in "\"'(«[*•-" or nxt[0].isdigit() and raw_line[m.start()] != "."):
                    continue
                _add(out, raw_line, line_start, piece_start, end, paragraph, line_no)
                piece_start = end
            _add(out, raw_line, line_start, piece_start, b, paragraph, line_no)
        line_no += 1
    return out


def _add(out: list[Sentence], line: str, offset: int, a: int, b: int, paragraph: int, line_no: int) -> None:
    piece = line[a:b]
    lead = len(piece) - len(piece.lstrip(" *•▪·"))
    trail = len(piece) - len(piece.rstrip())
    a2, b2 = a + lead, b - trail
    if b2 > a2:
        out.append(Sentence(len(out), offset + a2, offset + b2, paragraph, line_no))
