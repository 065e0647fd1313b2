"""The human-in-the-loop review of quarantined records (the quarantine_review DAG's Required Actions).

One request per record that needs a person (status ``open``, see :mod:`etl.quality.consensus`,
verdicts): :func:`pending` lists the records without an open request and the texts of theirs
(subject, markdown body with the evidence and a link to the chart); :func:`register` records a
request in ``quality.review_request`` once its task instance waits for input; :func:`answer`
applies the answer exactly as ``attrition quarantine accept|reject`` does (:func:`etl.quality.review.decide`:
the decision, then the gate over the record's day); :func:`close_if_decided` closes a request whose
record was decided elsewhere (the CLI, the gate, another request).

No Airflow import here: the DAG file holds the operator and calls these.
"""

from __future__ import annotations

from etl.warehouse.alert_links import chart_url
from etl.warehouse.run_ref import RunRef

ACCEPT, REJECT = "Accept value", "Reject value"
OPTIONS = (ACCEPT, REJECT)


def subject(rec: dict) -> str:
    return (
        f"{rec['source']} {rec['category']} {rec['as_of']} = {rec['cumulative']:,}: {rec['diagnosis']} "
        f"(quarantine #{rec['id']})"
    )


def body(rec: dict, sources: list[tuple], around: list[tuple]) -> str:
    """Markdown: why it waits, the other sources of the day, the accepted days around it, the printed
    increase, the chart."""
    ev = rec.get("evidence") or {}
    inc = rec.get("increase")
    lines = [
        f"**{rec['source']}** printed **{rec['category']} = {rec['cumulative']:,}** for **{rec['as_of']}**"
        + (f" (printed increase **{inc:+,}**)." if inc is not None else " (no printed increase)."),
        "",
        f"Diagnosis: `{rec['diagnosis']}` — {ev.get('why') or 'see the evidence'}.",
        "",
        "**The sources that day**",
        "",
        "| source | cumulative | printed increase |",
        "|---|---:|---:|",
    ]
    for src, value, increase in sources:
        mark = " (this record)" if src == rec["source"] else ""
        lines.append(f"| {src}{mark} | {value:,} | {'' if increase is None else f'{increase:+,}'} |")
    lines += ["", "**The accepted days around it**", "", "| day | accepted | status |", "|---|---:|---|"]
    for day, value, status in around:
        lines.append(f"| {day}{' (this day)' if day == rec['as_of'] else ''} | {value:,} | {status} |")
    if not around:
        lines.append("| — | no accepted value nearby | |")
    chart = chart_url(rec["category"], rec["as_of"])
    lines += [
        "",
        f"[Chart of {rec['category']} around {rec['as_of']}]({chart})",
        "",
        (
            f"**{ACCEPT}**: the value is right (a decrease becomes an official correction flagged `operator`). "
            f"**{REJECT}**: keep it out for good. The gate then runs again over the day and the marts follow. "
            f"Same as `attrition quarantine accept|reject {rec['id']}`."
        ),
    ]
    return "\n".join(lines)


def pending(dsn: str | None = None, only: int | None = None) -> list[dict]:
    """One entry per record awaiting a person that has no open request (or just ``only``):
    ``{"quarantine_id", "subject", "body"}``, newest day first."""
    from etl.quality.review import open_requests
    from etl.warehouse.db import connect

    conn = connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            out = []
            for rec in open_requests(cur):
                if rec["ui_url"] is not None or (only is not None and rec["id"] != only):
                    continue
                cur.execute(
                    "SELECT source, cumulative, increase FROM core.current_observation "
                    "WHERE as_of = %s AND category = %s ORDER BY source",
                    (rec["as_of"], rec["category"]),
                )
                sources = cur.fetchall()
                cur.execute(
                    "SELECT as_of, cumulative, status FROM core.accepted WHERE category = %s "
                    "AND as_of BETWEEN %s - 3 AND %s + 3 ORDER BY as_of",
                    (rec["category"], rec["as_of"], rec["as_of"]),
                )
                out.append(
                    {"quarantine_id": rec["id"], "subject": subject(rec), "body": body(rec, sources, cur.fetchall())}
                )
            return out
    finally:
        conn.close()


def _status(cur, qid: int) -> tuple[str, str | None]:
    cur.execute("SELECT status, decided_by FROM quality.quarantine WHERE id = %s", (qid,))
    row = cur.fetchone()
    return (row[0], row[1]) if row else ("missing", None)


def register(
    qid: int, dag_id: str, run_id: str, task_id: str, map_index: int, ui_url: str, dsn: str | None = None
) -> bool:
    """Record the request (and link the record's alert to it). False, and nothing recorded, when the
    record no longer waits for a person or another request already asks for it: the caller ends at once."""
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT status FROM quality.quarantine WHERE id = %s FOR UPDATE", (qid,))
        row = cur.fetchone()
        if row is None or row[0] != "open":
            return False
        cur.execute(
            """SELECT 1 FROM quality.review_request WHERE quarantine_id = %s AND closed_at IS NULL
                         AND (dag_id, run_id, task_id, map_index) <> (%s, %s, %s, %s)""",
            (qid, dag_id, run_id, task_id, map_index),
        )
        if cur.fetchone():  # another run asked first: one request per record
            return False
        cur.execute(
            """INSERT INTO quality.review_request (quarantine_id, dag_id, run_id, task_id, map_index, ui_url)
                       VALUES (%s, %s, %s, %s, %s, %s)
                       ON CONFLICT (dag_id, run_id, task_id, map_index)
                       DO UPDATE SET ui_url = EXCLUDED.ui_url, closed_at = NULL, closed_by = NULL""",
            (qid, dag_id, run_id, task_id, map_index, ui_url),
        )
        cur.execute(
            """UPDATE quality.alert SET details = details || jsonb_build_object('ui_url', %s::text)
                       WHERE incident_key = (SELECT incident_key FROM quality.quarantine WHERE id = %s)""",
            (ui_url, qid),
        )
        return True


def close(dag_id: str, run_id: str, task_id: str, map_index: int, by: str, dsn: str | None = None) -> None:
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            """UPDATE quality.review_request SET closed_at = now(), closed_by = %s
                       WHERE (dag_id, run_id, task_id, map_index) = (%s, %s, %s, %s) AND closed_at IS NULL""",
            (by, dag_id, run_id, task_id, map_index),
        )


def close_if_decided(qid: int, ref: tuple, dsn: str | None = None) -> str | None:
    """If record ``qid`` no longer waits for a person, close request ``ref`` (dag_id, run_id,
    task_id, map_index) and return who decided it; else None (the request keeps waiting)."""
    from etl.warehouse.db import connect

    conn = connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            status, decided_by = _status(cur, qid)
    finally:
        conn.close()
    if status == "open":
        return None
    by = f"elsewhere: {status} by {decided_by or 'nobody'}"
    close(*ref, by=by, dsn=dsn)
    return by


def answer(
    qid: int,
    chosen: str,
    note: str | None,
    user: str | None,
    ref: tuple,
    run_url: str | None = None,
    dsn: str | None = None,
) -> dict:
    """Apply the person's answer (the same as ``attrition quarantine accept|reject``), close the request."""
    from etl.quality.review import ReviewError, decide

    if chosen not in OPTIONS:
        raise ReviewError(f"answer must be one of {', '.join(OPTIONS)}, not {chosen!r}")
    decided = close_if_decided(qid, ref, dsn)
    if decided:
        return {"id": qid, "applied": False, "closed_by": decided}
    by = user or "airflow"
    outcome = decide(
        qid,
        "accept" if chosen == ACCEPT else "reject",
        note=note or None,
        by=by,
        run=RunRef(ref[1], run_url, dsn),
    )
    close(*ref, by=by, dsn=dsn)
    gate = outcome.pop("gate")
    return {**outcome, "applied": True, "closed_by": by, "gate": gate.summary()}


def form_action(params: dict, run_id: str, user: str | None, dsn: str | None = None) -> list[dict]:
    """The quarantine_review run's first step, from its trigger form (a scheduled run: ``review``).
    Returns the requests to open (the mapped Required Actions): all pending ones for ``review``, the
    record's for ``reopen``, none for ``list`` / ``accept`` / ``reject`` (applied here)."""
    from etl.config import airflow_run_url
    from etl.quality import review

    action, qid = params.get("action") or "review", params.get("quarantine_id")
    if action in ("review", "list"):
        todo = pending(dsn)
        for req in todo:
            print(f"#{req['quarantine_id']} {req['subject']}")
        print(
            f"{len(todo)} record(s) awaiting a person without a Required Action"
            + ("; opening one each" if action == "review" else "")
        )
        return todo if action == "review" else []
    if not qid:
        raise review.ReviewError(f"{action} needs quarantine_id: trigger with action list to see the ids")
    by = f"{user or 'airflow'} (quarantine_review)"
    if action == "reopen":
        review.reopen(int(qid), note=params.get("note"), by=by, dsn=dsn)
        return pending(dsn, only=int(qid))
    outcome = review.decide(
        int(qid),
        action,
        note=params.get("note") or None,
        by=by,
        run=RunRef(run_id, airflow_run_url("quarantine_review", run_id), dsn),
    )
    print(f"quarantine {qid}: {outcome['status']}")
    print(outcome.pop("gate").summary())
    return []
