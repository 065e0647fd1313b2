"""One unreadable document no longer sinks a run; long crawls resume, show progress and stay polite
(issue 10, points 4 and 5).  Real spiders over the replay on loopback, a real warehouse."""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from datetime import UTC, date, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import psycopg2
import pytest
from helpers import run_cli

from etl.losses.crawl import CrawlError, crawl, crawl_timeout, replay_env
from etl.replay.server import ReplayServer

FIRST, LAST = date(2023, 5, 1), date(2023, 6, 21)  # 52 days: two russianwarship pages, two minfin months
RW_API = "/russianwarship.rip/api/v2/statistics"


def rows(dsn: str, sql: str, params=None):
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture(scope="module")
def replay():
    with ReplayServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def no_faults(replay):
    replay.clear_faults()
    yield
    replay.clear_faults()


def spider_env(srv: ReplayServer, dsn: str, **extra) -> dict:
    return {**replay_env(srv.urls), "ATTRITION_WAREHOUSE_DSN": dsn, **extra}


def test_one_unreadable_document_per_source_loads_everything_else_and_fails_naming_the_three(replay, db):
    """The acceptance line: the CLI backfill loads every other document, exits 1 naming the three, one
    alert each; progress lines reached the terminal while it crawled."""
    mod_url = replay.bulletin_url(date(2023, 6, 10), "en")
    minfin_url = replay.urls["minfin"] + "/en/russian-invading/casualties/2023-06/"
    rw_url = replay.urls["russianwarship"] + f"/api/v2/statistics?offset=0&limit=50&date_from={FIRST}&date_to={LAST}"
    replay.add_fault(urlsplit(mod_url).path, "garbled", category="tanks")
    replay.add_fault(urlsplit(minfin_url).path, "garbled", category="tanks")
    replay.add_fault(RW_API, "garbled", category="tanks", times=1)  # the first API page only

    proc = run_cli(
        "backfill",
        "--from",
        FIRST.isoformat(),
        "--to",
        LAST.isoformat(),
        "--no-notify",
        env=spider_env(replay, db, ATTRITION_PROGRESS_SECONDS="1"),
        check=False,
    )
    err = proc.stderr
    assert proc.returncode == 1, err[-3000:]
    assert "Traceback" not in err
    failed = sorted(line for line in err.splitlines() if line.startswith("attrition: ") and ": category:" in line)
    assert len(failed) == 3, err[-3000:]
    assert any(line.startswith(f"attrition: mod: {mod_url}: category:tanks: ") for line in failed)
    assert any(line.startswith(f"attrition: minfin: {minfin_url}: category:tanks: ") for line in failed)
    assert any(line.startswith(f"attrition: russianwarship: {rw_url}: category:tanks: ") for line in failed)
    assert "3 document(s) could not be read" in err

    # everything else is loaded: every day from mod (its Ukrainian page of 06-10 stands) and minfin (its
    # Ukrainian June page), the second API page's days from russianwarship
    served = {s: len([d for d in replay.series[s].order if FIRST <= d <= LAST]) for s in ("mod", "minfin")}
    loaded = dict(
        rows(
            db,
            "SELECT source, count(DISTINCT as_of) FROM core.observation WHERE as_of BETWEEN %s AND %s GROUP BY source",
            (FIRST, LAST),
        )
    )
    assert loaded == {**served, "russianwarship": 2}
    assert rows(db, "SELECT count(*) FROM mart.daily_losses WHERE as_of BETWEEN %s AND %s", (FIRST, LAST)) == [
        (52,)
    ]  # the gate ran on what loaded
    # the three are kept in raw, one alert each naming source, URL and field
    for url in (mod_url, minfin_url, rw_url):
        assert rows(db, "SELECT count(*) FROM raw.document WHERE url = %s", (url,)) == [(1,)], url
    alerts = rows(
        db,
        "SELECT details->>'source', details->>'url', details->>'field' FROM quality.alert "
        "WHERE kind = 'parse_failure' ORDER BY 1",
    )
    assert alerts == [
        ("minfin", minfin_url, "category:tanks"),
        ("mod", mod_url, "category:tanks"),
        ("russianwarship", rw_url, "category:tanks"),
    ]
    assert rows(db, "SELECT count(*) FROM quality.alert WHERE kind = 'parse_failure'") == [(3,)]

    # progress: requests done, documents archived, days covered, time left, per source
    progress = [line for line in err.splitlines() if line.startswith("progress ")]
    for source in ("mod", "minfin", "russianwarship"):
        mine = [line for line in progress if line.startswith(f"progress {source}: ")]
        assert mine, f"no progress line for {source}:\n{err[-2000:]}"
        assert "request(s) done" in mine[-1] and "document(s) archived" in mine[-1]
        assert "/52 day(s) covered" in mine[-1] and mine[-1].endswith("finished")
    mod_lines = [line for line in progress if line.startswith("progress mod: ")]
    assert any(" left" in line for line in mod_lines[:-1]), mod_lines  # a running line estimates time left
    assert f"{served['mod']}/52 day(s) covered" in mod_lines[-1]


def test_the_pipeline_reports_the_failed_documents_after_the_gate(replay, db, monkeypatch):
    from etl.losses.ingest import IngestError, backfill

    for name, value in spider_env(replay, db).items():
        monkeypatch.setenv(name, value)
    day = date(2023, 6, 2)
    url = replay.bulletin_url(day, "uk")
    replay.add_fault(urlsplit(url).path, "redesign")
    with pytest.raises(IngestError) as info:
        backfill(day - timedelta(days=1), day, ["mod"], dsn=db, run_id="partial-pipeline", notify=False)
    exc = info.value
    assert [(f["source"], f["url"], f["field"]) for f in exc.result.failed] == [("mod", url, "page")]
    assert exc.gate is not None and exc.gate.accepted > 0  # the gate ran before the failure was raised
    assert f"mod: {url}: page: " in str(exc)
    assert rows(db, "SELECT count(DISTINCT as_of) FROM core.observation") == [(2,)]


def test_a_failed_backfill_run_again_skips_what_it_archived(replay, db):
    first_day, last_day = date(2023, 6, 1), date(2023, 6, 5)
    broken = replay.bulletin_url(date(2023, 6, 3), "en")
    replay.add_fault(urlsplit(broken).path, "http500")
    base = {"base_urls": replay.urls, "dsn": db, "fast": True, "progress": False}
    with pytest.raises(CrawlError) as info:
        crawl("mod", date_from=first_day, date_to=last_day, run_id="resume-1", **base)
    assert f"mod: {broken}: HTTP 500" in str(info.value)
    archived = rows(db, "SELECT url, document_id FROM raw.fetch WHERE run_id = 'resume-1' AND document_id IS NOT NULL")
    assert len(archived) == 9  # ten bulletins, one failed
    replay.clear_faults()
    # run again: every archived bulletin would now come back empty if it were requested again
    for url, _ in archived:
        replay.add_fault(urlsplit(url).path, "empty")
    result = crawl("mod", date_from=first_day, date_to=last_day, run_id="resume-1", **base)
    assert "'attrition/skipped_archived': 9" in result.log_tail
    assert len(result.document_ids) == 1  # only the bulletin it lacked was fetched
    assert len(result.not_modified) == 9
    assert rows(db, "SELECT count(*) FROM raw.document WHERE body = ''::bytea") == [(0,)]  # none re-fetched
    second = rows(
        db,
        """SELECT outcome, count(*) FROM raw.fetch WHERE run_id = 'resume-1'
                         AND id > (SELECT max(id) FROM raw.fetch WHERE run_id = 'resume-1' AND outcome = 'error')
                         AND document_id IS NOT NULL GROUP BY 1 ORDER BY 1""",
    )
    assert second == [("new", 1), ("not_modified", 9)]
    # another run (another run id) fetches them all again, conditionally
    replay.clear_faults()
    other = crawl("mod", date_from=first_day, date_to=last_day, run_id="resume-2", **base)
    assert "skipped_archived" not in other.log_tail


def test_retry_after_is_honoured_on_429_and_503(replay, db):
    """Backoff is off (fast), yet the retry waits for the Retry-After the server asked for."""
    day = date(2023, 6, 1)

    def crawl_day(run_id: str):
        return crawl(
            "russianwarship",
            date_from=day,
            date_to=day,
            run_id=run_id,
            base_urls=replay.urls,
            dsn=db,
            fast=True,
            progress=False,
        )

    replay.add_fault(RW_API, "http429", retry_after=2, times=1)
    result = crawl_day("retry-after-429")
    assert result.document_ids and result.seconds >= 2.0
    assert "Retry-After 2: waiting 2.0s" in result.log_tail or "'attrition/retry_after': 1" in result.log_tail

    replay.add_fault(RW_API, "http503", retry_after=1.5, times=1)
    started = time.monotonic()
    result = crawl_day("retry-after-503")
    assert (result.document_ids or result.not_modified) and time.monotonic() - started >= 1.5
    assert "'attrition/retry_after': 1" in result.log_tail


def test_retry_after_values():
    from scrapers.middlewares import retry_after_seconds

    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("0") == 0.0
    now = time.time()
    from datetime import datetime

    when = format_datetime(datetime.fromtimestamp(now + 60, tz=UTC), usegmt=True)
    assert 55 <= retry_after_seconds(when.encode(), now=now) <= 61
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_the_replay_answers_429_503_and_adds_latency(tmp_path):
    with ReplayServer(latency=0.2) as srv:
        url = srv.urls["russianwarship"] + "/api/v2/statistics/latest"
        started = time.monotonic()
        urllib.request.urlopen(url, timeout=5).read()
        assert time.monotonic() - started >= 0.2
        srv.add_fault("/russianwarship.rip/api/v2/statistics/latest", "http429", retry_after=7, times=1)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url, timeout=5)
        assert info.value.code == 429 and info.value.headers["Retry-After"] == "7"
        srv.add_fault("/russianwarship.rip/api/v2/statistics/latest", "http503", times=1)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url, timeout=5)
        assert info.value.code == 503 and info.value.headers["Retry-After"] == "1"


def test_no_fixed_crawl_timeout_shorter_than_the_work(monkeypatch):
    monkeypatch.delenv("ATTRITION_CRAWL_TIMEOUT", raising=False)
    whole = crawl_timeout("mod", date(2022, 2, 24), date(2026, 8, 8))
    days = (date(2026, 8, 8) - date(2022, 2, 24)).days + 1
    assert whole > days * 2 * 1.0 * 2  # two bulletins a day at one request a second, twice over
    assert crawl_timeout("mod", None, None) == 900  # the daily run: a handful of pages
    assert crawl_timeout("minfin", date(2022, 2, 24), date(2026, 8, 8)) > 600
    monkeypatch.setenv("ATTRITION_CRAWL_TIMEOUT", "0")
    assert crawl_timeout("mod", date(2022, 2, 24), date(2026, 8, 8)) is None  # left to execution_timeout


def test_a_progress_line_is_written_in_one_piece():
    """The crawls of a backfill report from threads of one process: each progress line goes out in one
    write, its newline included (print's two writes interleaved under load: a line lost its end)."""
    import io

    from etl.losses.progress import CrawlProgress

    class Writes(io.StringIO):
        def __init__(self):
            super().__init__()
            self.calls = []

        def write(self, text):
            self.calls.append(text)
            return super().write(text)

    out = Writes()
    progress = CrawlProgress("minfin", "test", "postgresql://nobody@127.0.0.1:1/none", out=out)
    line = progress.emit(final=True)
    assert line.startswith("progress minfin: ") and out.calls == [line + "\n"]
