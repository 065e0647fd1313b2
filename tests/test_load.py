"""Loading parsed documents into core (and, through the quality gate, the marts): idempotence, revisions, atomicity."""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta

import psycopg2
import pytest

from etl.losses.ingest import IngestError, ingest, rebuild
from etl.quality.gate import validate
from etl.warehouse.raw_archive import store_document

# russianwarship API keys for the categories reported in mid-2023
KEYS = {
    "personnel_units": "personnel",
    "tanks": "tanks",
    "armoured_fighting_vehicles": "armored_vehicles",
    "artillery_systems": "artillery",
    "mlrs": "mlrs",
    "aa_warfare_systems": "air_defense",
    "planes": "aircraft",
    "helicopters": "helicopters",
    "vehicles_fuel_tanks": "vehicles_fuel_tanks",
    "warships_cutters": "ships_boats",
    "cruise_missiles": "cruise_missiles",
    "uav_systems": "drones",
    "special_military_equip": "special_equipment",
}
BASE = {
    key: 100 * (i + 1) for i, key in enumerate(KEYS)
}  # within etl.losses.parsers.validate.BOUNDS (ships_boats <= 10,000)
DAY0 = date(2023, 6, 1)


def api_page(days: range, override: dict | None = None) -> bytes:
    """A russianwarship list page for DAY0+days; tanks grow by 5 a day; ``override`` {(day, key): value}."""
    records = []
    for n in days:
        day = DAY0 + timedelta(days=n)
        stats = {key: value + (5 * n if key == "tanks" else n) for key, value in BASE.items()}
        for (d, key), value in (override or {}).items():
            if d == n:
                stats[key] = value
        records.append(
            {
                "date": day.isoformat(),
                "day": 463 + n,
                "stats": stats,
                "increase": {key: (5 if key == "tanks" else 1) for key in KEYS},
            }
        )
    return json.dumps({"message": "ok", "data": {"paging": {"offset": 0, "limit": 50}, "records": records}}).encode()


def archive(dsn: str, source: str, body: bytes, url: str) -> int:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        return store_document(cur, source, url, body, content_type="application/json; charset=utf-8")[0]


def refuse_bulletins_of(dsn: str, url: str) -> None:
    """A trigger on core.bulletin that refuses the bulletins of ``url`` ('test refusal'): it stands in for any
    constraint the warehouse enforces."""
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE refused_url (url text PRIMARY KEY)")
        cur.execute("INSERT INTO refused_url VALUES (%s)", (url,))
        cur.execute("""CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN IF EXISTS (SELECT 1 FROM refused_url WHERE url = NEW.url) THEN
                           RAISE EXCEPTION 'test refusal'; END IF;
                       RETURN NEW; END $$""")
        cur.execute("CREATE TRIGGER refuse BEFORE INSERT ON core.bulletin FOR EACH ROW EXECUTE FUNCTION refuse()")


def rows(dsn: str, sql: str, params=None):
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_a_run_loads_every_day_and_rerunning_it_changes_nothing(db):
    doc = archive(db, "russianwarship", api_page(range(0, 5)), "http://127.0.0.1/api/v2/statistics?offset=0")
    result = ingest([doc], dsn=db)
    assert result.inserted == 5 * len(KEYS) and result.revised == 0
    assert result.days["russianwarship"] == [DAY0 + timedelta(days=n) for n in range(5)]
    snapshot = rows(db, "SELECT id, xmin::text FROM core.observation ORDER BY id")

    again = ingest([doc], dsn=db)
    assert (again.inserted, again.revised, again.unchanged) == (0, 0, 5 * len(KEYS))
    assert rows(db, "SELECT id, xmin::text FROM core.observation ORDER BY id") == snapshot
    assert rows(db, "SELECT count(*) FROM mart.daily_losses") == [(0,)]  # nothing reaches the marts unvalidated

    validate(db, notify=False)
    wide = rows(db, "SELECT as_of, tanks, personnel, vehicles_fuel_tanks, pow FROM mart.daily_losses ORDER BY as_of")
    assert wide[0] == (DAY0, BASE["tanks"], BASE["personnel_units"], BASE["vehicles_fuel_tanks"], None)
    assert wide[4][1] == BASE["tanks"] + 20
    latest = dict((r[0], r[1:]) for r in rows(db, "SELECT category, as_of, cumulative, increase FROM mart.latest"))
    assert latest["tanks"] == (DAY0 + timedelta(days=4), BASE["tanks"] + 20, 5)
    assert "pow" not in latest  # never zero-filled


def test_a_bulk_load_refreshes_the_planner_statistics_a_small_one_leaves_them_to_autovacuum(db):
    """The gate right after a backfill is planned on statistics that know the new rows
    (etl.quality.bulk.analyze_after_bulk); a daily load's few dozen rows cost no ANALYZE."""
    from helpers import wait_until

    def analyzed(table: str) -> bool:
        return rows(
            db, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relid = %s::regclass", (table,)
        )[0][0]

    small = archive(db, "russianwarship", api_page(range(0, 5)), "http://127.0.0.1/api/v2/statistics?offset=0")
    ingest([small], dsn=db)
    assert not analyzed("core.observation")
    bulk = archive(db, "russianwarship", api_page(range(5, 90)), "http://127.0.0.1/api/v2/statistics?offset=5")
    assert ingest([bulk], dsn=db).inserted == 85 * len(KEYS)  # 1,105 rows
    assert wait_until(lambda: analyzed("core.observation") and analyzed("core.bulletin"), timeout=10)
    validate(db, notify=False)  # the gate writes 90 days x 13 categories of accepted cells at once
    assert wait_until(lambda: analyzed("core.accepted"), timeout=10)


def test_an_observation_names_its_bulletins_document_or_none(db):
    """Every loaded observation's document is its bulletin's (migration 0013's composite key); a row
    naming another document, or a document without a bulletin, is refused; neither is allowed."""
    first = archive(db, "russianwarship", api_page(range(0, 2)), "http://127.0.0.1/api/v2/statistics?offset=0")
    other = archive(db, "russianwarship", api_page(range(2, 4)), "http://127.0.0.1/api/v2/statistics?offset=2")
    ingest([first, other], dsn=db)
    assert rows(
        db,
        "SELECT count(*), count(*) FILTER (WHERE o.document_id = b.document_id) FROM core.observation o "
        "JOIN core.bulletin b ON b.id = o.bulletin_id",
    ) == [(4 * len(KEYS), 4 * len(KEYS))]
    bulletin = rows(db, "SELECT id FROM core.bulletin WHERE document_id = %s LIMIT 1", (first,))[0][0]
    insert = (
        "INSERT INTO core.observation (source, as_of, category, revision, cumulative, bulletin_id, document_id) "
        "VALUES ('russianwarship', '2023-01-01', 'tanks', 1, 1, %s, %s)"
    )
    for bulletin_id, document_id, error in (
        (bulletin, other, psycopg2.errors.ForeignKeyViolation),
        (None, other, psycopg2.errors.CheckViolation),
    ):
        with pytest.raises(error), contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
            cur.execute(insert, (bulletin_id, document_id))
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute(insert, (None, None))  # a figure put in by hand


def test_a_changed_value_is_a_new_revision_and_both_are_kept(db):
    first = archive(db, "russianwarship", api_page(range(0, 3)), "http://127.0.0.1/api/v2/statistics?p=1")
    ingest([first], dsn=db)
    corrected = api_page(range(0, 3), override={(1, "tanks"): BASE["tanks"] + 6})
    second = archive(db, "russianwarship", corrected, "http://127.0.0.1/api/v2/statistics?p=1")
    result = ingest([second], dsn=db)
    assert result.revised == 1 and result.inserted == 0
    assert result.revisions[0]["old"]["cumulative"] == BASE["tanks"] + 5
    assert result.revisions[0]["new"]["cumulative"] == BASE["tanks"] + 6
    history = rows(
        db,
        """SELECT revision, cumulative, superseded_at IS NOT NULL FROM core.observation
                          WHERE category = 'tanks' AND as_of = %s ORDER BY revision""",
        (DAY0 + timedelta(days=1),),
    )
    assert history == [(1, BASE["tanks"] + 5, True), (2, BASE["tanks"] + 6, False)]
    validate(db, notify=False)
    assert rows(db, "SELECT tanks FROM mart.daily_losses WHERE as_of = %s", (DAY0 + timedelta(days=1),)) == [
        (BASE["tanks"] + 6,)
    ]


def test_one_unparseable_document_is_left_out_the_rest_is_loaded_and_an_alert_raised(db):
    good = archive(db, "russianwarship", api_page(range(0, 2)), "http://127.0.0.1/good")
    bad_body = api_page(range(2, 3), override={(2, "tanks"): "12..5"})
    bad = archive(db, "russianwarship", bad_body, "http://127.0.0.1/bad")
    with pytest.raises(IngestError) as info:
        ingest([good, bad], dsn=db, run_id="test-run")
    assert "russianwarship: http://127.0.0.1/bad: " in str(info.value)
    assert "1 document(s) could not be read; the other 1 were loaded" in str(info.value)
    result = info.value.result
    assert [(f["url"], f["document_id"]) for f in result.failed] == [("http://127.0.0.1/bad", bad)]
    assert result.inserted == 2 * len(KEYS)
    assert rows(db, "SELECT count(DISTINCT as_of) FROM core.observation") == [(2,)]  # the good document's days
    assert rows(db, "SELECT count(*) FROM raw.document") == [(2,)]  # the raw documents are kept
    alerts = rows(db, "SELECT kind, subject, details->>'url' FROM quality.alert")
    assert alerts == [
        ("parse_failure", "[attrition] russianwarship: cannot parse http://127.0.0.1/bad", "http://127.0.0.1/bad")
    ]
    with pytest.raises(IngestError) as again:  # the same incident again: still one alert, nothing new loaded
        ingest([good, bad], dsn=db, run_id="test-run-retry")
    assert again.value.result.unchanged == 2 * len(KEYS)
    assert rows(db, "SELECT count(*) FROM quality.alert") == [(1,)]
    returned = ingest([good, bad], dsn=db, run_id="test-run-report", raise_failures=False)
    assert len(returned.failed) == 1 and returned.summary()["failed"][0]["url"] == "http://127.0.0.1/bad"


def test_a_document_the_warehouse_refuses_is_left_out_by_its_own_savepoint(db):
    """A document that parses but that the database refuses (here: a trigger stands in for any
    constraint) is isolated by one savepoint per document; the others are loaded."""
    a = archive(db, "russianwarship", api_page(range(0, 2)), "http://127.0.0.1/a")
    b = archive(db, "russianwarship", api_page(range(5, 7)), "http://127.0.0.1/b")
    refuse_bulletins_of(db, "http://127.0.0.1/b")
    result = ingest([a, b], dsn=db, run_id="refused", raise_failures=False)
    assert [(f["url"], f["field"]) for f in result.failed] == [("http://127.0.0.1/b", "load")]
    assert "test refusal" in result.failed[0]["problem"]
    assert result.inserted == 2 * len(KEYS) and result.days["russianwarship"] == [DAY0, DAY0 + timedelta(days=1)]
    assert rows(db, "SELECT count(DISTINCT as_of) FROM core.observation") == [(2,)]
    assert rows(db, "SELECT kind, details->>'field' FROM quality.alert") == [("parse_failure", "load")]


def test_gaps_are_reported_never_filled(db):
    doc = archive(db, "russianwarship", api_page([0, 1, 4, 5]), "http://127.0.0.1/gappy")
    result = ingest([doc], dsn=db)
    assert result.gaps()["russianwarship"] == [(DAY0 + timedelta(days=2), DAY0 + timedelta(days=3))]
    assert result.summary()["sources"]["russianwarship"]["gaps"] == [["2023-06-03", "2023-06-04"]]
    validate(db, notify=False)
    assert rows(db, "SELECT count(*) FROM mart.daily_losses") == [(4,)]
    incr = rows(db, "SELECT as_of, increase FROM mart.daily_losses_long WHERE category = 'tanks' ORDER BY as_of")
    assert incr[2] == (DAY0 + timedelta(days=4), None)  # no previous day: no computed increase


def test_rebuild_from_the_archive_reparses_everything(db):
    archive(db, "russianwarship", api_page(range(0, 3)), "http://127.0.0.1/a")
    archive(db, "russianwarship", api_page(range(3, 6)), "http://127.0.0.1/b")
    first, gate = rebuild(dsn=db, notify=False)
    assert first.documents == 2 and first.inserted == 6 * len(KEYS)
    assert gate.accepted == 6 * len(KEYS) and gate.changed == 6 * len(KEYS)
    second, gate = rebuild(dsn=db, notify=False)
    assert second.inserted == 0 and second.unchanged == 6 * len(KEYS)
    assert gate.changed == 0 and not gate.alerts


PARALLEL_PARSE = """
import json, os, sys, threading
sys.path.insert(0, os.getcwd())
from tests.test_load import api_page
from etl.losses import load
docs = [load.Document(i, "russianwarship", f"http://127.0.0.1/api/v2/statistics?offset={i}",
                      "application/json", api_page(range(i % 40, i % 40 + 3)))
        for i in range(load.PARALLEL_MIN + 20)]
docs[7].body = b"{not json"
out = {}
for workers in ("1", "2"):
    os.environ["ATTRITION_PARSE_WORKERS"] = workers
    outcomes = load._parse_all(docs)
    out[workers] = [repr(o) if isinstance(o, list) else ("error", o.source, o.url, o.field, o.problem)
                    for o in outcomes]
os.environ["ATTRITION_PARSE_WORKERS"] = "0"
auto = load.parse_workers()
os.environ["AIRFLOW_CTX_DAG_ID"] = "losses_backfill"
in_task = load.parse_workers()
del os.environ["AIRFLOW_CTX_DAG_ID"]
other = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)
other.start()
print(json.dumps({"same": out["1"] == out["2"], "error": out["2"][7], "n": len(out["2"]),
                  "auto": auto, "in_task": in_task, "threaded": load.parse_workers(),
                  "cores": len(os.sched_getaffinity(0))}))
"""


def test_a_large_parse_spread_over_forked_workers_gives_every_outcome_of_one_process():
    """In a fresh (single-threaded) process: 320 documents, one unreadable, parsed by two forked workers
    give the same observations and the same error, in order, as one process; the default (0) is one
    worker per core, but one inside an Airflow task or beside another thread."""
    got = in_a_fresh_process(PARALLEL_PARSE)
    assert got["same"] and got["n"] == 320
    assert got["error"][0] == "error" and got["error"][2].endswith("offset=7")
    assert got["auto"] == got["cores"] and got["in_task"] == 1 and got["threaded"] == 1


def test_the_copy_buffer_round_trips_through_postgres(db):
    """etl.quality.bulk.copy_buffer (every bulk write: the load's observations, the gate's accepted
    rows): values with quotes, backslashes, tabs, newlines, Cyrillic, NULLs, arrays and JSON come back
    from COPY as they went in."""
    from etl.quality.bulk import copy_buffer

    rows = [
        (1, date(2024, 12, 10), "tanks", ["mod", 'min"fin', "a\\b", "tab\there"], {"mod": 31937, "q": 'a"b\\c'}, True),
        (2, date(2022, 2, 24), "танки\nрядок\r", [], {}, False),
        (3, None, "", ["x"], {"nested": ["\t", None]}, None),
    ]
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE t (id int, d date, s text, a text[], j jsonb, b boolean)")
        cur.copy_expert("COPY t FROM STDIN", copy_buffer(rows))
        cur.execute("SELECT id, d, s, a, j, b FROM t ORDER BY id")
        assert cur.fetchall() == rows


def test_the_new_revisions_are_written_as_copy_buffer_writes_them():
    """The loader's own COPY lines for core.observation are copy_buffer's: NULLs, dates, and texts with
    tabs, newlines and backslashes escaped."""
    from etl.losses.load import _new_rows_buffer
    from etl.quality.bulk import copy_buffer

    rows = [
        ["mod", DAY0, "tanks", 1, 3000, None, None, 7, 9, None, None],
        ["minfin", DAY0, "personnel", 2, 190_000, 500, "about", 8, 10, "2026-12-08T01:02:03+00:00", "a\tb\\c\nd"],
        ["russianwarship", DAY0, "aircraft", 1, 300, 0, "more_than", None, None, None, "out_of_validity: x"],
    ]
    assert _new_rows_buffer(rows).getvalue() == copy_buffer(rows).getvalue()


FK_DEFS = """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'core.observation'::regclass AND contype = 'f' ORDER BY conname"""


def test_a_bulk_load_checks_its_foreign_keys_once_and_keeps_them_as_they_were(db, monkeypatch):
    """At FK_ONCE_AFTER_ROWS rows (lowered here) core.observation's foreign keys are dropped for the
    COPY and added again: same names, same definitions, every row loaded."""
    from etl.quality import bulk

    before = rows(db, FK_DEFS)
    assert len(before) == 2
    monkeypatch.setattr(bulk, "FK_ONCE_AFTER_ROWS", 1)
    doc = archive(db, "russianwarship", api_page(range(0, 4)), "http://127.0.0.1/bulk")
    result = ingest([doc], dsn=db)
    assert result.inserted == 4 * len(KEYS)
    assert rows(db, FK_DEFS) == before
    assert rows(db, "SELECT count(*) FROM core.observation") == [(4 * len(KEYS),)]


@pytest.fixture
def parent_child(db):
    """A scratch pair of tables, child.parent_id referring to parent.id (ON DELETE CASCADE)."""
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA scratch")
        cur.execute("CREATE TABLE scratch.parent (id int PRIMARY KEY)")
        cur.execute(
            "CREATE TABLE scratch.child (id int, parent_id int CONSTRAINT child_parent_fk "
            "REFERENCES scratch.parent ON DELETE CASCADE)"
        )
        cur.execute("INSERT INTO scratch.parent VALUES (1), (2)")
    return db


def _child_keys(db):
    return rows(
        db, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'scratch.child'::regclass"
    )


def test_a_row_breaking_a_key_fails_the_bulk_write_as_it_would_row_by_row(parent_child):
    from etl.quality.bulk import foreign_keys_checked_once

    keys = _child_keys(parent_child)
    assert keys == [("child_parent_fk", "FOREIGN KEY (parent_id) REFERENCES scratch.parent(id) ON DELETE CASCADE")]
    with contextlib.closing(psycopg2.connect(parent_child)) as conn:
        with pytest.raises(psycopg2.errors.ForeignKeyViolation), conn, conn.cursor() as cur:
            with foreign_keys_checked_once(cur, "scratch.child", 50_000):
                cur.execute("INSERT INTO scratch.child SELECT g, 1 + g % 2 FROM generate_series(1, 100) g")
                cur.execute("INSERT INTO scratch.child VALUES (101, 3)")  # no parent 3: accepted until the key is back
    assert _child_keys(parent_child) == keys and rows(parent_child, "SELECT count(*) FROM scratch.child") == [(0,)]


def test_the_bulk_path_gives_way_to_a_reader_and_checks_row_by_row(parent_child):
    """A reader holding the parent table: the bulk path waits FK_LOCK_TIMEOUT for its lock, then the write
    goes the row-by-row way (the bad row fails at once, in the write itself); the reader never waits."""
    from etl.quality.bulk import foreign_keys_checked_once

    with contextlib.closing(psycopg2.connect(parent_child)) as reader, reader.cursor() as rcur:
        rcur.execute("SELECT count(*) FROM scratch.parent")  # its transaction stays open: ACCESS SHARE held
        with contextlib.closing(psycopg2.connect(parent_child)) as conn:
            with conn, conn.cursor() as cur:
                with foreign_keys_checked_once(cur, "scratch.child", 50_000):
                    cur.execute("SELECT current_setting('lock_timeout')")
                    assert cur.fetchone()[0] == "0"  # the caller's setting again
                    cur.execute("INSERT INTO scratch.child VALUES (1, 1)")
                    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
                        cur.execute("INSERT INTO scratch.child VALUES (2, 3)")
        reader.rollback()
    assert rows(parent_child, "SELECT count(*) FROM scratch.child") == [(0,)]
    assert len(_child_keys(parent_child)) == 1


LOAD_WHILE_PARSING = """
import json, os, sys
sys.path.insert(0, os.getcwd())
import psycopg2
from etl.losses import load
from etl.losses.ingest import ingest
dsn, ids = sys.argv[1], json.loads(sys.argv[2])
os.environ["ATTRITION_PARSE_WORKERS"] = sys.argv[3]
docs = load.fetch_documents(psycopg2.connect(dsn).cursor(), ids=ids)
result = ingest(ids, dsn=dsn, run_id="chunks", raise_failures=False)
print(json.dumps({"pipelined": load.pipelined(docs), "inserted": result.inserted, "revised": result.revised,
                  "documents": result.documents, "days": len(result.days["russianwarship"]),
                  "failed": [(f["url"], f["field"]) for f in result.failed],
                  "new_keys": [(k["key"], k["url"]) for k in result.new_source_keys]}))
"""

OBSERVATIONS = """SELECT source, as_of, category, revision, cumulative, increase, superseded_at IS NULL,
                         (SELECT url FROM core.bulletin b WHERE b.id = o.bulletin_id)
                  FROM core.observation o ORDER BY source, as_of, category, revision"""


def in_a_fresh_process(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh, single-threaded Python (from the repository, outside any Airflow task: so
    the parse may fork); the JSON of its last line of output."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CTX_")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("refused", [False, True])
def test_a_large_batch_loaded_while_it_is_parsed_loads_what_parse_then_load_does(db, refused):
    """320 documents (a rebuild's size) in a single-threaded process: loaded chunk by chunk while forked
    workers parse the next (etl.losses.load.load_while_parsing), with a later document revising an earlier
    one's day, one unreadable document, one with a key the parser does not know and (``refused``) one the
    warehouse refuses (the refusal rolls the chunks back and every document is loaded under a savepoint
    of its own): the same rows, revisions, new keys and failures as the parse then the load in one process."""
    from etl.losses.load import PARALLEL_MIN

    ids = []
    for i in range(PARALLEL_MIN + 20):
        override = {(i % 40, "tanks"): 9000 + i} if i >= 300 else {(i % 40, "ugv_systems"): 3} if i == 12 else None
        body = api_page(range(i % 40, i % 40 + 3), override) + b" " * i
        ids.append(archive(db, "russianwarship", body if i != 7 else b"{not json", f"http://127.0.0.1/p{i}"))
    if refused:
        refuse_bulletins_of(db, "http://127.0.0.1/p250")
    outcome = {}
    for workers in ("2", "1"):
        got = in_a_fresh_process(LOAD_WHILE_PARSING, db, json.dumps(ids), workers)
        outcome[workers] = (got, rows(db, OBSERVATIONS))
        with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
            cur.execute("TRUNCATE core.observation, core.bulletin, core.source_key, quality.alert CASCADE")
    (chunked, loaded), (one, expected) = outcome["2"], outcome["1"]
    assert chunked.pop("pipelined") and not one.pop("pipelined")
    assert chunked == one and loaded == expected
    refusal = [["http://127.0.0.1/p250", "load"]] if refused else []
    assert chunked["failed"][1:] == refusal and chunked["failed"][0][0] == "http://127.0.0.1/p7"
    assert chunked["revised"] > 0 and chunked["inserted"] > 0
    assert chunked["new_keys"] == [["ugv_systems", "http://127.0.0.1/p12"]]  # read by the workers' parse
    assert rows(db, FK_DEFS) and len(rows(db, FK_DEFS)) == 2
