"""General Staff figures reported in the news against the accepted bulletin series.

Compared: claims of ``ua_general_staff`` about ``ru_forces`` in a bulletin category, read without
problems, dated to a day, that are ``cumulative`` (against the series' value that day) or
``daily_increase`` (against the day's difference in the series).  Period increases and other
claimants' estimates are ``not_compared``.

* no qualifier: ``match`` when equal, else ``mismatch``;
* ``about``: ``match`` when equal, ``consistent`` within the rounding the text shows (the figure's
  trailing zeros) or 1 %, else ``mismatch``;
* ``more_than`` / ``up_to``: ``consistent`` when the series is on the right side, else ``mismatch``;
* ``no_series``: the series has no value for that day and category.

Nothing here writes to the series; :mod:`etl.news.store` turns mismatches into alerts.
"""

from __future__ import annotations

from etl.news.extract import Claim
from etl.news.lexicon import PEOPLE_CATEGORIES


def judge(value: int, qualifier: str | None, series_value: int) -> str:
    if value == series_value:
        return "match"
    if qualifier == "more_than":
        return "consistent" if series_value > value else "mismatch"
    if qualifier == "up_to":
        return "consistent" if series_value < value else "mismatch"
    if qualifier == "about":
        zeros = len(str(value)) - len(str(value).rstrip("0"))
        tolerance = max(value * 0.01, 10**zeros / 2 if zeros else 0)
        return "consistent" if abs(series_value - value) <= tolerance else "mismatch"
    return "mismatch"


def comparable(claim: Claim) -> bool:
    return (
        claim.claimant == "ua_general_staff"
        and claim.subject == "ru_forces"
        and claim.status == "ok"
        and claim.category not in PEOPLE_CATEGORIES
        and claim.value is not None
        and claim.measure in ("cumulative", "daily_increase")
        and claim.as_of is not None
        and claim.as_of_precision == "day"
    )


def compare(claims: list[Claim], series) -> list[Claim]:
    """Set ``bulletin_value`` and ``comparison`` on every claim; returns the mismatches."""
    mismatches = []
    for claim in claims:
        claim.bulletin_value = None
        if series is None or not comparable(claim):
            claim.comparison = "not_compared"
            continue
        if claim.measure == "cumulative":
            expected = series.value(claim.as_of, claim.category)
        else:
            expected = series.increase(claim.as_of, claim.category)
        if expected is None:
            claim.comparison = "no_series"
            continue
        claim.bulletin_value = expected
        claim.comparison = judge(claim.value, claim.qualifier, expected)
        if claim.comparison == "mismatch":
            mismatches.append(claim)
    return mismatches
