"""The russianwarship.rip JSON API, v1 and v2.

Three shapes, all under ``{"message": ..., "data": ...}``:

* ``/api/v2/statistics/latest`` and ``/api/v2/statistics/{YYYY-MM-DD}``: ``data`` is one record;
* ``/api/v2/statistics?offset&limit&date_from&date_to``: ``data`` is
  ``{"paging": {..., "next_url": ...}, "records": [record, ...]}`` (field names checked against
  public API clients: ``data.records`` and ``data.paging.next_url``).  A bare list of records, at
  ``data`` or at the top level, is accepted too.

A record is ``{"date": "YYYY-MM-DD", "day": N, "resource": url, "stats": {key: n}}``.  v1 records
(the real 2022 replies in ../shared/reference/pages/russianwarship.rip) have no ``increase``: the
increase is None.  v2 records add ``increase {key: n}``, and the single-day replies add
``war_status {code, alias}``; extra record and envelope fields (``day``, ``resource``, ``war_status``,
``paging``, ``message``) are ignored.  Stats keys map to categories through the ``russianwarship``
aliases of ``etl.domain.categories`` (``personnel_units``, ``armoured_fighting_vehicles``,
``aa_warfare_systems``, ``planes``, ``uav_systems``, ``warships_cutters``, ``special_military_equip``...).

**Unknown keys are news, not errors.**  :data:`KNOWN_KEYS` are the keys seen in real replies plus the
anticipated ``ground_robotic_systems``.  Any other key (the API may one day carry ground robotic
systems under a key nobody reads yet) is read past: when the category aliases name it unambiguously
(``ground_robotic_complexes``: underscores fold to spaces) and no known key of the record gives that
category, it is read as that category; otherwise it yields nothing.  Either
way :func:`new_keys` lists it, and the loader records it in ``core.source_key`` and raises one
``new_source_key`` alert per key (``etl.losses.source_keys``).  A key whose value is 0 is recorded too.

Before 2022-05-01 the API forces the old categories into its new fields: ``vehicles_fuel_tanks``
holds military vehicles **plus** fuel tanks (the real replies: 365 on 2022-03-01 = 305 + 60, 1777 on
2022-04-30 = 1701 + 76), so it is stored as ``vehicles_fuel_tanks`` with a note, a category printed
outside its validity (the gate keeps it out of the accepted series and reports it);
``atgm_srbm_systems`` holds the mobile SRBM launchers (→ ``srbm_launchers``, which ended 2022-04-30:
the frozen counter after that is dropped by ``etl.losses.parsers.finalize``; its 1 on 2022-02-27, before the
category began, is kept with a note).  Military vehicles, fuel tanks and prisoners of war have no field
of their own: the completeness check does not ask them of this source (``etl.losses.parsers.NEVER_REPORTS``).
Zero counters for categories not yet reported (cruise missiles before 2022-05-01, submarines before
2023-09-14, the 2022-02-25 zeros) are dropped (``etl.losses.parsers.finalize``).

The API has no qualifier: personnel is stored unqualified (the bulletins' "about" is not in the data).

JSON is read strictly (bad input is refused by name, never guessed at):

* a figure must be a JSON integer: a float (``1200.0``, ``1e30``), a boolean, ``NaN``/``Infinity``,
  an object or a list is refused (``null`` is read as absent: the completeness check decides);
* a numeric *string* is read when it spells an integer the way the HTML sources print one
  (``"3759"``, ``"3 759"``, ``"-12"`` for a correction of the increase); any other string
  (``"1e30"``, ``"12.5"``, ``"n/a"``) is a garbled number.  The live API serves numbers; a string
  is tolerated because it carries the same figure, and the validation step still bounds it;
* an object with a key twice (``"tanks": 9999, "tanks": 1200``) is refused - which one is meant
  cannot be known (Python's json would silently keep the last);
* ``date`` must be a ``"YYYY-MM-DD"`` string (optionally followed by a time); a number such as
  ``20230515`` is refused (Python 3.11's ``date.fromisoformat`` would read it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from etl.domain import categories
from etl.domain.model import Observation, Parsed, ParseError
from etl.errors import MessageError
from etl.losses.parsers import common

SOURCE = "russianwarship"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.+\-Z]*)?")


class _JsonFloat(float):
    """A JSON number with a fraction or an exponent, keeping the text it was written as."""

    text: str

    def __new__(cls, text: str):
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


class _JsonHugeInt(str):
    """A JSON integer of more digits than any bound needs (Python's int() would refuse > 4300)."""


class _Refused(MessageError):
    def __init__(self, field: str, problem: str):
        super().__init__(problem)
        self.field, self.problem = field, problem


def _key_field(key: str) -> str:
    code = categories.resolve(key, SOURCE)
    return f"category:{code}" if code else f"key:{key}"


def _object(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(
                _key_field(key), f"duplicated key {key!r} in one JSON object ({_show(obj[key])} and {_show(value)})"
            )
        obj[key] = value
    return obj


def _int(text: str):
    return _JsonHugeInt(text) if len(text.lstrip("-")) > common.MAX_DIGITS else int(text)


def _show(value) -> str:
    if isinstance(value, _JsonFloat):
        return value.text
    if isinstance(value, _JsonHugeInt):
        return f"a number of {len(value.lstrip('-'))} digits"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (str, bool)) or value is None else repr(value)


def loads(text: str, url: str):
    """Strict JSON: a duplicated key is refused; floats (NaN and Infinity too) and huge integers are marked,
    so that _count refuses them naming the field."""
    try:
        return json.loads(
            text, object_pairs_hook=_object, parse_float=_JsonFloat, parse_int=_int, parse_constant=_JsonFloat
        )
    except _Refused as exc:
        raise ParseError(SOURCE, url, exc.field, exc.problem) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(SOURCE, url, "page", f"not JSON: {exc}") from None


# The stats keys seen in the real replies (v1 of 2022; submarines from 2023 in the clients' code), and
# ground_robotic_systems: not seen anywhere, the name the replay renders and the aliases anticipate.
STATS_KEYS = (
    "personnel_units",
    "tanks",
    "armoured_fighting_vehicles",
    "artillery_systems",
    "mlrs",
    "aa_warfare_systems",
    "planes",
    "helicopters",
    "vehicles_fuel_tanks",
    "warships_cutters",
    "cruise_missiles",
    "uav_systems",
    "special_military_equip",
    "atgm_srbm_systems",
    "submarines",
)
SEEN_KEYS = frozenset(STATS_KEYS)
KNOWN_KEYS = SEEN_KEYS | {"ground_robotic_systems"}
PRE_MERGE_VEHICLES_NOTE = (
    "out_of_validity: the API's vehicles_fuel_tanks before 2022-05-01 is military vehicles "
    "plus fuel tanks summed, printed before the two categories merged"
)


@dataclass(frozen=True)
class NewKey:
    """A stats key outside :data:`KNOWN_KEYS` as one reply carries it."""

    key: str
    category: str | None  # the category it was read as; None: read past, nothing stored
    first_day: date
    last_day: date
    days: int
    last_value: object  # the value on last_day, as printed

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "category": self.category,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days": self.days,
            "last_value": self.last_value,
        }


def parse(body: bytes, url: str, content_type: str | None = None) -> Parsed:
    """The reply's observations, with its unknown keys (:func:`new_keys`) read by the same parse."""
    return Parsed(*_parse(body, url, content_type))


def new_keys(body: bytes, url: str, content_type: str | None = None) -> list[NewKey]:
    """The stats keys outside :data:`KNOWN_KEYS` a reply carries (raises ParseError like :func:`parse`)."""
    return _parse(body, url, content_type)[1]


def _parse(body: bytes, url: str, content_type: str | None) -> tuple[list[Observation], list[NewKey]]:
    text = common.decode(body, content_type, SOURCE, url)
    doc = loads(text, url)
    records = _records(doc, url)
    observations: list[Observation] = []
    seen: set[date] = set()
    unknown: dict[str, list] = {}  # key -> [category, first, last, days, last value]
    for index, record in enumerate(records):
        day, obs, extra = _record(record, url, index)
        if day in seen:
            raise ParseError(SOURCE, url, "date", f"{day.isoformat()} appears twice")
        seen.add(day)
        observations.extend(obs)
        for key, (code, value) in extra.items():
            entry = unknown.setdefault(key, [code, day, day, 0, value])
            entry[0] = entry[0] or code
            entry[1], entry[3] = min(entry[1], day), entry[3] + 1
            if day >= entry[2]:
                entry[2], entry[4] = day, value
    found = [NewKey(k, e[0], e[1], e[2], e[3], e[4]) for k, e in sorted(unknown.items())]
    return observations, found


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


def _record(record, url: str, index: int) -> tuple[date, list[Observation], dict[str, tuple[str | None, object]]]:
    if not isinstance(record, dict):
        raise ParseError(SOURCE, url, "page", f"record {index} is not an object")
    raw_day = record.get("date")
    if isinstance(raw_day, (int, float)) and not isinstance(raw_day, bool):
        raise ParseError(
            SOURCE, url, "date", f"record {index}: the date is a number ({_show(raw_day)}), not a 'YYYY-MM-DD' string"
        )
    if not isinstance(raw_day, str) or not _DATE_RE.fullmatch(raw_day.strip()):
        raise ParseError(SOURCE, url, "date", f"record {index} has no 'YYYY-MM-DD' date ({_show(raw_day)})")
    try:
        day = date.fromisoformat(raw_day.strip()[:10])
    except ValueError:
        raise ParseError(SOURCE, url, "date", f"record {index} has an impossible date {raw_day!r}") from None
    stats = record.get("stats")
    if not isinstance(stats, dict) or not stats:
        raise ParseError(SOURCE, url, "page", f"record {day.isoformat()} has no 'stats' object")
    increase = record.get("increase") or {}
    if not isinstance(increase, dict):
        raise ParseError(SOURCE, url, "page", f"record {day.isoformat()} has an 'increase' that is not an object")
    observations = []
    known_codes = {category_of(k, day) for k in stats if k in KNOWN_KEYS}
    extra: dict[str, tuple[str | None, object]] = {}
    for key, value in stats.items():
        code = category_of(key, day)
        if key not in KNOWN_KEYS:
            # news, not an error: read it only when its name is unambiguous and no known key gives that
            # category; a value that is no count is recorded as printed, never read
            readable = code is not None and code not in known_codes and _is_count(value)
            extra[str(key)] = (code if readable else None, value if _is_scalar(value) else repr(value))
            if not readable:
                continue
        elif code is None:  # a known key no alias maps: a bug of etl.domain.categories, say so
            raise ParseError(SOURCE, url, f"label:{key}", f"stats key without a category on {day.isoformat()}")
        if value is None:
            continue  # absent: the completeness check decides whether that is an error
        field = f"category:{code}"
        cumulative = _count(value, field, url, key)
        inc = increase.get(key)
        inc = None if inc is None else _count(inc, field, url, f"increase.{key}", signed=True)
        note = PRE_MERGE_VEHICLES_NOTE if key == "vehicles_fuel_tanks" and day < categories.MERGE_DAY else None
        observations.append(Observation(day, code, cumulative, inc, None, SOURCE, note=note))
    return day, observations, extra


def _is_count(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0) or (
        isinstance(value, str) and common.parse_number(value.strip()) is not None
    )


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def category_of(key: str, day: date) -> str | None:
    """The category an API stats key stands for (``day`` kept for callers: the pre-merge
    ``vehicles_fuel_tanks`` is the merged category printed early, stored as such with a note)."""
    return categories.resolve(str(key), SOURCE)


def _count(value, field: str, url: str, key: str, signed: bool = False) -> int:
    """A JSON figure to an int (see the module docstring); the sign is kept, never dropped: a
    negative total is refused by the validation step (etl.losses.parsers.validate), like every bound."""
    if isinstance(value, bool):
        raise ParseError(SOURCE, url, field, f"{key} is a boolean ({_show(value)}), not an integer")
    if isinstance(value, _JsonHugeInt):
        raise ParseError(SOURCE, url, field, f"{key} is {_show(value)}: out of bounds")
    if isinstance(value, float):
        raise ParseError(SOURCE, url, field, f"{key} is a float ({_show(value)}), not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        sign = text[:1]
        parsed = common.parse_number(text[1:] if sign in ("-", "+", "\u2212") else text)
        if parsed is None or (sign == "+" and not signed):
            raise ParseError(SOURCE, url, field, f"garbled number {_show(value)} in {key}")
        return -parsed if sign in ("-", "\u2212") else parsed
    raise ParseError(SOURCE, url, field, f"garbled number {_show(value)} in {key}")
