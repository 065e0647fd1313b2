"""Alerts: one row in quality.alert per incident (retries of the same incident do not add rows)."""

from __future__ import annotations

import json


def record_alert(
    cur,
    kind: str,
    incident_key: str,
    subject: str,
    body: str,
    details: dict | None = None,
    severity: str = "error",
    run_url: str | None = None,
) -> int | None:
    """Insert the alert unless this incident is already recorded; returns its id when new, else None."""
    ids = record_alerts(cur, [(kind, incident_key, subject, body, details, severity, run_url)])
    return ids[0] if ids else None


def record_alerts(cur, alerts: list[tuple]) -> list[int]:
    """Insert many alerts in one statement (:func:`record_alert` is this for one): each a tuple (kind,
    incident_key, subject, body, details, severity, run_url).  Returns the ids of those inserted (their
    incident was not recorded yet), in the order given (the ids a row-by-row insert would have given them)."""
    from psycopg2.extras import execute_values

    if not alerts:
        return []
    rows = execute_values(
        cur,
        """INSERT INTO quality.alert (kind, incident_key, severity, subject, body, details, run_url)
           VALUES %s ON CONFLICT (incident_key) DO NOTHING RETURNING id""",
        [
            (kind, key, severity, subject, body, json.dumps(details or {}, default=str), run_url)
            for kind, key, subject, body, details, severity, run_url in alerts
        ],
        page_size=1000,
        fetch=True,
    )
    return sorted(r[0] for r in rows)
