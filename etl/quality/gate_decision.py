"""The gate's steps 2 and 3 (see etl.quality.gate): the decision over the window and the writes
(core.accepted through COPY, the quarantine through etl.quality.quarantine_sync, the retractions
and the alerts), all in the caller's transaction."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Any

from etl.domain.model import SOURCES
from etl.quality.bulk import analyze_after_bulk, checks_keys_once, copy_buffer, foreign_keys_checked_once
from etl.quality.gate_result import (
    ACCEPTED_COLUMNS,
    ENGINE_EXPECTATION,
    MONOTONIC,
    OUT_OF_VALIDITY,
    GateResult,
    GateRun,
)
from etl.quality.quarantine_sync import sync_quarantine


@dataclass
class Decided:
    """Step 2's outcome, computed before anything is written: the observations of the window, the
    operators' decisions, the engine's decision, the accepted cells before and as decided (and those
    that changed, as a COPY buffer), the quarantine wanted."""

    obs: dict
    operator: dict
    decision: Any
    by_cell: dict
    before: dict
    rows: dict
    changed: list
    buffer: Any
    wanted: dict


def write_decision(
    cur,
    result: GateResult,
    lo: date,
    hi: date,
    decided: Decided,
    run_ref: int,
    run_id: str | None,
    run_url: str | None,
    keys_once: bool = False,
) -> None:
    """Step 3: write ``decided`` (:func:`decide_window`, in the same transaction) over [lo, hi].
    ``keys_once``: a bulk write into core.accepted may have its foreign keys checked once
    (:func:`_write_accepted`); only once the checks ended (see :meth:`WriteAhead.ahead`)."""
    run = GateRun(cur, result, run_ref, run_id, run_url)
    _write_accepted(run, lo, hi, decided, keys_once)
    wanted = decided.wanted
    sync_quarantine(run, lo, hi, wanted)
    result.out_of_validity = sorted(
        (
            {
                "source": w["obs"]["source"],
                "as_of": str(w["obs"]["as_of"]),
                "category": w["obs"]["category"],
                "cumulative": w["obs"]["cumulative"],
                "note": w["obs"].get("note"),
            }
            for w in wanted.values()
            if w["diagnosis"] == "out_of_validity"
        ),
        key=lambda o: (o["as_of"], o["category"], o["source"]),
    )
    _record_retractions(run, decided.before, decided.rows, wanted, decided.by_cell, decided.operator)
    _alert_disagreements(run, decided.rows, wanted)
    run.flush_alerts()
    cur.execute("SELECT count(*) FROM quality.quarantine WHERE status = 'open' AND as_of BETWEEN %s AND %s", (lo, hi))
    result.open_quarantine = cur.fetchone()[0]


class WriteAhead:
    """Step 3 made while the checks still run (:func:`etl.quality.gate._check_and_decide`): the
    decision is computed beside the checks, on the figures they are assumed to find, and its writes
    need only the monotonic suite's ``quality.validation_run`` id (``runs``: a future of the checks'
    {suite: id}, set before their first check) — so they are made at once, under a savepoint and into
    a copy of the result, and :meth:`settle` keeps them when the checks end without error and with
    the decision they assumed (the usual case), else undoes them.  Nothing is committed before the
    checks end either way: the transaction is the caller's.  ``monotonic``: that suite's name.  A bulk
    decision is not written ahead but by :meth:`settle`, its foreign keys checked once (:func:`_write_accepted`)."""

    _SAVEPOINT = "attrition_write_ahead"

    def __init__(self, cur, result: GateResult, lo: date, hi: date, runs, checks, monotonic: str, run_id, run_url):
        self.cur, self.result, self.window = cur, result, (lo, hi)
        self.runs, self.checks, self.monotonic = runs, checks, monotonic
        self.run_id, self.run_url = run_id, run_url
        self.made: tuple[Decided, GateResult] | None = None

    def ahead(self, decided: Decided) -> None:
        """Write ``decided`` now if the checks are still running (once they ended, :meth:`settle` writes);
        a write that fails is undone here and made again by :meth:`settle`, which then raises."""
        import copy
        from concurrent.futures import FIRST_COMPLETED, wait

        if checks_keys_once(len(decided.changed)):  # a bulk write: after the checks, its keys checked once
            return
        wait([self.runs, self.checks], return_when=FIRST_COMPLETED)
        if self.checks.done() or not self.runs.done():  # no write to overlap, or no run made
            return
        trial = copy.deepcopy(self.result)
        self.cur.execute(f"SAVEPOINT {self._SAVEPOINT}")
        try:
            self._write(trial, decided, self.runs.result()[self.monotonic])
        except Exception:  # noqa: BLE001 - made again (and raised) by settle, unless a check that raised explains it first
            self.cur.execute(f"ROLLBACK TO SAVEPOINT {self._SAVEPOINT}")
            return
        self.made = (decided, trial)

    def settle(self, report, decided: Decided, run_ref: int) -> None:
        """With the checks' ``report``, the decision to write (``decided``; an exception: nothing is
        written) and the monotonic suite's run (``run_ref``): keep the writes made ahead if they are
        those, else undo them and, when the checks had no error, write ``decided`` now."""
        if self.made is not None and self.made[0] is decided and not report.errors:
            vars(self.result).update(vars(self.made[1]))  # the result as the writes left it
            return
        if self.made is not None:
            self.cur.execute(f"ROLLBACK TO SAVEPOINT {self._SAVEPOINT}")
            self.made = None
        if not report.errors and not isinstance(decided, Exception):
            self._write(self.result, decided, run_ref, keys_once=True)

    def _write(self, result: GateResult, decided: Decided, run_ref: int, keys_once: bool = False) -> None:
        write_decision(self.cur, result, *self.window, decided, run_ref, self.run_id, self.run_url, keys_once)


def decide_window(cur, lo: date, hi: date, schema_bad: dict) -> Decided:
    """Step 2, reads only: the decision over [lo, hi] from the observations, the operators' decisions,
    the anchors, the registry, and what it changes (:class:`Decided`).  Adds to ``schema_bad`` the
    figures outside their category's validity."""
    from etl.domain.categories import BY_CODE
    from etl.quality.consensus import Record, decide

    cur.execute(
        """SELECT id, source, as_of, category, cumulative, increase, qualifier, note
                   FROM core.current_observation WHERE as_of BETWEEN %s AND %s""",
        (lo, hi),
    )
    obs = {
        (s, d, c): {
            "id": i,
            "source": s,
            "as_of": d,
            "category": c,
            "cumulative": v,
            "increase": inc,
            "qualifier": q,
            "note": n,
        }
        for i, s, d, c, v, inc, q, n in cur.fetchall()
    }
    # a figure outside its category's validity never enters the decision, whether or not this run's
    # checks (which cover the scope, not the whole window) flagged it
    for k, o in obs.items():
        cat = BY_CODE.get(o["category"])
        if cat is not None and not cat.valid_on(o["as_of"]):
            schema_bad.setdefault(k, OUT_OF_VALIDITY)
    cur.execute(
        """SELECT q.observation_id, q.status FROM quality.quarantine q
                   WHERE q.status IN ('accepted', 'rejected') AND q.decided_by IS DISTINCT FROM 'gate'
                     AND q.as_of BETWEEN %s AND %s""",
        (lo, hi),
    )
    operator = dict(cur.fetchall())
    forced = [k for k, o in obs.items() if operator.get(o["id"]) == "accepted"]
    records = [
        Record(o["source"], o["as_of"], o["category"], o["cumulative"], o["increase"])
        for k, o in obs.items()
        if k not in schema_bad and operator.get(o["id"]) != "rejected"
    ]
    anchors = {}
    for cmp, order, day in (("<", "DESC", lo), (">", "ASC", hi)):
        cur.execute(
            f"""SELECT DISTINCT ON (category) as_of, category, cumulative FROM core.accepted
                        WHERE as_of {cmp} %s ORDER BY category, as_of {order}""",
            (day,),
        )
        anchors.update({(d, c): v for d, c, v in cur.fetchall()})
    # the published registry; an operator's corrections are in it too, but they act through `forced`
    cur.execute("SELECT as_of, category, delta FROM quality.correction WHERE origin = 'registry'")
    corrections = cur.fetchall()
    cur.execute(
        """SELECT source, as_of, category FROM quality.quarantine WHERE status = 'open'
                   AND decided_by <> 'gate' AND as_of BETWEEN %s AND %s""",
        (lo, hi),
    )
    reopened = cur.fetchall()  # an operator reopened them: a person decides, whatever the evidence
    decision = decide(records, corrections, forced=forced, anchors=anchors, reopened=reopened)
    by_cell: dict[tuple[date, str], list[dict]] = {}
    for o in obs.values():
        by_cell.setdefault((o["as_of"], o["category"]), []).append(o)
    before, rows, changed = _accepted_rows(cur, lo, hi, decision, by_cell)
    # the changed cells as COPY rows (validation_run_id, the last column, is the write's)
    buffer = copy_buffer([r[c] for c in ACCEPTED_COLUMNS[:-1]] for r in changed) if changed else None
    wanted = _wanted_quarantine(decision, obs, by_cell, schema_bad, operator)
    return Decided(obs, operator, decision, by_cell, before, rows, changed, buffer, wanted)


def _accepted_rows(cur, lo: date, hi: date, decision, by_cell: dict):
    """(before, rows, changed): core.accepted in [lo, hi] as it is and as decided, and the decided rows
    that differ (reads only)."""
    cur.execute(f"SELECT {', '.join(ACCEPTED_COLUMNS[:-1])} FROM core.accepted WHERE as_of BETWEEN %s AND %s", (lo, hi))
    before = {(r[0], r[1]): dict(zip(ACCEPTED_COLUMNS[:-1], r, strict=False)) for r in cur.fetchall()}
    rows = {}
    for (d, c), a in decision.accepted.items():
        cell = by_cell.get((d, c), [])
        if len(cell) > 1:
            cell = sorted(cell, key=_source_rank)
        agreeing = [o for o in cell if o["cumulative"] == a.value]
        src = next((o for o in agreeing if o["source"] in a.sources_agreeing), agreeing[0] if agreeing else None)
        rows[(d, c)] = {
            "as_of": d,
            "category": c,
            "cumulative": a.value,
            "status": a.status,
            "correction_flag": a.flag,
            "accepted_source": src["source"] if src else a.sources_agreeing[0],
            "sources_agreeing": [o["source"] for o in agreeing],
            "sources_reporting": [o["source"] for o in cell],
            "dissent": {o["source"]: o["cumulative"] for o in cell if o["cumulative"] != a.value},
            "reported_increase": src["increase"] if src else None,
            "qualifier": src["qualifier"] if src else None,
            "note": a.note or None,
        }
    changed = [r for k, r in rows.items() if before.get(k) != r]  # both: the columns of core.accepted
    return before, rows, changed


_RANK = {source: i for i, source in enumerate(SOURCES)}


def _source_rank(o: dict) -> int:
    """An observation's place in :data:`SOURCES` (ValueError for a source not in it, as ``SOURCES.index``)."""
    rank = _RANK.get(o["source"])
    return SOURCES.index(o["source"]) if rank is None else rank


def _write_accepted(run: GateRun, lo: date, hi: date, decided: Decided, keys_once: bool = False) -> None:
    """core.accepted in [lo, hi] as decided: only what changed is written.  With ``keys_once``, a write of
    :data:`~etl.quality.bulk.FK_ONCE_AFTER_ROWS` rows or more (a whole history decided anew: 22,000 rows)
    has the table's three foreign keys checked once (:func:`~etl.quality.bulk.foreign_keys_checked_once`:
    0.31 s -> 0.08 s + their re-adding); that locks ``quality.validation_run``, ``core.category`` and
    ``core.source``, which the checks read and write, so it is asked only once they ended."""
    cur, result, rows = run.cur, run.result, decided.rows
    if decided.changed:  # COPY into a staging table, then one upsert: 20,000 rows in a fraction of a second
        cur.execute("CREATE TEMP TABLE accepted_stage (LIKE core.accepted INCLUDING DEFAULTS) ON COMMIT DROP")
        cur.copy_expert(f"COPY accepted_stage ({', '.join(ACCEPTED_COLUMNS[:-1])}) FROM STDIN", decided.buffer)
        with foreign_keys_checked_once(cur, "core.accepted", len(decided.changed) if keys_once else 0):
            cur.execute(
                f"""
                INSERT INTO core.accepted ({", ".join(ACCEPTED_COLUMNS)})
                SELECT {", ".join(ACCEPTED_COLUMNS[:-1])}, %s FROM accepted_stage
                ON CONFLICT (category, as_of) DO UPDATE SET
                    {", ".join(f"{c} = EXCLUDED.{c}" for c in ACCEPTED_COLUMNS[2:])}, decided_at = now()""",
                (run.run_ref,),
            )
        # the columns the accepted suite filters and joins on (all of core.accepted: 0.10 s of 22,000 rows, these 0.02)
        analyze_after_bulk(cur, "core.accepted", len(decided.changed), ("as_of", "category", "cumulative", "status"))
    for d, c in (k for k in decided.before if k not in rows):
        cur.execute("DELETE FROM core.accepted WHERE as_of = %s AND category = %s", (d, c))
    result.accepted, result.changed = len(rows), len(decided.changed)
    result.corrections = sum(r["status"] == "correction" for r in rows.values())
    result.disagreements = sum(bool(r["dissent"]) for r in rows.values())


def _wanted_quarantine(decision, obs: dict, by_cell: dict, schema_bad: dict, operator: dict) -> dict:
    """{(observation id, expectation): entry} the quarantine must hold: what the decision keeps out,
    the schema failures, and the records of the official corrections it took (status accepted).
    Records an operator decided on are theirs, not the gate's."""
    wanted: dict[tuple[int, str], dict] = {}
    for q in decision.quarantine:
        o = obs.get((q.source, q.as_of, q.category))
        if o is None or o["cumulative"] != q.cumulative:
            continue
        evidence = {**q.evidence}
        if q.diagnosis == "spike_before" and q.neighbours.get("next"):
            evidence["revealed_by"] = q.neighbours["next"][0]
        # explained by an official correction: resolved; settled by the evidence: rejected; else open (a person)
        status = q.verdict
        wanted[(o["id"], ENGINE_EXPECTATION[q.expectation])] = {
            "obs": o,
            "diagnosis": q.diagnosis,
            "neighbours": q.neighbours,
            "evidence": evidence,
            "status": status,
        }
    for key, expectation in schema_bad.items():
        o = obs.get(key)
        if o is None:
            continue
        if expectation == OUT_OF_VALIDITY:  # the category contract keeps it out: explained, not suspect
            wanted[(o["id"], expectation)] = {
                "obs": o,
                "diagnosis": "out_of_validity",
                "neighbours": {},
                "status": "resolved",
                "evidence": {
                    "why": o.get("note") or f"printed on {o['as_of']}, outside the category's validity",
                    "note": o.get("note"),
                },
            }
            continue
        wanted[(o["id"], expectation)] = {
            "obs": o,
            "diagnosis": "unresolved",
            "neighbours": {},
            "status": "open",
            "evidence": {"why": f"fails {expectation}"},
        }
    series_of: dict[str, list] = {}  # category -> its accepted series (decision.series), built once
    for (d, c), a in decision.accepted.items():
        if a.status != "correction":
            continue
        if not series_of:
            for (d2, c2), a2 in decision.accepted.items():
                series_of.setdefault(c2, []).append((d2, a2.value))
            for series in series_of.values():
                series.sort()
        series = series_of[c]
        i = bisect.bisect_left(series, (d, a.value))  # its place: the series holds it
        prev = series[i - 1] if i else None
        for o in by_cell.get((d, c), []):
            if o["cumulative"] == a.value:
                wanted.setdefault(
                    (o["id"], MONOTONIC),
                    {
                        "obs": o,
                        "diagnosis": "official_correction",
                        "status": "accepted",
                        "neighbours": {"prev": prev, "next": series[i + 1] if i + 1 < len(series) else None},
                        "evidence": {
                            "why": f"a decrease confirmed by {a.flag.replace('+', ', ')}",
                            "flag": a.flag,
                            "change": a.value - prev[1] if prev else None,
                        },
                    },
                )
    return {k: w for k, w in wanted.items() if operator.get(k[0]) is None}


def _record_retractions(run: GateRun, before: dict, rows: dict, wanted: dict, by_cell: dict, operator: dict) -> None:
    """quality.retraction (and an alert) for every accepted value that changed or went."""
    reasons = {
        (w["obs"]["as_of"], w["obs"]["category"], w["obs"]["cumulative"]): w["diagnosis"] for w in wanted.values()
    }
    for k in [k for k in before if k not in rows or rows[k]["cumulative"] != before[k]["cumulative"]]:
        old, new = before[k], rows.get(k)
        reason = reasons.get((k[0], k[1], old["cumulative"])) or (
            "operator decision" if any(operator.get(o["id"]) for o in by_cell.get(k, [])) else "new evidence"
        )
        run.cur.execute(
            """INSERT INTO quality.retraction (as_of, category, value_before, status_before, value_after,
                                                           status_after, reason, validation_run_id)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            (
                k[0],
                k[1],
                old["cumulative"],
                old["status"],
                new and new["cumulative"],
                new and new["status"],
                reason,
                run.run_ref,
            ),
        )
        item = {
            "as_of": str(k[0]),
            "category": k[1],
            "value_before": old["cumulative"],
            "value_after": new and new["cumulative"],
            "reason": reason,
        }
        run.result.retracted.append(item)
        run.alert(
            "retraction",
            f"retraction:{k[1]}:{k[0]}:{old['cumulative']}->{new and new['cumulative']}",
            f"[attrition] retracted {k[1]} {k[0]}: {old['cumulative']} -> "
            f"{new['cumulative'] if new else 'no accepted value'}",
            f"The accepted value of {k[1]} on {k[0]} was {old['cumulative']} ({old['status']}); new evidence "
            f"({reason}) replaced it with {new['cumulative'] if new else 'nothing'}. The marts now show the "
            "new value.",
            item,
            "warning",
        )


def _alert_disagreements(run: GateRun, rows: dict, wanted: dict) -> None:
    """An alert per accepted cell where a source printed another value the quarantine does not explain."""
    quarantined_cells = {
        (w["obs"]["as_of"], w["obs"]["category"], w["obs"]["source"])
        for w in wanted.values()
        if w["status"] in ("open", "rejected")
    }
    for (d, c), r in sorted(rows.items()):
        dissent = {s: v for s, v in r["dissent"].items() if (d, c, s) not in quarantined_cells}
        if not dissent or r["status"] == "correction":
            continue
        values = ", ".join(f"{s}={v}" for s, v in sorted(dissent.items()))
        run.alert(
            "source_disagreement",
            f"disagreement:{c}:{d}:{r['cumulative']}:{values}",
            f"[attrition] sources disagree: {c} {d}",
            f"For {c} on {d} the gate accepted {r['cumulative']} ({r['status']}, from "
            f"{', '.join(r['sources_agreeing'])}); {values} printed otherwise. The other values fit the "
            "neighbouring days, so nothing was quarantined; mart.daily_losses_long shows the disagreement.",
            {
                "as_of": str(d),
                "category": c,
                "accepted": r["cumulative"],
                "status": r["status"],
                "sources_agreeing": r["sources_agreeing"],
                "dissent": dissent,
            },
            "info",
        )
