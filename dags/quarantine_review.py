"""Decide on records the quality gate quarantined: one Required Action (human-in-the-loop request) per
record that needs a person; the trigger form for list / accept / reject / reopen by id."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from etl.config import setting
from etl.quality.review_hitl import OPTIONS, REJECT
from etl.warehouse.failures import dag_failed, task_failed  # every failure alerts, with the run's link

ACCEPTED_SERIES = Asset("attrition://warehouse/accepted_series")  # emitted by every successful validate
# how often a waiting request looks whether its record was decided elsewhere (then it closes itself)
RECHECK = timedelta(seconds=setting("ATTRITION_REVIEW_RECHECK_SECONDS"))

DOC = """
### quarantine_review

The quality gate keeps records that break the monotonic cumulative counts out of the marts and
lists them in `quality.quarantine` (readable as `mart.quarantined_records`) with a diagnosis. It
decides itself what the evidence settles (a record outvoted by two agreeing sources whose value fits
the days around it: `rejected`, decided by `gate`). The rest waits for a person, and this DAG asks:

- **Every run** (after each validate, through the asset `attrition://warehouse/accepted_series`, and
  hourly) opens **one Required Action per record awaiting a person** that has none yet (Browse →
  Required Actions): subject = source, category, day, value, diagnosis; body = the other sources that
  day, the accepted days around it, the printed increase and a link to the chart. Answer
  **Accept value** or **Reject value** with a note: the decision is applied exactly as
  `attrition quarantine accept|reject` does, then the gate runs again over the day.
- A request whose record was decided elsewhere (the CLI, the gate) closes itself: at every response
  timeout (`ATTRITION_REVIEW_RECHECK_SECONDS`, default 600) Airflow answers it with its default
  (*Reject value*); the task then looks at the record: decided elsewhere, the request stays closed
  (`quality.review_request.closed_by` says by whom); still open, the answer is cleared and it waits on.
- Trigger with **action** `list` (print the open records), `accept` / `reject` + **quarantine_id**
  (decide directly), or `reopen` + **quarantine_id** (give a decided record back to a person: a
  Required Action is opened for it). The note is optional.
"""


def note_param(description: str) -> Param:
    """The optional free-text note kept with a decision."""
    return Param(None, type=["null", "string"], title="Note", maxLength=500, description=description)


FORM = {
    "action": Param(
        "review",
        type="string",
        enum=["review", "list", "accept", "reject", "reopen"],
        title="Action",
        description="review: open a Required Action per record awaiting a person; list: print them; "
        "accept / reject / reopen: act on the record below.",
    ),
    "quarantine_id": Param(
        None,
        type=["null", "integer"],
        minimum=1,
        title="Quarantine id",
        description="The record's id (from list, the alert, or mart.quarantined_records.id). "
        "Required for accept, reject and reopen.",
    ),
    "note": note_param("Optional: why you decide so; kept with the decision."),
}


class ReviewRecord(HITLOperator):
    """One record's Required Action: closes itself if the record is no longer open, applies the answer."""

    def __init__(self, *, quarantine_id: int, **kwargs):
        super().__init__(**kwargs)
        self.quarantine_id = quarantine_id

    def _ref(self, context) -> tuple:
        ti = context["task_instance"]
        return ti.dag_id, ti.run_id, ti.task_id, ti.map_index

    def execute(self, context):
        from etl.config import airflow_ui_url
        from etl.quality import review_hitl

        # the mapped task instance's own Required Action page (generate_link_to_ui's ?map_index= opens the
        # task's page, which finds no task instance for a mapped task in Airflow 3.3's UI)
        dag_id, run_id, task_id, map_index = self._ref(context)
        url = (
            f"{airflow_ui_url().rstrip('/')}/dags/{dag_id}/runs/{quote(run_id, safe='')}/tasks/{task_id}"
            f"/mapped/{map_index}/required_actions"
        )
        if not review_hitl.register(self.quarantine_id, *self._ref(context), url):
            self.log.info(
                "quarantine %s no longer waits for this request (decided, or asked elsewhere): closed",
                self.quarantine_id,
            )
            return {"quarantine_id": self.quarantine_id, "closed_by": "decided before the request"}
        self.log.info("Required Action for quarantine %s: %s", self.quarantine_id, url)
        return super().execute(context)

    def execute_complete(self, context, event):
        from airflow.sdk.exceptions import AirflowFailException, TaskAwaitingInput
        from airflow.sdk.execution_time.hitl import upsert_hitl_detail

        from etl.config import airflow_run_url
        from etl.quality import review_hitl
        from etl.quality.review import ReviewError

        ref = self._ref(context)
        if event.get("timedout"):  # the periodic look (the scheduler answered the default): decided elsewhere?
            closed_by = review_hitl.close_if_decided(self.quarantine_id, ref)
            if closed_by is not None:  # the default answer stays: the request is closed
                self.log.info("quarantine %s was decided %s: request closed", self.quarantine_id, closed_by)
                return {"quarantine_id": self.quarantine_id, "closed_by": closed_by}
            # still open: clear the default answer (the request is pending again) and wait on
            upsert_hitl_detail(
                ti_id=context["task_instance"].id,
                options=self.options,
                subject=self.subject,
                body=self.body,
                defaults=self.defaults,
                multiple=self.multiple,
                params=self.serialized_params,
                assigned_users=self.assigned_users,
            )
            raise TaskAwaitingInput(method_name="execute_complete", timeout=self.response_timeout)
        answer = super().execute_complete(context, event)
        user = (answer.get("responded_by_user") or {}).get("name")
        try:
            outcome = review_hitl.answer(
                self.quarantine_id,
                answer["chosen_options"][0],
                (answer.get("params_input") or {}).get("note"),
                user,
                ref,
                run_url=airflow_run_url(ref[0], ref[1]),
            )
        except ReviewError as exc:
            raise AirflowFailException(str(exc)) from None
        print(outcome.pop("gate", ""))
        return outcome


@dag(
    dag_id="quarantine_review",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("41 * * * *", timezone="UTC"), assets=ACCEPTED_SERIES),
    start_date=datetime(2022, 2, 24),
    catchup=False,
    max_active_runs=16,  # runs wait for people; each new one asks only for records no request asks for
    tags=["attrition", "quality"],
    doc_md=DOC,
    params=FORM,
    default_args={"owner": "attrition", "retries": 0, "on_failure_callback": task_failed},
    on_failure_callback=dag_failed,
)
def quarantine_review():
    @task(
        task_id="requests",
        doc_md="review: the records awaiting a person without a request (one mapped Required Action each). "
        "list: print them. accept / reject: apply to the record, re-run the gate. reopen: reopen it.",
    )
    def requests(**context) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException

        from etl.quality.review import ReviewError
        from etl.quality.review_hitl import form_action

        dag_run = context["dag_run"]
        try:
            return form_action(context["params"], context["run_id"], getattr(dag_run, "triggering_user_name", None))
        except ReviewError as exc:
            raise AirflowFailException(str(exc)) from None

    ReviewRecord.partial(
        task_id="review_record",
        doc_md="One Required Action per record awaiting a person: *Accept value* or *Reject value* with a note, "
        "applied as `attrition quarantine accept|reject` would, then the gate again over that day.",
        options=list(OPTIONS),
        # the answer the scheduler writes at each response timeout, so that a request whose record was
        # decided elsewhere leaves the pending list (a task can only write its request through the
        # timeout sweep); while the record is open the task clears it again and keeps waiting
        defaults=[REJECT],
        params={"note": note_param("Why you decide so (optional); kept with the decision.")},
        response_timeout=RECHECK,
        map_index_template="{{ task.quarantine_id }}",
    ).expand_kwargs(requests())


quarantine_review()
