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

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from etl.domain.model import Observation, ParseError
from etl.losses.parse import (  # noqa: F401 - the parse's names, where the loader's callers import them
    PARALLEL_MIN,
    Document,
    _parse_all,
    parse_ahead,
    parse_documents,
    parse_one,
    parse_workers,
    parsed_in_chunks,
    pipelined,
)
from etl.quality.bulk import analyze_after_bulk, copy_field, foreign_keys_checked_once

PARSER_VERSION = "attrition-parsers/1"


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


def failure_of(error: ParseError, document_id: int | None = None) -> dict:
    return {
        "source": error.source,
        "url": error.url,
        "field": error.field,
        "problem": error.problem,
        "document_id": document_id,
    }


def _refused() -> tuple:
    """What one document's data can provoke (a value out of range, a constraint, a trigger's refusal); a
    lost connection or an error in our SQL is not isolated: it fails the whole load."""
    import psycopg2

    return (psycopg2.DataError, psycopg2.IntegrityError, psycopg2.InternalError)


def load_documents(cur, parsed: list[tuple[Document, list[Observation]]]) -> LoadResult:
    """Load every parsed document (in the caller's transaction); a document the database refuses is
    left out and listed in ``failed`` (field ``load``), the others are loaded all the same."""
    cur.execute("SAVEPOINT attrition_load_all")
    try:
        result = load(cur, parsed)
    except _refused():
        cur.execute("ROLLBACK TO SAVEPOINT attrition_load_all")
        return load_each(cur, parsed)
    cur.execute("RELEASE SAVEPOINT attrition_load_all")
    return result


def load_each(cur, parsed: list[tuple[Document, list[Observation]]]) -> LoadResult:
    """One savepoint per document (after the bulk load was refused): only the document at fault is left out."""
    result = LoadResult()
    for doc, observations in parsed:
        cur.execute("SAVEPOINT attrition_load_one")
        try:
            one = load(cur, [(doc, observations)])
        except _refused() as exc:
            cur.execute("ROLLBACK TO SAVEPOINT attrition_load_one")
            problem = (getattr(exc, "pgerror", None) or str(exc)).strip().splitlines()[0]
            result.failed.append(
                failure_of(ParseError(doc.source, doc.url, "load", f"refused by the warehouse: {problem}"), doc.id)
            )
            continue
        cur.execute("RELEASE SAVEPOINT attrition_load_one")
        result.merge(one)
    return result


def load_while_parsing(cur, documents: list[Document]) -> tuple[LoadResult, list, list[ParseError]]:
    """Parse and load a large batch (a rebuild) as :func:`parse_documents` then :func:`load_documents`
    would, with the same result, but each chunk is loaded as soon as it is parsed, while forked workers
    parse the next ones: the parse is the workers' CPU, the load this process's and the database's, so
    they overlap.  The chunks go in document order, under one savepoint: a refusal rolls all of them
    back and the rest is parsed, then every document is loaded under a savepoint of its own.  Returns
    (the load's result, what parsed, the parse errors)."""
    parsed: list[tuple[Document, list[Observation]]] = []
    errors: list[ParseError] = []
    chunks = parsed_in_chunks(documents)

    def take(docs, outcomes) -> list:
        ok = [(d, o) for d, o in zip(docs, outcomes, strict=True) if not isinstance(o, ParseError)]
        errors.extend(o for o in outcomes if isinstance(o, ParseError))
        parsed.extend(ok)
        return ok

    result = LoadResult()
    cur.execute("SAVEPOINT attrition_load_all")
    try:
        with foreign_keys_checked_once(cur, "core.observation") as keys:
            for docs, outcomes in chunks:
                part = load(cur, take(docs, outcomes), keys=keys, scale=len(documents) / max(len(docs), 1))
                result.merge(part)
        _analyze(cur, result.inserted + result.revised)
    except _refused():
        cur.execute("ROLLBACK TO SAVEPOINT attrition_load_all")
        for docs, outcomes in chunks:  # the rest of the parse
            take(docs, outcomes)
        return load_each(cur, parsed), parsed, errors
    cur.execute("RELEASE SAVEPOINT attrition_load_all")
    return result, parsed, errors


def _analyze(cur, rows: int) -> None:
    analyze_after_bulk(cur, "core.observation", rows)
    analyze_after_bulk(cur, "core.bulletin", rows)  # a bulk load: its bulletins too


def load(cur, parsed: list[tuple[Document, list[Observation]]], keys=None, scale: float = 1.0) -> LoadResult:
    """Merge parsed documents into core.bulletin and core.observation (in the caller's transaction).

    ``keys``: the :class:`~etl.quality.bulk.ForeignKeysOnce` of a load in chunks (:func:`load_while_parsing`;
    ``scale``: how many times this chunk the whole load is), which also leaves the ANALYZE to its caller."""
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
    if new_rows and keys is not None:
        keys.expect(int(len(new_rows) * scale))
        _insert_new(cur, new_rows)
    elif new_rows:
        with foreign_keys_checked_once(cur, "core.observation", len(new_rows)):
            _insert_new(cur, new_rows)
        _analyze(cur, len(new_rows))
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
    it is); returns their ids.  One statement: the new ones are those the INSERT returns, the others
    those its snapshot already held (no staging table: a rebuild loads in 24 chunks)."""
    rows = list({(r[1], r[2], r[7]): (r[1], r[2], r[7], r[8]) for r in staged}.values())
    cur.execute(
        """
        WITH k AS (SELECT * FROM unnest(%s::text[], %s::date[], %s::bigint[], %s::text[])
                                 AS k(source, as_of, document_id, url)),
             added AS (INSERT INTO core.bulletin (source, as_of, document_id, url, parser)
                       SELECT source, as_of, document_id, url, %s FROM k
                       ON CONFLICT (source, as_of, document_id) DO NOTHING
                       RETURNING source, as_of, document_id, id)
        SELECT source, as_of, document_id, id FROM added
        UNION ALL
        SELECT b.source, b.as_of, b.document_id, b.id FROM core.bulletin b JOIN k USING (source, as_of, document_id)""",
        (*([r[i] for r in rows] for i in range(4)), PARSER_VERSION),
    )
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


def _insert_new(cur, new_rows: list[list]) -> None:
    """COPY the new revisions straight into core.observation; a row superseded within this same load
    (its ``superseded_at`` slot True) gets the transaction's time, as ``now()`` would give it."""
    if any(row[-2] for row in new_rows):
        cur.execute("SELECT now()")
        now = cur.fetchone()[0].isoformat()
        for row in new_rows:
            row[-2] = now if row[-2] else None
    cur.copy_expert(f"COPY core.observation ({_NEW_COLUMNS}) FROM STDIN", _new_rows_buffer(new_rows))


def _new_rows_buffer(new_rows: list[list]) -> io.StringIO:
    """The new revisions in COPY's text format, as :func:`etl.quality.bulk.copy_buffer` writes them, a
    row at a time (half its time for a rebuild's 108,000 rows): the codes, dates and numbers as they
    are (codes of etl.domain: nothing to escape), the texts through ``copy_field``."""
    out = []
    for src, day, cat, rev, cum, inc, qual, doc, bul, sup, note in new_rows:
        out.append(
            f"{src}\t{day}\t{cat}\t{rev}\t{cum}\t{_N if inc is None else inc}\t"
            f"{_N if qual is None else copy_field(qual)}\t{_N if doc is None else doc}\t{_N if bul is None else bul}\t"
            f"{_N if sup is None else copy_field(sup)}\t{_N if note is None else copy_field(note)}\n"
        )
    return io.StringIO("".join(out))


_N = "\\N"  # COPY's NULL


def _same(old: tuple, new: tuple) -> bool:
    """Same cumulative and qualifier; a missing increase on either side is not a difference."""
    if old[0] != new[0] or old[2] != new[2]:
        return False
    return old[1] is None or new[1] is None or old[1] == new[1]
