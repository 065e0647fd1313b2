"""`attrition up` / `attrition down`: the local stack behind `make up` and `make down`.

``up`` starts the warehouse (embedded unless a DSN is configured) and ``airflow
standalone`` (UI and API on 127.0.0.1:8080, metadata in a database ``airflow`` of
the embedded cluster, LocalExecutor), waits until Airflow answers, prints the
addresses and logins, and returns.  ``down`` stops what ``up`` started, by PID:
SIGINT for Airflow (SIGTERM would orphan its children), then the cluster.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from etl.config import configured_dsn, local_dir, project_home, redact

AIRFLOW_HOST = "127.0.0.1"


def airflow_port() -> int:
    return int(os.environ.get("ATTRITION_AIRFLOW_PORT", "8080"))


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or local_dir() / "airflow")


def run_dir() -> Path:
    path = local_dir() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def airflow_env(metadata_dsn: str | None = None) -> dict:
    """The environment Airflow runs with, for `make up` and for the tests alike."""
    home = airflow_home()
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "ATTRITION_HOME": str(project_home()),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_home() / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": env.get("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin"),
        "AIRFLOW__API__HOST": AIRFLOW_HOST,
        "AIRFLOW__API__PORT": str(airflow_port()),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{AIRFLOW_HOST}:{airflow_port()}/execution/",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        # standalone starts its components as `airflow ...` from PATH: make it this venv's
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")]),
    })
    if metadata_dsn:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata_dsn.replace("postgresql://", "postgresql+psycopg2://", 1)
    return env


def _airflow_bin() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


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


def start_airflow(metadata_dsn: str | None, timeout: float = 300) -> dict:
    pid_file = run_dir() / "airflow.pid"
    port = airflow_port()
    if pid_file.exists() and _pid_alive(int(pid_file.read_text())):
        return {"reused": True, "pid": int(pid_file.read_text()), "port": port}
    if _health(port) is not None:
        raise RuntimeError(f"something else already answers on {AIRFLOW_HOST}:{port}; set ATTRITION_AIRFLOW_PORT")
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    log_path = local_dir() / "logs" / "airflow-standalone.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([_airflow_bin(), "standalone"], env=airflow_env(metadata_dsn), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=str(home))
    pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pid_file.unlink(missing_ok=True)
            raise RuntimeError(f"airflow standalone exited with {proc.returncode}; see {log_path}")
        if _healthy(_health(port)) and airflow_login():
            return {"reused": False, "pid": proc.pid, "port": port, "log": str(log_path)}
        time.sleep(2)
    raise RuntimeError(f"airflow standalone did not become healthy within {timeout:.0f} s; see {log_path}")


def stop_airflow(timeout: float = 90) -> bool:
    pid_file = run_dir() / "airflow.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    if not _pid_alive(pid):
        pid_file.unlink()
        return False
    family = _descendants(pid) | {pid}
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_pid_alive(p) for p in family):
        family |= {d for p in list(family) if _pid_alive(p) for d in _descendants(p)}
        time.sleep(0.5)
    leftovers = [p for p in family if _pid_alive(p)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in leftovers:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        time.sleep(3)
        leftovers = [p for p in leftovers if _pid_alive(p)]
        if not leftovers:
            break
    pid_file.unlink(missing_ok=True)
    return True


def up(with_airflow: bool = True) -> dict:
    from etl.embedded import EmbeddedPostgres
    from etl.migrate import migrate

    summary: dict = {}
    dsn = configured_dsn()
    embedded = EmbeddedPostgres.default()
    if dsn:
        migrate(dsn)
        summary["warehouse_dsn"] = dsn
        summary["reader_dsn"] = os.environ.get("ATTRITION_READER_DSN")
        summary["warehouse"] = "configured"
    else:
        embedded.up()
        summary["warehouse_dsn"] = embedded.dsn()
        summary["reader_dsn"] = embedded.dsn(reader=True)
        summary["warehouse"] = "embedded"
    if with_airflow:
        metadata = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
        if not metadata:
            if not embedded.initialized() or embedded.running_pid() is None:
                embedded.up()  # Airflow's metadata lives in the embedded cluster even with a configured warehouse
            embedded.ensure_database("airflow", owner="airflow")
            metadata = embedded.dsn(user="airflow", dbname="airflow")
        summary["airflow"] = start_airflow(metadata)
        summary["airflow_url"] = f"http://{AIRFLOW_HOST}:{airflow_port()}/"
        summary["airflow_login"] = airflow_login()
    return summary


def down() -> dict:
    from etl.embedded import EmbeddedPostgres

    return {"airflow_stopped": stop_airflow(), "warehouse_stopped": EmbeddedPostgres.default().down()}


def print_summary(summary: dict, out=sys.stdout) -> None:
    w = out.write
    w("\nattrition is up.\n")
    if "airflow_url" in summary:
        login = summary.get("airflow_login") or ("admin", "(see simple_auth_manager_passwords.json.generated)")
        w(f"  Airflow UI      {summary['airflow_url']}  login {login[0]} / {login[1]}\n")
        w(f"                  log: {summary['airflow'].get('log', local_dir() / 'logs' / 'airflow-standalone.log')}\n")
    w(f"  Warehouse DSN   {summary['warehouse_dsn']}   ({summary['warehouse']})\n")
    reader = summary.get("reader_dsn") or "(set ATTRITION_READER_DSN for a configured warehouse)"
    w(f"  Reader DSN      {reader}\n")
    w(f"  Try:            psql \"$(.venv/bin/attrition db url --reader)\" -c 'SELECT * FROM mart.categories'\n")
    w("  Stop with:      make down\n")


__all__ = ["up", "down", "print_summary", "airflow_env", "redact"]
