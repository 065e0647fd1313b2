"""Callables behind the DAGs' tasks.  DAG files stay thin and import this lazily."""

from __future__ import annotations

from etl.domain.model import SOURCES
from etl.warehouse.failures import one_line_errors  # a task fails with one line (etl.warehouse.failures)
from etl.warehouse.run_ref import RunRef


@one_line_errors
def migrate_warehouse() -> dict:
    """Apply pending migrations to the configured warehouse; return what ran and the schema version."""
    from etl.config import redact, warehouse_dsn
    from etl.warehouse.migrate import applied, migrate

    dsn = warehouse_dsn()
    ran = migrate(dsn)
    versions = applied(dsn)
    result = {"warehouse": redact(dsn), "applied_now": ran, "schema_version": versions[-1][0] if versions else None}
    print(
        f"warehouse {result['warehouse']}: schema version {result['schema_version']}, applied now: {ran or 'nothing'}"
    )
    return result


# ---- losses_backfill / losses_daily ----------------------------------------------------------------
DEFAULT_DEADLINE = "14:00"
SCRAPE_DAYS_BACK = 3  # losses_daily fetches (and validates) the target day and the days before it


def backfill_range(params: dict, today=None) -> tuple:
    """(date_from, date_to) from the trigger form; raises ValueError with what to fix."""
    from datetime import date

    from etl.domain.calendar import WAR_START, kyiv_today

    today = today or kyiv_today()
    try:
        date_from = date.fromisoformat(params.get("date_from") or WAR_START.isoformat())
        date_to = date.fromisoformat(params.get("date_to") or today.isoformat())
    except ValueError as exc:
        raise ValueError(f"date_from / date_to must be dates like 2024-01-31: {exc}") from None
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}: swap them")
    if date_to > today:
        raise ValueError(f"date_to {date_to} is in the future (today in Kyiv is {today})")
    if date_from < WAR_START:
        raise ValueError(f"date_from {date_from} is before the first bulletin ({WAR_START})")
    return date_from, date_to


def selected_sources(params: dict) -> list[str]:
    chosen = params.get("sources") or list(SOURCES)
    unknown = sorted(set(chosen) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    return [s for s in SOURCES if s in chosen]


@one_line_errors
def scrape_range(source: str, params: dict, run_id: str) -> list[int]:
    """Backfill: crawl ``source`` over the form's range; returns archived document ids."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from etl.losses.crawl import CrawlError
    from etl.losses.ingest import crawl_source

    try:
        sources = selected_sources(params)
        date_from, date_to = backfill_range(params)
    except ValueError as exc:
        raise AirflowFailException(f"invalid parameters: {exc}") from None
    if source not in sources:
        raise AirflowSkipException(f"{source} not selected in this run's sources")
    try:
        ids = crawl_source(source, date_from=date_from, date_to=date_to, run_id=run_id)
    except CrawlError as exc:
        raise AirflowFailException(
            f"{exc}\nThe documents fetched before the error are kept in raw.document; "
            "fix the source or the network and clear this task to retry."
        ) from None
    print(f"{source}: {len(ids)} document(s) archived for {date_from}..{date_to}")
    return ids


@one_line_errors
def scrape_latest(source: str, target_day, run_id: str, deadline: str = DEFAULT_DEADLINE) -> list[int]:
    """Daily: crawl the latest pages of ``source``; retry until the target day's bulletin is out.

    Raises a plain error (Airflow retries) while the bulletin is not out and the deadline (Kyiv time)
    has not passed; after it, fails for good with a "bulletin missing" reason and records an alert.
    """
    from datetime import timedelta

    from airflow.sdk.exceptions import AirflowFailException

    from etl.losses.crawl import CrawlError
    from etl.losses.ingest import BulletinMissing, crawl_source, days_in_documents, deadline_passed

    try:
        ids = crawl_source(  # each poke asks again (conditional GETs): the page may have changed since the last
            source,
            date_from=target_day - timedelta(days=SCRAPE_DAYS_BACK),
            date_to=target_day,
            run_id=run_id,
            skip_archived=False,
        )
    except CrawlError as exc:
        if deadline_passed(target_day, deadline):
            _alert_missing(source, target_day, run_id, str(exc))
            raise AirflowFailException(f"bulletin missing: {exc} (deadline {deadline} Kyiv passed)") from None
        raise
    days = days_in_documents(ids).get(source, set())
    if target_day in days:
        print(f"{source}: the bulletin of {target_day} is out ({len(ids)} document(s))")
        return ids
    newest = max(days).isoformat() if days else "none"
    if deadline_passed(target_day, deadline):
        _alert_missing(source, target_day, run_id, f"newest day published: {newest}")
        raise AirflowFailException(
            f"bulletin missing: {source} has not published the bulletin of {target_day} by {deadline} Kyiv time "
            f"(newest day it shows: {newest}). Check the source; the other sources are loaded regardless."
        )
    raise BulletinMissing(f"{source}: the bulletin of {target_day} is not out yet (newest: {newest}); will retry")


def _alert_missing(source: str, target_day, run_id: str, why: str) -> None:
    from etl.config import airflow_run_url
    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import transaction

    with transaction() as conn, conn.cursor() as cur:
        record_alert(
            cur,
            "missing_bulletin",
            f"missing_bulletin:{source}:{target_day}",
            f"[attrition] bulletin of {target_day} missing from {source}",
            f"{source} had not published the bulletin of {target_day} by the deadline. {why}\n"
            "The other sources were loaded regardless. If the source has moved or changed, see its "
            "spider's log in the run.",
            {"source": source, "as_of": str(target_day), "run_id": run_id},
            run_url=airflow_run_url("losses_daily", run_id),
        )
    _deliver_alerts()


def _deliver_alerts() -> None:
    """Send the alerts recorded so far (one notification per incident; a retry finds them sent)."""
    from etl.warehouse.notify import deliver_pending

    print(deliver_pending().summary())


@one_line_errors
def parse_and_load(document_id_lists: list, run_id: str) -> dict:
    """Parse the documents of every successful scrape and load each one that parses (the validate
    task then decides what reaches the marts).  A document that does not parse is left out, kept in
    raw, alerted and listed in the summary's ``failed``: this task still succeeds, so the gate and
    the marts run on what loaded, and the final ``check_documents`` task fails the run with the list."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.losses.ingest import ingest

    ids = sorted({i for ids in document_id_lists if ids for i in ids})
    if not ids:
        _deliver_alerts()
        raise AirflowFailException("no document was fetched: every scrape failed or was skipped")
    result = ingest(ids, run_id=run_id, raise_failures=False)
    if result.failed:
        _deliver_alerts()
    summary = result.summary()
    print(
        f"loaded {summary['documents']} document(s): {summary['inserted']} new, {summary['revised']} revised, "
        f"{summary['unchanged']} unchanged observations"
    )
    for revision in summary["revisions"]:
        print(f"revised: {revision}")
    if result.failed:
        print(
            f"{len(result.failed)} document(s) could not be read and were left out (kept in raw.document, "
            "one parse_failure alert each); check_documents fails the run with them:"
        )
        for line in result.failure_lines():
            print(line)
    return summary


@one_line_errors
def check_documents(summary: dict | None, run_id: str) -> dict:
    """The last task: fails the run, red, listing every document of it that could not be read
    (the rest was loaded and validated before this task runs)."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    if summary is None:
        raise AirflowSkipException("parse_and_load did not finish: nothing to check (see its log)")
    failed = summary.get("failed") or []
    if failed:
        lines = [f"{f['source']}: {f['url']}: {f['field']}: {f['problem']}" for f in failed]
        raise AirflowFailException(
            f"{len(failed)} document(s) of run {run_id} could not be read; the other {summary.get('documents', 0)} "
            "were loaded and validated. The unreadable ones are kept in raw.document with one parse_failure "
            "alert each (quality.alert); fix the parser or the source, then attrition rebuild --sources S:\n"
            + "\n".join(lines)
        )
    print(f"every document of run {run_id} was read ({summary.get('documents', 0)})")
    return {"documents": summary.get("documents", 0), "failed": 0}


@one_line_errors
def validate_loaded(date_from, date_to, dag_id: str, run_id: str) -> dict:
    """The quality gate over the run's days: checks, consensus, quarantine, alerts, then the marts."""
    from datetime import date

    from airflow.sdk.exceptions import AirflowFailException

    from etl.config import airflow_run_url
    from etl.quality.gate import GateError, validate

    date_from, date_to = (d if isinstance(d, date) else date.fromisoformat(str(d)) for d in (date_from, date_to))
    try:
        result = validate(date_from=date_from, date_to=date_to, run_id=run_id, run_url=airflow_run_url(dag_id, run_id))
    except GateError as exc:
        raise AirflowFailException(
            f"quality gate: {exc}\nNothing reached the marts. See quality.validation_run and "
            "the Data Docs; fix the cause and clear this task."
        ) from None
    print(result.summary())
    from etl.losses.exports import export, summary_line

    print(summary_line(export()))  # the accepted series for people who don't write SQL (docs/exports.md)
    return result.as_dict()


def report_coverage(summary: dict) -> dict:
    """Print each source's days and the gaps in them (a gap is reported, never filled)."""
    for source, info in summary.get("sources", {}).items():
        gaps = info["gaps"]
        print(
            f"{source}: {info['days']} day(s) {info['first']}..{info['last']}; "
            + (
                f"{len(gaps)} gap(s): " + ", ".join(a if a == b else f"{a}..{b}" for a, b in gaps)
                if gaps
                else "no gaps"
            )
        )
    return summary


@one_line_errors
def check_bulletin(target_day, run_id: str) -> dict:
    """Daily: the run succeeds when the target day has accepted values (from at least one source)."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.warehouse.db import connect

    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT DISTINCT source FROM core.current_observation WHERE as_of = %s", (target_day,))
            have = sorted(r[0] for r in cur.fetchall())
            cur.execute("SELECT count(*) FROM core.accepted WHERE as_of = %s", (target_day,))
            accepted = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM quality.quarantine WHERE as_of = %s AND status = 'open'", (target_day,))
            quarantined = cur.fetchone()[0]
    finally:
        conn.close()
    if not have:
        raise AirflowFailException(f"bulletin missing: no source has the bulletin of {target_day} (run {run_id})")
    if not accepted:
        raise AirflowFailException(
            f"the bulletin of {target_day} was loaded from {', '.join(have)} but every record "
            f"of it is quarantined: see attrition quarantine list"
        )
    lacking = sorted(set(SOURCES) - set(have))
    print(
        f"bulletin of {target_day} loaded from {', '.join(have)}"
        + (f"; not (yet) from {', '.join(lacking)}" if lacking else "")
        + f"; {accepted} categories accepted"
        + (f", {quarantined} record(s) quarantined" if quarantined else "")
    )
    return {
        "as_of": str(target_day),
        "sources": have,
        "lacking": lacking,
        "accepted": accepted,
        "quarantined": quarantined,
    }


def daily_target(params: dict, run_after=None):
    """The day losses_daily looks for: the form's target_date, else the run's date in Kyiv."""
    from datetime import date

    from etl.domain.calendar import frozen_today, kyiv_today

    if params.get("target_date"):
        return date.fromisoformat(params["target_date"])
    return frozen_today() or kyiv_today(run_after)  # a replay's frozen "today" wins over the run's date


# ---- quarantine_review -------------------------------------------------------------------------------
@one_line_errors
def review_quarantine(params: dict, run_id: str, user: str | None) -> dict:
    """List the open quarantine, or accept / reject one record (then the gate re-runs over its day)."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.config import airflow_run_url
    from etl.quality import review

    action, qid = params.get("action") or "list", params.get("quarantine_id")
    if action == "list":
        rows = review.list_records(status="open")
        for r in rows:
            print(
                f"#{r['id']} {r['source']} {r['category']} {r['as_of']} = {r['cumulative']}: {r['diagnosis']} "
                f"({(r['evidence'] or {}).get('why', '')})"
            )
        print(f"{len(rows)} open record(s); trigger again with action accept or reject and a quarantine_id")
        return {"open": len(rows)}
    if not qid:
        raise AirflowFailException(f"{action} needs quarantine_id: trigger with action list to see the ids")
    try:
        outcome = review.decide(
            int(qid),
            action,
            note=params.get("note") or None,
            by=f"{user or 'airflow'} (quarantine_review)",
            run=RunRef(run_id, airflow_run_url("quarantine_review", run_id)),
        )
    except review.ReviewError as exc:
        raise AirflowFailException(str(exc)) from None
    gate = outcome.pop("gate")
    print(f"quarantine {qid}: {outcome['status']}")
    print(gate.summary())
    return {**outcome, "gate": gate.as_dict()}
