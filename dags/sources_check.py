"""Every morning, before losses_daily: is every source still there and still readable?"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task

from etl.warehouse.dag_defaults import daily_dag_args

DOC = """
### sources_check

Runs at **07:30 Kyiv time**, half an hour before `losses_daily`, and checks each bulletin source
(mod, minfin, russianwarship) the way `attrition sources check` does: the source's spider fetches its
newest pages politely (robots.txt, one request a second per domain), the bulletins are parsed in
memory (nothing is loaded), and each outcome is a row of `quality.source_check`: reachable, newest
day, parsed, categories, agreement with the other sources.

A source that **answers but no longer parses** raises one `source_changed` alert per incident (the
earliest warning of a redesign); one that **does not answer**, one `source_unreachable` alert. The run
then fails naming the source, URL and field. Figures that differ between sources fail it only with
`strict` (the quality gate of `losses_daily` decides what the figures are).

Under `make up` offline the spiders point at the replay, and the check runs against it.
"""

FORM = {
    "strict": Param(
        False,
        type="boolean",
        title="Strict",
        description="Also fail when the sources' figures differ on their newest common day.",
    ),
}


@dag(
    **daily_dag_args(
        "sources_check",
        "30 7 * * *",
        doc=DOC,
        tags=["attrition", "bulletins", "daily", "canary"],
        params=FORM,
    )
)
def sources_check():
    @task(
        execution_timeout=timedelta(minutes=30),
        doc_md="Fetch and parse each source's newest bulletin; record quality.source_check; alert on a change.",
    )
    def check_sources(**context) -> dict:
        from etl.losses.sources_check import run_task

        return run_task(context["run_id"], strict=bool(context["params"]["strict"]))

    check_sources()


sources_check()
