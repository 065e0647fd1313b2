"""Bulk writes in COPY's text format: every bulk write of the load and the gate goes through
``cursor.copy_expert("COPY <staging table> FROM STDIN", copy_buffer(rows))`` and then one set-wise
INSERT ... SELECT (an order of magnitude faster than execute_values for 100,000 rows)."""

from __future__ import annotations

import io
import json
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
