"""The official corrections registry (data/corrections.csv): days on which the General Staff lowered a total."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path


def read_registry(path: str | Path) -> list[tuple[date, str, int, str]]:
    """The registry's rows as (as_of, category code, delta, note), the file's four columns."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return [
            (date.fromisoformat(r["as_of"]), r["category"], int(r["delta"]), r.get("note") or "")
            for r in csv.DictReader(fh)
        ]
