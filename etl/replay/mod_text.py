"""The wording and paths of the mil.gov.ua / mod.gov.ua bulletins (labels, slugs, titles), shared by the mod site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etl.replay.common import MIL_SLUG_2023, MIL_SLUG_2023_03, MONTHS_EN, MONTHS_UK_GEN_LATIN, TANKS_TO_SUBMARINES

# --------------------------------------------------------------------------- mod (mil.gov.ua / mod.gov.ua)

MOD_ORDER = (
    "personnel",
    *TANKS_TO_SUBMARINES,
    "military_vehicles",
    "fuel_tanks",
    "vehicles_fuel_tanks",
    "special_equipment",
    "srbm_launchers",
    "ground_robots",
    "pow",
)

# code -> (English label, Ukrainian label, dash, Ukrainian unit suffix): the dashes vary like the real
# bulletins' do (the same in both languages); the English bulletins print no unit.
MOD_WORDS = {
    "personnel": ("personnel", "особового складу", "‒", ""),
    "tanks": ("tanks", "танків", "‒", " од"),
    "armored_vehicles": ("APV", "бойових броньованих машин", "‒", " од"),
    "artillery": ("artillery systems", "артилерійських систем", "–", " од"),
    "mlrs": ("MLRS", "РСЗВ", "‒", " од"),
    "air_defense": ("Anti-aircraft warfare systems", "засоби ППО", "‒", " од"),
    "aircraft": ("aircraft", "літаків", "–", " од"),
    "helicopters": ("helicopters", "гелікоптерів", "–", " од"),
    "drones": ("UAV operational-tactical level", "БПЛА оперативно-тактичного рівня", "‒", ""),
    "cruise_missiles": ("cruise missiles", "крилаті ракети", "‒", ""),
    "ships_boats": ("warships / boats", "кораблі /катери", "‒", " од"),
    "submarines": ("submarines", "підводні човни", "‒", " од"),
    "military_vehicles": ("vehicles", "автомобільної техніки", "‒", " од"),
    "fuel_tanks": ("fuel tanks", "цистерн з ПММ", "‒", " од"),
    "vehicles_fuel_tanks": ("vehicles and fuel tanks", "автомобільної техніки та автоцистерн", "‒", " од"),
    "special_equipment": ("special equipment", "спеціальна техніка", "‒", ""),
    "srbm_launchers": ("mobile SRBM system", "ПУ ОТРК", "‒", " од"),
    "ground_robots": ("ground robotic systems", "наземні робототехнічні комплекси", "‒", " од"),
    "pow": ("prisoners of war", "полонені", "‒", ""),
}
# language -> code -> (label, dash, unit suffix)
MOD_LABELS = {
    "en": {code: (en, dash, "") for code, (en, _uk, dash, _unit) in MOD_WORDS.items()},
    "uk": {code: (uk, dash, unit) for code, (_en, uk, dash, unit) in MOD_WORDS.items()},
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
    return (
        f"/en/news/total-russian-combat-losses-in-ukraine-as-of-{MONTHS_EN[day.month - 1].lower()}-{day.day}-{day.year}"
    )


# mod.gov.ua's bulletin body (live-sources.md): one <li> per figure, "label ‒ 12 026 (+1);", personnel
# without a dash ("approximately 1 391 950 (+1 290) persons."), the English labels other projects map.
MODGOV_LABELS_EN = {
    "tanks": "tanks",
    "armored_vehicles": "armored fighting vehicles",
    "artillery": "artillery systems",
    "mlrs": "MLRS",
    "air_defense": "air defense assets",
    "aircraft": "aircraft",
    "helicopters": "helicopters",
    "drones": "UAVs (operational-tactical level)",
    "cruise_missiles": "cruise missiles",
    "ships_boats": "warships and boats",
    "submarines": "submarines",
    "vehicles_fuel_tanks": "vehicles and fuel tanks",
    "special_equipment": "special equipment",
    "ground_robots": "unmanned ground vehicles",
}
MODGOV_ORDER_EN = (
    "personnel",
    *TANKS_TO_SUBMARINES,
    "vehicles_fuel_tanks",
    "special_equipment",
    "ground_robots",
)
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
    bulletin: Bulletin | None

    @property
    def published_at(self) -> str:
        return f"{self.day.isoformat()}T06:{self.id % 50:02d}:00.000Z"  # 09:xx in Kyiv


@dataclass(frozen=True)
class Bulletin:
    day: date
    lang: str  # 'en' or 'uk'
    site: str  # 'mil' or 'mod'
    path: str  # path below the site prefix, unquoted
