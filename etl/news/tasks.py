"""Callables behind the ``news_claims`` DAG (dags/news_claims.py imports this lazily inside its tasks)."""

from __future__ import annotations

DAG_ID = "news_claims"


def _days(params: dict):
    from datetime import date

    try:
        date_from = date.fromisoformat(params["date_from"]) if params.get("date_from") else None
        date_to = date.fromisoformat(params["date_to"]) if params.get("date_to") else None
    except ValueError as exc:
        raise ValueError(f"date_from / date_to must be dates like 2024-07-28: {exc}") from None
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}: swap them")
    return date_from, date_to


def crawl(spider: str, params: dict, run_id: str) -> dict:
    """Run one news spider; returns the documents it archived and its fetch errors (never raises for
    those: the articles fetched are still read, and the extract task fails the run naming them)."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from etl.losses.crawl import CrawlError
    from etl.news.crawl import crawl_news
    from etl.news.feeds import DEFAULT_MATCH
    from etl.news.sources import split_list
    from etl.warehouse.run_ref import RunRef

    try:
        date_from, date_to = _days(params)
    except ValueError as exc:
        raise AirflowFailException(f"invalid parameters: {exc}") from None
    args: dict = {}
    if spider == "news_kyiv_independent":
        if not params.get("kyiv_independent", True):
            raise AirflowSkipException("kyiv_independent is off in the form")
    else:
        feeds, urls = split_list(params.get("feeds")), split_list(params.get("urls"))
        if not feeds and not urls:
            raise AirflowSkipException("no feeds and no article URLs in the form")
        match = params.get("match")
        args = {"feeds": feeds, "urls": urls, "match": DEFAULT_MATCH if match is None else (match or ".*")}
    try:
        # ATTRITION_FAST reaches the child through the environment (scrapers/settings.py), as in losses_daily
        result = crawl_news(spider, run=RunRef(run_id), args=args, date_from=date_from, date_to=date_to)
        errors = []
    except CrawlError as exc:
        result = exc.result
        errors = [
            {"spider": spider, "url": e.get("url"), "error": e.get("error")}
            for e in (result.errors if result is not None and result.errors else [])
        ] or [{"spider": spider, "url": exc.url, "error": exc.problem}]
    ids = list(result.document_ids) if result is not None else []
    print(
        f"{spider}: {len(ids)} document(s) archived, {len(result.not_modified) if result else 0} unchanged (304), "
        f"{len(errors)} error(s)"
    )
    for e in errors:
        print(f"{e['spider']}: {e['url']}: {e['error']}")
    return {"spider": spider, "document_ids": ids, "errors": errors}


def extract(crawls: list, params: dict, run_id: str) -> dict:
    """Read, extract, compare and store the claims of every document the crawls archived; fail the run
    (after storing the readable articles) when a fetch failed, a page is not a readable article, or a
    figure could not be read."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.config import airflow_run_url
    from etl.news.store import process_documents

    try:
        _days(params)
    except ValueError as exc:
        raise AirflowFailException(f"invalid parameters: {exc}") from None
    crawls = [c for c in crawls if isinstance(c, dict)]
    ids = sorted({i for c in crawls for i in c.get("document_ids", [])})
    fetch_errors = [e for c in crawls for e in c.get("errors", [])]
    result = process_documents(ids, run_id=run_id, run_url=airflow_run_url(DAG_ID, run_id))
    summary = result.summary()
    print(
        f"news: {result.documents} document(s), {result.articles} article(s), {result.claims} claim(s) "
        f"({result.written} article(s) written, {result.unchanged} unchanged); by claimant: {result.by_claimant}; "
        f"comparison with the bulletin series: {result.comparisons}"
    )
    for m in result.mismatches:
        print(
            f"news_mismatch: {m['source']}: {m['url']}: {m['category']} {m['measure']} as of {m['as_of']}: "
            f"article {m['value']}, series {m['bulletin_value']}"
        )
    from etl.warehouse.notify import deliver_pending

    print(deliver_pending().summary())  # the alerts just recorded (mismatches, unreadable pages), once each
    problems = [f"{e['spider']}: {e['url']}: {e['error']}" for e in fetch_errors] + [str(e) for e in result.errors]
    if problems:
        raise AirflowFailException(
            f"{len(problems)} problem(s); the readable articles' claims were stored, the raw documents are kept:\n"
            + "\n".join(problems)
        )
    return summary
