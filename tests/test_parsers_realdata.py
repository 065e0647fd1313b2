"""The parsers on the real saved pages in ../shared/reference/pages, checked against the reference datasets.

References (third-party, see ../shared/reference/datasets/SOURCES.md):

* PETRO: PetroIvaniuk/2022-Ukraine-Russia-War-Dataset (hand-kept; equipment + personnel JSON);
* RAKU: JJ/raku-ukr-mod-data ukr-mod-data.csv, parsed by its author from these same mil.gov.ua pages
  (it merges vehicles + fuel tanks into "vehicles and fuel tanks" before 2022-05-01);
* ROMAN: romansverdan/russian-Losses-in-Ukraine russia_losses.csv, scraped daily from index.minfin.com.ua/en.

Every disagreement is listed in a KNOWN_* table with the numbers; the test asserts the page's figure
there and that the reference really says what the table claims, so a fixed reference or a parser
change shows up.  Cell counts are asserted exactly (they are the numbers in the report).
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from etl.domain import categories
from etl.domain.categories import PETRO_LABELS
from etl.domain.model import ParseError
from etl.losses.parsers import parse_document
from etl.replay.snapshot import MINFIN_COLUMNS

pytestmark = pytest.mark.realdata

PETRO_EQUIPMENT = {
    label: code for label, code in PETRO_LABELS.items() if label not in ("ground robotic systems", "personnel", "POW")
}
# (day, category) -> (page figure, reference figure).  mil.gov.ua pages vs PETRO.
KNOWN_MOD_VS_PETRO = {
    # The 2022-06-03 bulletin prints "artillery systems – 661 (+14)": 661 is the 2022-06-02 total
    # repeated, 661 + 14 = 675 is what PETRO keyed in (and the 06-04 bulletin continues from 675).
    # RAKU, parsed from the page, has 661.
    ("2022-06-03", "artillery"): (661, 675),
}
# The printed "(+N)" against PETRO's day-over-day difference: the bulletins' own arithmetic slips
# (the (+N) is the General Staff's daily figure, the totals were revised).  (page +N, PETRO diff).
KNOWN_MOD_INCREASE_VS_PETRO = {
    ("2022-04-30", "drones"): (4, 3),  # 229 -> 232 printed as (+4)
    ("2022-05-25", "vehicles_fuel_tanks"): (5, 4),  # 2213 -> 2217 printed as (+5)
    ("2022-05-31", "vehicles_fuel_tanks"): (11, 17),  # 2258 -> 2275 printed as (+11)
    ("2022-06-15", "helicopters"): (1, 0),  # PETRO has 179 on both 06-14 and 06-15
    ("2022-07-05", "armored_vehicles"): (18, 28),  # 3744 -> 3772 printed as (+18)
    ("2022-07-07", "artillery"): (3, 9),  # 806 -> 815 printed as (+3)
}
# minfin pages vs PETRO.  The first days of the war were revised later: PETRO (and ROMAN) carry the
# later figures, the saved minfin page kept what the bulletins said on the day.
KNOWN_MINFIN_VS_PETRO = {
    ("2022-02-26", "aircraft"): (16, 27),
    ("2022-02-26", "armored_vehicles"): (540, 706),  # page: "до 540"
    ("2022-02-26", "helicopters"): (18, 26),
    ("2022-02-26", "personnel"): (3000, 4300),  # page: "більше 3000 осіб"
    ("2022-02-26", "tanks"): (100, 146),  # page: "більше 100"
    ("2022-02-27", "air_defense"): (1, 0),  # page: "ЗРК БУК — 1"; PETRO starts AA at 0
    ("2022-02-27", "pow"): (200, 0),  # page: "понад 200 полоненими"; PETRO's POW starts 03-01
    ("2022-02-28", "air_defense"): (1, 5),
    ("2022-02-28", "pow"): (200, 0),
    ("2022-02-28", "tanks"): (191, 150),
}
# minfin pages vs ROMAN (scraped from the English minfin page, one row a day).  It has the later,
# revised early-war figures too (except 2022-02-26 aircraft, where it has the page's 16), no POW or
# military-vehicles column, and four slips of its own where the page and PETRO agree.
KNOWN_MINFIN_VS_ROMAN = {
    ("2022-02-26", "armored_vehicles"): (540, 706),
    ("2022-02-26", "helicopters"): (18, 26),
    ("2022-02-26", "personnel"): (3000, 4300),
    ("2022-02-26", "tanks"): (100, 146),
    ("2022-02-27", "air_defense"): (1, 0),
    ("2022-02-28", "air_defense"): (1, 5),
    ("2022-02-28", "tanks"): (191, 150),
    ("2023-04-19", "vehicles_fuel_tanks"): (5692, 5655),  # ROMAN's 04-18 is 5676, 04-22 is 5718
    ("2023-04-23", "special_equipment"): (339, 399),  # digits swapped; ROMAN's 04-24 is 339
    ("2023-05-07", "personnel"): (194430, 194330),
    ("2023-05-09", "vehicles_fuel_tanks"): (5969, 5669),  # ROMAN's 05-08 is 5958, 05-10 is 5974
}


@cache
def petro(shared: Path) -> dict[tuple[str, str], int]:
    base = shared / "reference" / "datasets" / "2022-Ukraine-Russia-War-Dataset"
    out: dict[tuple[str, str], int] = {}
    for row in json.loads((base / "russia_losses_equipment.json").read_text()):
        for key, code in PETRO_EQUIPMENT.items():
            if row.get(key) not in (None, ""):
                out[(row["date"], code)] = int(row[key])
    for row in json.loads((base / "russia_losses_personnel.json").read_text()):
        out[(row["date"], "personnel")] = int(row["personnel"])
        if row.get("POW") not in (None, ""):
            out[(row["date"], "pow")] = int(row["POW"])
    return out


@cache
def petro_qualifier(shared: Path) -> dict[str, str]:
    base = shared / "reference" / "datasets" / "2022-Ukraine-Russia-War-Dataset"
    return {
        row["date"]: row.get("personnel*") for row in json.loads((base / "russia_losses_personnel.json").read_text())
    }


@cache
def roman(shared: Path) -> dict[tuple[str, str], int]:
    path = shared / "reference" / "datasets" / "russian-Losses-in-Ukraine" / "russia_losses.csv"
    out = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            for column, code in MINFIN_COLUMNS.items():  # the snapshot builder reads this file too
                if row.get(column) not in (None, ""):
                    out[(row["date"], code)] = int(row[column])
    return out


@cache
def raku(shared: Path) -> dict[tuple[str, str], int]:
    path = shared / "reference" / "datasets" / "raku-ukr-mod-data" / "ukr-mod-data.csv"
    out = {}
    with path.open(newline="") as fh:
        for row in csv.reader(fh):
            if not row or row[0].strip() == "Date":
                continue
            day, item, _delta, total = (cell.strip() for cell in row)
            dd, mm = day.split(".")
            out[(f"2022-{mm}-{dd}", categories.resolve(item))] = int(total)
    return out


BROKEN_MOD_PAGE = "en-2022/combat-losses-2022-07-31.html"


def mod_pages(shared: Path) -> list[Path]:
    return sorted((shared / "reference" / "pages" / "mil.gov.ua").glob("*/*.html"))


def readable_mod_pages(shared: Path) -> list[Path]:
    """The mod pages less BROKEN_MOD_PAGE (refused by the parser, see its own test)."""
    return [p for p in mod_pages(shared) if p.relative_to(p.parents[1]).as_posix() != BROKEN_MOD_PAGE]


def minfin_pages(shared: Path) -> list[Path]:
    return sorted((shared / "reference" / "pages" / "index.minfin.com.ua").glob("*.html"))


def parse_file(source: str, path: Path):
    return parse_document(source, path.read_bytes(), path.as_uri(), "text/html; charset=utf-8")


def compare(observations, reference, known, label):
    """(matched cells, cells the reference lacks); asserts every other cell equals the reference."""
    matched = absent = 0
    for obs in observations:
        key = (obs.as_of.isoformat(), obs.category)
        ref = reference.get(key)
        if ref is None:
            absent += 1
            continue
        if key in known:
            page_value, ref_value = known[key]
            assert (obs.cumulative, ref) == (page_value, ref_value), f"{label} {key}: known discrepancy changed"
            continue
        assert obs.cumulative == ref, f"{label} {key}: page {obs.cumulative}, reference {ref}"
        matched += 1
    return matched, absent


def test_mod_pages_parse_and_match_petro(shared_dir):
    assert len(mod_pages(shared_dir)) == 93  # 85 English + 1 Ukrainian + 7 test fixtures
    matched = absent = 0
    days = set()
    for path in readable_mod_pages(shared_dir):
        rel = path.relative_to(path.parents[1]).as_posix()
        obs = parse_file("mod", path)
        assert len({o.as_of for o in obs}) == 1, rel
        days.add(obs[0].as_of)
        m, a = compare(obs, petro(shared_dir), KNOWN_MOD_VS_PETRO, rel)
        matched += m
        absent += a
        for o in obs:
            if o.category == "personnel":
                assert o.qualifier == petro_qualifier(shared_dir)[o.as_of.isoformat()] == "about", rel
    # 92 pages parse (all but 2022-07-31) into 1217 observations over 83 distinct days (the _v2
    # captures and RAKU's test fixtures repeat days); every cell is in PETRO, all but one equal it.
    assert len(days) == 83
    assert (matched, absent) == (1216, 0)


def test_mod_increases_match_petro_day_over_day(shared_dir):
    ref = petro(shared_dir)
    compared = 0
    for path in readable_mod_pages(shared_dir):
        for o in parse_file("mod", path):
            if o.increase is None:
                continue
            today, yesterday = (
                ref.get((o.as_of.isoformat(), o.category)),
                ref.get(((o.as_of - timedelta(days=1)).isoformat(), o.category)),
            )
            if today is None or yesterday is None:
                continue
            key = (o.as_of.isoformat(), o.category)
            if key in KNOWN_MOD_INCREASE_VS_PETRO:
                assert (o.increase, today - yesterday) == KNOWN_MOD_INCREASE_VS_PETRO[key], key
            else:
                assert o.increase == today - yesterday, key
                compared += 1
    # 1007 printed increases have both days in PETRO; 8 of them (6 distinct days, two repeated by
    # RAKU's fixtures) are the known slips above.
    assert compared == 999


def test_mod_pages_match_raku(shared_dir):
    """RAKU was parsed from the same pages: every cell must agree (it sums vehicles + fuel tanks before May)."""
    ref = raku(shared_dir)
    matched = 0
    for path in readable_mod_pages(shared_dir):
        obs = {o.category: o for o in parse_file("mod", path)}
        day = next(iter(obs.values())).as_of.isoformat()
        figures = {code: o.cumulative for code, o in obs.items()}
        if "military_vehicles" in figures:
            figures["vehicles_fuel_tanks"] = figures.pop("military_vehicles") + figures.pop("fuel_tanks")
        for code, value in figures.items():
            if (day, code) in ref:
                assert value == ref[(day, code)], (path.name, code)
                matched += 1
    # 1196 figures after merging; RAKU lacks 2022-07-08 (the Ukrainian page, 13) and the SRBM
    # launchers of the 21 pre-May pages.
    assert matched == 1162


def test_mod_broken_page_of_2022_07_31_is_refused(shared_dir):
    # The saved 2022-07-31 bulletin prints "vehicles and fuel tanks ‒ (+2)." with no total and has no
    # special-equipment line at all.  PETRO keys 2902 vehicles and 80 special equipment for that day,
    # RAKU 2912 and 82: neither figure is on the page, so the parser must refuse it, not guess.
    path = shared_dir / "reference" / "pages" / "mil.gov.ua" / BROKEN_MOD_PAGE
    with pytest.raises(ParseError) as exc:
        parse_file("mod", path)
    assert exc.value.field == "category:vehicles_fuel_tanks"
    assert exc.value.url == path.as_uri()


def test_mod_ukrainian_page_is_the_2022_07_08_bulletin(shared_dir):
    # Saved as "combat-losses-to-07.08 | UKR.html" (hence the file name), but the page says
    # "з 24.02 по 08.07" and was published "08 липня 2022": it is the 2022-07-08 bulletin, and its
    # figures are PETRO's 2022-07-08 row (tanks 1637, APV 3811, personnel 36900).
    path = shared_dir / "reference" / "pages" / "mil.gov.ua" / "uk-2022" / "combat-losses-2022-08-07.html"
    obs = {o.category: o for o in parse_file("mod", path)}
    assert {o.as_of for o in obs.values()} == {date(2022, 7, 8)}
    assert (obs["tanks"].cumulative, obs["armored_vehicles"].cumulative, obs["personnel"].cumulative) == (
        1637,
        3811,
        36900,
    )


def test_mod_second_captures_and_raku_fixtures_agree(shared_dir):
    base = shared_dir / "reference" / "pages" / "mil.gov.ua"
    pairs = [
        ("en-2022/combat-losses-2022-07-27.html", "en-2022/combat-losses-2022-07-27_v2.html"),
        ("en-2022/combat-losses-2022-07-28.html", "en-2022/combat-losses-2022-07-28_v2.html"),
        ("en-2022/combat-losses-2022-04-12.html", "test-fixtures-2022/first.html"),
        ("en-2022/combat-losses-2022-04-30.html", "test-fixtures-2022/april-30-04.html"),
        ("en-2022/combat-losses-2022-05-25.html", "test-fixtures-2022/may-25-05.html"),
        ("en-2022/combat-losses-2022-06-05.html", "test-fixtures-2022/example.html"),
        ("en-2022/combat-losses-2022-07-01.html", "test-fixtures-2022/july-1.html"),
        ("en-2022/combat-losses-2022-08-03.html", "test-fixtures-2022/aug-03.html"),
        ("en-2022/combat-losses-2022-08-09.html", "test-fixtures-2022/aug-09.html"),
    ]
    for first, second in pairs:
        assert parse_file("mod", base / first) == parse_file("mod", base / second), (first, second)
    # RAKU's own test expects 13 keys once the old categories are merged; before May we keep them
    # apart: 14 categories (military vehicles, fuel tanks, SRBM launchers instead of the merged one).
    assert len(parse_file("mod", base / "test-fixtures-2022/first.html")) == 14
    assert len(parse_file("mod", base / "test-fixtures-2022/aug-09.html")) == 13


def test_minfin_pages_match_petro_and_roman(shared_dir):
    pages = minfin_pages(shared_dir)
    assert [p.name for p in pages] == ["ua-casualties-2022-02-month.html", "ua-casualties-main-2023-05-15.html"]
    month, main = (parse_file("minfin", p) for p in pages)
    # main page: 45 days 2023-04-01..2023-05-15, 13 categories a day
    assert len(main) == 585 and len({o.as_of for o in main}) == 45
    assert min(o.as_of for o in main) == date(2023, 4, 1) and max(o.as_of for o in main) == date(2023, 5, 15)
    # month page: the latest day (2023-05-15) first, then 28.02 back to 24.02
    assert sorted({o.as_of for o in month}) == [date(2022, 2, d) for d in range(24, 29)] + [date(2023, 5, 15)]
    assert {o for o in month if o.as_of == date(2023, 5, 15)} == {o for o in main if o.as_of == date(2023, 5, 15)}
    matched_p = absent_p = matched_r = absent_r = 0
    for obs, name in ((month, pages[0].name), (main, pages[1].name)):
        m, a = compare(obs, petro(shared_dir), KNOWN_MINFIN_VS_PETRO, f"{name} vs PETRO")
        matched_p, absent_p = matched_p + m, absent_p + a
        m, a = compare(obs, roman(shared_dir), KNOWN_MINFIN_VS_ROMAN, f"{name} vs ROMAN")
        matched_r, absent_r = matched_r + m, absent_r + a
    # PETRO starts on 2022-02-25, so the 5 cells of 2022-02-24 are absent there; ROMAN has no
    # military-vehicles or POW column (3 cells).
    assert len(month) + len(main) == 636
    assert (matched_p, absent_p) == (636 - len(KNOWN_MINFIN_VS_PETRO) - 5, 5) == (621, 5)
    assert (matched_r, absent_r) == (636 - len(KNOWN_MINFIN_VS_ROMAN) - 3, 3) == (622, 3)
    early = {(o.as_of, o.category): o for o in month}
    assert (early[(date(2022, 2, 28), "pow")].qualifier, early[(date(2022, 2, 25), "tanks")].qualifier) == (
        "more_than",
        "about",
    )


def test_minfin_increases_match_petro_day_over_day(shared_dir):
    ref = petro(shared_dir)
    compared = 0
    for path in minfin_pages(shared_dir):
        for o in parse_file("minfin", path):
            before = ref.get(((o.as_of - timedelta(days=1)).isoformat(), o.category))
            today = ref.get((o.as_of.isoformat(), o.category))
            if before is None or today is None or o.as_of.year == 2022:
                continue
            # no "<small>(+N)</small>" means no change that day
            assert (o.increase or 0) == today - before, (path.name, o.as_of, o.category)
            compared += 1
    # 45 days x 13 categories of the main page + the repeated 2023-05-15 block (13).  The 2022-02
    # days print no (+N) and PETRO revised their totals, so they are not compared.
    assert compared == 598


# ----------------------------------------------------------------------------------- russianwarship
# The four real v1 replies (../shared/reference/pages/russianwarship.rip) against PETRO, the hand-kept
# series the replay stands the API for.  (day, category) -> (reply's figure, PETRO's figure).
KNOWN_RW_VS_PETRO = {
    # The API's 2022-02-27 record is the bulletin published that morning for 24-26 February (its
    # `resource`): PETRO's 2022-02-26 figures (4300, 146, 49) and the minfin page's "ЗРК БУК — 1";
    # orc-losses, which reads the same bulletin, has them too.  PETRO's 02-27 holds later ones.
    ("2022-02-27", "air_defense"): (1, 0),
    ("2022-02-27", "artillery"): (49, 50),
    ("2022-02-27", "personnel"): (4300, 4500),
    ("2022-02-27", "tanks"): (146, 150),
    ("2022-02-28", "tanks"): (191, 150),  # the minfin page and orc-losses print 191 too
    ("2022-03-10", "tanks"): (317, 335),  # the API repeats 03-09's 317; minfin and orc-losses 335
    ("2022-03-11", "personnel"): (12226, 12000),  # the API alone: minfin, orc-losses "more than 12000"
    ("2022-03-12", "personnel"): (12226, 12000),
    ("2022-03-13", "personnel"): (12226, 12000),
    ("2022-04-04", "drones"): (92, 91),  # orc-losses 92 (the bulletin), minfin 91
    ("2022-05-25", "vehicles_fuel_tanks"): (2218, 2217),  # minfin 2218, orc-losses 2217
    ("2022-09-12", "artillery"): (1269, 1263),  # minfin and orc-losses 1269: PETRO's slip
    ("2022-09-12", "tanks"): (2168, 2169),  # minfin and orc-losses 2168: PETRO's slip
    # 2022-10-12: the API has minfin's figures (air defence, artillery, missiles, drones, ships, special
    # equipment, vehicles), PETRO orc-losses'; its armoured vehicles 5156 = 5181 - 25, the official
    # correction of 2022-10-13 applied a day early; helicopters 234 is the API's alone (all others 235).
    ("2022-10-12", "air_defense"): (183, 182),
    ("2022-10-12", "armored_vehicles"): (5156, 5181),
    ("2022-10-12", "artillery"): (1539, 1507),
    ("2022-10-12", "cruise_missiles"): (316, 315),
    ("2022-10-12", "drones"): (1149, 1129),
    ("2022-10-12", "helicopters"): (234, 235),
    ("2022-10-12", "ships_boats"): (16, 15),
    ("2022-10-12", "special_equipment"): (140, 136),
    ("2022-10-12", "vehicles_fuel_tanks"): (3926, 3927),
}
# The pre-merge vehicles_fuel_tanks (stored with a note) against PETRO's military vehicles + fuel tanks.
KNOWN_RW_PRE_MERGE_VS_PETRO = {
    "2022-02-27": (90, 190),  # the 24-26 February bulletin again: 30 vehicles + 60 fuel tanks (orc-losses 30)
    "2022-03-03": (415, 434),  # the API repeats 03-02's 415; PETRO 374 + 60
}


def rw_replies(shared: Path) -> list[Path]:
    return sorted((shared / "reference" / "pages" / "russianwarship.rip").glob("*.json"))


def parse_reply(path: Path):
    return parse_document("russianwarship", path.read_bytes(), path.as_uri(), "application/json")


def test_russianwarship_real_replies_parse_and_match_petro(shared_dir):
    replies = rw_replies(shared_dir)
    assert [p.name for p in replies] == [f"v1_statistics_offset{n}_limit50.json" for n in (0, 150, 200, 50)]
    ref = petro(shared_dir)
    days, plain, noted = set(), [], []
    for path in replies:
        obs = parse_reply(path)
        days |= {o.as_of for o in obs}
        plain += [o for o in obs if o.note is None]
        noted += [o for o in obs if o.note is not None]
        assert all(o.increase is None and o.qualifier is None for o in obs), path.name  # v1: no increase
    # 200 records, 2022-02-25..2022-11-02 less the absent 2022-02-26
    assert len(days) == 200 and min(days) == date(2022, 2, 25) and max(days) == date(2022, 11, 2)
    assert date(2022, 2, 26) not in days
    matched, absent = compare(plain, ref, KNOWN_RW_VS_PETRO, "russianwarship vs PETRO")
    # 2485 cells compared: 2463 equal PETRO, 22 are the known disagreements above
    assert (len(plain), matched, absent) == (2485, 2463, 0)
    # the 2022-02-25 zeros (artillery, MLRS, vehicles...: not in that day's bulletin) are not observations
    assert {o.category for o in plain if o.as_of == date(2022, 2, 25)} == {
        "personnel",
        "tanks",
        "armored_vehicles",
        "aircraft",
        "helicopters",
    }
    # kept with a note: the SRBM launcher of 2022-02-27 and the 63 pre-merge merged vehicle counts
    srbm = [o for o in noted if o.category == "srbm_launchers"]
    assert [(o.as_of, o.cumulative) for o in srbm] == [(date(2022, 2, 27), 1)]
    assert srbm[0].note.startswith("out_of_validity: printed on 2022-02-27")
    early = {o.as_of.isoformat(): o.cumulative for o in noted if o.category == "vehicles_fuel_tanks"}
    assert len(noted) == 64 and len(early) == 63 and max(early) == "2022-04-30"
    equal = 0
    for day, value in early.items():
        summed = ref[(day, "military_vehicles")] + ref[(day, "fuel_tanks")]
        if day in KNOWN_RW_PRE_MERGE_VS_PETRO:
            assert (value, summed) == KNOWN_RW_PRE_MERGE_VS_PETRO[day], day
        else:
            assert value == summed, day
            equal += 1
    assert equal == 61
    # no military vehicles, fuel tanks or frozen SRBM counters (after 2022-04-30) from this source
    assert not [o for o in plain + noted if o.category in ("military_vehicles", "fuel_tanks")]
    assert not [o for o in plain + noted if o.category == "srbm_launchers" and o.as_of > date(2022, 4, 30)]


def test_russianwarship_real_replies_carry_no_new_key(shared_dir):
    from etl.losses.parsers.russianwarship import SEEN_KEYS, new_keys

    for path in rw_replies(shared_dir):
        assert new_keys(path.read_bytes(), path.as_uri()) == [], path.name
        keys = {k for r in json.loads(path.read_text())["data"]["records"] for k in r["stats"]}
        assert keys == SEEN_KEYS - {"submarines"}, path.name
