"""Decide on records the quality gate quarantined: accept or reject one, from the trigger form."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, task

from etl.warehouse.failures import dag_failed, task_failed  # every failure alerts, with the run's link

DOC = """
### quarantine_review

The quality gate keeps records that break the monotonic cumulative counts out of the marts and
lists them in `quality.quarantine` (also readable as `mart.quarantined_records`) with a diagnosis:
`typo_low`, `spike_before`, `official_correction` or `unresolved`. Open records are re-evaluated on
every run; this DAG is for the ones that need a person.

Trigger it with:

- **action** `list`: print the open records (ids, values, diagnoses) in the task log; nothing changes.
- **action** `accept` + **quarantine_id**: the value is right. The gate takes it; if it is lower than
  the day before, it becomes an official correction flagged `operator` (and is added to
  `quality.correction`).
- **action** `reject` + **quarantine_id**: keep the record out for good, whatever later evidence says.

After a decision the gate runs again over the record's day and refreshes the marts, so
`mart.daily_losses` shows the decision when the run ends. The same is available on the command
line: `attrition quarantine list | show ID | accept ID | reject ID`.
"""

FORM = {
    "action": Param("list", type="string", enum=["list", "accept", "reject"], title="Action",
                    description="list: show the open records; accept / reject: decide on the record below."),
    "quarantine_id": Param(None, type=["null", "integer"], minimum=1, title="Quarantine id",
                           description="The record's id (from list, from the alert, or mart.quarantined_records.id). "
                                       "Required for accept and reject."),
    "note": Param("", type="string", title="Note", maxLength=500,
                  description="Why you decide so; kept with the decision."),
}


@dag(
    dag_id="quarantine_review",
    schedule=None,
    start_date=datetime(2022, 2, 24),
    catchup=False,
    max_active_runs=1,
    tags=["attrition", "quality"],
    doc_md=DOC,
    params=FORM,
    default_args={"owner": "attrition", "retries": 0, "on_failure_callback": task_failed},
    on_failure_callback=dag_failed,
)
def quarantine_review():
    @task(task_id="apply_decision",
          doc_md="list: print the open records. accept / reject: record the decision, re-run the gate over the "
                 "record's day, refresh the marts.")
    def apply_decision(**context) -> dict:
        from etl.losses.tasks import review_quarantine

        dag_run = context["dag_run"]
        return review_quarantine(context["params"], context["run_id"],
                                 getattr(dag_run, "triggering_user_name", None))

    apply_decision()


quarantine_review()
