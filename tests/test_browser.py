"""The Airflow UI in a real browser, as a new user sees it after `make up`.

Headless Chromium from Debian (/usr/bin/chromium; `make browser-deps` installs it, nothing downloads a
browser) driven by Playwright. The test starts the standalone stack on the embedded warehouse with the
replay sources (`attrition up --no-load`), logs in through the login page with the printed login, opens
`losses_daily`, triggers it from the trigger form, waits in the UI for the run's success, opens its graph
and saves a screenshot; then triggers `losses_backfill` from its form over a few days and checks that the
warehouse got those days. Screenshots go to artifacts/ at the repository's root (git-ignored), also on
failure (artifacts/browser-failure-<step>.png, with the page's text and the end of Airflow's log in the
failure message).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import REPO, run_cli, stack_env

pytestmark = [pytest.mark.airflow, pytest.mark.browser]

ARTIFACTS = REPO / "artifacts"
RUN_TIMEOUT_MS = 10 * 60 * 1000
REJECT_OPTION = "Reject value"  # etl.quality.review_hitl.REJECT
BACKFILL_FROM, BACKFILL_TO = "2024-01-01", "2024-01-03"  # days the daily run (newest pages only) never loads


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ATTRITION_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = chromium_path()
    if path:
        return path
    message = (
        "Debian's chromium is not installed (/usr/bin/chromium): run `make browser-deps` as root, or "
        "`sudo apt-get install chromium`; the test never downloads a browser"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, chromium):
    """`attrition up --no-load` on free ports in a temporary folder; `attrition down` afterwards."""
    local = tmp_path_factory.mktemp("browser-stack") / "local"
    env = stack_env(local)
    port = int(env["ATTRITION_AIRFLOW_PORT"])
    started = time.monotonic()
    try:
        out = run_cli("up", "--no-load", env=env).stdout
        ui = next(line for line in out.splitlines() if "Airflow UI" in line)
        user, password = ui.split("login ", 1)[1].strip().split(" / ", 1)
        dsn = re.search(r"Warehouse DSN\s+(\S+)", out).group(1)
        yield {
            "base": f"http://127.0.0.1:{port}",
            "user": user,
            "password": password,
            "dsn": dsn,
            "env": env,
            "log": local / "logs" / "airflow-standalone.log",
            "started": started,
        }
    finally:
        down = run_cli("down", env=env, check=False)
        print(f"attrition down: {down.stdout.strip()} {down.stderr.strip()}")
        # the cluster's files may live outside tmp_path (/var/lib/attrition/clusters: see etl.local.embedded)
        run_cli("db", "destroy", "--yes", env=env, check=False)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=stack["base"])
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


class Steps:
    """Runs the test's steps; a failing one leaves a screenshot and says where it was."""

    def __init__(self, page, stack):
        self.page, self.stack = page, stack
        ARTIFACTS.mkdir(exist_ok=True)
        for stale in ARTIFACTS.glob("browser-failure-*.png"):  # from an earlier run
            stale.unlink()

    @contextlib.contextmanager
    def step(self, name: str):
        try:
            yield
        except Exception as exc:
            shot = ARTIFACTS / f"browser-failure-{name}.png"
            with contextlib.suppress(Exception):
                self.page.screenshot(path=str(shot), full_page=True)
            text = ""
            with contextlib.suppress(Exception):
                text = self.page.inner_text("body")[:1500]
            log = ""
            with contextlib.suppress(OSError):
                log = "\n".join(self.stack["log"].read_text(errors="replace").splitlines()[-25:])
            raise AssertionError(
                f"browser step {name!r} failed at {self.page.url}: {type(exc).__name__}: {exc}\n"
                f"screenshot: {shot}\n--- the page says ---\n{text}\n"
                f"--- the end of {self.stack['log']} ---\n{log}"
            ) from exc


def _api(stack, path: str) -> dict:
    """A read of Airflow's REST API (to explain a failed run; the test itself uses the UI)."""
    from etl.local.stack import AirflowClient

    client = AirflowClient(int(urllib.parse.urlsplit(stack["base"]).port), (stack["user"], stack["password"]))
    return client.call("GET", path)


def _task_states(stack, dag_id: str, run_id: str) -> str:
    try:
        tis = _api(stack, f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances")
        return ", ".join(f"{ti['task_id']}={ti['state']}" for ti in tis["task_instances"])
    except Exception as exc:  # only an explanation
        return f"(task states unavailable: {exc})"


def login(page, stack) -> None:
    page.goto("/")
    page.wait_for_url(re.compile(r"/auth/login"))  # the UI sends a visitor to the login page
    page.get_by_label("Username").fill(stack["user"])
    page.get_by_label("Password").fill(stack["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Dags").first.wait_for()  # the home page, logged in
    assert "/auth/login" not in page.url


def open_dag(page, dag_id: str) -> None:
    page.goto(f"/dags/{dag_id}")
    page.get_by_text(dag_id, exact=True).first.wait_for()
    page.get_by_role("button", name="Trigger Dag").wait_for()


def trigger_from_form(page, dag_id: str, run_id: str, fields: dict[str, str] | None = None) -> None:
    """Open the trigger form, fill the DAG's own fields, name the run, press Trigger."""
    page.get_by_role("button", name="Trigger Dag").click()
    form = page.get_by_role("dialog")
    form.get_by_text(f"Trigger Dag - {dag_id}").wait_for()
    form.get_by_text("Single Run", exact=True).click()
    for name, value in (fields or {}).items():
        form.locator(f"#element_{name}").fill(value)
    form.get_by_role("button", name="Advanced Options").click()
    form.locator("input[name=dagRunId]").fill(run_id)
    form.get_by_role("button", name="Trigger", exact=True).click()
    page.wait_for_url(re.compile(rf"/dags/{dag_id}/runs/{re.escape(run_id)}$"))


def wait_for_run(page, stack, dag_id: str, run_id: str) -> str:
    """Wait on the run's page until its state badge says Success or Failed; returns the state."""
    from playwright.sync_api import expect

    badge = page.get_by_role("heading", name=run_id, exact=True).locator("xpath=..").get_by_test_id("state-badge")
    expect(badge).to_have_text(re.compile(r"^\s*(Success|Failed)\s*$"), timeout=RUN_TIMEOUT_MS)
    state = badge.inner_text().strip()
    assert state == "Success", f"{dag_id} run {run_id} ended {state}: {_task_states(stack, dag_id, run_id)}"
    return state


def graph_screenshot(page, run_id: str, tasks: list[str], path: Path) -> None:
    """The run's graph, with ``tasks`` among its boxes and every box showing success, saved as ``path``."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Show Graph").click()
    for task in tasks:
        page.get_by_text(task, exact=True).first.wait_for()
    count = page.get_by_role("heading", name=re.compile(r"^\d+ Task Instances?$"))
    count.wait_for()
    total = int(count.inner_text().split()[0])
    assert total >= len(tasks)
    expect(page.get_by_text("success", exact=True)).to_have_count(total, timeout=30_000)  # one badge a box
    page.get_by_role("heading", name=run_id, exact=True).wait_for()
    page.wait_for_timeout(1000)  # the graph's layout animation
    page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000, f"{path} looks empty"


def warehouse_days(dsn: str, date_from: str, date_to: str) -> int:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(DISTINCT as_of) FROM core.observation WHERE as_of BETWEEN %s AND %s", (date_from, date_to)
            )
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_a_new_user_logs_in_triggers_losses_daily_and_losses_backfill_and_sees_them_succeed(page, stack):
    steps = Steps(page, stack)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    timings = {"stack up": time.monotonic() - stack["started"]}

    with steps.step("login"):
        login(page, stack)

    # losses_daily with the form's defaults: `attrition up` makes the replay snapshot's last day "today"
    daily_run = f"browser_daily_{stamp}"
    started = time.monotonic()
    with steps.step("trigger-losses_daily"):
        open_dag(page, "losses_daily")
        trigger_from_form(page, "losses_daily", daily_run)
    with steps.step("wait-losses_daily"):
        wait_for_run(page, stack, "losses_daily", daily_run)
    timings["losses_daily"] = time.monotonic() - started
    daily_shot = ARTIFACTS / "losses_daily-graph.png"
    with steps.step("graph-losses_daily"):
        graph_screenshot(
            page,
            daily_run,
            ["scrape_mod", "scrape_minfin", "scrape_russianwarship", "parse_and_load", "check_bulletin"],
            daily_shot,
        )

    # losses_backfill from its form with a date range: the warehouse gets those days
    before = warehouse_days(stack["dsn"], BACKFILL_FROM, BACKFILL_TO)
    backfill_run = f"browser_backfill_{stamp}"
    started = time.monotonic()
    with steps.step("trigger-losses_backfill"):
        open_dag(page, "losses_backfill")
        trigger_from_form(page, "losses_backfill", backfill_run, {"date_from": BACKFILL_FROM, "date_to": BACKFILL_TO})
    with steps.step("wait-losses_backfill"):
        wait_for_run(page, stack, "losses_backfill", backfill_run)
    timings["losses_backfill"] = time.monotonic() - started
    with steps.step("graph-losses_backfill"):
        graph_screenshot(
            page,
            backfill_run,
            ["scrape_mod", "scrape_minfin", "scrape_russianwarship", "parse_and_load", "report_coverage"],
            ARTIFACTS / "losses_backfill-graph.png",
        )
    after = warehouse_days(stack["dsn"], BACKFILL_FROM, BACKFILL_TO)
    assert before == 0 and after == 3, f"days {BACKFILL_FROM}..{BACKFILL_TO} in core.observation: {before} -> {after}"

    # what the UI showed is what Airflow recorded: both runs were triggered from the form with its values
    daily = _api(stack, f"/dags/losses_daily/dagRuns/{daily_run}")
    backfill = _api(stack, f"/dags/losses_backfill/dagRuns/{backfill_run}")
    assert daily["state"] == "success" and daily["run_type"] == "manual"
    assert (
        backfill["state"] == "success"
        and backfill["conf"]["date_from"] == BACKFILL_FROM
        and backfill["conf"]["date_to"] == BACKFILL_TO
    )
    (ARTIFACTS / "browser-test.json").write_text(
        json.dumps(
            {
                "daily_run": daily_run,
                "backfill_run": backfill_run,
                "screenshot": str(daily_shot),
                "seconds": {k: round(v, 1) for k, v in timings.items()},
            },
            indent=2,
        )
        + "\n"
    )
    print(f"screenshots in {ARTIFACTS}; seconds: {timings}")


# ---- the Attrition page (issue 14) ---------------------------------------------------------------------
SPIKE_FROM, SPIKE_TO = "2024-12-08", "2024-12-11"  # the snapshot's minfin vehicles_fuel_tanks spike on 2024-12-10
SPIKE_CATEGORY = "vehicles_fuel_tanks"
SPIKE_DAY = "2024-12-10"


@pytest.fixture(scope="module")
def loaded(stack):
    """A few days with a quarantined record in the stack's warehouse (`attrition backfill --replay`), and that
    record awaiting a person with its Required Action pending in Airflow: the gate rejects the outvoted
    spike itself, so the test reopens it (`attrition review reopen`), as an operator would, and runs the
    quarantine_review DAG (unpaused and triggered through the REST API: `up --no-load` leaves it paused)."""
    import psycopg2

    run_cli("backfill", "--replay", "--from", SPIKE_FROM, "--to", SPIKE_TO, "--no-notify", env=stack["env"])
    with contextlib.closing(psycopg2.connect(stack["dsn"])) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, status FROM quality.quarantine WHERE source = 'minfin' AND category = %s AND as_of = %s",
            (SPIKE_CATEGORY, SPIKE_DAY),
        )
        record_id, status = cur.fetchone()
    if status != "open":
        run_cli("review", "reopen", str(record_id), "--note", "browser test: look again", env=stack["env"])
    client = _client(stack)
    client.set_paused("quarantine_review", False)
    client.trigger("quarantine_review", {"action": "review"})
    # answer only once the request is listed as pending (answering within seconds of the task parking can
    # mark it failed in Airflow 3.3)
    deadline = time.monotonic() + 600
    while not _pending_request(stack, record_id):
        assert time.monotonic() < deadline, f"no pending Required Action for quarantine {record_id} after 600 s"
        time.sleep(3)
    return {**stack, "record_id": record_id}


def _client(stack):
    """One REST client (one token) per stack, not a new login on every poll."""
    from etl.local.airflow_client import AirflowClient

    if "client" not in stack:
        stack["client"] = AirflowClient(
            int(urllib.parse.urlsplit(stack["base"]).port), (stack["user"], stack["password"])
        )
    return stack["client"]


def _pending_request(stack, record_id: int) -> dict | None:
    """The pending Required Action of quarantine ``record_id`` (its mapped task's map index is the id)."""
    for detail in _client(stack).pending_requests("quarantine_review"):
        if f"#{record_id})" in (detail.get("subject") or ""):
            return detail
    return None


def _http(stack, path: str, token: str | None = None, cookie: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cookie:
        headers["Cookie"] = f"_token={cookie}"
    req = urllib.request.Request(stack["base"] + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _token(stack) -> str:
    body = json.dumps({"username": stack["user"], "password": stack["password"]}).encode()
    req = urllib.request.Request(
        stack["base"] + "/auth/token", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["access_token"]


def test_the_attrition_page_answers_a_logged_in_client_and_refuses_one_without_a_login(loaded):
    token = _token(loaded)
    paths = [
        "/attrition/",
        f"/attrition/?category={SPIKE_CATEGORY}&from={SPIKE_FROM}&to={SPIKE_TO}",
        f"/attrition/api/chart?category={SPIKE_CATEGORY}",
        "/attrition/api/review",
        "/attrition/api/freshness",
        "/attrition/static/vega.js",
    ]
    for path in paths:
        status, body = _http(loaded, path, token=token)
        assert status == 200, f"{path} with a token: {status} {body[:300]!r}"
        assert _http(loaded, path)[0] == 401, f"{path} without a login"
        assert _http(loaded, path, token="not-a-jwt")[0] in (401, 403), f"{path} with a bad token"
    assert _http(loaded, "/attrition/", cookie=token)[0] == 200  # the UI's session cookie works too
    spec = json.loads(_http(loaded, f"/attrition/api/chart?category={SPIKE_CATEGORY}", token=token)[1])
    rows = spec["data"]["values"] if "data" in spec else next(iter(spec["datasets"].values()))
    assert any(r["kind"] == "quarantined" and r["as_of"] == "2024-12-10" for r in rows)
    fresh = json.loads(_http(loaded, "/attrition/api/freshness", token=token)[1])
    assert {f["source"] for f in fresh} == {"mod", "minfin", "russianwarship"}
    assert all(f["newest_day"] and f["last_success"] for f in fresh), fresh
    assert _http(loaded, "/attrition/api/chart?category=nope", token=token)[0] == 422
    exports = Path(loaded["env"]["ATTRITION_LOCAL_DIR"]) / "exports"
    assert (exports / "daily_losses.csv").is_file(), "the backfill's gate did not write the exports"


def ensure_logged_in(page, stack) -> None:
    page.goto("/")
    username, home = page.get_by_label("Username"), page.get_by_role("link", name="Dags").first
    username.or_(home).first.wait_for()  # the UI sends a visitor without a session to the login page
    if username.is_visible():
        page.get_by_label("Username").fill(stack["user"])
        page.get_by_label("Password").fill(stack["password"])
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Dags").first.wait_for()


def open_attrition(page):
    """The navigation's "Attrition" entry; returns the frame the page is embedded in."""
    entry = page.get_by_role("link", name="Attrition").or_(page.get_by_role("button", name="Attrition")).first
    entry.click()
    page.wait_for_url(re.compile(r"/plugin/attrition"))
    frame = page.frame_locator("iframe").first
    frame.locator("#chart[data-rendered]").wait_for(timeout=120_000)
    return frame


def chart_marks(frame) -> dict[str, int]:
    """How many marks the chart's SVG draws: the accepted line, the sources' dots, the flagged points."""
    from playwright.sync_api import expect

    expect(frame.locator("#chart")).to_have_attribute("data-rendered", "true")
    svg = frame.locator("#chart svg").first
    return {
        "line": svg.locator("g.mark-line.role-mark path").count(),
        "dots": svg.locator("g.mark-symbol.role-mark path").count(),
    }


def test_an_analyst_opens_the_attrition_page_and_the_chart_shows_points(page, loaded):
    steps = Steps(page, loaded)
    with steps.step("attrition-login"):
        ensure_logged_in(page, loaded)
    with steps.step("attrition-open"):
        frame = open_attrition(page)
        marks = chart_marks(frame)
        assert marks["line"] >= 1 and marks["dots"] > 10, marks
        frame.locator("#freshness tr[data-source=minfin]").wait_for()
    with steps.step("attrition-range"):
        frame.locator("#category").select_option(SPIKE_CATEGORY)
        frame.locator("#from").fill(SPIKE_FROM)
        frame.locator("#to").fill(SPIKE_TO)
        frame.get_by_role("button", name="Show").click()
        frame.locator(f"#category >> option[value={SPIKE_CATEGORY}][selected]").wait_for(state="attached")
        frame.locator("#chart[data-rendered=true]").wait_for()
        marks = chart_marks(frame)
        # 4 days: 4 accepted, 3 sources a day, and the quarantined minfin spike of 2024-12-10
        assert marks["dots"] >= 4 * 3 + 1, marks
        title = frame.locator("#chart svg text.role-title-text, #chart svg .role-title text").first.text_content()
        assert "Vehicles" in title and SPIKE_FROM in title, title
    with steps.step("attrition-hover"):
        flagged = frame.locator("#chart svg g.mark-symbol.role-mark").last  # the flagged layer is drawn last
        assert flagged.locator("path").count() == 1  # the spike; no correction in these days
        flagged.locator("path").first.hover(force=True)
        tooltip = frame.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=10_000)
        text = tooltip.inner_text()
        assert "minfin" in text and "quarantined" in text and "2024-12-10" in text and "31,937" in text, text
    shot = ARTIFACTS / "attrition-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    with steps.step("attrition-required-actions"):  # a record's link opens the UI's Required Actions, not in the frame
        frame.locator("#awaiting tr[data-record] a.required-action").first.click()
        page.wait_for_url(re.compile(r"/required_actions"))
        assert "/plugin/" not in page.url


def test_an_operator_rejects_a_record_from_the_attrition_page_through_its_required_action(page, loaded):
    """The second half of issue 14's browser acceptance: open a record from the Attrition page's list,
    answer its Required Action in Airflow's UI with *Reject value* and a note; the record shows rejected,
    its request closes, and the marts are unchanged."""
    import psycopg2
    from playwright.sync_api import expect

    def marts() -> list:
        with contextlib.closing(psycopg2.connect(loaded["dsn"])) as conn, conn.cursor() as cur:
            cur.execute("SELECT * FROM mart.daily_losses ORDER BY as_of")
            return cur.fetchall()

    def decision(record_id: int) -> tuple:
        with contextlib.closing(psycopg2.connect(loaded["dsn"])) as conn, conn.cursor() as cur:
            cur.execute("SELECT status, decided_by, note FROM mart.quarantined_records WHERE id = %s", (record_id,))
            return cur.fetchone()

    record_id, note = loaded["record_id"], "browser test: the spike is a typo"
    steps = Steps(page, loaded)
    with steps.step("review-open-record"):
        ensure_logged_in(page, loaded)
        frame = open_attrition(page)
        marks = chart_marks(frame)
        assert marks["line"] >= 1 and marks["dots"] > 10, marks
        row = frame.locator(f"#awaiting tr[data-record='{record_id}']")
        link = row.locator("a.required-action")
        assert "/dags/quarantine_review/runs/" in link.get_attribute("href")  # its own request, not the list
        before = marts()
        link.click()  # opens the Required Action in the UI itself (page.py), not inside the page's frame
        page.wait_for_url(re.compile(r"/dags/quarantine_review/runs/.+/mapped/\d+/required_actions"))
        assert "/plugin/" not in page.url
    with steps.step("review-reject"):
        page.get_by_text(f"(quarantine #{record_id})").first.wait_for()  # the request's subject
        reject = page.get_by_test_id(f"hitl-option-{REJECT_OPTION}")
        expect(reject).to_be_enabled(timeout=60_000)
        page.locator("#element_note").fill(note)
        page.screenshot(path=str(ARTIFACTS / "attrition-required-action.png"), full_page=True)
        reject.click()
    with steps.step("review-rejected"):
        deadline = time.monotonic() + 300
        while decision(record_id)[0] != "rejected" and time.monotonic() < deadline:
            time.sleep(3)
        status, decided_by, kept = decision(record_id)
        assert (status, kept) == ("rejected", note) and decided_by == loaded["user"], (status, decided_by, kept)
        assert marts() == before, "rejecting a quarantined record changed the marts"
        assert _pending_request(loaded, record_id) is None
        frame = open_attrition(page)
        frame.locator("#chart[data-rendered=true]").wait_for()
        expect(frame.locator(f"#awaiting tr[data-record='{record_id}']")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "attrition-rejected.png"), full_page=True)
