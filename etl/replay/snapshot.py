"""Build the bundled replay snapshot (data/replay/*.csv) from the three reference series in ../shared.

    python -m etl.replay.snapshot --shared ../shared --out data/replay

One long-format CSV per source (as_of, category, cumulative), figures copied as the reference
datasets hold them: their disagreements, typos and gaps are kept on purpose (a later quality gate
must catch them). A category is written only on days it is valid (etl.domain.categories), blanks stay
blank. Also writes mod_urls.csv (the real bulletin URL of each mod day) and SOURCES.md.

Two rules make every rendered page parse (the parsers refuse a day lacking a required category):

1. *Completion.* A cell (source, day, category) the source's dataset cannot hold because it has no
   field for that category on that day is taken from the hand-kept dataset (the russianwarship
   series) for the same day and category, and listed in ``completed.csv`` (source, as_of, category,
   cumulative, taken_from).  "No field" means: no column maps to the category at all (orc-losses has
   no fuel tanks, SRBM launchers, POW or ground robots; minfin no fuel tanks, SRBM launchers, POW or
   ground robots), or the column that does holds its first figure only later (orc-losses
   ``specialEquipment`` and ``missiles`` are null until 2022-05-09, ``rocketSystems`` until
   2022-02-28; minfin's ``vehicles_fuel_tanks`` starts 2022-05-01, so it never holds pre-merge
   military vehicles).  A blank after a column's first figure is a blank: never filled.  A figure
   the dataset has is never changed, and nothing is zero-filled.
2. *Leaving out.* A day still lacking a category :func:`etl.domain.categories.required_on` it (less
   ``etl.losses.parsers.NEVER_REPORTS``) is left out of that source's CSV and listed, with the reason, in
   the build summary and SOURCES.md: a gap of the snapshot, visible as such.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from etl.domain.categories import BY_CODE, CATEGORIES, MERGE_DAY, required_on
from etl.losses.parsers import NEVER_REPORTS

ORDER = {c.code: i for i, c in enumerate(CATEGORIES)}

MOD_FILE = Path("reference/datasets/orc-losses/russian-losses.json")
MINFIN_FILE = Path("reference/datasets/russian-Losses-in-Ukraine/russia_losses.csv")
RW_EQUIPMENT_FILE = Path("reference/datasets/2022-Ukraine-Russia-War-Dataset/russia_losses_equipment.json")
RW_PERSONNEL_FILE = Path("reference/datasets/2022-Ukraine-Russia-War-Dataset/russia_losses_personnel.json")

# Column -> category code.  "vehicles" columns hold military vehicles only before 2022-05-01.
MOD_COLUMNS = {
    "personnel": "personnel",
    "tanks": "tanks",
    "afvs": "armored_vehicles",
    "artillery": "artillery",
    "airDefense": "air_defense",
    "rocketSystems": "mlrs",
    "unarmoredVehicles": "vehicles_fuel_tanks",
    "fixedWingAircraft": "aircraft",
    "rotaryWingAircraft": "helicopters",
    "uavs": "drones",
    "ships": "ships_boats",
    "submarines": "submarines",
    "specialEquipment": "special_equipment",
    "missiles": "cruise_missiles",
}
MINFIN_COLUMNS = {
    "personnel": "personnel",
    "tanks": "tanks",
    "apv": "armored_vehicles",
    "artillery": "artillery",
    "mlrs": "mlrs",
    "aaws": "air_defense",
    "aircrafts": "aircraft",
    "helicopters": "helicopters",
    "uav": "drones",
    "cruise_missiles": "cruise_missiles",
    "warships": "ships_boats",
    "vehicles_fuel_tanks": "vehicles_fuel_tanks",
    "special_equipment": "special_equipment",
    "submarines": "submarines",
}
RW_COLUMNS = {
    "aircraft": "aircraft",
    "helicopter": "helicopters",
    "tank": "tanks",
    "APC": "armored_vehicles",
    "field artillery": "artillery",
    "MRL": "mlrs",
    "military auto": "military_vehicles",
    "fuel tank": "fuel_tanks",
    "drone": "drones",
    "naval ship": "ships_boats",
    "anti-aircraft warfare": "air_defense",
    "special equipment": "special_equipment",
    "mobile SRBM system": "srbm_launchers",
    "vehicles and fuel tanks": "vehicles_fuel_tanks",
    "cruise missiles": "cruise_missiles",
    "submarines": "submarines",
    "ground robotic systems": "ground_robots",
    "personnel": "personnel",
    "POW": "pow",
}

Rows = dict[date, dict[str, int]]

SOURCE_ORDER = ("minfin", "mod", "russianwarship")
DATASET = {
    "mod": "orc-losses",
    "minfin": "russian-Losses-in-Ukraine",
    "russianwarship": "2022-Ukraine-Russia-War-Dataset",
}
DONOR = "russianwarship"  # the hand-kept dataset: the only series with every category
TAKEN_FROM = "hand-kept dataset"
COMPLETED_FILE = "completed.csv"


@dataclass
class Summary:
    source: str
    rows: int = 0
    days: int = 0
    first: date | None = None
    last: date | None = None
    gaps: list[tuple[date, date]] = field(default_factory=list)  # (last day before, first day after)
    dropped_invalid: int = 0  # values on days their category is not valid
    by_category: dict[str, int] = field(default_factory=dict)
    # the first day the dataset holds a figure of each category: before it, the dataset has no field
    held_from: dict[str, date] = field(default_factory=dict)
    dataset_days: set[date] = field(default_factory=set)  # every day the dataset has a row for
    # category -> the days completed from the hand-kept dataset (only days kept in the CSV)
    completed: dict[str, list[date]] = field(default_factory=dict)
    # day left out -> (category, reason) for each required category it lacks
    left_out: dict[date, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def completed_cells(self) -> int:
        return sum(len(days) for days in self.completed.values())

    def describe(self) -> str:
        lines = [
            f"{self.source}: {self.rows} rows, {self.days} days, {self.first} to {self.last}, "
            f"{len(self.gaps)} gap(s), {self.dropped_invalid} value(s) outside category validity dropped, "
            f"{self.completed_cells} cell(s) completed from the {TAKEN_FROM}, "
            f"{len(self.left_out)} incomplete day(s) left out"
        ]
        for before, after in sorted(self.gaps, key=lambda g: (g[1] - g[0]).days, reverse=True)[:8]:
            lines.append(f"  gap: {(after - before).days - 1} day(s) missing between {before} and {after}")
        if len(self.gaps) > 8:
            lines.append(f"  ... and {len(self.gaps) - 8} shorter gap(s)")
        for code, first, last, n in self.completed_ranges():
            lines.append(f"  completed: {code} on {n} day(s), {first}..{last}")
        for days, reason in self.left_out_runs():
            lines.append(f"  left out: {days}: {reason}")
        return "\n".join(lines)

    def completed_ranges(self) -> list[tuple[str, date, date, int]]:
        """(category, first day, last day, cells) per completed category, in category order."""
        return [
            (code, min(days), max(days), len(days))
            for code, days in sorted(self.completed.items(), key=lambda kv: ORDER[kv[0]])
            if days
        ]

    def left_out_runs(self) -> list[tuple[str, str]]:
        """The left-out days as ('a..b (n days)', reason), consecutive days with the same reason merged."""
        runs: list[list] = []  # [first, last, count, reason]
        for day in sorted(self.left_out):
            reason = "; ".join(f"{code}: {why}" for code, why in self.left_out[day])
            if runs and runs[-1][3] == reason and day - runs[-1][1] == timedelta(days=1):
                runs[-1][1], runs[-1][2] = day, runs[-1][2] + 1
            else:
                runs.append([day, day, 1, reason])
        return [(f"{a}" if a == b else f"{a}..{b} ({n} days)", reason) for a, b, n, reason in runs]


SNAPSHOT_COLUMNS = ("as_of", "category", "cumulative")


def read_snapshot_rows(path: Path):
    """The rows of a replay snapshot CSV (``as_of, category, cumulative[, increase]``) as
    ``(day, category, cumulative, increase or None)``, checked one by one.

    A row the replay cannot serve is a :class:`etl.errors.SnapshotError` naming the file, the line,
    the field and the value (``attrition replay serve`` prints it as one line and exits 2): a day that
    is not a date, an unknown category, a count that is not a whole number >= 0, an increase that is
    not a whole number, a missing cell, or a second row for the same day and category.
    """
    from etl.errors import SnapshotError

    with path.open(newline="", encoding="utf-8") as fh:
        try:
            reader = csv.DictReader(fh)
            missing = set(SNAPSHOT_COLUMNS) - set(reader.fieldnames or ())
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SnapshotError(path, 1, None, f"unreadable header: {exc}") from None
        if missing:
            raise SnapshotError(path, 1, ", ".join(sorted(missing)), "missing column(s) in the header")
        seen: dict[tuple[date, str], int] = {}
        lineno = 1
        try:
            for row in reader:
                lineno = reader.line_num
                if None in row:
                    raise SnapshotError(path, lineno, None, f"more cells than columns: {row[None]!r}")
                for col in SNAPSHOT_COLUMNS:
                    if row.get(col) is None or not row[col].strip():
                        raise SnapshotError(path, lineno, col, "empty or missing cell")
                text = row["as_of"].strip()
                try:
                    day = date.fromisoformat(text)
                except ValueError:
                    raise SnapshotError(path, lineno, "as_of", f"{text!r} is not a date like 2024-01-31") from None
                code = row["category"].strip()
                if code not in BY_CODE:
                    raise SnapshotError(
                        path, lineno, "category", f"unknown category {code!r} (see etl/domain/categories.py)"
                    )
                text = row["cumulative"].strip()
                if not re.fullmatch(r"\d+", text):
                    raise SnapshotError(path, lineno, "cumulative", f"{text!r} is not a whole number >= 0")
                cumulative = int(text)
                text = (row.get("increase") or "").strip()
                if text and not re.fullmatch(r"[+-]?\d+", text):
                    raise SnapshotError(path, lineno, "increase", f"{text!r} is not a whole number")
                increase = int(text) if text else None
                if (day, code) in seen:
                    raise SnapshotError(
                        path,
                        lineno,
                        "as_of, category",
                        f"a second row for {day} {code} (the first is line {seen[(day, code)]})",
                    )
                seen[(day, code)] = lineno
                yield day, code, cumulative, increase
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SnapshotError(path, lineno + 1, None, f"unreadable row: {exc}") from None


def _as_int(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and value.is_integer() else None
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _code_for(code: str, day: date) -> str:
    if code == "vehicles_fuel_tanks" and day < MERGE_DAY:
        return "military_vehicles"
    return code


def _put(rows: Rows, summary: Summary, day: date, code: str, value) -> None:
    summary.dataset_days.add(day)
    n = _as_int(value)
    if n is None:
        return  # blank stays blank
    code = _code_for(code, day)
    if not BY_CODE[code].valid_on(day):
        summary.dropped_invalid += 1
        return
    rows.setdefault(day, {})[code] = n
    if code not in summary.held_from or day < summary.held_from[code]:
        summary.held_from[code] = day


def read_mod(shared: Path) -> tuple[Rows, dict[date, str], Summary]:
    summary = Summary("mod")
    rows: Rows = {}
    urls: dict[date, str] = {}
    for rec in json.loads((shared / MOD_FILE).read_text(encoding="utf-8")):
        day = date.fromisoformat(rec["date"])
        for column, code in MOD_COLUMNS.items():
            _put(rows, summary, day, code, rec.get(column))
        if rec.get("sourceUri"):
            urls[day] = rec["sourceUri"]
    return rows, urls, summary


def read_minfin(shared: Path) -> tuple[Rows, Summary]:
    """The minfin scrape; its ``day`` column is off by one from 2025-11-09, so only ``date`` is used."""
    summary = Summary("minfin")
    rows: Rows = {}
    with (shared / MINFIN_FILE).open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            day = date.fromisoformat(rec["date"])
            for column, code in MINFIN_COLUMNS.items():
                _put(rows, summary, day, code, rec.get(column))
    return rows, summary


def read_russianwarship(shared: Path) -> tuple[Rows, Summary]:
    summary = Summary("russianwarship")
    rows: Rows = {}
    for path in (RW_EQUIPMENT_FILE, RW_PERSONNEL_FILE):
        for rec in json.loads((shared / path).read_text(encoding="utf-8")):
            day = date.fromisoformat(rec["date"])
            for column, code in RW_COLUMNS.items():
                if column in rec:
                    _put(rows, summary, day, code, rec[column])
    return rows, summary


def has_no_field(summary: Summary, day: date, code: str) -> bool:
    """Whether the dataset behind ``summary`` structurally cannot hold ``code`` on ``day``: no column
    maps to it, or the column that does holds its first figure after ``day``.  (A blank after that
    first figure is a blank of an existing column, not this.)"""
    first = summary.held_from.get(code)
    return first is None or day < first


def complete(rows: Rows, summary: Summary, donor: Rows) -> None:
    """Rule 1: fill each structurally absent cell of a day the dataset has with the donor's figure
    of the same day and category (when it has one); record it in ``summary.completed``.  Only
    categories the bulletins require that day are completed (not POW, which was reported irregularly)."""
    skip = NEVER_REPORTS.get(summary.source, frozenset())
    for day in sorted(rows):
        for cat in required_on(day):
            if cat.code in skip:
                continue
            if cat.code in rows[day] or not has_no_field(summary, day, cat.code):
                continue
            figure = donor.get(day, {}).get(cat.code)
            if figure is None:
                continue
            rows[day][cat.code] = figure
            summary.completed.setdefault(cat.code, []).append(day)


def leave_out_incomplete(rows: Rows, summary: Summary, dataset: str) -> None:
    """Rule 2: drop every day still lacking a category required on it, with the reason."""
    skip = NEVER_REPORTS.get(summary.source, frozenset())
    for day in sorted(rows):
        missing = [c.code for c in required_on(day) if c.code not in rows[day] and c.code not in skip]
        if not missing:
            continue
        summary.left_out[day] = [
            (
                code,
                f"{dataset} has no field for it and the {TAKEN_FROM} has no figure"
                if has_no_field(summary, day, code)
                else f"blank in {dataset} (an existing field: never completed)",
            )
            for code in missing
        ]
        del rows[day]
    for code in list(summary.completed):
        summary.completed[code] = [d for d in summary.completed[code] if d in rows]
        if not summary.completed[code]:
            del summary.completed[code]


def write_completed(path: Path, all_rows: dict[str, Rows], summaries: dict[str, Summary]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "as_of", "category", "cumulative", "taken_from"])
        for source in SOURCE_ORDER:
            cells = sorted(
                ((day, code) for code, days in summaries[source].completed.items() for day in days),
                key=lambda dc: (dc[0], ORDER[dc[1]]),
            )
            for day, code in cells:
                w.writerow([source, day.isoformat(), code, all_rows[source][day][code], TAKEN_FROM])


def write_rows(path: Path, rows: Rows, summary: Summary) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["as_of", "category", "cumulative"])
        for day in sorted(rows):
            for code in sorted(rows[day], key=ORDER.__getitem__):
                w.writerow([day.isoformat(), code, rows[day][code]])
                summary.rows += 1
                summary.by_category[code] = summary.by_category.get(code, 0) + 1
    days = sorted(rows)
    summary.days = len(days)
    if days:
        summary.first, summary.last = days[0], days[-1]
    summary.gaps = [(a, b) for a, b in zip(days, days[1:], strict=False) if b - a > timedelta(days=1)]


def _provenance(shared: Path, dataset_dir: str) -> str:
    text = (shared / "reference/datasets" / dataset_dir / "SOURCES.md").read_text(encoding="utf-8")
    m = re.search(r"Repository:\s*([^,\n]+),\s*commit\s+([0-9a-f]{40})(\s*\([^)]*\))?", text)
    if not m:
        raise ValueError(f"no repository/commit line in {dataset_dir}/SOURCES.md")
    return f"`{m.group(1).strip()}` at commit `{m.group(2)}`{m.group(3) or ''}"


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _span(s: Summary) -> str:
    gaps = f"{len(s.gaps)} gap(s)"
    if s.gaps:
        before, after = max(s.gaps, key=lambda g: (g[1] - g[0]).days)
        gaps += (
            f", largest {_days((after - before).days - 1)} ({before + timedelta(days=1)}..{after - timedelta(days=1)})"
        )
    return f"{s.rows} rows, {s.days} days, {s.first} to {s.last}, {gaps}"


def _no_field(s: Summary) -> str:
    """What the dataset has no field for (categories valid at some point of its span)."""
    parts = []
    for cat in CATEGORIES:
        start = min((d for d in s.dataset_days if cat.valid_on(d)), default=None)
        if start is None:
            continue
        first = s.held_from.get(cat.code)
        if first is None:
            parts.append(f"`{cat.code}` (no field)")
        elif first > start:
            parts.append(f"`{cat.code}` before {first}")
    return ", ".join(parts) or "nothing"


def write_sources_md(shared: Path, out: Path, summaries: dict[str, Summary]) -> None:
    completed_rows = "".join(
        f"| {source} | `{code}` | {n} | {first} | {last} |\n"
        for source in SOURCE_ORDER
        for code, first, last, n in summaries[source].completed_ranges()
    )
    left_out_rows = "".join(
        f"| {source} | {days} | {reason} |\n"
        for source in SOURCE_ORDER
        for days, reason in summaries[source].left_out_runs()
    )
    none5, none3 = "| (none) | | | | |\n", "| (none) | | |\n"
    text = f"""# Replay snapshot: where the figures come from

These CSVs hold **figures only** (dates, category codes, cumulative counts), taken from public
third-party datasets by `etl/replay/snapshot.py` (`python -m etl.replay.snapshot --shared ../shared --out data/replay`).
The figures are the General Staff of Ukraine's daily loss bulletins as each dataset recorded them.
No page, script or text of the original sites or repositories is included. The replay server
(`etl/replay/server.py`) renders its own HTML and JSON around these figures.

| file | stands for | figures from | path in that repository |
|---|---|---|---|
| `mod.csv`, `mod_urls.csv` | mil.gov.ua / mod.gov.ua bulletins | {_provenance(shared, "orc-losses")} | `russian-losses.json` (`sourceUri` gives `mod_urls.csv`) |
| `minfin.csv` | index.minfin.com.ua | {_provenance(shared, "russian-Losses-in-Ukraine")} | `data/russia_losses.csv` |
| `russianwarship.csv` | russianwarship.rip API (the hand-kept dataset) | {_provenance(shared, "2022-Ukraine-Russia-War-Dataset")} | `data/russia_losses_equipment.json`, `data/russia_losses_personnel.json` |
| `completed.csv` | the cells of `mod.csv` / `minfin.csv` taken from the hand-kept dataset (not read by the replay server) | as `russianwarship.csv` | |

Contents when built:

- mod: {_span(summaries["mod"])}
- minfin: {_span(summaries["minfin"])}
- russianwarship: {_span(summaries["russianwarship"])}

The datasets disagree with each other and contain one-day typos; both are kept on purpose (the
quality gate must catch them). Gaps in the mod series (largest 2023-07-22 to 2023-12-20) are kept,
never filled. A category appears only on days `etl.domain.categories` says it was reported; blanks stay
blank; nothing is zero-filled.

## Cells completed from the hand-kept dataset

Some categories the real bulletins carried have **no field** in the orc-losses or minfin dataset on
some days: no column for them at all, or a column that holds its first figure only later (its
earlier cells are null in every row, e.g. orc-losses `specialEquipment` and `missiles` until
2022-05-09; minfin's `vehicles_fuel_tanks` starts 2022-05-01, so it never holds the military
vehicles reported until 2022-04-30). What each dataset has no field for, by category code:

- mod (orc-losses): {_no_field(summaries["mod"])}
- minfin (russian-Losses-in-Ukraine): {_no_field(summaries["minfin"])}

When the bulletins required the category that day (`etl.domain.categories.required_on`; POW never was), such a cell is completed with the hand-kept dataset's (`russianwarship.csv`) figure of the same day
and category: official General Staff figures of that day's bulletin, which the real sites printed.
They are **not independent observations**: every one is listed in `completed.csv` (`source, as_of,
category, cumulative, taken_from`). A blank in a column that otherwise exists on that day is never
completed, a figure the dataset has is never changed, and nothing is zero-filled (a 0 below is the
hand-kept dataset's own figure). Each range covers every day of that source's series in it.

| source | category | cells | from | to |
|---|---|---|---|---|
{completed_rows or none5}
## Days left out

A day that still lacks a category the bulletins required on it (`etl.domain.categories.required_on`) is left
out of that source's CSV, so every rendered page parses; it is a gap of the snapshot.

| source | days | reason |
|---|---|---|
{left_out_rows or none3}
The copyright of the underlying bulletins belongs to their publishers; the datasets' licences are in
their repositories.
"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


def build_snapshot(shared: str | Path, out: str | Path) -> dict[str, Summary]:
    """Write ``<out>/{minfin,mod,russianwarship}.csv``, ``completed.csv``, ``mod_urls.csv`` and
    ``SOURCES.md``; return summaries."""
    shared, out = Path(shared), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mod_rows, mod_urls, mod_summary = read_mod(shared)
    minfin_rows, minfin_summary = read_minfin(shared)
    rw_rows, rw_summary = read_russianwarship(shared)
    summaries = {"minfin": minfin_summary, "mod": mod_summary, "russianwarship": rw_summary}
    all_rows = {"minfin": minfin_rows, "mod": mod_rows, "russianwarship": rw_rows}
    for source in ("minfin", "mod"):
        complete(all_rows[source], summaries[source], all_rows[DONOR])
    for source in SOURCE_ORDER:
        leave_out_incomplete(all_rows[source], summaries[source], DATASET[source])
    for source in SOURCE_ORDER:
        write_rows(out / f"{source}.csv", all_rows[source], summaries[source])
    write_completed(out / COMPLETED_FILE, all_rows, summaries)
    with (out / "mod_urls.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["as_of", "url"])
        for day in sorted(d for d in mod_urls if d in mod_rows):
            w.writerow([day.isoformat(), mod_urls[day]])
    write_sources_md(shared, out, summaries)
    return summaries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.replay.snapshot", description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", required=True, help="the shared directory (holds reference/datasets)")
    ap.add_argument("--out", default="data/replay", help="output directory (default: data/replay)")
    args = ap.parse_args(argv)
    summaries = build_snapshot(args.shared, args.out)
    for source in ("minfin", "mod", "russianwarship"):
        print(summaries[source].describe())
    print(f"wrote {args.out}/{{minfin,mod,russianwarship}}.csv, completed.csv, mod_urls.csv, SOURCES.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
