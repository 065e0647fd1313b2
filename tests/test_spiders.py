"""The spiders, the raw archive and the crawl runner (scrapers/, etl/losses/crawl.py).

Real HTTP over loopback against etl.replay.server.ReplayServer and a real warehouse (a fresh, migrated
database per test); never the internet.  Most tests use small snapshot CSVs written here; one test
per source backfills the whole bundled snapshot (data/replay) and checks every day was fetched.
Every crawl runs `scrapy crawl` as a subprocess through etl.losses.crawl.crawl(..., fast=True).
"""

from __future__ import annotations

import csv
import hashlib
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest
from helpers import free_port
from helpers import sql as query

from etl.domain import categories
from etl.losses.crawl import CrawlError, CrawlResult, crawl
from etl.replay.server import DEFAULT_DATA_DIR, ReplayServer

RUN = "test-run"


# --------------------------------------------------------------------------- helpers


def write_snapshot(path: Path, source: str, first: date, last: date, skip: tuple[date, ...] = ()) -> list[date]:
    """``<path>/<source>.csv`` with every category required on each day of first..last (less ``skip``)."""
    days, rows = [], []
    day, n = first, 0
    while day <= last:
        if day not in skip:
            days.append(day)
            for i, cat in enumerate(categories.valid_on(day)):
                rows.append([day.isoformat(), cat.code, 1000 + 10 * i + 3 * n])
            n += 1
        day += timedelta(days=1)
    with (path / f"{source}.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["as_of", "category", "cumulative"])
        w.writerows(rows)
    return days


MINFIN_FIRST, MINFIN_LAST = date(2024, 8, 1), date(2024, 10, 8)  # main page: 45 days from 2024-08-25
MOD_FIRST, MOD_LAST = date(2024, 9, 1), date(2024, 10, 10)  # mil.gov.ua until 10-06 (2 listing pages), then mod.gov.ua
RW_FIRST, RW_LAST = date(2024, 6, 1), date(2024, 8, 9)  # 70 days: 2 API pages of 50


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    d = tmp_path / "replay"
    d.mkdir()
    write_snapshot(d, "minfin", MINFIN_FIRST, MINFIN_LAST)
    write_snapshot(d, "mod", MOD_FIRST, MOD_LAST)
    write_snapshot(d, "russianwarship", RW_FIRST, RW_LAST)
    return d


@pytest.fixture
def server(snapshot: Path):
    with ReplayServer(snapshot) as srv:
        yield srv


def run(source: str, srv, db: str, **kw) -> CrawlResult:
    kw.setdefault("timeout", 300)
    return crawl(source, run_id=kw.pop("run_id", RUN), base_urls=srv.urls, dsn=db, fast=True, **kw)


def query_exec(dsn: str, sql: str, params=()) -> None:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
    finally:
        conn.close()


def fetch_rows(dsn: str, source: str | None = None) -> list[tuple]:
    """(url, outcome, http_status, document_id, error, run_id) in insertion order."""
    where, params = ("WHERE source = %s", (source,)) if source else ("", ())
    return query(
        dsn, f"SELECT url, outcome, http_status, document_id, error, run_id FROM raw.fetch {where} ORDER BY id", params
    )


def documents(dsn: str, ids=None) -> list[tuple]:
    """(id, source, url, http_status, content_type, headers, sha256, size_bytes, body)."""
    sql = "SELECT id, source, url, http_status, content_type, headers, sha256, size_bytes, body FROM raw.document"
    rows = query(
        dsn,
        sql + (" WHERE id = ANY(%s)" if ids is not None else "") + " ORDER BY id",
        (list(ids),) if ids is not None else (),
    )
    return [(*r[:8], bytes(r[8])) for r in rows]


def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def days_in(source: str, docs: list[tuple]) -> set[date]:
    """The days the archived documents carry, read with the source's parser (no completeness check)."""
    from importlib import import_module

    module = import_module(f"etl.losses.parsers.{source}")
    out: set[date] = set()
    for doc in docs:
        out |= {o.as_of for o in module.parse(doc[8], doc[2], doc[4])}
    return out


def csv_days(path: Path) -> set[date]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {date.fromisoformat(r["as_of"]) for r in csv.DictReader(fh)}


# --------------------------------------------------------------------------- byte-exact archive, dedup, 304


def test_minfin_daily_lands_main_pages_byte_exact_then_conditional_get(server, db):
    res = run("minfin", server, db)
    docs = documents(db)
    assert sorted(d[0] for d in docs) == sorted(res.document_ids) and len(docs) == 2
    urls = {server.urls["minfin"] + f"/{lang}/russian-invading/casualties/" for lang in ("ua", "en")}
    assert {d[2] for d in docs} == urls
    for _doc_id, source, url, status, ctype, headers, sha, size, body in docs:
        assert source == "minfin" and status == 200 and ctype == "text/html; charset=utf-8"
        assert body == http_get(url)  # byte-exact
        assert sha == hashlib.sha256(body).hexdigest() and size == len(body)
        assert set(headers) >= {"ETag", "Last-Modified", "Date", "Content-Type"}
    rows = fetch_rows(db)
    assert [(r[1], r[2], r[5]) for r in rows] == [("new", 200, RUN)] * 2
    # second run: the server answers 304 to the validators of the first; nothing is archived again
    res2 = run("minfin", server, db, run_id="second")
    assert sorted(res2.not_modified) == sorted(urls) and res2.document_ids == [] and res2.errors == []
    assert len(documents(db)) == 2
    new_rows = fetch_rows(db)[2:]
    assert {(r[1], r[2], r[5]) for r in new_rows} == {("not_modified", 304, "second")}
    assert {r[3] for r in new_rows} == {d[0] for d in docs}  # the 304 points at the archived document


def test_second_run_without_validators_stores_no_duplicate(server, db):
    first = run("russianwarship", server, db)
    query_exec(db, "UPDATE raw.fetch SET etag = NULL, last_modified = NULL")
    second = run("russianwarship", server, db, run_id="again")
    assert second.document_ids == first.document_ids and len(documents(db)) == 1
    assert [r[1] for r in fetch_rows(db)] == ["new", "duplicate"]


def test_a_changed_page_is_fetched_again_despite_old_validators(server, db, snapshot):
    run("russianwarship", server, db)
    # a stale ETag/Last-Modified: the server's page is newer, so it answers 200 and the body is archived
    query_exec(db, "UPDATE raw.fetch SET etag = '\"stale\"', last_modified = 'Mon, 01 Jan 2024 00:00:00 GMT'")
    query_exec(db, "DELETE FROM raw.fetch WHERE outcome = 'new'")  # keep only a row with stale validators...
    query_exec(
        db,
        "INSERT INTO raw.fetch (source, url, outcome, document_id, etag, last_modified) "
        "SELECT source, url, 'duplicate', id, '\"stale\"', 'Mon, 01 Jan 2024 00:00:00 GMT' FROM raw.document",
    )
    res = run("russianwarship", server, db, run_id="stale")
    assert res.not_modified == [] and len(res.document_ids) == 1
    assert fetch_rows(db)[-1][1] == "duplicate"  # same body as archived: 200 again, no second copy


# --------------------------------------------------------------------------- minfin backfill


def test_minfin_backfill_fetches_the_months_of_the_range(server, db):
    base = server.urls["minfin"]
    # early August only: the main page (2024-08-25..) is navigation, the month page is the document
    res = run("minfin", server, db, date_from=date(2024, 8, 2), date_to=date(2024, 8, 10))
    docs = documents(db, res.document_ids)
    assert {d[2] for d in docs} == {f"{base}/{lang}/russian-invading/casualties/2024-08/" for lang in ("ua", "en")}
    assert (f"{base}/ua/russian-invading/casualties/", "navigation", None) in {
        (r[0], r[1], r[3]) for r in fetch_rows(db)
    }
    assert days_in("minfin", docs) >= {date(2024, 8, 2) + timedelta(days=i) for i in range(9)}
    # a range reaching the main page's days: main pages archived too, month 2024-08 (partly shown)
    # again, unchanged since the first run (304)
    res = run("minfin", server, db, date_from=date(2024, 8, 20), date_to=date(2024, 9, 30), run_id="r2")
    assert {d[2] for d in documents(db, res.document_ids)} == {
        f"{base}/{lang}/russian-invading/casualties/" for lang in ("ua", "en")
    }
    assert set(res.not_modified) == {f"{base}/{lang}/russian-invading/casualties/2024-08/" for lang in ("ua", "en")}


# --------------------------------------------------------------------------- mod


def test_mod_backfill_discovers_bulletins_on_both_sites_and_stops_paging(server, db):
    lo, hi = date(2024, 9, 25), date(2024, 10, 8)
    res = run("mod", server, db, date_from=lo, date_to=hi)
    docs = documents(db, res.document_ids)
    want = {lo + timedelta(days=i) for i in range((hi - lo).days + 1)}
    mil_days = {d for d in want if d < date(2024, 10, 7)}
    # mil.gov.ua: one page per bulletin; mod.gov.ua: one search reply per language carries its bulletins
    pages = [d for d in docs if "/lookup/search" not in d[2]]
    replies = [d for d in docs if "/lookup/search" in d[2]]
    assert len(pages) == 2 * len(mil_days) and len(replies) == 2
    assert {(server.base_url + d[2][len(server.base_url) :]) for d in pages} == {
        server.bulletin_url(day, lang) for day in mil_days for lang in ("en", "uk")
    }
    assert days_in("mod", docs) >= want
    rows = fetch_rows(db)
    listings = [r for r in rows if "/news" in r[0] and r[0].rstrip("/").endswith(("news", "page=2"))]
    assert listings and all(r[1] == "navigation" and r[3] is None for r in listings)  # navigation: no document
    assert not any(d[2].rstrip("/").endswith("news") or "page=" in d[2] for d in documents(db))
    # the mil.gov.ua listing's page 1 reaches back past date_from: page 2 is never requested
    assert not any("page=2" in r[0] for r in rows)


def test_mod_lang_and_paging_to_older_pages(server, db):
    res = run("mod", server, db, date_from=date(2024, 9, 1), date_to=date(2024, 9, 3), lang="en")
    docs = documents(db, res.document_ids)
    assert [d[2] for d in docs] and all("/en/news/" in d[2] for d in docs)
    assert days_in("mod", docs) == {date(2024, 9, 1), date(2024, 9, 2), date(2024, 9, 3)}
    assert any(r[0].endswith("/mil.gov.ua/en/news/?page=2") for r in fetch_rows(db))


def test_mod_daily_fetches_the_newest_bulletins(server, db):
    res = run("mod", server, db)
    docs = documents(db, res.document_ids)
    assert days_in("mod", docs) >= {date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)}
    # mod.gov.ua: one search reply per language (tests/test_mod_discovery.py covers the rest)
    assert len(docs) == 2 and all("/mod.gov.ua/lookup/search" in d[2] for d in docs)


# --------------------------------------------------------------------------- russianwarship


def test_russianwarship_daily_and_paged_backfill(server, db):
    res = run("russianwarship", server, db)
    (latest,) = documents(db, res.document_ids)
    assert latest[2].endswith("/api/v2/statistics/latest") and days_in("russianwarship", [latest]) == {RW_LAST}
    res = run("russianwarship", server, db, date_from=RW_FIRST, date_to=RW_LAST, run_id="bf")
    pages = documents(db, res.document_ids)
    assert len(pages) == 2 and "offset=0&limit=50" in pages[0][2] and "offset=50" in pages[1][2]
    assert days_in("russianwarship", pages) == {RW_FIRST + timedelta(days=i) for i in range(70)}
    # again: every page 304; paging still follows next_url, read from the archived body
    res = run("russianwarship", server, db, date_from=RW_FIRST, date_to=RW_LAST, run_id="bf2")
    assert res.document_ids == [] and len(res.not_modified) == 2 and res.errors == []


# --------------------------------------------------------------------------- failures


def error_rows(db: str) -> list[tuple]:
    return [r for r in fetch_rows(db) if r[1] == "error"]


def test_http_500_after_retries_is_a_crawl_error_and_the_rest_is_kept(server, db):
    bad = server.bulletin_url(date(2024, 10, 2), "en")
    server.add_fault(bad[len(server.base_url) :], "http500")
    with pytest.raises(CrawlError) as err:
        run("mod", server, db, date_from=date(2024, 10, 1), date_to=date(2024, 10, 3))
    e = err.value
    assert e.source == "mod" and e.url == bad and "HTTP 500 after 3 retries" in e.problem
    assert str(e).startswith(f"mod: {bad}: HTTP 500 after 3 retries")
    assert error_rows(db) == [(bad, "error", 500, None, "HTTP 500 after 3 retries", RUN)]
    assert len(e.result.document_ids) == 5 and len(documents(db)) == 5  # the other bulletins are archived


def test_a_transient_500_is_retried_away(server, db):
    server.add_fault("/index.minfin.com.ua/en/russian-invading/casualties/", "http500", times=2)
    res = run("minfin", server, db)
    assert len(res.document_ids) == 2 and error_rows(db) == []


def test_a_timeout_is_a_crawl_error(server, db):
    path = "/index.minfin.com.ua/en/russian-invading/casualties/"
    server.add_fault(path, "hang", hang_seconds=5)
    with pytest.raises(CrawlError) as err:
        run("minfin", server, db, settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1})
    assert err.value.url == server.base_url + path and "timeout after 1s after 1 retries" in err.value.problem
    (row,) = error_rows(db)
    assert row[0] == server.base_url + path and row[2] is None and row[4].startswith("timeout")
    assert len(err.value.result.document_ids) == 1  # the Ukrainian page made it


def test_a_hanging_source_is_given_up_after_two_timeouts(server, db):
    server.add_fault("/index.minfin.com.ua/*", "hang", hang_seconds=5)
    with pytest.raises(CrawlError) as err:  # main page times out, so do the month pages of the fallback
        run(
            "minfin",
            server,
            db,
            date_from=date(2024, 1, 1),
            date_to=date(2024, 10, 8),
            settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 0},
        )
    assert err.value.url == server.urls["minfin"] + "/ua/russian-invading/casualties/"
    assert err.value.problem.startswith("timeout after 1s")
    assert len(error_rows(db)) == 2  # then the host counts as down: the rest is skipped, not timed out
    assert err.value.result.skipped and err.value.result.finish_reason == "source_unreachable"


def test_an_empty_body_is_archived_as_it_came(server, db):
    """An empty page is kept as evidence; the parser, not the spider, rejects it (by source, URL and field)."""
    server.add_fault("/russianwarship.rip/api/v2/statistics/latest", "empty")
    run("russianwarship", server, db)
    assert [r[1:3] for r in fetch_rows(db)] == [("new", 200)]
    docs = documents(db)
    assert len(docs) == 1 and docs[0][7] == 0 and docs[0][8] == b""


def test_an_oversized_response_is_a_crawl_error(server, db):
    path = "/russianwarship.rip/api/v2/statistics/latest"
    server.add_fault(path, "oversize", size=300_000)
    with pytest.raises(CrawlError) as err:
        run("russianwarship", server, db, settings={"DOWNLOAD_MAXSIZE": 100_000})
    assert err.value.source == "russianwarship" and err.value.url == server.base_url + path
    assert "oversized" in err.value.problem
    (row,) = error_rows(db)
    assert "oversized" in row[4] and "100000" in row[4]
    assert documents(db) == []


def test_a_dead_source_fails_promptly_naming_source_and_url(server, db):
    run("russianwarship", server, db)  # an earlier, successful run
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(CrawlError) as err:
        crawl(
            "russianwarship",
            run_id="dead",
            base_urls={"russianwarship": dead + "/russianwarship.rip"},
            dsn=db,
            timeout=120,
        )  # politeness settings as in production
    e = err.value
    assert e.source == "russianwarship" and e.url == dead + "/russianwarship.rip/api/v2/statistics/latest"
    assert "connection refused" in e.problem and e.result.finish_reason == "source_unreachable"
    assert [r[1:] for r in fetch_rows(db) if r[5] == "dead"] == [("error", None, None, e.problem, "dead")]
    assert len(documents(db)) == 1  # the earlier run's document is kept


def test_dead_mod_backfill_stops_at_the_first_unreachable_listing(server, db):
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CrawlError) as err:
        crawl(
            "mod",
            run_id="dead",
            date_from=date(2024, 9, 1),
            date_to=date(2024, 10, 10),
            dsn=db,
            fast=True,
            base_urls={"mod_mil": dead + "/mil.gov.ua", "mod": dead + "/mod.gov.ua"},
            timeout=120,
        )
    assert err.value.source == "mod" and err.value.url.startswith(dead) and "connection refused" in err.value.problem
    assert err.value.result.finish_reason == "source_unreachable"
    assert len(error_rows(db)) <= 4  # not one per guessed bulletin URL


def test_an_unreachable_listing_falls_back_to_the_known_url_patterns(server, db):
    server.add_fault("/mil.gov.ua/en/news/", "http500")
    with pytest.raises(CrawlError) as err:
        run("mod", server, db, date_from=date(2024, 9, 20), date_to=date(2024, 9, 22))
    listing = server.urls["mod_mil"] + "/en/news/"
    assert err.value.url == listing and "HTTP 500" in err.value.problem
    assert "falling back to the known URL patterns" in err.value.result.log_tail
    docs = documents(db, err.value.result.document_ids)
    assert {d[2] for d in docs} == {
        server.bulletin_url(date(2024, 9, d), lang) for d in (20, 21, 22) for lang in ("en", "uk")
    }


def test_a_redesigned_listing_is_an_error_and_falls_back(server, db):
    server.add_fault("/mil.gov.ua/news/", "redesign")
    with pytest.raises(CrawlError) as err:
        run("mod", server, db, date_from=date(2024, 9, 20), date_to=date(2024, 9, 20))
    assert err.value.url == server.urls["mod_mil"] + "/news/" and "no loss bulletin links" in err.value.problem
    assert len(err.value.result.document_ids) == 2  # en from the listing, uk by the URL pattern


def test_nothing_to_fetch_is_a_crawl_error(server, db):
    with pytest.raises(CrawlError, match=r"^mod: .*fetched nothing usable for 2023-01-01\.\.2023-01-05"):
        run("mod", server, db, date_from=date(2023, 1, 1), date_to=date(2023, 1, 5))


def test_listing_filter_and_dates():
    from scrapers.spiders.mod import is_bulletin, item_day, pattern_path

    assert is_bulletin("/en/news/2024/05/01/x/", "The total combat losses of the enemy from 24.02.2022 to 01.05.2024")
    assert is_bulletin("/news/bojovi-vtrati-voroga-na-1-travnya-2025-roku", "")
    assert is_bulletin("/news/2024/05/01/x/", "Загальні бойові втрати противника з 24.02.2022 по 01.05.2024")
    assert not is_bulletin("/en/news/2024/05/01/minister-met-partners/", "Minister met partners in Brussels")
    assert item_day(
        "", "/news/bojovi-vtrati-voroga-na-1-travnya-2025-roku", "Бойові втрати ворога на 1 травня 2025 року"
    ) == date(2025, 5, 1)
    assert item_day("", "/en/news/x", "The total combat losses of the enemy as of 7 October 2024") == date(2024, 10, 7)
    assert item_day("2022-12-30 09:00", "/en/news/2022/12/29/x/", "") == date(2022, 12, 30)
    assert pattern_path("mil", "en", date(2023, 3, 8)).endswith("-from-24-02-2022-to-08-03-2023/")


# --------------------------------------------------------------------------- the whole bundled snapshot


@pytest.mark.parametrize("source", ["minfin", "mod", "russianwarship"])
def test_whole_history_backfill_of_the_bundled_snapshot(source, db):
    data = Path(DEFAULT_DATA_DIR)
    want = csv_days(data / f"{source}.csv")
    with ReplayServer(data) as srv:
        res = run(source, srv, db, date_from=min(want), date_to=max(want), timeout=600)
    assert res.errors == [] and res.not_modified == []
    docs = documents(db, res.document_ids)
    assert days_in(source, docs) >= want


def test_no_warehouse_is_a_crawl_error_naming_it(server):
    with pytest.raises(
        CrawlError,
        match=r"^minfin: .*raw archive unavailable: (warehouse: )?cannot connect to the warehouse at "
        r"postgresql://nobody:\*\*\*@127\.0\.0\.1:1/nodb",
    ):
        crawl(
            "minfin",
            run_id="x",
            base_urls=server.urls,
            dsn="postgresql://nobody:pw@127.0.0.1:1/nodb",
            fast=True,
            timeout=120,
        )
