"""What a snapshot build found (:class:`Summary`) and the SOURCES.md that reports it.

Split from etl/replay/snapshot.py, which builds the snapshot; the text written is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from etl.domain.categories import CATEGORIES

ORDER = {c.code: i for i, c in enumerate(CATEGORIES)}
SOURCE_ORDER = ("minfin", "mod", "russianwarship")
TAKEN_FROM = "hand-kept dataset"


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


# One line of SOURCES.md each (markdown table rows cannot wrap).
_COMPLETION_RULE = (
    "When the bulletins required the category that day (`etl.domain.categories.required_on`; POW never was), "
    "such a cell is completed with the hand-kept dataset's (`russianwarship.csv`) figure of the same day"
)


def _files_table(shared: Path) -> str:
    """The rows of SOURCES.md's table of files (each ends in a newline)."""
    rows = [
        (
            "`mod.csv`, `mod_urls.csv`",
            "mil.gov.ua / mod.gov.ua bulletins",
            _provenance(shared, "orc-losses"),
            "`russian-losses.json` (`sourceUri` gives `mod_urls.csv`)",
        ),
        (
            "`minfin.csv`",
            "index.minfin.com.ua",
            _provenance(shared, "russian-Losses-in-Ukraine"),
            "`data/russia_losses.csv`",
        ),
        (
            "`russianwarship.csv`",
            "russianwarship.rip API (the hand-kept dataset)",
            _provenance(shared, "2022-Ukraine-Russia-War-Dataset"),
            "`data/russia_losses_equipment.json`, `data/russia_losses_personnel.json`",
        ),
        (
            "`completed.csv`",
            "the cells of `mod.csv` / `minfin.csv` taken from the hand-kept dataset (not read by the replay server)",
            "as `russianwarship.csv`",
            "",
        ),
    ]
    return "".join("|" + "".join(f" {cell} |" if cell else " |" for cell in row) + "\n" for row in rows)


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
{_files_table(shared)}
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

{_COMPLETION_RULE}
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
