"""Run the Great Expectations suites of ``expectations/*.json`` against the warehouse.

The check layer of the data-quality gate.  ``run_suites(dsn, date_from=, date_to=, sources=,
data_docs_dir=)`` validates the *candidate observations* of a scope (the current revisions in
``core.current_observation`` whose day lies in ``[date_from, date_to]`` and whose source is in
``sources``), records one ``quality.validation_run`` row per suite, builds GX Data Docs and returns
a :class:`ValidationReport` telling, per expectation, ``passed``, ``failed`` (bad data, with *all*
offending rows) or ``error`` (the check itself raised: broken SQL, lost connection, ...).

Importing this module is cheap: Great Expectations (about 3 s to import) is imported inside the
functions that need it, so a DAG file may import this module at top level.

How the scope reaches SQL without formatting user input into it: the scope is first written with
parameterized psycopg2 into ``quality.validation_run`` (one row per suite); the GX query assets
are then built from two fixed templates whose only substituted value is that row's integer id
(``RETURNING id``, checked with ``isinstance(..., int)``).  The queries read ``date_from``,
``date_to`` and ``sources`` from the row.  The dates are parsed into ``datetime.date`` and the
sources checked against ``core.source`` beforehand, so a bad scope is refused early with a clear
message.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from etl.errors import InputError

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
DEFAULT_SUITES = ("observations_schema", "observations_monotonic")

# The two batches a suite can validate.  {run_id} is the only substitution: an int we generated.
BATCH_QUERIES = {
    "candidates": (
        "SELECT o.id, o.source, o.as_of, o.category, o.revision, o.cumulative, o.increase "
        "FROM core.current_observation o "
        "JOIN quality.validation_run r "
        "ON o.source = ANY (r.sources) AND o.as_of BETWEEN r.date_from AND r.date_to "
        "WHERE r.id = {run_id}"
    ),
    "accepted": (
        "SELECT a.as_of, a.category, a.cumulative, a.status "
        "FROM core.accepted a "
        "JOIN quality.validation_run r ON a.as_of BETWEEN r.date_from AND r.date_to "
        "WHERE r.id = {run_id}"
    ),
    "scope": (
        "SELECT r.id AS run_id, s.source, r.date_from, r.date_to "
        "FROM quality.validation_run r CROSS JOIN LATERAL unnest(r.sources) AS s(source) "
        "WHERE r.id = {run_id}"
    ),
}

# What a failed column-map expectation reports per offending row.
ROW_COLUMNS = ("source", "as_of", "category", "cumulative", "increase")
_CTE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)


class SuiteDefinitionError(InputError):
    """A suite file in expectations/ is malformed."""


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
@dataclass
class ExpectationOutcome:
    suite: str
    name: str
    type: str
    status: str  # passed | failed | error
    description: str = ""
    unexpected_count: int | None = None
    unexpected_rows: list[dict] = field(default_factory=list)
    error: str | None = None
    observed_value: Any = None

    def as_dict(self) -> dict:
        return {"suite": self.suite, "name": self.name, "type": self.type, "status": self.status,
                "unexpected_count": self.unexpected_count, "error": self.error,
                "observed_value": _jsonable(self.observed_value)}


@dataclass
class SuiteOutcome:
    suite: str
    outcome: str  # passed | failed | error
    validation_run_id: int
    expectations: list[ExpectationOutcome]
    seconds: float
    error: str | None = None

    @property
    def statistics(self) -> dict:
        counts = {s: sum(e.status == s for e in self.expectations) for s in ("passed", "failed", "error")}
        return {"evaluated_expectations": len(self.expectations), **counts,
                "unexpected_rows": sum(e.unexpected_count or 0 for e in self.expectations),
                "seconds": round(self.seconds, 3),
                "expectations": {e.name: e.as_dict() for e in self.expectations}}


@dataclass
class ValidationReport:
    date_from: date
    date_to: date
    sources: list[str]
    suites: list[SuiteOutcome]
    data_docs_path: Path | None
    seconds: float

    @property
    def outcome(self) -> str:
        """error if any check errored, else failed if any found bad data, else passed."""
        statuses = {s.outcome for s in self.suites}
        return "error" if "error" in statuses else "failed" if "failed" in statuses else "passed"

    @property
    def expectations(self) -> list[ExpectationOutcome]:
        return [e for s in self.suites for e in s.expectations]

    def expectation(self, name: str, suite: str | None = None) -> ExpectationOutcome:
        found = [e for e in self.expectations if e.name == name and (suite is None or e.suite == suite)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} expectations named {name!r}")
        return found[0]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.status == "failed"]

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.status == "error"]


# ---------------------------------------------------------------------------------------------
# Suite files
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpectationSpec:
    name: str
    type: str
    batch: str
    description: str
    kwargs: dict
    query: str | None  # UnexpectedRowsExpectation only, CTEs already prepended


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    description: str
    expectations: tuple[ExpectationSpec, ...]

    @property
    def batches(self) -> list[str]:
        return sorted({e.batch for e in self.expectations}, key=list(BATCH_QUERIES).index)


def _lines(value, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise SuiteDefinitionError(f"{where}: expected a string or a list of lines")


def load_suite(path: Path | str) -> SuiteSpec:
    """Read one suite file of the project format (see expectations/README.md) and check it."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteDefinitionError(f"{path}: {exc}") from exc
    name = doc.get("suite")
    if name != path.stem:
        raise SuiteDefinitionError(f"{path}: 'suite' must be the file name without .json ({path.stem!r})")
    ctes = {}
    for cte, body in (doc.get("ctes") or {}).items():
        if not _CTE_NAME.match(cte):
            raise SuiteDefinitionError(f"{path}: bad CTE name {cte!r}")
        ctes[cte] = _lines(body, f"{path}: ctes.{cte}")
    default_batch = doc.get("batch", "candidates")
    specs, seen = [], set()
    for i, exp in enumerate(doc.get("expectations") or []):
        where = f"{path}: expectations[{i}]"
        ename, etype = exp.get("name"), exp.get("type")
        if not ename or not _CTE_NAME.match(ename) or ename in seen:
            raise SuiteDefinitionError(f"{where}: 'name' must be a unique snake_case name")
        seen.add(ename)
        batch = exp.get("batch", default_batch)
        if batch not in BATCH_QUERIES:
            raise SuiteDefinitionError(f"{where}: batch must be one of {sorted(BATCH_QUERIES)}")
        query = None
        if etype == "unexpected_rows":
            body = _lines(exp.get("query"), f"{where}.query")
            uses = exp.get("with") or []
            unknown = [c for c in uses if c not in ctes]
            if unknown:
                raise SuiteDefinitionError(f"{where}: unknown CTEs {unknown}")
            query = ("WITH " + ",\n".join(f"{c} AS (\n{ctes[c]}\n)" for c in uses) + "\n" if uses else "") + body
            if "{batch}" not in query:
                raise SuiteDefinitionError(f"{where}: the query must read the candidates through {{batch}}")
            # GX substitutes `{batch}` by a bare "(subquery)" when the query has a JOIN and by
            # "(subquery) AS subselect" otherwise; we alias it ourselves, so demand the JOIN form.
            if not _JOIN.search(query) or not re.search(r"\{batch\}\s+AS\s+\w+", query):
                raise SuiteDefinitionError(f"{where}: write '{{batch}} AS alias' and join something "
                                           "(GX aliases {batch} itself in queries without JOIN)")
        elif not re.fullmatch(r"expect(_[a-z0-9]+)+", etype or ""):
            raise SuiteDefinitionError(f"{where}: type must be 'unexpected_rows' or a GX expect_* name")
        specs.append(ExpectationSpec(name=ename, type=etype, batch=batch, description=exp.get("description", ""),
                                     kwargs=dict(exp.get("kwargs") or {}), query=query))
    if not specs:
        raise SuiteDefinitionError(f"{path}: no expectations")
    return SuiteSpec(name=name, description=doc.get("description", ""), expectations=tuple(specs))


def _gx_expectation(spec: ExpectationSpec):
    import great_expectations.expectations as gxe

    meta = {"attrition_name": spec.name}
    if spec.type == "unexpected_rows":
        return gxe.UnexpectedRowsExpectation(unexpected_rows_query=spec.query, description=spec.description or None,
                                             meta=meta)
    cls_name = "".join(part.capitalize() for part in spec.type.split("_"))
    cls = getattr(gxe, cls_name, None)
    if cls is None:
        raise SuiteDefinitionError(f"{spec.name}: GX has no expectation {cls_name}")
    return cls(**spec.kwargs, meta=meta)


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
    return URL.create("postgresql+psycopg2", username=params.get("user"), password=params.get("password"),
                      host=params.get("host"), port=int(params["port"]) if params.get("port") else None,
                      database=params.get("dbname"), query=query).render_as_string(hide_password=False)


# ---------------------------------------------------------------------------------------------
# GX context (one per process, built on first use)
# ---------------------------------------------------------------------------------------------
_CONTEXT_LOCK = threading.Lock()
_CONTEXT: tuple[Path, Any] | None = None  # (Data Docs folder, GX's active context)
_SITE = "attrition_local"
RESULTS_SUBDIR = "_results"  # the validation results (JSON), kept next to the pages they render to


def _context(data_docs_dir: Path):
    """GX's context for a Data Docs folder (GX keeps one active context per process).  Suites and
    assets live in memory; the validation results are stored as files in ``<folder>/_results``, so
    every build of the Data Docs lists every validation run so far, from any process (each Airflow
    task is one)."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None or _CONTEXT[0] != data_docs_dir:
            import great_expectations as gx
            from great_expectations.data_context.types.base import (DataContextConfig, InMemoryStoreBackendDefaults,
                                                                    ProgressBarsConfig)

            config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
            config.stores[config.validation_results_store_name] = {
                "class_name": "ValidationResultsStore",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(data_docs_dir / RESULTS_SUBDIR)}}
            ctx = gx.get_context(project_config=config, mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            _CONTEXT = (data_docs_dir, ctx)
        return _CONTEXT[1]


def _data_docs_site(ctx, data_docs_dir: Path) -> None:
    site_config = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
    }
    sites = ctx.variables.data_docs_sites or {}
    if sites.get(_SITE, {}).get("store_backend", {}).get("base_directory") == str(data_docs_dir) and len(sites) == 1:
        return
    ctx.variables.data_docs_sites = {_SITE: site_config}


def _datasource(ctx, dsn: str):
    import hashlib

    name = "warehouse_" + hashlib.sha256(dsn.encode()).hexdigest()[:12]
    try:
        return ctx.data_sources.get(name)
    except Exception:  # noqa: BLE001 - GX raises KeyError or its own DataContextError for "not found"
        pass
    return ctx.data_sources.add_postgres(name, connection_string=sqlalchemy_url(dsn))


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------
def _jsonable(value):
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def _exception_text(result) -> str | None:
    """The exception text of a result whose check raised, else None (GX nests it per metric)."""
    info = result.exception_info or {}
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("raised_exception"):
                message = node.get("exception_message") or ""
                tb = (node.get("exception_traceback") or "").strip().splitlines()
                last = tb[-1] if tb else ""
                found.append(last if last and message in last else f"{message} ({last})" if last else message
                             or "exception without message")
            else:
                for v in node.values():
                    walk(v)
        elif hasattr(node, "raised_exception") and node.raised_exception:
            found.append(getattr(node, "exception_message", None) or "exception without message")

    walk(info if isinstance(info, dict) else info.to_json_dict() if hasattr(info, "to_json_dict") else {})
    return "\n".join(dict.fromkeys(found)) or None


def _rows_by_ids(cur, ids: list) -> list[dict]:
    cur.execute("SELECT id, source, as_of, category, cumulative, increase FROM core.observation "
                "WHERE id = ANY (%s) ORDER BY source, category, as_of", (list(ids),))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _column_map_rows(result, engine_conn, cur) -> list[dict] | None:
    """All offending rows of a failed column-map expectation, through GX's unexpected index query."""
    res = result.result or {}
    query = res.get("unexpected_index_query")
    ids: list = []
    if res.get("unexpected_index_list"):  # COMPLETE result format: every offending id
        ids = [item["id"] if isinstance(item, dict) else item for item in res["unexpected_index_list"]]
    elif isinstance(query, str) and query.strip():
        # GX 1.x writes this query with the asset's SQL unparenthesized after FROM: wrap it
        import sqlalchemy as sa

        query = re.sub(r"\bFROM (SELECT .*?)\s*\nWHERE ", r"FROM (\1) AS batch\nWHERE ", query, count=1, flags=re.S)
        ids = [row[0] for row in engine_conn.execute(sa.text(query)).fetchall()]
    if not ids:
        return None
    return _rows_by_ids(cur, ids)


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------
def run_suites(dsn: str, *, date_from, date_to, sources: Iterable[str] | None, data_docs_dir,
               suites: Iterable[str | Path] | None = None, airflow_run_id: str | None = None,
               build_docs: bool = True) -> ValidationReport:
    """Validate the candidate observations of a scope with every suite; see the module docstring.

    ``suites``: suite names under expectations/ or paths to suite files (default: all of
    :data:`DEFAULT_SUITES`).  ``build_docs=False`` leaves the Data Docs to a later call (the results
    are kept in the folder's store, so that call's build shows both).  Never raises for bad data nor for a check that errors: both are in
    the report (and in quality.validation_run).  Raises ValueError for a bad scope or suite file.
    """
    import psycopg2

    started = time.perf_counter()
    date_from, date_to = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}")
    specs = [load_suite(s if isinstance(s, Path) or str(s).endswith(".json") else EXPECTATIONS_DIR / f"{s}.json")
             for s in (suites or DEFAULT_SUITES)]
    data_docs_dir = Path(data_docs_dir).resolve()
    data_docs_dir.mkdir(parents=True, exist_ok=True)

    conn = psycopg2.connect(dsn, application_name="attrition-gx")
    try:
        with conn, conn.cursor() as cur:
            sources = _check_sources(cur, sources)
        outcomes = []
        ctx = _context(data_docs_dir)
        _data_docs_site(ctx, data_docs_dir)
        datasource = _datasource(ctx, dsn)
        for spec in specs:
            outcomes.append(_run_suite(ctx, datasource, conn, spec, date_from, date_to, sources, airflow_run_id))
        docs_index = _build_docs(ctx, data_docs_dir) if build_docs or any(o.outcome == "error" for o in outcomes) \
            else None
        with conn, conn.cursor() as cur:
            for s in outcomes:
                cur.execute("UPDATE quality.validation_run SET data_docs_path = %s WHERE id = %s",
                            (str(docs_index) if docs_index else None, s.validation_run_id))
    finally:
        conn.close()
    return ValidationReport(date_from=date_from, date_to=date_to, sources=sources, suites=outcomes,
                            data_docs_path=docs_index, seconds=time.perf_counter() - started)


def _run_suite(ctx, datasource, conn, spec: SuiteSpec, date_from, date_to, sources, airflow_run_id) -> SuiteOutcome:
    import great_expectations as gx
    from psycopg2.extras import Json

    t0 = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO quality.validation_run (suite, date_from, date_to, sources, airflow_run_id) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING id", (spec.name, date_from, date_to, sources, airflow_run_id))
        run_id = cur.fetchone()[0]
    if not isinstance(run_id, int):  # the one value formatted into the batch query
        raise TypeError(f"validation_run id {run_id!r} is not an int")

    outcomes: list[ExpectationOutcome] = []
    suite_error = None
    assets = []
    try:
        for batch in spec.batches:
            batch_specs = [e for e in spec.expectations if e.batch == batch]
            asset_name = f"{spec.name}__{batch}__run{run_id}"
            asset = datasource.add_query_asset(asset_name, query=BATCH_QUERIES[batch].format(run_id=run_id))
            batch_def = asset.add_batch_definition_whole_table(asset_name)
            gx_name = spec.name if batch == "candidates" else f"{spec.name}__{batch}"
            assets.append((gx_name, asset_name))
            suite = gx.ExpectationSuite(name=gx_name, meta={"description": spec.description})
            gx_exps = {}
            for e in batch_specs:
                gx_exps[e.name] = suite.add_expectation(_gx_expectation(e))
            suite = ctx.suites.add_or_update(suite)
            vd = ctx.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=gx_name, data=batch_def, suite=suite))
            try:
                result = vd.run(result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["id"],
                                               "return_unexpected_index_query": True, "partial_unexpected_count": 20},
                                run_id=_gx_run_id(run_id, batch))
            except Exception as exc:  # noqa: BLE001 - the batch itself could not be validated
                msg = f"{type(exc).__name__}: {exc}"
                suite_error = suite_error or msg
                outcomes += [ExpectationOutcome(spec.name, e.name, e.type, "error", e.description, error=msg)
                             for e in batch_specs]
                continue
            outcomes += _collect(spec, batch_specs, gx_exps, vd, result, datasource, conn)
    finally:
        # The per-run assets (their query names this run's id) go; the validation results stay in
        # the context's results store for the Data Docs.
        for vd_name, asset_name in assets:
            for drop in (lambda: ctx.validation_definitions.delete(vd_name), lambda: datasource.delete_asset(asset_name)):
                try:
                    drop()
                except Exception:  # noqa: BLE001 - cleanup only
                    pass

    outcome = ("error" if suite_error or any(o.status == "error" for o in outcomes)
               else "failed" if any(o.status == "failed" for o in outcomes) else "passed")
    so = SuiteOutcome(spec.name, outcome, run_id, outcomes, time.perf_counter() - t0, suite_error)
    errors = "\n".join(f"{o.name}: {o.error}" for o in outcomes if o.status == "error") or suite_error
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE quality.validation_run SET finished_at = now(), outcome = %s, statistics = %s, error = %s "
                    "WHERE id = %s", (outcome, Json(_jsonable(so.statistics)), errors, run_id))
    return so


def _collect(spec, batch_specs, gx_exps, vd, result, datasource, conn) -> list[ExpectationOutcome]:
    by_name = {}
    for r in result.results:
        meta = (r.expectation_config.meta or {}) if r.expectation_config else {}
        by_name[meta.get("attrition_name")] = r
    out = []
    engine = None
    try:
        for e in batch_specs:
            r = by_name.get(e.name)
            if r is None:
                out.append(ExpectationOutcome(spec.name, e.name, e.type, "error", e.description,
                                              error="GX returned no result for this expectation"))
                continue
            err = _exception_text(r)
            res = r.result or {}
            if err is not None:
                # A check that raised: success is False, but that says nothing about the data.
                out.append(ExpectationOutcome(spec.name, e.name, e.type, "error", e.description, error=err))
                continue
            if r.success:
                out.append(ExpectationOutcome(spec.name, e.name, e.type, "passed", e.description,
                                              unexpected_count=res.get("unexpected_count", 0 if e.query else None),
                                              observed_value=res.get("observed_value")))
                continue
            try:
                if e.type == "unexpected_rows":
                    count = res.get("observed_value")
                    rows = (res.get("details") or {}).get("unexpected_rows") or []
                    if count is None or len(rows) < count:  # GX caps details at 200 rows: fetch them all
                        rows = vd.get_unexpected_rows(gx_exps[e.name])
                    rows = [dict(row) for row in rows]
                    count = len(rows)
                else:
                    count = res.get("unexpected_count")
                    if engine is None:
                        engine = datasource.get_engine().connect()
                    with conn.cursor() as cur:
                        rows = _column_map_rows(r, engine, cur) or []
                    conn.rollback()
            except Exception as exc:  # noqa: BLE001 - fetching the rows failed: an error, not a verdict
                out.append(ExpectationOutcome(spec.name, e.name, e.type, "error", e.description,
                                              error=f"fetching unexpected rows: {type(exc).__name__}: {exc}"))
                continue
            out.append(ExpectationOutcome(spec.name, e.name, e.type, "failed", e.description, unexpected_count=count,
                                          unexpected_rows=rows, observed_value=res.get("observed_value")))
    finally:
        if engine is not None:
            engine.close()
    return out


_UNBUILT: list[str] = []  # run names of this process's validations whose pages are not built yet


def _gx_run_id(validation_run_id: int, batch: str):
    from great_expectations.core.run_identifier import RunIdentifier

    name = f"validation_run_{validation_run_id}_{batch}"
    _UNBUILT.append(name)
    return RunIdentifier(run_name=name)


def _build_docs(ctx, data_docs_dir: Path) -> Path | None:
    """Render the pages of the validations not rendered yet, and the index of every run so far
    (rendering only the new ones keeps a build's cost flat as the results accumulate)."""
    keys = [k for k in ctx.validation_results_store.list_keys() if k.run_id.run_name in set(_UNBUILT)]
    ctx.build_data_docs(site_names=[_SITE], resource_identifiers=keys or None)
    _UNBUILT.clear()
    index = data_docs_dir / "index.html"
    return index if index.exists() else None
