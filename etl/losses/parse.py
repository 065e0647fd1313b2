"""Parsing archived documents: once each, spread over forked workers for a large batch.

:func:`parse_documents` parses a batch (taking what :func:`parse_ahead` kept while a crawl ran);
:func:`parsed_in_chunks` gives a large batch's outcomes chunk by chunk as forked workers parse them, so
that etl.losses.load.load_while_parsing loads each while the next are parsed.  Every error is a
ParseError naming source, URL and field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

from etl.domain.model import Observation, Parsed, ParseError


@dataclass
class Document:
    id: int
    source: str
    url: str
    content_type: str | None
    body: bytes


# Documents parsed while their crawl ran (etl.losses.progress counts the days they cover), kept for
# the load of the same process so that each document is parsed once: {(source, URL, body): observations
# or the ParseError}.  Not keyed by the document's id alone: ids are per warehouse, and one process may
# work with several (a CLI given another DSN, the tests), where id 1 of one is not id 1 of the other.
# The oldest go past the cap.
_PARSED_AHEAD: dict[tuple[str, str, bytes], list[Observation] | ParseError] = {}
PARSED_AHEAD_CAP = 20_000


def parse_one(doc: Document) -> Parsed:
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
    """In a worker: parse ``_TO_PARSE[a:b]``; plain tuples back (cheaper to pickle than objects): (the
    observations' fields, the new keys) for a document that parsed, (None, the ParseError's fields) else."""
    out = []
    for doc in _TO_PARSE[bounds[0] : bounds[1]]:
        try:
            parsed = parse_one(doc)
            out.append(([tuple(getattr(o, f) for f in _OBS_FIELDS) for o in parsed], parsed.new_keys))
        except ParseError as exc:
            out.append((None, (exc.source, exc.url, exc.field, exc.problem)))
    return out


def _forked_workers(documents: list[Document]) -> int:
    """How many forked workers parse ``documents`` (1: none, the parse stays in this process)."""
    import multiprocessing

    workers = min(parse_workers(), len(documents) // (PARALLEL_MIN // 2) or 1)
    if len(documents) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return workers


def parsed_in_chunks(documents: list[Document]) -> Iterator[tuple[list[Document], list]]:
    """(documents, their outcomes) chunk by chunk, in order: each document's outcome is its observations
    or its ParseError.  A large batch is parsed by forked worker processes (the parse is pure CPU; the
    parent's connections are not touched) and each chunk is given as soon as it and those before it are
    parsed, so the caller can load it while the workers parse the next ones."""
    import multiprocessing

    workers = _forked_workers(documents)
    if workers < 2:
        outcomes = []
        for doc in documents:
            try:
                outcomes.append(parse_one(doc))
            except ParseError as exc:
                outcomes.append(exc)
        yield documents, outcomes
        return
    global _TO_PARSE
    _TO_PARSE = documents
    step = -(-len(documents) // (workers * PARSE_CHUNKS_PER_WORKER))
    bounds = [(a, min(a + step, len(documents))) for a in range(0, len(documents), step)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for (a, b), chunk in zip(bounds, pool.imap(_parse_slice, bounds), strict=True):
                yield documents[a:b], [_outcome(doc, raw) for doc, raw in zip(documents[a:b], chunk, strict=True)]
    finally:
        _TO_PARSE = []


# chunks a forked parse is cut into, per worker: the smaller, the sooner the load starts, up to a point (a rebuild's
# parse and load, quiet machine, best of three: 3, 6, 12, 24 a worker gave 1.72, 1.68, 1.47-1.57, 1.62 s; parse then
# load 1.69-1.76)
PARSE_CHUNKS_PER_WORKER = 12


def _outcome(doc: Document, raw: tuple):
    """A worker's plain tuples back to Observations (:class:`Parsed`, with the new keys), or to the
    document's ParseError."""
    rows, extra = raw
    if rows is None:
        err = ParseError(*extra)
        err.document_id = doc.id
        return err
    return Parsed([Observation(*t) for t in rows], extra)


def _parse_all(documents: list[Document]) -> list:
    """Each document's outcome (its observations or its ParseError), in order (:func:`parsed_in_chunks`)."""
    return [outcome for _docs, outcomes in parsed_in_chunks(documents) for outcome in outcomes]


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


def pipelined(documents: list[Document]) -> bool:
    """Whether ``documents`` are parsed by forked workers with nothing of them kept ahead (a rebuild):
    then etl.losses.load.load_while_parsing loads each chunk while the next ones are parsed."""
    return not _PARSED_AHEAD and _forked_workers(documents) >= 2
