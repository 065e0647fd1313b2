"""The suite files of ``expectations/*.json`` (the project format, see expectations/README.md): reading and
checking them, the batches they validate, and the GX expectation each entry becomes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import InputError

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
RUN_SETTING = "attrition.validation_run"  # the session setting that names the run being validated
RUN_SETTING_SQL = f"current_setting('{RUN_SETTING}')::bigint"
# The batches a suite can validate.  The scope is the quality.validation_run row whose id the GX
# runner sets on each of its connections (``attrition.validation_run``, from the run being
# validated): so one asset per batch serves every run, and no value is formatted into SQL.
BATCH_QUERIES = {
    "candidates": (
        "SELECT o.id, o.source, o.as_of, o.category, o.revision, o.cumulative, o.increase "
        "FROM core.current_observation o "
        "JOIN quality.validation_run r "
        "ON o.source = ANY (r.sources) AND o.as_of BETWEEN r.date_from AND r.date_to "
        "WHERE r.id = " + RUN_SETTING_SQL
    ),
    "series": (
        "SELECT m.source, m.as_of, m.category, m.cumulative, m.increase, m.is_candidate, m.prev_as_of, "
        "m.prev_cumulative, m.next_as_of, m.next_cumulative, m.daily_increase, m.median_30d, m.p90_30d, "
        "m.baseline_days "
        "FROM quality.monotonic_series m "
        "WHERE m.validation_run_id = " + RUN_SETTING_SQL
    ),
    "accepted": (
        "SELECT a.as_of, a.category, a.cumulative, a.status "
        "FROM core.accepted a "
        "JOIN quality.validation_run r ON a.as_of BETWEEN r.date_from AND r.date_to "
        "WHERE r.id = " + RUN_SETTING_SQL
    ),
    "scope": (
        "SELECT r.id AS run_id, s.source, r.date_from, r.date_to "
        "FROM quality.validation_run r CROSS JOIN LATERAL unnest(r.sources) AS s(source) "
        "WHERE r.id = " + RUN_SETTING_SQL
    ),
}
# Batches staged by the run itself: the runner fills the table with the suite's "stages" query (over
# the candidates) once, before validating the batch, and deletes the run's rows after the suite.  So
# checks that share an expensive computation (the monotonic series: the candidates merged into their
# history, with their neighbours) read it as a table instead of computing it once per check, twice
# per check (GX runs an unexpected_rows query for its count, then for its rows).
STAGED_BATCHES = {
    "series": (
        "quality.monotonic_series",
        (
            "source",
            "as_of",
            "category",
            "cumulative",
            "increase",
            "is_candidate",
            "prev_as_of",
            "prev_cumulative",
            "next_as_of",
            "next_cumulative",
            "daily_increase",
            "median_30d",
            "p90_30d",
            "baseline_days",
        ),
    ),
}

# What a failed column-map expectation reports per offending row.
ROW_COLUMNS = ("source", "as_of", "category", "cumulative", "increase")
_CTE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)
# What GX masks before it looks for a JOIN (quoted strings and identifiers, comments)
_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)


class SuiteDefinitionError(InputError):
    """A suite file in expectations/ is malformed."""


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
    # staged batch -> the query (CTEs prepended) whose rows the runner stages for it, {batch} = candidates
    stages: dict = field(default_factory=dict)

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
            query = _query(exp, ctes, where)
            _check_batch_reference(query, where)
        elif not re.fullmatch(r"expect(_[a-z0-9]+)+", etype or ""):
            raise SuiteDefinitionError(f"{where}: type must be 'unexpected_rows' or a GX expect_* name")
        specs.append(
            ExpectationSpec(
                name=ename,
                type=etype,
                batch=batch,
                description=exp.get("description", ""),
                kwargs=dict(exp.get("kwargs") or {}),
                query=query,
            )
        )
    if not specs:
        raise SuiteDefinitionError(f"{path}: no expectations")
    stages = _stages(doc, ctes, {e.batch for e in specs}, path)
    return SuiteSpec(name=name, description=doc.get("description", ""), expectations=tuple(specs), stages=stages)


def _query(entry: dict, ctes: dict, where: str) -> str:
    """The ``query`` of a suite file's entry with the CTEs it names (``with``) prepended."""
    body = _lines(entry.get("query"), f"{where}.query")
    uses = entry.get("with") or []
    unknown = [c for c in uses if c not in ctes]
    if unknown:
        raise SuiteDefinitionError(f"{where}: unknown CTEs {unknown}")
    query = ("WITH " + ",\n".join(f"{c} AS (\n{ctes[c]}\n)" for c in uses) + "\n" if uses else "") + body
    if "{batch}" not in query:
        raise SuiteDefinitionError(f"{where}: the query must read its batch through {{batch}}")
    return query


def _check_batch_reference(query: str, where: str) -> None:
    """GX substitutes ``{batch}`` by a bare "(subquery)" when the query has a JOIN (outside quotes and
    comments) and by "(subquery) AS subselect" otherwise: so a query with a JOIN names the batch
    itself (``{batch} AS alias``), one without writes a bare ``{batch}`` and unqualified columns."""
    aliased = re.search(r"\{batch\}\s+AS\s+\w+", query, re.IGNORECASE)
    if _JOIN.search(_QUOTED_OR_COMMENT.sub(" ", query)):
        if not aliased:
            raise SuiteDefinitionError(f"{where}: a query with a JOIN must write '{{batch}} AS alias'")
    elif aliased:
        raise SuiteDefinitionError(
            f"{where}: write a bare '{{batch}}' in a query without JOIN (GX aliases it itself, as subselect)"
        )


def _stages(doc: dict, ctes: dict, batches: set, path: Path) -> dict:
    """{staged batch: the query that fills it} of a suite file's ``stages`` (see :data:`STAGED_BATCHES`)."""
    stages = {}
    for batch, entry in (doc.get("stages") or {}).items():
        where = f"{path}: stages.{batch}"
        if batch not in STAGED_BATCHES or not isinstance(entry, dict):
            raise SuiteDefinitionError(f"{where}: a staged batch is one of {sorted(STAGED_BATCHES)}, with a query")
        query = _query(entry, ctes, where)  # its {batch} is the candidates
        if not re.search(r"\{batch\}\s+AS\s+\w+", query, re.IGNORECASE):
            raise SuiteDefinitionError(f"{where}: write '{{batch}} AS alias' for the candidates")
        stages[batch] = query
    unstaged = sorted(b for b in batches if b in STAGED_BATCHES and b not in stages)
    if unstaged:
        raise SuiteDefinitionError(f"{path}: batches {unstaged} are read but not staged (add them to 'stages')")
    return stages


def _gx_expectation(spec: ExpectationSpec):
    import great_expectations.expectations as gxe

    meta = {"attrition_name": spec.name}
    if spec.type == "unexpected_rows":
        return gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=spec.query, description=spec.description or None, meta=meta
        )
    cls_name = "".join(part.capitalize() for part in spec.type.split("_"))
    cls = getattr(gxe, cls_name, None)
    if cls is None:
        raise SuiteDefinitionError(f"{spec.name}: GX has no expectation {cls_name}")
    return cls(**spec.kwargs, meta=meta)
