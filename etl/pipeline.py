"""The ingestion pipeline: crawl → parse → load → quality gate (→ marts), for daily runs and backfills.

Used by the DAGs (dags/losses_daily.py, dags/losses_backfill.py) and by the CLI.  Crawls run as
``scrapy crawl`` subprocesses (etl.crawl); the raw archive they write is committed as it arrives,
so a failed parse or load never loses a fetched document.  Parsing and loading of one run happen
in one transaction: a run loads all its documents or nothing.
"""
from __future__ import annotations

import hashlib
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from etl.load import LoadResult, fetch_documents, load, parse_documents
from etl.model import SOURCES, ParseError

KYIV = ZoneInfo("Europe/Kyiv")
WAR_START = date(2022, 2, 24)


class IngestError(RuntimeError):
    """Documents of a run could not be parsed; nothing of the run was loaded."""

    def __init__(self, errors: list[ParseError]):
        self.errors = errors
        lines = [str(e) for e in errors[:10]]
        more = f"\n… and {len(errors) - 10} more" if len(errors) > 10 else ""
        super().__init__(f"{len(errors)} document(s) could not be parsed; nothing was loaded:\n"
                         + "\n".join(lines) + more)


class BulletinMissing(RuntimeError):
    """The bulletin of the target day is not (yet) published by a source."""


def kyiv_today(now: datetime | None = None) -> date:
    """Today in Kyiv; ``ATTRITION_TODAY`` (a date) overrides it when no ``now`` is given.

    `attrition up` sets ``ATTRITION_TODAY`` to the snapshot's last day when the sources are a
    replay, so a run triggered with default parameters targets a day the replay serves.
    """
    if now is None and os.environ.get("ATTRITION_TODAY"):
        try:
            return date.fromisoformat(os.environ["ATTRITION_TODAY"])
        except ValueError:
            raise ValueError(f"ATTRITION_TODAY must be a date like 2026-08-08, not {os.environ['ATTRITION_TODAY']!r}") from None
    return (now or datetime.now(tz=KYIV)).astimezone(KYIV).date()


def _record_parse_failures(dsn: str | None, errors: list[ParseError], run_id: str | None) -> None:
    from etl.alerts import record_alert
    from etl.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        for err in errors:
            key = "parse_failure:" + hashlib.sha256(f"{err.source}|{err.url}|{err.field}|{err.problem}".encode()).hexdigest()[:24]
            record_alert(cur, "parse_failure", key, f"[attrition] {err.source}: cannot parse {err.url}",
                         f"{err}\n\nThe raw document is kept in raw.document; nothing of run {run_id} was loaded.",
                         {"source": err.source, "url": err.url, "field": err.field, "problem": err.problem,
                          "run_id": run_id})


def ingest(document_ids: list[int] | None = None, *, sources: list[str] | None = None, dsn: str | None = None,
           run_id: str | None = None) -> LoadResult:
    """Parse the given archived documents (or all of ``sources``) and load them in one transaction.

    Any parse error: an alert per document, IngestError, and nothing loaded.
    """
    from etl.db import transaction

    from etl.runlock import lock_sources, spans_of

    with transaction(dsn, run_id=run_id) as conn, conn.cursor() as cur:
        documents = fetch_documents(cur, ids=document_ids, sources=sources)
        parsed, errors = parse_documents(documents)
        if errors:
            conn.rollback()
        else:
            lock_sources(cur, spans_of(parsed), run_id)  # a second run over a source waits, saying so
            return load(cur, parsed)
    _record_parse_failures(dsn, errors, run_id)
    raise IngestError(errors)


def rebuild(dsn: str | None = None, sources: list[str] | None = None, *, notify: bool = True):
    """Re-parse the whole raw archive (after a parser fix), load it and run the quality gate over
    everything; unchanged values change nothing.  Returns (LoadResult, GateResult)."""
    from etl.quality.gate import validate

    result = ingest(None, sources=list(sources or SOURCES), dsn=dsn, run_id="rebuild")
    return result, validate(dsn, run_id="rebuild", notify=notify)


def crawl_source(source: str, *, date_from: date | None, date_to: date | None, run_id: str,
                 dsn: str | None = None) -> list[int]:
    """Run one spider (subprocess); returns the ids of every archived document this run saw.

    That includes the documents a conditional GET found unchanged (HTTP 304): re-running a range
    re-parses them, which changes nothing unless the parser changed.
    """
    from etl.crawl import crawl
    from etl.db import connect

    crawl(source, date_from=date_from, date_to=date_to, run_id=run_id, dsn=dsn)
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("""SELECT DISTINCT document_id FROM raw.fetch
                           WHERE run_id = %s AND source = %s AND document_id IS NOT NULL
                           ORDER BY document_id""", (run_id, source))
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def days_in_documents(document_ids: list[int], dsn: str | None = None) -> dict[str, set[date]]:
    """Which days each source's documents carry (parsed in memory, nothing written)."""
    from etl.db import connect

    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            documents = fetch_documents(cur, ids=document_ids)
    finally:
        conn.close()
    parsed, _ = parse_documents(documents)
    out: dict[str, set[date]] = {}
    for doc, observations in parsed:
        out.setdefault(doc.source, set()).update(o.as_of for o in observations)
    return out


def deadline_passed(target: date, deadline: str, now: datetime | None = None) -> bool:
    """Whether ``deadline`` (HH:MM, Kyiv time) of the target day is past."""
    hh, mm = (int(x) for x in deadline.split(":"))
    limit = datetime.combine(target, time(hh, mm), tzinfo=KYIV)
    return (now or datetime.now(tz=KYIV)) >= limit



def backfill(date_from: date, date_to: date, sources: list[str] | None = None, *, dsn: str | None = None,
             run_id: str | None = None, notify: bool = True):
    """Crawl the sources over the range (in parallel, one subprocess each), load everything in one
    transaction, then run the quality gate over the range.  Returns (LoadResult, GateResult)."""
    from etl.quality.gate import validate

    from concurrent.futures import ThreadPoolExecutor

    from etl.runlock import new_run_id

    run_id = run_id or new_run_id("cli-backfill")  # unique: never shared by two runs started together
    sources = list(sources or SOURCES)
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        futures = [pool.submit(crawl_source, s, date_from=date_from, date_to=date_to, run_id=run_id, dsn=dsn)
                   for s in sources]
        ids = [i for f in futures for i in f.result()]
    result = ingest(ids, dsn=dsn, run_id=run_id)
    return result, validate(dsn, date_from=date_from, date_to=date_to, run_id=run_id, notify=notify)
