"""Every morning (Kyiv time): fetch the newest General Staff bulletin from each source and load it."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, Param, PokeReturnValue, TriggerRule, dag, task

from etl.domain.model import SOURCES
from etl.losses.assets import ACCEPTED_SERIES_URI
from etl.losses.dag_tasks import check_documents_task, parse_and_load_task
from etl.losses.freshness import poll_seconds
from etl.warehouse.dag_defaults import daily_dag_args, optional_date

DOC = """
### losses_daily

Runs at **08:00 Kyiv time** and loads the day's bulletin:

1. `scrape_<source>`: a **sensor in reschedule mode**: every `ATTRITION_POLL_SECONDS` (default 120 s)
   it fetches the source's newest pages with conditional GETs (an unchanged page is a 304, no body)
   and archives what changed in `raw.document`. While the bulletin of the target day is **not out
   yet**, it waits without holding a worker slot and without a failed attempt; after the deadline
   (default **14:00 Kyiv**) it fails with **"bulletin missing"** and records an alert in `quality.alert`.
2. `parse_and_load`: parses what every successful scrape fetched and loads every document that
   parses (a lagging source does not hold back the others). A document that cannot be read is left
   out, kept in `raw.document`, and raises one `parse_failure` alert naming source, URL and field.
3. `validate`: the **quality gate** over the last days: checks against the history on both sides,
   consensus across the sources, quarantine of records that break the monotonic counts (with a
   diagnosis, an alert by e-mail or webhook, and a re-evaluation on every later run), then the marts;
   it updates the asset `attrition://warehouse/accepted_series` (news_claims runs on it).
4. `check_bulletin`: the run succeeds when the target day has accepted values, and fails with
   "bulletin missing" otherwise.
5. `check_documents`: fails the run, red, listing every document that could not be read (after the
   rest was loaded and validated).

Trigger it by hand with `target_date` to load a given day (for example the newest day of a replay).
"""

FORM = {
    "target_date": optional_date("Bulletin day", "Day whose bulletin to wait for; empty means the run's date in Kyiv."),
    "deadline": Param(
        "14:00",
        type="string",
        pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$",
        title="Deadline",
        description="Kyiv time (HH:MM) after which a bulletin not yet out is reported missing.",
    ),
}


@dag(
    **daily_dag_args(
        "losses_daily",
        "0 8 * * *",
        doc=DOC,
        tags=["attrition", "bulletins", "daily"],
        retries=1,
        retry_delay=timedelta(minutes=2),
        params=FORM,
    )
)
def losses_daily():
    @task.sensor(
        mode="reschedule",
        poke_interval=poll_seconds(),
        timeout=timedelta(hours=12).total_seconds(),
        retries=1,
        doc_md="Wait for the target day's bulletin: crawl the source's newest pages with "
        "conditional GETs every ATTRITION_POLL_SECONDS (reschedule mode: no slot held, "
        "no failed attempt); 'bulletin missing' after the deadline.",
    )
    def scrape(source: str, **context) -> PokeReturnValue:
        from etl.losses.freshness import poke_bulletin
        from etl.losses.tasks import daily_target

        params = context["params"]
        target = daily_target(params, context["dag_run"].run_after)
        ids = poke_bulletin(source, target, context["run_id"], params["deadline"])
        return PokeReturnValue(is_done=ids is not None, xcom_value=ids)

    parse_and_load = parse_and_load_task(
        "Parse and load what the successful scrapes fetched: every document that parses; "
        "the unreadable ones are kept in raw, alerted and listed for check_documents.",
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
    )

    @task(
        retries=0,
        outlets=[Asset(ACCEPTED_SERIES_URI)],
        doc_md="Quality gate over the target day and the days before it: GX checks, consensus, "
        "quarantine with diagnosis, alerts; then refresh the marts.",
    )
    def validate(summary: dict, **context) -> dict:
        from etl.losses.tasks import SCRAPE_DAYS_BACK, daily_target, validate_loaded

        target = daily_target(context["params"], context["dag_run"].run_after)
        return validate_loaded(target - timedelta(days=SCRAPE_DAYS_BACK), target, "losses_daily", context["run_id"])

    @task(retries=0, doc_md="Succeed when the target day has accepted values (from at least one source).")
    def check_bulletin(gate: dict, **context) -> dict:
        from etl.losses.tasks import check_bulletin as run
        from etl.losses.tasks import daily_target

        return run(daily_target(context["params"], context["dag_run"].run_after), context["run_id"])

    scraped = [scrape.override(task_id=f"scrape_{source}", queue=f"scrape_{source}")(source) for source in SOURCES]
    loaded = parse_and_load(*scraped)
    gate = validate(loaded)
    check_bulletin(gate)
    gate >> check_documents_task()(loaded)  # a leaf beside check_bulletin: either one's failure makes the run red


losses_daily()
