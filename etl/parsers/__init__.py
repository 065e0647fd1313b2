"""Parsers: one raw document (bytes as fetched) to the Observations it carries.

    parse_document(source, body, url, content_type=None) -> list[Observation]

``source`` is ``'minfin'``, ``'mod'`` or ``'russianwarship'``.  What every parser reads goes through
the one validation step, :func:`etl.parsers.validate.check` (dates not in the future nor before the
war, integer totals within per-category bounds, an increase not above its total, one bulletin per
day; see docs/bad-input.md), then through :func:`finalize`, the category checks all sources share:

* a document that yields nothing is a ParseError (field ``page``);
* a category printed for a day it is not valid on (``etl.categories``) is an error, except a 0 for a
  category not yet reported (the russianwarship API carries zero counters for cruise missiles before
  2022-05-01 and submarines before 2023-09-14) and, for russianwarship only, a frozen counter of an
  ended category (its ``atgm_srbm_systems`` keeps the SRBM launcher count after 2022-04-30) - both
  are dropped, never stored;
* every category :func:`etl.categories.required_on` the day must be there (field ``category:<code>``,
  problem ``missing on <day>``), except those in :data:`NEVER_REPORTS` for that source (the API has no
  field for fuel tanks or prisoners of war).  Nothing is ever zero-filled.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from etl import categories
from etl.model import SOURCES, Observation, ParseError
from etl.parsers import validate


# Categories a source structurally cannot provide: the completeness check does not ask them of it.
# russianwarship: its schema has no fuel-tank or POW field (before 2022-05-01 its vehicles_fuel_tanks
# holds military vehicles only, see etl.parsers.russianwarship).
NEVER_REPORTS: dict[str, frozenset[str]] = {
    "minfin": frozenset(),
    "mod": frozenset(),
    "russianwarship": frozenset({"fuel_tanks", "pow"}),
}

# Sources whose counters for ended categories run on after the category ended (dropped, not an error).
_CARRIES_FROZEN_COUNTERS = frozenset({"russianwarship"})


def parse_document(source: str, body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    """Parse one fetched document of ``source``; raises :class:`etl.model.ParseError` when it cannot."""
    if source == "minfin":
        from etl.parsers import minfin as module
    elif source == "mod":
        from etl.parsers import mod as module
    elif source == "russianwarship":
        from etl.parsers import russianwarship as module
    else:
        raise ParseError(str(source), url, "source", f"unknown source (expected one of {', '.join(SOURCES)})")
    observations = validate.check(source, url, module.parse(body, url, content_type))
    return finalize(source, url, observations)


def finalize(source: str, url: str, observations: list[Observation]) -> list[Observation]:
    """Validity and completeness checks shared by all sources; returns the observations kept, sorted."""
    if not observations:
        raise ParseError(source, url, "page", "no loss figures found (empty or redesigned page)")
    kept: list[Observation] = []
    for obs in observations:
        cat = categories.BY_CODE.get(obs.category)
        if cat is None:  # a parser bug rather than a page problem, but say so in the same terms
            raise ParseError(source, url, f"category:{obs.category}", "not a category of etl.categories")
        if obs.cumulative < 0:
            raise ParseError(source, url, f"category:{obs.category}", f"negative figure {obs.cumulative}")
        if cat.valid_on(obs.as_of):
            kept.append(obs)
            continue
        if obs.as_of < cat.valid_from and obs.cumulative == 0:
            continue
        if cat.valid_to is not None and obs.as_of > cat.valid_to and source in _CARRIES_FROZEN_COUNTERS:
            continue
        raise ParseError(
            source, url, f"category:{obs.category}",
            f"reported on {obs.as_of.isoformat()} but valid only {cat.valid_from.isoformat()}.."
            f"{cat.valid_to.isoformat() if cat.valid_to else ''}",
        )
    check_complete(source, url, kept)
    return sorted(kept, key=lambda o: (o.as_of, o.category))


def check_complete(source: str, url: str, observations: list[Observation]) -> None:
    """Every day present must carry every category required on it (less what the source never reports)."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for obs in observations:
        by_day[obs.as_of].add(obs.category)
    skip = NEVER_REPORTS.get(source, frozenset())
    for day in sorted(by_day):
        missing = [c.code for c in categories.required_on(day) if c.code not in by_day[day] and c.code not in skip]
        if missing:
            # name the first in the field (one field per error), all of them in the problem
            others = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
            raise ParseError(source, url, f"category:{missing[0]}", f"missing on {day.isoformat()}{others}")


__all__ = ["parse_document", "finalize", "check_complete", "NEVER_REPORTS", "SOURCES"]
