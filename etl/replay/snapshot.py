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
from datetime import date, timedelta
from pathlib import Path

from etl.domain.categories import BY_CODE, MERGE_DAY, PETRO_LABELS, required_on
from etl.losses.parsers import NEVER_REPORTS
from etl.replay.snapshot_report import ORDER, SOURCE_ORDER, TAKEN_FROM, Summary, write_sources_md

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
RW_COLUMNS = PETRO_LABELS

Rows = dict[date, dict[str, int]]

DATASET = {
    "mod": "orc-losses",
    "minfin": "russian-Losses-in-Ukraine",
    "russianwarship": "2022-Ukraine-Russia-War-Dataset",
}
DONOR = "russianwarship"  # the hand-kept dataset: the only series with every category
COMPLETED_FILE = "completed.csv"


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
