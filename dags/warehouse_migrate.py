"""Apply the warehouse's pending schema migrations (thin DAG: the work is in etl.losses.tasks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from etl.warehouse.dag_defaults import dag_args

DOC = """
### warehouse_migrate

Brings the warehouse schema up to date: runs the pending SQL migrations of
`etl/warehouse/migrations/` against the warehouse (`ATTRITION_WAREHOUSE_DSN`, the
connection `warehouse`, or the embedded cluster) and syncs the category
contract. Safe to run at any time: with nothing pending it changes nothing.

Trigger it after deploying a new version. If it fails, the task log names the
migration and the database error; fix the cause and trigger it again (each
migration runs in its own transaction, so nothing is half-applied).
"""


@dag(
    **dag_args(
        "warehouse_migrate",
        doc=DOC,
        start_date=datetime(2022, 2, 24),
        tags=["attrition", "warehouse"],
        retries=1,
        retry_delay=timedelta(seconds=30),
        max_active_runs=None,
    )
)
def warehouse_migrate():
    @task(task_id="apply_migrations", doc_md="Run pending migrations; print the schema version.")
    def apply_migrations() -> dict:
        from etl.losses.tasks import migrate_warehouse

        return migrate_warehouse()

    apply_migrations()


warehouse_migrate()
