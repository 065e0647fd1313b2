"""The vocabulary of the decision engine (:mod:`etl.quality.consensus`): its inputs (records, the
official corrections registry), its outputs (accepted cells, quarantined records, retractions) and
its constants. Pure Python, no database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from etl.domain.categories import petro_labels
from etl.domain.model import SOURCES

PRIORITY = SOURCES  # fallback order, used only to break true ties
STATUSES = ("agreed", "single_source", "majority", "resolved", "correction")
DIAGNOSES = ("typo_low", "spike_before", "official_correction", "unresolved")
VERDICTS = ("open", "rejected", "resolved")
MAX_SKIP = 5  # consecutive days the chain may discard
# Sources whose printed "(+N)" is the General Staff's own: a negative one confirms a correction.
# The aggregators' increases are their own differences and confirm nothing.
OFFICIAL_INCREASE = ("mod",)
ANCHOR = "accepted"  # pseudo-source of the anchors: values accepted earlier, just outside a window
EARLY_DAYS = 10  # a source printing a registry correction's figure up to this many days early

# Labels of russia_losses_equipment_correction.json (PetroIvaniuk/2022-Ukraine-Russia-War-Dataset) -> our codes.
CORRECTION_LABELS = petro_labels(
    "aircraft",
    "helicopter",
    "tank",
    "APC",
    "field artillery",
    "MRL",
    "drone",
    "naval ship",
    "submarines",
    "anti-aircraft warfare",
    "special equipment",
    "vehicles and fuel tanks",
    "cruise missiles",
    "personnel",
)


class Record(NamedTuple):
    source: str
    as_of: date
    category: str
    cumulative: int
    increase: int | None = None


class Correction(NamedTuple):
    as_of: date
    category: str
    delta: int
    note: str = ""


@dataclass(frozen=True)
class Accepted:
    value: int
    sources_agreeing: tuple[str, ...]
    status: str
    flag: str | None = None
    note: str = ""  # 'priority_tiebreak' when priority decided; dissenting values for majority cells


@dataclass(frozen=True)
class Quarantined:
    source: str
    as_of: date
    category: str
    cumulative: int
    expectation: str  # 'monotonic_cumulative' | 'increase_matches_difference'
    neighbours: dict  # {'prev': (day, value) | None, 'next': (day, value) | None}: the accepted neighbours
    diagnosis: str
    evidence: dict = field(default_factory=dict)
    # what the gate does with it: 'open' (a person decides), 'rejected' (the evidence settles it: the
    # gate rejects it, decided_by gate), 'resolved' (explained by an official correction)
    verdict: str = "open"


@dataclass(frozen=True)
class Retracted:
    as_of: date
    category: str
    previous: Accepted
    now: Accepted | None


@dataclass
class Decision:
    accepted: dict[tuple[date, str], Accepted]
    quarantine: list[Quarantined]
    retracted: list[Retracted]
    corrections: list[dict]  # accepted decreases with their evidence (for quality.correction)
    observations: dict[tuple[str, date, str], Record]  # the merged input, so later calls can build on it
    dependent: frozenset = frozenset()

    def series(self, category: str) -> list[tuple[date, int]]:
        return sorted((d, a.value) for (d, c), a in self.accepted.items() if c == category)


# ---------------------------------------------------------------------------------------------- inputs


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def record_of(obj: Any) -> Record:
    if isinstance(obj, Record):
        return obj
    if isinstance(obj, Mapping):
        get = obj.get
    elif hasattr(obj, "cumulative"):

        def get(key, default=None):
            return getattr(obj, key, default)
    else:
        inc = None if len(obj) < 5 or obj[4] is None else int(obj[4])
        return Record(obj[0], as_date(obj[1]), obj[2], int(obj[3]), inc)
    inc = get("increase")
    return Record(
        get("source"),
        as_date(get("as_of")),
        get("category"),
        int(get("cumulative")),
        None if inc in (None, "") else int(inc),
    )


def correction_of(obj: Any) -> Correction:
    if isinstance(obj, Correction):
        return obj
    if isinstance(obj, Mapping):
        return Correction(as_date(obj["as_of"]), obj["category"], int(obj["delta"]), obj.get("note") or "")
    return Correction(as_date(obj[0]), obj[1], int(obj[2]), obj[3] if len(obj) > 3 else "")


def load_official_corrections(path: str | Path) -> list[Correction]:
    """The official corrections: the dataset's JSON (one object per day, a delta per label, mapped to our
    codes, zero deltas dropped) or our ``data/corrections.csv`` (as_of, category, delta, note)."""
    path = Path(path)
    if path.suffix == ".csv":
        from etl.domain.corrections import read_registry

        return [Correction(*row) for row in read_registry(path)]
    out = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        day = date.fromisoformat(entry["date"])
        unknown = set(entry) - set(CORRECTION_LABELS) - {"date", "day"}
        if unknown:
            raise ValueError(f"{path}: {entry['date']}: unknown correction labels {sorted(unknown)}")
        for label, code in CORRECTION_LABELS.items():
            delta = int(entry.get(label) or 0)
            if delta:
                out.append(Correction(day, code, delta, f"day {entry.get('day')}"))
    return out
