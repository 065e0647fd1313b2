"""Build the bundled replay snapshot (data/replay/*.csv) from the three reference series in ../shared.

    python -m etl.snapshot --shared ../shared --out data/replay

One long-format CSV per source (as_of, category, cumulative), figures copied as the reference
datasets hold them: their disagreements, typos and gaps are kept on purpose (a later quality gate
must catch them). A category is written only on days it is valid (etl.categories), blanks stay
blank. Also writes mod_urls.csv (the real bulletin URL of each mod day) and SOURCES.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from etl.categories import BY_CODE, CATEGORIES, MERGE_DAY

ORDER = {c.code: i for i, c in enumerate(CATEGORIES)}

MOD_FILE = Path("reference/datasets/orc-losses/russian-losses.json")
MINFIN_FILE = Path("reference/datasets/russian-Losses-in-Ukraine/russia_losses.csv")
RW_EQUIPMENT_FILE = Path("reference/datasets/2022-Ukraine-Russia-War-Dataset/russia_losses_equipment.json")
RW_PERSONNEL_FILE = Path("reference/datasets/2022-Ukraine-Russia-War-Dataset/russia_losses_personnel.json")

# Column -> category code.  "vehicles" columns hold military vehicles only before 2022-05-01.
MOD_COLUMNS = {
    "personnel": "personnel", "tanks": "tanks", "afvs": "armored_vehicles", "artillery": "artillery",
    "airDefense": "air_defense", "rocketSystems": "mlrs", "unarmoredVehicles": "vehicles_fuel_tanks",
    "fixedWingAircraft": "aircraft", "rotaryWingAircraft": "helicopters", "uavs": "drones", "ships": "ships_boats",
    "submarines": "submarines", "specialEquipment": "special_equipment", "missiles": "cruise_missiles",
}
MINFIN_COLUMNS = {
    "personnel": "personnel", "tanks": "tanks", "apv": "armored_vehicles", "artillery": "artillery", "mlrs": "mlrs",
    "aaws": "air_defense", "aircrafts": "aircraft", "helicopters": "helicopters", "uav": "drones",
    "cruise_missiles": "cruise_missiles", "warships": "ships_boats", "vehicles_fuel_tanks": "vehicles_fuel_tanks",
    "special_equipment": "special_equipment", "submarines": "submarines",
}
RW_COLUMNS = {
    "aircraft": "aircraft", "helicopter": "helicopters", "tank": "tanks", "APC": "armored_vehicles",
    "field artillery": "artillery", "MRL": "mlrs", "military auto": "military_vehicles", "fuel tank": "fuel_tanks",
    "drone": "drones", "naval ship": "ships_boats", "anti-aircraft warfare": "air_defense",
    "special equipment": "special_equipment", "mobile SRBM system": "srbm_launchers",
    "vehicles and fuel tanks": "vehicles_fuel_tanks", "cruise missiles": "cruise_missiles",
    "submarines": "submarines", "ground robotic systems": "ground_robots",
    "personnel": "personnel", "POW": "pow",
}

Rows = dict[date, dict[str, int]]


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

    def describe(self) -> str:
        lines = [f"{self.source}: {self.rows} rows, {self.days} days, {self.first} to {self.last}, "
                 f"{len(self.gaps)} gap(s), {self.dropped_invalid} value(s) outside category validity dropped"]
        for before, after in sorted(self.gaps, key=lambda g: (g[1] - g[0]).days, reverse=True)[:8]:
            lines.append(f"  gap: {(after - before).days - 1} day(s) missing between {before} and {after}")
        if len(self.gaps) > 8:
            lines.append(f"  ... and {len(self.gaps) - 8} shorter gap(s)")
        return "\n".join(lines)


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
    n = _as_int(value)
    if n is None:
        return  # blank stays blank
    code = _code_for(code, day)
    if not BY_CODE[code].valid_on(day):
        summary.dropped_invalid += 1
        return
    rows.setdefault(day, {})[code] = n


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
    summary.gaps = [(a, b) for a, b in zip(days, days[1:]) if b - a > timedelta(days=1)]


def _provenance(shared: Path, dataset_dir: str) -> str:
    text = (shared / "reference/datasets" / dataset_dir / "SOURCES.md").read_text(encoding="utf-8")
    m = re.search(r"Repository:\s*([^,\n]+),\s*commit\s+([0-9a-f]{40})(\s*\([^)]*\))?", text)
    if not m:
        raise ValueError(f"no repository/commit line in {dataset_dir}/SOURCES.md")
    return f"`{m.group(1).strip()}` at commit `{m.group(2)}`{m.group(3) or ''}"


def write_sources_md(shared: Path, out: Path, summaries: dict[str, Summary]) -> None:
    def span(s: Summary) -> str:
        return f"{s.rows} rows, {s.days} days, {s.first} to {s.last}, {len(s.gaps)} gap(s)"

    text = f"""# Replay snapshot: where the figures come from

These CSVs hold **figures only** (dates, category codes, cumulative counts), taken from public
third-party datasets by `etl/snapshot.py` (`python -m etl.snapshot --shared ../shared --out data/replay`).
The figures are the General Staff of Ukraine's daily loss bulletins as each dataset recorded them.
No page, script or text of the original sites or repositories is included. The replay server
(`etl/replay.py`) renders its own HTML and JSON around these figures.

| file | stands for | figures from | path in that repository |
|---|---|---|---|
| `mod.csv`, `mod_urls.csv` | mil.gov.ua / mod.gov.ua bulletins | {_provenance(shared, 'orc-losses')} | `russian-losses.json` (`sourceUri` gives `mod_urls.csv`) |
| `minfin.csv` | index.minfin.com.ua | {_provenance(shared, 'russian-Losses-in-Ukraine')} | `data/russia_losses.csv` |
| `russianwarship.csv` | russianwarship.rip API | {_provenance(shared, '2022-Ukraine-Russia-War-Dataset')} | `data/russia_losses_equipment.json`, `data/russia_losses_personnel.json` |

Contents when built:

- mod: {span(summaries['mod'])}
- minfin: {span(summaries['minfin'])}
- russianwarship: {span(summaries['russianwarship'])}

The datasets disagree with each other and contain one-day typos; both are kept on purpose (the
quality gate must catch them). Gaps in the mod series (largest 2023-07-22 to 2023-12-20) are kept,
never filled. A category appears only on days `etl.categories` says it was reported; blanks stay
blank. The copyright of the underlying bulletins belongs to their publishers; the datasets'
licences are in their repositories.
"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


def build_snapshot(shared: str | Path, out: str | Path) -> dict[str, Summary]:
    """Write ``<out>/{minfin,mod,russianwarship}.csv``, ``mod_urls.csv`` and ``SOURCES.md``; return summaries."""
    shared, out = Path(shared), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mod_rows, mod_urls, mod_summary = read_mod(shared)
    minfin_rows, minfin_summary = read_minfin(shared)
    rw_rows, rw_summary = read_russianwarship(shared)
    summaries = {"minfin": minfin_summary, "mod": mod_summary, "russianwarship": rw_summary}
    for source, rows in (("minfin", minfin_rows), ("mod", mod_rows), ("russianwarship", rw_rows)):
        write_rows(out / f"{source}.csv", rows, summaries[source])
    with (out / "mod_urls.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["as_of", "url"])
        for day in sorted(d for d in mod_urls if d in mod_rows):
            w.writerow([day.isoformat(), mod_urls[day]])
    write_sources_md(shared, out, summaries)
    return summaries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.snapshot", description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", required=True, help="the shared directory (holds reference/datasets)")
    ap.add_argument("--out", default="data/replay", help="output directory (default: data/replay)")
    args = ap.parse_args(argv)
    summaries = build_snapshot(args.shared, args.out)
    for source in ("minfin", "mod", "russianwarship"):
        print(summaries[source].describe())
    print(f"wrote {args.out}/{{minfin,mod,russianwarship}}.csv, mod_urls.csv, SOURCES.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
