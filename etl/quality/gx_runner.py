"""Run the Great Expectations suites of ``expectations/*.json`` against the warehouse.

The check layer of the data-quality gate.  ``run_suites(dsn, date_from=, date_to=, sources=,
data_docs_dir=)`` validates the *candidate observations* of a scope (the current revisions in
``core.current_observation`` whose day lies in ``[date_from, date_to]`` and whose source is in
``sources``), records one ``quality.validation_run`` row per suite, builds GX Data Docs and returns
a :class:`ValidationReport` telling, per expectation, ``passed``, ``failed`` (bad data, with *all*
offending rows) or ``error`` (the check itself raised: broken SQL, lost connection, ...).

Importing this module is cheap: Great Expectations (about 3 s to import) is imported inside the
functions that need it, so a DAG file may import this module at top level.

How the scope reaches SQL without formatting anything into it: the scope is first written with
parameterized psycopg2 into ``quality.validation_run`` (one row per suite); the GX query assets
are fixed queries (``gx_suites.BATCH_QUERIES``) that read ``date_from``, ``date_to`` and ``sources``
from the row named by the session setting ``attrition.validation_run``, which each connection GX
takes from its pool gets (a parameter of ``set_config``) for the run being validated.  So the
assets, batch definitions and validation definitions are made once per process and reused by
every run (making and dropping them per run cost about 0.2 s a gate run).  The dates are parsed
into ``datetime.date`` and the sources checked against ``core.source`` beforehand, so a bad scope
is refused early with a clear message.
"""

from __future__ import annotations

import contextvars
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from etl.quality.gx_docs import RESULTS_SUBDIR, data_docs_site, render_docs
from etl.quality.gx_prestage import run_specs, stage_on_own_connection
from etl.quality.gx_results import ExpectationOutcome, SuiteOutcome, ValidationReport, _collect, _jsonable  # noqa: F401
from etl.quality.gx_suites import (  # noqa: F401
    BATCH_QUERIES,
    EXPECTATIONS_DIR,
    RUN_SETTING,
    RUN_SETTING_SQL,
    STAGED_BATCHES,
    ExpectationSpec,
    SuiteDefinitionError,
    SuiteSpec,
    _gx_expectation,
    load_suite,
)

DEFAULT_SUITES = ("observations_schema", "observations_monotonic")


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------
def _as_date(value, what: str) -> date:
    if isinstance(value, date):
        return date(value.year, value.month, value.day)  # a datetime becomes its date
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    raise ValueError(f"{what} must be a date or YYYY-MM-DD, not {value!r}")


def _check_sources(cur, sources: Iterable[str] | None) -> list[str]:
    cur.execute("SELECT code FROM core.source ORDER BY priority")
    known = [r[0] for r in cur.fetchall()]
    if sources is None:
        return known
    if isinstance(sources, str):
        sources = [sources]
    sources = list(dict.fromkeys(sources))
    unknown = [s for s in sources if s not in known]
    if unknown or not sources:
        raise ValueError(f"unknown sources {unknown} (known: {known})" if unknown else "no sources given")
    return sources


def sqlalchemy_url(dsn: str) -> str:
    """``postgresql+psycopg2://`` URL for a libpq DSN or ``postgresql://`` URL."""
    from psycopg2.extensions import parse_dsn
    from sqlalchemy.engine import URL

    params = parse_dsn(dsn)
    query = {k: v for k, v in params.items() if k not in ("host", "port", "user", "password", "dbname")}
    return URL.create(
        "postgresql+psycopg2",
        username=params.get("user"),
        password=params.get("password"),
        host=params.get("host"),
        port=int(params["port"]) if params.get("port") else None,
        database=params.get("dbname"),
        query=query,
    ).render_as_string(hide_password=False)


# ---------------------------------------------------------------------------------------------
# GX context (one per process, built on first use)
# ---------------------------------------------------------------------------------------------
_CONTEXT_LOCK = threading.Lock()
_CONTEXT: tuple[Path, Any] | None = None  # (Data Docs folder, GX's active context)


def _context(data_docs_dir: Path):
    """GX's context for a Data Docs folder (GX keeps one active context per process).  Suites and
    assets live in memory; the validation results are stored as files in ``<folder>/_results``, so
    every build of the Data Docs lists every validation run so far, from any process (each Airflow
    task is one)."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None or _CONTEXT[0] != data_docs_dir:
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
            config.stores[config.validation_results_store_name] = {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir / RESULTS_SUBDIR),
                },
            }
            ctx = gx.get_context(project_config=config, mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            _no_progress_monitor()
            _CONTEXT = (data_docs_dir, ctx)
        return _CONTEXT[1]


def _no_progress_monitor() -> None:
    """GX makes a (disabled) tqdm bar per validation, and tqdm starts a monitor thread for the first bar
    of a process; with the bars off it has nothing to watch, and a process with another thread running
    does not fork its parse (etl.losses.load.parse_workers), so the monitor is switched off."""
    import tqdm

    tqdm.tqdm.monitor_interval = 0


def _datasource(ctx, dsn: str):
    import hashlib

    name = "warehouse_" + hashlib.sha256(dsn.encode()).hexdigest()[:12]
    try:
        return ctx.data_sources.get(name)
    except Exception:  # noqa: BLE001 - GX raises KeyError or its own DataContextError for "not found"
        pass
    return ctx.data_sources.add_postgres(name, connection_string=sqlalchemy_url(dsn))


# A narrow scope (a day's gate: its window is at most a few months) is validated with sequential scans
# discouraged on GX's connections: the planner, which cannot know the scope's size (it is read from
# the quality.validation_run row), otherwise hashes the whole history for every check (60 ms a query
# on 64,000 observations where the index takes 10 ms, twice per unexpected_rows check: count, rows).
# And without JIT compilation: PostgreSQL (before 18) discourages a scan by adding 10^10 to its cost,
# which puts any plan that keeps one (a small table, the staged series) above the JIT thresholds, and
# compiling took 10-100 ms a query for a one-day scope's few thousand rows.  Planner settings change
# the plan and how it runs, never the result.  A wide scope keeps the server's defaults.
NARROW_SCOPE_DAYS = 200  # a day's gate checks its window, the day +- 60 days (gate_result.WINDOW_DAYS)
_NARROW: contextvars.ContextVar[bool] = contextvars.ContextVar("attrition_gx_narrow_scope", default=False)
# The quality.validation_run id being validated (this thread's run; "" outside a run: a query then fails)
_RUN: contextvars.ContextVar[str] = contextvars.ContextVar("attrition_gx_validation_run", default="")
_TUNED_ENGINES: weakref.WeakSet = weakref.WeakSet()
# The run's settings (the run validated, the scope's planner settings); %(local)s: for the transaction only
_RUN_SETTINGS_SQL = (
    "SELECT set_config(%(setting)s, %(run)s, %(local)s), "
    "set_config('enable_seqscan', CASE WHEN %(narrow)s THEN 'off' ELSE 'on' END, %(local)s), "
    "set_config('jit', CASE WHEN %(narrow)s THEN 'off' ELSE (SELECT reset_val FROM pg_settings WHERE name = 'jit') "
    "END, %(local)s)"
)


def _run_settings(cur, local: bool) -> None:
    """This thread's run and its scope's planner settings on ``cur``'s connection (see :data:`NARROW_SCOPE_DAYS`)."""
    cur.execute(_RUN_SETTINGS_SQL, {"setting": RUN_SETTING, "run": _RUN.get(), "narrow": _NARROW.get(), "local": local})


def _on_checkout(dbapi_connection, _record, _proxy) -> None:
    with dbapi_connection.cursor() as cur:
        _run_settings(cur, local=False)


def _tune_engine(datasource) -> None:
    """Once per engine: each connection GX takes from its pool gets the run being validated
    (``attrition.validation_run``) and the planner settings of its scope (see :data:`NARROW_SCOPE_DAYS`).
    Both engines: the one GX validates with and ``get_engine()``'s (the unexpected index queries)."""
    from sqlalchemy import event

    for engine in (datasource.get_execution_engine().engine, datasource.get_engine()):
        if engine not in _TUNED_ENGINES:
            event.listen(engine, "checkout", _on_checkout)
            _TUNED_ENGINES.add(engine)


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------
def run_suites(
    dsn: str,
    *,
    date_from,
    date_to,
    sources: Iterable[str] | None,
    data_docs_dir,
    suites: Iterable[str | Path] | None = None,
    airflow_run_id: str | None = None,
    build_docs: bool | None = True,
    on_runs: Callable[[dict[str, int]], Any] | None = None,
) -> ValidationReport:
    """Validate the candidate observations of a scope with every suite; see the module docstring.

    ``suites``: suite names under expectations/ or paths to suite files (default: all of
    :data:`DEFAULT_SUITES`).  ``build_docs=False`` leaves the Data Docs to a later call (the results
    are kept in the folder's store, so that call's build shows both), unless a check errors;
    ``build_docs=None`` builds them only when a suite of this call failed or errored (what the quality
    gate does for a run that has nothing to show).  ``on_runs``: called with {suite: its
    ``quality.validation_run`` id} as soon as those rows are committed, before any check.  Never raises
    for bad data nor for a check that errors: both are in the report (and in quality.validation_run).
    Raises ValueError for a bad scope or suite file.
    """
    import psycopg2

    started = time.perf_counter()
    date_from, date_to = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}")
    specs = [
        load_suite(s if isinstance(s, Path) or str(s).endswith(".json") else EXPECTATIONS_DIR / f"{s}.json")
        for s in (suites or DEFAULT_SUITES)
    ]
    data_docs_dir = Path(data_docs_dir).resolve()
    data_docs_dir.mkdir(parents=True, exist_ok=True)

    conn = psycopg2.connect(dsn, application_name="attrition-gx")
    try:
        with conn, conn.cursor() as cur:
            sources = _check_sources(cur, sources)
        ctx = _context(data_docs_dir)
        data_docs_site(ctx, data_docs_dir)
        datasource = _datasource(ctx, dsn)
        _tune_engine(datasource)
        narrow = _NARROW.set((date_to - date_from).days < NARROW_SCOPE_DAYS)  # this thread's run only
        try:
            run_ids = [_new_run(conn, s, date_from, date_to, sources, airflow_run_id) for s in specs]
            if on_runs is not None:
                on_runs({s.name: i for s, i in zip(specs, run_ids, strict=True)})
            run_one, unstage = partial(_run_suite, ctx, datasource, conn), partial(_unstage, conn)
            outcomes = run_specs(specs, run_ids, run_one, partial(stage_on_own_connection, dsn, _stage, _RUN), unstage)
        finally:
            _NARROW.reset(narrow)
        statuses = {o.outcome for o in outcomes}
        if build_docs or "error" in statuses or (build_docs is None and "failed" in statuses):
            docs_index = render_docs(ctx, data_docs_dir)
        else:
            docs_index = None
        with conn, conn.cursor() as cur:
            for s in outcomes:
                cur.execute(
                    "UPDATE quality.validation_run SET data_docs_path = %s WHERE id = %s",
                    (str(docs_index) if docs_index else None, s.validation_run_id),
                )
    finally:
        conn.close()
    return ValidationReport(
        date_from=date_from,
        date_to=date_to,
        sources=sources,
        suites=outcomes,
        data_docs_path=docs_index,
        seconds=time.perf_counter() - started,
    )


_SUITES: dict[tuple, tuple[Any, dict]] = {}  # (context, GX suite name, its specs) -> (suite, expectations)


def _suite(ctx, gx_name: str, spec: SuiteSpec, batch_specs: list[ExpectationSpec]):
    """GX's suite for one batch of a suite file, built and added to the context once per process
    (then reused by every run: building it again cost more than validating one day)."""
    import great_expectations as gx

    key = (id(ctx), gx_name, spec.description, repr(batch_specs))
    if key not in _SUITES:
        suite = gx.ExpectationSuite(name=gx_name, meta={"description": spec.description})
        gx_exps = {e.name: suite.add_expectation(_gx_expectation(e)) for e in batch_specs}
        _SUITES[key] = (ctx.suites.add_or_update(suite), gx_exps)
    return _SUITES[key]


_DEFINITIONS: dict[tuple, tuple[Any, Any, Any]] = {}  # (context, datasource, GX suite) -> (context, vd, expectations)


def _definition(ctx, datasource, spec: SuiteSpec, batch: str, batch_specs: list[ExpectationSpec]):
    """(validation definition, GX expectations) of one batch of a suite: its query asset, batch
    definition and validation definition, made once per process and context and reused by every
    run (the asset's query reads the run from the connection's ``attrition.validation_run``)."""
    import great_expectations as gx

    gx_name = spec.name if batch == "candidates" else f"{spec.name}__{batch}"
    key = (id(ctx), datasource.name, gx_name, spec.description, repr(batch_specs))
    cached = _DEFINITIONS.get(key)
    if cached is None or cached[0] is not ctx:
        asset_name = f"{spec.name}__{batch}"
        try:
            datasource.delete_asset(asset_name)  # one left by an earlier definition of the suite
        except Exception:  # noqa: BLE001 - GX raises its own "not found" errors
            pass
        asset = datasource.add_query_asset(asset_name, query=BATCH_QUERIES[batch])
        batch_def = asset.add_batch_definition_whole_table(asset_name)
        suite, gx_exps = _suite(ctx, gx_name, spec, batch_specs)
        vd = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=gx_name, data=batch_def, suite=suite)
        )
        cached = _DEFINITIONS[key] = (ctx, vd, gx_exps)
    return cached[1], cached[2]


def _new_run(conn, spec: SuiteSpec, date_from, date_to, sources, airflow_run_id) -> int:
    """A new ``quality.validation_run`` row for ``spec`` over the scope: its id."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO quality.validation_run (suite, date_from, date_to, sources, airflow_run_id) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (spec.name, date_from, date_to, sources, airflow_run_id),
        )
        run_id = cur.fetchone()[0]
    if not isinstance(run_id, int):  # the run the batch queries read (attrition.validation_run)
        raise TypeError(f"validation_run id {run_id!r} is not an int")
    return run_id


def _run_suite(ctx, datasource, conn, spec: SuiteSpec, run_id: int, staging=None) -> SuiteOutcome:
    """Validate ``spec`` as run ``run_id`` (its row made by :func:`_new_run`); ``staging``: the future
    of its staged batches when :func:`gx_prestage.run_specs` staged them ahead."""
    from psycopg2.extras import Json

    t0 = time.perf_counter()
    outcomes: list[ExpectationOutcome] = []
    suite_error = None
    current = _RUN.set(str(run_id))  # what this run's GX connections validate
    staged: dict[str, int] = {}  # batch -> rows staged
    try:
        for batch in spec.batches:
            batch_specs = [e for e in spec.expectations if e.batch == batch]
            try:
                if batch in spec.stages:
                    q = spec.stages[batch]  # staged ahead (gx_prestage) or now
                    staged[batch] = staging.result()[batch] if staging else _stage(conn, batch, q, run_id)
                vd, gx_exps = _definition(ctx, datasource, spec, batch, batch_specs)
                result = vd.run(
                    result_format={
                        "result_format": "COMPLETE",
                        "unexpected_index_column_names": ["id"],
                        "return_unexpected_index_query": True,
                        "partial_unexpected_count": 20,
                    },
                    run_id=_gx_run_id(run_id, batch),
                )
            except Exception as exc:  # noqa: BLE001 - the batch itself could not be validated
                msg = f"{type(exc).__name__}: {exc}"
                suite_error = suite_error or msg
                outcomes += [
                    ExpectationOutcome(spec.name, e.name, e.type, "error", e.description, error=msg)
                    for e in batch_specs
                ]
                continue
            outcomes += _collect(spec, batch_specs, gx_exps, vd, result, datasource, conn)
    finally:
        _RUN.reset(current)
        if staged:
            _unstage(conn, staged, run_id)

    outcome = (
        "error"
        if suite_error or any(o.status == "error" for o in outcomes)
        else "failed"
        if any(o.status == "failed" for o in outcomes)
        else "passed"
    )
    so = SuiteOutcome(spec.name, outcome, run_id, outcomes, time.perf_counter() - t0, suite_error)
    errors = "\n".join(f"{o.name}: {o.error}" for o in outcomes if o.status == "error") or suite_error
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE quality.validation_run SET finished_at = now(), outcome = %s, statistics = %s, error = %s "
            "WHERE id = %s",
            (outcome, Json(_jsonable(so.statistics)), errors, run_id),
        )
    return so


STAGE_LEFTOVER_HOURS = 1  # staged rows of a run this old that never finished (its process was killed) go
STAGE_TRUNCATE_ROWS = 10_000  # a run that staged this many rows truncates the table after it if it can


def _stage(conn, batch: str, query: str, run_id: int) -> int:
    """Fill the staged ``batch`` (:data:`gx_suites.STAGED_BATCHES`) for run ``run_id``: one
    ``INSERT ... SELECT`` of the suite's stage query over the run's candidates, on the runner's own
    connection with the run's setting and the scope's planner setting (as GX's connections have them).
    Rows left by finished runs, or by a killed one, are deleted first.  Returns the rows staged."""
    from psycopg2 import sql

    table, columns = STAGED_BATCHES[batch]
    ident = sql.Identifier(*table.split("."))
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    body = sql.SQL(query.format(batch="(" + BATCH_QUERIES["candidates"] + ")"))  # SQL of the suite file
    with conn, conn.cursor() as cur:
        _run_settings(cur, local=True)  # run_id is this thread's run (_RUN)
        cur.execute(
            sql.SQL(
                "DELETE FROM {} m USING quality.validation_run r WHERE r.id = m.validation_run_id AND r.id <> %s "
                "AND (r.finished_at IS NOT NULL OR r.started_at < now() - %s * interval '1 hour')"
            ).format(ident),
            (run_id, STAGE_LEFTOVER_HOURS),
        )
        cur.execute(
            sql.SQL("INSERT INTO {} (validation_run_id, {}) SELECT {}, {} FROM ({}) AS stage").format(
                ident, cols, sql.SQL(RUN_SETTING_SQL), cols, body
            )
        )
        return cur.rowcount


def _unstage(conn, staged: dict, run_id: int) -> None:
    """Remove the rows the run staged (``staged``: batch -> rows; they served its checks only).  After
    many rows the table is truncated when no other run has rows in it, so that it does not fill with
    dead rows every later scan reads until autovacuum comes; else the run's rows are deleted."""
    from psycopg2 import sql

    conn.rollback()  # whatever a failed check left open
    for batch, rows in staged.items():
        table = sql.Identifier(*STAGED_BATCHES[batch][0].split("."))
        with conn, conn.cursor() as cur:
            if rows >= STAGE_TRUNCATE_ROWS and _locked_alone(cur, table, run_id):
                cur.execute(sql.SQL("TRUNCATE {}").format(table))
            else:
                cur.execute(sql.SQL("DELETE FROM {} WHERE validation_run_id = %s").format(table), (run_id,))


def _locked_alone(cur, table, run_id: int) -> bool:
    """Whether ``table`` could be locked at once (``ACCESS EXCLUSIVE``, ``NOWAIT``: a run staging or
    reading meanwhile keeps it) and then holds no row of another run than ``run_id``.  The lock is
    held to the end of the transaction."""
    import psycopg2.errors
    from psycopg2 import sql

    cur.execute("SAVEPOINT attrition_unstage")
    try:
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE NOWAIT").format(table))
    except psycopg2.errors.LockNotAvailable:
        cur.execute("ROLLBACK TO SAVEPOINT attrition_unstage")
        return False
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE validation_run_id <> %s)").format(table), (run_id,))
    return not cur.fetchone()[0]


def _gx_run_id(validation_run_id: int, batch: str):
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=f"validation_run_{validation_run_id}_{batch}")
