"""Freshness (issue 16 point 3/4): the replay holds back the newest day and publishes it later, answering
conditional GETs with 304 while nothing changed; the daily DAG waits with reschedule-mode sensors; the
accepted-series asset links losses_daily/losses_backfill to news_claims.  Real HTTP over loopback."""

from __future__ import annotations

import json
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from etl.replay.server import ReplayServer

MINFIN_MAIN = "/ua/russian-invading/casualties/"


def _get(url: str, headers: dict | None = None):
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _post(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    with urlopen(
        Request(url, data=data, method="POST", headers={"Content-Type": "application/json"}), timeout=10
    ) as resp:
        return json.loads(resp.read())


@pytest.fixture
def held():
    with ReplayServer(hold=True) as srv:
        yield srv


def test_held_day_is_absent_then_published_and_conditional_get_costs_no_body(held):
    day = held.newest_day
    assert held.held_day == day
    url = held.urls["minfin"] + MINFIN_MAIN
    status, headers, body = _get(url)
    assert status == 200 and day.isoformat() not in body.decode()
    etag = headers["ETag"]
    status, _, body = _get(url, {"If-None-Match": etag})
    assert (status, body) == (304, b"")  # unchanged: no body
    state = _post(held.urls["control"] + "/publish")
    assert state == {"held_day": None, "publish": day.isoformat()}
    status, headers2, body = _get(url, {"If-None-Match": etag})
    assert status == 200 and headers2["ETag"] != etag and body  # published: the new page comes whole
    status, _, body = _get(url, {"If-None-Match": headers2["ETag"]})
    assert (status, body) == (304, b"")


def test_hold_control_endpoint_and_bad_request(held):
    held.publish()
    assert _post(held.urls["control"] + "/hold", {"day": "2024-01-02"})["held_day"] == "2024-01-02"
    assert max(held.series["mod"].order).isoformat() < "2024-01-02"
    with pytest.raises(HTTPError) as err:
        _post(held.urls["control"] + "/hold", {"day": "yesterday"})
    assert err.value.code == 400


def test_poll_seconds_setting(monkeypatch):
    from etl.losses.freshness import DEFAULT_POLL_SECONDS, poll_seconds

    monkeypatch.delenv("ATTRITION_POLL_SECONDS", raising=False)
    assert poll_seconds() == DEFAULT_POLL_SECONDS == 120
    monkeypatch.setenv("ATTRITION_POLL_SECONDS", "30")
    assert poll_seconds() == 30
    monkeypatch.setenv("ATTRITION_POLL_SECONDS", "soon")
    from etl.config import SettingError

    with pytest.raises(SettingError, match="ATTRITION_POLL_SECONDS"):
        poll_seconds()


def test_dags_wait_by_reschedule_sensors_and_share_the_asset(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    from airflow.dag_processing.dagbag import DagBag

    from etl.losses.assets import ACCEPTED_SERIES_URI

    bag = DagBag("dags")
    daily, backfill, news = (bag.dags[i] for i in ("losses_daily", "losses_backfill", "news_claims"))
    for t in daily.tasks:
        if t.task_id.startswith("scrape_"):
            assert t.mode == "reschedule" and t.poke_interval == 120 and t.retries <= 1
    for dag in (daily, backfill):
        assert [o.uri for o in dag.get_task("validate").outlets] == [ACCEPTED_SERIES_URI]
    wait = news.get_task("wait_for_day")
    assert wait.mode == "reschedule" and "extract_claims" in wait.downstream_task_ids


# --------------------------------------------------------------------------- real Airflow: losses_daily waits


def _snapshot_ending_today(out):
    """The bundled snapshot's last three days of each source, relabelled to end on today (Kyiv): a target day
    whose deadline (23:59 Kyiv) has not passed, so the sensor waits instead of reporting it missing."""
    import csv
    from datetime import timedelta

    from helpers import REPO

    from etl.domain.calendar import kyiv_today

    today = kyiv_today()
    for name in ("minfin.csv", "mod.csv", "russianwarship.csv"):
        with open(REPO / "data" / "replay" / name, newline="", encoding="utf-8") as src:
            rows = list(csv.DictReader(src))
        last = sorted({r["as_of"] for r in rows})[-3:]
        shift = {d: (today - timedelta(days=2 - i)).isoformat() for i, d in enumerate(last)}
        with open(out / name, "w", newline="", encoding="utf-8") as dst:
            writer = csv.DictWriter(dst, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**r, "as_of": shift[r["as_of"]]} for r in rows if r["as_of"] in shift)
    return out, today


def _attempts(airflow_env: dict, dag_id: str, conf_day: str) -> tuple[list, list, list]:
    """The metadata of the newest run of ``dag_id`` (the one `airflow dags test` made): each task instance's
    (task_id, state, try_number), every earlier try kept in task_instance_history, and the reschedules."""
    from helpers import sql

    meta = airflow_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("+psycopg2", "", 1)
    run = sql(meta, "SELECT run_id, conf FROM dag_run WHERE dag_id = %s ORDER BY id DESC LIMIT 1", (dag_id,))
    assert run, f"no run of {dag_id} in the metadata database"
    run_id, conf = run[0]
    assert "target_date" in str(conf) and conf_day in str(conf)
    key = (dag_id, run_id)
    tis = sql(meta, "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = %s AND run_id = %s", key)
    history = sql(
        meta, "SELECT task_id, state, try_number FROM task_instance_history WHERE dag_id = %s AND run_id = %s", key
    )
    reschedules = sql(
        meta,
        "SELECT ti.task_id FROM task_reschedule r JOIN task_instance ti ON ti.id = r.ti_id "
        "WHERE ti.dag_id = %s AND ti.run_id = %s",
        key,
    )
    return tis, history, [r[0] for r in reschedules]


@pytest.mark.airflow
def test_daily_started_before_the_bulletin_succeeds_once_published_without_a_failed_attempt(airflow_env, db, tmp_path):
    import subprocess

    from helpers import VENV_BIN, sql, wait_until

    from etl.domain.model import SOURCES
    from etl.losses.crawl import replay_env

    snapshot, today = _snapshot_ending_today(tmp_path)
    log = tmp_path / "dags-test.log"
    with ReplayServer(snapshot, hold=True) as srv, open(log, "w") as out:
        assert srv.held_day == today
        env = {**airflow_env, **replay_env(srv.urls), "ATTRITION_WAREHOUSE_DSN": db, "ATTRITION_POLL_SECONDS": "5"}
        conf = json.dumps({"target_date": today.isoformat(), "deadline": "23:59"})
        proc = subprocess.Popen(
            [str(VENV_BIN / "airflow"), "dags", "test", "losses_daily", "-c", conf],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            # every sensor has poked once and been told "not out yet" (polling its log, not a fixed wait)
            waiting = [f"{s}: the bulletin of {today} is not out yet" for s in SOURCES]
            assert wait_until(
                lambda: proc.poll() is not None or all(w in log.read_text() for w in waiting), 600, 0.5
            ), "the sensors did not all poke within 10 minutes"
            assert proc.poll() is None, (
                "losses_daily ended before the bulletin was published:\n" + log.read_text()[-4000:]
            )
            srv.publish()
            proc.wait(timeout=900)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert proc.returncode == 0, text[-4000:]
    tis, history, reschedules = _attempts(airflow_env, "losses_daily", today.isoformat())
    assert {t for t, state, _ in tis if state != "success"} == set(), tis
    assert all(tries == 1 for _, _, tries in tis), tis  # one attempt each: no retry
    assert history == [], history  # no earlier try kept (a failure or an up_for_retry would be there)
    assert {f"scrape_{s}" for s in SOURCES} <= set(reschedules)  # the sensors waited by rescheduling
    assert "up_for_retry" not in text.lower() and "marking task as failed" not in text.lower()
    assert sql(db, "SELECT DISTINCT as_of FROM mart.latest") == [(today,)]
