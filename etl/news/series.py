"""The accepted bulletin series the news claims are dated and checked against.

Only ``as_of, category, cumulative`` of ``mart.daily_losses_long`` are read (the mart's other columns
belong to the bulletin pipeline).  Offline, the same series can come from CSV files in the replay
snapshot format (``as_of,category,cumulative[,increase]``); with several files the first one that has a
(day, category) wins, as the source priority does in the warehouse.
"""

from __future__ import annotations

import bisect
import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path


class BulletinSeries:
    def __init__(self, rows=(), name: str = "series"):
        self.name = name
        self._values: dict[tuple[date, str], int] = {}
        self._days: dict[tuple[str, int], list[date]] = defaultdict(list)
        for day, category, cumulative in rows:
            self._add(day, category, cumulative)

    def _add(self, day: date, category: str, cumulative: int) -> None:
        key = (day, category)
        if key in self._values:
            return
        self._values[key] = int(cumulative)
        self._days[(category, int(cumulative))].append(day)

    def __len__(self) -> int:
        return len(self._values)

    def value(self, day: date, category: str) -> int | None:
        return self._values.get((day, category))

    def latest_before(self, day: date, category: str) -> int | None:
        """The cumulative of the last bulletin day on or before ``day`` (totals only grow, bar corrections:
        a lower bound of the day's total)."""
        days = self._by_category().get(category)
        if not days:
            return None
        i = bisect.bisect_right(days, day)
        return self._values[(days[i - 1], category)] if i else None

    def _by_category(self) -> dict[str, list[date]]:
        if getattr(self, "_sorted", None) is None or self._sorted_n != len(self._values):
            out: dict[str, list[date]] = defaultdict(list)
            for day, category in self._values:
                out[category].append(day)
            self._sorted = {k: sorted(v) for k, v in out.items()}
            self._sorted_n = len(self._values)
        return self._sorted

    def increase(self, day: date, category: str) -> int | None:
        """The day's increase: its cumulative minus the day before's (None when either is missing)."""
        today, before = self.value(day, category), self.value(day - timedelta(days=1), category)
        return None if today is None or before is None else today - before

    def days_with(self, category: str, cumulative: int) -> list[date]:
        return sorted(self._days.get((category, int(cumulative)), ()))

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def from_csv(cls, *paths: str | Path) -> BulletinSeries:
        series = cls(name=",".join(Path(p).name for p in paths))
        for path in paths:
            with open(path, newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                missing = {"as_of", "category", "cumulative"} - set(reader.fieldnames or ())
                if missing:
                    raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
                for lineno, row in enumerate(reader, start=2):
                    try:
                        series._add(
                            date.fromisoformat(row["as_of"].strip()), row["category"].strip(), int(row["cumulative"])
                        )
                    except ValueError as exc:
                        raise ValueError(f"{path}:{lineno}: {exc}") from None
        return series

    @classmethod
    def from_dir(cls, folder: str | Path) -> BulletinSeries:
        """A replay snapshot folder: mod.csv, minfin.csv, russianwarship.csv in the sources' priority."""
        from etl.domain.model import SOURCES

        folder = Path(folder)
        paths = [folder / f"{s}.csv" for s in SOURCES if (folder / f"{s}.csv").exists()]
        if not paths:
            raise ValueError(f"{folder}: no {', '.join(s + '.csv' for s in SOURCES)}")
        return cls.from_csv(*paths)

    @classmethod
    def from_cursor(cls, cur) -> BulletinSeries:
        cur.execute("SELECT as_of, category, cumulative FROM mart.daily_losses_long")
        return cls(cur.fetchall(), name="mart.daily_losses_long")

    @classmethod
    def from_warehouse(cls, dsn: str | None = None) -> BulletinSeries:
        from etl.warehouse.db import connect

        conn = connect(dsn, application_name="attrition-news")
        try:
            with conn.cursor() as cur:
                return cls.from_cursor(cur)
        finally:
            conn.close()
