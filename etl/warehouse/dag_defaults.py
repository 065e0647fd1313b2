"""The scaffolding every DAG shares: its ``@dag`` arguments and the optional-date form field.

Cheap to import (no Airflow, no GX at module level): the DAG files call :func:`dag_args` and
:func:`optional_date` at parse time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from etl.warehouse.failures import dag_failed, task_failed  # every failure alerts, with the run's link


def dag_args(
    dag_id: str,
    *,
    doc: str,
    start_date: datetime,
    tags: list[str],
    schedule: Any = None,
    retries: int = 0,
    retry_delay: timedelta | None = None,
    max_active_runs: int | None = 1,
    **more: Any,
) -> dict[str, Any]:
    """The keyword arguments of ``@dag``: owner attrition, no catch-up, the failure callbacks."""
    default_args: dict[str, Any] = {"owner": "attrition", "retries": retries, "on_failure_callback": task_failed}
    if retry_delay is not None:
        default_args["retry_delay"] = retry_delay
    args: dict[str, Any] = {
        "dag_id": dag_id,
        "schedule": schedule,
        "start_date": start_date,
        "catchup": False,
        "tags": tags,
        "doc_md": doc,
        "default_args": default_args,
        "on_failure_callback": dag_failed,
        **more,
    }
    if max_active_runs is not None:
        args["max_active_runs"] = max_active_runs
    return args


def optional_date(title: str, description: str):
    """A form field holding a date (YYYY-MM-DD) or nothing."""
    from airflow.sdk import Param

    return Param(None, type=["null", "string"], format="date", title=title, description=description)


def daily_dag_args(dag_id: str, kyiv_cron: str, *, doc: str, tags: list[str], **more: Any) -> dict[str, Any]:
    """:func:`dag_args` of a DAG that runs every day at ``kyiv_cron`` (Kyiv time), from 2026-11-01."""
    from airflow.sdk import CronTriggerTimetable

    schedule = CronTriggerTimetable(kyiv_cron, timezone="Europe/Kyiv")
    return dag_args(dag_id, doc=doc, schedule=schedule, start_date=datetime(2026, 11, 1), tags=tags, **more)
