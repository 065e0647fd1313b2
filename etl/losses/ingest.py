"""The ingestion pipeline: crawl → parse → load → quality gate (→ marts), for daily runs and backfills.

Used by the DAGs (dags/losses_daily.py, dags/losses_backfill.py) and by the CLI.  Crawls run as
``scrapy crawl`` subprocesses (etl.losses.crawl); the raw archive they write is committed as it arrives,
so a failed parse or load never loses a fetched document.  One unreadable document does not sink
a run: every document that parses is loaded (etl.losses.load.load_documents); each that does not stays in
raw.document, raises one ``parse_failure`` alert naming source, URL and field, and is listed in the
run's LoadResult.failed; the run then fails (IngestError) with that list, after the rest is loaded.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time

from etl.domain.calendar import KYIV
from etl.domain.model import SOURCES
from etl.errors import MessageError, one_line
from etl.losses.load import LoadResult, fetch_documents, parse_documents


class IngestError(MessageError):
    """Documents of a run could not be read; every other document of the run *was* loaded.

    ``result`` is the run's :class:`LoadResult` (``result.failed`` lists the documents left out),
    ``gate`` the quality gate's result when the caller ran it before raising.
    """

    SHOWN = 50

    def __init__(self, result: LoadResult, gate=None):
        self.result, self.gate = result, gate
        lines = result.failure_lines()
        shown = lines[: self.SHOWN]
        more = f"\n… and {len(lines) - self.SHOWN} more (see quality.alert)" if len(lines) > self.SHOWN else ""
        super().__init__(
            f"{len(lines)} document(s) could not be read; the other {result.documents} were loaded "
            "(the unreadable ones are kept in raw.document, one parse_failure alert each):\n" + "\n".join(shown) + more
        )

    @property
    def errors(self) -> list[dict]:
        return self.result.failed

    def summary(self) -> str:
        lines = self.result.failure_lines()
        first = lines[0] if lines else ""
        more = f" (and {len(lines) - 1} more document(s): see quality.alert)" if len(lines) > 1 else ""
        return one_line(f"{first}{more}; the other documents were loaded; the raw document is kept in raw.document")


class BulletinMissing(MessageError):
    """The bulletin of the target day is not (yet) published by a source."""


def record_failures(cur, failed: list[dict], run_id: str | None) -> None:
    """One ``parse_failure`` alert per document left out (incident key: source, URL, field, problem,
    so a retried or re-run run does not repeat it)."""
    from etl.warehouse.alerts import record_alert

    for f in failed:
        key = (
            "parse_failure:"
            + hashlib.sha256(f"{f['source']}|{f['url']}|{f['field']}|{f['problem']}".encode()).hexdigest()[:24]
        )
        record_alert(
            cur,
            "parse_failure",
            key,
            f"[attrition] {f['source']}: cannot parse {f['url']}",
            f"{f['source']}: {f['url']}: {f['field']}: {f['problem']}\n\nThe raw document is kept in "
            f"raw.document (id {f.get('document_id')}); it was left out of run {run_id}, whose other "
            "documents were loaded.",
            {
                "source": f["source"],
                "url": f["url"],
                "field": f["field"],
                "problem": f["problem"],
                "document_id": f.get("document_id"),
                "run_id": run_id,
            },
        )


def ingest(
    document_ids: list[int] | None = None,
    *,
    sources: list[str] | None = None,
    dsn: str | None = None,
    run_id: str | None = None,
    raise_failures: bool = True,
) -> LoadResult:
    """Parse the given archived documents (or all of ``sources``) and load every one that parses.

    A document that does not parse (or that the warehouse refuses) is left out: it stays in
    raw.document, gets one ``parse_failure`` alert, and is listed in ``LoadResult.failed``; the
    others are loaded and committed regardless.  Then, with ``raise_failures`` (the default),
    :class:`IngestError` carrying the result is raised; without it the result is returned and the
    caller fails the run once it has done the rest (the DAGs' ``check_documents`` task, the CLI).
    """
    from etl.losses.load import failure_of, load_documents, load_while_parsing, pipelined
    from etl.quality.bulk import collector_paused
    from etl.warehouse.db import transaction
    from etl.warehouse.runlock import lock_sources, spans_of

    with collector_paused(), transaction(dsn, run_id=run_id) as conn, conn.cursor() as cur:
        documents = fetch_documents(cur, ids=document_ids, sources=sources)
        if pipelined(documents):  # a rebuild: each chunk loaded while the next ones are parsed
            lock_sources(cur, dict.fromkeys(sorted({d.source for d in documents})), run_id)  # days not read yet
            result, parsed, errors = load_while_parsing(cur, documents)
            lock_sources(cur, spans_of(parsed), run_id)  # held already: now its name says the days
        else:
            parsed, errors = parse_documents(documents)
            lock_sources(cur, spans_of(parsed), run_id)  # a second run over a source waits, saying so
            result = load_documents(cur, parsed)
        result.failed = [failure_of(e, getattr(e, "document_id", None)) for e in errors] + result.failed
        record_failures(cur, result.failed, run_id)
    if result.failed and raise_failures:
        raise IngestError(result)
    return result


def rebuild(dsn: str | None = None, sources: list[str] | None = None, *, notify: bool = True):
    """Re-parse the whole raw archive (after a parser fix), load it and run the quality gate over
    everything; unchanged values change nothing.  Returns (LoadResult, GateResult); raises
    :class:`IngestError` (with both) after the gate when a document could not be read."""
    from etl.quality.gate import validate

    result = ingest(None, sources=list(sources or SOURCES), dsn=dsn, run_id="rebuild", raise_failures=False)
    gate = validate(dsn, run_id="rebuild", notify=notify)
    if result.failed:
        raise IngestError(result, gate)
    return result, gate


def crawl_source(
    source: str,
    *,
    date_from: date | None,
    date_to: date | None,
    run_id: str,
    dsn: str | None = None,
    skip_archived: bool = True,
) -> list[int]:
    """Run one spider (subprocess); returns the ids of every archived document this run saw.

    That includes the documents a conditional GET found unchanged (HTTP 304): re-running a range
    re-parses them, which changes nothing unless the parser changed.  ``skip_archived=False`` asks again
    for what this run id already archived (a sensor's next poke: the page may have changed since).
    """
    from etl.losses.crawl import crawl
    from etl.warehouse.db import connect

    settings = None if skip_archived else {"ATTRITION_SKIP_ARCHIVED": "0"}
    crawl(source, date_from=date_from, date_to=date_to, run_id=run_id, dsn=dsn, settings=settings)
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                """SELECT DISTINCT document_id FROM raw.fetch
                           WHERE run_id = %s AND source = %s AND document_id IS NOT NULL
                           ORDER BY document_id""",
                (run_id, source),
            )
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def days_in_documents(document_ids: list[int], dsn: str | None = None) -> dict[str, set[date]]:
    """Which days each source's documents carry (parsed in memory, nothing written)."""
    from etl.warehouse.db import connect

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


def backfill(
    date_from: date,
    date_to: date,
    sources: list[str] | None = None,
    *,
    dsn: str | None = None,
    run_id: str | None = None,
    notify: bool = True,
):
    """Crawl the sources over the range (in parallel, one subprocess each), load every document that
    parses, then run the quality gate over the range.  Returns (LoadResult, GateResult); raises
    :class:`IngestError` (with both) after the gate when a document could not be read."""
    from concurrent.futures import ThreadPoolExecutor

    from etl.quality.gate import validate
    from etl.warehouse.runlock import new_run_id

    run_id = run_id or new_run_id("cli-backfill")  # unique: never shared by two runs started together
    sources = list(sources or SOURCES)
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        futures = [
            pool.submit(crawl_source, s, date_from=date_from, date_to=date_to, run_id=run_id, dsn=dsn) for s in sources
        ]
        ids = [i for f in futures for i in f.result()]
    result = ingest(ids, dsn=dsn, run_id=run_id, raise_failures=False)
    gate = validate(dsn, date_from=date_from, date_to=date_to, run_id=run_id, notify=notify)
    if result.failed:
        raise IngestError(result, gate)
    return result, gate
