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
   at any moment leaves the previous marts readable, and the next run completes them.  A plain
   refresh (readers wait for its commit, well under a second), ``CONCURRENTLY`` when a reader holds
   a mart longer than a second.
5. **Notifications** of the new alerts (:mod:`etl.warehouse.notify`), with the run URL and the Data Docs.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from etl.domain.model import SOURCES
from etl.errors import MessageError
from etl.quality.bulk import collector_paused
from etl.quality.gate_result import (
    ACCEPTED_SUITE,
    CANDIDATE_SUITES,
    CONCURRENT_MARTS,
    MARTS,
    QUARANTINING_SCHEMA,
    WINDOW_DAYS,
    GateResult,
)


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


# ---------------------------------------------------------------------------------------------------
def validate(
    dsn: str | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    sources: list[str] | None = None,
    run_id: str | None = None,
    run_url: str | None = None,
    docs_dir: Path | None = None,
    notify: bool = True,
    data_docs: bool = False,
) -> GateResult:
    """Run the gate over ``[date_from, date_to]`` (default: everything loaded); see the module doc.
    ``data_docs``: build the Data Docs even when the run has nothing to show (see :func:`_check_accepted`)."""
    from etl.config import warehouse_dsn
    from etl.warehouse.db import connect

    started = time.perf_counter()
    dsn = dsn or warehouse_dsn()
    sources = [s for s in SOURCES if s in (sources or SOURCES)]
    docs_dir = Path(docs_dir) if docs_dir else data_docs_dir()
    with collector_paused(), contextlib.closing(connect(dsn)) as conn:
        first, last = _loaded_range(conn, sources)
        if first is None:
            return GateResult(date_from, date_to, outcome="nothing_loaded")
        date_from = max(date_from or first, first)
        date_to = min(date_to or last, last)
        if date_from > date_to:
            return GateResult(date_from, date_to, outcome="nothing_loaded")
        result = GateResult(date_from, date_to)
        run = _Run(dsn, sources, docs_dir, run_id, run_url, notify)

        # 1. the checks, 2. the decision, 3. the writes
        lo, hi = date_from - timedelta(days=WINDOW_DAYS), date_to + timedelta(days=WINDOW_DAYS)
        result.window = (max(lo, first), min(hi, last))
        report = _check_and_decide(conn, run, result, lo, hi)

        # 4. the accepted series' own suite, then the marts
        accepted_report = _check_accepted(
            run, result, show=data_docs or report.outcome != "passed" or bool(result.alerts)
        )
        with conn, conn.cursor() as cur:
            refresh_marts(cur, only_if_stale=True)
            result.outcome = "quarantined" if result.open_quarantine else "passed"
            result.seconds = time.perf_counter() - started
            _record_gate_run(cur, result, report, accepted_report, sources, run_id)
    if notify:
        result.delivery = _deliver(dsn)
    result.seconds = time.perf_counter() - started
    return result


def _loaded_range(conn, sources: list[str]) -> tuple[date | None, date | None]:
    """The first and last day loaded of ``sources`` (None, None when nothing is)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT min(as_of), max(as_of) FROM core.current_observation WHERE source = ANY (%s)", (sources,))
        return cur.fetchone()


def _check_and_decide(conn, run: _Run, result: GateResult, lo: date, hi: date):
    """Steps 1 to 3: the checks of the scope, then the decision over [lo, hi] and its writes, in one
    transaction under the gate's lock.  The checks (the schema suite, then the monotonic one: mostly
    the database's time) run in a thread of their own while this one computes the decision (Python's),
    which only reads, and then writes it while the checks go on (:class:`~etl.quality.gate_decision.WriteAhead`):
    the writes are kept only once the checks ended, and a check that raised undoes them and stops the
    gate (:meth:`_Run.fail`).  The schema suite's failures are kept out of the decision: it is computed
    with none but the figures outside their category's dates (which it finds itself), and computed
    again, and written again, when the suite found other failures (:func:`_decide`).  Returns the
    checks' report."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from etl.quality.gate_decision import WriteAhead

    monotonic_suite = CANDIDATE_SUITES[1]
    runs: Future = Future()  # {suite: its quality.validation_run id}, once the checks made them
    with ThreadPoolExecutor(1, thread_name_prefix="attrition-gx") as pool, conn, conn.cursor() as cur:
        checks = pool.submit(
            run.suites, CANDIDATE_SUITES, result.date_from, result.date_to, build_docs=False, on_runs=runs.set_result
        )
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('attrition.quality_gate'))")
        writes = WriteAhead(cur, result, lo, hi, runs, checks, monotonic_suite, run.run_id, run.run_url)
        report, decided = _decide(cur, lo, hi, checks, writes.ahead)
        if isinstance(decided, Exception) and not report.errors:
            raise decided
        run_ref = next(s.validation_run_id for s in report.suites if s.suite == monotonic_suite)
        writes.settle(report, decided, run_ref)
        result.data_docs = data_docs_url(report.data_docs_path)
        result.checks = _checks(report)
        result.validation_run_id = run_ref
    if report.errors:
        errors = "; ".join(f"{e.suite}.{e.name}: {e.error}" for e in report.errors)
        run.fail(result, "validation_error", "the checks could not run: " + errors)
    return report


def _decide(cur, lo: date, hi: date, checks, ahead):
    """(the checks' report, the decision or the exception it raised): the decision over [lo, hi]
    computed while ``checks`` (a future of the candidate suites' report) runs, with no schema failure
    but what :func:`decide_window` adds itself (the figures outside their category's dates, as
    ``OUT_OF_VALIDITY``), and handed to ``ahead`` (to be written while the checks go on); computed
    again with the schema suite's failures if it found any other (a negative count, an unknown source
    or category: nothing the parsers let through), so the decision is always the one made with them."""
    from etl.quality.gate_decision import decide_window

    assumed: dict = {}
    try:
        decided = decide_window(cur, lo, hi, assumed)
    except Exception as exc:  # noqa: BLE001 - raised by the caller, unless a check that raised explains it first
        decided = exc
    if not isinstance(decided, Exception):
        ahead(decided)
    report = checks.result()
    schema_bad = _schema_bad(report)
    if not report.errors and any(assumed.get(k) != v for k, v in schema_bad.items()):
        try:
            decided = decide_window(cur, lo, hi, schema_bad)
        except Exception as exc:  # noqa: BLE001 - as above
            decided = exc
    return report, decided


def _check_accepted(run: _Run, result: GateResult, show: bool):
    """Step 4: the accepted series' own suite over the window; a failure stops the gate (:meth:`_Run.fail`)
    before the marts are refreshed.  Returns its report.  The run's Data Docs are built when it has
    something to show (``show``: a check failed, an alert was raised) or this suite fails; else its
    results wait in the Data Docs store for the next build (:func:`etl.quality.gx_runner.run_suites`)."""
    accepted_report = run.suites((ACCEPTED_SUITE,), *result.window, build_docs=True if show else None)
    result.checks.update(_checks(accepted_report))
    result.data_docs = data_docs_url(accepted_report.data_docs_path) or result.data_docs
    if accepted_report.outcome != "passed":
        bad = accepted_report.errors or accepted_report.failed
        failed = "; ".join(f"{e.name}: {e.error or e.unexpected_rows[:3]}" for e in bad)
        message = f"the accepted series failed its suite, the marts were not refreshed: {failed}"
        run.fail(result, "gate_failure", message)
    return accepted_report


def _record_gate_run(cur, result: GateResult, report, accepted_report, sources, run_id) -> None:
    """The gate's own quality.validation_run row; its Data Docs on the alerts and the suites' runs."""
    cur.execute(
        "INSERT INTO quality.validation_run (suite, started_at, finished_at, date_from, date_to, sources, "
        "outcome, statistics, data_docs_path, airflow_run_id) "
        "VALUES ('quality_gate', now() - %s * interval '1 second', now(), %s, %s, %s, %s, %s, %s, %s)",
        (
            result.seconds,
            result.date_from,
            result.date_to,
            sources,
            "passed" if result.outcome == "passed" else "failed",
            json.dumps(_gate_statistics(result)),
            str(accepted_report.data_docs_path or ""),
            run_id,
        ),
    )
    cur.execute(
        "UPDATE quality.alert SET data_docs_url = coalesce(data_docs_url, %s) WHERE id = ANY (%s)",
        (result.data_docs, result.alerts),
    )
    cur.execute(
        "UPDATE quality.validation_run SET data_docs_path = %s WHERE id = ANY (%s)",
        (str(accepted_report.data_docs_path or ""), [s.validation_run_id for s in report.suites]),
    )


MART_LOCK_TIMEOUT = "1s"  # how long a plain refresh waits for readers before it falls back to CONCURRENTLY


# The columns of core.accepted that mart.daily_losses_long shows (the others of the mart derive from them)
_MART_COLUMNS = (
    "as_of, category, cumulative, reported_increase, qualifier, accepted_source, sources_agreeing, "
    "sources_reporting, status, correction_flag, dissent, note"
).split(", ")


def marts_stale(cur) -> bool:
    """Whether the marts differ from what a refresh would give: a cell of core.accepted not shown as it
    is by mart.daily_losses_long (or a row of the mart no longer accepted), or mart.latest not its
    definition (it also reads core.category).  mart.daily_losses is refreshed with the other two, in
    one transaction, from the first.  About 20 ms for the whole history, where a refresh takes 0.1-0.2 s."""
    cur.execute(
        "SELECT bool_and(ispopulated) FROM pg_matviews WHERE schemaname || '.' || matviewname = ANY (%s)",
        (list(MARTS),),
    )
    if not cur.fetchone()[0]:
        return True
    accepted = ", ".join(f"a.{c}" for c in _MART_COLUMNS)
    shown = ", ".join(f"m.{c}" for c in _MART_COLUMNS)
    cur.execute(
        f"""SELECT EXISTS (SELECT 1 FROM core.accepted a
                            FULL JOIN mart.daily_losses_long m ON m.as_of = a.as_of AND m.category = a.category
                            WHERE ({accepted}) IS DISTINCT FROM ({shown}))"""
    )
    if cur.fetchone()[0]:
        return True
    cur.execute("SELECT pg_get_viewdef('mart.latest'::regclass)")
    latest = cur.fetchone()[0].strip().rstrip(";")
    cur.execute(
        f"SELECT EXISTS ((TABLE mart.latest EXCEPT ALL ({latest})) UNION ALL (({latest}) EXCEPT ALL TABLE mart.latest))"
    )
    return cur.fetchone()[0]


def refresh_marts(cur, only_if_stale: bool = False) -> bool:
    """Refresh the three marts in the caller's transaction: all of them or none.  With ``only_if_stale``
    (the gate) only when :func:`marts_stale` says a refresh would change them: a run that changed no
    accepted cell costs no refresh, and one killed between its writes and its refresh is completed by
    the next.  Returns whether it refreshed.

    A kill at any moment (of the process, of its connection, of the server) rolls the transaction
    back, so the marts keep their previous contents, readable throughout; the next gate run
    refreshes them from core.accepted.  The marts are rebuilt with a plain ``REFRESH`` (about 3x
    faster than ``CONCURRENTLY``: 0.2-0.6 s for the whole history on 2 cores), which keeps readers
    waiting until the transaction commits, that long and no longer.  So that a long reader never
    makes the refresh (and every reader queued behind it) wait, the plain refresh gives up after
    :data:`MART_LOCK_TIMEOUT` and the two marts with a unique index are then refreshed
    ``CONCURRENTLY`` (readers never blocked).  The gate's advisory lock keeps two refreshes apart.
    """
    import psycopg2.errors

    cur.execute("SELECT pg_advisory_xact_lock(hashtext('attrition.quality_gate'))")
    if only_if_stale and not marts_stale(cur):
        return False
    cur.execute("SELECT current_setting('lock_timeout')")
    before = cur.fetchone()[0]
    cur.execute("SAVEPOINT attrition_marts")
    try:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (MART_LOCK_TIMEOUT,))
        for view in MARTS:
            cur.execute(f"REFRESH MATERIALIZED VIEW {view}")
    except psycopg2.errors.LockNotAvailable:
        cur.execute("ROLLBACK TO SAVEPOINT attrition_marts")  # undoes the lock_timeout too
        for view in MARTS:
            concurrently = "CONCURRENTLY " if view in CONCURRENT_MARTS else ""
            cur.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")
    else:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
        cur.execute("RELEASE SAVEPOINT attrition_marts")
    return True  # either way


def _schema_bad(report) -> dict:
    """{(source, day, category): expectation} of the schema failures whose rows are quarantined."""
    from etl.quality.consensus import as_date

    bad = {}
    for e in report.expectations:
        if e.suite == "observations_schema" and e.status == "failed" and e.name in QUARANTINING_SCHEMA:
            for row in e.unexpected_rows:
                bad[(row["source"], as_date(row["as_of"]), row["category"])] = f"observations_schema.{e.name}"
    return bad


def _checks(report) -> dict:
    return {
        s.suite: {
            "outcome": s.outcome,
            "validation_run_id": s.validation_run_id,
            "failed": {e.name: e.unexpected_count for e in s.expectations if e.status == "failed"},
            "errors": {e.name: e.error for e in s.expectations if e.status == "error"},
        }
        for s in report.suites
    }


def _gate_statistics(result: GateResult) -> dict:
    return {
        "accepted": result.accepted,
        "changed": result.changed,
        "corrections": result.corrections,
        "disagreements": result.disagreements,
        "quarantined": len(result.quarantined),
        "out_of_validity": len(result.out_of_validity),
        "open_quarantine": result.open_quarantine,
        "resolved": len(result.resolved),
        "retracted": len(result.retracted),
        "alerts": len(result.alerts),
        "window": [str(d) for d in result.window],
        "checks": result.checks,
    }


def _deliver(dsn: str) -> str:
    from etl.warehouse.notify import deliver_pending

    return deliver_pending(dsn).summary()


@dataclass(frozen=True)
class _Run:
    """What one gate run is called with, as its steps need it."""

    dsn: str
    sources: list[str]
    docs_dir: Path
    run_id: str | None
    run_url: str | None
    notify: bool

    def suites(self, suites: tuple[str, ...], date_from: date, date_to: date, **kw):
        """The report of ``suites`` over ``[date_from, date_to]`` of this run's sources."""
        from etl.quality.gx_runner import run_suites

        return run_suites(
            self.dsn,
            date_from=date_from,
            date_to=date_to,
            sources=self.sources,
            data_docs_dir=self.docs_dir,
            suites=suites,
            airflow_run_id=self.run_id,
            **kw,
        )

    def fail(self, result: GateResult, kind: str, message: str) -> None:
        """Record the ``kind`` alert (delivered when the run notifies) and stop the gate: :class:`GateError`."""
        from etl.warehouse.alerts import record_alert
        from etl.warehouse.db import transaction

        with transaction(self.dsn) as conn, conn.cursor() as cur:
            key = f"{kind}:{self.run_id or datetime.now(UTC).isoformat()}:{result.date_from}:{result.date_to}"
            record_alert(
                cur,
                kind,
                key,
                f"[attrition] quality gate {kind.replace('_', ' ')} ({result.date_from}..{result.date_to})",
                f"{message}\n\nNothing reached the marts. Fix the cause, then re-run the validate task "
                f"(or attrition validate --from {result.date_from} --to {result.date_to}).",
                {"date_from": result.date_from, "date_to": result.date_to, "checks": result.checks},
                severity="error",
                run_url=self.run_url,
            )
        if self.notify:
            _deliver(self.dsn)
        raise GateError(message)
