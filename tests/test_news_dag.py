"""The news_claims DAG end to end: real Airflow (`airflow dags test`), the news spiders over the news
replay server on loopback, a real warehouse."""

from __future__ import annotations

import pytest
from helpers import dags_test
from test_news_pipeline import (
    CORPUS,
    ITALIAN,
    KI_DAILY,
    KI_GARBLED,
    NEWSWEEK,
    NEWSWEEK_NO_DATE,
    WRONG_TANKS,
    fixture_series,
    query,
    seed_series,
)

from etl.news.replay import NewsReplayServer
from etl.warehouse.migrate import migrate

pytestmark = pytest.mark.airflow


@pytest.fixture
def db(fresh_db) -> str:
    from datetime import date

    migrate(fresh_db)
    seed_series(fresh_db, fixture_series({(date(2025, 1, 15), "tanks"): WRONG_TANKS}))
    return fresh_db


def env_for(srv: NewsReplayServer, db: str) -> dict:
    return {
        "ATTRITION_WAREHOUSE_DSN": db,
        "ATTRITION_KYIV_INDEPENDENT_BASE_URL": srv.kyiv_independent_base,
        "ATTRITION_FAST": "1",
    }


def test_news_claims_stores_the_claims_and_records_the_mismatch(airflow_env, db):
    with NewsReplayServer.from_folder(CORPUS, names=[KI_DAILY, NEWSWEEK, ITALIAN]) as srv:
        conf = {"feeds": [srv.feed_url("newsweek"), srv.feed_url("generic")], "urls": []}
        proc = dags_test(airflow_env, "news_claims", conf, env_for(srv, db))
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert "news: 3 document(s), 3 article(s), 30 claim(s)" in proc.stdout
        assert f"news_mismatch: news_kyiv_independent: {srv.url_of(KI_DAILY)}: tanks cumulative" in proc.stdout
        by_source = query(db, "SELECT source, count(*) FROM mart.news_claims GROUP BY source ORDER BY source")
        assert by_source == [("news_article", 17), ("news_kyiv_independent", 13)]
        assert query(db, "SELECT kind, run_url IS NOT NULL FROM quality.alert") == [("news_mismatch", True)]


def test_news_claims_fails_naming_bad_articles_after_storing_the_others(airflow_env, db):
    with NewsReplayServer.from_folder(CORPUS, names=[KI_GARBLED, NEWSWEEK, NEWSWEEK_NO_DATE]) as srv:
        conf = {"feeds": [srv.feed_url("newsweek")], "urls": []}
        proc = dags_test(airflow_env, "news_claims", conf, env_for(srv, db))
        out = proc.stdout
        assert proc.returncode != 0
        assert "2 problem(s); the readable articles' claims were stored, the raw documents are kept" in out, out[-4000:]
        assert f"news_article: {srv.url_of(NEWSWEEK_NO_DATE)}: published date: no published date" in out
        assert f"news_kyiv_independent: {srv.url_of(KI_GARBLED)}: claim 2: personnel value: figure ',000'" in out
        stored = query(db, "SELECT url FROM core.news_article ORDER BY url")
        assert stored == sorted([(srv.url_of(KI_GARBLED),), (srv.url_of(NEWSWEEK),)])
        assert query(db, "SELECT count(*) FROM raw.document WHERE url = %s", (srv.url_of(NEWSWEEK_NO_DATE),)) == [(1,)]
