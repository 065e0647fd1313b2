"""Failures: one line for the user, one alert per incident, in the CLI and in the DAGs.

* :func:`describe` turns any exception into ``(line, exit status)``: the one line ``attrition``
  prints (never a traceback; an unexpected error's traceback goes to a file under
  ``<local dir>/logs`` and the line says where).
* :func:`alert_failure` records an alert (``quality.alert``, one row per incident: the same failure
  of the same source on the same day, or of the same Airflow task run, is one incident however
  often it is retried) and sends it through the configured notifiers (:mod:`etl.warehouse.notify`).  When the
  warehouse itself is unreachable the alert cannot be recorded there: it is **spooled** to
  ``<local dir>/spool/alerts.jsonl`` (``ATTRITION_ALERT_SPOOL``), and the next delivery that reaches
  the warehouse (any run's, or ``attrition alerts deliver``) records and sends it
  (:func:`flush_spool`).
* :func:`task_failed` and :func:`dag_failed` are the ``on_failure_callback`` of every DAG: an
  unexpected crash of a task is never silent; the alert carries the run's link.
"""

from __future__ import annotations

import hashlib
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from etl.errors import AttritionError, one_line
from etl.warehouse.run_ref import OUTSIDE_A_RUN, RunRef
from etl.warehouse.spool import flush_spool, spool_file  # noqa: F401 - also etl.warehouse.failures.*
from etl.warehouse.spool import spool as _spool

# commands whose failure is an incident worth an alert (the others are interactive tools)
ALERTING_COMMANDS = {"backfill", "rebuild", "validate", "quarantine", "claims"}


# ---------------------------------------------------------------------------------------------
# the one line
# ---------------------------------------------------------------------------------------------
def crash_log_dir() -> Path:
    from etl.config import local_dir

    return local_dir() / "logs"


def _write_crash(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, in a file (for a bug report); None when it cannot be written."""
    try:
        folder = crash_log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"attrition-error-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}.log"
        path.write_text("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8")
        return path
    except OSError:
        return None


def classify(exc: BaseException, run_id: str | None = None) -> BaseException:
    """The one-line error ``exc`` stands for: psycopg2's lost connections and out-of-range numbers
    become :class:`~etl.errors.WarehouseLost` / :class:`~etl.errors.NumberOutOfRange`."""
    if type(exc).__module__.startswith("psycopg2"):
        from etl.warehouse.db import translate

        return translate(exc, run_id=run_id) or exc
    return exc


def describe(exc: BaseException, run_id: str | None = None) -> tuple[str, int]:
    """(the one line to print, the exit status) for any exception."""
    exc = classify(exc, run_id)
    if isinstance(exc, AttritionError):  # every project error says what it stands for (etl.errors)
        return exc.summary(), exc.exit_code
    if type(exc).__module__.startswith("airflow"):  # a task's AirflowFailException: its message is the line
        return one_line(str(exc)) or type(exc).__name__, 1
    if isinstance(exc, ValueError):  # a bad argument or setting read by code outside etl.config
        return one_line(str(exc)), 2
    if isinstance(exc, OSError) and exc.filename:
        return one_line(f"{exc.filename}: {exc.strerror or exc}"), 1
    if isinstance(exc, OSError):
        return one_line(f"{exc.strerror or exc}"), 1
    where = _write_crash(exc)
    return (
        one_line(
            f"unexpected error {type(exc).__name__}: {exc}; "
            + (f"the traceback is in {where}; " if where else "")
            + "please report it (nothing of an unfinished transaction was committed)"
        ),
        1,
    )


# ---------------------------------------------------------------------------------------------
# alerts
# ---------------------------------------------------------------------------------------------
def _kyiv_day() -> str:
    from zoneinfo import ZoneInfo

    return datetime.now(tz=ZoneInfo("Europe/Kyiv")).date().isoformat()


def alert_fields(
    exc: BaseException,
    *,
    where: str,
    run_id: str | None,
    run_url: str | None = None,
    line: str | None = None,
    incident: str | None = None,
) -> dict:
    """The quality.alert row for a failure: kind, incident key, subject, body, details."""
    exc = classify(exc, run_id)
    line = line or describe(exc, run_id)[0]
    details: dict = {"where": where, "run_id": run_id, "error": type(exc).__name__}
    if isinstance(exc, AttritionError):  # its kind and details: etl.errors (run_failure: the line is the problem)
        kind = exc.kind
        details.update({"problem": line, **exc.details()})
    elif type(exc).__module__.startswith("airflow"):
        kind = "task_failure"
        details["problem"] = line
    else:
        kind = "run_failure"
        details["problem"] = line
    if incident is None:  # the same failure of the same thing on the same (Kyiv) day is one incident
        what = "|".join(str(details.get(k) or "") for k in ("source", "url", "field", "problem"))
        digest = hashlib.sha256(what.encode()).hexdigest()[:16]
        incident = f"{kind}:{details.get('source') or where}:{digest}:{_kyiv_day()}"
    subject = f"[attrition] {where} failed: " + (line if len(line) <= 160 else line[:159] + "…")
    body = (
        f"{where} failed" + (f" (run {run_id})" if run_id else "") + f":\n\n{line}\n\n"
        "Nothing of an unfinished transaction was committed; documents fetched before the failure are kept in "
        "raw.document. Fix the cause, then run it again."
    )
    return {
        "kind": kind,
        "incident_key": incident,
        "subject": subject,
        "body": body,
        "details": details,
        "run_url": run_url,
    }


def record(fields: dict, dsn: str | None = None) -> int | None:
    """Record one alert row (None: this incident is already recorded)."""
    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import transaction

    with transaction(dsn, application_name="attrition-alert") as conn, conn.cursor() as cur:
        return record_alert(
            cur,
            fields["kind"],
            fields["incident_key"],
            fields["subject"],
            fields["body"],
            fields["details"],
            run_url=fields.get("run_url"),
        )


def alert_failure(
    exc: BaseException,
    *,
    where: str,
    run: RunRef = OUTSIDE_A_RUN,
    incident: str | None = None,
) -> str:
    """Record (once per incident) and send the alert of a failure in ``run`` (its id and link on the
    alert; its warehouse; ``run.notify`` False: recorded only); returns what became of it, in words.

    The warehouse unreachable: the alert is spooled (see the module doc) and the words say so.
    """
    from etl.errors import WarehouseLost, WarehouseUnavailable

    fields = alert_fields(exc, where=where, run_id=run.run_id, run_url=run.url, incident=incident)
    try:
        new = record(fields, run.dsn)
    except (WarehouseUnavailable, WarehouseLost) as down:
        path = _spool(fields, down.line())
        return f"alert spooled to {path}: it is sent by the next delivery that reaches the warehouse"
    except Exception as other:  # the warehouse answers but the alert cannot be written (schema missing, ...)
        path = _spool(fields, one_line(str(other)))
        return f"alert spooled to {path} ({one_line(str(other))[:80]})"
    if not run.notify:
        return "alert recorded, not sent (--no-notify)" if new else "alert already recorded for this incident"
    try:
        from etl.warehouse.notify import deliver_pending

        report = deliver_pending(run.dsn)
    except Exception as exc2:  # delivery problems are reported, never raised over the original failure
        return f"alert recorded in quality.alert; delivery failed: {one_line(str(exc2))[:120]}"
    sent = (
        "sent" if report.sent else "recorded in quality.alert (no channel delivered it: see attrition alerts deliver)"
    )
    return ("alert " + sent) if new else "alert already raised for this incident"


# ---------------------------------------------------------------------------------------------
# Airflow: tasks fail with the line; the on_failure_callback of every DAG
# ---------------------------------------------------------------------------------------------
class TaskError(AttritionError):
    """A task's failure that was no error of ours (psycopg2, OS, a bug): its one line."""

    kind = "task_failure"


def one_line_errors(fn):
    """Decorator for the callables behind the DAGs' tasks (etl.losses.tasks): a failure leaves the task as
    one line (a lost warehouse: :class:`~etl.errors.WarehouseLost`, "nothing of run X was loaded");
    Airflow's own exceptions (fail, skip, retry signals) and ours pass through unchanged, so retries
    still happen.  An unexpected error's traceback goes to a file the line names."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if isinstance(exc, AttritionError) or type(exc).__module__.startswith("airflow"):
                raise  # ours (a missing bulletin, unreadable documents, ...) and Airflow's pass unchanged
            run_id = kwargs.get("run_id") or next((a for a in args if isinstance(a, str) and "__" in a), None)
            mapped = classify(exc, run_id)
            if isinstance(mapped, AttritionError):
                raise mapped from None
            raise TaskError(describe(exc, run_id)[0]) from None

    return wrapper


# ---------------------------------------------------------------------------------------------
# Airflow: the on_failure_callback of every DAG
# ---------------------------------------------------------------------------------------------
def _ids(context: dict) -> tuple[str, str | None, str | None]:
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", None) or "unknown_dag"
    run_id = context.get("run_id") or getattr(ti, "run_id", None) or getattr(dag_run, "run_id", None)
    task_id = getattr(ti, "task_id", None)
    return dag_id, run_id, task_id


def task_failed(context: dict) -> None:
    """A task failed for good (after its retries): one alert for it, with the run's link.

    Failures the run already alerted about (a parse failure, a missing bulletin, the gate) are not
    alerted twice: then the pending alerts are only delivered."""
    from etl.config import airflow_run_url

    dag_id, run_id, task_id = _ids(context)
    exc = context.get("exception") or RuntimeError(str(context.get("reason") or "the task failed"))
    line = describe(exc, run_id)[0]
    where = f"{dag_id}.{task_id}" if task_id else dag_id
    run_url = airflow_run_url(dag_id, run_id)
    try:
        if _run_already_alerted(run_id, run_url, ERROR_KINDS_RAISED_BY_TASKS):
            outcome = _deliver_only()
        else:
            outcome = alert_failure(
                exc, where=where, run=RunRef(run_id, run_url), incident=f"task_failure:{dag_id}:{run_id}:{task_id}"
            )
    except Exception as err:  # a callback must never raise
        outcome = f"the alert could not be raised: {one_line(str(err))[:200]}"
    print(f"attrition: {where} failed: {line} ({outcome})", file=sys.stderr)


def dag_failed(context: dict) -> None:
    """The DAG run failed: an alert with the run's link, unless the run raised an error alert already."""
    from etl.config import airflow_run_url

    dag_id, run_id, _ = _ids(context)
    run_url = airflow_run_url(dag_id, run_id)
    reason = str(context.get("reason") or "the DAG run failed")
    try:
        if _run_already_alerted(run_id, run_url, None):
            outcome = _deliver_only()
        else:
            outcome = alert_failure(
                RuntimeError(reason),
                where=dag_id,
                run=RunRef(run_id, run_url),
                incident=f"dag_failure:{dag_id}:{run_id}",
            )
    except Exception as err:
        outcome = f"the alert could not be raised: {one_line(str(err))[:200]}"
    print(f"attrition: DAG run {dag_id} {run_id} failed: {reason} ({outcome})", file=sys.stderr)


# the alerts tasks record themselves before they fail
ERROR_KINDS_RAISED_BY_TASKS = ("parse_failure", "missing_bulletin", "validation_error", "gate_failure")


def _deliver_only() -> str:
    from etl.warehouse.notify import deliver_pending

    try:
        report = deliver_pending()
    except Exception as exc:
        return f"its alert is recorded; delivery failed: {one_line(str(exc))[:120]}"
    return "its alert was raised already" + (f"; delivered {len(report.sent)}" if report.sent else "")


def _run_already_alerted(run_id: str | None, run_url: str | None, kinds: tuple[str, ...] | None) -> bool:
    """Whether the run recorded an error alert already (of one of ``kinds``; None: any kind)."""
    if not run_id:
        return False
    from etl.warehouse.db import transaction

    try:
        with transaction(application_name="attrition-alert") as conn, conn.cursor() as cur:
            cur.execute(
                """SELECT 1 FROM quality.alert
                           WHERE (details ->> 'run_id' = %s OR run_url = %s) AND severity = 'error'
                             AND (%s::text[] IS NULL OR kind = ANY (%s::text[]))
                           LIMIT 1""",
                (run_id, run_url, list(kinds) if kinds else None, list(kinds) if kinds else None),
            )
            if cur.fetchone() is not None:
                return True
            # a sources check that found a source changed or unreachable alerted once per incident
            # (source_changed / source_unreachable); a later day of the same incident adds no alert
            cur.execute(
                """SELECT 1 FROM quality.source_check
                           WHERE run_id = %s AND status IN ('changed', 'unreachable') LIMIT 1""",
                (run_id,),
            )
            return cur.fetchone() is not None
    except Exception:
        return False
