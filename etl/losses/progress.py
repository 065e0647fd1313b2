"""Progress of a running crawl, read from the raw archive it writes, printed at least every 30 s.

    progress = CrawlProgress("mod", run_id, dsn, date_from, date_to)
    progress.maybe_emit()      # called by etl.losses.crawl while the spider subprocess runs
    progress.emit(final=True)  # once it ended

Each line says, for one source: requests done (raw.fetch rows of the run: new, duplicate,
not modified or already archived, navigation, errors), documents archived, the days of the range
the archived documents cover (each new document is parsed in memory, nothing is written; the load of
the same process reuses that parse instead of parsing again), and the
time left, estimated from the share of the range covered so far (or, before any day is covered,
from the expected number of requests).  Lines go to stderr (the terminal; the Airflow task log
captures it), flushed.  The interval is ``ATTRITION_PROGRESS_SECONDS`` (default 30).
"""

from __future__ import annotations

import sys
import time
from datetime import date

from etl.config import SETTINGS

DEFAULT_INTERVAL = SETTINGS["ATTRITION_PROGRESS_SECONDS"].default

# Requests a backfill needs per day of its range, per source (upper bounds with live politeness):
# mod: one bulletin per language and day plus its share of the listing pages; minfin: one month page
# per language; russianwarship: one API page of 50 days.
REQUESTS_PER_DAY = {"mod": 2.1, "minfin": 2 / 30, "russianwarship": 1 / 50}


def interval() -> float:
    from etl.config import setting

    return max(0.5, setting("ATTRITION_PROGRESS_SECONDS"))


def expected_requests(source: str, date_from: date | None, date_to: date | None) -> int | None:
    if not (date_from and date_to):
        return None
    days = (date_to - date_from).days + 1
    return int(days * REQUESTS_PER_DAY.get(source, 2.0)) + 10


def _fmt_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds}s"
    if seconds < 5400:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class CrawlProgress:
    def __init__(
        self,
        source: str,
        run_id: str,
        dsn: str,
        date_from: date | None = None,
        date_to: date | None = None,
        *,
        every: float | None = None,
        out=None,
    ):
        self.source, self.run_id, self.dsn = source, run_id, dsn
        self.date_from, self.date_to = date_from, date_to
        self.every = interval() if every is None else every
        self.out = out
        self.started = time.monotonic()
        self.last_emit = self.started
        self.days: set[date] = set()
        self._parsed: set[int] = set()
        self._conn = None
        self.lines: list[str] = []

    # -- reading the archive ------------------------------------------------------------------------

    def _cursor(self):
        if self._conn is None:
            from etl.warehouse.db import connect

            self._conn = connect(self.dsn, application_name=f"attrition-progress-{self.source}")
            self._conn.autocommit = True
        return self._conn.cursor()

    def close(self) -> None:
        conn, self._conn = self._conn, None  # forgotten first, so a failing close leaves no half-closed link
        if conn is not None:
            conn.close()

    def snapshot(self) -> dict:
        """What the run has done so far (one query, plus parsing the documents not parsed yet)."""
        from etl.losses.load import Document, parse_ahead

        with self._cursor() as cur:
            cur.execute(
                """SELECT count(*), count(DISTINCT document_id), count(*) FILTER (WHERE outcome = 'error'),
                                  count(*) FILTER (WHERE outcome = 'not_modified')
                           FROM raw.fetch WHERE run_id = %s AND source = %s""",
                (self.run_id, self.source),
            )
            requests, documents, errors, unchanged = cur.fetchone()
            cur.execute(
                """SELECT d.id, d.source, d.url, d.content_type, d.body FROM raw.document d
                           WHERE d.id IN (SELECT document_id FROM raw.fetch WHERE run_id = %s AND source = %s
                                          AND document_id IS NOT NULL) AND NOT (d.id = ANY(%s))""",
                (self.run_id, self.source, list(self._parsed)),
            )
            docs = [Document(r[0], r[1], r[2], r[3], bytes(r[4])) for r in cur.fetchall()]
        self._parsed.update(d.id for d in docs)
        # parsed once: the load of this process takes these outcomes as they are (etl.losses.load.parse_ahead);
        # an unreadable one covers nothing, the load reports it
        parsed = parse_ahead(docs)
        for _doc, observations in parsed:
            self.days.update(o.as_of for o in observations if self._in_range(o.as_of))
        return {
            "requests": requests,
            "documents": documents,
            "errors": errors,
            "not_modified": unchanged,
            "days": len(self.days),
        }

    def _in_range(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)

    # -- the line -------------------------------------------------------------------------------------

    def range_days(self) -> int | None:
        if self.date_from and self.date_to:
            return (self.date_to - self.date_from).days + 1
        return None

    def time_left(self, snap: dict, elapsed: float) -> float | None:
        total = self.range_days()
        if total and snap["days"]:
            share = min(1.0, snap["days"] / total)
            return elapsed / share - elapsed if share < 1 else 0.0
        expected = expected_requests(self.source, self.date_from, self.date_to)
        if expected and snap["requests"]:
            return max(0.0, (expected - snap["requests"]) * elapsed / snap["requests"])
        return None

    def line(self, snap: dict, final: bool = False, state: str | None = None) -> str:
        elapsed = time.monotonic() - self.started
        total = self.range_days()
        days = f"{snap['days']}/{total} day(s) covered" if total else f"{snap['days']} day(s) covered"
        if final:
            left = state or "finished"
        else:
            eta = self.time_left(snap, elapsed)
            left = f"about {_fmt_seconds(eta)} left" if eta is not None else "time left unknown yet"
        extra = []
        if snap["not_modified"]:
            extra.append(f"{snap['not_modified']} unchanged or already archived")
        if snap["errors"]:
            extra.append(f"{snap['errors']} error(s)")
        return (
            f"progress {self.source}: {snap['requests']} request(s) done"
            + (f" ({', '.join(extra)})" if extra else "")
            + f", {snap['documents']} document(s) archived, {days}, {_fmt_seconds(elapsed)} elapsed, {left}"
        )

    def emit(self, final: bool = False, state: str | None = None) -> str | None:
        self.last_emit = time.monotonic()
        try:
            text = self.line(self.snapshot(), final=final, state=state)
        except Exception as exc:  # progress is a courtesy: never let it fail the crawl
            text = f"progress {self.source}: unavailable ({type(exc).__name__}: {exc})".splitlines()[0]
        self.lines.append(text)
        stream = self.out or sys.stderr
        # one write: print's text and its newline are two, which the crawls' threads interleave
        stream.write(text + "\n")
        stream.flush()
        return text

    def maybe_emit(self) -> str | None:
        if time.monotonic() - self.last_emit >= self.every:
            return self.emit()
        return None
