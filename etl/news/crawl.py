"""Run a news spider as a ``scrapy crawl`` subprocess and say what it archived.

    result = crawl_news("news_article", run=RunRef("manual-1"), args={"feeds": "https://.../rss"})

Like :func:`etl.losses.crawl.crawl` (same child process, manifest and :class:`etl.losses.crawl.CrawlResult`), for the
spiders of :data:`etl.news.sources.SPIDERS`.  A crawl that fetched nothing is not an error here (the
day's article may not be out yet); fetch errors are: :class:`etl.losses.crawl.CrawlError` names the spider,
the URL and the problem, with the result (what was archived before) on it.
"""

from __future__ import annotations

from datetime import date

from etl.losses.crawl import CrawlResult, raise_for_outcome, run_spider
from etl.news.sources import KYIV_INDEPENDENT_SETTING, SPIDERS
from etl.warehouse.run_ref import RunRef


def crawl_news(
    spider: str,
    *,
    run: RunRef,
    args: dict | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    fast: bool = False,
    timeout: float = 900,
    settings: dict | None = None,
    kyiv_independent_base: str | None = None,
) -> CrawlResult:
    """Crawl ``spider`` as part of ``run`` (its id on every archived fetch; its warehouse, or the configured one)."""
    if spider not in SPIDERS:
        raise ValueError(f"unknown news spider {spider!r}; expected one of {', '.join(SPIDERS)}")
    if not run.run_id:
        raise ValueError("crawl_news needs the run's id: run=RunRef(run_id)")
    dsn = run.dsn
    if dsn is None:
        from etl.config import warehouse_dsn

        dsn = warehouse_dsn()
    extra = {KYIV_INDEPENDENT_SETTING: kyiv_independent_base.rstrip("/")} if kyiv_independent_base else {}
    extra.update(settings or {})
    spider_args = {
        **(args or {}),
        "date_from": date_from and date_from.isoformat(),
        "date_to": date_to and date_to.isoformat(),
    }
    result, log_text, timed_out, has_manifest = run_spider(
        spider, run_id=run.run_id, dsn=dsn, spider_args=spider_args, settings=extra, fast=fast, timeout=timeout
    )
    raise_for_outcome(spider, None, result, log_text, timed_out=timed_out, has_manifest=has_manifest, timeout=timeout)
    return result
