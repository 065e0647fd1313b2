"""Exclusions that look at the whole line or sentence around a figure (used by :func:`etl.news.bind_claimant.excluded`).

* a **side story**: a "Read also: …" / "Читайте також" / "LEGGI ANCHE" line is another article's headline, so
  its figures ("strikes on Odesa port leave 3 injured") are no claims of this one;
* a **prisoner exchange**: soldiers swapped, freed or brought home ("Ukraine brought home 205 soldiers in the
  latest prisoner exchange, among them 19 wounded servicemen") are not losses; a bulletin's own count of
  prisoners taken (category ``pow``) is.
* a **bullet** ("* Two cruise missiles were downed, bringing the count to 2,199") or a **short list item** the lexicon
  does not know ("41,901 vehicles and tanks", "Rotary-wing craft: 326") does not
  end its list.
"""

from __future__ import annotations

import re

SIDE_STORY = re.compile(
    r"\W*(?:read (?:also|more)|see also|also read|related|more on this|читайте (?:також|більше)|дивіться також"
    r"|leggi anche|leggi pure|potrebbe interessarti)\b",
    re.I,
)
PRISONER_SWAP = re.compile(
    r"(?<![\w])(?:(?:prisoner )?(?:swap|exchange)|freed|released from captivity|brought (?:\w+ )?home|returned home"
    r"|those returned|обмін\w*|повернул\w* додому|scambi\w*|liberat[io])(?![\w])",
    re.I,
)


def side_story(norm: str, start: int, end: int) -> bool:
    """Whether the sentence ``norm[start:end]`` is a "Read also:" line (another article's headline)."""
    return bool(SIDE_STORY.match(norm, start, end))


def prisoner_swap(norm: str, start: int, end: int) -> bool:
    """Whether the sentence or group ``norm[start:end]`` is about prisoners exchanged or freed."""
    return bool(PRISONER_SWAP.search(norm, start, end))


_LABELLED_ITEM = re.compile(r"[^\W\d][^\d:–—=]{0,58}?\s*[:–—=-]\s+(?:[^\W\d]+\s+)?\d")


def short_list_item(line: str) -> bool:
    """A short line that starts with its figure ("* 41,901 vehicles and tanks") or is a label, a dash or colon and a
    figure ("Rotary-wing craft: 326", "гелікоптери — 34"): still an item of the list, its label known or not."""
    line = line.strip().lstrip("*•▪·-–🔻⚡️🔹 ")
    return len(line) <= 80 and bool(re.match(r"\d", line) or _LABELLED_ITEM.match(line))


def bullet_item(norm: str, start: int) -> bool:
    """Whether the sentence starting at ``start`` is a bullet of a list ("* Russia's troop losses reach 486,940, with
    1,510 more over the past day"): still an item of its list, whatever it says."""
    line_start = norm.rfind("\n", 0, start) + 1
    lead = norm[line_start:start]
    return bool(lead.strip()) and not lead.strip(" *•▪·-–")
