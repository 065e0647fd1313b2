"""What the GX runner (etl.quality.gx_runner) reports: per expectation passed, failed (with all its
offending rows) or error, per suite, per run; and how GX's results are read into that report."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from etl.domain.model import field_dict


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
        skip = ("description", "unexpected_rows")
        return field_dict(self, skip=skip, observed_value=_jsonable(self.observed_value))


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
        return {
            "evaluated_expectations": len(self.expectations),
            **counts,
            "unexpected_rows": sum(e.unexpected_count or 0 for e in self.expectations),
            "seconds": round(self.seconds, 3),
            "expectations": {e.name: e.as_dict() for e in self.expectations},
        }


@dataclass
class ValidationReport:
    date_from: date
    date_to: date
    sources: list[str]
    suites: list[SuiteOutcome]
    data_docs_path: Path | None
    seconds: float

    def merged(self, other: ValidationReport) -> ValidationReport:
        """This report and ``other``'s (same scope, later suites) as one."""
        return ValidationReport(
            self.date_from,
            self.date_to,
            self.sources,
            self.suites + other.suites,
            other.data_docs_path or self.data_docs_path,
            self.seconds + other.seconds,
        )

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
                found.append(
                    last
                    if last and message in last
                    else f"{message} ({last})"
                    if last
                    else message or "exception without message"
                )
            else:
                for v in node.values():
                    walk(v)
        elif hasattr(node, "raised_exception") and node.raised_exception:
            found.append(getattr(node, "exception_message", None) or "exception without message")

    walk(info if isinstance(info, dict) else info.to_json_dict() if hasattr(info, "to_json_dict") else {})
    return "\n".join(dict.fromkeys(found)) or None


def _rows_by_ids(cur, ids: list) -> list[dict]:
    cur.execute(
        "SELECT id, source, as_of, category, cumulative, increase FROM core.observation "
        "WHERE id = ANY (%s) ORDER BY source, category, as_of",
        (list(ids),),
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


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


def _outcome(spec, e, status: str, **details) -> ExpectationOutcome:
    """The outcome of expectation ``e`` of suite ``spec``: its status and what GX reported about it."""
    return ExpectationOutcome(spec.name, e.name, e.type, status, e.description, **details)


def _collect(spec, batch_specs, gx_exps, vd, result, datasource, conn) -> list[ExpectationOutcome]:
    by_name = {}
    for r in result.results:
        meta = (r.expectation_config.meta or {}) if r.expectation_config else {}
        by_name[meta.get("attrition_name")] = r
    out = []
    engines: list = []  # the one SQLAlchemy connection, opened when first needed
    try:
        for e in batch_specs:
            r = by_name.get(e.name)
            if r is None:
                out.append(_outcome(spec, e, "error", error="GX returned no result for this expectation"))
                continue
            err = _exception_text(r)
            res = r.result or {}
            if err is not None:
                # A check that raised: success is False, but that says nothing about the data.
                out.append(_outcome(spec, e, "error", error=err))
                continue
            if r.success:
                out.append(
                    _outcome(
                        spec,
                        e,
                        "passed",
                        unexpected_count=res.get("unexpected_count", 0 if e.query else None),
                        observed_value=res.get("observed_value"),
                    )
                )
                continue
            try:
                count, rows = _failed_rows(e, r, res, vd, gx_exps, datasource, conn, engines)
            except Exception as exc:  # noqa: BLE001 - fetching the rows failed: an error, not a verdict
                out.append(_outcome(spec, e, "error", error=f"fetching unexpected rows: {type(exc).__name__}: {exc}"))
                continue
            out.append(
                _outcome(
                    spec,
                    e,
                    "failed",
                    unexpected_count=count,
                    unexpected_rows=rows,
                    observed_value=res.get("observed_value"),
                )
            )
    finally:
        for engine in engines:
            engine.close()
    return out


def _failed_rows(e, r, res, vd, gx_exps, datasource, conn, engines: list) -> tuple[int | None, list[dict]]:
    """(unexpected count, unexpected rows) of the failed expectation ``e``.  A column-map check's rows
    are read through the one SQLAlchemy connection in ``engines`` (opened here on first need; the
    caller closes it)."""
    if e.type == "unexpected_rows":
        count = res.get("observed_value")
        rows = (res.get("details") or {}).get("unexpected_rows") or []
        if count is None or len(rows) < count:  # GX caps details at 200 rows: fetch them all
            rows = vd.get_unexpected_rows(gx_exps[e.name])
        rows = [dict(row) for row in rows]
        return len(rows), rows
    count = res.get("unexpected_count")
    if not engines:
        engines.append(datasource.get_engine().connect())
    with conn.cursor() as cur:
        rows = _column_map_rows(r, engines[0], cur) or []
    conn.rollback()
    return count, rows
