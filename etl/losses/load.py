"""Parse archived documents and load their observations into ``core``.

The quality gate, etl.quality.gate, then decides what reaches the marts.

One unreadable document does not sink a run: :func:`load_documents` loads every document that
parsed, in the caller's transaction, in bulk under one savepoint; if the database refuses that
bulk load, it rolls back to the savepoint and loads each document under a savepoint of its own, so
only the document at fault is left out.  The documents left out (unparseable, or refused by the
database) are listed in :attr:`LoadResult.failed`, each naming source, URL and field; the caller
alerts and fails the run with that list *after* the rest is committed.  The bulletins are COPYed into
a temporary table and merged set-wise; the current values of the days the documents carry are read in
one query, each parsed observation is compared with them in Python (in document order), and the new
revisions are COPYed straight into core.observation (20,000 rows or more, as a rebuild into an empty core
or a first backfill writes, with its foreign keys checked once, set-wise, rather than row by row:
etl.quality.bulk.foreign_keys_checked_once):

* a (source, day, category) seen for the first time becomes revision 1;
* the same value again changes nothing (re-running a day is a no-op);
* a different value becomes a new revision; the old one is kept with ``superseded_at`` set,
  and the change is reported in :attr:`LoadResult.revisions`.

A missing "(+N)" in a later document does not count as a different value.  An observation's
``note`` (a category printed outside its validity, see etl.losses.parsers.finalize) is stored with it; the
keys a source printed that the parser does not know are recorded by :mod:`etl.losses.source_keys`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from etl.domain.model import Observation, ParseError
from etl.quality.bulk import analyze_after_bulk, copy_buffer, foreign_keys_checked_once

PARSER_VERSION = "attrition-parsers/1"


@dataclass
class Document:
    id: int
    source: str
    url: str
    content_type: str | None
    body: bytes


@dataclass
class LoadResult:
    documents: int = 0
    observations: int = 0
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    revisions: list[dict] = field(default_factory=list)
    days: dict[str, list[date]] = field(default_factory=dict)  # source -> sorted days in this run
    new_source_keys: list[dict] = field(default_factory=list)  # etl.losses.source_keys.record_new_keys
    # the documents left out: {"source", "url", "field", "problem", "document_id"} each (see module doc)
    failed: list[dict] = field(default_factory=list)

    def merge(self, other: LoadResult) -> LoadResult:
        """Add ``other`` (a later load of the same run) to this result."""
        self.documents += other.documents
        self.observations += other.observations
        self.inserted += other.inserted
        self.revised += other.revised
        self.unchanged += other.unchanged
        self.revisions += other.revisions
        self.new_source_keys += other.new_source_keys
        self.failed += other.failed
        for source, days in other.days.items():
            self.days[source] = sorted(set(self.days.get(source, [])) | set(days))
        return self

    def failure_lines(self) -> list[str]:
        """One line per document left out: ``source: URL: field: problem``."""
        return [f"{f['source']}: {f['url']}: {f['field']}: {f['problem']}" for f in self.failed]

    def gaps(self) -> dict[str, list[tuple[date, date]]]:
        """Per source, the runs of days missing between the first and last day of this run."""
        out: dict[str, list[tuple[date, date]]] = {}
        for source, days in self.days.items():
            missing = []
            for before, after in zip(days, days[1:], strict=False):
                if (after - before).days > 1:
                    missing.append((before + timedelta(days=1), after - timedelta(days=1)))
            out[source] = missing
        return out

    def summary(self) -> dict:
        gaps = self.gaps()
        return {
            "documents": self.documents,
            "observations": self.observations,
            "inserted": self.inserted,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "sources": {
                source: {
                    "days": len(days),
                    "first": days[0].isoformat() if days else None,
                    "last": days[-1].isoformat() if days else None,
                    "gaps": [[a.isoformat(), b.isoformat()] for a, b in gaps[source]],
                }
                for source, days in sorted(self.days.items())
            },
            "revisions": self.revisions[:50],
            **({"new_source_keys": self.new_source_keys} if self.new_source_keys else {}),
            "failed": list(self.failed),
        }


def fetch_documents(cur, ids: list[int] | None = None, sources: list[str] | None = None) -> list[Document]:
    """Archived documents by id, or every one of the given sources, oldest fetch first."""
    clauses, params = [], []
    if ids is not None:
        clauses.append("id = ANY(%s)")
        params.append(list(ids))
    if sources:
        clauses.append("source = ANY(%s)")
        params.append(list(sources))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    cur.execute(f"SELECT id, source, url, content_type, body FROM raw.document {where} ORDER BY fetched_at, id", params)
    return [Document(r[0], r[1], r[2], r[3], bytes(r[4])) for r in cur.fetchall()]


# Documents parsed while their crawl ran (etl.losses.progress counts the days they cover), kept for
# the load of the same process so that each document is parsed once: {(source, URL, body): observations
# or the ParseError}.  Not keyed by the document's id alone: ids are per warehouse, and one process may
# work with several (a CLI given another DSN, the tests), where id 1 of one is not id 1 of the other.
# The oldest go past the cap.
_PARSED_AHEAD: dict[tuple[str, str, bytes], list[Observation] | ParseError] = {}
PARSED_AHEAD_CAP = 20_000


def parse_one(doc: Document) -> list[Observation]:
    """Parse one document; raises ParseError (with ``document_id``) naming source, URL and field,
    for a parser bug too."""
    from etl.losses.parsers import parse_document

    try:
        return parse_document(doc.source, doc.body, doc.url, doc.content_type)
    except ParseError as exc:
        exc.document_id = doc.id
        raise
    except Exception as exc:  # a parser bug on one document: reported like an unreadable document
        err = ParseError(doc.source, doc.url, "parser", f"{type(exc).__name__}: {exc}")
        err.document_id = doc.id
        raise err from exc


def _ahead_key(doc: Document) -> tuple[str, str, bytes]:
    return doc.source, doc.url, doc.body


def parse_ahead(documents: list[Document]) -> list[tuple[Document, list[Observation]]]:
    """Parse documents now (while their crawl runs) and keep the outcome for :func:`parse_documents`
    in this process; returns what parsed."""
    parsed = []
    for doc in documents:
        try:
            outcome = parse_one(doc)
            parsed.append((doc, outcome))
        except ParseError as exc:
            outcome = exc
        _PARSED_AHEAD[_ahead_key(doc)] = outcome
    while len(_PARSED_AHEAD) > PARSED_AHEAD_CAP:
        _PARSED_AHEAD.pop(next(iter(_PARSED_AHEAD)))
    return parsed


PARALLEL_MIN = 300  # documents to parse before the parse is spread over worker processes
_TO_PARSE: list[Document] = []  # what the forked workers parse (inherited, not pickled)


def parse_workers() -> int:
    """Worker processes for a large parse: ``ATTRITION_PARSE_WORKERS``; its default 0 means one per core
    where forking is safe: not inside an Airflow task (a forked parse there was seen to hang) and not
    in a process running other threads (a fork copies their locks held, never their release)."""
    import os
    import threading

    from etl.config import setting

    workers = setting("ATTRITION_PARSE_WORKERS")
    if workers:
        return workers
    if os.environ.get("AIRFLOW_CTX_DAG_ID") or threading.active_count() > 1:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _parse_slice(bounds: tuple[int, int]) -> list:
    """In a worker: parse ``_TO_PARSE[a:b]``; plain tuples back (cheaper to pickle than objects)."""
    out = []
    for doc in _TO_PARSE[bounds[0] : bounds[1]]:
        try:
            out.append([tuple(getattr(o, f) for f in _OBS_FIELDS) for o in parse_one(doc)])
        except ParseError as exc:
            out.append((exc.source, exc.url, exc.field, exc.problem))
    return out


def _parse_all(documents: list[Document]) -> list:
    """Each document's outcome (its observations or its ParseError), in order; a large batch is parsed
    by forked worker processes (the parse is pure CPU; the parent's connections are not touched)."""
    import multiprocessing

    workers = min(parse_workers(), len(documents) // (PARALLEL_MIN // 2) or 1)
    if len(documents) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        outcomes = []
        for doc in documents:
            try:
                outcomes.append(parse_one(doc))
            except ParseError as exc:
                outcomes.append(exc)
        return outcomes
    global _TO_PARSE
    _TO_PARSE = documents
    step = -(-len(documents) // (workers * 4))
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = pool.map(_parse_slice, [(a, a + step) for a in range(0, len(documents), step)])
    finally:
        _TO_PARSE = []
    outcomes = []
    for doc, raw in zip(documents, (r for chunk in chunks for r in chunk), strict=False):
        if isinstance(raw, tuple):
            err = ParseError(*raw)
            err.document_id = doc.id
            outcomes.append(err)
        else:
            outcomes.append([Observation(*t) for t in raw])
    return outcomes


_OBS_FIELDS = tuple(f.name for f in fields(Observation))


def parse_documents(documents: list[Document]) -> tuple[list[tuple[Document, list[Observation]]], list[ParseError]]:
    """Parse every document (once: one parsed ahead by :func:`parse_ahead` is taken as it is; a large
    batch is spread over one worker process per core); returns what parsed and the errors (each
    naming source, URL and field)."""
    ahead = {}
    if _PARSED_AHEAD:  # nothing kept (a rebuild): no key to build, so no body is hashed for nothing
        for doc in documents:
            kept = _PARSED_AHEAD.pop(_ahead_key(doc), None)
            if kept is not None:
                ahead[doc.id] = kept
    todo = [doc for doc in documents if doc.id not in ahead]
    ahead.update(zip((doc.id for doc in todo), _parse_all(todo), strict=False))
    parsed, errors = [], []
    for doc in documents:
        outcome = ahead[doc.id]
        if isinstance(outcome, ParseError):
            outcome.document_id = doc.id  # this warehouse's document (a kept outcome may come from another's)
            errors.append(outcome)
        else:
            parsed.append((doc, outcome))
    return parsed, errors


def failure_of(error: ParseError, document_id: int | None = None) -> dict:
    return {
        "source": error.source,
        "url": error.url,
        "field": error.field,
        "problem": error.problem,
        "document_id": document_id,
    }


def load_documents(cur, parsed: list[tuple[Document, list[Observation]]]) -> LoadResult:
    """Load every parsed document (in the caller's transaction); a document the database refuses is
    left out and listed in ``failed`` (field ``load``), the others are loaded all the same."""
    import psycopg2

    # what one document's data can provoke (a value out of range, a constraint, a trigger's refusal);
    # a lost connection or an error in our SQL is not isolated: it fails the whole load
    refused = (psycopg2.DataError, psycopg2.IntegrityError, psycopg2.InternalError)
    cur.execute("SAVEPOINT attrition_load_all")
    try:
        result = load(cur, parsed)
    except refused:
        cur.execute("ROLLBACK TO SAVEPOINT attrition_load_all")
    else:
        cur.execute("RELEASE SAVEPOINT attrition_load_all")
        return result
    result = LoadResult()  # one document spoiled the bulk load: one savepoint per document finds it
    for doc, observations in parsed:
        cur.execute("SAVEPOINT attrition_load_one")
        try:
            one = load(cur, [(doc, observations)])
        except refused as exc:
            cur.execute("ROLLBACK TO SAVEPOINT attrition_load_one")
            problem = (getattr(exc, "pgerror", None) or str(exc)).strip().splitlines()[0]
            result.failed.append(
                failure_of(ParseError(doc.source, doc.url, "load", f"refused by the warehouse: {problem}"), doc.id)
            )
            continue
        cur.execute("RELEASE SAVEPOINT attrition_load_one")
        result.merge(one)
    return result


def load(cur, parsed: list[tuple[Document, list[Observation]]]) -> LoadResult:
    """Merge parsed documents into core.bulletin and core.observation (in the caller's transaction)."""
    from etl.losses.source_keys import record_new_keys

    result = LoadResult(documents=len(parsed))
    result.new_source_keys = record_new_keys(cur, parsed)
    staged = _staged_rows(parsed)
    result.observations = len(staged)
    if not staged:
        return result
    days: dict[str, set[date]] = defaultdict(set)
    for row in staged:
        days[row[1]].add(row[2])
    result.days = {source: sorted(d) for source, d in days.items()}
    bulletins = _bulletin_ids(cur, staged)
    current = _current_values(cur, days)
    new_rows, superseded = [], []
    for row in staged:  # in document order: a later document's different value is the newer revision
        key = (row[1], row[2], row[3])
        value = (row[4], row[5], row[6])
        cur_row = current.get(key)  # (id or None, index in new_rows, revision, value)
        if cur_row is None:
            revision = 1
            result.inserted += 1
        elif _same(cur_row[3], value):
            result.unchanged += 1
            continue
        else:
            revision = cur_row[2] + 1
            result.revised += 1
            if cur_row[0] is not None:
                superseded.append(cur_row[0])
            else:  # an earlier row of this same run: mark it superseded on insert
                new_rows[cur_row[1]][-2] = True
            result.revisions.append(_revision(key, cur_row[3], value, revision))
        current[key] = (None, len(new_rows), revision, value)
        new_rows.append([*key, revision, *value, row[7], bulletins[(key[0], key[1], row[7])], None, row[9]])

    if superseded:
        cur.execute("UPDATE core.observation SET superseded_at = now() WHERE id = ANY(%s)", (superseded,))
    if new_rows:
        _insert_new(cur, new_rows)
        analyze_after_bulk(cur, "core.observation", len(new_rows))
        analyze_after_bulk(cur, "core.bulletin", len(new_rows))  # a bulk load: its bulletins too
    return result


def _revision(key: tuple, old: tuple, new: tuple, revision: int) -> dict:
    """How LoadResult.revisions reports a changed value."""
    return {
        "source": key[0],
        "as_of": key[1].isoformat(),
        "category": key[2],
        "old": {"cumulative": old[0], "increase": old[1]},
        "new": {"cumulative": new[0], "increase": new[1]},
        "revision": revision,
    }


def _staged_rows(parsed: list[tuple[Document, list[Observation]]]) -> list[tuple]:
    """One row per parsed observation, in document order: (index, source, as_of, category, cumulative,
    increase, qualifier, document id, url, note)."""
    staged: list[tuple] = []
    for doc, observations in parsed:
        for obs in observations:
            staged.append(
                (
                    len(staged),
                    obs.source,
                    obs.as_of,
                    obs.category,
                    obs.cumulative,
                    obs.increase,
                    obs.qualifier,
                    doc.id,
                    doc.url,
                    obs.note,
                )
            )
    return staged


def _bulletin_ids(cur, staged: list[tuple]) -> dict[tuple[str, date, int], int]:
    """Record the bulletins (source, day, document) the staged rows come from (an existing one is kept as
    it is); returns their ids."""
    rows = list({(r[1], r[2], r[7]): (r[1], r[2], r[7], r[8]) for r in staged}.values())
    _copy_to_temp(cur, "stage_bulletin", "source text, as_of date, document_id bigint, url text", rows)
    cur.execute(
        """
        INSERT INTO core.bulletin (source, as_of, document_id, url, parser)
        SELECT source, as_of, document_id, url, %s FROM stage_bulletin
        ON CONFLICT (source, as_of, document_id) DO NOTHING""",
        (PARSER_VERSION,),
    )
    cur.execute("""
        SELECT b.source, b.as_of, b.document_id, b.id FROM core.bulletin b
        JOIN stage_bulletin s USING (source, as_of, document_id)""")
    return {(r[0], r[1], r[2]): r[3] for r in cur.fetchall()}


def _current_values(cur, days: dict[str, set[date]]) -> dict[tuple[str, date, str], tuple]:
    """The current (not superseded) observations of the given sources' days:
    {(source, day, category): (id, None, revision, (cumulative, increase, qualifier))} (the second slot is
    :func:`load`'s: the index of a row of its own)."""
    pairs = [(source, day) for source, source_days in days.items() for day in source_days]
    cur.execute(
        """
        SELECT o.id, o.source, o.as_of, o.category, o.revision, o.cumulative, o.increase, o.qualifier
        FROM core.observation o
        JOIN unnest(%s::text[], %s::date[]) AS k(source, as_of) USING (source, as_of)
        WHERE o.superseded_at IS NULL""",
        ([p[0] for p in pairs], [p[1] for p in pairs]),
    )
    return {(r[1], r[2], r[3]): (r[0], None, r[4], (r[5], r[6], r[7])) for r in cur.fetchall()}


# The columns of the new revisions (_insert_new's COPY, in this order).
_NEW_COLUMNS = (
    "source, as_of, category, revision, cumulative, increase, qualifier, document_id, bulletin_id, superseded_at, note"
)


def _copy_to_temp(cur, table: str, columns: str, rows: list[tuple]) -> None:
    """COPY ``rows`` into a fresh temporary ``table`` (``columns``: its column definitions, a constant of
    this module), dropped at commit; an older one of the same transaction (a second load) is dropped first."""
    cur.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    cur.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
    cur.copy_expert(f"COPY {table} FROM STDIN", copy_buffer(rows))


def _insert_new(cur, new_rows: list[list]) -> None:
    """COPY the new revisions straight into core.observation; a row superseded within this same load
    (its ``superseded_at`` slot True) gets the transaction's time, as ``now()`` would give it."""
    if any(row[-2] for row in new_rows):
        cur.execute("SELECT now()")
        now = cur.fetchone()[0].isoformat()
        for row in new_rows:
            row[-2] = now if row[-2] else None
    with foreign_keys_checked_once(cur, "core.observation", len(new_rows)):
        cur.copy_expert(f"COPY core.observation ({_NEW_COLUMNS}) FROM STDIN", copy_buffer(new_rows))


def _same(old: tuple, new: tuple) -> bool:
    """Same cumulative and qualifier; a missing increase on either side is not a difference."""
    if old[0] != new[0] or old[2] != new[2]:
        return False
    return old[1] is None or new[1] is None or old[1] == new[1]
