"""Bring quality.quarantine in the gate's window to what the decision wants (etl.quality.gate,
step 3): new records, re-diagnosed ones (a new incident each), cleared ones, one alert per incident,
and one alert per (source, category) for the figures printed outside their category's dates."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.quality.gate_result import GateRun


_SUBJECT = {  # by the quarantine entry's status
    "accepted": "[attrition] official correction accepted: {category} {as_of} = {cumulative}",
    "resolved": "[attrition] explained by an official correction: {source} {category} {as_of} = {cumulative}",
    "rejected": "[attrition] outvoted, rejected by the gate: {source} {category} {as_of} = {cumulative}",
    "open": "[attrition] quarantined {source} {category} {as_of} = {cumulative} ({diagnosis})",
}


def sync_quarantine(run: GateRun, lo: date, hi: date, wanted: dict) -> None:
    """Bring quality.quarantine in [lo, hi] to ``wanted``: insert new entries, re-diagnose changed
    ones (a new incident), clear open ones no longer wanted; one alert per incident."""
    existing = _clear_unwanted(run, lo, hi, wanted)
    outside_groups, outside_incident = _outside_groups(wanted, existing)
    _write_wanted(run, wanted, existing, outside_incident)
    _alert_outside(run, outside_groups, outside_incident)


def _clear_unwanted(run: GateRun, lo: date, hi: date, wanted: dict) -> dict:
    """The gate's records in [lo, hi] (open, or decided by the gate); the open ones no longer wanted
    are resolved.  Returns {(observation id, expectation): record}."""
    cur, result = run.cur, run.result
    cur.execute(
        """SELECT id, observation_id, expectation, diagnosis, status
                   FROM quality.quarantine
                   WHERE as_of BETWEEN %s AND %s AND (status = 'open' OR decided_by = 'gate')""",
        (lo, hi),
    )
    existing = {(r[1], r[2]): {"id": r[0], "diagnosis": r[3], "status": r[4]} for r in cur.fetchall()}
    cleared = [old["id"] for key, old in existing.items() if key not in wanted and old["status"] != "resolved"]
    if cleared:
        cur.execute(
            """UPDATE quality.quarantine SET status = 'resolved', decided_by = 'gate', decided_at = now(),
                              updated_at = now(), note = %s WHERE id = ANY (%s)""",
            ("cleared by later evidence: no longer breaks the monotonic counts", cleared),
        )
        result.resolved.extend(cleared)
    return existing


def _outside_groups(wanted: dict, existing: dict) -> tuple[dict, dict]:
    """Figures printed outside their category's dates that this run lists for the first time, per
    (source, category), and each group's incident key (a re-run lists none, so it alerts nothing)."""
    outside_groups: dict[tuple[str, str], list[dict]] = {}
    for key, w in wanted.items():
        old = existing.get(key)
        if w["diagnosis"] == "out_of_validity" and (old is None or old["diagnosis"] != w["diagnosis"]):
            outside_groups.setdefault((w["obs"]["source"], w["obs"]["category"]), []).append(w["obs"])
    outside_incident = {}
    for (source, category), group in outside_groups.items():
        days = sorted(o["as_of"] for o in group)
        outside_incident[(source, category)] = f"out_of_validity:{source}:{category}:{days[0]}..{days[-1]}:{len(days)}"
    return outside_groups, outside_incident


def _write_wanted(run: GateRun, wanted: dict, existing: dict, outside_incident: dict) -> None:
    """Insert the new records, re-diagnose the changed ones; one alert each (not for out-of-validity
    figures: their group alerts once)."""
    from psycopg2.extras import Json

    cur, result = run.cur, run.result
    for (obs_id, expectation), w in sorted(wanted.items(), key=lambda kv: (kv[1]["obs"]["as_of"], kv[0])):
        o, old = w["obs"], existing.get((obs_id, expectation))
        gate_decided = w["status"] != "open"
        outside = w["diagnosis"] == "out_of_validity"
        incident = (
            f"official_correction:{o['category']}:{o['as_of']}:{o['cumulative']}"
            if w["status"] == "accepted"
            else outside_incident.get((o["source"], o["category"]), "")
            if outside
            else f"quarantine:{obs_id}:{expectation}:{w['diagnosis']}"
        )
        values = (
            w["diagnosis"],
            Json(_jsonable(w["neighbours"])),
            Json(_jsonable(w["evidence"])),
            w["status"],
            run.run_ref,
            incident,
            "gate" if gate_decided else None,
        )
        if old is None:
            cur.execute(
                """INSERT INTO quality.quarantine (observation_id, source, as_of, category, cumulative, increase,
                       expectation, diagnosis, neighbours, evidence, status, validation_run_id, incident_key,
                       decided_by, decided_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                           CASE WHEN %s THEN now() END) RETURNING id""",
                (
                    obs_id,
                    o["source"],
                    o["as_of"],
                    o["category"],
                    o["cumulative"],
                    o["increase"],
                    expectation,
                    *values,
                    gate_decided,
                ),
            )
            qid = cur.fetchone()[0]
        elif old["diagnosis"] == w["diagnosis"] and old["status"] == w["status"]:
            continue
        else:
            qid = old["id"]
            cur.execute(
                """UPDATE quality.quarantine SET diagnosis = %s, neighbours = %s, evidence = %s, status = %s,
                                  validation_run_id = %s, incident_key = %s, decided_by = %s,
                                  decided_at = CASE WHEN %s THEN now() END, updated_at = now()
                           WHERE id = %s""",
                (*values, gate_decided, qid),
            )
        item = {
            "id": qid,
            "source": o["source"],
            "as_of": str(o["as_of"]),
            "category": o["category"],
            "cumulative": o["cumulative"],
            "diagnosis": w["diagnosis"],
            "why": w["evidence"].get("why", ""),
            "status": w["status"],
        }
        if not gate_decided or w["status"] == "rejected":  # awaiting a person, or rejected by the gate itself
            (result.rejected if gate_decided else result.quarantined).append(item)
        if outside:
            continue  # one alert per group, below
        run.alert(
            "quarantine",
            incident,
            _SUBJECT[w["status"]].format(**item),
            _quarantine_body(item, w, expectation),
            {**item, "quarantine_id": qid, "expectation": expectation, "neighbours": _jsonable(w["neighbours"])},
            "info" if gate_decided else "warning",
        )


def _alert_outside(run: GateRun, outside_groups: dict, outside_incident: dict) -> None:
    """One info alert per (source, category) of figures printed outside the category's dates."""
    from etl.domain.categories import BY_CODE

    for (source, category), group in sorted(outside_groups.items()):
        group = sorted(group, key=lambda o: o["as_of"])
        cat = BY_CODE[category]
        figures = ", ".join(f"{o['as_of']} = {o['cumulative']}" for o in group[:10]) + (
            f", ... ({len(group) - 10} more)" if len(group) > 10 else ""
        )
        notes = sorted({o.get("note") for o in group if o.get("note")})
        span = str(group[0]["as_of"]) if len(group) == 1 else f"{group[0]['as_of']}..{group[-1]['as_of']}"
        run.alert(
            "out_of_validity",
            outside_incident[(source, category)],
            f"[attrition] printed outside its category's dates: {source} {category} {span} ({len(group)} day(s))",
            f"{source} printed {category} on {len(group)} day(s) outside the category's official validity "
            f"({cat.valid_from}..{cat.valid_to or ''}): {figures}. The figures are stored as printed, with their "
            f"note ({'; '.join(notes) or 'none'}), but the category contract keeps them out of the accepted series "
            "and the marts; mart.quarantined_records lists them with the diagnosis out_of_validity. Nothing to do "
            "unless the category's dates in etl/domain/categories.py are wrong.",
            {
                "source": source,
                "category": category,
                "days": [str(o["as_of"]) for o in group],
                "values": [o["cumulative"] for o in group],
                "notes": notes,
            },
            "info",
        )


def _quarantine_body(item: dict, w: dict, expectation: str) -> str:
    """The alert's message; the notifier adds What / Why / Where, the neighbours, the links and how to act."""
    others = w["evidence"].get("other_sources") or {}
    said = (
        "; the other sources printed " + ", ".join(f"{s} {v}" for s, v in sorted(others.items()))
        if others
        else "; no other source printed this day"
    )
    verdict = {
        "accepted": "The gate accepted it as an official correction",
        "resolved": "The gate explained it by an official correction; the accepted value follows the other sources",
        "rejected": "The gate rejected it: the other sources agree and their value fits the days around it",
    }.get(w["status"], "The gate kept it out of the marts")
    return (
        f"{item['source']} printed {item['category']} = {item['cumulative']} for {item['as_of']}{said}. "
        f"{verdict}: {item['diagnosis']} ({item['why']})."
    )


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))
