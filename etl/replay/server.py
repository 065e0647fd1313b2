"""Offline replay server: the three loss sources rendered from snapshot CSVs on one loopback port.

Tests and the offline mode crawl this server with the project's real spiders, so every page is
shaped like the real site (tags, classes, label wording, URL paths) while the HTML itself is our own.
See docs/replay.md for the URL layout, the snapshot format and the fault switches.

    with ReplayServer("data/replay") as srv:
        urlopen(srv.urls["minfin"] + "/ua/russian-invading/casualties/")

Only the standard library is used (http.server in a daemon thread).
"""
from __future__ import annotations

import csv
import hashlib
import json
import socket
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from etl.domain.calendar import MONTHS_EN, MONTHS_UK, MONTHS_UK_GEN, MONTHS_UK_GEN_LATIN
from etl.domain.categories import BY_CODE, MERGE_DAY, WAR_START
from etl.domain.model import SOURCES

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

def _http_date(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc)


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
    return html_page(f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>"
                     f"<body><h1>404 Not Found</h1><p>{escape(path)}</p></body></html>", None, 404)


def redirect(location: str) -> Page:
    return Page(301, b"", "text/html; charset=utf-8", None, {"Location": location})


def _pick(figs: dict[str, Figure], order: tuple[str, ...], variant: Variant) -> list[tuple[str, Figure]]:
    out = [(code, figs[code]) for code in order if code in figs]
    extra = [(code, f) for code, f in figs.items() if code not in order]
    out += extra
    if variant.kind == "missing":
        out = [(code, f) for code, f in out if code != variant.category]
    return out


def _num(code: str, n: int, variant: Variant) -> str:
    return garble(n) if variant.kind == "garbled" and variant.category == code else str(n)


def _redesigned_table(day: date, figs: list[tuple[str, Figure]], lang: str) -> str:
    """The 'redesign' fault: the same figures in markup no parser was written for."""
    rows = "".join(
        f"<div class=\"stat-card\" data-key=\"{code}\"><div class=\"stat-card__name\">"
        f"{escape(BY_CODE[code].label_uk if lang == 'uk' else BY_CODE[code].label_en)}</div>"
        f"<div class=\"stat-card__value\">{f.cumulative:,}</div>"
        + (f"<div class=\"stat-card__delta\">{signed(f.increase)}</div>" if f.increase is not None else "")
        + "</div>"
        for code, f in figs
    )
    return (f"<section class=\"losses-v2\"><header class=\"losses-v2__date\">{day.isoformat()}</header>"
            f"<div class=\"losses-v2__grid\">{rows}</div></section>")


# --------------------------------------------------------------------------- minfin

MINFIN_ORDER = ("tanks", "armored_vehicles", "artillery", "mlrs", "air_defense", "aircraft", "helicopters",
                "drones", "cruise_missiles", "ships_boats", "submarines", "vehicles_fuel_tanks",
                "military_vehicles", "fuel_tanks", "srbm_launchers", "special_equipment", "ground_robots",
                "personnel", "pow")

# code -> (label, abbreviation title or None); labels are the words the site prints.
MINFIN_LABELS = {
    "ua": {
        "tanks": ("Танки", None),
        "armored_vehicles": ("ББМ", "Бойові броньовані машини усіх типів"),
        "artillery": ("Гармати", None),
        "mlrs": ("РСЗВ", "Реактивні системи залпового вогню"),
        "air_defense": ("Засоби ППО", None),
        "aircraft": ("Літаки", None),
        "helicopters": ("Гелікоптери", None),
        "drones": ("БПЛА", "Безпілотні літальні апарати оперативно-тактичного рівня"),
        "cruise_missiles": ("Крилаті ракети", None),
        "ships_boats": ("Кораблі (катери)", None),
        "submarines": ("Підводні човни", None),
        "vehicles_fuel_tanks": ("Автомобілі та автоцистерни", None),
        "military_vehicles": ("Автомобілі", None),
        "fuel_tanks": ("Цистерни з ПММ", None),
        "srbm_launchers": ("ПУ ОТРК", "Пускові установки оперативно-тактичних ракетних комплексів"),
        "special_equipment": ("Спеціальна техніка", None),
        "ground_robots": ("НРК", "Наземні робототехнічні комплекси"),
        "personnel": ("Особовий склад", None),
        "pow": ("Полонені", None),
    },
    "en": {
        "tanks": ("Tanks", None),
        "armored_vehicles": ("AFV", "Armoured fighting vehicles of all types"),
        "artillery": ("Artillery systems", None),
        "mlrs": ("MLRS", "Multiple launch rocket systems"),
        "air_defense": ("Air defense systems", None),
        "aircraft": ("Aircraft", None),
        "helicopters": ("Helicopters", None),
        "drones": ("UAV", "Unmanned aerial vehicles, operational-tactical level"),
        "cruise_missiles": ("Cruise missiles", None),
        "ships_boats": ("Warships / boats", None),
        "submarines": ("Submarines", None),
        "vehicles_fuel_tanks": ("Vehicles and fuel tanks", None),
        "military_vehicles": ("Military vehicles", None),
        "fuel_tanks": ("Fuel tanks", None),
        "srbm_launchers": ("Mobile SRBM systems", None),
        "special_equipment": ("Special equipment", None),
        "ground_robots": ("Ground robotic systems", None),
        "personnel": ("Personnel", None),
        "pow": ("Prisoners of war", None),
    },
}

MINFIN_TEXT = {
    "ua": {"title": "Втрати російської армії в Україні", "month_title": "Втрати Росії в Україні",
           "about": "близько", "people": "осіб", "people_hint": "ліквідовано", "see_also": "Див. також:",
           "crumbs": ("Індекси", "Війна в Україні", "Втрати Росії"),
           "intro": "Щоденні дані Генерального штабу ЗСУ про втрати ворога, наростаючим підсумком.",
           "links": ("Втрати Росії в Україні", "Санкції", "Допомога Україні")},
    "en": {"title": "Losses of the Russian army in Ukraine", "month_title": "Russian losses in Ukraine",
           "about": "about", "people": "people", "people_hint": "liquidated", "see_also": "See also:",
           "crumbs": ("Indexes", "War in Ukraine", "Russian losses"),
           "intro": "Daily figures of the General Staff of Ukraine on enemy losses, cumulative totals.",
           "links": ("Russian losses in Ukraine", "Sanctions", "Support for Ukraine")},
}


class MinfinSite:
    def __init__(self, series: Series):
        self.series = series
        self.months: dict[str, list[date]] = {}
        for day in series.order:
            self.months.setdefault(f"{day:%Y-%m}", []).append(day)

    def _label(self, lang: str, code: str) -> str:
        label, title = MINFIN_LABELS[lang].get(code, (BY_CODE[code].label_en, None))
        if title:
            return f"<abbr class=\"idx-help\" title=\"{escape(title)}\">{escape(label)}</abbr>"
        return escape(label)

    def _day_block(self, lang: str, day: date, variant: Variant) -> str:
        figs = _pick(self.series.days[day], MINFIN_ORDER, variant)
        if variant.kind == "redesign":
            return _redesigned_table(day, figs, "uk" if lang == "ua" else "en")
        text = MINFIN_TEXT[lang]
        items = []
        for code, f in figs:
            small = f" <small>({signed(f.increase)})</small>" if f.increase else ""
            num = _num(code, f.cumulative, variant)
            if code == "personnel":
                value = (f"{text['about']} {num} <span class=\"idx-help\" title=\"{text['people_hint']}\">"
                         f"{text['people']}</span>")
            else:
                value = num
            items.append(f"<li>{self._label(lang, code)}&nbsp;&mdash; {value}{small}</li>")
        return (f"<li class=\"gold\"><span class=\"black\">{day:%d.%m.%Y}</span><div class=\"casualties\">\n"
                f"<div><ul>{''.join(items)}</ul></div>\n</div></li>\n")

    def _frame(self, lang: str, title: str, crumbs_extra: str, content: str) -> str:
        text = MINFIN_TEXT[lang]
        c1, c2, c3 = text["crumbs"]
        l1, l2, l3 = text["links"]
        html_lang = "uk" if lang == "ua" else "en"
        return (
            f"<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} | index.minfin.com.ua</title>"
            f"<base href=\"{MINFIN_PREFIX}/{lang}/\"></head>\n<body><div id=\"idx-wrapper\">\n"
            f"<article id=\"idx-content\">\n<nav id=\"idx-breadcrumbs\"><ul>"
            f"<li><a href=\"./\">{c1}</a></li><li><a href=\"russian-invading/\">{c2}</a></li>"
            f"{crumbs_extra or f'<li>{c3}</li>'}</ul></nav>\n"
            f"<h1 class=\"headline\">{escape(title)}</h1>\n<div class=\"idx-intro\"><p>{text['intro']}</p></div>\n"
            f"{content}"
            f"<ul class=\"see-also\"><li class=\"gold\"><span class=\"black\">{text['see_also']}</span><ul>"
            f"<li><a href=\"russian-invading/casualties/\">{l1}</a></li>"
            f"<li><a href=\"russian-invading/sanctions/\">{l2}</a></li>"
            f"<li><a href=\"russian-invading/supporting-ukraine/\">{l3}</a></li></ul></li></ul>\n"
            f"</article>\n</div></body></html>\n"
        )

    def _month_name(self, lang: str, month: str) -> str:
        y, m = int(month[:4]), int(month[5:])
        return f"{(MONTHS_UK if lang == 'ua' else MONTHS_EN)[m - 1]} {y}"

    def main_page(self, lang: str, variant: Variant) -> Page:
        shown = self.series.order[-MINFIN_MAIN_DAYS:][::-1]
        shown_set = set(shown)
        blocks = "".join(self._day_block(lang, d, variant) for d in shown)
        links = "".join(
            f"<div class=\"ajaxmonth\"><h4 class=\"normal\"><a href=\"russian-invading/casualties/{m}/\" "
            f"id=\"a_month_{m}\">{self._month_name(lang, m)}</a></h4></div>\n"
            for m in sorted(self.months, reverse=True)
            if not all(d in shown_set for d in self.months[m])
        )
        content = f"<ul class=\"see-also\">{blocks}</ul>\n{links}"
        lm = _http_date(shown[0]) if shown else None
        return html_page(self._frame(lang, MINFIN_TEXT[lang]["title"], "", content), lm)

    def month_page(self, lang: str, month: str, variant: Variant) -> Page | None:
        days = self.months.get(month)
        if not days:
            return None
        latest = self.series.latest
        crumbs = (f"<li><a href=\"russian-invading/casualties/\">{MINFIN_TEXT[lang]['crumbs'][2]}</a></li>"
                  f"<li>{self._month_name(lang, month).lower()}</li>")
        # Like the real month pages: the newest day first, then the month's own days.
        content = (f"<ul class=\"see-also\">{self._day_block(lang, latest, variant)}</ul>"
                   f"<div class=\"ajaxmonth\"><h4>{self._month_name(lang, month)}</h4></div>\n"
                   f"<ul class=\"see-also\">{''.join(self._day_block(lang, d, variant) for d in reversed(days))}"
                   f"</ul>\n")
        return html_page(self._frame(lang, MINFIN_TEXT[lang]["month_title"], crumbs, content), _http_date(latest))

    def route(self, rest: str, query: dict, variant: Variant) -> Page | None:
        parts = [p for p in rest.split("/") if p]
        if len(parts) < 3 or parts[0] not in ("ua", "en") or parts[1:3] != ["russian-invading", "casualties"]:
            return None
        if not rest.endswith("/"):
            return redirect(f"{MINFIN_PREFIX}{rest}/")
        lang = parts[0]
        if len(parts) == 3:
            return self.main_page(lang, variant) if self.series.order else None
        if len(parts) == 4 and len(parts[3]) == 7 and parts[3][4] == "-":
            return self.month_page(lang, parts[3], variant)
        return None


# --------------------------------------------------------------------------- mod (mil.gov.ua / mod.gov.ua)

MOD_ORDER = ("personnel", "tanks", "armored_vehicles", "artillery", "mlrs", "air_defense", "aircraft",
             "helicopters", "drones", "cruise_missiles", "ships_boats", "submarines", "military_vehicles",
             "fuel_tanks", "vehicles_fuel_tanks", "special_equipment", "srbm_launchers", "ground_robots", "pow")

# code -> (label, dash, unit suffix); the dashes vary like the real bulletins' do.
MOD_LABELS = {
    "en": {
        "personnel": ("personnel", "‒", ""),
        "tanks": ("tanks", "‒", ""),
        "armored_vehicles": ("APV", "‒", ""),
        "artillery": ("artillery systems", "–", ""),
        "mlrs": ("MLRS", "‒", ""),
        "air_defense": ("Anti-aircraft warfare systems", "‒", ""),
        "aircraft": ("aircraft", "–", ""),
        "helicopters": ("helicopters", "–", ""),
        "drones": ("UAV operational-tactical level", "‒", ""),
        "cruise_missiles": ("cruise missiles", "‒", ""),
        "ships_boats": ("warships / boats", "‒", ""),
        "submarines": ("submarines", "‒", ""),
        "military_vehicles": ("vehicles", "‒", ""),
        "fuel_tanks": ("fuel tanks", "‒", ""),
        "vehicles_fuel_tanks": ("vehicles and fuel tanks", "‒", ""),
        "special_equipment": ("special equipment", "‒", ""),
        "srbm_launchers": ("mobile SRBM system", "‒", ""),
        "ground_robots": ("ground robotic systems", "‒", ""),
        "pow": ("prisoners of war", "‒", ""),
    },
    "uk": {
        "personnel": ("особового складу", "‒", ""),
        "tanks": ("танків", "‒", " од"),
        "armored_vehicles": ("бойових броньованих машин", "‒", " од"),
        "artillery": ("артилерійських систем", "–", " од"),
        "mlrs": ("РСЗВ", "‒", " од"),
        "air_defense": ("засоби ППО", "‒", " од"),
        "aircraft": ("літаків", "–", " од"),
        "helicopters": ("гелікоптерів", "–", " од"),
        "drones": ("БПЛА оперативно-тактичного рівня", "‒", ""),
        "cruise_missiles": ("крилаті ракети", "‒", ""),
        "ships_boats": ("кораблі /катери", "‒", " од"),
        "submarines": ("підводні човни", "‒", " од"),
        "military_vehicles": ("автомобільної техніки", "‒", " од"),
        "fuel_tanks": ("цистерн з ПММ", "‒", " од"),
        "vehicles_fuel_tanks": ("автомобільної техніки та автоцистерн", "‒", " од"),
        "special_equipment": ("спеціальна техніка", "‒", ""),
        "srbm_launchers": ("ПУ ОТРК", "‒", " од"),
        "ground_robots": ("наземні робототехнічні комплекси", "‒", " од"),
        "pow": ("полонені", "‒", ""),
    },
}


def mil_en_path(day: date) -> str:
    """The English bulletin's path on mil.gov.ua; its tail changed on 2023-01-01 and 2023-03-03."""
    if day < MIL_SLUG_2023:
        tail = f"from-24-02-to-{day:%d-%m}"
    elif day < MIL_SLUG_2023_03:
        tail = f"from-24-02-22-to-{day:%d-%m-%y}"
    else:
        tail = f"from-24-02-2022-to-{day:%d-%m-%Y}"
    return f"/en/news/{day:%Y/%m/%d}/the-total-combat-losses-of-the-enemy-{tail}/"


def mil_en_title(day: date) -> str:
    if day < MIL_SLUG_2023:
        return f"The total combat losses of the enemy from 24.02 to {day:%d.%m}"
    if day < MIL_SLUG_2023_03:
        return f"The total combat losses of the enemy from 24.02.22 to {day:%d.%m.%y}"
    return f"The total combat losses of the enemy from 24.02.2022 to {day:%d.%m.%Y}"


def mil_uk_generated_path(day: date) -> str:
    return f"/news/{day:%Y/%m/%d}/zagalni-bojovi-vtrati-protivnika-z-24-02-2022-po-{day:%d-%m-%Y}/"


def mod_uk_generated_path(day: date) -> str:
    return f"/news/bojovi-vtrati-voroga-na-{day.day}-{MONTHS_UK_GEN_LATIN[day.month - 1]}-{day.year}-roku"


def mod_en_path(day: date) -> str:
    """The real English pattern (live-sources.md): month in lower case, day not zero-padded."""
    return (f"/en/news/total-russian-combat-losses-in-ukraine-as-of-{MONTHS_EN[day.month - 1].lower()}-{day.day}-"
            f"{day.year}")


# mod.gov.ua's bulletin body (live-sources.md): one <li> per figure, "label ‒ 12 026 (+1);", personnel
# without a dash ("approximately 1 391 950 (+1 290) persons."), the English labels other projects map.
MODGOV_LABELS_EN = {
    "tanks": "tanks", "armored_vehicles": "armored fighting vehicles", "artillery": "artillery systems",
    "mlrs": "MLRS", "air_defense": "air defense assets", "aircraft": "aircraft", "helicopters": "helicopters",
    "drones": "UAVs (operational-tactical level)", "cruise_missiles": "cruise missiles",
    "ships_boats": "warships and boats", "submarines": "submarines", "vehicles_fuel_tanks": "vehicles and fuel tanks",
    "special_equipment": "special equipment", "ground_robots": "unmanned ground vehicles",
}
MODGOV_ORDER_EN = ("personnel", "tanks", "armored_vehicles", "artillery", "mlrs", "air_defense", "aircraft",
                   "helicopters", "drones", "cruise_missiles", "ships_boats", "submarines", "vehicles_fuel_tanks",
                   "special_equipment", "ground_robots")
MODGOV_TAG = "Відсіч агресору"
MODGOV_TAG_PATH = "/news/tag-vidsich-agresoru"
MODGOV_SEARCH_PATH = "/lookup/search"
MODGOV_OTHER_NEWS_EVERY = 7  # one article of other news in the tag every 7 days (the tag is not bulletins only)
MODGOV_SEARCH_MAX_WINDOW = 10_000  # Elasticsearch's default index.max_result_window (from + size)
TAG_PAGE_SIZE = 20


def thousands(n: int, sep: str = " ") -> str:
    """12026 -> '12 026' (the bulletins group thousands with a space or an NBSP)."""
    return f"{n:,}".replace(",", sep)


@dataclass(frozen=True)
class Article:
    """A mod.gov.ua article as the search index holds it (a bulletin, or other news of the tag)."""

    id: int
    day: date
    lang: str
    slug: str
    title: str
    bulletin: "Bulletin | None"

    @property
    def published_at(self) -> str:
        return f"{self.day.isoformat()}T06:{self.id % 50:02d}:00.000Z"  # 09:xx in Kyiv


@dataclass(frozen=True)
class Bulletin:
    day: date
    lang: str  # 'en' or 'uk'
    site: str  # 'mil' or 'mod'
    path: str  # path below the site prefix, unquoted


class ModSite:
    """Bulletins of mil.gov.ua (until 2024-10-06) and mod.gov.ua (from 2024-10-07), English and Ukrainian."""

    def __init__(self, series: Series, real_urls: dict[date, str]):
        self.series = series
        self.by_path: dict[tuple[str, str], Bulletin] = {}
        self.listings: dict[tuple[str, str], list[Bulletin]] = {("mil", "en"): [], ("mil", "uk"): [],
                                                                ("mod", "en"): [], ("mod", "uk"): []}
        self.bulletins: dict[tuple[date, str], Bulletin] = {}
        for day in series.order:
            site = "mil" if day < MOD_SITE_SWITCH else "mod"
            en = Bulletin(day, "en", site, mil_en_path(day) if site == "mil" else mod_en_path(day))
            uk = self._uk_bulletin(day, site, real_urls.get(day))
            for b in (en, uk):
                if (b.site, b.path) in self.by_path:  # an odd real URL collides: fall back to ours
                    gen = mil_uk_generated_path(day) if b.site == "mil" else mod_uk_generated_path(day)
                    b = Bulletin(day, b.lang, b.site, gen)
                self.by_path[(b.site, b.path)] = b
                self.bulletins[(day, b.lang)] = b
                self.listings[(b.site, b.lang)].append(b)
        for items in self.listings.values():
            items.sort(key=lambda b: b.day, reverse=True)
        self._build_articles()

    @staticmethod
    def _uk_bulletin(day: date, site: str, real: str | None) -> Bulletin:
        if real:
            parts = urlsplit(real)
            host = parts.hostname or ""
            path = unquote(parts.path)
            if host.endswith("mil.gov.ua") and path.startswith("/news/"):
                return Bulletin(day, "uk", "mil", path)
            if host.endswith("mod.gov.ua") and path.startswith("/news/"):
                return Bulletin(day, "uk", "mod", path.rstrip("/"))
        return Bulletin(day, "uk", site, mil_uk_generated_path(day) if site == "mil" else mod_uk_generated_path(day))

    def href(self, b: Bulletin) -> str:
        prefix = MIL_PREFIX if b.site == "mil" else MOD_PREFIX
        return quote(prefix + b.path, safe="/-_.~()")

    def url_of(self, day: date, lang: str) -> str | None:
        b = self.bulletins.get((day, lang))
        return self.href(b) if b else None

    # -- bulletin pages

    def _lines(self, b: Bulletin, variant: Variant) -> list[str]:
        figs = _pick(self.series.days[b.day], MOD_ORDER, variant)
        labels = MOD_LABELS[b.lang]
        lines = []
        for code, f in figs:
            label, dash, unit = labels.get(code, (BY_CODE[code].label_en, "‒", ""))
            num = _num(code, f.cumulative, variant)
            inc = f" ({signed(f.increase)})" if f.increase is not None else ""
            if code == "personnel":
                if b.lang == "en":
                    lines.append(f"{label} {dash} about {num}{inc} persons were liquidated")
                else:
                    lines.append(f"{label} {dash} близько {num}{inc} осіб")
            else:
                lines.append(f"{label} {dash} {num}{inc}{unit}")
        return [line + ("," if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]

    def _title(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            if b.site == "mil":
                return mil_en_title(d)
            return f"The total combat losses of the enemy as of {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
        return f"Бойові втрати ворога на {d.day} {MONTHS_UK_GEN[d.month - 1]} {d.year} року"

    def _intro(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            if b.site == "mil":
                return f"{mil_en_title(d)} were approximately:"
            return f"The total combat losses of the enemy from 24.02.2022 to {d:%d.%m.%Y} were approximately:"
        return f"Загальні бойові втрати противника з 24.02.22 по {d:%d.%m.%y} орієнтовно склали:"

    # -- mod.gov.ua: the real bulletin shape, the search index, sitemap and tag page

    def modgov_title(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            return f"Total Russian combat losses in Ukraine as of {MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
        return f"Бойові втрати ворога на {d.day} {MONTHS_UK_GEN[d.month - 1]} {d.year} року"

    def modgov_content(self, b: Bulletin, variant: Variant) -> str:
        """The article's HTML (the search reply's ``content`` and the page's body): intro, one <li> per figure."""
        figs = _pick(self.series.days[b.day], MODGOV_ORDER_EN if b.lang == "en" else MOD_ORDER, variant)
        if variant.kind == "redesign":
            return _redesigned_table(b.day, figs, b.lang)
        d = b.day
        items = []
        for i, (code, f) in enumerate(figs):
            sep = "\u00a0" if i % 3 == 1 else " "  # a space or an NBSP between thousands, as both occur
            num = _num(code, f.cumulative, variant)
            num = thousands(f.cumulative, sep) if num == str(f.cumulative) else num
            inc = f" ({signed(f.increase)})" if f.increase is not None else ""
            if inc and abs(f.increase) >= 1000:
                inc = f" ({'+' if f.increase >= 0 else '-'}{thousands(abs(f.increase), sep)})"
            dash = "\u2013" if code in ("artillery", "aircraft") else "\u2012"  # the figure dash, sometimes en dash
            if code == "personnel":
                text = (f"approximately {num}{inc} persons" if b.lang == "en"
                        else f"особового складу {dash} близько {num}{inc} осіб")
            elif b.lang == "en":
                label = escape(MODGOV_LABELS_EN.get(code, BY_CODE[code].label_en))
                text = f"<strong>{label}</strong> {dash} {num}{inc}" if i % 4 == 2 else f"{label} {dash} {num}{inc}"
            else:
                label, _dash, unit = MOD_LABELS["uk"].get(code, (BY_CODE[code].label_uk, "", ""))
                text = f"{escape(label)} {dash} {num}{inc}{unit}"
            items.append(text)
        lis = "".join(f"<li>{t}{';' if i < len(items) - 1 else '.'}</li>" for i, t in enumerate(items))
        if b.lang == "en":
            intro = (f"The total combat losses of the enemy from 24.02.2022 to {d:%d.%m.%Y} are approximately:")
            outro = "<p>The data are being confirmed.</p>"
        else:
            intro = f"Загальні бойові втрати противника з 24.02.22 по {d:%d.%m.%y} орієнтовно склали:"
            outro = "<p>Дані уточнюються.</p>"
        return f"<p>{escape(intro)}</p><ul>{lis}</ul>{outro}"

    def modgov_page(self, b: Bulletin, variant: Variant) -> Page:
        """A server-rendered (Next.js) article page: the figures are in the HTML."""
        title = self.modgov_title(b)
        art = self.article_of.get((b.day, b.lang))
        published = art.published_at if art else f"{b.day.isoformat()}T06:00:00.000Z"
        home = MOD_PREFIX + ("/en" if b.lang == "en" else "")
        html = (
            f"<!DOCTYPE html>\n<html lang=\"{b.lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><meta property=\"og:title\" content=\"{escape(title)}\">"
            f"<meta property=\"article:published_time\" content=\"{published}\"></head>\n<body>\n"
            f"<div id=\"__next\"><header><a href=\"{home}\">Міністерство оборони України</a></header>\n"
            f"<main><article><h1>{escape(title)}</h1>\n"
            f"<time datetime=\"{published}\">{b.day:%d.%m.%Y}</time>\n"
            f"<div class=\"article-content\">{self.modgov_content(b, variant)}</div>\n"
            f"<a href=\"{MOD_PREFIX}{MODGOV_TAG_PATH}\">{escape(MODGOV_TAG)}</a></article></main></div>\n"
            f"<script id=\"__NEXT_DATA__\" type=\"application/json\">{{\"page\":\"/news/[slug]\"}}</script>\n"
            f"</body></html>\n")
        return html_page(html, _http_date(b.day))

    def other_news_page(self, art: Article) -> Page:
        html = (f"<!DOCTYPE html>\n<html lang=\"{art.lang}\"><head><meta charset=\"utf-8\"><title>{escape(art.title)}"
                f"</title></head>\n<body><div id=\"__next\"><main><article><h1>{escape(art.title)}</h1>"
                f"<div class=\"article-content\">{self.other_content(art)}</div></article></main></div></body></html>\n")
        return html_page(html, _http_date(art.day))

    @staticmethod
    def other_content(art: Article) -> str:
        if art.lang == "en":
            return "<p>The Minister met partners to discuss air defence (replay: not a loss bulletin).</p>"
        return "<p>Міністр обговорив з партнерами посилення ППО (replay: не зведення втрат).</p>"

    def _build_articles(self) -> None:
        """The search index: every mod.gov.ua bulletin plus other news of the tag, ids by publication."""
        self.articles: dict[str, list[Article]] = {"en": [], "uk": []}
        self.article_of: dict[tuple[date, str], Article] = {}
        self.other_by_path: dict[str, Article] = {}
        next_id = 100_000
        days = [d for d in self.series.order if d >= MOD_SITE_SWITCH]
        for n, day in enumerate(days):
            for lang in ("uk", "en"):
                b = self.bulletins[(day, lang)]
                slug = b.path.split("/news/", 1)[1]
                art = Article(next_id, day, lang, slug, self.modgov_title(b), b)
                next_id += 1
                self.articles[lang].append(art)
                self.article_of[(day, lang)] = art
                if n % MODGOV_OTHER_NEWS_EVERY == 3:
                    slug = (f"minister-met-partners-{day.isoformat()}" if lang == "en"
                            else f"ministr-zustrivsya-z-partneramy-{day.isoformat()}")
                    title = ("The Minister met partners" if lang == "en" else "Міністр зустрівся з партнерами")
                    other = Article(next_id, day, lang, slug, title, None)
                    next_id += 1
                    self.articles[lang].append(other)
                    self.other_by_path[("/en/news/" if lang == "en" else "/news/") + slug] = other
        for items in self.articles.values():
            items.sort(key=lambda a: (a.published_at, a.id), reverse=True)

    def article_href(self, art: Article) -> str:
        if art.bulletin is not None:
            return self.href(art.bulletin)
        return MOD_PREFIX + ("/en/news/" if art.lang == "en" else "/news/") + art.slug

    def search(self, raw: bytes, variant: Variant) -> Page:
        """``POST /lookup/search``: an Elasticsearch query (sort, bool filter on locale/type/tags, from/size)."""
        try:
            q = json.loads(raw.decode("utf-8") or "{}")
            if not isinstance(q, dict):
                raise ValueError("the body is not a JSON object")
            frm, size = int(q.get("from", 0)), int(q.get("size", 10))
            if frm < 0 or size < 0 or frm + size > MODGOV_SEARCH_MAX_WINDOW:
                raise ValueError(f"Result window is too large, from + size must be less than or equal to: "
                                 f"[{MODGOV_SEARCH_MAX_WINDOW}] but was [{frm + size}]")
            terms = _es_terms(q.get("query") or {})
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            return json_page({"error": {"type": "parsing_exception", "reason": str(exc)}, "status": 400}, None, 400)
        locale, kind = terms.get("locale"), terms.get("type")
        tags = terms.get("tags")
        pool = [a for lang in ("uk", "en") if locale in (None, lang) for a in self.articles[lang]]
        if kind not in (None, "news") or (tags is not None and MODGOV_TAG not in tags):
            pool = []
        pool.sort(key=lambda a: (a.published_at, a.id), reverse=True)
        wanted = q.get("_source")
        hits = []
        for art in pool[frm: frm + size]:
            src = {"title": art.title, "slug": art.slug, "publishedAt": art.published_at, "locale": art.lang,
                   "type": "news", "id": art.id, "tags": [MODGOV_TAG],
                   "content": self.modgov_content(art.bulletin, variant) if art.bulletin else self.other_content(art)}
            if isinstance(wanted, list):
                src = {k: v for k, v in src.items() if k in wanted}
            stamp = int(datetime.fromisoformat(art.published_at.replace("Z", "+00:00")).timestamp() * 1000)
            hits.append({"_index": "news", "_id": str(art.id), "_score": None, "_source": src,
                         "sort": [stamp, art.id]})
        reply = {"took": 2, "timed_out": False,
                 "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                 "hits": {"total": {"value": len(pool), "relation": "eq"}, "max_score": None, "hits": hits}}
        if variant.kind == "redesign":
            reply = {"results": [h["_source"] for h in hits], "count": len(pool)}
        return json_page(reply, None)

    def sitemap(self) -> Page:
        """``/sitemap.xml`` (the sitemaps protocol): every article, newest first, with its lastmod."""
        rows = []
        for lang in ("uk", "en"):
            for art in self.articles[lang]:
                rows.append(f"<url><loc>{escape(self.article_href(art))}</loc><lastmod>{art.published_at[:19]}"
                            f"+00:00</lastmod></url>")
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n" + "\n".join(rows) + "\n</urlset>\n")
        latest = max((a.day for items in self.articles.values() for a in items), default=None)
        return Page(200, body.encode("utf-8"), "application/xml; charset=utf-8", _http_date(latest) if latest else None)

    def tag_page(self, page_no: int, variant: Variant) -> Page | None:
        """``/news/tag-vidsich-agresoru``: the tag's Ukrainian articles, 20 a page, ``?page=N``."""
        items = self.articles["uk"]
        pages = max(1, -(-len(items) // TAG_PAGE_SIZE))
        if page_no < 1 or page_no > pages:
            return None
        chunk = items[(page_no - 1) * TAG_PAGE_SIZE: page_no * TAG_PAGE_SIZE]
        cards = "".join(
            f"<a href=\"{self.article_href(a)}\"><time datetime=\"{a.published_at}\">{a.day:%d.%m.%Y}</time>"
            f"<span>{escape(a.title)}</span></a>\n" for a in chunk)
        if variant.kind == "redesign":
            cards = "".join(f"<button data-id=\"{a.id}\">{escape(a.title)}</button>\n" for a in chunk)
        nxt = (f"<a rel=\"next\" href=\"{MOD_PREFIX}{MODGOV_TAG_PATH}?page={page_no + 1}\">&raquo;</a>"
               if page_no < pages else "")
        html = (f"<!DOCTYPE html>\n<html lang=\"uk\"><head><meta charset=\"utf-8\"><title>{escape(MODGOV_TAG)}"
                f"</title></head>\n<body><div id=\"__next\"><main><h1>{escape(MODGOV_TAG)}</h1>\n{cards}"
                f"<nav>{nxt}</nav></main></div></body></html>\n")
        return html_page(html, _http_date(chunk[0].day) if chunk else None)

    def news_shell(self, lang: str) -> Page:
        """``/news``, ``/en/news``: as on the real site, the list is not in the HTML (the browser fills it
        from the search endpoint)."""
        heading = "News" if lang == "en" else "Новини"
        return html_page(f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{heading}"
                         f"</title></head>\n<body><div id=\"__next\"><main><h1>{heading}</h1>"
                         f"<div class=\"news-list\" data-source=\"{MOD_PREFIX}{MODGOV_SEARCH_PATH}\"></div></main></div>"
                         f"<script src=\"/_next/static/chunks/news.js\"></script></body></html>\n", None)

    def bulletin_page(self, b: Bulletin, variant: Variant) -> Page:
        if b.site == "mod":
            return self.modgov_page(b, variant)
        figs = _pick(self.series.days[b.day], MOD_ORDER, variant)
        if variant.kind == "redesign":
            body = _redesigned_table(b.day, figs, b.lang)
        else:
            pclass = " class=\"justifyfull\"" if b.lang == "uk" else ""
            body = f"<p{pclass}>{escape(self._intro(b))}</p>\n" + "".join(
                f"<p{pclass}>{escape(line)}</p>\n" for line in self._lines(b, variant))
            closing = ("Дані уточнюються. Разом до перемоги!" if b.lang == "uk"
                       else "The data are being updated. Together to victory!")
            body += f"<p{pclass}>{closing}</p>\n"
        title = self._title(b)
        lm = _http_date(b.day)
        if b.site == "mil":
            site_name = "Міноборони" if b.lang == "uk" else "Ministry of Defence of Ukraine"
            stamp = (f"{b.day:%Y-%m-%d} 09:00:00" if b.lang == "en"
                     else f"{b.day.day:02d} {MONTHS_UK_GEN[b.day.month - 1]} {b.day.year}, 09:00")
            html = (
                f"<!DOCTYPE html>\n<html lang=\"{b.lang}\"><head><meta charset=\"utf-8\">"
                f"<title>{escape(title)} | {site_name}</title>"
                f"<meta property=\"og:title\" content=\"{escape(title)}\"></head>\n<body>\n"
                f"<div id=\"header\"><a href=\"{MIL_PREFIX}/{'en/' if b.lang == 'en' else ''}\">{site_name}</a></div>\n"
                f"<div id=\"wrapper\"><div id=\"container\"><div id=\"colbase1\"><div id=\"article\">\n"
                f"<div id=\"article_heading\"><h1>{escape(title)}</h1>\n"
                f"<span class=\"aticle-date\">{stamp} |</span></div>\n"
                f"<div id=\"aticle-content\">\n{body}<hr size=\"1\">\n</div>\n</div></div></div></div>\n"
                f"<div id=\"footer\">&copy; MoD of Ukraine (replay)</div>\n</body></html>\n"
            )
        else:
            html = (
                f"<!DOCTYPE html>\n<html lang=\"{b.lang}\"><head><meta charset=\"utf-8\">"
                f"<title>{escape(title)} | Міністерство оборони України</title>"
                f"<meta property=\"og:title\" content=\"{escape(title)}\"></head>\n<body>\n"
                f"<header class=\"site-header\"><a class=\"site-header__logo\" href=\"{MOD_PREFIX}/\">МОУ</a></header>\n"
                f"<main class=\"site-main\"><article class=\"post\">\n"
                f"<h1 class=\"post__title\">{escape(title)}</h1>\n"
                f"<div class=\"post__meta\"><time datetime=\"{b.day.isoformat()}T09:00:00+03:00\">"
                f"{b.day:%d.%m.%Y}</time></div>\n"
                f"<div class=\"post__content\">\n{body}</div>\n</article></main>\n"
                f"<footer class=\"site-footer\">&copy; Міністерство оборони України (replay)</footer>\n</body></html>\n"
            )
        return html_page(html, lm)

    # -- listings

    def listing_page(self, site: str, lang: str, page_no: int, variant: Variant) -> Page | None:
        items = self.listings[(site, lang)]
        pages = max(1, -(-len(items) // LISTING_PAGE_SIZE))
        if page_no < 1 or page_no > pages:
            return None
        chunk = items[(page_no - 1) * LISTING_PAGE_SIZE: page_no * LISTING_PAGE_SIZE]
        base = (MIL_PREFIX if site == "mil" else MOD_PREFIX) + ("/en/news/" if lang == "en" else "/news/")
        if site == "mod":
            base = base.rstrip("/")
        entries = "".join(
            f"<div class=\"news-item\"><span class=\"news-date\">{b.day:%Y-%m-%d} 09:00</span> "
            f"<a class=\"news-title\" href=\"{self.href(b)}\">{escape(self._title(b))}</a></div>\n"
            for b in chunk
        )
        if variant.kind == "redesign":
            entries = "".join(f"<article class=\"card\"><h3>{escape(self._title(b))}</h3>"
                              f"<button data-id=\"{b.day.isoformat()}\">&rarr;</button></article>\n" for b in chunk)
        nav = []
        if page_no > 1:
            nav.append(f"<li class=\"prev\"><a rel=\"prev\" href=\"{base}?page={page_no - 1}\">&laquo;</a></li>")
        nav.append(f"<li class=\"active\"><span>{page_no}</span></li>")
        if page_no < pages:
            nav.append(f"<li class=\"next\"><a rel=\"next\" href=\"{base}?page={page_no + 1}\">&raquo;</a></li>")
        heading = "News" if lang == "en" else "Новини"
        html = (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{heading} | "
                f"{'mil.gov.ua' if site == 'mil' else 'mod.gov.ua'}</title></head>\n<body>\n<h1>{heading}</h1>\n"
                f"<div id=\"news-list\" class=\"news-list\">\n{entries}</div>\n"
                f"<ul class=\"pagination\">{''.join(nav)}</ul>\n</body></html>\n")
        lm = _http_date(chunk[0].day) if chunk else None
        return html_page(html, lm)

    def route(self, site: str, rest: str, query: dict, variant: Variant) -> Page | None:
        if site == "mod":
            page = self.route_modgov(rest, query, variant)
            if page is not None:
                return page
        listing_paths = {"/en/news/": "en", "/news/": "uk"} if site == "mil" else {}
        if rest in listing_paths:
            try:
                page_no = int((query.get("page") or ["1"])[0])
            except ValueError:
                return None
            return self.listing_page(site, listing_paths[rest], page_no, variant)
        key = rest if site == "mil" else rest.rstrip("/")
        b = self.by_path.get((site, key))
        if b is None and site == "mil" and not rest.endswith("/") and (site, rest + "/") in self.by_path:
            return redirect(quote(MIL_PREFIX + rest + "/", safe="/-_.~()"))
        return self.bulletin_page(b, variant) if b else None

    def route_modgov(self, rest: str, query: dict, variant: Variant) -> Page | None:
        if rest in ("/news", "/news/", "/en/news", "/en/news/"):
            return self.news_shell("en" if rest.startswith("/en") else "uk")
        if rest == "/sitemap.xml":
            return self.sitemap()
        if rest.rstrip("/") == MODGOV_TAG_PATH:
            try:
                return self.tag_page(int((query.get("page") or ["1"])[0]), variant)
            except ValueError:
                return None
        other = self.other_by_path.get(rest.rstrip("/"))
        return self.other_news_page(other) if other else None


def _es_terms(query: dict) -> dict:
    """``{field: value}`` of the term / terms_set clauses of a bool query (must / filter), as the site sends."""
    out: dict = {}
    if not isinstance(query, dict):
        raise ValueError("query must be an object")
    clauses = []
    b = query.get("bool", {})
    for key in ("must", "filter"):
        part = b.get(key, [])
        clauses += part if isinstance(part, list) else [part]
    if "term" in query or "terms_set" in query:
        clauses.append(query)
    for clause in clauses:
        if not isinstance(clause, dict):
            raise ValueError("a bool clause must be an object")
        for field, value in (clause.get("term") or {}).items():
            out[field] = value.get("value") if isinstance(value, dict) else value
        for field, value in (clause.get("terms_set") or {}).items():
            out[field] = list(value.get("terms", [])) if isinstance(value, dict) else list(value)
        for field, value in (clause.get("terms") or {}).items():
            out[field] = list(value)
    return out


# --------------------------------------------------------------------------- russianwarship.rip API v2

RW_FIELDS = (
    ("personnel_units", "personnel"),
    ("tanks", "tanks"),
    ("armoured_fighting_vehicles", "armored_vehicles"),
    ("artillery_systems", "artillery"),
    ("mlrs", "mlrs"),
    ("aa_warfare_systems", "air_defense"),
    ("planes", "aircraft"),
    ("helicopters", "helicopters"),
    ("vehicles_fuel_tanks", "vehicles_fuel_tanks"),  # military_vehicles + fuel_tanks before 2022-05-01
    ("warships_cutters", "ships_boats"),
    ("cruise_missiles", "cruise_missiles"),
    ("uav_systems", "drones"),
    ("special_military_equip", "special_equipment"),
    ("atgm_srbm_systems", "srbm_launchers"),
    ("submarines", "submarines"),
    ("ground_robotic_systems", "ground_robots"),  # field name not verified against the live API
)
RW_OK = "The data were fetched successfully."


class RussianwarshipAPI:
    def __init__(self, series: Series):
        self.series = series
        # atgm_srbm_systems stays at the last SRBM count after the category was merged away.
        self.srbm_frozen: dict[date, Figure] = {}
        last: Figure | None = None
        for day in series.order:
            f = series.days[day].get("srbm_launchers")
            if f is not None:
                last = f
            elif last is not None and day >= MERGE_DAY:
                self.srbm_frozen[day] = Figure(last.cumulative, 0)

    def _figure(self, day: date, key: str, code: str) -> tuple[Figure | None, bool]:
        """The figure behind an API field (``code``: the category it holds that day), and whether the
        field exists on that day at all."""
        figs = self.series.days[day]
        if key == "atgm_srbm_systems" and day >= MERGE_DAY:
            return self.srbm_frozen.get(day, Figure(0, 0)), True
        if key == "ground_robotic_systems" and not BY_CODE[code].valid_on(day):
            return None, False
        if not BY_CODE[code].valid_on(day):
            return Figure(0, 0), True  # the API prints 0 for a category not (yet) reported
        return figs.get(code), True

    def record(self, day: date, variant: Variant) -> dict:
        stats: dict[str, object] = {}
        increase: dict[str, object] = {}
        for key, code in RW_FIELDS:
            real_code = "military_vehicles" if key == "vehicles_fuel_tanks" and day < MERGE_DAY else code
            f, exists = self._figure(day, key, real_code)
            if real_code != code and f is not None:
                # the real API sums the two pre-merge categories into its vehicles_fuel_tanks (2022-03-01:
                # 365 = 305 vehicles + 60 fuel tanks in the real replies of ../shared/reference/pages)
                tanks = self.series.days[day].get("fuel_tanks")
                f = None if tanks is None else Figure(
                    f.cumulative + tanks.cumulative,
                    None if f.increase is None or tanks.increase is None else f.increase + tanks.increase)
            if not exists or f is None:
                continue
            if variant.kind == "missing" and variant.category in (code, real_code):
                continue
            garbled = variant.kind == "garbled" and variant.category in (code, real_code)
            stats[key] = garble(f.cumulative) if garbled else f.cumulative
            if f.increase is not None:
                increase[key] = f.increase
        rec = {"date": day.isoformat(), "day": (day - WAR_START).days + 1,
               "resource": "https://www.facebook.com/GeneralStaff.ua", "stats": stats, "increase": increase}
        if variant.kind == "redesign":
            rec = {"reportDate": day.isoformat(), "losses": [
                {"term": k, "total": v, "delta": increase.get(k)} for k, v in stats.items()]}
        return rec

    def _envelope(self, data, variant: Variant) -> dict:
        if variant.kind == "redesign":
            return {"status": "ok", "result": data}
        return {"message": RW_OK, "data": data}

    def route(self, rest: str, query: dict, variant: Variant, origin: str) -> Page | None:
        rest = rest.rstrip("/")
        if rest == "/api/v2/statistics/latest":
            day = self.series.latest
            if day is None:
                return self._not_found()
            return json_page(self._envelope(self.record(day, variant), variant), _http_date(day))
        if rest.startswith("/api/v2/statistics/"):
            try:
                day = date.fromisoformat(rest.rsplit("/", 1)[1])
            except ValueError:
                return self._not_found()
            if day not in self.series.days:
                return self._not_found()
            return json_page(self._envelope(self.record(day, variant), variant), _http_date(day))
        if rest == "/api/v2/statistics":
            return self.listing(query, variant, origin)
        return None

    @staticmethod
    def _not_found() -> Page:
        return json_page({"message": "The requested resource was not found.", "data": None}, None, 404)

    def listing(self, query: dict, variant: Variant, origin: str) -> Page:
        def arg(name: str) -> str | None:
            v = query.get(name)
            return v[0] if v else None

        try:
            offset = int(arg("offset") or 0)
            limit = int(arg("limit") or RW_DEFAULT_LIMIT)
            date_from = date.fromisoformat(arg("date_from")) if arg("date_from") else None
            date_to = date.fromisoformat(arg("date_to")) if arg("date_to") else None
            if offset < 0 or not 1 <= limit <= RW_MAX_LIMIT:
                raise ValueError("offset must be >= 0 and limit within 1..%d" % RW_MAX_LIMIT)
        except ValueError as exc:
            return json_page({"message": f"Invalid query: {exc}", "data": None}, None, 400)
        days = [d for d in self.series.order
                if (date_from is None or d >= date_from) and (date_to is None or d <= date_to)]
        chunk = days[offset: offset + limit]
        next_url = None
        if offset + limit < len(days):
            params = {"offset": offset + limit, "limit": limit}
            if date_from:
                params["date_from"] = date_from.isoformat()
            if date_to:
                params["date_to"] = date_to.isoformat()
            next_url = f"{origin}{RW_PREFIX}/api/v2/statistics?{urlencode(params)}"
        data = {"paging": {"offset": offset, "limit": limit, "total": len(days), "next_url": next_url},
                "records": [self.record(d, variant) for d in chunk]}
        lm = _http_date(max(chunk)) if chunk else None
        return json_page(self._envelope(data, variant), lm)


# --------------------------------------------------------------------------- the HTTP server

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "attrition-replay/1"
    server: "_HTTPServer"

    def log_message(self, format, *args):  # noqa: A002 - quiet unless asked
        if self.server.app.verbose:
            super().log_message(format, *args)

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK stall keep-alive clients
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def do_POST(self):
        if unquote(urlsplit(self.path).path).startswith(MOD_PREFIX + MODGOV_SEARCH_PATH):
            return self._search()
        self._control("POST")

    def _search(self) -> None:
        """mod.gov.ua's search endpoint (POST, JSON in and out); faults apply as to any path."""
        app = self.server.app
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fault = app.take_fault(unquote(parts.path), parse_qs(parts.query))
        if fault is not None and fault.kind == "http500":
            return self._send(json_page({"error": "Internal Server Error", "status": 500}, None, 500), head=False)
        if fault is not None and fault.kind == "hang":
            app.stopping.wait(fault.hang_seconds)
            self.close_connection = True
            return
        variant = Variant(fault.kind, fault.category) if fault and fault.kind in ("missing", "garbled",
                                                                                   "redesign") else FAITHFUL
        page = app.mod.search(raw, variant)
        if fault is not None and fault.kind == "empty":
            page = Page(200, b"", page.content_type, None)
        if fault is not None and fault.kind == "oversize":
            return self._send_oversize(page, fault.size, head=False)
        self._send(page, head=False)

    def do_DELETE(self):
        self._control("DELETE")

    # -- control endpoint

    def _control(self, method: str) -> None:
        app = self.server.app
        path = urlsplit(self.path).path
        if path.rstrip("/") != CONTROL_PREFIX + "/faults":
            return self._send(Page(404, b"", "text/plain; charset=utf-8"), head=False)
        if method == "DELETE":
            app.clear_faults()
            return self._send(json_page({"faults": []}, None), head=False)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            spec = json.loads(self.rfile.read(length) or b"{}")
            app.add_fault(**spec)
        except (ValueError, TypeError) as exc:
            return self._send(json_page({"error": str(exc)}, None, 400), head=False)
        return self._send(json_page({"faults": app.list_faults()}, None, 201), head=False)

    # -- pages

    def _serve(self, head: bool) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        if path.rstrip("/") == CONTROL_PREFIX + "/faults":
            return self._send(json_page({"faults": app.list_faults()}, None), head)
        fault = app.take_fault(path, query)
        if fault is not None:
            if fault.kind == "http500":
                return self._send(html_page("<!DOCTYPE html><html><body><h1>500 Internal Server Error</h1>"
                                            "</body></html>", None, 500), head)
            if fault.kind == "hang":
                app.stopping.wait(fault.hang_seconds)
                self.close_connection = True
                return
            if fault.kind in ("http429", "http503"):
                status = int(fault.kind[4:])
                page = html_page(f"<!DOCTYPE html><html><body><h1>{status}</h1></body></html>", None, status)
                if fault.retry_after is not None:
                    page.headers["Retry-After"] = f"{fault.retry_after:g}"
                return self._send(page, head)
        variant = Variant(fault.kind, fault.category) if fault and fault.kind in ("missing", "garbled",
                                                                                   "redesign") else FAITHFUL
        host = self.headers.get("Host") or f"{app.host}:{app.port}"
        page = app.render(path, query, variant, f"http://{host}")
        if app.latency > 0:  # a distant server: every page answer waits this long (see ReplayServer)
            app.stopping.wait(app.latency)
        if fault is not None and fault.kind == "empty":
            page = Page(200, b"", page.content_type, page.last_modified)
        if fault is not None and fault.kind == "oversize":
            return self._send_oversize(page, fault.size, head)
        self._send(page, head)

    def _send(self, page: Page, head: bool) -> None:
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:24] + '"'
        conditional = page.status == 200 and self._not_modified(etag, page.last_modified)
        self.send_response(304 if conditional else page.status)
        if page.status == 200:
            self.send_header("ETag", etag)
            if page.last_modified:
                self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
        for name, value in page.headers.items():
            self.send_header(name, value)
        if conditional:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if not head:
            self.wfile.write(page.body)

    def _not_modified(self, etag: str, last_modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return last_modified <= since
        return False

    def _send_oversize(self, page: Page, size: int, head: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(max(size, len(page.body))))
        self.end_headers()
        if head:
            return
        try:
            self.wfile.write(page.body)
            remaining = size - len(page.body)
            pad = (b"<!-- padding -->" * 4096) if page.content_type.startswith("text/html") else b" " * 65536
            while remaining > 0:
                piece = pad[:remaining]
                self.wfile.write(piece)
                remaining -= len(piece)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: "ReplayServer"


class ReplayServer:
    """The replay server; a context manager that serves from a daemon thread.

    ``base_url`` is ``http://HOST:PORT``; ``urls`` maps ``minfin``, ``mod_mil``, ``mod`` and
    ``russianwarship`` to the loopback stand-in of each real origin (swap the spider's base URL).
    """

    def __init__(self, data_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False, latency: float = 0.0):
        self.data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        self.host, self.verbose = host, verbose
        self.latency = float(latency)  # seconds added before every page answer (a live site's round trip)
        self.series = {s: load_series(self.data_dir / f"{s}.csv", s) for s in SOURCES}
        self.minfin = MinfinSite(self.series["minfin"])
        self.mod = ModSite(self.series["mod"], load_mod_urls(self.data_dir / MOD_URLS_FILE))
        self.rw = RussianwarshipAPI(self.series["russianwarship"])
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._cache: dict[tuple, Page] = {}
        self.stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- addresses

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def urls(self) -> dict[str, str]:
        b = self.base_url
        return {"minfin": b + MINFIN_PREFIX, "mod_mil": b + MIL_PREFIX, "mod": b + MOD_PREFIX,
                "russianwarship": b + RW_PREFIX, "control": b + CONTROL_PREFIX}

    def bulletin_url(self, day: date, lang: str = "en") -> str | None:
        """The absolute URL of the mod bulletin of ``day`` (``lang`` 'en' or 'uk'), or None."""
        href = self.mod.url_of(day, lang)
        return self.base_url + href if href else None

    # -- lifecycle

    def start(self) -> "ReplayServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="attrition-replay",
                                            kwargs={"poll_interval": 0.1}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stopping.set()
            self._httpd.server_close()

    # -- faults

    def add_fault(self, path: str, kind: str, **options) -> Fault:
        """Make ``path`` (below the port root, e.g. ``/mil.gov.ua/en/news/``; ``*`` suffix = prefix) misbehave.

        ``path`` may be percent-encoded, as in a URL (requests are matched on their decoded path)."""
        fault = Fault(kind=kind, path=unquote(path), **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def list_faults(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take_fault(self, path: str, query: dict) -> Fault | None:
        if "_fault" in query:
            opts = {"category": query.get("_category", ["tanks"])[0]}
            if "_size" in query:
                opts["size"] = int(query["_size"][0])
            if "_seconds" in query:
                opts["hang_seconds"] = float(query["_seconds"][0])
            if "_retry_after" in query:
                opts["retry_after"] = float(query["_retry_after"][0])
            try:
                return Fault(kind=query["_fault"][0], path=path, **opts)
            except ValueError:
                return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- rendering

    def render(self, path: str, query: dict, variant: Variant, origin: str) -> Page:
        query = {k: v for k, v in query.items() if not k.startswith("_")}
        key = (path, tuple(sorted((k, tuple(v)) for k, v in query.items())), variant,
               origin if path.startswith(RW_PREFIX) else "")
        page = self._cache.get(key)
        if page is None:
            page = self._route(path, query, variant, origin) or self._not_found(path)
            if page.status == 200:
                self._cache[key] = page
        return page

    def _not_found(self, path: str) -> Page:
        if path.startswith(RW_PREFIX):
            return RussianwarshipAPI._not_found()
        return not_found_html(path)

    def _route(self, path: str, query: dict, variant: Variant, origin: str) -> Page | None:
        for alias in MIL_ALIASES:
            if path.startswith(alias + "/"):
                path = MIL_PREFIX + path[len(alias):]
        if path.startswith(MINFIN_PREFIX + "/"):
            return self.minfin.route(path[len(MINFIN_PREFIX):], query, variant)
        if path.startswith(MIL_PREFIX + "/"):
            return self.mod.route("mil", path[len(MIL_PREFIX):], query, variant)
        if path.startswith(MOD_PREFIX + "/"):
            return self.mod.route("mod", path[len(MOD_PREFIX):], query, variant)
        if path.startswith(RW_PREFIX + "/"):
            return self.rw.route(path[len(RW_PREFIX):], query, variant, origin)
        if path == "/":
            return self._root()
        return None

    def _root(self) -> Page:
        rows = "".join(
            f"<li>{s}: {len(self.series[s])} days"
            + (f", {self.series[s].order[0]} to {self.series[s].latest}" if self.series[s].order else "")
            + "</li>" for s in SOURCES)
        links = ("<li><a href=\"/index.minfin.com.ua/ua/russian-invading/casualties/\">minfin (ua)</a></li>"
                 "<li><a href=\"/index.minfin.com.ua/en/russian-invading/casualties/\">minfin (en)</a></li>"
                 "<li><a href=\"/mil.gov.ua/en/news/\">mil.gov.ua news (en)</a></li>"
                 "<li><a href=\"/mil.gov.ua/news/\">mil.gov.ua news (uk)</a></li>"
                 "<li><a href=\"/mod.gov.ua/news\">mod.gov.ua news (uk)</a></li>"
                 "<li><a href=\"/mod.gov.ua/en/news\">mod.gov.ua news (en)</a></li>"
                 "<li><a href=\"/russianwarship.rip/api/v2/statistics/latest\">russianwarship latest</a></li>")
        return html_page(f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>attrition replay</title>"
                         f"</head><body><h1>attrition replay</h1><p>Data: {escape(str(self.data_dir))}</p>"
                         f"<ul>{rows}</ul><ul>{links}</ul></body></html>", None)


def serve(data_dir: str | Path | None = None, port: int = 8000, host: str = "127.0.0.1",
          verbose: bool = False, latency: float = 0.0) -> None:
    """Serve ``data_dir`` (default data/replay) on ``host:port`` until interrupted (the CLI entry);
    ``latency`` seconds are added before every page answer."""
    server = ReplayServer(data_dir, host=host, port=port, verbose=verbose, latency=latency)
    print(f"attrition replay: serving {server.data_dir} on {server.base_url}")
    for name, url in server.urls.items():
        print(f"  {name:15s} {url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m etl.replay.server", description="Serve the replay snapshot over HTTP.")
    ap.add_argument("--data", default=None, help="snapshot directory (default: data/replay)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added before every page answer")
    args = ap.parse_args(argv)
    serve(args.data, args.port, args.host, args.verbose, args.latency)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
