"""The one calendar: the war's first day, the month names the sources print, and today in Kyiv.

* :data:`WAR_START`: 2022-02-24, the first bulletin's day (nothing before it is a loss figure).
* the month names, January first: :data:`MONTHS_EN` (``January``), :data:`MONTHS_UK` (nominative,
  ``Січень``), :data:`MONTHS_UK_GEN` (genitive, ``січня``: "24 лютого 2022"), :data:`MONTHS_UK_GEN_LATIN`
  (the genitive as mod.gov.ua transliterates it in its slugs, ``sichnya``); :func:`month_number`
  reads any of the English, nominative and genitive Ukrainian names, whatever their case.
* :func:`kyiv_today`: today in Kyiv, or the date ``ATTRITION_TODAY`` names (a replay's frozen
  "today"); the pipeline, the tasks and the spiders all use it.

The news extractor (etl/news/dates.py) has month tables of its own (locative, Italian,
abbreviations) for free text; they are not the sources' calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from etl.config import setting

WAR_START = date(2022, 2, 24)

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_UK = (
    "Січень",
    "Лютий",
    "Березень",
    "Квітень",
    "Травень",
    "Червень",
    "Липень",
    "Серпень",
    "Вересень",
    "Жовтень",
    "Листопад",
    "Грудень",
)
MONTHS_UK_GEN = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)
MONTHS_UK_GEN_LATIN = (
    "sichnya",
    "lyutogo",
    "bereznya",
    "kvitnya",
    "travnya",
    "chervnya",
    "lipnya",
    "serpnya",
    "veresnya",
    "zhovtnya",
    "listopada",
    "grudnya",
)

# lower-case name -> month number: English, Ukrainian genitive and nominative
MONTH_NUMBERS = {
    name.lower(): number
    for table in (MONTHS_EN, MONTHS_UK_GEN, MONTHS_UK)
    for number, name in enumerate(table, start=1)
}


def given_day(value: str | None, name: str, error=ValueError) -> date | None:
    """The day a user gave as ``YYYY-MM-DD`` (None when not given); anything else raises
    ``error(message)``, the message naming ``name`` (a flag, a parameter) and the value."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise error(f"{name} must be a date like 2024-12-10, not {value!r}") from None


def month_number(name: str) -> int | None:
    """1..12 for a month's English or Ukrainian (genitive or nominative) name, any case; else None."""
    return MONTH_NUMBERS.get((name or "").strip().lower())


def _kyiv():
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Kyiv")
    except Exception:  # noqa: BLE001 - no tz database: UTC+2 is close enough for "which day is it"
        return timezone(timedelta(hours=2))


KYIV = _kyiv()


def frozen_today() -> date | None:
    """The date ``ATTRITION_TODAY`` names (validated: a malformed one is a one-line SettingError), else None."""
    return setting("ATTRITION_TODAY")


def kyiv_today(now: datetime | None = None) -> date:
    """Today in Kyiv; ``ATTRITION_TODAY`` (a date) overrides it when no ``now`` is given.

    `attrition up` sets ``ATTRITION_TODAY`` to the snapshot's last day when the sources are a
    replay, so a run triggered with default parameters targets a day the replay serves.
    """
    if now is None:
        frozen = frozen_today()
        if frozen is not None:
            return frozen
    return (now or datetime.now(tz=KYIV)).astimezone(KYIV).date()
