"""Real variants are read, not refused (issue 10): label variants, figures printed outside their
category's dates (stored with a note, reported by the gate, never accepted), and unknown
russianwarship keys (read past, recorded, one new_source_key alert per key)."""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest
from helpers import sql

from etl.domain import categories
from etl.losses.ingest import ingest
from etl.losses.parsers import parse_document
from etl.losses.parsers.russianwarship import STATS_KEYS, new_keys
from etl.quality.gate import validate
from etl.warehouse.raw_archive import store_document

FIXTURES = Path(__file__).parent / "fixtures" / "parsers"
RW_URL = "http://127.0.0.1/api/v2/statistics?offset=0&limit=50"


def minfin(name: str):
    path = FIXTURES / "minfin" / name
    return {(o.as_of, o.category): o for o in parse_document("minfin", path.read_bytes(), path.as_uri())}


# ----------------------------------------------------------------------------------- labels


def test_minfin_page_with_cisterns_ppm_and_other_ukrainian_variants():
    got = minfin("variants-2022-04.html")
    d15, d14 = date(2022, 4, 15), date(2022, 4, 14)
    assert got[(d15, "fuel_tanks")].cumulative == 76  # "Цистерни з ППМ" (for ПММ)
    assert got[(d14, "fuel_tanks")].cumulative == 76  # "Цистерни з ПММ"
    assert got[(d15, "ships_boats")].cumulative == 8  # "Кораблі(катери)"
    assert got[(d15, "special_equipment")].cumulative == 25  # "Спеціальна  техніка:" (two spaces, colon)
    assert got[(d15, "srbm_launchers")].cumulative == 4  # "Пускові установки ОТРК/ТРК"
    assert got[(d14, "mlrs")].cumulative == 122  # "РСЗВ Град"
    assert got[(d14, "air_defense")].cumulative == 64  # "Засоби&nbsp;ППО"
    assert got[(d15, "military_vehicles")].cumulative == 1443  # "Автомобілі" before the merge
    assert (got[(d15, "personnel")].cumulative, got[(d15, "personnel")].qualifier) == (20000, "about")
    assert len(got) == 28 and not [o for o in got.values() if o.note]


def test_minfin_english_labels():
    got = minfin("variants-en.html")
    old, new = date(2022, 4, 15), date(2026, 5, 10)
    assert {
        c: got[(old, c)].cumulative
        for c in (
            "armored_vehicles",
            "artillery",
            "mlrs",
            "air_defense",
            "military_vehicles",
            "fuel_tanks",
            "srbm_launchers",
            "ships_boats",
            "aircraft",
        )
    } == {
        "armored_vehicles": 1976,
        "artillery": 366,
        "mlrs": 122,
        "air_defense": 66,
        "military_vehicles": 1443,
        "fuel_tanks": 76,
        "srbm_launchers": 4,
        "ships_boats": 8,
        "aircraft": 163,
    }
    assert got[(new, "vehicles_fuel_tanks")].cumulative == 95479  # "Cars and cisterns"
    assert got[(new, "ground_robots")].cumulative == 1362  # "Ground robotic systems"
    assert got[(new, "air_defense")].cumulative == 1373  # "Anti-aircraft warfare"
    person = got[(new, "personnel")]
    assert (person.cumulative, person.qualifier) == (1341110, "about")  # "aprx. … people"
    assert len(got) == 29


@pytest.mark.parametrize(
    "printed, code",
    [
        ("Цистерни з ППМ", "fuel_tanks"),
        ("цистерни  з  ппм:", "fuel_tanks"),
        ("Cisterns with fuel", "fuel_tanks"),
        ("Автомобілі та автоцистерни", "vehicles_fuel_tanks"),
        ("Cars and cisterns", "vehicles_fuel_tanks"),
        ("Armored fighting vehicle", "armored_vehicles"),
        ("Anti-aircraft warfare", "air_defense"),
        ("Anti – aircraft warfare", "air_defense"),
        ("Planes", "aircraft"),
        ("Ground robotic systems", "ground_robots"),
        ("БПЛА оперативно‒тактичного рівня", "drones"),
        ("Кораблі ( катери )", "ships_boats"),
        ("\u200bТанки", "tanks"),
        ("Ships (boats)", "ships_boats"),
        ("Mobile SRBM", "srbm_launchers"),
    ],
)
def test_label_variants_resolve(printed, code):
    assert categories.resolve(printed, "minfin") == code


@pytest.mark.parametrize(
    "printed, source",
    [
        ("Цистерни", "minfin"),  # a word less is another label, never guessed
        ("Танк и", "minfin"),
        ("Кораблі катери", "minfin"),  # brackets are spacing, not optional
        ("special equipment (SE)", "mod"),
        ("cars", "mod"),  # minfin's English "Cars" is minfin's, not any source's
        ("cannons", "mod"),
        ("Military personnel and POW", "minfin"),
    ],
)
def test_label_folding_is_not_loose(printed, source):
    assert categories.resolve(printed, source) is None


def test_apostrophes_and_dashes_fold_alike():
    assert categories.normalize_label("Об’єкти ‒ інфраструктури:") == categories.normalize_label(
        "об'єкти-інфраструктури"
    )
    assert categories.normalize_label("ОбʼЄкти") == "об'єкти"


# ----------------------------------------------------------------------------------- russianwarship

STATS_2026 = {
    "personnel_units": 1341110,
    "tanks": 11920,
    "armoured_fighting_vehicles": 24544,
    "artillery_systems": 41787,
    "mlrs": 1782,
    "aa_warfare_systems": 1373,
    "planes": 435,
    "helicopters": 352,
    "vehicles_fuel_tanks": 95479,
    "warships_cutters": 33,
    "cruise_missiles": 4585,
    "uav_systems": 282697,
    "special_military_equip": 4176,
    "atgm_srbm_systems": 4,
    "submarines": 2,
}


def rw_single(stats: dict, day: str = "2026-05-10", increase: dict | None = None) -> bytes:
    """A v2 single-day reply (``/statistics/{date}``) with its war_status."""
    record = {
        "date": day,
        "day": 1537,
        "resource": "https://example.test/r",
        "stats": stats,
        "increase": increase or {},
        "war_status": {"code": 1, "alias": "in_progress"},
    }
    return json.dumps({"message": "The data were fetched successfully.", "data": record}).encode()


def test_russianwarship_unknown_key_is_read_past_and_listed():
    body = rw_single(dict(STATS_2026, robot_dogs=3, spare_parts="n/a"))
    obs = parse_document("russianwarship", body, RW_URL)
    assert len(obs) == 14 and {o.category for o in obs} == set(map(lambda o: o.category, obs))
    assert not {"robot_dogs", "spare_parts"} & {o.category for o in obs}
    keys = {k.key: k for k in new_keys(body, RW_URL)}
    assert set(keys) == {"robot_dogs", "spare_parts"}
    assert (keys["robot_dogs"].category, keys["robot_dogs"].last_value) == (None, 3)
    assert (keys["spare_parts"].category, keys["spare_parts"].last_value) == (None, "n/a")


def test_russianwarship_new_ground_robot_key_is_read_when_its_name_says_so():
    body = rw_single(dict(STATS_2026, ground_robotic_complexes=1362), increase={"ground_robotic_complexes": 12})
    got = {o.category: o for o in parse_document("russianwarship", body, RW_URL)}
    assert (got["ground_robots"].cumulative, got["ground_robots"].increase) == (1362, 12)
    [key] = new_keys(body, RW_URL)
    assert (key.key, key.category, key.first_day, key.days) == (
        "ground_robotic_complexes",
        "ground_robots",
        date(2026, 5, 10),
        1,
    )
    # the anticipated key is known: read, no news
    body = rw_single(dict(STATS_2026, ground_robotic_systems=1362))
    assert {o.category for o in parse_document("russianwarship", body, RW_URL)} >= {"ground_robots"}
    assert new_keys(body, RW_URL) == []
    # a new key naming a category a known key already gives is recorded, never read over it
    body = rw_single(dict(STATS_2026, personnel=5))
    got = {o.category: o for o in parse_document("russianwarship", body, RW_URL)}
    assert got["personnel"].cumulative == 1341110
    assert [(k.key, k.category) for k in new_keys(body, RW_URL)] == [("personnel", None)]


def test_russianwarship_zero_key_is_recorded_not_stored():
    body = rw_single(dict(STATS_2026, unmanned_surface_vessels=0))
    assert len(parse_document("russianwarship", body, RW_URL)) == 14
    assert [(k.key, k.last_value) for k in new_keys(body, RW_URL)] == [("unmanned_surface_vessels", 0)]


def test_russianwarship_v1_and_v2_envelopes():
    v2 = {o.category: o for o in parse_document("russianwarship", rw_single(STATS_2026, increase={"tanks": 4}), RW_URL)}
    assert v2["tanks"].increase == 4 and v2["aircraft"].increase is None  # war_status ignored, increase read
    v1 = json.dumps(
        {
            "message": "The data were fetched successfully.",
            "data": {
                "paging": {"next_url": None, "prev_url": RW_URL, "first_url": RW_URL, "last_url": RW_URL},
                "records": [
                    {"date": "2026-05-10", "day": 1537, "resource": "https://example.test/r", "stats": STATS_2026}
                ],
            },
        }
    )
    got = parse_document("russianwarship", v1.encode(), RW_URL)
    assert all(o.increase is None for o in got) and len(got) == 14


# ----------------------------------------------------------------------------------- load and gate

# the keys the page numbers 100, 200, ... (cruise missiles, SRBM launchers and submarines set apart)
KEYS_2022 = tuple(k for k in STATS_KEYS if k not in {"cruise_missiles", "atgm_srbm_systems", "submarines"})
SRBM = {0: 1, 6: 2, 7: 4}  # 2022-03-20 (before the category began) = 1, then 2022-03-26 = 2, 03-27 = 4
D0 = date(2022, 3, 20)


def page_2022(days: range, extra: dict | None = None) -> bytes:
    records = []
    for n in days:
        stats = {key: 100 * (i + 1) + n for i, key in enumerate(KEYS_2022)}
        stats.update(cruise_missiles=0, atgm_srbm_systems=SRBM.get(n, 0), **(extra or {}))
        records.append({"date": (D0 + timedelta(days=n)).isoformat(), "day": 25 + n, "stats": stats})
    return json.dumps({"message": "ok", "data": {"paging": {"next_url": None}, "records": records}}).encode()


def archive(dsn: str, body: bytes, url: str) -> int:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        return store_document(cur, "russianwarship", url, body, content_type="application/json")[0]


def test_a_document_is_parsed_once_for_its_figures_and_its_unknown_keys(db, monkeypatch):
    """The load takes the unknown keys from the parse that read the figures (etl.domain.model.Parsed)."""
    from etl.losses.parsers import russianwarship

    calls = []
    parse = russianwarship._parse
    monkeypatch.setattr(russianwarship, "_parse", lambda *a: calls.append(a[1]) or parse(*a))
    doc = archive(db, page_2022(range(0, 2), {"ugv_systems": 2}), RW_URL + "&once")
    result = ingest([doc], dsn=db)
    assert [k["key"] for k in result.new_source_keys] == ["ugv_systems"] and calls == [RW_URL + "&once"]


def test_unknown_key_recorded_once_with_one_alert(db):
    first = archive(db, page_2022(range(0, 4), {"ugv_systems": 0}), RW_URL)
    result = ingest([first], dsn=db)
    assert [k["key"] for k in result.new_source_keys] == ["ugv_systems"] and result.new_source_keys[0]["new"]
    # the rest of the reply is loaded
    assert sql(db, "SELECT count(DISTINCT as_of) FROM core.observation WHERE category = 'tanks'") == [(4,)]
    second = archive(db, page_2022(range(4, 8), {"ugv_systems": 0}), RW_URL + "&page=2")
    ingest([second], dsn=db)
    ingest([first], dsn=db)  # a re-run
    alerts = sql(
        db, "SELECT kind, incident_key, severity, details ->> 'key' FROM quality.alert WHERE kind = 'new_source_key'"
    )
    assert alerts == [("new_source_key", "new_source_key:russianwarship:ugv_systems", "warning", "ugv_systems")]
    assert sql(db, "SELECT key, category, first_as_of, last_as_of, last_value, documents FROM core.source_key") == [
        ("ugv_systems", None, D0, D0 + timedelta(days=7), 0, 3)
    ]
    assert sql(db, "SELECT key FROM mart.new_source_keys") == [("ugv_systems",)]


def test_out_of_validity_figure_is_stored_reported_and_never_accepted(db):
    doc = archive(db, page_2022(range(0, 8)), RW_URL)
    ingest([doc], dsn=db)
    noted = sql(
        db,
        "SELECT as_of, category, cumulative, note FROM core.observation WHERE note IS NOT NULL "
        "AND category = 'srbm_launchers'",
    )
    assert [r[:3] for r in noted] == [(D0, "srbm_launchers", 1)]
    assert (
        noted[0][3] == "out_of_validity: printed on 2022-03-20, outside the category's validity 2022-03-26..2022-04-30"
    )
    # the pre-merge merged vehicle counts are kept with a note too (8 days)
    assert sql(
        db, "SELECT count(*) FROM core.observation WHERE note IS NOT NULL AND category = 'vehicles_fuel_tanks'"
    ) == [(8,)]

    result = validate(db, date_from=D0, date_to=D0 + timedelta(days=7), run_id="t-oov", notify=False)
    assert result.outcome == "passed" and result.open_quarantine == 0
    reported = {(o["category"], o["as_of"]) for o in result.out_of_validity}
    assert ("srbm_launchers", "2022-03-20") in reported and len(reported) == 9
    assert "out of validity: 9 figure(s)" in result.summary()
    assert result.checks["observations_schema"]["outcome"] == "passed"  # the notes explain them
    assert result.checks["accepted_monotonic"]["outcome"] == "passed"
    # never accepted: the category contract holds in core.accepted and the marts
    assert sql(db, "SELECT as_of, cumulative FROM core.accepted WHERE category = 'srbm_launchers' ORDER BY as_of") == [
        (D0 + timedelta(days=6), 2),
        (D0 + timedelta(days=7), 4),
    ]
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE category = 'vehicles_fuel_tanks'") == [(0,)]
    assert sql(db, "SELECT srbm_launchers FROM mart.daily_losses WHERE as_of = %s", (D0,)) == [(None,)]
    # visible to users, explained, decided by the gate
    rows = sql(
        db,
        "SELECT q.source, q.as_of, q.category, q.cumulative, q.diagnosis, q.status, q.why, q.decided_by "
        "FROM mart.quarantined_records q WHERE q.category = 'srbm_launchers'",
    )
    assert rows == [("russianwarship", D0, "srbm_launchers", 1, "out_of_validity", "resolved", noted[0][3], "gate")]
    # one info alert per (source, category) of the figures this run listed first
    alerts = sql(
        db,
        "SELECT severity, subject, details -> 'days' FROM quality.alert WHERE kind = 'out_of_validity' "
        "ORDER BY subject",
    )
    assert [a[:2] for a in alerts] == [
        (
            "info",
            "[attrition] printed outside its category's dates: russianwarship srbm_launchers 2022-03-20 (1 day(s))",
        ),
        (
            "info",
            "[attrition] printed outside its category's dates: russianwarship vehicles_fuel_tanks "
            "2022-03-20..2022-03-27 (8 day(s))",
        ),
    ]
    assert alerts[0][2] == ["2022-03-20"]

    # a later run over a scope that leaves 2022-03-20 out (but the window in) keeps it out, alerts nothing new
    again = validate(
        db, date_from=D0 + timedelta(days=7), date_to=D0 + timedelta(days=7), run_id="t-oov-2", notify=False
    )
    assert again.alerts == [] and len(again.out_of_validity) == 9
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE category = 'srbm_launchers' AND as_of = %s", (D0,)) == [
        (0,)
    ]
    assert sql(db, "SELECT count(*) FROM quality.quarantine WHERE diagnosis = 'out_of_validity'") == [(9,)]


def test_an_operator_cannot_accept_an_out_of_validity_figure(db):
    from etl.quality.review import ReviewError, decide
    from etl.warehouse.run_ref import RunRef

    ingest([archive(db, page_2022(range(0, 8)), RW_URL)], dsn=db)
    validate(db, date_from=D0, date_to=D0 + timedelta(days=7), run_id="t-oov-op", notify=False)
    [(qid,)] = sql(db, "SELECT id FROM quality.quarantine WHERE category = 'srbm_launchers'")
    with pytest.raises(ReviewError, match="category contract"):
        decide(qid, "accept", by="tester", run=RunRef(dsn=db, notify=False))


@pytest.mark.realdata
def test_the_real_russianwarship_replies_load_and_pass_the_gate(db, shared_dir):
    """The four real 2022 replies, one of which the parser used to refuse whole, load end to end."""
    replies = sorted((shared_dir / "reference" / "pages" / "russianwarship.rip").glob("*.json"))
    ids = [archive(db, p.read_bytes(), f"https://russianwarship.rip/api/v1/statistics?{p.stem}") for p in replies]
    result = ingest(ids, dsn=db)
    assert result.observations == 2485 + 64 and result.new_source_keys == []
    gate = validate(db, run_id="t-real-rw", notify=False)
    assert len(gate.out_of_validity) == 64
    assert sql(
        db,
        "SELECT category, count(*) FROM quality.quarantine WHERE diagnosis = 'out_of_validity' GROUP BY 1 ORDER BY 1",
    ) == [("srbm_launchers", 1), ("vehicles_fuel_tanks", 63)]
    assert sql(db, "SELECT count(*) FROM quality.alert WHERE kind = 'out_of_validity'") == [(2,)]
    assert sql(db, "SELECT min(as_of) FROM core.accepted WHERE category = 'srbm_launchers'") == [(date(2022, 3, 26),)]
    assert sql(db, "SELECT min(as_of) FROM core.accepted WHERE category = 'vehicles_fuel_tanks'") == [
        (date(2022, 5, 1),)
    ]
    assert gate.checks["accepted_monotonic"]["outcome"] == "passed"


def test_an_out_of_validity_figure_without_its_note_fails_the_schema_check_and_is_still_kept_out(db):
    ingest([archive(db, page_2022(range(0, 8)), RW_URL)], dsn=db)
    sql(db, "UPDATE core.observation SET note = NULL WHERE category = 'srbm_launchers' AND as_of = %s", (D0,))
    result = validate(db, date_from=D0, date_to=D0 + timedelta(days=7), run_id="t-oov-bare", notify=False)
    assert result.checks["observations_schema"]["failed"] == {"category_valid_on_date": 1}
    assert ("srbm_launchers", str(D0)) in {(o["category"], o["as_of"]) for o in result.out_of_validity}
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE category = 'srbm_launchers' AND as_of = %s", (D0,)) == [
        (0,)
    ]
    assert sql(db, "SELECT evidence ->> 'why' FROM quality.quarantine WHERE category = 'srbm_launchers'") == [
        ("printed on 2022-03-20, outside the category's validity",)
    ]
