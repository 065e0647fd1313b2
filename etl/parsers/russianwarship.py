"""The russianwarship.rip JSON API, v2.

Three shapes, all under ``{"message": ..., "data": ...}``:

* ``/api/v2/statistics/latest`` and ``/api/v2/statistics/{YYYY-MM-DD}``: ``data`` is one record;
* ``/api/v2/statistics?offset&limit&date_from&date_to``: ``data`` is
  ``{"paging": {..., "next_url": ...}, "records": [record, ...]}`` (field names checked against
  public API clients: ``data.records`` and ``data.paging.next_url``).  A bare list of records, at
  ``data`` or at the top level, is accepted too.

A record is ``{"date": "YYYY-MM-DD", "day": N, "resource": url, "stats": {key: n}, "increase": {key: n}}``
(some responses add ``war_status``; extra record fields are ignored).  Stats keys map to categories
through the ``russianwarship`` aliases of ``etl.categories`` (``personnel_units``, ``armoured_fighting_vehicles``,
``aa_warfare_systems``, ``planes``, ``uav_systems``, ``warships_cutters``, ``special_military_equip``...).
The ground-robotic-systems key was not found in any public client; ``ground_robotic_systems`` is
mapped, and any other unknown key is a ParseError (a schema change must not pass silently).

Before 2022-05-01 the API forces the old categories into its new fields: ``vehicles_fuel_tanks`` holds
military vehicles only (→ ``military_vehicles``), ``atgm_srbm_systems`` holds the mobile SRBM launchers
(→ ``srbm_launchers``, which ended 2022-04-30: the frozen counter after that is dropped by
``etl.parsers.finalize``).  Fuel tanks and prisoners of war have no field: the completeness check does
not ask them of this source (``etl.parsers.NEVER_REPORTS``).  Zero counters for categories not yet
reported (cruise missiles before 2022-05-01, submarines before 2023-09-14) are dropped.

The API has no qualifier: personnel is stored unqualified (the bulletins' "about" is not in the data).
"""
from __future__ import annotations

import json
from datetime import date

from etl import categories
from etl.model import Observation, ParseError
from etl.parsers import common

SOURCE = "russianwarship"

def parse(body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    text = common.decode(body, content_type, SOURCE, url)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(SOURCE, url, "page", f"not JSON: {exc}") from None
    records = _records(doc, url)
    observations: list[Observation] = []
    seen: set[date] = set()
    for index, record in enumerate(records):
        day, obs = _record(record, url, index)
        if day in seen:
            raise ParseError(SOURCE, url, "date", f"{day.isoformat()} appears twice")
        seen.add(day)
        observations.extend(obs)
    return observations


def _records(doc, url: str) -> list:
    data = doc.get("data") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and "data" not in doc:
        raise ParseError(SOURCE, url, "page", "no 'data' member (redesigned API?)")
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "records" in data:
            if not isinstance(data["records"], list):
                raise ParseError(SOURCE, url, "page", "'data.records' is not a list")
            return data["records"]
        if "stats" in data:
            return [data]
    raise ParseError(SOURCE, url, "page", "'data' is neither a record nor a list of records")


def _record(record, url: str, index: int) -> tuple[date, list[Observation]]:
    if not isinstance(record, dict):
        raise ParseError(SOURCE, url, "page", f"record {index} is not an object")
    raw_day = record.get("date")
    try:
        day = date.fromisoformat(str(raw_day)[:10])
    except ValueError:
        raise ParseError(SOURCE, url, "date", f"record {index} has no YYYY-MM-DD date ({raw_day!r})") from None
    stats = record.get("stats")
    if not isinstance(stats, dict) or not stats:
        raise ParseError(SOURCE, url, "page", f"record {day.isoformat()} has no 'stats' object")
    increase = record.get("increase") or {}
    if not isinstance(increase, dict):
        raise ParseError(SOURCE, url, "page", f"record {day.isoformat()} has an 'increase' that is not an object")
    observations = []
    for key, value in stats.items():
        code = category_of(key, day)
        if code is None:
            raise ParseError(SOURCE, url, f"label:{key}", f"unknown stats key on {day.isoformat()}")
        if value is None:
            continue  # absent: the completeness check decides whether that is an error
        field = f"category:{code}"
        cumulative = _count(value, field, url, key)
        inc = increase.get(key)
        inc = None if inc is None else _count(inc, field, url, f"increase.{key}", signed=True)
        observations.append(Observation(day, code, cumulative, inc, None, SOURCE))
    return day, observations


def category_of(key: str, day: date) -> str | None:
    """The category an API stats key stands for on ``day`` (the pre-merge remapping included)."""
    code = categories.resolve(key, SOURCE)
    if day < categories.MERGE_DAY and code == "vehicles_fuel_tanks":
        return "military_vehicles"
    return code


def _count(value, field: str, url: str, key: str, signed: bool = False) -> int:
    if isinstance(value, bool):
        raise ParseError(SOURCE, url, field, f"{key} is a boolean ({value!r})")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        negative = signed and text[:1] in ("-", "\u2212")
        parsed = common.parse_number(text.lstrip("+-\u2212").strip())
        if parsed is None:
            raise ParseError(SOURCE, url, field, f"garbled number {value!r} in {key}")
        number = -parsed if negative else parsed
    else:
        raise ParseError(SOURCE, url, field, f"garbled number {value!r} in {key}")
    if number < 0 and not signed:
        raise ParseError(SOURCE, url, field, f"negative figure {number} in {key}")
    return number
