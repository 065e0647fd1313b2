"""The data-quality gate: what of the loaded observations reaches the accepted series and the marts.

``validate(dsn, date_from=, date_to=)`` runs after every load (the ``validate`` task of the DAGs,
``attrition validate``, ``attrition backfill``):

1. **Checks** (Great Expectations, ``expectations/observations_*.json``) over the candidate
   observations of the scope: schema, valid categories, monotonic counts per (source, category)
   against the history on both sides, printed increases, plausibility, missing days, freshness.
   A check that *raises* is an error: the gate stops, nothing changes, an alert says so.
2. **Decision** (:mod:`etl.quality.consensus`) over a window of ``WINDOW_DAYS`` around the scope,
   pinned to the accepted values just outside it: the accepted value of every (day, category)
   from the evidence of all sources, the culprit of every break of the monotonic counts, the
   official corrections, the values to retract.  Operators' decisions (``attrition quarantine
   accept / reject``) are inputs: a rejected record is left out, an accepted one is taken.
3. **Writes**, in one transaction: ``core.accepted`` (only what changed), ``quality.retraction``,
   ``quality.quarantine`` (new records; open ones re-evaluated: a diagnosis can firm up, a record
   can be cleared), and one ``quality.alert`` per incident (quarantine, retraction, source
   disagreement, out_of_validity).  A figure printed for a day outside its category's validity
   (stored with a note by the parsers) never enters the decision: it is listed in the quarantine
   with the diagnosis ``out_of_validity`` (status ``resolved``, decided by the gate: the category
   contract, not the evidence, keeps it out), in :attr:`GateResult.out_of_validity`, and in one
   ``info`` alert per (source, category) naming the days a run lists first.
4. **The accepted series is checked** (``expectations/accepted_monotonic.json``); only when it
   passes are the marts refreshed, all three in one transaction (:func:`refresh_marts`): a kill
   at any moment leaves the previous marts readable, and the next run completes them.
5. **Notifications** of the new alerts (:mod:`etl.warehouse.notify`), with the run URL and the Data Docs.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from etl.domain.model import SOURCES
from etl.errors import MessageError

WINDOW_DAYS = 60  # days decided again on each side of the scope
CANDIDATE_SUITES = ("observations_schema", "observations_monotonic")
ACCEPTED_SUITE = "accepted_monotonic"
# Schema expectations whose offending rows are quarantined (the others cannot fail given the DDL).
QUARANTINING_SCHEMA = ("cumulative_non_negative", "source_known", "category_valid_on_date")
OUT_OF_VALIDITY = "observations_schema.category_valid_on_date"
ENGINE_EXPECTATION = {
    "monotonic_cumulative": "observations_monotonic.cumulative_monotonic",
    "increase_matches_difference": "observations_monotonic.increase_matches_difference",
}
MONOTONIC = ENGINE_EXPECTATION["monotonic_cumulative"]
MARTS = ("mart.daily_losses_long", "mart.daily_losses", "mart.latest")  # in this order: latest reads long
CONCURRENT_MARTS = ("mart.daily_losses_long", "mart.daily_losses")  # they have a unique index
ACCEPTED_COLUMNS = ("as_of", "category", "cumulative", "status", "correction_flag", "accepted_source",
                    "sources_agreeing", "sources_reporting", "dissent", "reported_increase", "qualifier", "note",
                    "validation_run_id")


class GateError(MessageError):
    """The gate could not decide: a check raised, or the accepted series failed its own suite.
    Nothing reached the marts."""


def data_docs_dir() -> Path:
    """Where the Data Docs are written: ``ATTRITION_DATA_DOCS_DIR``, else ``<local dir>/data_docs``."""
    from etl.config import local_dir, setting

    return Path(setting("ATTRITION_DATA_DOCS_DIR") or local_dir() / "data_docs").resolve()


def data_docs_url(index: Path | None) -> str | None:
    """The Data Docs link put in alerts: ``ATTRITION_DATA_DOCS_URL`` (where the folder is served)
    joined with the page, else a file:// URL."""
    if index is None:
        return None
    from etl.config import setting

    base = setting("ATTRITION_DATA_DOCS_URL")
    if base:
        return base.rstrip("/") + "/" + index.name
    return index.resolve().as_uri()


@dataclass
class GateResult:
    date_from: date | None
    date_to: date | None
    window: tuple[date, date] | None = None
    outcome: str = "passed"  # passed | quarantined | nothing_loaded
    checks: dict = field(default_factory=dict)  # suite -> passed/failed/error, and the failed expectations
    accepted: int = 0  # accepted cells in the window
    changed: int = 0  # accepted cells written (new or different)
    corrections: int = 0  # accepted cells in the window that are official corrections
    disagreements: int = 0  # accepted cells in the window where a source printed another value
    quarantined: list[dict] = field(default_factory=list)  # new or re-diagnosed open records
    out_of_validity: list[dict] = field(default_factory=list)  # figures printed outside their category's dates
    open_quarantine: int = 0  # open records in the window after this run
    resolved: list[int] = field(default_factory=list)  # quarantine ids cleared by new evidence
    retracted: list[dict] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    delivery: str | None = None
    data_docs: str | None = None
    validation_run_id: int | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        if self.outcome == "nothing_loaded":
            return "quality gate: nothing loaded in scope, nothing to validate"
        lines = [
            f"quality gate {self.date_from}..{self.date_to} (decided {self.window[0]}..{self.window[1]}): "
            f"{self.outcome} in {self.seconds:.1f} s",
            "  checks: " + ", ".join(f"{suite} {info['outcome']}" for suite, info in self.checks.items()),
            f"  accepted: {self.accepted} cells ({self.changed} written), {self.corrections} official corrections, "
            f"{self.disagreements} with a disagreeing source",
            f"  quarantine: {len(self.quarantined)} new or re-diagnosed, {len(self.resolved)} cleared, "
            f"{self.open_quarantine} open in the window",
        ]
        for q in self.quarantined[:20]:
            lines.append(f"    #{q['id']} {q['source']} {q['category']} {q['as_of']} = {q['cumulative']}: "
                         f"{q['diagnosis']} ({q['why']})")
        if len(self.quarantined) > 20:
            lines.append(f"    ... and {len(self.quarantined) - 20} more (attrition quarantine list)")
        if self.out_of_validity:
            lines.append(f"  out of validity: {len(self.out_of_validity)} figure(s) printed outside their category's "
                         "dates, kept out of the accepted series (mart.quarantined_records, diagnosis out_of_validity)")
            for o in self.out_of_validity[:10]:
                lines.append(f"    {o['source']} {o['category']} {o['as_of']} = {o['cumulative']}")
        for r in self.retracted[:20]:
            lines.append(f"  retracted: {r['category']} {r['as_of']} {r['value_before']} -> {r['value_after']} "
                         f"({r['reason']})")
        lines.append(f"  alerts: {len(self.alerts)} new" + (f"; {self.delivery}" if self.delivery else ""))
        if self.data_docs:
            lines.append(f"  Data Docs: {self.data_docs}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return json.loads(json.dumps({k: getattr(self, k) for k in self.__dataclass_fields__}, default=str))


# ---------------------------------------------------------------------------------------------------
def validate(dsn: str | None = None, *, date_from: date | None = None, date_to: date | None = None,
             sources: list[str] | None = None, run_id: str | None = None, run_url: str | None = None,
             docs_dir: Path | None = None, notify: bool = True) -> GateResult:
    """Run the gate over ``[date_from, date_to]`` (default: everything loaded); see the module doc."""
    from etl.config import warehouse_dsn
    from etl.warehouse.db import connect
    from etl.quality.consensus import as_date
    from etl.quality.gx_runner import run_suites

    started = time.perf_counter()
    dsn = dsn or warehouse_dsn()
    sources = [s for s in SOURCES if s in (sources or SOURCES)]
    docs_dir = Path(docs_dir) if docs_dir else data_docs_dir()
    conn = connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT min(as_of), max(as_of) FROM core.current_observation WHERE source = ANY (%s)",
                        (sources,))
            first, last = cur.fetchone()
        if first is None:
            return GateResult(date_from, date_to, outcome="nothing_loaded")
        date_from = max(date_from or first, first)
        date_to = min(date_to or last, last)
        if date_from > date_to:
            return GateResult(date_from, date_to, outcome="nothing_loaded")
        result = GateResult(date_from, date_to)

        # 1. the checks
        report = run_suites(dsn, date_from=date_from, date_to=date_to, sources=sources, data_docs_dir=docs_dir,
                            suites=CANDIDATE_SUITES, airflow_run_id=run_id, build_docs=False)
        result.data_docs = data_docs_url(report.data_docs_path)
        result.checks = _checks(report)
        monotonic_run = next(s.validation_run_id for s in report.suites if s.suite == "observations_monotonic")
        result.validation_run_id = monotonic_run
        if report.errors:
            _fail(dsn, result, run_id, run_url, notify, "validation_error",
                  "the checks could not run: " + "; ".join(f"{e.suite}.{e.name}: {e.error}" for e in report.errors))
        schema_bad = {}
        for e in report.expectations:
            if e.suite == "observations_schema" and e.status == "failed" and e.name in QUARANTINING_SCHEMA:
                for row in e.unexpected_rows:
                    schema_bad[(row["source"], as_date(row["as_of"]), row["category"])] = f"observations_schema.{e.name}"

        # 2. the decision, 3. the writes
        lo, hi = date_from - timedelta(days=WINDOW_DAYS), date_to + timedelta(days=WINDOW_DAYS)
        result.window = (max(lo, first), min(hi, last))
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('attrition.quality_gate'))")
            _decide_and_write(cur, result, lo, hi, schema_bad, monotonic_run, run_id, run_url)

        # 4. the accepted series' own suite, then the marts
        accepted_report = run_suites(dsn, date_from=result.window[0], date_to=result.window[1], sources=sources,
                                     data_docs_dir=docs_dir, suites=(ACCEPTED_SUITE,), airflow_run_id=run_id)
        result.checks.update(_checks(accepted_report))
        result.data_docs = data_docs_url(accepted_report.data_docs_path) or result.data_docs
        if accepted_report.outcome != "passed":
            bad = accepted_report.errors or accepted_report.failed
            _fail(dsn, result, run_id, run_url, notify, "gate_failure",
                  "the accepted series failed its suite, the marts were not refreshed: "
                  + "; ".join(f"{e.name}: {e.error or e.unexpected_rows[:3]}" for e in bad))
        with conn, conn.cursor() as cur:
            refresh_marts(cur)
            result.outcome = "quarantined" if result.open_quarantine else "passed"
            result.seconds = time.perf_counter() - started
            cur.execute(
                "INSERT INTO quality.validation_run (suite, started_at, finished_at, date_from, date_to, sources, "
                "outcome, statistics, data_docs_path, airflow_run_id) "
                "VALUES ('quality_gate', now() - %s * interval '1 second', now(), %s, %s, %s, %s, %s, %s, %s)",
                (result.seconds, date_from, date_to, sources, "passed" if result.outcome == "passed" else "failed",
                 json.dumps(_gate_statistics(result)), str(accepted_report.data_docs_path or ""), run_id))
            cur.execute("UPDATE quality.alert SET data_docs_url = coalesce(data_docs_url, %s) WHERE id = ANY (%s)",
                        (result.data_docs, result.alerts))
            cur.execute("UPDATE quality.validation_run SET data_docs_path = %s WHERE id = ANY (%s)",
                        (str(accepted_report.data_docs_path or ""), [s.validation_run_id for s in report.suites]))
    finally:
        conn.close()
    if notify:
        result.delivery = _deliver(dsn)
    result.seconds = time.perf_counter() - started
    return result


def refresh_marts(cur) -> None:
    """Refresh the three marts in the caller's transaction: all of them or none.

    A kill at any moment (of the process, of its connection, of the server) rolls the transaction
    back, so the marts keep their previous contents, readable throughout; the next gate run
    refreshes them from core.accepted.  The two marts with a unique index are refreshed
    ``CONCURRENTLY``, so readers are not even blocked while they are rebuilt; ``mart.latest``
    (a few rows) is rebuilt in place.  The gate's advisory lock keeps two refreshes apart.
    """
    cur.execute("SELECT pg_advisory_xact_lock(hashtext('attrition.quality_gate'))")
    for view in MARTS:
        concurrently = "CONCURRENTLY " if view in CONCURRENT_MARTS else ""
        cur.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")


def _checks(report) -> dict:
    return {s.suite: {"outcome": s.outcome, "validation_run_id": s.validation_run_id,
                      "failed": {e.name: e.unexpected_count for e in s.expectations if e.status == "failed"},
                      "errors": {e.name: e.error for e in s.expectations if e.status == "error"}}
            for s in report.suites}


def _gate_statistics(result: GateResult) -> dict:
    return {"accepted": result.accepted, "changed": result.changed, "corrections": result.corrections,
            "disagreements": result.disagreements, "quarantined": len(result.quarantined),
            "out_of_validity": len(result.out_of_validity),
            "open_quarantine": result.open_quarantine, "resolved": len(result.resolved),
            "retracted": len(result.retracted), "alerts": len(result.alerts),
            "window": [str(d) for d in result.window], "checks": result.checks}


def _deliver(dsn: str) -> str:
    from etl.warehouse.notify import deliver_pending

    return deliver_pending(dsn).summary()


def _fail(dsn, result: GateResult, run_id, run_url, notify: bool, kind: str, message: str) -> None:
    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        key = f"{kind}:{run_id or datetime.now(timezone.utc).isoformat()}:{result.date_from}:{result.date_to}"
        record_alert(cur, kind, key, f"[attrition] quality gate {kind.replace('_', ' ')} "
                     f"({result.date_from}..{result.date_to})",
                     f"{message}\n\nNothing reached the marts. Fix the cause, then re-run the validate task "
                     f"(or attrition validate --from {result.date_from} --to {result.date_to}).",
                     {"date_from": result.date_from, "date_to": result.date_to, "checks": result.checks},
                     severity="error", run_url=run_url)
    if notify:
        _deliver(dsn)
    raise GateError(message)


# ---------------------------------------------------------------------------------------------------
@dataclass
class _Run:
    """What every step of one gate run writes with: the cursor (one transaction) and the run's ids."""
    cur: Any
    result: GateResult
    run_ref: int  # quality.validation_run id of the monotonic suite
    run_id: str | None
    run_url: str | None

    def alert(self, kind: str, key: str, subject: str, body: str, details: dict, severity: str) -> None:
        from etl.warehouse.alerts import record_alert

        alert_id = record_alert(self.cur, kind, key, subject, body, {**details, "run_id": self.run_id},
                                severity=severity, run_url=self.run_url)
        if alert_id:
            self.result.alerts.append(alert_id)


def _decide_and_write(cur, result: GateResult, lo: date, hi: date, schema_bad: dict, run_ref: int,
                      run_id: str | None, run_url: str | None) -> None:
    run = _Run(cur, result, run_ref, run_id, run_url)
    obs, operator, decision = _decide(cur, lo, hi, schema_bad)
    by_cell: dict[tuple[date, str], list[dict]] = {}
    for o in obs.values():
        by_cell.setdefault((o["as_of"], o["category"]), []).append(o)
    before, rows = _write_accepted(run, lo, hi, decision, by_cell)
    wanted = _wanted_quarantine(decision, obs, by_cell, schema_bad, operator)
    _sync_quarantine(run, lo, hi, wanted)
    result.out_of_validity = sorted(
        ({"source": w["obs"]["source"], "as_of": str(w["obs"]["as_of"]), "category": w["obs"]["category"],
          "cumulative": w["obs"]["cumulative"], "note": w["obs"].get("note")}
         for w in wanted.values() if w["diagnosis"] == "out_of_validity"),
        key=lambda o: (o["as_of"], o["category"], o["source"]))
    _record_retractions(run, before, rows, wanted, by_cell, operator)
    _alert_disagreements(run, rows, wanted)
    cur.execute("SELECT count(*) FROM quality.quarantine WHERE status = 'open' AND as_of BETWEEN %s AND %s", (lo, hi))
    result.open_quarantine = cur.fetchone()[0]


def _decide(cur, lo: date, hi: date, schema_bad: dict):
    """The decision over [lo, hi]: observations, operators' decisions, anchors, the registry."""
    from etl.quality.consensus import Record, decide

    from etl.domain.categories import BY_CODE

    cur.execute("""SELECT id, source, as_of, category, cumulative, increase, qualifier, note
                   FROM core.current_observation WHERE as_of BETWEEN %s AND %s""", (lo, hi))
    obs = {(s, d, c): {"id": i, "source": s, "as_of": d, "category": c, "cumulative": v, "increase": inc,
                       "qualifier": q, "note": n}
           for i, s, d, c, v, inc, q, n in cur.fetchall()}
    # a figure outside its category's validity never enters the decision, whether or not this run's
    # checks (which cover the scope, not the whole window) flagged it
    for k, o in obs.items():
        cat = BY_CODE.get(o["category"])
        if cat is not None and not cat.valid_on(o["as_of"]):
            schema_bad.setdefault(k, OUT_OF_VALIDITY)
    cur.execute("""SELECT q.observation_id, q.status FROM quality.quarantine q
                   WHERE q.status IN ('accepted', 'rejected') AND q.decided_by IS DISTINCT FROM 'gate'
                     AND q.as_of BETWEEN %s AND %s""", (lo, hi))
    operator = dict(cur.fetchall())
    cur.execute("""SELECT source, as_of, category FROM quality.quarantine WHERE status = 'open'
                   AND decided_by <> 'gate' AND as_of BETWEEN %s AND %s""", (lo, hi))
    reopened = cur.fetchall()  # an operator reopened them: a person decides, whatever the evidence
    forced = [k for k, o in obs.items() if operator.get(o["id"]) == "accepted"]
    records = [Record(o["source"], o["as_of"], o["category"], o["cumulative"], o["increase"])
               for k, o in obs.items() if k not in schema_bad and operator.get(o["id"]) != "rejected"]
    anchors = {}
    for cmp, order, day in (("<", "DESC", lo), (">", "ASC", hi)):
        cur.execute(f"""SELECT DISTINCT ON (category) as_of, category, cumulative FROM core.accepted
                        WHERE as_of {cmp} %s ORDER BY category, as_of {order}""", (day,))
        anchors.update({(d, c): v for d, c, v in cur.fetchall()})
    # the published registry; an operator's corrections are in it too, but they act through `forced`
    cur.execute("SELECT as_of, category, delta FROM quality.correction WHERE origin = 'registry'")
    return obs, operator, decide(records, cur.fetchall(), forced=forced, anchors=anchors, reopened=reopened)


def _write_accepted(run: _Run, lo: date, hi: date, decision, by_cell: dict):
    """core.accepted in [lo, hi] as decided: only what changed is written.  Returns (before, rows)."""
    cur, result = run.cur, run.result
    cur.execute(f"SELECT {', '.join(ACCEPTED_COLUMNS[:-1])} FROM core.accepted WHERE as_of BETWEEN %s AND %s",
                (lo, hi))
    before = {(r[0], r[1]): dict(zip(ACCEPTED_COLUMNS[:-1], r)) for r in cur.fetchall()}
    rows = {}
    for (d, c), a in decision.accepted.items():
        cell = sorted(by_cell.get((d, c), []), key=lambda o: SOURCES.index(o["source"]))
        agreeing = [o for o in cell if o["cumulative"] == a.value]
        src = next((o for o in agreeing if o["source"] in a.sources_agreeing), agreeing[0] if agreeing else None)
        rows[(d, c)] = {
            "as_of": d, "category": c, "cumulative": a.value, "status": a.status, "correction_flag": a.flag,
            "accepted_source": src["source"] if src else a.sources_agreeing[0],
            "sources_agreeing": [o["source"] for o in agreeing],
            "sources_reporting": [o["source"] for o in cell],
            "dissent": {o["source"]: o["cumulative"] for o in cell if o["cumulative"] != a.value},
            "reported_increase": src["increase"] if src else None, "qualifier": src["qualifier"] if src else None,
            "note": a.note or None,
        }
    changed = [r for k, r in rows.items() if before.get(k) != r]  # both: the columns of core.accepted
    if changed:  # COPY into a staging table, then one upsert: 20,000 rows in a fraction of a second
        cur.execute("CREATE TEMP TABLE accepted_stage (LIKE core.accepted INCLUDING DEFAULTS) ON COMMIT DROP")
        cur.copy_expert(f"COPY accepted_stage ({', '.join(ACCEPTED_COLUMNS)}) FROM STDIN",
                        _copy_buffer([[r[c] for c in ACCEPTED_COLUMNS[:-1]] + [run.run_ref] for r in changed]))
        cur.execute(f"""
            INSERT INTO core.accepted ({', '.join(ACCEPTED_COLUMNS)})
            SELECT {', '.join(ACCEPTED_COLUMNS)} FROM accepted_stage
            ON CONFLICT (category, as_of) DO UPDATE SET
                {', '.join(f'{c} = EXCLUDED.{c}' for c in ACCEPTED_COLUMNS[2:])}, decided_at = now()""")
    for d, c in (k for k in before if k not in rows):
        cur.execute("DELETE FROM core.accepted WHERE as_of = %s AND category = %s", (d, c))
    result.accepted, result.changed = len(rows), len(changed)
    result.corrections = sum(r["status"] == "correction" for r in rows.values())
    result.disagreements = sum(bool(r["dissent"]) for r in rows.values())
    return before, rows


def _wanted_quarantine(decision, obs: dict, by_cell: dict, schema_bad: dict, operator: dict) -> dict:
    """{(observation id, expectation): entry} the quarantine must hold: what the decision keeps out,
    the schema failures, and the records of the official corrections it took (status accepted).
    Records an operator decided on are theirs, not the gate's."""
    wanted: dict[tuple[int, str], dict] = {}
    for q in decision.quarantine:
        o = obs.get((q.source, q.as_of, q.category))
        if o is None or o["cumulative"] != q.cumulative:
            continue
        evidence = {**q.evidence}
        if q.diagnosis == "spike_before" and q.neighbours.get("next"):
            evidence["revealed_by"] = q.neighbours["next"][0]
        # explained by an official correction: resolved; settled by the evidence: rejected; else open (a person)
        status = q.verdict
        wanted[(o["id"], ENGINE_EXPECTATION[q.expectation])] = {
            "obs": o, "diagnosis": q.diagnosis, "neighbours": q.neighbours, "evidence": evidence, "status": status}
    for key, expectation in schema_bad.items():
        o = obs.get(key)
        if o is None:
            continue
        if expectation == OUT_OF_VALIDITY:  # the category contract keeps it out: explained, not suspect
            wanted[(o["id"], expectation)] = {
                "obs": o, "diagnosis": "out_of_validity", "neighbours": {}, "status": "resolved",
                "evidence": {"why": o.get("note") or f"printed on {o['as_of']}, outside the category's validity",
                             "note": o.get("note")}}
            continue
        wanted[(o["id"], expectation)] = {"obs": o, "diagnosis": "unresolved", "neighbours": {}, "status": "open",
                                          "evidence": {"why": f"fails {expectation}"}}
    series_of = {}
    for (d, c), a in decision.accepted.items():
        if a.status != "correction":
            continue
        series = series_of.setdefault(c, decision.series(c))
        i = series.index((d, a.value))
        prev = series[i - 1] if i else None
        for o in by_cell.get((d, c), []):
            if o["cumulative"] == a.value:
                wanted.setdefault((o["id"], MONOTONIC), {
                    "obs": o, "diagnosis": "official_correction", "status": "accepted",
                    "neighbours": {"prev": prev, "next": series[i + 1] if i + 1 < len(series) else None},
                    "evidence": {"why": f"a decrease confirmed by {a.flag.replace('+', ', ')}", "flag": a.flag,
                                 "change": a.value - prev[1] if prev else None}})
    return {k: w for k, w in wanted.items() if operator.get(k[0]) is None}


_SUBJECT = {  # by the quarantine entry's status
    "accepted": "[attrition] official correction accepted: {category} {as_of} = {cumulative}",
    "resolved": "[attrition] explained by an official correction: {source} {category} {as_of} = {cumulative}",
    "rejected": "[attrition] outvoted, rejected by the gate: {source} {category} {as_of} = {cumulative}",
    "open": "[attrition] quarantined {source} {category} {as_of} = {cumulative} ({diagnosis})",
}


def _sync_quarantine(run: _Run, lo: date, hi: date, wanted: dict) -> None:
    """Bring quality.quarantine in [lo, hi] to ``wanted``: insert new entries, re-diagnose changed
    ones (a new incident), clear open ones no longer wanted; one alert per incident."""
    from psycopg2.extras import Json

    from etl.domain.categories import BY_CODE

    cur, result = run.cur, run.result
    cur.execute("""SELECT id, observation_id, expectation, diagnosis, status
                   FROM quality.quarantine
                   WHERE as_of BETWEEN %s AND %s AND (status = 'open' OR decided_by = 'gate')""", (lo, hi))
    existing = {(r[1], r[2]): {"id": r[0], "diagnosis": r[3], "status": r[4]} for r in cur.fetchall()}
    for key, old in existing.items():
        if key in wanted or old["status"] == "resolved":
            continue
        cur.execute("""UPDATE quality.quarantine SET status = 'resolved', decided_by = 'gate', decided_at = now(),
                              updated_at = now(), note = %s WHERE id = %s""",
                    ("cleared by later evidence: no longer breaks the monotonic counts", old["id"]))
        result.resolved.append(old["id"])
    # figures printed outside their category's dates that this run lists for the first time: one alert
    # per (source, category), naming their days (a re-run lists none, so it alerts nothing)
    outside_groups: dict[tuple[str, str], list[dict]] = {}
    for key, w in wanted.items():
        old = existing.get(key)
        if w["diagnosis"] == "out_of_validity" and (old is None or old["diagnosis"] != w["diagnosis"]):
            outside_groups.setdefault((w["obs"]["source"], w["obs"]["category"]), []).append(w["obs"])
    outside_incident = {}
    for (source, category), group in outside_groups.items():
        days = sorted(o["as_of"] for o in group)
        outside_incident[(source, category)] = f"out_of_validity:{source}:{category}:{days[0]}..{days[-1]}:{len(days)}"
    for (obs_id, expectation), w in sorted(wanted.items(), key=lambda kv: (kv[1]["obs"]["as_of"], kv[0])):
        o, old = w["obs"], existing.get((obs_id, expectation))
        gate_decided = w["status"] != "open"
        outside = w["diagnosis"] == "out_of_validity"
        incident = (f"official_correction:{o['category']}:{o['as_of']}:{o['cumulative']}" if w["status"] == "accepted"
                    else outside_incident.get((o["source"], o["category"]), "") if outside
                    else f"quarantine:{obs_id}:{expectation}:{w['diagnosis']}")
        values = (w["diagnosis"], Json(_jsonable(w["neighbours"])), Json(_jsonable(w["evidence"])), w["status"],
                  run.run_ref, incident, "gate" if gate_decided else None)
        if old is None:
            cur.execute(
                """INSERT INTO quality.quarantine (observation_id, source, as_of, category, cumulative, increase,
                       expectation, diagnosis, neighbours, evidence, status, validation_run_id, incident_key,
                       decided_by, decided_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                           CASE WHEN %s THEN now() END) RETURNING id""",
                (obs_id, o["source"], o["as_of"], o["category"], o["cumulative"], o["increase"], expectation,
                 *values, gate_decided))
            qid = cur.fetchone()[0]
        elif old["diagnosis"] == w["diagnosis"] and old["status"] == w["status"]:
            continue
        else:
            qid = old["id"]
            cur.execute("""UPDATE quality.quarantine SET diagnosis = %s, neighbours = %s, evidence = %s, status = %s,
                                  validation_run_id = %s, incident_key = %s, decided_by = %s,
                                  decided_at = CASE WHEN %s THEN now() END, updated_at = now()
                           WHERE id = %s""", (*values, gate_decided, qid))
        item = {"id": qid, "source": o["source"], "as_of": str(o["as_of"]), "category": o["category"],
                "cumulative": o["cumulative"], "diagnosis": w["diagnosis"], "why": w["evidence"].get("why", ""),
                "status": w["status"]}
        if not gate_decided:
            result.quarantined.append(item)
        if outside:
            continue  # one alert per group, below
        run.alert("quarantine", incident, _SUBJECT[w["status"]].format(**item), _quarantine_body(item, w, expectation),
                  {**item, "quarantine_id": qid, "expectation": expectation, "neighbours": _jsonable(w["neighbours"])},
                  "info" if gate_decided else "warning")

    for (source, category), group in sorted(outside_groups.items()):
        group = sorted(group, key=lambda o: o["as_of"])
        cat = BY_CODE[category]
        figures = ", ".join(f"{o['as_of']} = {o['cumulative']}" for o in group[:10]) + (
            f", ... ({len(group) - 10} more)" if len(group) > 10 else "")
        notes = sorted({o.get("note") for o in group if o.get("note")})
        span = str(group[0]["as_of"]) if len(group) == 1 else f"{group[0]['as_of']}..{group[-1]['as_of']}"
        run.alert(
            "out_of_validity", outside_incident[(source, category)],
            f"[attrition] printed outside its category's dates: {source} {category} {span} ({len(group)} day(s))",
            f"{source} printed {category} on {len(group)} day(s) outside the category's official validity "
            f"({cat.valid_from}..{cat.valid_to or ''}): {figures}. The figures are stored as printed, with their "
            f"note ({'; '.join(notes) or 'none'}), but the category contract keeps them out of the accepted series "
            "and the marts; mart.quarantined_records lists them with the diagnosis out_of_validity. Nothing to do "
            "unless the category's dates in etl/domain/categories.py are wrong.",
            {"source": source, "category": category, "days": [str(o["as_of"]) for o in group],
             "values": [o["cumulative"] for o in group], "notes": notes}, "info")


def _record_retractions(run: _Run, before: dict, rows: dict, wanted: dict, by_cell: dict, operator: dict) -> None:
    """quality.retraction (and an alert) for every accepted value that changed or went."""
    reasons = {(w["obs"]["as_of"], w["obs"]["category"], w["obs"]["cumulative"]): w["diagnosis"]
               for w in wanted.values()}
    for k in [k for k in before if k not in rows or rows[k]["cumulative"] != before[k]["cumulative"]]:
        old, new = before[k], rows.get(k)
        reason = reasons.get((k[0], k[1], old["cumulative"])) or (
            "operator decision" if any(operator.get(o["id"]) for o in by_cell.get(k, [])) else "new evidence")
        run.cur.execute("""INSERT INTO quality.retraction (as_of, category, value_before, status_before, value_after,
                                                           status_after, reason, validation_run_id)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                        (k[0], k[1], old["cumulative"], old["status"], new and new["cumulative"],
                         new and new["status"], reason, run.run_ref))
        item = {"as_of": str(k[0]), "category": k[1], "value_before": old["cumulative"],
                "value_after": new and new["cumulative"], "reason": reason}
        run.result.retracted.append(item)
        run.alert("retraction", f"retraction:{k[1]}:{k[0]}:{old['cumulative']}->{new and new['cumulative']}",
                  f"[attrition] retracted {k[1]} {k[0]}: {old['cumulative']} -> "
                  f"{new['cumulative'] if new else 'no accepted value'}",
                  f"The accepted value of {k[1]} on {k[0]} was {old['cumulative']} ({old['status']}); new evidence "
                  f"({reason}) replaced it with {new['cumulative'] if new else 'nothing'}. The marts now show the "
                  "new value.", item, "warning")


def _alert_disagreements(run: _Run, rows: dict, wanted: dict) -> None:
    """An alert per accepted cell where a source printed another value the quarantine does not explain."""
    quarantined_cells = {(w["obs"]["as_of"], w["obs"]["category"], w["obs"]["source"])
                         for w in wanted.values() if w["status"] in ("open", "rejected")}
    for (d, c), r in sorted(rows.items()):
        dissent = {s: v for s, v in r["dissent"].items() if (d, c, s) not in quarantined_cells}
        if not dissent or r["status"] == "correction":
            continue
        values = ", ".join(f"{s}={v}" for s, v in sorted(dissent.items()))
        run.alert("source_disagreement", f"disagreement:{c}:{d}:{r['cumulative']}:{values}",
                  f"[attrition] sources disagree: {c} {d}",
                  f"For {c} on {d} the gate accepted {r['cumulative']} ({r['status']}, from "
                  f"{', '.join(r['sources_agreeing'])}); {values} printed otherwise. The other values fit the "
                  "neighbouring days, so nothing was quarantined; mart.daily_losses_long shows the disagreement.",
                  {"as_of": str(d), "category": c, "accepted": r["cumulative"], "status": r["status"],
                   "sources_agreeing": r["sources_agreeing"], "dissent": dissent}, "info")


def _quarantine_body(item: dict, w: dict, expectation: str) -> str:
    """The alert's message; the notifier adds What / Why / Where, the neighbours, the links and how to act."""
    others = w["evidence"].get("other_sources") or {}
    said = ("; the other sources printed " + ", ".join(f"{s} {v}" for s, v in sorted(others.items()))
            if others else "; no other source printed this day")
    verdict = {"accepted": "The gate accepted it as an official correction",
               "resolved": "The gate explained it by an official correction; the accepted value follows the "
                           "other sources",
               "rejected": "The gate rejected it: the other sources agree and their value fits the days around it",
               }.get(w["status"], "The gate kept it out of the marts")
    return (f"{item['source']} printed {item['category']} = {item['cumulative']} for {item['as_of']}{said}. "
            f"{verdict}: {item['diagnosis']} ({item['why']}).")


def _copy_buffer(rows: list[list]):
    """Rows in COPY's text format (NULL as \\N; lists as text[] literals; dicts as JSON)."""
    import io

    def field(value) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, (list, tuple)):
            value = "{" + ",".join('"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in value) + "}"
        elif isinstance(value, dict):
            value = json.dumps(value)
        return (str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))

    return io.StringIO("".join("\t".join(field(v) for v in row) + "\n" for row in rows))


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))
