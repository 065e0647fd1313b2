"""psycopg2 connections to the warehouse."""
from __future__ import annotations

import contextlib

from etl.config import redact, warehouse_dsn


class WarehouseUnavailable(RuntimeError):
    pass


def connect(dsn: str | None = None, application_name: str = "attrition"):
    """A psycopg2 connection (autocommit off) to ``dsn`` or the configured warehouse."""
    import psycopg2

    dsn = dsn or warehouse_dsn()
    try:
        return psycopg2.connect(dsn, application_name=application_name, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        hint = "" if "://" in dsn and ":54329/" not in dsn else " (is the embedded warehouse up? `attrition db up`)"
        raise WarehouseUnavailable(f"cannot connect to the warehouse at {redact(dsn)}{hint}: {exc}".strip()) from exc


@contextlib.contextmanager
def transaction(dsn: str | None = None, application_name: str = "attrition"):
    """One transaction: committed when the block ends, rolled back on any error; the connection is closed."""
    conn = connect(dsn, application_name)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
