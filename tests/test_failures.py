"""Failures, tried for real: the warehouse's postmaster killed mid-load, the process killed during the
marts refresh, a bad setting, a bad snapshot row, a source down in the CLI path, two runs at once,
the reader role trying to write.  Each ends in one line naming what failed and what to do (never a
traceback), raises one alert per incident, and a re-run converges."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
from helpers import REPO, VENV_BIN, free_port, load_dag_folder, run_cli, sql

D0 = date(2025, 3, 1)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def one_line_error(proc: subprocess.CompletedProcess, code: int) -> str:
    """The process exited ``code`` with exactly one line on stderr (warnings of libraries aside) and no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("attrition: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def mod_pages(days: int = 3, start: date = date(2024, 1, 1)) -> list[tuple[str, bytes, str]]:
    """(url, body, content type) of the replay's mod bulletins of the first ``days`` days from ``start``."""
    from etl.replay.server import ReplayServer

    out = []
    with ReplayServer() as server:
        for day in [d for d in server.series["mod"].order if d >= start][:days]:
            url = server.bulletin_url(day, "en")
            with urllib.request.urlopen(url, timeout=30) as resp:
                out.append((url, resp.read(), resp.headers["Content-Type"]))
    return out


def archive(dsn: str, pages, source: str = "mod") -> list[int]:
    """Put documents in raw.document as a crawl would; returns their ids."""
    ids = []
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        for url, body, ctype in pages:
            cur.execute(
                """INSERT INTO raw.document (source, url, fetched_at, http_status, content_type, sha256,
                                                     size_bytes, body)
                           VALUES (%s, %s, now(), 200, %s, %s, %s, %s)
                           ON CONFLICT (sha256) DO UPDATE SET url = EXCLUDED.url RETURNING id""",
                (source, url, ctype, hashlib.sha256(body).hexdigest(), len(body), body),
            )
            ids.append(cur.fetchone()[0])
    return ids


def counts(dsn: str) -> tuple[int, int]:
    return sql(dsn, "SELECT (SELECT count(*) FROM core.observation), (SELECT count(*) FROM core.bulletin)")[0]


def put(dsn: str, source: str, day: int, values: dict[str, int]) -> None:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        for category, value in values.items():
            cur.execute(
                "INSERT INTO core.observation (source, as_of, category, cumulative, revision) "
                "VALUES (%s, %s, %s, %s, 1)",
                (source, D0 + timedelta(days=day), category, value),
            )


def cli_env(dsn: str, **extra) -> dict:
    return {"ATTRITION_WAREHOUSE_DSN": dsn, "ATTRITION_FAST": "1", **extra}


# ---------------------------------------------------------------------------------------------
# a bad setting, a bad snapshot row, a number out of range: one line, exit 2 / 1
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, value", [("ATTRITION_PG_PORT", "abc"), ("ATTRITION_PG_PORT", "70000"), ("ATTRITION_PG_PORT", "-1")]
)
def test_a_bad_setting_is_one_line_exit_2(name, value):
    proc = run_cli("db", "status", env={name: value}, check=False)
    line = one_line_error(proc, 2)
    assert f"setting {name}={value!r} is not a whole number (1..65535)" in line
    assert f"set {name} to" in line


def test_a_bad_lock_wait_setting_is_one_line(db):
    archive(db, mod_pages(1))
    proc = run_cli(
        "rebuild", "--sources", "mod", "--no-notify", env=cli_env(db, ATTRITION_RUN_LOCK_WAIT="soon"), check=False
    )
    assert "ATTRITION_RUN_LOCK_WAIT='soon' is not a number >= 0" in one_line_error(proc, 2)


SNAPSHOT_HEADER = ["as_of", "category", "cumulative", "increase"]


@pytest.mark.parametrize(
    "row, field, problem",
    [
        (["2024-13-01", "tanks", "5000", ""], "as_of", "'2024-13-01' is not a date like 2024-01-31"),
        (["2024-01-02", "tankz", "5000", ""], "category", "unknown category 'tankz'"),
        (["2024-01-02", "tanks", "-5000", ""], "cumulative", "'-5000' is not a whole number >= 0"),
        (["2024-01-02", "tanks", "5e3", ""], "cumulative", "'5e3' is not a whole number >= 0"),
        (["2024-01-02", "tanks", "5000", "+x"], "increase", "'+x' is not a whole number"),
        (["2024-01-02", "tanks", "", ""], "cumulative", "empty or missing cell"),
        (
            ["2024-01-01", "tanks", "5000", ""],
            "as_of, category",
            "a second row for 2024-01-01 tanks (the first is line 2)",
        ),
    ],
)
def test_a_bad_snapshot_row_is_named_by_file_line_and_field(tmp_path: Path, row, field, problem):
    with open(tmp_path / "mod.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SNAPSHOT_HEADER)
        w.writerow(["2024-01-01", "tanks", "4990", ""])
        w.writerow(row)
    proc = run_cli("replay", "serve", "--data", str(tmp_path), "--port", str(free_port()), check=False)
    line = one_line_error(proc, 2)
    assert f"replay snapshot: {tmp_path / 'mod.csv'}:3: field {field}: {problem}" in line, line
    assert "fix or delete that row" in line


def test_a_number_out_of_range_is_one_line(db):
    from etl.errors import NumberOutOfRange
    from etl.warehouse.db import transaction

    with pytest.raises(NumberOutOfRange) as caught:
        with transaction(db, run_id="run-big") as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE t (n bigint)")
            cur.execute("INSERT INTO t VALUES (%s)", (10**30,))
    line = str(caught.value)
    assert "\n" not in line and "a number is out of range for the warehouse (bigint out of range)" in line
    assert "nothing of run run-big was loaded" in line


def test_an_unexpected_error_is_one_line_with_the_traceback_in_a_file(tmp_path, monkeypatch):
    from etl.warehouse.failures import describe

    monkeypatch.setenv("ATTRITION_LOCAL_DIR", str(tmp_path))
    try:
        {}["missing"]
    except KeyError as exc:
        line, code = describe(exc)
    assert code == 1 and line.startswith("unexpected error KeyError: 'missing'; the traceback is in ")
    logs = list((tmp_path / "logs").glob("attrition-error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text()


# ---------------------------------------------------------------------------------------------
# the warehouse lost during a load
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def own_cluster(tmp_path):
    """A cluster of this test's own (its postmaster gets killed)."""
    from etl.local.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres(tmp_path / "pg", port=free_port())
    pg.up()
    yield pg
    with contextlib.suppress(Exception):
        pg.destroy()


def _wait_for(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _restart(pg, timeout: float = 60) -> None:
    """Start the cluster again once the killed postmaster's children have gone (they hold its memory)."""
    from etl.local.embedded import EmbeddedError

    _wait_for(lambda: pg.running_pid() is None, timeout, "the killed postmaster to be reaped")
    deadline = time.monotonic() + timeout
    while True:
        try:
            pg.up()
            return
        except (EmbeddedError, psycopg2.OperationalError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_the_postmaster_killed_mid_load_loads_nothing_and_a_rerun_converges(own_cluster):
    dsn = own_cluster.dsn()
    spool = own_cluster.base.parent / "alerts.jsonl"
    ids = archive(dsn, mod_pages(3))
    # hold the observations table so the load stops half-way: after its bulletins and staging,
    # before its observations
    blocker = psycopg2.connect(dsn)
    with blocker.cursor() as cur:
        cur.execute("BEGIN; LOCK TABLE core.observation IN EXCLUSIVE MODE")
    proc = subprocess.Popen(
        [str(VENV_BIN / "attrition"), "rebuild", "--sources", "mod", "--no-notify"],
        env={**os.environ, **cli_env(dsn, ATTRITION_ALERT_SPOOL=str(spool))},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def load_waits() -> bool:
            with contextlib.closing(psycopg2.connect(dsn)) as c, c.cursor() as cur:
                cur.execute("""SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation
                               WHERE NOT l.granted AND r.relname = 'observation'""")
                return cur.fetchone()[0] > 0

        _wait_for(load_waits, what="the load to reach core.observation")
        postmaster = own_cluster.running_pid()
        os.kill(postmaster, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(Exception):
            blocker.close()
    line = one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), 1)
    assert "warehouse: " in line and "the connection to the warehouse was lost during a transaction" in line
    assert "nothing of run rebuild was loaded; run it again" in line
    assert f"[alert spooled to {spool}: it is sent by the next delivery that reaches the warehouse]" in line

    _restart(own_cluster)
    assert counts(dsn) == (0, 0)  # nothing of the run: neither its bulletins nor its observations
    run_cli("rebuild", "--sources", "mod", "--no-notify", env=cli_env(dsn))
    loaded = counts(dsn)
    assert loaded[0] > 0 and loaded[1] == len(ids)
    run_cli("rebuild", "--sources", "mod", "--no-notify", env=cli_env(dsn))
    assert counts(dsn) == loaded  # converged: the same again changes nothing


def test_a_lost_connection_in_a_transaction_names_the_run(db):
    from etl.errors import WarehouseLost
    from etl.warehouse.db import transaction

    with pytest.raises(WarehouseLost) as caught:
        with transaction(db, run_id="run-7") as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE t (n int)")
            cur.execute("INSERT INTO t VALUES (1)")
            sql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s", (conn.get_backend_pid(),))
            cur.execute("INSERT INTO t VALUES (2)")
    line = str(caught.value)
    assert "\n" not in line and line.startswith("warehouse: ")
    assert line.endswith(
        "nothing of run run-7 was loaded; run it again once the warehouse is up (`attrition db status`)"
    )


# ---------------------------------------------------------------------------------------------
# the marts never half
# ---------------------------------------------------------------------------------------------
def test_the_process_killed_during_the_marts_refresh_leaves_them_readable_and_the_next_run_completes_them(db):
    from etl.quality.gate import validate

    for day, value in enumerate((3000, 3010, 3020)):
        put(db, "minfin", day, {"tanks": value})
    validate(db, run_id="first", notify=False)
    before = sql(db, "SELECT as_of, cumulative FROM mart.daily_losses_long ORDER BY as_of")
    assert len(before) == 3
    put(db, "minfin", 3, {"tanks": 3030})

    blocker = psycopg2.connect(db)  # a reader of mart.latest: the refresh waits for it, half-way through
    with blocker.cursor() as cur:
        cur.execute("BEGIN; SELECT count(*) FROM mart.latest")
    proc = subprocess.Popen(
        [str(VENV_BIN / "attrition"), "validate", "--no-notify"],
        env={**os.environ, **cli_env(db)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def refresh_waits() -> bool:
            rows = sql(
                db,
                """SELECT a.pid FROM pg_locks l JOIN pg_class r ON r.oid = l.relation
                              JOIN pg_stat_activity a ON a.pid = l.pid
                              WHERE NOT l.granted AND r.relname = 'latest' AND a.query LIKE 'REFRESH%%'""",
            )
            return bool(rows)

        _wait_for(refresh_waits, timeout=300, what="the refresh to reach mart.latest")
        backend = sql(
            db,
            """SELECT a.pid FROM pg_locks l JOIN pg_class r ON r.oid = l.relation
                             JOIN pg_stat_activity a ON a.pid = l.pid
                             WHERE NOT l.granted AND r.relname = 'latest'""",
        )[0][0]
        # mart.daily_losses_long is already refreshed in that transaction; kill the process now
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # readable throughout, with the previous contents
        assert sql(db, "SELECT as_of, cumulative FROM mart.daily_losses_long ORDER BY as_of") == before
    finally:
        blocker.rollback()
        blocker.close()
        if proc.poll() is None:
            proc.kill()
    _wait_for(
        lambda: not sql(db, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)),
        what="the killed run's backend to end",
    )
    assert sql(db, "SELECT as_of, cumulative FROM mart.daily_losses_long ORDER BY as_of") == before
    assert sql(db, "SELECT count(*) FROM mart.daily_losses")[0][0] == 3
    assert sql(db, "SELECT as_of FROM mart.latest LIMIT 1")[0][0] == D0 + timedelta(days=2)
    # the decision was committed before the refresh: the next run completes the marts
    validate(db, run_id="next", notify=False)
    assert sql(db, "SELECT max(as_of), count(*) FROM mart.daily_losses")[0] == (D0 + timedelta(days=3), 4)
    assert sql(db, "SELECT as_of, cumulative FROM mart.latest")[0] == (D0 + timedelta(days=3), 3030)


# ---------------------------------------------------------------------------------------------
# runs told apart and serialized
# ---------------------------------------------------------------------------------------------
def test_two_runs_never_share_a_run_id():
    from etl.warehouse.runlock import new_run_id

    ids: list[str] = []
    threads = [
        threading.Thread(target=lambda: ids.extend(new_run_id("cli-backfill") for _ in range(500))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 2000 and len(set(ids)) == 2000
    assert all(i.startswith("cli-backfill-") for i in ids)


def test_describe_range():
    from etl.warehouse.runlock import describe_range

    assert describe_range(date(2024, 1, 1), date(2024, 6, 30)) == "2024-01..06"
    assert describe_range(date(2024, 3, 1), date(2024, 3, 31)) == "2024-03"
    assert describe_range(date(2023, 12, 1), date(2024, 1, 31)) == "2023-12..2024-01"
    assert describe_range(date(2024, 1, 2), date(2024, 6, 30)) == "2024-01-02..2024-06-30"


def test_a_second_run_over_the_same_source_waits_saying_so_then_loads(db):
    from etl.losses.ingest import ingest
    from etl.warehouse.runlock import lock_sources

    ids = archive(db, mod_pages(2))
    holder = psycopg2.connect(db)
    cur = holder.cursor()
    lock_sources(cur, {"mod": (date(2024, 1, 1), date(2024, 6, 30))}, "run-A")
    said: list[str] = []
    done: dict = {}

    def second():
        import etl.warehouse.runlock as runlock

        original = runlock.lock_sources
        try:
            runlock.lock_sources = lambda c, spans, run_id=None, **kw: original(c, spans, run_id, say=said.append)
            done["result"] = ingest(ids, dsn=db, run_id="run-B")
        except Exception as exc:  # noqa: BLE001
            done["error"] = exc
        finally:
            runlock.lock_sources = original

    t = threading.Thread(target=second)
    t.start()
    _wait_for(lambda: said, what="the second run to say it waits")
    assert said[0] == "attrition: another run of mod 2024-01..06 (run-A) is in progress; waiting up to 1800 s for it"
    _wait_for(
        lambda: sql(
            db,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )[0][0],
        what="the second run to block on the run lock",
    )
    assert counts(db) == (0, 0)  # waiting, not interleaving
    holder.commit()
    t.join(60)
    assert "error" not in done, done
    assert done["result"].documents == 2 and counts(db)[1] == 2
    assert said[1].startswith("attrition: the other run of mod 2024-01..06 (run-A) ended after ")
    holder.close()


def test_a_run_that_waits_too_long_fails_in_one_line_and_loads_nothing(db):
    from etl.warehouse.runlock import lock_sources

    archive(db, mod_pages(2))
    holder = psycopg2.connect(db)
    lock_sources(holder.cursor(), {"mod": (date(2024, 1, 1), date(2024, 6, 30))}, "run-A")
    try:
        proc = run_cli(
            "rebuild", "--sources", "mod", "--no-notify", env=cli_env(db, ATTRITION_RUN_LOCK_WAIT="1"), check=False
        )
    finally:
        holder.rollback()
        holder.close()
    assert "another run of mod 2024-01..06 (run-A) is in progress; waiting up to 1 s for it" in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("attrition: run lock")]
    assert lines == [
        "attrition: run lock: another run of mod 2024-01..06 (run-A) is in progress; waited 1 s for it; "
        "nothing of run rebuild was loaded; run it again when the other run has ended (or raise "
        "ATTRITION_RUN_LOCK_WAIT) [alert recorded, not sent (--no-notify)]"
    ], proc.stderr
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert counts(db) == (0, 0)
    assert sql(db, "SELECT kind, details ->> 'source' FROM quality.alert") == [("run_lock_timeout", "run lock")]


# ---------------------------------------------------------------------------------------------
# alerts: a source down in the CLI path, the warehouse unreachable (spooled), the DAGs' callbacks
# ---------------------------------------------------------------------------------------------
def test_a_source_down_in_the_cli_path_fails_in_one_line_and_alerts_once(db):
    closed = f"http://127.0.0.1:{free_port()}"
    env = cli_env(db, ATTRITION_RUSSIANWARSHIP_BASE_URL=closed + "/russianwarship.rip/api/v2")
    args = ("backfill", "--from", "2024-01-01", "--to", "2024-01-02", "--sources", "russianwarship")
    first = run_cli(*args, env=env, check=False)
    line = one_line_error(first, 1)
    assert line.startswith("attrition: russianwarship: " + closed)
    assert "run again once the source answers" in line and "[alert " in line
    alerts = sql(db, "SELECT kind, details ->> 'source', details ->> 'url', severity FROM quality.alert")
    assert len(alerts) == 1 and alerts[0][0] == "source_failure" and alerts[0][1] == "russianwarship"
    assert alerts[0][2].startswith(closed) and alerts[0][3] == "error"
    second = run_cli(*args, env=env, check=False)  # the same incident again: no second alert
    assert "[alert already raised for this incident]" in one_line_error(second, 1)
    assert sql(db, "SELECT count(*) FROM quality.alert")[0][0] == 1


def test_the_warehouse_unreachable_spools_the_alert_and_the_next_delivery_records_it(db, tmp_path):
    from etl.warehouse.notify import deliver_pending

    spool = tmp_path / "alerts.jsonl"
    gone = f"postgresql://attrition:x@127.0.0.1:{free_port()}/attrition"
    proc = run_cli("validate", env={"ATTRITION_WAREHOUSE_DSN": gone, "ATTRITION_ALERT_SPOOL": str(spool)}, check=False)
    line = one_line_error(proc, 1)
    assert line.startswith("attrition: warehouse: cannot connect to the warehouse at ")
    assert f"[alert spooled to {spool}: it is sent by the next delivery that reaches the warehouse]" in line
    assert spool.read_text().count("\n") == 1
    os.environ["ATTRITION_ALERT_SPOOL"] = str(spool)
    try:
        deliver_pending(db)
    finally:
        del os.environ["ATTRITION_ALERT_SPOOL"]
    assert spool.read_text() == ""
    rows = sql(db, "SELECT kind, details ->> 'where', details ? 'spooled_at' FROM quality.alert")
    assert rows == [("warehouse_unreachable", "attrition validate", True)]


def test_every_dag_has_a_failure_callback_that_alerts_once_with_the_run_link(db, monkeypatch, tmp_path):
    # every DAG, as Airflow loads it, has the DAG-level and the task-level callback
    name = "getattr(c, '__name__', str(c))"
    callbacks = load_dag_folder(
        tmp_path,
        f"[{name} for c in (d.on_failure_callback if isinstance(d.on_failure_callback, list) "
        f"else [d.on_failure_callback])] + sorted({{getattr(t.on_failure_callback, '__name__', None) "
        "or getattr((t.on_failure_callback or [None])[0], '__name__', 'none') for t in d.tasks})",
    )["dags"]
    assert sorted(callbacks) == sorted(p.stem for p in (REPO / "dags").glob("*.py"))
    for dag_id, names in callbacks.items():
        assert names == ["dag_failed", "task_failed"], (dag_id, names)

    from etl.warehouse.failures import task_failed

    monkeypatch.setenv("ATTRITION_WAREHOUSE_DSN", db)
    monkeypatch.setenv("ATTRITION_AIRFLOW_URL", "http://airflow.example:8080")
    ti = SimpleNamespace(dag_id="losses_daily", task_id="parse_and_load", run_id="scheduled__2026-12-02")
    context = {"ti": ti, "run_id": ti.run_id, "exception": KeyError("boom")}
    task_failed(context)
    task_failed(context)  # the same task run failing again (a retry's callback): one incident
    rows = sql(db, "SELECT kind, run_url, details ->> 'where', body FROM quality.alert")
    assert len(rows) == 1
    kind, run_url, where, body = rows[0]
    assert kind == "run_failure" and where == "losses_daily.parse_and_load"
    assert run_url == "http://airflow.example:8080/dags/losses_daily/runs/scheduled__2026-12-02"
    assert "unexpected error KeyError: 'boom'" in body


# ---------------------------------------------------------------------------------------------
# the reader cannot write
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TEMP TABLE scratch (n int)",
        "CREATE TEMPORARY TABLE scratch AS SELECT * FROM mart.latest",
        "CREATE TABLE public.scratch (n int)",
        "CREATE SCHEMA scratch",
        "SELECT lo_create(0)",
        "SELECT lo_from_bytea(0, 'x')",
        "INSERT INTO core.observation (source, as_of, category, cumulative) VALUES ('mod', '2024-01-01', 'tanks', 1)",
        "REFRESH MATERIALIZED VIEW mart.latest",
    ],
)
def test_the_reader_cannot_write_even_in_a_read_write_transaction(warehouse, db, statement):
    reader = warehouse.dsn(reader=True, dbname=db.rsplit("/", 1)[1])
    with contextlib.closing(psycopg2.connect(reader)) as conn, conn.cursor() as cur:
        cur.execute("BEGIN READ WRITE")
        cur.execute("SHOW transaction_read_only")
        assert cur.fetchone()[0] == "off"  # the role's default is read-only; privileges must refuse anyway
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(statement)
        conn.rollback()
        cur.execute("SELECT count(*) FROM mart.latest")  # reading still works


def test_the_reader_has_no_temporary_privilege(warehouse, db):
    name = db.rsplit("/", 1)[1]
    rows = sql(
        db,
        "SELECT has_database_privilege('attrition_reader', %s, 'TEMPORARY'), "
        "has_database_privilege('attrition_reader', %s, 'CREATE'), "
        "has_database_privilege('attrition_reader', %s, 'CONNECT'), "
        "has_database_privilege(current_user, %s, 'TEMPORARY')",
        (name, name, name, name),
    )
    assert rows == [(False, False, True, True)]


def test_a_task_fails_with_one_line_and_keeps_airflow_s_own_exceptions():
    from airflow.sdk.exceptions import AirflowFailException

    from etl.errors import WarehouseLost
    from etl.warehouse.failures import TaskError, one_line_errors

    @one_line_errors
    def lost(document_id_lists, run_id):
        raise psycopg2.OperationalError("server closed the connection unexpectedly\n\tThis probably means ...")

    with pytest.raises(WarehouseLost) as caught:
        lost([[1]], "manual__2026-12-02T08:00:00+00:00")
    assert str(caught.value).startswith(
        "warehouse: the connection to the warehouse was lost during a transaction "
        "(server closed the connection unexpectedly | This probably means ...)"
    )
    assert "nothing of run manual__2026-12-02T08:00:00+00:00 was loaded; run it again" in str(caught.value)

    @one_line_errors
    def fails():
        raise AirflowFailException("bulletin missing: mod has not published the bulletin of 2026-12-02")

    with pytest.raises(AirflowFailException):
        fails()

    @one_line_errors
    def bug():
        return [][1]

    with pytest.raises(TaskError, match=r"^unexpected error IndexError: list index out of range; the traceback is in "):
        bug()


def test_a_task_failing_for_good_alerts_with_its_message(db, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    from etl.warehouse.failures import task_failed

    monkeypatch.setenv("ATTRITION_WAREHOUSE_DSN", db)
    ti = SimpleNamespace(dag_id="losses_backfill", task_id="scrape_mod", run_id="manual__2026-12-02")
    task_failed(
        {
            "ti": ti,
            "run_id": ti.run_id,
            "exception": AirflowFailException(
                "mod: http://127.0.0.1:9/mil.gov.ua/en/news/: HTTP 503 after 3 retries\nThe documents fetched before "
                "the error are kept in raw.document"
            ),
        }
    )
    rows = sql(db, "SELECT kind, subject, details ->> 'problem', run_url FROM quality.alert")
    assert len(rows) == 1
    kind, subject, problem, run_url = rows[0]
    assert kind == "task_failure" and run_url.endswith("/dags/losses_backfill/runs/manual__2026-12-02")
    assert subject.startswith(
        "[attrition] losses_backfill.scrape_mod failed: mod: http://127.0.0.1:9/mil.gov.ua"
        "/en/news/: HTTP 503 after 3 retries | The documents fetched before"
    )
    assert problem == (
        "mod: http://127.0.0.1:9/mil.gov.ua/en/news/: HTTP 503 after 3 retries | The documents fetched "
        "before the error are kept in raw.document"
    )


@pytest.mark.airflow
def test_a_source_down_in_a_dag_fails_the_task_and_its_callback_alerts_with_the_run_link(airflow_env, db, tmp_path):
    """Real Airflow: the scrape task fails for good, its on_failure_callback raises one alert with the run's link."""
    from urllib.parse import urlsplit

    from helpers import cut_snapshot, dags_test

    from etl.losses.crawl import replay_env
    from etl.replay.server import ReplayServer

    days = ("2023-06-01", "2023-06-02")
    with ReplayServer(cut_snapshot(tmp_path, days)) as srv:
        oversize = srv.urls["russianwarship"] + "/api/v2/statistics"
        srv.add_fault(urlsplit(oversize).path, "oversize")
        proc = dags_test(
            airflow_env,
            "losses_backfill",
            {"date_from": days[0], "date_to": days[-1], "sources": ["russianwarship"]},
            {
                **replay_env(srv.urls),
                "ATTRITION_WAREHOUSE_DSN": db,
                "ATTRITION_AIRFLOW_URL": "http://airflow.example:8080",
            },
        )
    assert proc.returncode != 0
    rows = sql(db, "SELECT kind, details ->> 'where', run_url, details ->> 'problem' FROM quality.alert")
    assert len(rows) == 1, (rows, proc.stdout[-3000:])
    kind, where, run_url, problem = rows[0]
    assert kind == "task_failure" and where == "losses_backfill.scrape_russianwarship"
    assert run_url.startswith("http://airflow.example:8080/dags/losses_backfill/runs/")
    assert problem.startswith(f"russianwarship: {oversize}")
    assert sql(db, "SELECT count(*) FROM core.observation") == [(0,)]


def test_a_stop_escalates_when_a_child_outlives_its_sigterm(tmp_path, monkeypatch):
    """`attrition down`'s stop (etl.local.processes.stop_pidfile): SIGINT to the parent, which SIGTERMs
    its child and waits for it, as Airflow standalone does; a child that ignores the SIGTERM (as its
    dag-processor sometimes does) is ended once ``stall`` seconds pass with no process exiting, not at
    the timeout."""
    from etl.local.processes import pid_alive, spawn, stop_pidfile

    monkeypatch.setenv("ATTRITION_LOCAL_DIR", str(tmp_path))
    ready = tmp_path / "ready"
    script = (
        "import signal, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
        "def stop(*_):\n"
        "    child.terminate(); child.wait(); sys.exit(0)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        f"open({str(ready)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    proc, _ = spawn("stubborn", [sys.executable, "-c", script], "stubborn.log")
    deadline = time.monotonic() + 30
    while not (ready.exists() and ready.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(ready.read_text())
    started = time.monotonic()
    assert stop_pidfile("stubborn", timeout=120, stall=2)
    assert time.monotonic() - started < 30  # the stall, then SIGTERM and SIGKILL: never the timeout
    proc.wait(10)
    assert not pid_alive(child) and not pid_alive(proc.pid)
    assert not (tmp_path / "run" / "stubborn.pid").exists()
