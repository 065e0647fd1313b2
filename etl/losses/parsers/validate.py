"""The one validation step between every parser and the load (called once, by etl.losses.parsers.parse_document).

A parser turns a document into :class:`etl.domain.model.Observation` objects; before any source-specific
rule (``etl.losses.parsers.finalize``: validity and completeness of categories) and long before the load,
:func:`check` holds every observation of every source to the same contract, in this order:

1. **dates** (field ``as_of``): a day after today in Kyiv (``etl.domain.calendar.kyiv_today``, which
   honours ``ATTRITION_TODAY``) is a *future date*; a day before 2022-02-24 is *before the war*.
   The date comes first, so a page dated 2030 is refused as a future date, not for a category
   missing "on 2030-05-20".
2. **figures** (field ``category:<code>``): the total is an ``int`` (never a float or a boolean),
   not negative (a negative total is an error, never a dropped sign) and at most the category's
   bound in :data:`BOUNDS`; the printed increase, when there is one, is an ``int``, at most the
   total (``tanks ‒ 1880 (+800000)`` cannot be) and, when negative (a correction), no larger
   than the bound.  The bounds keep figures far inside PostgreSQL's ``bigint`` too, so a total
   of 10^30 is refused by name here instead of ending the load in ``bigint out of range``.
3. **one bulletin per day** (field ``category:<code>``): the same category on the same day twice
   with different figures means the document carries two different bulletins for that day (two
   pages glued together); it is refused.  Exact repeats are folded into one observation.

Every refusal is a :class:`etl.domain.model.ParseError`: ``source: URL: field: problem`` on one line.
"""

from __future__ import annotations

from datetime import date

from etl.domain import calendar, categories
from etl.domain.model import Observation, ParseError

# Per-category upper bounds for a cumulative count.  Chosen with a wide margin (about 10x or more)
# over the largest figure any reference dataset in ../shared/reference/datasets carries up to
# 2026-08-08 (the second column, PetroIvaniuk/2022-Ukraine-Russia-War-Dataset; the other datasets
# are lower or equal, bar one scraper error of 11,589,420 personnel in andriilive's db.json), so a
# real figure never trips them while a typo of several digits, an overflow or a unit mix-up does.
# The same table is in docs/bad-input.md (tests/test_bad_input.py checks that the two agree).
BOUNDS: dict[str, int] = {
    #  code                 bound        largest seen
    "personnel": 10_000_000,  # 1,456,610
    "tanks": 100_000,  # 12,251
    "armored_vehicles": 250_000,  # 25,099
    "artillery": 500_000,  # 47,580
    "mlrs": 50_000,  # 2,009
    "air_defense": 50_000,  # 1,556
    "aircraft": 10_000,  # 439
    "helicopters": 10_000,  # 354
    "drones": 10_000_000,  # 449,606 (and growing fastest)
    "cruise_missiles": 500_000,  # 5,007
    "ships_boats": 10_000,  # 35
    "submarines": 1_000,  # 2
    "vehicles_fuel_tanks": 2_000_000,  # 131,417
    "special_equipment": 500_000,  # 4,504
    "ground_robots": 1_000_000,  # 2,162 (reported since 2026-05-03)
    "military_vehicles": 100_000,  # 1,701 (ended 2022-04-30)
    "fuel_tanks": 10_000,  # 76 (ended 2022-04-30)
    "srbm_launchers": 1_000,  # 4 (2022-03-26..04-30)
    "pow": 100_000,  # 496 (until 2022-04-27)
}
assert set(BOUNDS) == set(categories.BY_CODE), "every category needs a bound"

WAR_START = calendar.WAR_START


def check(source: str, url: str, observations: list[Observation], today: date | None = None) -> list[Observation]:
    """Validate what a parser read from one document; returns it with exact repeats folded.

    ``today`` defaults to today in Kyiv (``etl.domain.calendar.kyiv_today``).  Raises ParseError.
    """
    if today is None:
        from etl.domain.calendar import kyiv_today

        today = kyiv_today()  # a malformed ATTRITION_TODAY: a SettingError (a setting to fix, not a bad document)
    for obs in observations:  # the common case in one comparison; the checks below say what is wrong
        day = obs.as_of
        if type(day) is not date or not WAR_START <= day <= today:
            check_date(source, url, day, today)
    for obs in observations:
        check_figures(source, url, obs)
    return one_bulletin_per_day(source, url, observations)


def check_date(source: str, url: str, day, today: date) -> None:
    if not isinstance(day, date):
        raise ParseError(source, url, "as_of", f"not a date ({day!r})")
    if day > today:
        raise ParseError(source, url, "as_of", f"future date {day.isoformat()} (today in Kyiv is {today.isoformat()})")
    if day < WAR_START:
        raise ParseError(
            source, url, "as_of", f"date {day.isoformat()} is before the war began ({WAR_START.isoformat()})"
        )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_figures(source: str, url: str, obs: Observation) -> None:
    bound = BOUNDS.get(obs.category)
    total, increase = obs.cumulative, obs.increase
    if (
        bound is not None
        and type(total) is int
        and 0 <= total <= bound
        and (increase is None or (type(increase) is int and -bound <= increase <= total))
    ):
        return  # the common case in one test; what follows says what is wrong
    field = f"category:{obs.category}"
    if bound is None:  # a parser bug rather than a page problem, but say so in the same terms
        raise ParseError(source, url, field, "not a category of etl.domain.categories")
    if not _is_int(total):
        raise ParseError(source, url, field, f"total {total!r} is not an integer")
    if total < 0:
        raise ParseError(source, url, field, f"negative total {total}")
    if total > bound:
        raise ParseError(source, url, field, f"total {total} out of bounds (at most {bound:,} for {obs.category})")
    if increase is None:
        return
    if not _is_int(increase):
        raise ParseError(source, url, field, f"increase {increase!r} is not an integer")
    if increase > total:
        raise ParseError(source, url, field, f"increase {increase:+d} exceeds the total {total}")
    if increase < -bound:
        raise ParseError(
            source,
            url,
            field,
            f"increase {increase:+d} out of bounds (at most {bound:,} either way for {obs.category})",
        )


def one_bulletin_per_day(source: str, url: str, observations: list[Observation]) -> list[Observation]:
    """The same (day, category) twice must be the same figure; exact repeats are folded."""
    seen: dict[tuple[date, str], Observation] = {}
    out: list[Observation] = []
    for obs in observations:
        key = (obs.as_of, obs.category)
        prior = seen.get(key)
        if prior is None:
            seen[key] = obs
            out.append(obs)
            continue
        if (prior.cumulative, prior.increase, prior.qualifier) != (obs.cumulative, obs.increase, obs.qualifier):
            raise ParseError(
                source,
                url,
                f"category:{obs.category}",
                f"two different bulletins for {obs.as_of.isoformat()} in one document "
                f"({_figure(prior)} and {_figure(obs)})",
            )
    return out


def _figure(obs: Observation) -> str:
    inc = f" ({obs.increase:+d})" if obs.increase is not None else ""
    qual = f"{obs.qualifier} " if obs.qualifier else ""
    return f"{qual}{obs.cumulative}{inc}"


__all__ = ["BOUNDS", "check", "check_date", "check_figures", "one_bulletin_per_day"]
