"""`attrition sources check` against the replay, its alerts, and the DAG sources_check (issue 10, point 6)."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys

import psycopg2
import pytest
from helpers import REPO, run_cli

CATEGORIES_ON_LAST_DAY = 15  # the bundled snapshot's last day (2026-08-08): what every source prints


def rows(dsn: str, sql: str, params=None) -> list[tuple]:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def check(dsn: str, *args: str) -> subprocess.CompletedProcess:
    return run_cli("sources", "check", "--replay", *args, env={"ATTRITION_WAREHOUSE_DSN": dsn}, check=False)


def test_replay_check_passes_and_reports_every_source(fresh_db):
    proc = check(fresh_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = proc.stdout.splitlines()
    assert table[0].split()[:5] == ["source", "status", "reachable", "newest", "day"]
    for source in ("mod", "minfin", "russianwarship"):
        line = next(x for x in table if x.startswith(source + " "))
        assert line.split()[1:6] == ["ok", "yes", "2026-08-08", "yes", str(CATEGORIES_ON_LAST_DAY)], line
        assert "agree" in line and "differ" not in line
    assert "all sources answered and parsed" in table[-1]
    recorded = rows(
        fresh_db,
        "SELECT source, status, reachable, parsed, newest_day::text, cardinality(categories), "
        "mode, alert_id FROM quality.source_check ORDER BY source",
    )
    assert recorded == [
        (s, "ok", True, True, "2026-08-08", CATEGORIES_ON_LAST_DAY, "replay", None)
        for s in ("minfin", "mod", "russianwarship")
    ]
    assert rows(fresh_db, "SELECT count(*) FROM quality.alert") == [(0,)]
    # the pages fetched are archived like any other fetch, nothing is loaded
    assert rows(fresh_db, "SELECT count(*) > 0 FROM raw.document") == [(True,)]
    assert rows(fresh_db, "SELECT count(*) FROM core.observation") == [(0,)]


def test_a_redesigned_source_fails_the_check_by_name_and_raises_one_source_changed_alert(fresh_db):
    first = check(fresh_db, "--fault", "redesign-minfin")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "FAILED: minfin (changed)" in first.stdout
    assert "attrition: sources check: minfin changed: minfin: http://127.0.0.1:" in first.stderr
    assert "/index.minfin.com.ua/ua/russian-invading/casualties/: page:" in first.stderr
    assert "Traceback" not in first.stderr
    for source in ("mod", "russianwarship"):  # the others still pass
        assert next(x for x in first.stdout.splitlines() if x.startswith(source + " ")).split()[1] == "ok"

    again = check(fresh_db, "--fault", "redesign-minfin")  # the same incident: no second alert
    assert again.returncode == 1
    alerts = rows(fresh_db, "SELECT kind, severity, subject, details->>'source', details->>'field' FROM quality.alert")
    assert len(alerts) == 1, alerts
    kind, severity, subject, source, field = alerts[0]
    assert (kind, severity, source, field) == ("source_changed", "error", "minfin", "page")
    assert "minfin" in subject and "no longer parses" in subject
    checks = rows(
        fresh_db,
        "SELECT status, reachable, parsed, alert_id IS NOT NULL FROM quality.source_check "
        "WHERE source = 'minfin' ORDER BY id",
    )
    assert checks == [("changed", True, False, True), ("changed", True, False, False)]

    # the site is fixed, then breaks again: a new incident, a new alert
    assert check(fresh_db).returncode == 0
    assert check(fresh_db, "--fault", "redesign-minfin").returncode == 1
    assert rows(fresh_db, "SELECT count(*) FROM quality.alert WHERE kind = 'source_changed'") == [(2,)]


def test_a_source_that_does_not_answer_raises_source_unreachable(fresh_db):
    proc = check(fresh_db, "--fault", "down-russianwarship", "--sources", "russianwarship")
    assert proc.returncode == 1
    assert "attrition: sources check: russianwarship unreachable: russianwarship: http://127.0.0.1:" in proc.stderr
    assert "HTTP 500" in proc.stderr
    assert rows(fresh_db, "SELECT kind, severity FROM quality.alert") == [("source_unreachable", "warning")]
    assert rows(fresh_db, "SELECT reachable, parsed FROM quality.source_check") == [(False, False)]


def test_json_output_shape(fresh_db):
    proc = check(fresh_db, "--json", "--fault", "redesign-russianwarship")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert set(out) == {"run_id", "mode", "strict", "ok", "failed", "sources"}
    assert out["mode"] == "replay" and out["ok"] is False and out["failed"] == ["russianwarship"]
    assert out["run_id"].startswith("cli-sources-check-")
    by_source = {s["source"]: s for s in out["sources"]}
    assert list(by_source) == ["mod", "minfin", "russianwarship"]
    keys = {
        "source",
        "status",
        "reachable",
        "parsed",
        "newest_day",
        "categories",
        "url",
        "document_ids",
        "problem",
        "problem_field",
        "agreement",
        "alert_id",
        "seconds",
    }
    assert all(set(s) == keys for s in out["sources"])
    mod = by_source["mod"]
    assert mod["status"] == "ok" and mod["newest_day"] == "2026-08-08" and "tanks" in mod["categories"]
    assert mod["agreement"]["minfin"] == {"day": "2026-08-08", "compared": CATEGORIES_ON_LAST_DAY, "differ": {}}
    rw = by_source["russianwarship"]
    assert rw["status"] == "changed" and rw["reachable"] is True and rw["parsed"] is False
    assert rw["url"].endswith("/russianwarship.rip/api/v2/statistics/latest") and rw["alert_id"]
    assert rw["problem"].startswith("russianwarship: http://127.0.0.1:")


def test_unknown_fault_and_fault_without_replay_are_usage_errors():
    bad = run_cli("sources", "check", "--replay", "--fault", "redesign-nowhere", check=False)
    assert bad.returncode == 2 and "unknown fault 'redesign-nowhere'" in bad.stderr
    live = run_cli("sources", "check", "--fault", "redesign-mod", check=False)
    assert live.returncode == 2 and "--fault needs --replay" in live.stderr


def test_disagreeing_figures_are_reported_and_fail_only_when_strict():
    from datetime import date

    from etl.losses.sources_check import CheckResult, SourceResult, compare

    day = date(2026, 8, 8)
    a = SourceResult("mod", figures={day: {"tanks": 100, "aircraft": 5}})
    b = SourceResult("minfin", figures={day: {"tanks": 101, "aircraft": 5}})
    c = SourceResult("russianwarship", figures={date(2026, 8, 7): {"tanks": 99}})
    compare([a, b, c])
    assert a.status == b.status == "disagrees" and c.status == "ok"
    assert a.agreement["minfin"] == {"day": "2026-08-08", "compared": 2, "differ": {"tanks": [100, 101]}}
    assert a.agreement["russianwarship"] == {"day": None, "compared": 0, "differ": {}}
    assert CheckResult("r", "replay", [a, b, c]).ok
    assert [s.source for s in CheckResult("r", "replay", [a, b, c], strict=True).failures] == ["mod", "minfin"]


def test_the_dag_is_thin_and_imports(tmp_path):
    path = REPO / "dags" / "sources_check.py"
    tree = ast.parse(path.read_text())
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert {n.module for n in top_imports if isinstance(n, ast.ImportFrom)} <= {
        "__future__",
        "datetime",
        "airflow.sdk",
        "etl.warehouse.failures",
        "etl.warehouse.dag_defaults",
    }
    assert not [n for n in top_imports if isinstance(n, ast.Import)]
    assert len(path.read_text().splitlines()) < 80
    assert "from etl.losses.sources_check import run_task" in path.read_text()
    script = (
        "import json, sys; sys.path.insert(0, 'dags'); from airflow.dag_processing.dagbag import DagBag\n"
        "bag = DagBag(dag_folder='dags/sources_check.py')\n"
        "d = bag.dags['sources_check']\n"
        "print(json.dumps({'errors': {k: str(v) for k, v in bag.import_errors.items()},"
        " 'tasks': [t.task_id for t in d.tasks], 'schedule': d.timetable.expression,"
        " 'catchup': d.catchup, 'tags': sorted(d.tags)}))"
    )
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    assert info["tasks"] == ["check_sources"]
    assert info["schedule"] == "30 7 * * *" and info["catchup"] is False
    assert "attrition" in info["tags"]


@pytest.mark.airflow
def test_the_dag_passes_against_the_replay(airflow_env, fresh_db):
    from helpers import dags_test

    from etl.losses.crawl import replay_env
    from etl.replay.server import ReplayServer

    with ReplayServer() as srv:
        proc = dags_test(
            airflow_env, "sources_check", extra_env={**replay_env(srv.urls), "ATTRITION_WAREHOUSE_DSN": fresh_db}
        )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "all sources answered and parsed" in proc.stdout
    assert rows(fresh_db, "SELECT DISTINCT mode, status FROM quality.source_check") == [("replay", "ok")]
