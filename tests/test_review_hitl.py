"""Review through Required Actions (issue 14, points 1-2) with real Airflow standalone (scheduler, API
server, DAG processor) over the session's PostgreSQL: the gate settles what two agreeing sources
outvote, one request per record awaiting a person, an answer through the REST API applies the
decision, and a request whose record was decided elsewhere closes itself."""

from __future__ import annotations

import contextlib
import time
import urllib.parse
from datetime import date, timedelta

import psycopg2
import pytest
from helpers import sql

from etl.local.embedded import free_port
from etl.warehouse.run_ref import RunRef

D0 = date(2025, 5, 1)
pytestmark = pytest.mark.airflow  # Airflow standalone, its Required Actions through the REST API
DAG = "quarantine_review"


def put(dsn: str, source: str, values: dict[str, list[int]]) -> None:
    """A source's bulletins: {category: [cumulative of day 0, day 1, ...]}."""
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        for category, series in values.items():
            for i, value in enumerate(series):
                cur.execute(
                    "INSERT INTO core.observation (source, as_of, category, cumulative, revision) "
                    "VALUES (%s, %s, %s, %s, 1)",
                    (source, D0 + timedelta(days=i), category, value),
                )


def record(dsn: str, category: str):
    return sql(
        dsn,
        "SELECT id, source, status, decided_by, diagnosis FROM quality.quarantine "
        "WHERE category = %s AND expectation LIKE 'observations_monotonic.%%'",
        (category,),
    )


def wait(what: str, check, timeout: float = 300, every: float = 3):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


@pytest.fixture
def airflow(warehouse, db, monkeypatch):
    """Airflow standalone whose tasks use the test database ``db``; yields an AirflowClient."""
    from etl.local import stack

    port = free_port()
    monkeypatch.setenv("ATTRITION_AIRFLOW_PORT", str(port))
    name = f"airflow_hitl_{free_port()}"
    warehouse.ensure_database(name, owner="airflow")
    extra = {
        "ATTRITION_WAREHOUSE_DSN": db,
        "ATTRITION_REVIEW_RECHECK_SECONDS": "45",
        "ATTRITION_AIRFLOW_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "5",
    }
    stack.start_airflow(warehouse.dsn(user="airflow", dbname=name), extra_env=extra, timeout=600)
    try:
        client = stack.AirflowClient(stack.airflow_port(), stack.airflow_login())
        client.set_paused(DAG, False)
        yield client
    finally:
        stack.stop_airflow()


def pending(client) -> list[dict]:
    got = client.call("GET", "/dags/~/dagRuns/~/hitlDetails?response_received=false&limit=100")
    return [h for h in got["hitl_details"] if h["task_instance"]["dag_id"] == DAG]


def test_one_required_action_per_record_awaiting_a_person_answered_through_the_api(db, airflow):
    from etl.quality import review
    from etl.quality.gate import validate

    put(db, "mod", {"tanks": [4000, 4001, 4002, 4003, 4004]})
    put(
        db,
        "russianwarship",
        {
            "tanks": [4000, 4001, 4002, 4003, 4004],
            "aircraft": [100, 101, 102, 103, 104],
            "helicopters": [200, 201, 202, 203, 204],
            "drones": [300, 301, 302, 303, 304],
        },
    )
    put(
        db,
        "minfin",
        {
            "tanks": [4000, 4001, 4900, 4003, 4004],  # outvoted by two agreeing sources
            "aircraft": [100, 101, 52, 103, 104],  # one against one: a person decides
            "helicopters": [200, 201, 202, 20, 204],
            "drones": [300, 31, 302, 303, 304],
        },
    )
    validate(db, notify=False)
    [(_, _, status, by, diagnosis)] = record(db, "tanks")
    assert (status, by, diagnosis) == ("rejected", "gate", "spike_before")
    [(aircraft, *_)] = record(db, "aircraft")
    [(helicopters, *_)] = record(db, "helicopters")
    [(drones, *_)] = record(db, "drones")
    marts = sql(db, "SELECT as_of, aircraft, tanks FROM mart.daily_losses ORDER BY as_of")

    client = airflow
    client.call("POST", f"/dags/{DAG}/dagRuns", {"logical_date": None, "conf": {}})
    requests = wait("one Required Action per open record", lambda: len(pending(client)) >= 3 and pending(client))
    assert len(requests) == 3
    subjects = sorted(h["subject"] for h in requests)
    assert subjects[0].startswith("minfin aircraft 2025-05-03 = 52: typo_low")
    assert all("Accept value" in h["options"] and "Reject value" in h["options"] for h in requests)
    assert "/attrition/?category=aircraft" in next(h["body"] for h in requests if "aircraft" in h["subject"])
    with contextlib.closing(psycopg2.connect(db)) as conn, conn.cursor() as cur:
        listed = {r["id"]: r for r in review.open_requests(cur)}
    assert set(listed) == {aircraft, helicopters, drones}
    assert all(
        r["ui_url"].startswith(f"{client.base}/dags/{DAG}/runs/")
        and "/tasks/review_record/mapped/" in r["ui_url"]
        and r["ui_url"].endswith("/required_actions")
        for r in listed.values()
    )

    # answered through the REST API: Reject value + a note (a little after the request opened: an answer
    # within seconds of the task parking races Airflow's own bookkeeping of the parked workload)
    time.sleep(15)
    ti = listed[aircraft]
    path = (
        f"/dags/{DAG}/dagRuns/{urllib.parse.quote(ti['run_id'])}/taskInstances/{ti['task_id']}/"
        f"{ti['map_index']}/hitlDetails"
    )
    client.call("PATCH", path, {"chosen_options": ["Reject value"], "params_input": {"note": "a typo for 102"}})

    # decided elsewhere (the CLI): its request closes itself at its next look; the drones request waits on
    review.decide(helicopters, "reject", by="cli-operator", run=RunRef(dsn=db, notify=False))
    wait("the decision applied", lambda: record(db, "aircraft")[0][2] == "rejected", timeout=300)
    assert record(db, "aircraft")[0][3] == "admin"
    assert sql(db, "SELECT note FROM quality.quarantine WHERE id = %s", (aircraft,)) == [("a typo for 102",)]
    closed = "SELECT closed_by FROM quality.review_request WHERE quarantine_id = %s"
    wait("the answered request closed", lambda: sql(db, closed, (aircraft,)) == [("admin",)], timeout=300)
    wait("the request to close itself", lambda: sql(db, closed, (helicopters,))[0][0] is not None, timeout=240)
    assert sql(db, closed, (helicopters,)) == [("elsewhere: rejected by cli-operator",)]
    assert sql(db, closed, (drones,)) == [(None,)]
    still = wait("the drones request pending again", lambda: [h["subject"] for h in pending(client)] or None)
    assert len(still) == 1 and still[0].startswith("minfin drones")
    # the marts unchanged: 52 stays out
    assert sql(db, "SELECT as_of, aircraft, tanks FROM mart.daily_losses ORDER BY as_of") == marts


def test_a_reopened_record_stays_with_a_person_and_its_request_text_shows_the_evidence(db):
    """Without Airflow: reopen a record the gate settled; the gate keeps it open; the request's texts."""
    from etl.quality import review, review_hitl
    from etl.quality.gate import validate

    put(db, "mod", {"tanks": [4000, 4001, 4002, 4003]})
    put(db, "russianwarship", {"tanks": [4000, 4001, 4002, 4003]})
    put(db, "minfin", {"tanks": [4000, 4001, 4900, 4003]})
    validate(db, notify=False)
    [(qid, _, status, by, _)] = record(db, "tanks")
    assert (status, by) == ("rejected", "gate")
    evidence = sql(db, "SELECT evidence -> 'settled_by' ->> 'sources' FROM quality.quarantine WHERE id = %s", (qid,))
    assert evidence == [('["mod", "russianwarship"]',)]
    assert review_hitl.pending(db) == []  # nothing awaits a person

    review.reopen(qid, note="check the bulletin", by="ops", dsn=db)
    validate(db, date_from=D0 + timedelta(days=2), date_to=D0 + timedelta(days=2), notify=False)
    assert record(db, "tanks")[0][2:4] == ("open", "ops (reopened)")  # the gate does not settle it again
    with contextlib.closing(psycopg2.connect(db)) as conn, conn.cursor() as cur:
        [listed] = review.open_requests(cur)
    assert (listed["id"], listed["ui_url"]) == (qid, None)  # no Required Action until the DAG opens one
    [req] = review_hitl.pending(db)
    assert req["quarantine_id"] == qid
    assert req["subject"] == f"minfin tanks {D0 + timedelta(days=2)} = 4,900: spike_before (quarantine #{qid})"
    body = req["body"]
    assert "| mod | 4,002 |" in body and "| russianwarship | 4,002 |" in body
    assert "| minfin (this record) | 4,900 |" in body
    assert f"| {D0 + timedelta(days=1)} | 4,001 | agreed |" in body  # the accepted days around it
    assert f"/attrition/?category=tanks&from={D0 - timedelta(days=12)}&to={D0 + timedelta(days=16)}" in body
    assert review_hitl.form_action({"action": "list"}, "manual__x", "ops", dsn=db) == []  # list opens nothing
