"""Operators' decisions on quarantined records (``attrition quarantine ...`` and the quarantine_review DAG).

Accepting a record says its value is right: the gate takes it (a decrease it implies becomes an
official correction flagged ``operator``, and is added to quality.correction).  Rejecting it
keeps it out for good, whatever later evidence says.  Either way the gate then runs again over the
record's day, so the marts show the decision at once.
"""

from __future__ import annotations

import getpass
import json

from etl.errors import InputError
from etl.warehouse.run_ref import OUTSIDE_A_RUN, RunRef

STATUSES = ("open", "accepted", "rejected", "resolved")
COLUMNS = (
    "id",
    "status",
    "as_of",
    "category",
    "source",
    "cumulative",
    "increase",
    "expectation",
    "diagnosis",
    "neighbours",
    "evidence",
    "created_at",
    "updated_at",
    "decided_by",
    "decided_at",
    "note",
    "incident_key",
    "observation_id",
)


class ReviewError(InputError):
    """The decision cannot be applied (no such record, already decided the same way, ...)."""


def operator_name() -> str:
    from etl.config import setting

    return setting("ATTRITION_OPERATOR") or getpass.getuser()


def list_records(dsn: str | None = None, status: str = "open", limit: int = 100) -> list[dict]:
    from etl.warehouse.db import connect

    if status != "all" and status not in STATUSES:
        raise ReviewError(f"status must be all or one of {', '.join(STATUSES)}")
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM quality.quarantine "
                "WHERE (%s = 'all' OR status = %s) ORDER BY as_of DESC, category, source LIMIT %s",
                (status, status, limit),
            )
            return [dict(zip(COLUMNS, r, strict=False)) for r in cur.fetchall()]
    finally:
        conn.close()


def show(qid: int, dsn: str | None = None) -> dict:
    from etl.warehouse.db import connect

    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {', '.join(COLUMNS)} FROM quality.quarantine WHERE id = %s", (qid,))
            row = cur.fetchone()
            if row is None:
                raise ReviewError(f"no quarantined record {qid} (attrition quarantine list --status all)")
            rec = dict(zip(COLUMNS, row, strict=False))
            cur.execute(
                "SELECT source, cumulative, increase FROM core.current_observation "
                "WHERE as_of = %s AND category = %s ORDER BY source",
                (rec["as_of"], rec["category"]),
            )
            rec["sources_that_day"] = {s: {"cumulative": v, "increase": i} for s, v, i in cur.fetchall()}
            cur.execute(
                "SELECT as_of, cumulative, status FROM core.accepted WHERE category = %s "
                "AND as_of BETWEEN %s - 3 AND %s + 3 ORDER BY as_of",
                (rec["category"], rec["as_of"], rec["as_of"]),
            )
            rec["accepted_around"] = [{"as_of": d, "cumulative": v, "status": s} for d, v, s in cur.fetchall()]
            cur.execute(
                "SELECT id, kind, subject, created_at, notified_at, channels, run_url, data_docs_url "
                "FROM quality.alert WHERE incident_key = %s",
                (rec["incident_key"],),
            )
            a = cur.fetchone()
            rec["alert"] = (
                dict(
                    zip(
                        ("id", "kind", "subject", "created_at", "notified_at", "channels", "run_url", "data_docs_url"),
                        a,
                        strict=False,
                    )
                )
                if a
                else None
            )
            return json.loads(json.dumps(rec, default=str))
    finally:
        conn.close()


def _check_category_valid(qid: int, category: str, as_of) -> None:
    """A record of a category not valid on its day cannot be accepted (the category contract)."""
    from etl.domain.categories import BY_CODE

    cat = BY_CODE.get(category)
    if cat is not None and not cat.valid_on(as_of):
        raise ReviewError(
            f"record {qid}: {category} is not a category on {as_of} (valid {cat.valid_from}.."
            f"{cat.valid_to or ''}); the category contract keeps it out. If the dates are "
            "wrong, fix them in etl/domain/categories.py"
        )


def _operator_correction(cur, qid: int, as_of, category: str, value: int, by: str, note: str | None) -> dict | None:
    """An accepted value below the accepted one before it is an operator's correction: recorded in
    quality.correction (once per day and category); returns {"id", "delta"}, or None."""
    cur.execute(
        "SELECT as_of, cumulative FROM core.accepted WHERE category = %s AND as_of < %s ORDER BY as_of DESC LIMIT 1",
        (category, as_of),
    )
    prev = cur.fetchone()
    if prev is None or value >= prev[1]:
        return None
    cur.execute(
        """INSERT INTO quality.correction (as_of, category, delta, value_before, value_after,
                                                   reason, origin)
                   VALUES (%s, %s, %s, %s, %s, %s, 'operator')
                   ON CONFLICT (as_of, category) DO NOTHING RETURNING id""",
        (
            as_of,
            category,
            value - prev[1],
            prev[1],
            value,
            f"accepted by {by} (quarantine {qid})" + (f": {note}" if note else ""),
        ),
    )
    got = cur.fetchone()
    return {"id": got[0], "delta": value - prev[1]} if got else None


def decide(
    qid: int,
    decision: str,
    *,
    note: str | None = None,
    by: str | None = None,
    run: RunRef = OUTSIDE_A_RUN,
) -> dict:
    """Apply ``accept`` or ``reject`` to quarantine record ``qid``, then re-run the gate over its day
    (as part of ``run``: its id and link on the gate's alerts, its warehouse, whether alerts are sent)."""
    from etl.config import warehouse_dsn
    from etl.quality.gate import validate
    from etl.warehouse.db import transaction

    if decision not in ("accept", "reject"):
        raise ReviewError("decision must be accept or reject")
    dsn = run.dsn or warehouse_dsn()
    by = by or operator_name()
    status = "accepted" if decision == "accept" else "rejected"
    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, status, decided_by, as_of, category, source, cumulative, observation_id "
            "FROM quality.quarantine WHERE id = %s FOR UPDATE",
            (qid,),
        )
        row = cur.fetchone()
        if row is None:
            raise ReviewError(f"no quarantined record {qid} (attrition quarantine list --status all)")
        _, old_status, old_by, as_of, category, source, value, obs_id = row
        if old_status == status and old_by != "gate":
            raise ReviewError(f"record {qid} is already {status} (by {old_by})")
        if status == "accepted":
            _check_category_valid(qid, category, as_of)
        cur.execute("SELECT superseded_at IS NULL FROM core.observation WHERE id = %s", (obs_id,))
        if not cur.fetchone()[0]:
            raise ReviewError(
                f"record {qid}: {source} has since printed another value for {category} {as_of}; "
                "the new value is judged on its own"
            )
        cur.execute(
            """UPDATE quality.quarantine SET status = %s, decided_by = %s, decided_at = now(),
                              updated_at = now(), note = %s WHERE id = %s""",
            (status, by, note, qid),
        )
        correction = None
        if status == "accepted":
            correction = _operator_correction(cur, qid, as_of, category, value, by, note)
        elif old_status == "accepted":  # an accepted decrease rejected after all: its operator correction goes
            cur.execute(
                "DELETE FROM quality.correction WHERE as_of = %s AND category = %s AND origin = 'operator'",
                (as_of, category),
            )
    gate = validate(
        dsn,
        date_from=as_of,
        date_to=as_of,
        run_id=run.run_id or f"quarantine-{decision}-{qid}",
        run_url=run.url,
        notify=run.notify,
    )
    return {
        "id": qid,
        "status": status,
        "decided_by": by,
        "as_of": str(as_of),
        "category": category,
        "source": source,
        "cumulative": value,
        "correction": correction,
        "gate": gate,
    }


def reopen(qid: int, *, note: str | None = None, by: str | None = None, dsn: str | None = None) -> dict:
    """Give record ``qid`` back to a person: status ``open``, decided by nobody yet, even if the gate
    (or an operator) had decided it; the gate keeps it open (it is never settled by evidence again)
    and the next quarantine_review run opens a Required Action for it."""
    from etl.config import warehouse_dsn
    from etl.warehouse.db import transaction

    by = by or operator_name()
    with transaction(dsn or warehouse_dsn()) as conn, conn.cursor() as cur:
        cur.execute("SELECT status, as_of, category FROM quality.quarantine WHERE id = %s FOR UPDATE", (qid,))
        row = cur.fetchone()
        if row is None:
            raise ReviewError(f"no quarantined record {qid} (attrition quarantine list --status all)")
        if row[0] == "open":
            raise ReviewError(f"record {qid} is already open")
        if row[0] == "accepted":  # its operator correction goes with the decision
            cur.execute(
                "DELETE FROM quality.correction WHERE as_of = %s AND category = %s AND origin = 'operator'",
                (row[1], row[2]),
            )
        # decided_by names who reopened it while the status is open: the gate reads that as "reopened"
        cur.execute(
            """UPDATE quality.quarantine SET status = 'open', decided_by = %s, decided_at = NULL,
                              updated_at = now(), note = %s WHERE id = %s""",
            (f"{by} (reopened)", note or "reopened", qid),
        )
    return {"id": qid, "status": "open", "reopened_by": by}


REQUEST_COLUMNS = (
    "id",
    "source",
    "as_of",
    "category",
    "cumulative",
    "increase",
    "diagnosis",
    "evidence",
    "neighbours",
    "decided_by",
)


def open_requests(cur) -> list[dict]:
    """The records awaiting a person (status ``open``), newest first, each with its open Required
    Action: ``ui_url`` (None until the quarantine_review DAG has opened one), ``dag_id``, ``run_id``,
    ``task_id``, ``map_index``, ``requested_at``."""
    cur.execute(f"""SELECT {", ".join("q." + c for c in REQUEST_COLUMNS)},
                           r.ui_url, r.dag_id, r.run_id, r.task_id, r.map_index, r.requested_at
                    FROM quality.quarantine q
                    LEFT JOIN quality.review_request r ON r.quarantine_id = q.id AND r.closed_at IS NULL
                    WHERE q.status = 'open'
                    ORDER BY q.as_of DESC, q.category, q.source""")
    names = REQUEST_COLUMNS + ("ui_url", "dag_id", "run_id", "task_id", "map_index", "requested_at")
    return [dict(zip(names, row, strict=False)) for row in cur.fetchall()]
