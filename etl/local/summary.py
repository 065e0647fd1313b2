"""What `attrition up` prints when the stack is up (:func:`print_summary`), and whether its main job failed."""

from __future__ import annotations

import sys

from etl.config import local_dir


def warehouse_state(dsn: str) -> dict:
    """What `make up` reports: the newest accepted bulletin, the open quarantine, the alerts."""
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT as_of, label_en, cumulative, increase FROM mart.latest")
        rows = cur.fetchall()
        cur.execute("SELECT count(*) FROM quality.quarantine WHERE status = 'open'")
        open_quarantine = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FILTER (WHERE status = 'rejected'), count(*) FROM quality.quarantine"
            " WHERE decided_by = 'gate'"
        )
        outvoted, by_gate = cur.fetchone()
        cur.execute("SELECT count(*), count(notified_at) FROM quality.alert")
        alerts, notified = cur.fetchone()
    latest = (rows[0][0], [(label, value, inc) for _, label, value, inc in rows]) if rows else None
    return {
        "latest": latest,
        "open_quarantine": open_quarantine,
        "by_gate": by_gate,
        "outvoted": outvoted,
        "alerts": alerts,
        "notified": notified,
    }


def print_summary(summary: dict, out=sys.stdout) -> None:
    w = out.write
    w("\nattrition is up.\n")
    if "airflow_url" in summary:
        login = summary.get("airflow_login") or ("admin", "(see simple_auth_manager_passwords.json.generated)")
        w(f"  Airflow UI      {summary['airflow_url']}  login {login[0]} / {login[1]}\n")
        w(f"                  log: {summary['airflow'].get('log', local_dir() / 'logs' / 'airflow-standalone.log')}\n")
    w(f"  Warehouse DSN   {summary['warehouse_dsn']}   ({summary['warehouse']})\n")
    reader = summary.get("reader_dsn") or "(set ATTRITION_READER_DSN for a configured warehouse)"
    w(f"  Reader DSN      {reader}\n")
    if summary.get("sources") == "replay":
        base = summary["replay"]["urls"]["minfin"].rsplit("/", 1)[0]
        w(f"  Sources         replay of the bundled snapshot at {base}/ (the live sites were not used)\n")
    elif summary.get("sources") == "live":
        w("  Sources         the live sites\n")
    if "backfill" in summary:
        b, d = summary["backfill"], summary["daily"]
        w(
            f"  Main job        sources_check: {summary['check']['state']}; "
            f"losses_backfill {b['range'][0]}..{b['range'][1]}: {b['state']}; "
            f"losses_daily {d['target_date']}: {d['state']}\n"
        )
    for failed in summary.get("failed_runs") or []:
        w(f"  Failed run      {failed}\n")
    for dag_id, why in (summary.get("dag_pauses") or {}).items():
        if why is not None:
            w(f"  Paused DAG      {dag_id}: {why}\n")
    state = warehouse_state(summary["warehouse_dsn"])
    if state["latest"]:
        day, rows = state["latest"]
        import textwrap

        figures = ", ".join(f"{label} {value:,}" + (f" (+{inc:,})" if inc else "") for label, value, inc in rows)
        w(
            textwrap.fill(
                f"{day}: {figures}", width=100, initial_indent="  Newest bulletin ", subsequent_indent=" " * 18
            )
            + "\n"
        )
    w(
        f"  Quarantine      {state['open_quarantine']} open record(s) awaiting a person"
        + (" (attrition review requests)" if state["open_quarantine"] else "")
        + f"; {state['by_gate']} decided by the gate itself ({state['outvoted']} rejected as outvoted, the rest"
        " official corrections and out-of-validity figures: mart.quarantined_records)\n"
    )
    if summary.get("review"):
        w(
            f"  Review          {summary['review']['pending']} Required Action(s) pending in the Airflow UI "
            "(Browse → Required Actions, DAG quarantine_review)\n"
        )
    if "mailsink" in summary:
        m = summary["mailsink"]
        w(
            f"  Alerts          {state['alerts']} recorded, {state['notified']} e-mailed to the SMTP sink on "
            f"127.0.0.1:{m['port']}; read them in {m['dir']}/ (attrition mailsink show)\n"
        )
    elif "airflow_url" in summary:
        w(
            f"  Alerts          {state['alerts']} recorded, {state['notified']} sent through the configured "
            "Airflow connections (docs/alerts.md)\n"
        )
    if summary.get("data_docs"):
        w(f"  Data Docs       {summary['data_docs']}\n")
    if "airflow_url" in summary:
        w(f"  Attrition page  {summary['airflow_url'].rstrip('/')}/plugin/attrition (charts, review, freshness)\n")
    from etl.losses.exports import export_dir

    exports = export_dir()
    written = "written after each validation" if (exports / "daily_losses.csv").exists() else "none yet"
    w(f"  Exports         {exports}/ (CSV, JSON, Parquet: docs/exports.md; {written}; attrition export)\n")
    w("  Try:            psql \"$(.venv/bin/attrition db url --reader)\" -c 'SELECT * FROM mart.latest'\n")
    w("  Stop with:      make down\n")


def job_failed(summary: dict) -> bool:
    return bool(summary.get("failed_runs")) or any(
        summary.get(part, {}).get("state") == "failed" for part in ("check", "backfill", "daily")
    )
