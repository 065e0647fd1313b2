"""The bulletin DAGs end to end with real Airflow (`airflow dags test`), real spiders over the replay
server on loopback, and a real warehouse."""
from __future__ import annotations

import contextlib
import csv
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest

from conftest import REPO, dags_test
from etl.migrate import migrate
from etl.replay import ReplayServer
from etl.crawl import replay_env as spiders_at

pytestmark = pytest.mark.airflow
BUNDLED = REPO / "data" / "replay"
DAYS = ("2023-06-01", "2023-06-02", "2023-06-03")


@pytest.fixture(scope="module")
def small_snapshot(tmp_path_factory) -> Path:
    """Three days of each source, cut from the bundled snapshot."""
    out = tmp_path_factory.mktemp("snapshot")
    for name in ("minfin.csv", "mod.csv", "russianwarship.csv", "mod_urls.csv"):
        with open(BUNDLED / name, newline="", encoding="utf-8") as src, \
                open(out / name, "w", newline="", encoding="utf-8") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
            writer.writeheader()
            writer.writerows(r for r in reader if r["as_of"] in DAYS)
    return out


def replay_env(srv: ReplayServer, dsn: str) -> dict:
    return {**spiders_at(srv.urls), "ATTRITION_WAREHOUSE_DSN": dsn}


def one(dsn: str, sql: str, params=None):
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture
def db(fresh_db) -> str:
    migrate(fresh_db)
    return fresh_db


def test_backfill_loads_every_day_of_every_source_and_rerunning_changes_nothing(airflow_env, small_snapshot, db):
    with ReplayServer(small_snapshot) as srv:
        conf = {"date_from": DAYS[0], "date_to": DAYS[-1]}
        proc = dags_test(airflow_env, "losses_backfill", conf, replay_env(srv, db))
        assert proc.returncode == 0, proc.stdout[-4000:]
        loaded = one(db, "SELECT source, count(DISTINCT as_of) FROM core.observation GROUP BY source ORDER BY 1")
        assert loaded == [("minfin", 3), ("mod", 3), ("russianwarship", 3)]
        assert "no gaps" in proc.stdout
        assert one(db, "SELECT count(*) FROM mart.daily_losses") == [(3,)]
        before = one(db, "SELECT id, xmin::text FROM core.observation ORDER BY id")

        again = dags_test(airflow_env, "losses_backfill", conf, replay_env(srv, db))
        assert again.returncode == 0, again.stdout[-4000:]
        assert one(db, "SELECT id, xmin::text FROM core.observation ORDER BY id") == before
        assert "0 new, 0 revised" in again.stdout


def test_backfill_form_rejects_an_inverted_range(airflow_env, small_snapshot, db):
    with ReplayServer(small_snapshot) as srv:
        proc = dags_test(airflow_env, "losses_backfill", {"date_from": DAYS[-1], "date_to": DAYS[0]},
                         replay_env(srv, db))
    assert proc.returncode != 0
    assert f"date_from {DAYS[-1]} is after date_to {DAYS[0]}: swap them" in proc.stdout
    assert one(db, "SELECT count(*) FROM raw.fetch") == [(0,)]


def test_bad_documents_fail_the_run_keep_the_raw_documents_and_load_nothing(airflow_env, small_snapshot, db):
    """An empty page, a redesigned page, a page missing a category, a garbled number: one run, four documents."""
    with ReplayServer(small_snapshot) as srv:
        day = [date.fromisoformat(d) for d in DAYS]
        faults = {  # url -> (fault, options, the field the error must name)
            srv.bulletin_url(day[0], "en"): ("empty", {}, "page"),
            srv.bulletin_url(day[1], "en"): ("missing", {"category": "tanks"}, "category:tanks"),
            srv.bulletin_url(day[1], "uk"): ("redesign", {}, "page"),
            srv.bulletin_url(day[2], "en"): ("garbled", {"category": "tanks"}, "category:tanks"),
        }
        for url, (fault, opts, _) in faults.items():
            srv.add_fault(urlsplit(url).path, fault, **opts)
        proc = dags_test(airflow_env, "losses_backfill", {"date_from": DAYS[0], "date_to": DAYS[-1]},
                         replay_env(srv, db))
    assert proc.returncode != 0
    assert "4 document(s) could not be parsed; nothing was loaded" in proc.stdout, proc.stdout[-4000:]
    for url, (fault, _, field) in faults.items():
        assert f"mod: {url}: {field}" in proc.stdout, fault
        assert one(db, "SELECT count(*) FROM raw.document WHERE url = %s", (url,)) == [(1,)], fault
    assert one(db, "SELECT count(*) FROM core.observation") == [(0,)]
    alerts = one(db, "SELECT kind, details->>'url' FROM quality.alert ORDER BY 2")
    assert alerts == [("parse_failure", url) for url in sorted(faults)]


def test_failing_fetches_fail_the_run_naming_source_and_url_and_load_nothing(airflow_env, small_snapshot, db):
    """HTTP 500 (mod), a timeout (minfin), an oversized response (russianwarship): one run, three failures."""
    with ReplayServer(small_snapshot) as srv:
        http500 = srv.bulletin_url(date.fromisoformat(DAYS[1]), "en")
        hang = srv.urls["minfin"] + "/ua/russian-invading/casualties/"  # three days: the main page has them
        oversize = srv.urls["russianwarship"] + "/api/v2/statistics"
        srv.add_fault(urlsplit(http500).path, "http500")
        srv.add_fault(urlsplit(hang).path, "hang", hang_seconds=20)
        srv.add_fault(urlsplit(oversize).path, "oversize")
        proc = dags_test(airflow_env, "losses_backfill", {"date_from": DAYS[0], "date_to": DAYS[-1]},
                         {**replay_env(srv, db), "ATTRITION_DOWNLOAD_TIMEOUT": "3"})
    out = proc.stdout
    assert proc.returncode != 0
    assert f"mod: {http500}: HTTP 500" in out, out[-4000:]
    assert f"minfin: {hang}: " in out and "imeout" in out
    assert f"russianwarship: {oversize}" in out
    assert one(db, "SELECT count(*) FROM core.observation") == [(0,)]
    failed = {r[0] for r in one(db, "SELECT source FROM raw.fetch WHERE outcome = 'error' AND error <> ''")}
    assert failed == {"mod", "minfin", "russianwarship"}
    # what was fetched before a failure stays archived
    assert one(db, "SELECT count(*) > 0 FROM raw.document WHERE source = 'mod'") == [(True,)]


def test_daily_loads_the_target_day_and_reports_a_missing_bulletin(airflow_env, small_snapshot, db):
    with ReplayServer(small_snapshot) as srv:
        ok = dags_test(airflow_env, "losses_daily", {"target_date": DAYS[-1], "deadline": "14:00"},
                       replay_env(srv, db))
        assert ok.returncode == 0, ok.stdout[-4000:]
        assert f"bulletin of {DAYS[-1]} loaded from minfin, mod, russianwarship" in ok.stdout
        latest = one(db, "SELECT DISTINCT as_of::text FROM mart.latest")
        assert latest == [(DAYS[-1],)]

        # a day no source has published, its deadline long past: "bulletin missing", an alert per source
        missing = dags_test(airflow_env, "losses_daily", {"target_date": "2023-06-04", "deadline": "14:00"},
                            replay_env(srv, db))
    assert missing.returncode != 0
    assert "bulletin missing" in missing.stdout
    kinds = one(db, "SELECT kind, details->>'source' FROM quality.alert ORDER BY 2")
    assert kinds == [("missing_bulletin", s) for s in ("minfin", "mod", "russianwarship")]


def snapshot_days(source: str) -> set[str]:
    with open(BUNDLED / f"{source}.csv", newline="", encoding="utf-8") as fh:
        return {row["as_of"] for row in csv.DictReader(fh)}


def test_backfill_of_the_whole_bundled_snapshot_loads_every_day_it_holds(airflow_env, db):
    """The acceptance run: every day each source's snapshot holds is loaded, gaps reported, no parse error."""
    with ReplayServer(BUNDLED) as srv:
        proc = dags_test(airflow_env, "losses_backfill", {"date_from": "2022-02-24", "date_to": "2026-08-08"},
                         replay_env(srv, db), timeout=1200)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "could not be parsed" not in proc.stdout
    for source in ("minfin", "mod", "russianwarship"):
        loaded = {r[0] for r in one(db, "SELECT DISTINCT as_of::text FROM core.observation WHERE source = %s",
                                    (source,))}
        assert loaded == snapshot_days(source), source
    # mod's series has multi-month gaps: reported, not filled
    assert "2023-07-23..2023-12-19" in proc.stdout
    assert one(db, "SELECT count(*) FROM core.observation WHERE source = 'mod' "
                   "AND as_of BETWEEN '2023-07-23' AND '2023-12-19'") == [(0,)]
    days = one(db, "SELECT count(*), min(as_of)::text, max(as_of)::text FROM mart.daily_losses")
    assert days == [(len(snapshot_days("minfin") | snapshot_days("mod") | snapshot_days("russianwarship")),
                     "2022-02-24", "2026-08-08")]
