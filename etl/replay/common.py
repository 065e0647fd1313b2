"""The replay's shared parts: site prefixes and constants, snapshot loading, faults, page helpers."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from etl.domain.categories import BY_CODE

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "replay"
MOD_URLS_FILE = "mod_urls.csv"

# Site prefixes on the loopback port: the real origin's host name becomes the first path segment.
MINFIN_PREFIX = "/index.minfin.com.ua"
MIL_PREFIX = "/mil.gov.ua"
MIL_ALIASES = ("/www.mil.gov.ua",)
MOD_PREFIX = "/mod.gov.ua"
RW_PREFIX = "/russianwarship.rip"
CONTROL_PREFIX = "/_replay"

MOD_SITE_SWITCH = date(2024, 10, 7)  # bulletins move from mil.gov.ua to mod.gov.ua
MIL_SLUG_2023 = date(2023, 1, 1)  # "from-24-02-22-to-DD-MM-YY"
MIL_SLUG_2023_03 = date(2023, 3, 3)  # "from-24-02-2022-to-DD-MM-YYYY"
MINFIN_MAIN_DAYS = 45
LISTING_PAGE_SIZE = 20
RW_DEFAULT_LIMIT = 50
RW_MAX_LIMIT = 100

FAULT_KINDS = ("http500", "hang", "oversize", "empty", "redesign", "missing", "garbled", "http429", "http503")

from etl.domain.calendar import MONTHS_EN, MONTHS_UK, MONTHS_UK_GEN, MONTHS_UK_GEN_LATIN  # noqa: E402,F401 - re-exported

# --------------------------------------------------------------------------- snapshot loading


@dataclass(frozen=True)
class Figure:
    cumulative: int
    increase: int | None  # None: nothing to print (first day of the category in the file)


@dataclass
class Series:
    """One source's snapshot: day -> {category code -> Figure}, days ascending."""

    source: str
    days: dict[date, dict[str, Figure]]
    order: list[date] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.order = sorted(self.days)

    @property
    def latest(self) -> date | None:
        return self.order[-1] if self.order else None

    def __len__(self) -> int:
        return len(self.order)


def load_series(path: Path, source: str) -> Series:
    """Read ``<dir>/<source>.csv`` (as_of, category, cumulative[, increase]).

    A blank or absent ``increase`` becomes the difference to the previous day present in the file
    (None when that day lacks the category, e.g. the first day).
    """
    from etl.replay.snapshot import read_snapshot_rows  # checks each row: SnapshotError names file, line, field

    days: dict[date, dict[str, tuple[int, int | None]]] = {}
    if path.exists():
        for day, code, cum, inc in read_snapshot_rows(path):
            days.setdefault(day, {})[code] = (cum, inc)
    out: dict[date, dict[str, Figure]] = {}
    prev: dict[str, tuple[int, int | None]] | None = None
    for day in sorted(days):
        figs = {}
        for code, (cum, inc) in days[day].items():
            if inc is None and prev is not None and code in prev:
                inc = cum - prev[code][0]
            figs[code] = Figure(cum, inc)
        out[day] = figs
        prev = days[day]
    return Series(source, out)


def load_mod_urls(path: Path) -> dict[date, str]:
    """The optional sidecar ``mod_urls.csv`` (as_of, url): the real Ukrainian bulletin URL of a day."""
    urls: dict[date, str] = {}
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("as_of") and row.get("url"):
                    urls[date.fromisoformat(row["as_of"].strip())] = row["url"].strip()
    return urls


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """A deliberate misbehaviour of one path (exact, or a prefix when it ends with ``*``)."""

    kind: str
    path: str
    category: str = "tanks"  # for missing / garbled
    times: int | None = None  # apply this many times, then drop; None = until cleared
    hang_seconds: float = 30.0  # for hang: hold the connection this long, then close without a reply
    size: int = 16 * 1024 * 1024  # for oversize: body length in bytes
    retry_after: float | None = 1.0  # for http429 / http503: the Retry-After header in seconds (None: none sent)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.kind in ("missing", "garbled") and self.category not in BY_CODE:
            raise ValueError(f"unknown category {self.category!r}")

    def matches(self, path: str) -> bool:
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path or path.rstrip("/") == self.path.rstrip("/")


@dataclass(frozen=True)
class Variant:
    """How a page's figures are distorted: None (faithful), 'missing', 'garbled' or 'redesign'."""

    kind: str | None = None
    category: str | None = None


FAITHFUL = Variant()


def garble(n: int) -> str:
    """A number with a letter in it, as a botched edit would print it: 3759 -> '37O9'."""
    text = str(n)
    return text[:-2] + "O" + text[-1:] if len(text) >= 2 else "O"


def signed(n: int) -> str:
    return f"+{n}" if n >= 0 else f"-{-n}"


# --------------------------------------------------------------------------- shared page helpers


def http_date(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)


def html_page(body: str, last_modified: datetime | None, status: int = 200) -> Page:
    return Page(status, body.encode("utf-8"), "text/html; charset=utf-8", last_modified)


def json_page(obj, last_modified: datetime | None, status: int = 200) -> Page:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Page(status, body, "application/json; charset=utf-8", last_modified)


def not_found_html(path: str) -> Page:
    return html_page(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head>'
        f"<body><h1>404 Not Found</h1><p>{escape(path)}</p></body></html>",
        None,
        404,
    )


def redirect(location: str) -> Page:
    return Page(301, b"", "text/html; charset=utf-8", None, {"Location": location})


def pick_figures(figs: dict[str, Figure], order: tuple[str, ...], variant: Variant) -> list[tuple[str, Figure]]:
    out = [(code, figs[code]) for code in order if code in figs]
    extra = [(code, f) for code, f in figs.items() if code not in order]
    out += extra
    if variant.kind == "missing":
        out = [(code, f) for code, f in out if code != variant.category]
    return out


def shown_number(code: str, n: int, variant: Variant) -> str:
    return garble(n) if variant.kind == "garbled" and variant.category == code else str(n)


def redesigned_table(day: date, figs: list[tuple[str, Figure]], lang: str) -> str:
    """The 'redesign' fault: the same figures in markup no parser was written for."""
    rows = "".join(
        f'<div class="stat-card" data-key="{code}"><div class="stat-card__name">'
        f"{escape(BY_CODE[code].label_uk if lang == 'uk' else BY_CODE[code].label_en)}</div>"
        f'<div class="stat-card__value">{f.cumulative:,}</div>'
        + (f'<div class="stat-card__delta">{signed(f.increase)}</div>' if f.increase is not None else "")
        + "</div>"
        for code, f in figs
    )
    return (
        f'<section class="losses-v2"><header class="losses-v2__date">{day.isoformat()}</header>'
        f'<div class="losses-v2__grid">{rows}</div></section>'
    )


# the order all three sites list the equipment in, from tanks to submarines (each goes its own way after)
TANKS_TO_SUBMARINES = (
    "tanks",
    "armored_vehicles",
    "artillery",
    "mlrs",
    "air_defense",
    "aircraft",
    "helicopters",
    "drones",
    "cruise_missiles",
    "ships_boats",
    "submarines",
)
