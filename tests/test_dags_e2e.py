"""The bulletin DAGs end to end with real Airflow (`airflow dags test`), real spiders over the replay
server on loopback, and a real warehouse."""

from __future__ import annotations

import contextlib
import csv
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from helpers import REPO, cut_snapshot, dags_test

from etl.losses.crawl import replay_env as spiders_at
from etl.replay.server import ReplayServer

pytestmark = pytest.mark.airflow
BUNDLED = REPO / "data" / "replay"
DAYS = ("2023-06-01", "2023-06-02", "2023-06-03")


@pytest.fixture(scope="module")
def small_snapshot(tmp_path_factory) -> Path:
    """Three days of each source."""
    return cut_snapshot(tmp_path_factory.mktemp("snapshot"), DAYS)


def replay_env(srv: ReplayServer, dsn: str) -> dict:
    return {**spiders_at(srv.urls), "ATTRITION_WAREHOUSE_DSN": dsn}


def one(dsn: str, sql: str, params=None):
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_backfill_loads_every_day_of_every_source_and_rerunning_changes_nothing(airflow_env, small_snapshot, db):
    with ReplayServer(small_snapshot) as srv:
        conf = {"date_from": DAYS[0], "date_to": DAYS[-1]}
        proc = dags_test(airflow_env, "losses_backfill", conf, replay_env(srv, db))
        assert proc.returncode == 0, proc.stdout[-4000:]
        loaded = one(db, "SELECT source, count(DISTINCT as_of) FROM core.observation GROUP BY source ORDER BY 1")
        assert loaded == [("minfin", 3), ("mod", 3), ("russianwarship", 3)]
        assert "no gaps" in proc.stdout
        for source in ("mod", "minfin", "russianwarship"):  # the crawl's progress reaches the task log
            assert f"progress {source}: " in proc.stdout and "3/3 day(s) covered" in proc.stdout
        assert one(db, "SELECT count(*) FROM mart.daily_losses") == [(3,)]
        before = one(db, "SELECT id, xmin::text FROM core.observation ORDER BY id")

        again = dags_test(airflow_env, "losses_backfill", conf, replay_env(srv, db))
        assert again.returncode == 0, again.stdout[-4000:]
        assert one(db, "SELECT id, xmin::text FROM core.observation ORDER BY id") == before
        assert "0 new, 0 revised" in again.stdout


def test_backfill_form_rejects_an_inverted_range(airflow_env, small_snapshot, db):
    with ReplayServer(small_snapshot) as srv:
        proc = dags_test(
            airflow_env, "losses_backfill", {"date_from": DAYS[-1], "date_to": DAYS[0]}, replay_env(srv, db)
        )
    assert proc.returncode != 0
    assert f"date_from {DAYS[-1]} is after date_to {DAYS[0]}: swap them" in proc.stdout
    assert one(db, "SELECT count(*) FROM raw.fetch") == [(0,)]


def test_bad_documents_fail_the_run_keep_the_raw_documents_and_load_the_rest(airflow_env, small_snapshot, db):
    """An empty page, a redesigned page, a page missing a category, a garbled number: one run, four
    documents left out, everything else loaded and validated, check_documents red with the four."""
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
        proc = dags_test(
            airflow_env, "losses_backfill", {"date_from": DAYS[0], "date_to": DAYS[-1]}, replay_env(srv, db)
        )
    assert proc.returncode != 0
    assert "4 document(s) of run" in proc.stdout and "could not be read" in proc.stdout, proc.stdout[-4000:]
    for url, (fault, _, field) in faults.items():
        assert f"mod: {url}: {field}" in proc.stdout, fault
        assert one(db, "SELECT count(*) FROM raw.document WHERE url = %s", (url,)) == [(1,)], fault
    loaded = one(db, "SELECT source, count(DISTINCT as_of) FROM core.observation GROUP BY source ORDER BY 1")
    assert loaded == [("minfin", 3), ("mod", 2), ("russianwarship", 3)]  # mod lost day 1: both its pages
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
        proc = dags_test(
            airflow_env,
            "losses_backfill",
            {"date_from": DAYS[0], "date_to": DAYS[-1]},
            {**replay_env(srv, db), "ATTRITION_DOWNLOAD_TIMEOUT": "3"},
        )
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
        ok = dags_test(airflow_env, "losses_daily", {"target_date": DAYS[-1], "deadline": "14:00"}, replay_env(srv, db))
        assert ok.returncode == 0, ok.stdout[-4000:]
        assert f"bulletin of {DAYS[-1]} loaded from minfin, mod, russianwarship" in ok.stdout
        latest = one(db, "SELECT DISTINCT as_of::text FROM mart.latest")
        assert latest == [(DAYS[-1],)]

        # a day no source has published, its deadline long past: "bulletin missing", an alert per source
        missing = dags_test(
            airflow_env, "losses_daily", {"target_date": "2023-06-04", "deadline": "14:00"}, replay_env(srv, db)
        )
    assert missing.returncode != 0
    assert "bulletin missing" in missing.stdout
    kinds = one(db, "SELECT kind, details->>'source' FROM quality.alert WHERE kind = 'missing_bulletin' ORDER BY 2")
    assert kinds == [("missing_bulletin", s) for s in ("minfin", "mod", "russianwarship")]


def test_daily_quarantines_a_typo_and_emails_it_once_however_often_the_day_is_rerun(airflow_env, tmp_path, db):
    """minfin printed vehicles 31937 on 2024-12-10 (true 31037): the daily run of 2024-12-11 keeps it out of
    the marts, names the typo day as the culprit, and one e-mail reaches the SMTP sink."""
    from etl.local.mailsink import MailSink, message_text, smtp_conn_value

    snapshot = cut_snapshot(tmp_path, ("2024-12-08", "2024-12-09", "2024-12-10", "2024-12-11"))
    with ReplayServer(snapshot) as srv, MailSink(directory=tmp_path / "mail") as sink:
        env = {
            **replay_env(srv, db),
            "AIRFLOW_CONN_SMTP_DEFAULT": smtp_conn_value(sink.port),
            "ATTRITION_AIRFLOW_URL": "http://airflow.example:8080",
        }
        conf = {"target_date": "2024-12-11", "deadline": "23:59"}
        run = dags_test(airflow_env, "losses_daily", conf, env)
        assert run.returncode == 0, run.stdout[-4000:]
        assert "minfin vehicles_fuel_tanks 2024-12-10 = 31937: spike_before" in run.stdout, run.stdout[-6000:]
        mails = sink.messages()
        assert len(mails) == 1, [m["Subject"] for m in mails]
        text = message_text(mails[0])
        assert "minfin" in text and "vehicles_fuel_tanks" in text and "2024-12-10" in text and "31937" in text
        assert "spike_before" in text
        assert "http://airflow.example:8080/dags/losses_daily/runs/manual__" in text
        assert "data_docs/index.html" in text

        again = dags_test(airflow_env, "losses_daily", conf, env)  # the same day's run again (a clear, a retry)
        assert again.returncode == 0, again.stdout[-4000:]
        assert len(sink.messages()) == 1  # the same incidents: no second e-mail
    assert one(db, "SELECT vehicles_fuel_tanks FROM mart.daily_losses WHERE as_of = '2024-12-10'") == [(31037,)]
    assert one(
        db,
        "SELECT source, diagnosis, status FROM quality.quarantine WHERE as_of = '2024-12-10' "
        "AND category = 'vehicles_fuel_tanks'",
    ) == [("minfin", "spike_before", "rejected")]  # by the gate
    assert one(db, "SELECT count(*) FROM quality.alert WHERE notified_at IS NULL") == [(0,)]


def test_quarantine_review_dag_accepts_a_record_from_the_trigger_form(airflow_env, tmp_path, db):
    snapshot = cut_snapshot(tmp_path, ("2024-12-08", "2024-12-09", "2024-12-10", "2024-12-11"))
    with ReplayServer(snapshot) as srv:
        env = replay_env(srv, db)
        assert (
            dags_test(
                airflow_env, "losses_backfill", {"date_from": "2024-12-08", "date_to": "2024-12-11"}, env
            ).returncode
            == 0
        )
        [(qid,)] = one(
            db,
            "SELECT id FROM quality.quarantine WHERE as_of = '2024-12-10' AND source = 'minfin' "
            "AND category = 'vehicles_fuel_tanks'",
        )
        # two agreeing sources outvote it: the gate rejected it, nothing awaits a person; an operator may still decide
        listed = dags_test(airflow_env, "quarantine_review", {"action": "list"}, env)
        assert listed.returncode == 0 and "0 record(s) awaiting a person" in listed.stdout
        missing_id = dags_test(airflow_env, "quarantine_review", {"action": "reject"}, env)
        assert missing_id.returncode != 0 and "reject needs quarantine_id" in missing_id.stdout
        rejected = dags_test(
            airflow_env, "quarantine_review", {"action": "reject", "quarantine_id": qid, "note": "minfin typo"}, env
        )
        assert rejected.returncode == 0, rejected.stdout[-4000:]
    assert one(db, "SELECT status, note, decided_by FROM quality.quarantine WHERE id = %s", (qid,)) == [
        ("rejected", "minfin typo", "dag_test (quarantine_review)")
    ]
    assert one(db, "SELECT vehicles_fuel_tanks FROM mart.daily_losses WHERE as_of = '2024-12-10'") == [(31037,)]


def snapshot_days(source: str) -> set[str]:
    with open(BUNDLED / f"{source}.csv", newline="", encoding="utf-8") as fh:
        return {row["as_of"] for row in csv.DictReader(fh)}


def majority(dependent: set) -> dict:
    """(day, category) -> the value two or more of the three series agree on (cells copied from another
    series, data/replay/completed.csv, do not vote)."""
    votes: dict = {}
    for source in ("minfin", "mod", "russianwarship"):
        with open(BUNDLED / f"{source}.csv", newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if (source, r["as_of"], r["category"]) not in dependent:
                    votes.setdefault((r["as_of"], r["category"]), []).append(int(r["cumulative"]))
    return {k: v for k, vs in votes.items() for v in set(vs) if vs.count(v) >= 2}


MINFIN_TYPOS = [
    ("2023-08-29", "vehicles_fuel_tanks", 7409),
    ("2024-09-24", "vehicles_fuel_tanks", 15175),
    ("2024-12-10", "vehicles_fuel_tanks", 31937),
    ("2023-04-23", "special_equipment", 399),
    ("2024-08-26", "tanks", 8581),
]


def test_backfill_of_the_whole_bundled_snapshot_loads_every_day_it_holds(airflow_env, db):
    """The acceptance run: every day each source's snapshot holds is loaded, gaps reported, no parse error;
    the gate quarantines the known typos on their own day, accepts the official corrections, and the
    marts agree with the majority of the three series."""
    with ReplayServer(BUNDLED) as srv:
        proc = dags_test(
            airflow_env,
            "losses_backfill",
            {"date_from": "2022-02-24", "date_to": "2026-08-08"},
            replay_env(srv, db),
            timeout=1200,
        )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "could not be parsed" not in proc.stdout
    for source in ("minfin", "mod", "russianwarship"):
        loaded = {
            r[0] for r in one(db, "SELECT DISTINCT as_of::text FROM core.observation WHERE source = %s", (source,))
        }
        assert loaded == snapshot_days(source), source
    # mod's series has multi-month gaps: reported, not filled
    assert "2023-07-23..2023-12-19" in proc.stdout
    assert one(
        db, "SELECT count(*) FROM core.observation WHERE source = 'mod' AND as_of BETWEEN '2023-07-23' AND '2023-12-19'"
    ) == [(0,)]
    days = one(db, "SELECT count(*), min(as_of)::text, max(as_of)::text FROM mart.daily_losses")
    assert days == [
        (
            len(snapshot_days("minfin") | snapshot_days("mod") | snapshot_days("russianwarship")),
            "2022-02-24",
            "2026-08-08",
        )
    ]

    # every minfin typo is quarantined on its own day, not on its neighbour's (awaiting a person, or
    # rejected by the gate itself when two agreeing sources outvote it)
    quarantined = {
        (str(d), c, v): diag
        for d, c, v, diag in one(
            db,
            "SELECT as_of, category, cumulative, diagnosis FROM quality.quarantine "
            "WHERE source = 'minfin' AND status IN ('open', 'rejected')",
        )
    }
    for typo in MINFIN_TYPOS:
        assert quarantined.get(typo) in ("typo_low", "spike_before"), typo
        day = date.fromisoformat(typo[0])
        assert one(
            db,
            "SELECT count(*) FROM quality.quarantine WHERE source = 'minfin' AND category = %s AND as_of IN (%s, %s)",
            (typo[1], day - timedelta(days=1), day + timedelta(days=1)),
        ) == [(0,)]
    # the official corrections are accepted as such
    corrections = one(
        db, "SELECT as_of::text, category, cumulative, correction_flag FROM mart.daily_losses_long WHERE correction"
    )
    assert ("2022-10-13", "armored_vehicles", 5167) in [c[:3] for c in corrections]
    assert ("2024-11-30", "special_equipment", 3617) in [c[:3] for c in corrections]
    assert all("registry" in c[3] or "sources_agree" in c[3] or "printed_increase" in c[3] for c in corrections)
    # the accepted series never decreases except on those corrections
    assert one(
        db,
        """SELECT count(*) FROM (SELECT cumulative < lag(cumulative) OVER w AS down, correction
                                   FROM mart.daily_losses_long
                                 WINDOW w AS (PARTITION BY category ORDER BY as_of)) x
                      WHERE down AND NOT correction""",
    ) == [(0,)]
    # the marts equal the majority of the three series on at least 99.9% of the cells where two agree
    with open(BUNDLED / "completed.csv", newline="", encoding="utf-8") as fh:
        dependent = {(r["source"], r["as_of"], r["category"]) for r in csv.DictReader(fh)}
    want = majority(dependent)
    got = {(str(d), c): v for d, c, v in one(db, "SELECT as_of, category, cumulative FROM mart.daily_losses_long")}
    matching = sum(got.get(k) == v for k, v in want.items())
    assert matching / len(want) >= 0.999, sorted((k, v, got.get(k)) for k, v in want.items() if got.get(k) != v)[:20]
    print(f"majority agreement: {matching}/{len(want)} = {matching / len(want):.4%}")
