"""Runs told apart and serialized on purpose.

* :func:`new_run_id` gives every run outside Airflow an id of its own (microseconds and a random
  suffix: two runs started in the same second never share one; Airflow's run ids are unique per DAG).
* :func:`lock_sources` takes, in the caller's transaction, one PostgreSQL advisory lock per source
  the run loads (``pg_advisory_xact_lock``, released at commit or rollback).  A second run over the
  same source waits for the first instead of interleaving with it, and says so on stderr:
  ``another run of mod 2024-01..06 is in progress (run …); waiting up to 1800 s``.  It waits at most
  ``ATTRITION_RUN_LOCK_WAIT`` seconds (default 1800), then fails with
  :class:`etl.errors.RunLockTimeout`, nothing of it loaded.

While it holds the locks the transaction's ``application_name`` names the run's sources and range,
which is how a waiting run can tell who it waits for (``pg_stat_activity``).
"""

from __future__ import annotations

import secrets
import sys
import time
from datetime import UTC, date, datetime

from etl.config import SETTINGS

LOCK_CLASS = 0x61747275  # first key of the two-key advisory lock: "attru"; the second is the source's hash
DEFAULT_WAIT = SETTINGS["ATTRITION_RUN_LOCK_WAIT"].default  # seconds
APP_PREFIX = "attrition-run "


def new_run_id(prefix: str) -> str:
    """``<prefix>-<UTC time to the microsecond>-<6 hex digits>``, e.g. cli-backfill-20261202T144501123456Z-3fa9c1."""
    return f"{prefix}-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def describe_range(date_from: date | None, date_to: date | None) -> str:
    """``2024-01..06`` for whole months of one year, ``2024-01-01..2024-06-15`` otherwise."""
    if date_from is None or date_to is None:
        return "(no days)"
    if date_from == date_to:
        return date_from.isoformat()
    from calendar import monthrange

    whole = date_from.day == 1 and date_to.day == monthrange(date_to.year, date_to.month)[1]
    if whole and date_from.year == date_to.year:
        if date_from.month == date_to.month:
            return f"{date_from:%Y-%m}"
        return f"{date_from:%Y-%m}..{date_to:%m}"
    if whole:
        return f"{date_from:%Y-%m}..{date_to:%Y-%m}"
    return f"{date_from}..{date_to}"


def wait_limit() -> float:
    from etl.config import setting

    return setting("ATTRITION_RUN_LOCK_WAIT")


def _holder(cur, source: str) -> str | None:
    """What the session holding ``source``'s lock says it runs (its application_name), if visible."""
    cur.execute(
        """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                   WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s::oid AND l.objid = %s::oid
                     AND l.objsubid = 2 AND l.pid <> pg_backend_pid()""",
        (LOCK_CLASS, _key(source) & 0xFFFFFFFF),
    )
    row = cur.fetchone()
    return row[0] if row else None


def _key(source: str) -> int:
    import zlib

    return zlib.crc32(f"attrition.run:{source}".encode()) - (1 << 31)  # a signed int4


def lock_sources(
    cur,
    spans: dict[str, tuple[date | None, date | None]],
    run_id: str | None = None,
    *,
    wait: float | None = None,
    say=None,
) -> None:
    """Take the run lock of every source in ``spans`` ({source: (first day, last day)}, or None while the
    days are not read yet) in the transaction of ``cur``, in source order (no deadlock between runs); a
    lock the transaction holds already is granted again at once (its name is updated).  A lock another run holds is
    waited for, saying so through ``say`` (default: stderr); after ``wait`` seconds
    :class:`~etl.errors.RunLockTimeout`."""
    import psycopg2.errors

    from etl.errors import RunLockTimeout

    wait = wait_limit() if wait is None else wait
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    mine = APP_PREFIX + " ".join(
        f"{s} {describe_range(*spans[s]) if spans[s] else '(its days being read)'}" for s in sorted(spans)
    )
    cur.execute("SELECT set_config('application_name', %s, true)", ((mine + f" ({run_id})" if run_id else mine)[:63],))
    for source in sorted(spans):
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_CLASS, _key(source)))
        if cur.fetchone()[0]:
            continue
        holder = _holder(cur, source) or ""
        other = holder[len(APP_PREFIX) :] if holder.startswith(APP_PREFIX) else f"{source} (another session)"
        say(f"attrition: another run of {other} is in progress; waiting up to {wait:.0f} s for it")
        started = time.monotonic()
        cur.execute("SAVEPOINT attrition_run_lock")
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{max(int(wait * 1000), 1)}ms",))
        try:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, _key(source)))
        except psycopg2.errors.LockNotAvailable:
            cur.execute("ROLLBACK TO SAVEPOINT attrition_run_lock")
            raise RunLockTimeout(other, time.monotonic() - started, run_id) from None
        cur.execute("RELEASE SAVEPOINT attrition_run_lock")
        cur.execute("SELECT set_config('lock_timeout', '0', true)")
        say(f"attrition: the other run of {other} ended after {time.monotonic() - started:.0f} s; going on")


def spans_of(parsed) -> dict[str, tuple[date | None, date | None]]:
    """{source: (first day, last day)} of parsed documents (etl.losses.load.parse_documents' first result)."""
    days: dict[str, list[date]] = {}
    for doc, observations in parsed:
        days.setdefault(doc.source, []).extend(o.as_of for o in observations)
    return {s: (min(d), max(d)) if d else (None, None) for s, d in days.items()}
