"""Airflow standalone for the local stack: its environment, start and stop, health and login, and the
few REST calls `attrition up` makes (:class:`AirflowClient`)."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from etl.config import local_dir, project_home
from etl.local.processes import running_pid, spawn, stop_pidfile, venv_bin, wait_ready

AIRFLOW_HOST = "127.0.0.1"


def airflow_port() -> int:
    from etl.config import setting

    return setting("ATTRITION_AIRFLOW_PORT")


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or local_dir() / "airflow")


def airflow_env(metadata_dsn: str | None = None, home: Path | None = None) -> dict:
    """The environment Airflow runs with, for `make up` and for the tests alike (``home``: AIRFLOW_HOME,
    default :func:`airflow_home`)."""
    home = home or airflow_home()
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "ATTRITION_HOME": str(project_home()),
            "AIRFLOW__CORE__DAGS_FOLDER": str(project_home() / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": env.get(
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": env.get(
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin"
            ),
            "AIRFLOW__API__HOST": AIRFLOW_HOST,
            "AIRFLOW__API__PORT": str(airflow_port()),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{AIRFLOW_HOST}:{airflow_port()}/execution/",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            # standalone starts its components as `airflow ...` from PATH: make it this venv's
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")]),
        }
    )
    if metadata_dsn:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata_dsn.replace("postgresql://", "postgresql+psycopg2://", 1)
    return env


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{AIRFLOW_HOST}:{port}/api/v2/monitor/health", timeout=3) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _healthy(health: dict | None) -> bool:
    if not health:
        return False
    return all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler"))


def airflow_login() -> tuple[str, str] | None:
    path = airflow_home() / "simple_auth_manager_passwords.json.generated"
    try:
        users = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if "admin" in users:
        return "admin", users["admin"]
    return next(iter(users.items()), None)


def start_airflow(metadata_dsn: str | None, extra_env: dict | None = None, timeout: float = 300) -> dict:
    port = airflow_port()
    pid = running_pid("airflow")
    if pid is not None:
        return {"reused": True, "pid": pid, "port": port}
    if _health(port) is not None:
        raise RuntimeError(f"something else already answers on {AIRFLOW_HOST}:{port}; set ATTRITION_AIRFLOW_PORT")
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    proc, log_path = spawn(
        "airflow",
        [venv_bin("airflow"), "standalone"],
        "airflow-standalone.log",
        env={**airflow_env(metadata_dsn), **(extra_env or {})},
        cwd=str(home),
    )
    wait_ready(
        "airflow", "airflow standalone", proc, log_path, lambda: _healthy(_health(port)) and airflow_login(), timeout, 2
    )
    return {"reused": False, "pid": proc.pid, "port": port, "log": str(log_path)}


def stop_airflow(timeout: float = 90) -> bool:
    return stop_pidfile("airflow", timeout=timeout)


class AirflowClient:
    """The few REST calls `make up` needs (Airflow 3 public API, simple auth manager token)."""

    def __init__(self, port: int, login: tuple[str, str]):
        self.base = f"http://{AIRFLOW_HOST}:{port}"
        body = json.dumps({"username": login[0], "password": login[1]}).encode()
        req = urllib.request.Request(
            f"{self.base}/auth/token", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        for attempt in range(3):  # a busy machine's API server can take long to issue a token: retry on a timeout
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    self.token = json.loads(resp.read())["access_token"]
                return
            except TimeoutError:
                if attempt == 2:
                    raise

    def call(self, method: str, path: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(
            f"{self.base}/api/v2{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        for attempt in range(4):  # a busy machine's API server can be slow to answer: retry reads and PATCHes
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    return json.loads(resp.read() or b"{}")
            except (TimeoutError, urllib.error.URLError) as exc:
                if method == "POST" or isinstance(exc, urllib.error.HTTPError) or attempt == 3:
                    raise
                time.sleep(5)
        raise AssertionError("unreachable")

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.call("GET", f"/dags/{dag_id}")
                return
            except urllib.error.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Airflow did not load the DAG {dag_id} within {timeout:.0f} s") from None
                time.sleep(2)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.wait_for_dag(dag_id)
        self.call("PATCH", f"/dags/{dag_id}", {"is_paused": paused})

    def runs(self, dag_id: str) -> list[dict]:
        runs = self.call("GET", f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]
        return sorted(runs, key=lambda r: r.get("run_after") or "")

    def first_new_run(self, dag_id: str, before: set[str], appear: float = 90, timeout: float = 1800) -> dict | None:
        """The first run of ``dag_id`` not in ``before``, once finished (the run the scheduler starts when a DAG
        with a cron schedule and catchup=False is unpaused: its latest past tick); None if none appears."""
        deadline = time.monotonic() + appear
        while True:
            new = [r for r in self.runs(dag_id) if r["dag_run_id"] not in before]
            if new:
                return self.wait_run(dag_id, new[0], timeout)
            if time.monotonic() > deadline:
                return None
            time.sleep(2)

    def wait_run(self, dag_id: str, run: dict, timeout: float = 1800) -> dict:
        run_id = run["dag_run_id"]
        quoted = urllib.parse.quote(run_id, safe="")
        deadline = time.monotonic() + timeout
        while run.get("state") not in ("success", "failed"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{dag_id} run {run_id} still {run.get('state')} after {timeout:.0f} s")
            time.sleep(3)
            run = self.call("GET", f"/dags/{dag_id}/dagRuns/{quoted}")
        return run

    def pending_requests(self, dag_id: str = "~") -> list[dict]:
        """The Required Actions (human-in-the-loop requests) of ``dag_id`` still waiting for an answer."""
        got = self.call("GET", f"/dags/{dag_id}/dagRuns/~/hitlDetails?response_received=false&limit=1000")
        return list(got.get("hitl_details") or [])

    def trigger(self, dag_id: str, conf: dict) -> dict:
        """Trigger a run and return it at once (not waiting for it to finish)."""
        self.wait_for_dag(dag_id)
        return self.call("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})

    def run(self, dag_id: str, conf: dict, timeout: float = 1800) -> dict:
        """Trigger a run and wait for it to finish; returns the final run."""
        self.wait_for_dag(dag_id)
        run = self.call("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        return self.wait_run(dag_id, run, timeout)
