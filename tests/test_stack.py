"""`attrition up` / `attrition down` (behind `make up` / `make down`) with real Airflow standalone."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import run_cli, sql, stack_env


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _family(root: int) -> set[int]:
    from etl.local.processes import descendants

    return descendants(root) | {root}


@pytest.mark.airflow
def test_up_serves_the_ui_prints_logins_and_down_leaves_nothing_running(tmp_path):
    env = stack_env(tmp_path / "local")
    port = int(env["ATTRITION_AIRFLOW_PORT"])
    try:
        out = run_cli("up", "--no-load", env=env).stdout
        assert f"http://127.0.0.1:{port}/" in out
        login = next(line for line in out.splitlines() if "Airflow UI" in line).split("login ")[1].split(" / ")
        assert login[0] == "admin" and login[1]
        assert "Warehouse DSN   postgresql://attrition:" in out
        assert "Reader DSN      postgresql://attrition_reader:" in out
        assert "Quarantine      0 open record(s)" in out
        assert f"e-mailed to the SMTP sink on 127.0.0.1:{env['ATTRITION_MAILSINK_PORT']}" in out
        assert "Data Docs       " in out and "data_docs/index.html" in out

        # the printed login works against the API
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/auth/token",
            method="POST",
            data=json.dumps({"username": login[0], "password": login[1]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["access_token"]

        again = run_cli("up", "--no-load", env=env).stdout  # second call reuses what runs
        assert f"http://127.0.0.1:{port}/" in again
        pids = tmp_path / "local" / "run" / "airflow.pid"
        family = _family(int(pids.read_text()))
        pg_pid = int(
            (Path(json.loads(run_cli("db", "status", env=env).stdout)["data_dir"]) / "postmaster.pid")
            .read_text()
            .split()[0]
        )
        family |= _family(pg_pid) | _family(int((tmp_path / "local" / "run" / "mailsink.pid").read_text()))
        assert len(family) > 3
    finally:
        down = run_cli("down", env=env, check=False)
    assert down.returncode == 0, down.stderr
    assert "stopped Airflow" in down.stdout and "stopped the embedded warehouse" in down.stdout
    assert "stopped the mail sink" in down.stdout
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.5)
    assert [p for p in family if _alive(p)] == []
    status = run_cli("db", "status", env=env, check=False)
    assert status.returncode == 3 and '"running": false' in status.stdout
    # the cluster's files stay for the next `make up`
    assert not os.environ.get("ATTRITION_WAREHOUSE_DSN")
    run_cli("db", "up", env=env)
    run_cli("db", "down", env=env)
    refused = run_cli("db", "destroy", env=env, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    data_dir = Path(json.loads(run_cli("db", "status", env=env, check=False).stdout)["data_dir"])
    run_cli("db", "destroy", "--yes", env=env)
    assert not data_dir.exists()


FIRST_START_DAYS = ("2024-10-04", "2024-10-05", "2024-10-06", "2024-10-07", "2024-10-08")  # both mod sites


@pytest.mark.airflow
def test_first_up_on_the_replay_starts_only_runs_that_succeed_and_keeps_news_claims_paused(tmp_path):
    """Issue 10, point 7: every DAG run a fresh `make up` (offline: the replay) starts or schedules succeeds."""
    import subprocess

    from helpers import VENV_BIN, cut_snapshot

    from etl.local.airflow_client import AirflowClient

    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    cut_snapshot(snapshot, FIRST_START_DAYS)
    env = {**stack_env(tmp_path / "local"), "ATTRITION_REPLAY_DATA": str(snapshot)}
    port = int(env["ATTRITION_AIRFLOW_PORT"])
    try:
        proc = subprocess.run(
            [str(VENV_BIN / "attrition"), "up"], capture_output=True, text=True, env={**os.environ, **env}, timeout=2400
        )
        out = proc.stdout
        assert proc.returncode == 0, out[-4000:] + proc.stderr[-4000:]
        assert "sources_check success" in out and "losses_backfill success" in out and "losses_daily success" in out
        assert "Main job        sources_check: success; losses_backfill 2022-02-24..2024-10-08: success" in out
        assert "Paused DAG      news_claims: it reads the live news sites and the sources are the replay" in out
        assert "Failed run" not in out
        login = next(line for line in out.splitlines() if "Airflow UI" in line).split("login ")[1].split(" / ")
        client = AirflowClient(port, (login[0], login[1].split()[0]))
        dags = {d["dag_id"]: d for d in client.call("GET", "/dags?limit=100")["dags"]}
        assert set(dags) >= {
            "sources_check",
            "losses_daily",
            "losses_backfill",
            "news_claims",
            "quarantine_review",
            "warehouse_migrate",
        }
        assert dags["news_claims"]["is_paused"] is True
        assert "Paused" in (dags["news_claims"].get("description") or "")
        assert [d for d, info in dags.items() if info["is_paused"] and d != "news_claims"] == []
        runs = {d: client.runs(d) for d in dags}
        assert runs["news_claims"] == []
        assert runs["sources_check"] and runs["losses_backfill"] and runs["losses_daily"]
        # one pending Required Action per record awaiting a person
        dsn = run_cli("db", "url", env=env).stdout.strip()
        awaiting = sql(dsn, "SELECT count(*) FROM quality.quarantine WHERE status = 'open'")[0][0]
        assert len(client.pending_requests("quarantine_review")) == awaiting
        # the scheduler may still be finishing a scheduled run: wait for it, then every run must be green;
        # a quarantine_review run stays running while its requests wait for a person (it must not fail)
        for dag_id, dag_runs in runs.items():
            for run in dag_runs:
                if dag_id == "quarantine_review":
                    final = client.call("GET", f"/dags/{dag_id}/dagRuns/{quote(run['dag_run_id'], safe='')}")
                    assert final["state"] in ("queued", "running", "success"), (dag_id, final["dag_run_id"])
                    continue
                final = client.wait_run(dag_id, run, timeout=900)
                assert final["state"] == "success", (dag_id, final["dag_run_id"], final["state"])
    finally:
        down = run_cli("down", env=env, check=False)
        # the cluster's files may live outside tmp_path (/var/lib/attrition/clusters: see etl.local.embedded)
        run_cli("db", "destroy", "--yes", env=env, check=False)
    assert down.returncode == 0, down.stderr
