"""Read-only queries behind the Attrition page and `attrition chart` (all parameterized)."""

from __future__ import annotations

import contextlib
from datetime import date
from urllib.parse import quote

from etl.domain.categories import CATEGORIES
from etl.domain.model import SOURCES


class UnknownCategory(ValueError):
    pass


def category_codes() -> list[str]:
    return [c.code for c in CATEGORIES]


def check_category(code: str) -> str:
    if code not in category_codes():
        raise UnknownCategory(f"unknown category {code!r}; choose from {', '.join(category_codes())}")
    return code


@contextlib.contextmanager
def reading(dsn: str | None = None):
    """A read-only transaction's cursor on the warehouse."""
    from etl.warehouse.db import connect

    conn = connect(dsn, application_name="attrition-ui")
    try:
        conn.set_session(readonly=True)
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def _rows(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=False)) for row in cur.fetchall()]


def series(cur, category: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Everything the chart of ``category`` shows over the range: the accepted series, each source's
    current values, the quarantined records and the corrections (lists of dicts, days ascending)."""
    check_category(category)
    span = (category, date_from, date_from, date_to, date_to)
    where = "category = %s AND (%s::date IS NULL OR as_of >= %s) AND (%s::date IS NULL OR as_of <= %s)"
    cur.execute(
        f"SELECT as_of, cumulative, increase, status, correction, correction_flag, accepted_source "
        f"FROM mart.daily_losses_long WHERE {where} ORDER BY as_of",
        span,
    )
    accepted = _rows(cur)
    cur.execute(
        f"SELECT as_of, source, cumulative, increase FROM core.current_observation WHERE {where} "
        "ORDER BY as_of, source",
        span,
    )
    observed = _rows(cur)
    cur.execute(
        f"SELECT id, as_of, source, cumulative, diagnosis, status, why, decided_by, note "
        f"FROM mart.quarantined_records WHERE {where} ORDER BY as_of, source",
        span,
    )
    quarantined = _rows(cur)
    return {
        "category": category,
        "from": date_from,
        "to": date_to,
        "accepted": accepted,
        "observed": observed,
        "quarantined": quarantined,
        "corrections": [r for r in accepted if r["correction"]],
    }


# ---- records awaiting a person ----------------------------------------------------------------------
PENDING_REQUESTS_URL = "/required_actions?response_received=false"


def required_actions_url(record: dict | None = None) -> str:
    """Where a person answers ``record``: its own Required Action (``ui_url``, set once the
    quarantine_review DAG has opened it), else the UI's list of pending Required Actions (a path: the
    page is served by the same Airflow)."""
    if record and record.get("ui_url"):
        return record["ui_url"]
    return PENDING_REQUESTS_URL


def awaiting_person(cur, limit: int = 200) -> list[dict]:
    """The records awaiting a person (etl.quality.review.open_requests), newest first, each with the link
    to its own Required Action (``ui_url``; the pending list until the quarantine_review DAG opened one),
    ``has_request`` and the link to its chart."""
    from etl.quality.review import open_requests

    records = []
    for r in open_requests(cur)[:limit]:
        ev = r.get("evidence") or {}
        r["has_request"] = r["ui_url"] is not None
        r["ui_url"] = required_actions_url(r)
        r["why"] = ev.get("why") if isinstance(ev, dict) else None
        r["chart_url"] = f"/attrition/?category={quote(r['category'])}&focus={r['as_of']}"
        records.append(r)
    return records


# ---- each source's freshness -----------------------------------------------------------------------
FRESHNESS_SQL = """
SELECT s.source,
       (SELECT max(as_of) FROM core.current_observation o WHERE o.source = s.source)               AS newest_day,
       (SELECT max(requested_at) FROM raw.fetch f
         WHERE f.source = s.source AND f.outcome IN ('new', 'duplicate', 'not_modified'))          AS last_success,
       e.requested_at AS last_failure, e.url AS failure_url, e.error AS failure,
       c.checked_at AS last_check, c.status AS check_status, c.problem AS check_problem
FROM unnest(%s::text[]) AS s(source)
LEFT JOIN LATERAL (SELECT requested_at, url, coalesce(error, 'HTTP ' || http_status) AS error FROM raw.fetch f
                   WHERE f.source = s.source AND f.outcome = 'error'
                   ORDER BY requested_at DESC LIMIT 1) e ON true
LEFT JOIN LATERAL (SELECT checked_at, status, problem FROM quality.source_check k
                   WHERE k.source = s.source ORDER BY id DESC LIMIT 1) c ON true
ORDER BY array_position(%s::text[], s.source)
"""


def freshness(cur) -> list[dict]:
    """Per source: the newest day loaded, the last successful fetch, the last failed fetch (with its URL
    and error) and the last source check's status."""
    cur.execute(FRESHNESS_SQL, (list(SOURCES), list(SOURCES)))
    return _rows(cur)
