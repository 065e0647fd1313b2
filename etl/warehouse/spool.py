"""The alert spool: where alerts wait while the warehouse is unreachable.

:func:`spool` appends an alert's row to ``<local dir>/spool/alerts.jsonl`` (``ATTRITION_ALERT_SPOOL``);
:func:`flush_spool`, called before every delivery (:func:`etl.warehouse.notify.deliver_pending`),
records the spooled alerts in quality.alert (one row per incident) and empties the file.
(:mod:`etl.warehouse.failures` spools; :mod:`etl.warehouse.notify` flushes: neither imports the other's
half.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path


def spool_file() -> Path:
    """Where alerts wait while the warehouse is unreachable: ``ATTRITION_ALERT_SPOOL``, else
    ``<local dir>/spool/alerts.jsonl``."""
    from etl.config import local_dir, setting

    return setting("ATTRITION_ALERT_SPOOL") or local_dir() / "spool" / "alerts.jsonl"


def spool(fields: dict, why: str) -> Path:
    """Append one alert row (the fields :func:`etl.warehouse.failures.alert_fields` made) to the spool."""
    path = spool_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        import fcntl

        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(
            json.dumps({**fields, "spooled_at": datetime.now(UTC).isoformat(), "spooled_because": why}, default=str)
            + "\n"
        )
    return path


def flush_spool(dsn: str | None = None) -> int:
    """Record the spooled alerts in quality.alert (one row per incident), then empty the spool;
    returns how many lines were read.  Called before every delivery (etl.warehouse.notify.deliver_pending)."""
    import fcntl

    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import transaction

    path = spool_file()
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with open(path, "r+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
        if not lines:
            return 0
        with transaction(dsn, application_name="attrition-alert") as conn, conn.cursor() as cur:
            for ln in lines:
                try:
                    a = json.loads(ln)
                except json.JSONDecodeError:
                    continue
                details = {
                    **(a.get("details") or {}),
                    "spooled_at": a.get("spooled_at"),
                    "spooled_because": a.get("spooled_because"),
                }
                record_alert(
                    cur, a["kind"], a["incident_key"], a["subject"], a["body"], details, run_url=a.get("run_url")
                )
        fh.seek(0)
        fh.truncate()
    return len(lines)
