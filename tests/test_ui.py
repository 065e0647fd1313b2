"""The Attrition page's parts without a running Airflow: its queries, the one chart spec, the page's HTML,
`attrition chart` (PNG, SVG, HTML, offline) and the refusal of requests without Airflow's login.
The page answering 200 to a logged-in client of a real Airflow is in tests/test_browser.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from helpers import put_observations, run_cli, sql

from etl.quality.gate import validate
from etl.quality.review import reopen
from etl.ui import chart, data, page

D0 = date(2025, 3, 1)


def put(dsn: str, source: str, day: int, values: dict[str, int]) -> None:
    put_observations(dsn, source, D0 + timedelta(days=day), values)


@pytest.fixture
def loaded(db):
    """Five days; minfin's tanks spike on day 1 (outvoted, quarantined); mod alone is low on day 4 (open)."""
    for day in range(5):
        put(db, "mod", day, {"tanks": 3990 if day == 4 else 4000 + day})
        put(db, "russianwarship", day, {"tanks": 4000 + day})
        put(db, "minfin", day, {"tanks": 4100 if day == 1 else 4000 + day})
    sql(
        db,
        "INSERT INTO raw.fetch (source, url, outcome, http_status, error) VALUES "
        "('minfin', 'http://127.0.0.1:1/x', 'error', 503, 'HTTP 503 <b>busy</b>'), "
        "('mod', 'http://127.0.0.1:1/y', 'not_modified', 304, NULL)",
    )
    validate(db, date_from=D0, date_to=D0 + timedelta(days=4), run_id="test-ui", notify=False)
    # the gate rejects mod's outvoted low day itself: an operator gives it back to a person
    for (qid,) in sql(db, "SELECT id FROM quality.quarantine WHERE source = 'mod' AND status <> 'open'"):
        reopen(qid, note="to look at", by="test", dsn=db)
    return db


def test_the_series_has_the_accepted_values_every_source_and_the_quarantined_records(loaded):
    with data.reading(loaded) as cur:
        series = data.series(cur, "tanks", D0, D0 + timedelta(days=3))
        records = data.awaiting_person(cur)
        fresh = data.freshness(cur)
    assert [r["cumulative"] for r in series["accepted"]] == [4000, 4001, 4002, 4003]
    assert len(series["observed"]) == 12
    assert [(q["source"], q["cumulative"], q["diagnosis"]) for q in series["quarantined"]] == [
        ("minfin", 4100, "spike_before")
    ]
    assert records and all(r["ui_url"] == "/required_actions?response_received=false" for r in records)
    assert {r["source"] for r in fresh} == {"mod", "minfin", "russianwarship"}
    minfin = next(r for r in fresh if r["source"] == "minfin")
    assert minfin["newest_day"] == D0 + timedelta(days=4) and minfin["failure"] == "HTTP 503 <b>busy</b>"
    assert next(r for r in fresh if r["source"] == "mod")["last_success"] is not None
    with pytest.raises(data.UnknownCategory, match="unknown category 'tank'"):
        data.series(None, "tank")


def test_the_spec_marks_sources_quarantined_points_and_corrections_with_tooltips(loaded):
    with data.reading(loaded) as cur:
        series = data.series(cur, "tanks")
    spec = chart.spec(series)
    rows = spec["datasets"][next(iter(spec["datasets"]))] if "datasets" in spec else spec["data"]["values"]
    kinds = {r["kind"] for r in rows}
    assert {"accepted", "source", "quarantined"} <= kinds
    spike = next(r for r in rows if r["kind"] == "quarantined" and r["value"] == 4100)
    assert (
        spike["source"] == "minfin"
        and spike["diagnosis"] == "spike_before"
        and spike["decision"].split()[0] in ("open", "rejected")
    )
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "circle", "point"]
    assert all(
        {t["title"] for t in layer["encoding"]["tooltip"]} >= {"value", "source", "diagnosis", "decision"}
        for layer in spec["layer"]
    )
    assert spec["title"].startswith("Tanks: accepted cumulative count, 2025-03-01 to")


def test_attrition_chart_writes_png_svg_and_html_offline(loaded, tmp_path):
    env = {"ATTRITION_WAREHOUSE_DSN": loaded}
    proc = run_cli("chart", "tanks", "--out", str(tmp_path / "t.png"), env=env)
    assert proc.stdout.startswith(f"wrote {tmp_path / 't.png'} (5 accepted days, ")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run_cli("chart", "tanks", "--from", "2025-03-01", "--to", "2025-03-02", "--out", str(tmp_path / "t.svg"), env=env)
    svg = (tmp_path / "t.svg").read_text()
    assert svg.startswith("<svg") and "Tanks: accepted cumulative count, 2025-03-01 to 2025-03-02" in svg
    run_cli("chart", "tanks", "--out", str(tmp_path / "t.html"), env=env)
    html = (tmp_path / "t.html").read_text()
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html and "https://" not in html.split("<body", 1)[1][:2000]
    bad = run_cli("chart", "tank", "--out", str(tmp_path / "x.png"), env=env, check=False)
    assert (
        bad.returncode == 2
        and bad.stderr.startswith("attrition: unknown category 'tank'")
        and "Traceback" not in bad.stderr
    )
    bad = run_cli("chart", "tanks", "--out", str(tmp_path / "x.pdf"), env=env, check=False)
    assert bad.returncode == 2 and ".png, .svg or .html" in bad.stderr
    empty = run_cli(
        "chart",
        "tanks",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-02",
        "--out",
        str(tmp_path / "e.png"),
        env=env,
        check=False,
    )
    assert empty.returncode == 2 and "nothing to draw" in empty.stderr


def test_each_record_awaiting_a_person_links_to_its_own_required_action(loaded):
    with data.reading(loaded) as cur:
        qid = data.awaiting_person(cur)[0]["id"]
    own = "http://127.0.0.1:1/dags/quarantine_review/runs/r1/tasks/review_record/required_actions?map_index=0"
    sql(
        loaded,
        "INSERT INTO quality.review_request (quarantine_id, dag_id, run_id, task_id, map_index, ui_url) "
        "VALUES (%s, 'quarantine_review', 'r1', 'review_record', 0, %s)",
        (qid, own),
    )
    try:
        with data.reading(loaded) as cur:
            records = {r["id"]: r for r in data.awaiting_person(cur)}
            html = page.render("tanks", D0, None, list(records.values()), data.freshness(cur))
    finally:
        sql(loaded, "DELETE FROM quality.review_request WHERE run_id = 'r1'")
    assert records[qid]["ui_url"] == own and records[qid]["has_request"]
    assert all(r["ui_url"] == data.PENDING_REQUESTS_URL for i, r in records.items() if i != qid)
    assert f"href='{own}'" in html


def test_the_page_escapes_what_it_shows_and_serves_vega_from_the_package(loaded):
    with data.reading(loaded) as cur:
        html = page.render("tanks", D0, None, data.awaiting_person(cur), data.freshness(cur))
    assert "HTTP 503 &lt;b&gt;busy&lt;/b&gt;" in html and "<b>busy" not in html
    assert "src='static/vega.js'" in html and "http" not in html.split("<script", 1)[1].split("</script>")[0]
    assert "<option value='tanks' selected>" in html and "value='2025-03-01'" in html
    assert "class='required-action to-airflow' href='/required_actions?response_received=false'" in html
    bundle = chart.javascript_bundle()
    assert "window.vegaEmbed" in bundle and len(bundle) > 500_000


def test_the_plugin_refuses_requests_without_airflows_login(tmp_path, monkeypatch):
    from airflow.api_fastapi.app import init_auth_manager
    from fastapi.testclient import TestClient

    from etl.ui.plugin import AttritionPlugin, create_app

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    init_auth_manager()
    client = TestClient(create_app())
    for path in ("/", "/api/chart?category=tanks", "/api/review", "/api/freshness", "/static/vega.js"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"Authorization": "Bearer not-a-jwt"}).status_code == 403, path
        assert client.get(path, cookies={"_token": "not.a.jwt"}).status_code == 403, path
    assert AttritionPlugin.fastapi_apps[0]["url_prefix"] == "/attrition"
    assert AttritionPlugin.external_views[0]["name"] == "Attrition"
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="airflow.plugins") if e.name == "attrition"] == [
        "etl.ui.plugin:AttritionPlugin"
    ]
    assert json.dumps(page.jsonable([{"d": D0}])) == '[{"d": "2025-03-01"}]'
