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
    with urlopen(Request(url, data=data, method="POST", headers={"Content-Type": "application/json"}),
                 timeout=10) as resp:
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
    with pytest.raises(ValueError, match="ATTRITION_POLL_SECONDS"):
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
