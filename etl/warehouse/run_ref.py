"""The run a write belongs to, the warehouse it writes to and whether its alerts go out: one value passed
along (review decisions, failure alerts, news crawls) instead of the same four keywords in every signature.

    run = RunRef(run_id, airflow_run_url("losses_daily", run_id))
    review.decide(qid, "reject", by="airflow", run=run)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunRef:
    run_id: str | None = None  # the Airflow run id (or a CLI run's own); None: the callee names one
    url: str | None = None  # the run's page in the Airflow UI, linked from alerts; None outside Airflow
    dsn: str | None = None  # the warehouse; None: the configured one (ATTRITION_WAREHOUSE_DSN)
    notify: bool = True  # False: alerts are recorded in quality.alert, not sent


OUTSIDE_A_RUN = RunRef()
