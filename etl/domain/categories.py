"""The canonical loss categories: the contract every parser, check and mart uses.

Dates come from the General Staff bulletins as archived in ../shared/reference
(the hand-kept dataset, the minfin archive pages and the mil.gov.ua pages):

* ``valid_from`` / ``valid_to``: the first and last day a bulletin reported the
  category (``valid_to`` is None while it is still reported).
* ``required_from``: from this day on, a bulletin that lacks the category is an
  error.  In the first days of the war the bulletins were irregular (the
  2022-02-24..26 minfin entries list only tanks, APV, aircraft, helicopters and
  personnel), so the long-lived categories are required from 2022-03-01.

Aliases are the labels the sources print, compared after :func:`normalize_label`.
An alias with ``source=None`` holds for every source; a source-specific one wins
over it.  The russianwarship API forces the pre-May-2022 categories into the new
ones (its ``vehicles_fuel_tanks`` holds military vehicles only before 2022-05-01);
that date-dependent mapping belongs to the russianwarship parser, not here.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from etl.domain.calendar import WAR_START

# Column labels of the PetroIvaniuk/2022-Ukraine-Russia-War-Dataset files -> our codes.  The snapshot
# builder reads them all; the registry corrections and the real-data tests read subsets.
PETRO_LABELS = {
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


def petro_labels(*labels: str) -> dict[str, str]:
    """The PETRO label -> code mapping for ``labels``, in that order."""
    return {label: PETRO_LABELS[label] for label in labels}


REGULAR_BULLETINS = date(2022, 3, 1)
MERGE_DAY = date(2022, 5, 1)


@dataclass(frozen=True)
class Category:
    code: str
    label_en: str
    label_uk: str
    valid_from: date
    valid_to: date | None
    required_from: date | None
    unit: str  # 'people' or 'units'
    description: str
    aliases: tuple[tuple[str | None, str], ...] = field(default=())

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def required_on(self, day: date) -> bool:
        return (
            self.required_from is not None
            and self.required_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


def _any(*labels: str) -> tuple[tuple[None, str], ...]:
    return tuple((None, label) for label in labels)


def _src(source: str, *labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((source, label) for label in labels)


# fmt: off
# one category a block: code, labels, first day, last day, required from, unit; description; aliases
CATEGORIES: tuple[Category, ...] = (
    Category(
        "personnel", "Personnel", "Особовий склад", WAR_START, None, WAR_START, "people",
        "Personnel losses (killed and wounded) as reported by the General Staff; usually qualified 'about'.",
        _any("personnel", "особовий склад", "особового складу", "personnel_units", "people", "troops")
        + _src("russianwarship", "personnel_units")
        # index.minfin.com.ua/en labels, as matched by the romansverdan/russian-Losses-in-Ukraine scraper
        + _src("minfin", "military personnel"),
    ),
    Category(
        "tanks", "Tanks", "Танки", WAR_START, None, WAR_START, "units", "Main battle tanks.",
        _any("tanks", "tank", "танки", "танків", "танк"),
    ),
    Category(
        "armored_vehicles", "Armoured combat vehicles", "Бойові броньовані машини", WAR_START, None, WAR_START, "units",
        "Armoured combat vehicles (APV/AFV) other than tanks.",
        _any(
            "apv", "afv", "apc", "armoured combat vehicles", "armored combat vehicles", "armoured fighting vehicles",
            "armored fighting vehicles", "armoured personnel vehicles", "ббм", "бойові броньовані машини",
            "бойових броньованих машин", "armoured_fighting_vehicles",
        )
        # index.minfin.com.ua/en (singular), as other projects' minfin label maps read it
        + _any("armored fighting vehicle", "armoured fighting vehicle"),
    ),
    Category(
        "artillery", "Artillery systems", "Артилерійські системи", date(2022, 2, 25), None, REGULAR_BULLETINS, "units",
        "Artillery systems (guns, howitzers, mortars).",
        _any(
            "artillery systems", "artillery", "artillery_systems", "гармати", "артилерійські системи",
            "артилерійських систем", "артсистеми",
        )
        # index.minfin.com.ua/en prints "Cannons" for "Гармати" (other projects' minfin label maps)
        + _src("minfin", "cannons"),
    ),
    Category(
        "mlrs", "Multiple launch rocket systems", "РСЗВ", date(2022, 2, 25), None, REGULAR_BULLETINS, "units",
        "Multiple launch rocket systems.",
        _any("mlrs", "mrl", "mlrs systems", "рсзв", "рсзв град", "реактивні системи залпового вогню", "mlrs grad"),
    ),
    Category(
        "air_defense", "Air defence systems", "Засоби ППО", date(2022, 2, 25), None, REGULAR_BULLETINS, "units",
        "Anti-aircraft warfare (air defence) systems.",
        _any(
            "anti-aircraft warfare systems", "anti-aircraft warfare", "air defense systems", "air defence systems",
            "air defense", "air defence", "aaws", "aa_warfare_systems", "засоби ппо", "засобів ппо", "зрк бук", "ппо",
            "buk missile system",
        ),
    ),
    Category(
        "aircraft", "Aircraft", "Літаки", WAR_START, None, WAR_START, "units", "Fixed-wing aircraft.",
        _any("aircraft", "aircrafts", "planes", "airplanes", "літаки", "літаків"),
    ),
    Category(
        "helicopters", "Helicopters", "Гелікоптери", WAR_START, None, WAR_START, "units", "Helicopters.",
        _any("helicopters", "helicopter", "гелікоптери", "гелікоптерів"),
    ),
    Category(
        "drones", "UAV (operational-tactical level)", "БПЛА оперативно-тактичного рівня", date(2022, 2, 25), None,
        REGULAR_BULLETINS, "units", "Unmanned aerial vehicles of the operational-tactical level.",
        _any(
            "uav operational-tactical level", "uav", "uavs", "drones", "drone", "uav_systems", "бпла",
            "бпла оперативно-тактичного рівня",
        ),
    ),
    Category(
        "cruise_missiles", "Cruise missiles", "Крилаті ракети", MERGE_DAY, None, MERGE_DAY, "units",
        "Cruise missiles shot down; reported from 2022-05-01.",
        _any("cruise missiles", "cruise_missiles", "крилаті ракети"),
    ),
    Category(
        "ships_boats", "Warships / boats", "Кораблі / катери", date(2022, 2, 25), None, REGULAR_BULLETINS, "units",
        "Warships and boats.",
        _any(
            "warships / boats", "boats / cutters", "warships/boats", "warships", "ships / boats", "ships",
            "warships_cutters", "кораблі / катери", "кораблі (катери)", "кораблі /катери", "кораблі/катери",
            "ships (boats)", "warships (boats)",
        ),
    ),
    Category(
        "submarines", "Submarines", "Підводні човни", date(2023, 9, 14), None, date(2023, 9, 14), "units",
        "Submarines; reported from 2023-09-14.",
        _any("submarines", "підводні човни"),
    ),
    Category(
        "vehicles_fuel_tanks", "Vehicles and fuel tanks", "Автомобільна техніка та автоцистерни", MERGE_DAY, None,
        MERGE_DAY, "units",
        "Military vehicles and fuel tanks, reported together from 2022-05-01 (before: military_vehicles, fuel_tanks).",
        _any(
            "vehicles and fuel tanks", "vehicles_fuel_tanks", "автомобільна техніка та автоцистерни",
            "автомобільної техніки та автоцистерн", "автомобілі та автоцистерни", "automotive equipment and tankers",
        )
        + _src("minfin", "cars and cisterns"),
    ),
    Category(
        "special_equipment", "Special equipment", "Спеціальна техніка", date(2022, 3, 16), None, date(2022, 3, 16),
        "units", "Special military equipment; reported from 2022-03-16.",
        _any("special equipment", "special_military_equip", "спеціальна техніка", "спеціальної техніки"),
    ),
    Category(
        "ground_robots", "Ground robotic systems", "Наземні робототехнічні комплекси", date(2026, 5, 3), None,
        date(2026, 5, 3), "units", "Ground robotic systems; reported from 2026-05-03.",
        _any(
            "ground robotic systems", "ground robotic complexes", "ground_robotic_systems", "нрк",
            "наземні робототехнічні комплекси",
        ),
    ),
    # Historical categories.
    Category(
        "military_vehicles", "Military vehicles", "Автомобілі", date(2022, 2, 25), date(2022, 4, 30), REGULAR_BULLETINS,
        "units", "Military vehicles; merged into vehicles_fuel_tanks on 2022-05-01.",
        _any(
            "vehicles", "military vehicles", "military auto", "автомобілі", "автомобільна техніка",
            "автомобільної техніки",
        )
        # index.minfin.com.ua/en before 2022-05-01 ("Cars" and "Cisterns with fuel", later "Cars and cisterns")
        + _src("minfin", "cars"),
    ),
    Category(
        "fuel_tanks", "Fuel tanks", "Цистерни з ПММ", date(2022, 2, 25), date(2022, 4, 30), REGULAR_BULLETINS, "units",
        "Fuel tank trucks; merged into vehicles_fuel_tanks on 2022-05-01.",
        _any(
            "fuel tanks", "fuel tank", "цистерни з пмм", "автоцистерни", "цистерн з пмм",
            # "ППМ" for "ПММ" (fuel and lubricants): a real minfin page of April 2022, and the label
            # maps of other projects' minfin scrapers; index.minfin.com.ua/en: "Cisterns with fuel"
            "цистерни з ппм", "цистерн з ппм", "cisterns with fuel",
        ),
    ),
    Category(
        "srbm_launchers", "Mobile SRBM launchers", "Пускові установки ОТРК", date(2022, 3, 26), date(2022, 4, 30),
        date(2022, 3, 26), "units", "Mobile short-range ballistic missile launchers; reported 2022-03-26..2022-04-30.",
        _any(
            "mobile srbm system", "mobile srbm systems", "srbm", "пу отрк", "пускові установки отрк",
            "пускові установки отрк / трк", "mobile srbm",
        )
        + _src("russianwarship", "atgm_srbm_systems"),
    ),
    Category(
        "pow", "Prisoners of war", "Полонені", date(2022, 2, 25), date(2022, 4, 27), None, "people",
        "Prisoners of war, reported irregularly until 2022-04-27.",
        _any("pow", "prisoners of war", "полонені", "полоненими"),
    ),
)
# fmt: on

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}


@functools.lru_cache(maxsize=8192)  # the parsers fold the same few hundred labels again and again
def normalize_label(label: str) -> str:
    """Fold a printed label to the form aliases are stored in.

    Only differences that cannot change what a label names are folded: NFKC, case, zero-width
    characters, whitespace (any kind, any amount; an API key's underscores count as spaces), the
    apostrophes (ʼ ’ ‘ ` ′ → '), the hyphens and dashes inside a label (‐ ‑ ‒ – — − → -, spaces
    around them dropped), the spacing of slashes and brackets, and trailing punctuation:
    ``'Кораблі /катери'`` -> ``'кораблі / катери'``,
    ``'БПЛА оперативно – тактичного рівня:'`` -> ``'бпла оперативно-тактичного рівня'``.  Words are
    never dropped, truncated or guessed: a label that is not an alias after folding is unknown.
    """
    text = unicodedata.normalize("NFKC", label).lower()
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = re.sub(r"[\u02bc\u2019\u2018\u0060\u2032\u00b4]", "'", text)
    text = re.sub(r"[\s_]+", " ", text).strip()
    text = text.strip(" .,:;*-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
    text = re.sub(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*", "-", text)
    text = re.sub(r"\s*/\s*", " / ", text)
    text = re.sub(r"\s*\(\s*", " (", text)
    text = re.sub(r"\s*\)", ")", text)
    return text.strip()


def _alias_index() -> dict[tuple[str | None, str], str]:
    index: dict[tuple[str | None, str], str] = {}
    for cat in CATEGORIES:
        for source, alias in cat.aliases:
            key = (source, normalize_label(alias))
            if index.get(key, cat.code) != cat.code:
                raise ValueError(f"alias {alias!r} ({source or 'any source'}) names two categories")
            index[key] = cat.code
    return index


ALIASES = _alias_index()


def resolve(label: str, source: str | None = None) -> str | None:
    """The category code a source's label stands for, or None when unknown."""
    key = normalize_label(label)
    return ALIASES.get((source, key)) or ALIASES.get((None, key))


def valid_on(day: date) -> list[Category]:
    return [c for c in CATEGORIES if c.valid_on(day)]


def required_on(day: date) -> list[Category]:
    return [c for c in CATEGORIES if c.required_on(day)]
