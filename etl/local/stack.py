"""`attrition up` / `attrition down`: the local stack behind `make up` and `make down`.

``up`` starts the warehouse (embedded unless a DSN is configured) and ``airflow
standalone`` (UI and API on 127.0.0.1:8080, metadata in a database ``airflow`` of
the embedded cluster, LocalExecutor), waits until Airflow answers, prints the
addresses and logins, and returns.  ``down`` stops what ``up`` started, by PID:
SIGINT for Airflow (SIGTERM would orphan its children), then the cluster.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from etl.config import configured_dsn, local_dir, project_home
from etl.losses.crawl import replay_env

AIRFLOW_HOST = "127.0.0.1"


def airflow_port() -> int:
    from etl.config import port_setting

    return port_setting("ATTRITION_AIRFLOW_PORT", 8080)


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or local_dir() / "airflow")


def run_dir() -> Path:
    path = local_dir() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def airflow_env(metadata_dsn: str | None = None, home: Path | None = None) -> dict:
    """The environment Airflow runs with, for `make up` and for the tests alike (``home``: AIRFLOW_HOME,
    default :func:`airflow_home`)."""
    home = home or airflow_home()
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


def _venv_bin(name: str) -> str:
    """A console script of the venv running this code (``airflow``, ``attrition``), else ``name`` from PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


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


def _descendants(*pids: int) -> set[int]:
    """Every process below ``pids`` (one scan of /proc however many they are)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), list(pids)
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


def _spawn(name: str, cmd: list[str], log_name: str, env: dict | None = None, cwd: str | None = None):
    """Start ``cmd`` in its own session, output to .local/logs/<log_name>, PID in .local/run/<name>.pid."""
    log_path = local_dir() / "logs" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    (run_dir() / f"{name}.pid").write_text(str(proc.pid))
    return proc, log_path


def _running(name: str) -> int | None:
    """The PID in .local/run/<name>.pid when that process is alive (what `attrition up` started before)."""
    pid_file = run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    return pid if _pid_alive(pid) else None


def _wait_ready(name: str, label: str, proc, log_path: Path, ready, timeout: float, interval: float):
    """Poll ``ready()`` (a value, or None / an OSError-ish exception while not ready) until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            (run_dir() / f"{name}.pid").unlink(missing_ok=True)
            raise RuntimeError(f"{label} exited with {proc.returncode}; see {log_path}")
        try:
            value = ready()
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            value = None
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"{label} did not become ready within {timeout:.0f} s; see {log_path}")


def start_airflow(metadata_dsn: str | None, extra_env: dict | None = None, timeout: float = 300) -> dict:
    port = airflow_port()
    pid = _running("airflow")
    if pid is not None:
        return {"reused": True, "pid": pid, "port": port}
    if _health(port) is not None:
        raise RuntimeError(f"something else already answers on {AIRFLOW_HOST}:{port}; set ATTRITION_AIRFLOW_PORT")
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    proc, log_path = _spawn("airflow", [_venv_bin("airflow"), "standalone"], "airflow-standalone.log",
                            env={**airflow_env(metadata_dsn), **(extra_env or {})}, cwd=str(home))
    _wait_ready("airflow", "airflow standalone", proc, log_path,
                lambda: _healthy(_health(port)) and airflow_login(), timeout, 2)
    return {"reused": False, "pid": proc.pid, "port": port, "log": str(log_path)}


def stop_airflow(timeout: float = 90) -> bool:
    return stop_pidfile("airflow", timeout=timeout)


LIVE_HOSTS = ("www.mil.gov.ua", "index.minfin.com.ua", "russianwarship.rip")


def live_sources_reachable(timeout: float = 4.0) -> bool:
    """Whether the real sites answer (name lookup first: a closed network sends nothing)."""
    import socket

    for host in LIVE_HOSTS:
        try:
            infos = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
        except OSError:
            return False
        try:
            with socket.create_connection(infos[0][4][:2], timeout=timeout):
                pass
        except OSError:
            return False
    return True


def source_mode() -> str:
    """live or replay: ATTRITION_SOURCES=live|replay|auto (auto: live when the real sites answer)."""
    wanted = os.environ.get("ATTRITION_SOURCES", "auto")
    if wanted not in ("auto", "live", "replay"):
        raise RuntimeError(f"ATTRITION_SOURCES={wanted!r}: use auto, live or replay")
    if wanted != "auto":
        return wanted
    return "live" if live_sources_reachable() else "replay"


def replay_port() -> int:
    from etl.config import port_setting

    return port_setting("ATTRITION_REPLAY_PORT", 8765)


def start_replay(data_dir: str | None = None, timeout: float = 60) -> dict:
    """Run `attrition replay serve` in the background (PID in .local/run/replay.pid)."""
    from etl.replay.server import MIL_PREFIX, MINFIN_PREFIX, MOD_PREFIX, RW_PREFIX

    port = replay_port()
    base = f"http://{AIRFLOW_HOST}:{port}"
    urls = {"minfin": base + MINFIN_PREFIX, "mod_mil": base + MIL_PREFIX, "mod": base + MOD_PREFIX,
            "russianwarship": base + RW_PREFIX}  # ReplayServer.urls of the server started here
    pid = _running("replay")
    if pid is not None:
        return {"reused": True, "pid": pid, "urls": urls, "latest": _replay_latest(urls)}
    cmd = [_venv_bin("attrition"), "replay", "serve", "--port", str(port)]
    if data_dir:
        cmd += ["--data", data_dir]
    proc, log_path = _spawn("replay", cmd, "replay.log")
    latest = _wait_ready("replay", "the replay server", proc, log_path, lambda: _replay_latest(urls), timeout, 0.5)
    return {"reused": False, "pid": proc.pid, "urls": urls, "latest": latest, "log": str(log_path)}


def _smtp_answers(port: int) -> bool:
    import smtplib

    with smtplib.SMTP(AIRFLOW_HOST, port, timeout=3) as client:
        return client.noop()[0] == 250


def start_mailsink(timeout: float = 30) -> dict:
    """Run `attrition mailsink serve` in the background (PID in .local/run/mailsink.pid): the alert e-mails' inbox."""
    from etl.local.mailsink import default_directory, default_port, smtp_conn_value

    port = default_port()
    info = {"port": port, "dir": str(default_directory()), "conn": smtp_conn_value(port)}
    pid = _running("mailsink")
    if pid is not None:
        return {"reused": True, "pid": pid, **info}
    cmd = [_venv_bin("attrition"), "mailsink", "serve", "--port", str(port)]
    proc, log_path = _spawn("mailsink", cmd, "mailsink.log")
    _wait_ready("mailsink", "the mail sink", proc, log_path, lambda: _smtp_answers(port), timeout, 0.3)
    return {"reused": False, "pid": proc.pid, "log": str(log_path), **info}


def _replay_latest(urls: dict) -> str:
    """The newest day the replay serves (from its russianwarship API, which every snapshot renders)."""
    with urllib.request.urlopen(f"{urls['russianwarship']}/api/v2/statistics/latest", timeout=3) as resp:
        return json.loads(resp.read())["data"]["date"]


def stop_pidfile(name: str, sig: int = signal.SIGINT, timeout: float = 30) -> bool:
    """Stop the process of .local/run/<name>.pid and every process below it; returns whether it was running.

    ``sig`` first (SIGINT: SIGTERM would orphan airflow standalone's children), then, for whatever is
    left after ``timeout``, SIGTERM and SIGKILL.
    """
    pid_file = run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    if not _pid_alive(pid):
        pid_file.unlink()
        return False
    family = _descendants(pid) | {pid}
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_pid_alive(p) for p in family):
        family |= _descendants(*(p for p in family if _pid_alive(p)))
        time.sleep(0.5)
    leftovers = [p for p in family if _pid_alive(p)]
    for escalation in (signal.SIGTERM, signal.SIGKILL):
        if not leftovers:
            break
        for p in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, escalation)
        time.sleep(3)
        leftovers = [p for p in leftovers if _pid_alive(p)]
    pid_file.unlink(missing_ok=True)
    return True


class AirflowClient:
    """The few REST calls `make up` needs (Airflow 3 public API, simple auth manager token)."""

    def __init__(self, port: int, login: tuple[str, str]):
        self.base = f"http://{AIRFLOW_HOST}:{port}"
        body = json.dumps({"username": login[0], "password": login[1]}).encode()
        req = urllib.request.Request(f"{self.base}/auth/token", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=15) as resp:
            self.token = json.loads(resp.read())["access_token"]

    def call(self, method: str, path: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(f"{self.base}/api/v2{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {self.token}"})
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

    def run(self, dag_id: str, conf: dict, timeout: float = 1800) -> dict:
        """Trigger a run and wait for it to finish; returns the final run."""
        self.wait_for_dag(dag_id)
        run = self.call("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        return self.wait_run(dag_id, run, timeout)


def warehouse_newest_day(dsn: str) -> str | None:
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(as_of)::text FROM core.observation")
        return cur.fetchone()[0]


def warehouse_state(dsn: str) -> dict:
    """What `make up` reports: the newest accepted bulletin, the open quarantine, the alerts."""
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT as_of, label_en, cumulative, increase FROM mart.latest")
        rows = cur.fetchall()
        cur.execute("SELECT count(*) FROM quality.quarantine WHERE status = 'open'")
        open_quarantine = cur.fetchone()[0]
        cur.execute("SELECT count(*), count(notified_at) FROM quality.alert")
        alerts, notified = cur.fetchone()
    latest = (rows[0][0], [(label, value, inc) for _, label, value, inc in rows]) if rows else None
    return {"latest": latest, "open_quarantine": open_quarantine, "alerts": alerts, "notified": notified}


# The DAGs are created paused (AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION): `attrition up` unpauses each
# one when a run of it will succeed.  Unpausing a DAG with a cron schedule and catchup=False makes the
# scheduler start its latest past tick at once, so those are unpaused in the main job's order.
MANUAL_DAGS = ("losses_backfill", "quarantine_review", "warehouse_migrate")  # schedule=None: no run on unpause
SCHEDULED_DAGS = ("sources_check", "losses_daily", "news_claims")
OFFLINE_PAUSED = {
    "news_claims": "it reads the live news sites and the sources are the replay (offline); unpause it in the UI "
                   "once the machine is online, or point ATTRITION_KYIV_INDEPENDENT_BASE_URL / ATTRITION_NEWS_FEEDS "
                   "at a news replay (python -m etl.news.replay)",
}


def dag_pause_plan(mode: str, load: bool) -> dict[str, str | None]:
    """dag_id -> None (unpause) or why it stays paused."""
    plan: dict[str, str | None] = {d: None for d in MANUAL_DAGS}
    for dag_id in SCHEDULED_DAGS:
        if mode == "replay" and dag_id in OFFLINE_PAUSED:
            plan[dag_id] = OFFLINE_PAUSED[dag_id]
        elif not load:
            plan[dag_id] = "started with --no-load (the next `make up` unpauses it after the main job)"
        else:
            plan[dag_id] = None
    return plan


def apply_pauses(client: "AirflowClient", plan: dict[str, str | None], dag_ids) -> dict[str, bool]:
    """Pause / unpause ``dag_ids`` as ``plan`` says; returns dag_id -> paused."""
    done = {}
    for dag_id in dag_ids:
        paused = plan.get(dag_id) is not None
        client.set_paused(dag_id, paused)
        done[dag_id] = paused
    return done


def load_history(summary: dict, data_dir: str | None = None) -> None:
    """The main job: the sources check, the whole history backfilled through Airflow, then losses_daily.

    Every run it starts succeeds when the sources answer and parse: sources_check's first run (its
    latest past tick, started when it is unpaused), losses_backfill, losses_daily's first scheduled run
    (unpaused after the backfill, so it never runs alongside it; offline it targets the snapshot's last
    day, ATTRITION_TODAY) and one run triggered for the newest day.
    """
    from datetime import date, timedelta

    from etl.losses.ingest import WAR_START, kyiv_today

    mode = summary["sources"]
    client = AirflowClient(airflow_port(), summary["airflow_login"])
    plan = summary["dag_pauses"]
    print("checking the sources (DAG sources_check) ...", flush=True)
    client.wait_for_dag("sources_check")
    earlier = {dag_id: {r["dag_run_id"] for r in client.runs(dag_id)} for dag_id in plan}  # runs before this `up`
    before = earlier["sources_check"]
    apply_pauses(client, plan, ["sources_check"])
    check = client.first_new_run("sources_check", before, appear=90 if not before else 10)
    if check is None:  # it had run before (a second `make up`): run it again
        check = client.run("sources_check", {})
    summary["check"] = {"run_id": check["dag_run_id"], "state": check["state"]}
    print(f"  sources_check {check['state']}", flush=True)
    newest = warehouse_newest_day(summary["warehouse_dsn"])
    last = summary["replay"]["latest"] if mode == "replay" else kyiv_today().isoformat()
    first = WAR_START.isoformat()
    if newest:  # the history is there: catch up from a week before the newest day loaded
        first = max(WAR_START, date.fromisoformat(newest) - timedelta(days=7)).isoformat()
    print(f"backfilling {first}..{last} from the {'live sites' if mode == 'live' else 'replay snapshot'} "
          f"(DAG losses_backfill) ...", flush=True)
    backfill = client.run("losses_backfill", {"date_from": first, "date_to": last})
    summary["backfill"] = {"run_id": backfill["dag_run_id"], "state": backfill["state"], "range": [first, last]}
    print(f"  losses_backfill {backfill['state']}", flush=True)
    print(f"running losses_daily for {last} ...", flush=True)
    apply_pauses(client, plan, ["losses_daily"])
    daily = client.run("losses_daily", {"target_date": last, "deadline": "23:59"})
    summary["daily"] = {"run_id": daily["dag_run_id"], "state": daily["state"], "target_date": last}
    print(f"  losses_daily {daily['state']}", flush=True)
    apply_pauses(client, plan, ["news_claims"])
    summary["failed_runs"] = failed_runs(client, earlier)


def failed_runs(client: "AirflowClient", earlier: dict[str, set[str]]) -> list[str]:
    """The failed runs ("dag_id run_id") of these DAGs that are not in ``earlier`` (runs before this `up`)."""
    return [f"{dag_id} {r['dag_run_id']}" for dag_id, old in earlier.items() for r in client.runs(dag_id)
            if r["state"] == "failed" and r["dag_run_id"] not in old]


def up(with_airflow: bool = True, load: bool = True) -> dict:
    """Start the warehouse, then (unless told not to) the replay server if offline, Airflow, and the main job."""
    from etl.local.embedded import EmbeddedPostgres
    from etl.warehouse.migrate import migrate

    summary: dict = {}
    dsn = configured_dsn()
    embedded = EmbeddedPostgres.default()
    if dsn:
        migrate(dsn)
        summary.update(warehouse="configured", warehouse_dsn=dsn, reader_dsn=os.environ.get("ATTRITION_READER_DSN"))
    else:
        embedded.up()
        summary.update(warehouse="embedded", warehouse_dsn=embedded.dsn(), reader_dsn=embedded.dsn(reader=True))
    if not with_airflow:
        return summary

    summary["sources"] = source_mode()
    extra_env: dict[str, str] = {}
    if summary["sources"] == "replay":
        summary["replay"] = start_replay(os.environ.get("ATTRITION_REPLAY_DATA"))
        extra_env = {**replay_env(summary["replay"]["urls"]),
                     # the snapshot is frozen: its last day stands for "today", so runs triggered
                     # from the UI with default parameters target a day the replay serves
                     "ATTRITION_TODAY": os.environ.get("ATTRITION_TODAY") or summary["replay"]["latest"]}
    if not os.environ.get("AIRFLOW_CONN_SMTP_DEFAULT") and not os.environ.get("ATTRITION_SMTP_CONN_ID"):
        summary["mailsink"] = start_mailsink()  # no mail server configured: alerts go to a local sink
        extra_env["AIRFLOW_CONN_SMTP_DEFAULT"] = summary["mailsink"]["conn"]
    from etl.quality.gate import data_docs_dir

    summary["data_docs"] = str(data_docs_dir() / "index.html")
    extra_env["ATTRITION_DATA_DOCS_DIR"] = str(data_docs_dir())
    airflow_url = f"http://{AIRFLOW_HOST}:{airflow_port()}"
    extra_env.setdefault("ATTRITION_AIRFLOW_URL", airflow_url)
    metadata = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if not metadata:  # Airflow's metadata lives in the embedded cluster, even with a configured warehouse
        if embedded.running_pid() is None:
            embedded.up()
        embedded.ensure_database("airflow", owner="airflow")
        metadata = embedded.dsn(user="airflow", dbname="airflow")
    extra_env["ATTRITION_SOURCES_MODE"] = summary["sources"]
    extra_env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True")
    summary["airflow"] = start_airflow(metadata, extra_env)
    summary["airflow_url"] = airflow_url + "/"
    summary["airflow_login"] = airflow_login()
    summary["dag_pauses"] = dag_pause_plan(summary["sources"], load)
    client = AirflowClient(airflow_port(), summary["airflow_login"])
    # the DAGs whose runs do not wait for the main job: manual ones, and those that stay paused
    apply_pauses(client, summary["dag_pauses"],
                 [d for d, why in summary["dag_pauses"].items() if d in MANUAL_DAGS or why is not None])
    if load:
        load_history(summary)
    return summary


def down() -> dict:
    from etl.local.embedded import EmbeddedPostgres

    return {"airflow_stopped": stop_airflow(), "replay_stopped": stop_pidfile("replay"),
            "mailsink_stopped": stop_pidfile("mailsink"), "warehouse_stopped": EmbeddedPostgres.default().down()}


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
    if summary.get("sources") == "replay":
        base = summary["replay"]["urls"]["minfin"].rsplit("/", 1)[0]
        w(f"  Sources         replay of the bundled snapshot at {base}/ (the live sites were not used)\n")
    elif summary.get("sources") == "live":
        w("  Sources         the live sites\n")
    if "backfill" in summary:
        b, d = summary["backfill"], summary["daily"]
        w(f"  Main job        sources_check: {summary['check']['state']}; "
          f"losses_backfill {b['range'][0]}..{b['range'][1]}: {b['state']}; "
          f"losses_daily {d['target_date']}: {d['state']}\n")
    for failed in summary.get("failed_runs") or []:
        w(f"  Failed run      {failed}\n")
    for dag_id, why in (summary.get("dag_pauses") or {}).items():
        if why is not None:
            w(f"  Paused DAG      {dag_id}: {why}\n")
    state = warehouse_state(summary["warehouse_dsn"])
    if state["latest"]:
        day, rows = state["latest"]
        import textwrap

        figures = ", ".join(f"{label} {value:,}" + (f" (+{inc:,})" if inc else "") for label, value, inc in rows)
        w(textwrap.fill(f"{day}: {figures}", width=100, initial_indent="  Newest bulletin ",
                        subsequent_indent=" " * 18) + "\n")
    w(f"  Quarantine      {state['open_quarantine']} open record(s) kept out of the marts"
      + (" (attrition quarantine list)" if state["open_quarantine"] else "") + "\n")
    if "mailsink" in summary:
        m = summary["mailsink"]
        w(f"  Alerts          {state['alerts']} recorded, {state['notified']} e-mailed to the SMTP sink on "
          f"127.0.0.1:{m['port']}; read them in {m['dir']}/ (attrition mailsink show)\n")
    elif "airflow_url" in summary:
        w(f"  Alerts          {state['alerts']} recorded, {state['notified']} sent through the configured "
          "Airflow connections (docs/alerts.md)\n")
    if summary.get("data_docs"):
        w(f"  Data Docs       {summary['data_docs']}\n")
    if "airflow_url" in summary:
        w(f"  Attrition page  {summary['airflow_url'].rstrip('/')}/plugin/attrition (charts, review, freshness)\n")
    from etl.losses.exports import export_dir

    exports = export_dir()
    written = "written after each validation" if (exports / "daily_losses.csv").exists() else "none yet"
    w(f"  Exports         {exports}/ (CSV, JSON, Parquet: docs/exports.md; {written}; attrition export)\n")
    w("  Try:            psql \"$(.venv/bin/attrition db url --reader)\" -c 'SELECT * FROM mart.latest'\n")
    w("  Stop with:      make down\n")


def job_failed(summary: dict) -> bool:
    return bool(summary.get("failed_runs")) or any(summary.get(part, {}).get("state") == "failed"
                                                   for part in ("check", "backfill", "daily"))


__all__ = ["up", "down", "print_summary", "job_failed", "airflow_env"]
