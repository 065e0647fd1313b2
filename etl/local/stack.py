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
import time
import urllib.request

from etl.config import configured_dsn, is_set, setting
from etl.local.airflow_client import (
    AIRFLOW_HOST,
    AirflowClient,
    airflow_env,
    airflow_login,
    airflow_port,
    start_airflow,
    stop_airflow,
)
from etl.local.processes import running_pid, spawn, stop_pidfile, venv_bin, wait_ready
from etl.local.summary import job_failed, print_summary
from etl.losses.crawl import replay_env

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
    from etl.config import setting

    wanted = setting("ATTRITION_SOURCES")
    if wanted != "auto":
        return wanted
    return "live" if live_sources_reachable() else "replay"


def replay_port() -> int:
    from etl.config import setting

    return setting("ATTRITION_REPLAY_PORT")


def start_replay(data_dir: str | None = None, timeout: float = 60) -> dict:
    """Run `attrition replay serve` in the background (PID in .local/run/replay.pid)."""
    from etl.replay.server import MIL_PREFIX, MINFIN_PREFIX, MOD_PREFIX, RW_PREFIX

    port = replay_port()
    base = f"http://{AIRFLOW_HOST}:{port}"
    urls = {
        "minfin": base + MINFIN_PREFIX,
        "mod_mil": base + MIL_PREFIX,
        "mod": base + MOD_PREFIX,
        "russianwarship": base + RW_PREFIX,
    }  # ReplayServer.urls of the server started here
    pid = running_pid("replay")
    if pid is not None:
        return {"reused": True, "pid": pid, "urls": urls, "latest": _replay_latest(urls)}
    cmd = [venv_bin("attrition"), "replay", "serve", "--port", str(port)]
    if data_dir:
        cmd += ["--data", data_dir]
    proc, log_path = spawn("replay", cmd, "replay.log")
    latest = wait_ready("replay", "the replay server", proc, log_path, lambda: _replay_latest(urls), timeout, 0.5)
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
    pid = running_pid("mailsink")
    if pid is not None:
        return {"reused": True, "pid": pid, **info}
    cmd = [venv_bin("attrition"), "mailsink", "serve", "--port", str(port)]
    proc, log_path = spawn("mailsink", cmd, "mailsink.log")
    wait_ready("mailsink", "the mail sink", proc, log_path, lambda: _smtp_answers(port), timeout, 0.3)
    return {"reused": False, "pid": proc.pid, "log": str(log_path), **info}


def _replay_latest(urls: dict) -> str:
    """The newest day the replay serves (from its russianwarship API, which every snapshot renders)."""
    with urllib.request.urlopen(f"{urls['russianwarship']}/api/v2/statistics/latest", timeout=3) as resp:
        return json.loads(resp.read())["data"]["date"]


def warehouse_newest_day(dsn: str) -> str | None:
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(as_of)::text FROM core.observation")
        return cur.fetchone()[0]


# The DAGs are created paused (AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION): `attrition up` unpauses each
# one when a run of it will succeed.  Unpausing a DAG with a cron schedule and catchup=False makes the
# scheduler start its latest past tick at once, so those are unpaused in the main job's order.
MANUAL_DAGS = ("losses_backfill", "warehouse_migrate")  # schedule=None: no run on unpause


# quarantine_review (hourly and after each validate) is unpaused last: its runs then open one Required
# Action per record awaiting a person, and stay running while the requests wait (REVIEW_DAGS).
SCHEDULED_DAGS = ("sources_check", "losses_daily", "news_claims", "quarantine_review")
REVIEW_DAGS = ("quarantine_review",)


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


def apply_pauses(client: AirflowClient, plan: dict[str, str | None], dag_ids) -> dict[str, bool]:
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

    from etl.domain.calendar import WAR_START, kyiv_today

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
    print(
        f"backfilling {first}..{last} from the {'live sites' if mode == 'live' else 'replay snapshot'} "
        f"(DAG losses_backfill) ...",
        flush=True,
    )
    backfill = client.run("losses_backfill", {"date_from": first, "date_to": last})
    summary["backfill"] = {"run_id": backfill["dag_run_id"], "state": backfill["state"], "range": [first, last]}
    print(f"  losses_backfill {backfill['state']}", flush=True)
    print(f"running losses_daily for {last} ...", flush=True)
    apply_pauses(client, plan, ["losses_daily"])
    daily = client.run("losses_daily", {"target_date": last, "deadline": "23:59"})
    summary["daily"] = {"run_id": daily["dag_run_id"], "state": daily["state"], "target_date": last}
    print(f"  losses_daily {daily['state']}", flush=True)
    apply_pauses(client, plan, ["news_claims"])
    summary["review"] = open_review_requests(client, summary["warehouse_dsn"], earlier["quarantine_review"])
    summary["failed_runs"] = failed_runs(client, earlier)


def _awaiting(dsn: str) -> list[dict]:
    from etl.quality.review import open_requests
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        return open_requests(cur)


def open_review_requests(client: AirflowClient, dsn: str, before: set[str], timeout: float = 900) -> dict:
    """Unpause quarantine_review and wait until every record awaiting a person has its Required Action
    pending in Airflow (a run is triggered if unpausing started none); returns the counts."""

    apply_pauses(client, {"quarantine_review": None}, ["quarantine_review"])
    print("opening the Required Actions (DAG quarantine_review) ...", flush=True)
    waiting, deadline, triggered = len(_awaiting(dsn)), time.monotonic() + timeout, False
    while True:
        pending = len(client.pending_requests("quarantine_review"))
        runs = [r for r in client.runs("quarantine_review") if r["dag_run_id"] not in before]
        if pending >= waiting or any(r["state"] == "failed" for r in runs):
            break
        if not triggered and (not runs or all(r["state"] == "success" for r in runs)):
            client.trigger("quarantine_review", {"action": "review"})  # none started, or one ended too early
            triggered = True
        if time.monotonic() > deadline:
            print(f"  only {pending} of {waiting} Required Actions pending after {timeout:.0f} s", flush=True)
            break
        time.sleep(3)
        waiting = len(_awaiting(dsn))
    print(f"  {pending} Required Action(s) pending for {waiting} record(s) awaiting a person", flush=True)
    return {"awaiting": waiting, "pending": pending}


def failed_runs(client: AirflowClient, earlier: dict[str, set[str]]) -> list[str]:
    """The failed runs ("dag_id run_id") of these DAGs that are not in ``earlier`` (runs before this `up`)."""
    return [
        f"{dag_id} {r['dag_run_id']}"
        for dag_id, old in earlier.items()
        for r in client.runs(dag_id)
        if r["state"] == "failed" and r["dag_run_id"] not in old
    ]


def up(with_airflow: bool = True, load: bool = True) -> dict:
    """Start the warehouse, then (unless told not to) the replay server if offline, Airflow, and the main job."""
    from etl.local.embedded import EmbeddedPostgres
    from etl.warehouse.migrate import migrate

    summary: dict = {}
    dsn = configured_dsn()
    embedded = EmbeddedPostgres.default()
    if dsn:
        migrate(dsn)
        summary.update(warehouse="configured", warehouse_dsn=dsn, reader_dsn=setting("ATTRITION_READER_DSN"))
    else:
        embedded.up()
        summary.update(warehouse="embedded", warehouse_dsn=embedded.dsn(), reader_dsn=embedded.dsn(reader=True))
    if not with_airflow:
        return summary

    summary["sources"] = source_mode()
    extra_env: dict[str, str] = {}
    if summary["sources"] == "replay":
        summary["replay"] = start_replay(setting("ATTRITION_REPLAY_DATA"))
        extra_env = {
            **replay_env(summary["replay"]["urls"]),
            # the snapshot is frozen: its last day stands for "today", so runs triggered
            # from the UI with default parameters target a day the replay serves
            "ATTRITION_TODAY": str(setting("ATTRITION_TODAY") or summary["replay"]["latest"]),
        }
    if not os.environ.get("AIRFLOW_CONN_SMTP_DEFAULT") and not is_set("ATTRITION_SMTP_CONN_ID"):
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
    apply_pauses(
        client,
        summary["dag_pauses"],
        [d for d, why in summary["dag_pauses"].items() if d in MANUAL_DAGS or why is not None],
    )
    if load:
        load_history(summary)
    return summary


def down() -> dict:
    from etl.local.embedded import EmbeddedPostgres

    return {
        "airflow_stopped": stop_airflow(),
        "replay_stopped": stop_pidfile("replay"),
        "mailsink_stopped": stop_pidfile("mailsink"),
        "warehouse_stopped": EmbeddedPostgres.default().down(),
    }


__all__ = ["up", "down", "print_summary", "job_failed", "airflow_env", "AirflowClient"]
