"""Parsers: one raw document (bytes as fetched) to the Observations it carries.

    parse_document(source, body, url, content_type=None) -> list[Observation]

``source`` is ``'minfin'``, ``'mod'`` or ``'russianwarship'``.  What every parser reads goes through
the one validation step, :func:`etl.losses.parsers.validate.check` (dates not in the future nor before the
war, integer totals within per-category bounds, an increase not above its total, one bulletin per
day; see docs/bad-input.md), then through :func:`finalize`, the category checks all sources share:

* a document that yields nothing is a ParseError (field ``page``);
* zeros for categories not yet reported are not observations and are dropped: a 0 before the
  category's first day (the russianwarship API carries zero counters for cruise missiles before
  2022-05-01 and submarines before 2023-09-14), and, for a source that zero-fills
  (:data:`_ZERO_FILLS`: the API), any 0 on a day the category is not required yet (its 2022-02-25
  record has 0 artillery systems, MLRS, vehicles... that the bulletin of the day did not report);
* for russianwarship only, a frozen counter of an ended category is dropped (its
  ``atgm_srbm_systems`` keeps the SRBM launcher count after 2022-04-30);
* any other figure printed for a day its category is not valid on (``etl.domain.categories``) is **kept,
  with a note** (``Observation.note``, ``core.observation.note``): real sources sometimes print a
  category outside its official dates (the API's ``atgm_srbm_systems`` = 1 on 2022-02-27).  It is not
  a reason to refuse the document; the quality gate keeps such a figure out of the accepted series
  and reports it (``out_of_validity``);
* every category :func:`etl.domain.categories.required_on` the day must be there (field ``category:<code>``,
  problem ``missing on <day>``), except those in :data:`NEVER_REPORTS` for that source (the API has no
  field for military vehicles, fuel tanks or prisoners of war before the merge) and in
  :data:`MAY_LACK` (the API's ground robotic systems: no known key).  Nothing is ever zero-filled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from etl.domain import categories
from etl.domain.model import SOURCES, Observation, Parsed, ParseError
from etl.losses.parsers import validate

# Categories a source structurally cannot provide: the completeness check does not ask them of it.
# russianwarship: its schema has no military-vehicle, fuel-tank or POW field (before 2022-05-01 its
# vehicles_fuel_tanks holds the two summed, see etl.losses.parsers.russianwarship).
NEVER_REPORTS: dict[str, frozenset[str]] = {
    "minfin": frozenset(),
    "mod": frozenset(),
    "russianwarship": frozenset({"military_vehicles", "fuel_tanks", "pow"}),
}

# Sources that print 0 for a category they have no figure for (the API's schema has every field on
# every day): such a 0 on a day the category is not required is "not reported", not a count.
_ZERO_FILLS = frozenset({"russianwarship"})

# Categories a source may or may not carry: read when present, never asked of it.  The API: no client
# seen up to 2026 reads a key for ground robotic systems, so it may not carry them at all (or under a
# key nobody knows yet: etl.losses.parsers.russianwarship reads past it and etl.losses.source_keys raises an alert).
MAY_LACK: dict[str, frozenset[str]] = {
    "russianwarship": frozenset({"ground_robots"}),
}

# Sources whose counters for ended categories run on after the category ended (dropped, not an error).
_CARRIES_FROZEN_COUNTERS = frozenset({"russianwarship"})


def parse_document(source: str, body: bytes, url: str, content_type: str | None = None) -> Parsed:
    """Parse one fetched document of ``source``; raises :class:`etl.domain.model.ParseError` when it cannot.
    The list returned also carries the keys the document printed that the parser does not know
    (:class:`~etl.domain.model.Parsed`)."""
    if source == "minfin":
        from etl.losses.parsers import minfin as module
    elif source == "mod":
        from etl.losses.parsers import mod as module
    elif source == "russianwarship":
        from etl.losses.parsers import russianwarship as module
    else:
        raise ParseError(str(source), url, "source", f"unknown source (expected one of {', '.join(SOURCES)})")
    read = module.parse(body, url, content_type)
    observations = finalize(source, url, validate.check(source, url, read))
    return Parsed(observations, getattr(read, "new_keys", ()))


def finalize(source: str, url: str, observations: list[Observation]) -> list[Observation]:
    """Validity and completeness checks shared by all sources; returns the observations kept, sorted.

    Runs after ``validate.check`` (bounds, signs, dates), so every figure here is already in range."""
    if not observations:
        raise ParseError(source, url, "page", "no loss figures found (empty or redesigned page)")
    kept: list[Observation] = []
    outside: list[Observation] = []
    for obs in observations:
        cat = categories.BY_CODE.get(obs.category)
        if cat is None:  # a parser bug rather than a page problem, but say so in the same terms
            raise ParseError(source, url, f"category:{obs.category}", "not a category of etl.domain.categories")
        if obs.cumulative == 0 and (
            obs.as_of < cat.valid_from or (source in _ZERO_FILLS and not cat.required_on(obs.as_of))
        ):
            continue  # a category not (yet) reported: no observation
        if cat.valid_on(obs.as_of):
            kept.append(obs)
            continue
        if cat.valid_to is not None and obs.as_of > cat.valid_to and source in _CARRIES_FROZEN_COUNTERS:
            continue
        outside.append(obs if obs.note else replace(obs, note=outside_validity_note(cat, obs.as_of)))
    check_complete(source, url, kept)
    return sorted(kept + outside, key=lambda o: (o.as_of, o.category))


def outside_validity_note(cat: categories.Category, day: date) -> str:
    """The note an observation printed outside its category's validity carries."""
    return (
        f"out_of_validity: printed on {day.isoformat()}, outside the category's validity "
        f"{cat.valid_from.isoformat()}..{cat.valid_to.isoformat() if cat.valid_to else ''}"
    )


def check_complete(source: str, url: str, observations: list[Observation]) -> None:
    """Every day present must carry every category required on it (less what the source never reports)."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for obs in observations:
        by_day[obs.as_of].add(obs.category)
    skip = NEVER_REPORTS.get(source, frozenset()) | MAY_LACK.get(source, frozenset())
    for day in sorted(by_day):
        missing = [c.code for c in categories.required_on(day) if c.code not in by_day[day] and c.code not in skip]
        if missing:
            # name the first in the field (one field per error), all of them in the problem
            others = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
            raise ParseError(source, url, f"category:{missing[0]}", f"missing on {day.isoformat()}{others}")


__all__ = [
    "parse_document",
    "finalize",
    "check_complete",
    "outside_validity_note",
    "NEVER_REPORTS",
    "MAY_LACK",
    "SOURCES",
]
