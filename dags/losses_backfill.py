"""Backfill the General Staff bulletins over a date range, from the sources chosen in the trigger form."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, Param, TriggerRule, dag, task

from etl.domain.model import SOURCES
from etl.losses.assets import ACCEPTED_SERIES_URI
from etl.losses.dag_tasks import check_documents_task, parse_and_load_task
from etl.warehouse.dag_defaults import dag_args, optional_date

DOC = """
### losses_backfill

Fetches the bulletins of **every day from `date_from` to `date_to`** from the chosen sources and loads
them into the warehouse **in one run** (not one run per day):

1. `scrape_<source>`: the source's spider (a `scrapy crawl` subprocess) archives every document
   byte-exact in `raw.document`; each attempt is logged in `raw.fetch`.
2. `parse_and_load`: parses the archived documents and loads every one that parses into
   `core.observation`. Re-running a range changes nothing; a changed figure becomes a new revision
   (both kept).
3. `validate`: the **quality gate** (Great Expectations suites, consensus across the sources) decides
   the accepted value of every day and category; records that break the monotonic cumulative counts
   go to `quality.quarantine` with a diagnosis and an alert (see `attrition quarantine list`), never to
   the marts. Then `mart.daily_losses`, `mart.daily_losses_long` and `mart.latest` are refreshed.
   The Data Docs of the checks are linked from the task log and the alerts.
4. `report_coverage`: per source, the days loaded and the **gaps** (days a source did not publish are
   reported, never filled).
5. `check_documents`: fails the run, red, listing every document that could not be read.

If a scrape fails (HTTP errors after retries, a dead source) the run fails naming the source and URL,
and nothing is loaded; what it fetched stays archived, and a re-run skips what is already archived.
The crawl prints its progress (requests, documents, days covered, time left) to the task log at
least every 30 s. **One unreadable document does not sink the run**: a document that cannot be parsed
(a redesigned page, a garbled number, a missing category) is left out and kept in `raw.document`,
with one alert in `quality.alert` naming source, URL and field; every other document is loaded and
validated, and then `check_documents` fails the run with the list of documents left out.
"""

FORM = {
    "date_from": Param(
        "2022-02-24",
        type="string",
        format="date",
        title="First day",
        description="First bulletin day to fetch (Kyiv date). The first bulletin is 2022-02-24.",
    ),
    "date_to": optional_date(
        "Last day", "Last bulletin day to fetch; empty means today (Kyiv). Not in the future, not before the first day."
    ),
    "sources": Param(
        list(SOURCES),
        type="array",
        title="Sources",
        uniqueItems=True,
        minItems=1,
        items={"type": "string", "enum": list(SOURCES)},
        description="mod: the official bulletins (mil.gov.ua, mod.gov.ua); minfin: index.minfin.com.ua; "
        "russianwarship: the russianwarship.rip API.",
    ),
}


@dag(
    **dag_args(
        "losses_backfill",
        doc=DOC,
        start_date=datetime(2022, 2, 24),
        tags=["attrition", "bulletins", "backfill"],
        params=FORM,
    )
)
def losses_backfill():
    @task(doc_md="Run the source's spider over the range; archive documents in raw.document; return their ids.")
    def scrape(source: str, **context) -> list[int]:
        from etl.losses.tasks import scrape_range

        return scrape_range(source, context["params"], context["run_id"])

    parse_and_load = parse_and_load_task(
        "Parse every archived document of this run and load each one that parses into core.observation; "
        "the unreadable ones are kept in raw, alerted and listed for check_documents.",
        trigger_rule=TriggerRule.NONE_FAILED,
    )

    @task(
        outlets=[Asset(ACCEPTED_SERIES_URI)],
        doc_md="Quality gate over the range: GX checks, consensus, quarantine with diagnosis, alerts; "
        "then refresh the marts. Fails (nothing reaches the marts) only when a check itself errors.",
    )
    def validate(summary: dict, **context) -> dict:
        from etl.losses.tasks import backfill_range, validate_loaded

        date_from, date_to = backfill_range(context["params"])
        return validate_loaded(date_from, date_to, "losses_backfill", context["run_id"])

    @task(doc_md="Print, per source, the days loaded and the gaps (never filled).")
    def report_coverage(summary: dict, gate: dict) -> dict:
        from etl.losses.tasks import report_coverage as run

        return run(summary)

    scraped = [scrape.override(task_id=f"scrape_{source}", queue=f"scrape_{source}")(source) for source in SOURCES]
    loaded = parse_and_load(*scraped)
    gate = validate(loaded)
    report_coverage(loaded, gate)
    gate >> check_documents_task()(loaded)  # a leaf beside report_coverage: either one's failure makes the run red


losses_backfill()
