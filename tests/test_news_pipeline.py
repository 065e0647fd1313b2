"""News spiders, storage and comparison against a real warehouse (a fresh, migrated database per test).

The spiders run as `scrapy crawl` subprocesses (etl.news.crawl) against etl.news.replay.NewsReplayServer
on loopback, which renders our own fixture articles (tests/fixtures/news/corpus) as five kinds of news
page plus RSS, Atom and sitemap listings.  The accepted bulletin series is put in the warehouse from
tests/fixtures/news/series.csv (see seed_series).
"""

from __future__ import annotations

import contextlib
import csv
from datetime import date

import psycopg2
import pytest
from helpers import REPO

from etl.losses.crawl import CrawlError
from etl.news.crawl import crawl_news
from etl.news.replay import NewsReplayServer
from etl.news.store import process_documents
from etl.warehouse.migrate import migrate
from etl.warehouse.run_ref import RunRef

FIXTURES = REPO / "tests" / "fixtures" / "news"
CORPUS = FIXTURES / "corpus"
KI_DAILY = "01_ki_daily_2025-01-15"
KI_GARBLED = "14_garbled_number_2024-12-31"
NEWSWEEK = "03_newsweek_weekday_2024-11-20"
NEWSWEEK_NO_DATE = "15_weekday_no_date_2023-12-29"
AP = "04_ap_wire_2024-05-10"
ITALIAN = "07_ansa_it_2024-09-12"
WRONG_TANKS = 9781  # the series' tanks on 2025-01-15 for this test; the Kyiv Independent article says 9,780


def query(dsn: str, sql: str, params=()) -> list[tuple]:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def seed_series(dsn: str, rows: list[tuple[date, str, int]]) -> None:
    """Put an accepted bulletin series in the warehouse, where mart.daily_losses_long reads it.

    The news code only reads mart.daily_losses_long (as_of, category, cumulative).  The accepted values
    live in core.accepted once the quality gate's migration is there, else the mart is built from
    core.observation; the rows go where the mart reads them, then the mart is refreshed."""
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('core.accepted') IS NOT NULL")
        if cur.fetchone()[0]:
            cur.executemany(
                "INSERT INTO core.accepted (as_of, category, cumulative, status, accepted_source, sources_agreeing, "
                "sources_reporting) VALUES (%s, %s, %s, 'single_source', 'mod', '{mod}', '{mod}')",
                rows,
            )
        else:
            cur.executemany(
                "INSERT INTO core.observation (source, as_of, category, cumulative) VALUES ('mod', %s, %s, %s)", rows
            )
        cur.execute("REFRESH MATERIALIZED VIEW mart.daily_losses_long")


def fixture_series(overrides: dict | None = None) -> list[tuple[date, str, int]]:
    out = []
    with open(FIXTURES / "series.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (date.fromisoformat(row["as_of"]), row["category"])
            out.append((*key, (overrides or {}).get(key, int(row["cumulative"]))))
    return out


@pytest.fixture
def db(fresh_db) -> str:
    migrate(fresh_db)
    seed_series(fresh_db, fixture_series({(date(2025, 1, 15), "tanks"): WRONG_TANKS}))
    return fresh_db


@pytest.fixture
def server():
    names = [KI_DAILY, KI_GARBLED, NEWSWEEK, NEWSWEEK_NO_DATE, AP, ITALIAN]
    with NewsReplayServer.from_folder(CORPUS, names=names) as srv:
        yield srv


def crawl(spider: str, db: str, run_id: str, **kw):
    """One news spider's crawl of the replay, fast, with the tests' timeout."""
    return crawl_news(spider, run=RunRef(run_id, dsn=db), fast=True, timeout=300, **kw)


def crawl_ki(srv: NewsReplayServer, db: str, run_id: str, **kw):
    return crawl("news_kyiv_independent", db, run_id, kyiv_independent_base=srv.kyiv_independent_base, **kw)


def crawl_all(srv: NewsReplayServer, db: str, run_id: str = "t", **kw) -> list[int]:
    ki = crawl_ki(srv, db, run_id, **kw)
    feeds = [srv.feed_url("newsweek"), srv.feed_url("ap", atom=True), srv.feed_url("generic")]
    generic = crawl("news_article", db, run_id, args={"feeds": feeds}, **kw)
    return ki.document_ids + generic.document_ids


def test_spiders_archive_the_articles_and_claims_are_stored_compared_and_alerted(server, db, warehouse):
    ids = crawl_all(server, db)
    assert len(ids) == 6
    docs = dict(query(db, "SELECT url, source FROM raw.document"))
    assert docs[server.url_of(KI_DAILY)] == "news_kyiv_independent"
    assert docs[server.url_of(NEWSWEEK)] == "news_article" and docs[server.url_of(ITALIAN)] == "news_article"
    nav = query(db, "SELECT url FROM raw.fetch WHERE outcome = 'navigation' ORDER BY id")
    assert [u for (u,) in nav][0].endswith("/kyivindependent.com/rss/")

    result = process_documents(ids, dsn=db, run_id="t")
    assert (result.documents, result.articles) == (6, 5)
    # bad input: named by source, URL and field; the raw documents are kept
    errors = sorted(map(str, result.errors))
    assert errors == sorted(
        [
            f"news_article: {server.url_of(NEWSWEEK_NO_DATE)}: published date: no published date in the page's "
            "metadata (JSON-LD datePublished, article:published_time, <time datetime>)",
            f"news_kyiv_independent: {server.url_of(KI_GARBLED)}: claim 2: personnel value: figure ',000' starts "
            "with a separator (digits missing)",
        ]
    )
    assert query(db, "SELECT count(*) FROM raw.document WHERE url = %s", (server.url_of(NEWSWEEK_NO_DATE),)) == [(1,)]

    # the claims, with their dates and comparisons, in the mart
    ki = query(
        db,
        "SELECT category, measure, value, as_of, date_method, bulletin_value, comparison FROM mart.news_claims "
        "WHERE url = %s ORDER BY claim_id",
        (server.url_of(KI_DAILY),),
    )
    day = date(2025, 1, 15)
    assert ki[:3] == [
        ("personnel", "cumulative", 812670, day, "explicit", 812670, "match"),
        ("personnel", "daily_increase", 1580, day, "explicit", 1580, "match"),
        ("tanks", "cumulative", 9780, day, "explicit", WRONG_TANKS, "mismatch"),
    ]
    assert len(ki) == 13 and {r[6] for r in ki[3:]} == {"match"}
    italian = query(
        db,
        "SELECT language, count(*), min(as_of), max(date_method) FROM mart.news_claims WHERE url = %s "
        "GROUP BY language",
        (server.url_of(ITALIAN),),
    )
    assert italian == [("it", 12, date(2024, 9, 12), "weekday")]
    garbled = query(db, "SELECT status, value, problem FROM mart.news_claims WHERE status = 'unparseable'")
    assert garbled == [("unparseable", None, "figure ',000' starts with a separator (digits missing)")]
    others = query(
        db,
        "SELECT claimant, subject, category, value FROM mart.news_claims "
        "WHERE claimant <> 'ua_general_staff' ORDER BY value",
    )
    assert others == [
        ("ru_defense_ministry", "ua_forces", "casualties_total", 1760),
        ("us_intelligence", "ru_forces", "casualties_total", 600000),
    ]

    # the mismatch is an alert and never changes the series
    alerts = query(db, "SELECT kind, severity, details->>'url', details->>'category' FROM quality.alert ORDER BY kind")
    assert alerts == [
        ("news_mismatch", "warning", server.url_of(KI_DAILY), "tanks"),
        ("news_parse_failure", "error", server.url_of(NEWSWEEK_NO_DATE), None),
        ("news_unparseable", "warning", server.url_of(KI_GARBLED), None),
    ]
    body = query(db, "SELECT body FROM quality.alert WHERE kind = 'news_mismatch'")[0][0]
    assert "the article says 9780" in body and f"series has {WRONG_TANKS}" in body and "unchanged" in body
    assert query(
        db, "SELECT cumulative FROM mart.daily_losses_long WHERE as_of = %s AND category = 'tanks'", (day,)
    ) == [(WRONG_TANKS,)]

    # again: nothing changes, no second alert
    before = query(db, "SELECT id, xmin::text FROM core.claim ORDER BY id")
    again = process_documents(ids, dsn=db, run_id="t2")
    assert (again.written, again.unchanged) == (0, 5)
    assert query(db, "SELECT id, xmin::text FROM core.claim ORDER BY id") == before
    assert query(db, "SELECT count(*) FROM quality.alert") == [(3,)]

    # the reader role reads the mart
    dbname = query(db, "SELECT current_database()")[0][0]
    reader = warehouse.dsn(reader=True, dbname=dbname)
    assert query(reader, "SELECT count(*) FROM mart.news_claims") == query(db, "SELECT count(*) FROM core.claim")


def test_a_series_correction_reaches_the_comparison_but_claims_stay(server, db):
    ids = crawl_all(server, db)
    process_documents(ids, dsn=db)
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('core.accepted') IS NOT NULL")
        table = "core.accepted" if cur.fetchone()[0] else "core.observation"
        cur.execute(f"UPDATE {table} SET cumulative = 9780 WHERE as_of = '2025-01-15' AND category = 'tanks'")
        cur.execute("REFRESH MATERIALIZED VIEW mart.daily_losses_long")
    again = process_documents(ids, dsn=db)
    assert again.written == 1  # only the Kyiv Independent article's comparison changed
    assert query(db, "SELECT comparison FROM mart.news_claims WHERE category = 'tanks' AND value = 9780") == [
        ("match",)
    ]


def test_redesigned_page_and_feed_faults_are_named(server, db):
    server.add_fault(server.url_of(ITALIAN), "redesign")
    server.add_fault("/feeds/ap.atom", "empty")
    ki = crawl_ki(server, db, "f")
    with pytest.raises(CrawlError) as err:
        crawl("news_article", db, "f", args={"feeds": [server.feed_url("ap", atom=True), server.feed_url("generic")]})
    assert str(err.value) == f"news_article: {server.feed_url('ap', atom=True)}: feed unusable: empty feed"
    fetched = err.value.result.document_ids  # the generic feed's article was still archived
    result = process_documents(ki.document_ids + fetched, dsn=db)
    assert [str(e).split(": ")[:3] for e in result.errors if "article body" in str(e)] == [
        ["news_article", server.url_of(ITALIAN), "article body"]
    ]
    assert query(db, "SELECT count(*) FROM raw.document WHERE url = %s", (server.url_of(ITALIAN),)) == [(1,)]


def test_kyiv_independent_backfill_reads_the_sitemap_for_the_range(server, db):
    result = crawl_ki(server, db, "b", date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    urls = [u for (u,) in query(db, "SELECT url FROM raw.document WHERE id = ANY(%s)", (result.document_ids,))]
    assert urls == [server.url_of(KI_DAILY)]
    assert query(db, "SELECT url FROM raw.fetch WHERE outcome = 'navigation'")[0][0].endswith("/sitemap-posts.xml")


def test_article_urls_without_a_feed(server, db):
    result = crawl("news_article", db, "u", args={"urls": [server.url_of(AP)]})
    assert len(result.document_ids) == 1
    stored = process_documents(result.document_ids, dsn=db)
    assert stored.errors == [] and stored.articles == 1
    assert query(db, "SELECT title, published_at::date FROM core.news_article") == [
        ("Russia presses offensive near Kharkiv as Ukraine reports heavy enemy losses", date(2024, 5, 10))
    ]
