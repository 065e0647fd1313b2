"""The tasks losses_daily and losses_backfill share (Airflow imported only when a DAG file builds them)."""

from __future__ import annotations

from typing import Any


def parse_and_load_task(doc: str, **task_args: Any):
    """``parse_and_load``: parse and load what the scrapes fetched; the unreadable ones are listed."""
    from airflow.sdk import task

    @task(doc_md=doc, **task_args)
    def parse_and_load(*document_id_lists, **context) -> dict:
        from etl.losses.tasks import parse_and_load as run

        return run(list(document_id_lists), context["run_id"])

    return parse_and_load


def check_documents_task():
    """``check_documents``: fail the run, red, listing every document that could not be read."""
    from airflow.sdk import TriggerRule, task

    @task(
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
        doc_md="Fail the run, naming source, URL and field, for every document that could not be read "
        "(the others were loaded and validated).",
    )
    def check_documents(summary: dict | None, **context) -> dict:
        from etl.losses.tasks import check_documents as run

        return run(summary, context["run_id"])

    return check_documents
