"""Bulk writes in COPY's text format: every bulk write of the load and the gate goes through
``cursor.copy_expert("COPY <table> FROM STDIN", copy_buffer(rows))`` (into the table, or into a staging
table and then one set-wise INSERT ... SELECT): an order of magnitude faster than execute_values for
100,000 rows.  The load writes its observations' lines itself, the same as :func:`copy_buffer`'s
(etl.losses.load._new_rows_buffer), and its bulletins (a few hundred a chunk) from arrays."""

from __future__ import annotations

import gc
import io
import json
import threading
from contextlib import contextmanager
from datetime import date

from psycopg2 import sql

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _array(value) -> str:
    items = [x if type(x) is str else str(x) for x in value]
    if not items:
        return "{}"
    if any('"' in x or "\\" in x for x in items):
        items = [x.replace("\\", "\\\\").replace('"', '\\"') for x in items]
    return '{"' + '","'.join(items) + '"}'


def copy_field(value) -> str:
    """One value in COPY's text format: NULL as \\N, booleans as t/f, lists as text[] literals,
    dicts as JSON; backslashes and control characters escaped (dates and numbers as their str())."""
    kind = type(value)
    if kind is int or kind is date:  # the most common, never anything to escape (a bool's type is not int)
        return str(value)
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple)):
        text = _array(value)
    elif isinstance(value, dict):
        text = json.dumps(value) if value else "{}"
    else:
        text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def copy_buffer(rows) -> io.StringIO:
    """Rows (sequences of None, bool, int, date, str, list, dict) as a COPY text-format buffer."""
    return io.StringIO("".join("\t".join(map(copy_field, row)) + "\n" for row in rows))


# A bulk write of at least this many rows refreshes its table's planner statistics at once: the checks
# that follow in the same run (the gate after a backfill or a rebuild) would otherwise be planned on the
# statistics of the table before the write, until autovacuum's next ANALYZE (up to a minute later; the
# whole-history schema suite right after a backfill took 10.8 s planned that way, 0.7 s with them).
ANALYZE_AFTER_ROWS = 1000


def analyze_after_bulk(cur, table: str, rows: int, columns: tuple[str, ...] = ()) -> None:
    """``ANALYZE`` ``table`` ("schema.name", a constant of the caller) when ``rows`` rows were just written
    (a daily load's few dozen leave it to autovacuum); ``columns``: only those (the row count is
    refreshed all the same; the others keep their statistics until autovacuum's ANALYZE), for a
    table whose arrays and JSON cost most of the work and steer no plan of the run.  A role that
    does not own the table gets a warning from PostgreSQL, not an error."""
    if rows >= ANALYZE_AFTER_ROWS:
        statement = sql.SQL("ANALYZE {}").format(sql.Identifier(*table.split(".")))
        if columns:
            statement += sql.SQL(" ({})").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
        cur.execute(statement)


# A bulk write of at least this many rows into a table with foreign keys has them checked once, set-wise,
# instead of once per row (see :func:`foreign_keys_checked_once`): the full-history rebuild's 64,000 new
# observations took 0.77 s to COPY with their two keys checked row by row, 0.34 s + 0.02 s checked once.
FK_ONCE_AFTER_ROWS = 20_000
FK_LOCK_TIMEOUT = "1s"  # how long the bulk path waits for its locks before it goes the row-by-row way


def checks_keys_once(rows: int) -> bool:
    """Whether a write of ``rows`` rows is bulk enough to have its foreign keys checked once."""
    return rows >= FK_ONCE_AFTER_ROWS


@contextmanager
def foreign_keys_checked_once(cur, table: str, rows: int = 0):
    """Around bulk writes into ``table`` ("schema.name", a constant of the caller): when the writes come to
    :data:`FK_ONCE_AFTER_ROWS` rows or more (``rows``, or what the body tells the yielded
    :class:`ForeignKeysOnce` through ``expect(rows)`` before each write), the table's foreign keys are
    dropped before the first such write and added again after the body, with the same names and
    definitions, so PostgreSQL checks each of them once over the table instead of once per row (its
    manual's advice for populating a database).  A row that breaks a key fails the re-adding as it
    would have failed the write (ForeignKeyViolation), and the caller's savepoint or transaction undoes
    both.  Dropping them takes ACCESS EXCLUSIVE locks on ``table`` and on the tables its keys refer to,
    held until the transaction ends (readers of those tables wait for the load's commit, not the marts'
    readers); when they are not granted within :data:`FK_LOCK_TIMEOUT` (a long reader, another load), or
    the role may not alter the table, the writes go the row-by-row way.  Nothing is dropped for writes
    smaller than that."""
    keys = ForeignKeysOnce(cur, table)
    keys.expect(rows)
    yield keys
    keys.restore()


class ForeignKeysOnce:
    """The foreign keys of one table, dropped for a bulk write and added again (:func:`foreign_keys_checked_once`)."""

    def __init__(self, cur, table: str):
        self.cur, self.table, self.dropped, self.tried = cur, table, [], False

    def expect(self, rows: int) -> None:
        """Before a write: drop the keys (once) when ``rows`` reaches the bulk threshold."""
        if self.tried or not checks_keys_once(rows):
            return
        self.tried = True
        cur = self.cur
        cur.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname""",
            (self.table,),
        )
        keys = cur.fetchall()
        if keys and self._drop(keys):
            self.dropped = keys

    def _drop(self, keys: list) -> bool:
        import psycopg2.errors

        cur = self.cur
        cur.execute("SELECT current_setting('lock_timeout')")
        before = cur.fetchone()[0]
        cur.execute("SAVEPOINT attrition_fk_once")
        try:
            cur.execute("SELECT set_config('lock_timeout', %s, true)", (FK_LOCK_TIMEOUT,))
            cur.execute(
                sql.SQL("ALTER TABLE {} ").format(self._target())
                + sql.SQL(", ").join(sql.SQL("DROP CONSTRAINT {}").format(sql.Identifier(name)) for name, _ in keys)
            )
        except (
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.DeadlockDetected,
            psycopg2.errors.InsufficientPrivilege,
        ):
            cur.execute("ROLLBACK TO SAVEPOINT attrition_fk_once")  # undoes the lock_timeout too
            cur.execute("RELEASE SAVEPOINT attrition_fk_once")
            return False
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
        cur.execute("RELEASE SAVEPOINT attrition_fk_once")
        return True

    def restore(self) -> None:
        """Add the dropped keys again (each checked over the whole table).  Their definitions are the
        catalog's own text (``pg_get_constraintdef``), not input: DDL takes no parameters."""
        if self.dropped:
            self.cur.execute(
                sql.SQL("ALTER TABLE {} ").format(self._target())
                + sql.SQL(", ").join(
                    sql.SQL("ADD CONSTRAINT {} {}").format(sql.Identifier(name), sql.SQL(definition))
                    for name, definition in self.dropped
                )
            )
            self.dropped = []

    def _target(self):
        return sql.Identifier(*self.table.split("."))


_GC_LOCK = threading.Lock()
_GC_PAUSE = {"runs": 0, "was_enabled": False}  # bulk runs of this process under way, the collector before them


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while bulk work is under way (a load, a gate run; reference
    counting still frees everything they drop).  A whole-history decision allocates about a million
    short-lived objects, a rebuild's load some 300,000, and each collector pass then traverses every live
    object of the process: with Great Expectations loaded (some 270,000 of them) the passes cost 0.7-0.9 s
    of a 1.9 s whole-history decision, and 0.18 s of the 0.26 s a rebuild spends making its 110,000 parsed
    observations.  The collector's state is restored when the last such run of the process ends (runs
    may overlap in threads); what cycles a run left are collected by its next pass."""
    with _GC_LOCK:
        if _GC_PAUSE["runs"] == 0:
            _GC_PAUSE["was_enabled"] = gc.isenabled()
            gc.disable()
        _GC_PAUSE["runs"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSE["runs"] -= 1
            if _GC_PAUSE["runs"] == 0 and _GC_PAUSE["was_enabled"]:
                gc.enable()
