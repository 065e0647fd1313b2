"""psycopg2 connections to the warehouse.

:func:`transaction` turns the ways a transaction can die under a run into one-line errors
(:mod:`etl.errors`): the connection lost (the server killed or restarted, the network gone:
:class:`~etl.errors.WarehouseLost`, "nothing of run X was loaded; run it again") and a figure too
large for its column (:class:`~etl.errors.NumberOutOfRange`).  Either way the transaction was rolled
back by the server, so nothing of it is in the warehouse.
"""

from __future__ import annotations

import contextlib

from etl.config import redact, warehouse_dsn
from etl.errors import NumberOutOfRange, WarehouseLost, WarehouseUnavailable  # noqa: F401 - re-exported


def connect(dsn: str | None = None, application_name: str = "attrition"):
    """A psycopg2 connection (autocommit off) to ``dsn`` or the configured warehouse."""
    import psycopg2

    dsn = dsn or warehouse_dsn()
    try:
        return psycopg2.connect(dsn, application_name=application_name, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        hint = "" if "://" in dsn and ":54329/" not in dsn else " (is the embedded warehouse up? `attrition db up`)"
        raise WarehouseUnavailable(
            f"cannot connect to the warehouse at {redact(dsn)}{hint}: {exc}".strip(),
            source="warehouse",
            action="start it (`attrition db up`) or fix ATTRITION_WAREHOUSE_DSN, then run again",
        ) from exc


def connection_lost(exc: BaseException, conn=None) -> bool:
    """Whether ``exc`` means the connection itself is gone (not an SQL error on a live connection)."""
    import psycopg2

    if not isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return False
    if conn is not None and conn.closed:
        return True
    code = getattr(exc, "pgcode", None)
    if code is None:  # libpq's own errors: "server closed the connection unexpectedly", "connection already closed"
        return True
    return code.startswith(("08", "57P"))  # connection exceptions; admin shutdown / crash shutdown


def translate(exc: BaseException, conn=None, run_id: str | None = None, dsn: str | None = None) -> Exception | None:
    """The one-line error for a psycopg2 error, or None when it is not one of ours to translate."""
    import psycopg2
    import psycopg2.errors

    if connection_lost(exc, conn):
        return WarehouseLost(str(exc), run_id=run_id, dsn=redact(dsn) if dsn else None)
    if isinstance(exc, psycopg2.errors.NumericValueOutOfRange):
        return NumberOutOfRange(str(exc), run_id=run_id)
    return None


@contextlib.contextmanager
def transaction(dsn: str | None = None, application_name: str = "attrition", run_id: str | None = None):
    """One transaction: committed when the block ends, rolled back on any error; the connection is closed.

    A lost connection raises :class:`WarehouseLost` (naming ``run_id``), a figure too large for its
    column :class:`NumberOutOfRange`; both one line, both after the server rolled the work back.
    """
    import psycopg2

    dsn = dsn or warehouse_dsn()
    conn = connect(dsn, application_name)
    try:
        try:
            with conn:
                yield conn
        except (psycopg2.OperationalError, psycopg2.InterfaceError, psycopg2.DataError) as exc:
            mapped = translate(exc, conn, run_id, dsn)
            if mapped is None:
                raise
            raise mapped from None
    finally:
        with contextlib.suppress(Exception):
            conn.close()
