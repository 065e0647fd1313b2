"""What the quality gate (etl.quality.gate) works with: its constants, its result
(:class:`GateResult`) and one run's write context (:class:`GateRun`).  Imported by the gate's steps
(gate, gate_decision, quarantine_sync), so none of them imports another in a cycle."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WINDOW_DAYS = 60  # days decided again on each side of the scope
CANDIDATE_SUITES = ("observations_schema", "observations_monotonic")
ACCEPTED_SUITE = "accepted_monotonic"
# Schema expectations whose offending rows are quarantined (the others cannot fail given the DDL).
QUARANTINING_SCHEMA = ("cumulative_non_negative", "source_known", "category_valid_on_date")
OUT_OF_VALIDITY = "observations_schema.category_valid_on_date"
ENGINE_EXPECTATION = {
    "monotonic_cumulative": "observations_monotonic.cumulative_monotonic",
    "increase_matches_difference": "observations_monotonic.increase_matches_difference",
}
MONOTONIC = ENGINE_EXPECTATION["monotonic_cumulative"]
MARTS = ("mart.daily_losses_long", "mart.daily_losses", "mart.latest")  # in this order: latest reads long
CONCURRENT_MARTS = ("mart.daily_losses_long", "mart.daily_losses")  # they have a unique index
ACCEPTED_COLUMNS = (
    "as_of",
    "category",
    "cumulative",
    "status",
    "correction_flag",
    "accepted_source",
    "sources_agreeing",
    "sources_reporting",
    "dissent",
    "reported_increase",
    "qualifier",
    "note",
    "validation_run_id",
)


@dataclass
class GateResult:
    date_from: date | None
    date_to: date | None
    window: tuple[date, date] | None = None
    outcome: str = "passed"  # passed | quarantined | nothing_loaded
    checks: dict = field(default_factory=dict)  # suite -> passed/failed/error, and the failed expectations
    accepted: int = 0  # accepted cells in the window
    changed: int = 0  # accepted cells written (new or different)
    corrections: int = 0  # accepted cells in the window that are official corrections
    disagreements: int = 0  # accepted cells in the window where a source printed another value
    quarantined: list[dict] = field(default_factory=list)  # new or re-diagnosed open records
    rejected: list[dict] = field(default_factory=list)  # new records the gate rejected itself (outvoted)
    out_of_validity: list[dict] = field(default_factory=list)  # figures printed outside their category's dates
    open_quarantine: int = 0  # open records in the window after this run
    resolved: list[int] = field(default_factory=list)  # quarantine ids cleared by new evidence
    retracted: list[dict] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    delivery: str | None = None
    data_docs: str | None = None
    validation_run_id: int | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        if self.outcome == "nothing_loaded":
            return "quality gate: nothing loaded in scope, nothing to validate"
        lines = [
            f"quality gate {self.date_from}..{self.date_to} (decided {self.window[0]}..{self.window[1]}): "
            f"{self.outcome} in {self.seconds:.1f} s",
            "  checks: " + ", ".join(f"{suite} {info['outcome']}" for suite, info in self.checks.items()),
            f"  accepted: {self.accepted} cells ({self.changed} written), {self.corrections} official corrections, "
            f"{self.disagreements} with a disagreeing source",
            f"  quarantine: {len(self.quarantined)} new or re-diagnosed, {len(self.resolved)} cleared, "
            f"{self.open_quarantine} open in the window",
        ]
        for q in self.quarantined[:20]:
            lines.append(
                f"    #{q['id']} {q['source']} {q['category']} {q['as_of']} = {q['cumulative']}: "
                f"{q['diagnosis']} ({q['why']})"
            )
        if len(self.quarantined) > 20:
            lines.append(f"    ... and {len(self.quarantined) - 20} more (attrition quarantine list)")
        if self.rejected:
            lines.append(f"  rejected by the gate (outvoted by agreeing sources): {len(self.rejected)}")
        for q in self.rejected[:20]:
            lines.append(
                f"    #{q['id']} {q['source']} {q['category']} {q['as_of']} = {q['cumulative']}: "
                f"{q['diagnosis']} ({q['why']})"
            )
        if self.out_of_validity:
            lines.append(
                f"  out of validity: {len(self.out_of_validity)} figure(s) printed outside their category's "
                "dates, kept out of the accepted series (mart.quarantined_records, diagnosis out_of_validity)"
            )
            for o in self.out_of_validity[:10]:
                lines.append(f"    {o['source']} {o['category']} {o['as_of']} = {o['cumulative']}")
        for r in self.retracted[:20]:
            lines.append(
                f"  retracted: {r['category']} {r['as_of']} {r['value_before']} -> {r['value_after']} ({r['reason']})"
            )
        lines.append(f"  alerts: {len(self.alerts)} new" + (f"; {self.delivery}" if self.delivery else ""))
        if self.data_docs:
            lines.append(f"  Data Docs: {self.data_docs}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return json.loads(json.dumps({k: getattr(self, k) for k in self.__dataclass_fields__}, default=str))


@dataclass
class GateRun:
    """What every step of one gate run writes with: the cursor (one transaction) and the run's ids.
    Its alerts are recorded together by :meth:`flush_alerts` (one statement, not one per alert)."""

    cur: Any
    result: GateResult
    run_ref: int  # quality.validation_run id of the monotonic suite
    run_id: str | None
    run_url: str | None
    pending_alerts: list = field(default_factory=list)

    def alert(self, kind: str, key: str, subject: str, body: str, details: dict, severity: str) -> None:
        self.pending_alerts.append(
            (kind, key, subject, body, {**details, "run_id": self.run_id}, severity, self.run_url)
        )

    def flush_alerts(self) -> None:
        """Record the alerts raised so far (an incident already recorded is not again); the new ones'
        ids go to the result."""
        from etl.warehouse.alerts import record_alerts

        self.result.alerts.extend(record_alerts(self.cur, self.pending_alerts))
        self.pending_alerts.clear()
