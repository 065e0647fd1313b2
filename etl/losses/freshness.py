"""The daily wait for a bulletin: one poke of the ``wait_<source>`` sensor of ``losses_daily``.

A poke crawls the source's newest pages with the spiders' conditional GETs (scrapers/middlewares.py sends
If-None-Match / If-Modified-Since from the validators kept in the raw archive, so an unchanged page costs a
304 and no body) and tells whether the target day's bulletin is among them.  Not out yet, before the
deadline: the poke says "not done" and the sensor (reschedule mode) gives its worker slot back until the next
poke, ``ATTRITION_POLL_SECONDS`` later (default 120) — no failed attempt in the UI.  After the deadline
(Kyiv time) the poke fails for good with "bulletin missing" and records the alert, as the retries did.
"""

from __future__ import annotations

DEFAULT_POLL_SECONDS = 120


def poll_seconds() -> int:
    """``ATTRITION_POLL_SECONDS``: seconds between two pokes of a source (default 120, at least 5)."""
    from etl.config import setting

    return setting("ATTRITION_POLL_SECONDS")


def poke_bulletin(source: str, target_day, run_id: str, deadline: str) -> list[int] | None:
    """The document ids of the crawl when ``source`` has the bulletin of ``target_day``; None while it is
    not out yet (or the crawl failed) before the deadline.  After the deadline: the "bulletin missing" failure
    (alert recorded and delivered) of :func:`etl.losses.tasks.scrape_latest`."""
    from etl.losses.crawl import CrawlError
    from etl.losses.ingest import BulletinMissing
    from etl.losses.tasks import scrape_latest

    try:
        return scrape_latest(source, target_day, run_id, deadline)
    except BulletinMissing as exc:
        print(f"{exc}; next poke in {poll_seconds()} s")
    except CrawlError as exc:
        print(f"{source}: the crawl failed ({exc}); next poke in {poll_seconds()} s")
    return None


def day_accepted(day) -> bool:
    """Whether the warehouse holds accepted values of ``day`` (the gate has passed it into core.accepted)."""
    from etl.warehouse.db import connect

    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM core.accepted WHERE as_of = %s)", (day,))
            return bool(cur.fetchone()[0])
    finally:
        conn.close()
