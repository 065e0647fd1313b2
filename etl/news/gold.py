"""The compact gold format of the written corpus parts (``tests/fixtures/news/{dev,test}/gold.txt``).

One block per article, one line per claim::

    == t01_ki_daily_2025-01-09.txt
    gs ru personnel cum 806510 - 2025-01-09 explicit "806,510"
    us ru killed range 100000-120000 about 2024-12 explicit "100,000 and 120,000"
    gs ru tanks period 78 - 2024-07-28 explicit from=2024-07-22 "78 tanks"
    other ru killed cum 95000 more - - "95,000"

Fields: claimant (``gs``, ``rumod``, ``ukmod``, ``nato``, ``us``, ``other``), subject (``ru``, ``ua``),
category, measure (``cum``, ``day``, ``period``, ``range``), value (``N``, ``LOW-HIGH`` for a range, ``?``
for an unparseable figure), qualifier (``-``, ``about``, ``more``, ``upto``), as_of (``YYYY-MM-DD``,
``YYYY-MM`` or ``YYYY`` for month or year precision, ``-``), date method (``explicit``, ``weekday``,
``relative``, ``series`` for ``series_match``, ``-`` for unresolved), optional ``from=YYYY-MM-DD``
(period_start), and the evidence text in quotes (a piece of text the extracted span must contain).
An article with no claims has a block header and no lines.  Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from etl.errors import InputError

CLAIMANT = {
    "gs": "ua_general_staff",
    "rumod": "ru_defense_ministry",
    "ukmod": "uk_defence_ministry",
    "nato": "nato",
    "us": "us_intelligence",
    "other": "other",
}
SUBJECT = {"ru": "ru_forces", "ua": "ua_forces"}
MEASURE = {"cum": "cumulative", "day": "daily_increase", "period": "period_increase", "range": "estimate_range"}
QUALIFIER = {"-": None, "about": "about", "more": "more_than", "upto": "up_to"}
METHOD = {
    "explicit": "explicit",
    "weekday": "weekday",
    "relative": "relative",
    "series": "series_match",
    "-": "unresolved",
}


class GoldError(InputError):
    pass


def _as_of(text: str) -> tuple[str | None, str | None]:
    if text == "-":
        return None, None
    parts = text.split("-")
    if len(parts) == 3:
        return text, "day"
    if len(parts) == 2:
        return text + "-01", "month"
    return text + "-01-01", "year"


def parse_line(line: str) -> dict:
    """One gold claim in the keys of ``attrition claims``."""
    words = shlex.split(line)
    if len(words) < 9:
        raise GoldError(f"gold line needs 9 fields or more: {line!r}")
    claimant, subject, category, measure, value, qualifier, as_of, method, *rest = words
    period = next((w[5:] for w in rest if w.startswith("from=")), None)
    evidence = [w for w in rest if not w.startswith("from=")]
    if len(evidence) != 1:
        raise GoldError(f"gold line needs one quoted evidence: {line!r}")
    low = high = number = None
    status = "ok"
    if value == "?":
        status = "unparseable"
    elif measure == "range":
        low, high = (int(v) for v in value.split("-"))
    else:
        number = int(value)
    day, precision = _as_of(as_of)
    try:
        return {
            "claimant": CLAIMANT[claimant],
            "subject": SUBJECT[subject],
            "category": category,
            "measure": MEASURE[measure],
            "value": number,
            "low": low,
            "high": high,
            "qualifier": QUALIFIER[qualifier],
            "period_start": period,
            "as_of": day,
            "as_of_precision": precision,
            "date_method": METHOD[method],
            "evidence": evidence[0],
            "status": status,
        }
    except KeyError as exc:
        raise GoldError(f"gold line has an unknown code {exc}: {line!r}") from None


def load(path: Path) -> dict[str, list[dict]]:
    """{article file name: [gold claims]} of a gold.txt."""
    out: dict[str, list[dict]] = {}
    current: list[dict] | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            current = out.setdefault(line[3:].strip(), [])
            continue
        if current is None:
            raise GoldError(f"{path}:{n}: a claim before the first '== article' line")
        try:
            current.append(parse_line(line))
        except (GoldError, ValueError) as exc:
            raise GoldError(f"{path}:{n}: {exc}") from None
    return out
