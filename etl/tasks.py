"""Callables behind the DAGs' tasks.  DAG files stay thin and import this lazily."""
from __future__ import annotations


def migrate_warehouse() -> dict:
    """Apply pending migrations to the configured warehouse; return what ran and the schema version."""
    from etl.config import redact, warehouse_dsn
    from etl.migrate import applied, migrate

    dsn = warehouse_dsn()
    ran = migrate(dsn)
    versions = applied(dsn)
    result = {"warehouse": redact(dsn), "applied_now": ran, "schema_version": versions[-1][0] if versions else None}
    print(f"warehouse {result['warehouse']}: schema version {result['schema_version']}, applied now: {ran or 'nothing'}")
    return result
