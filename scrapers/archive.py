"""The raw archive as the crawl sees it: one psycopg2 connection per crawl, shared by the
conditional-GET middleware (validators, archived bodies) and the pipeline (rows).

Every row is committed as soon as it is written, so what was fetched stays archived even when
the crawl or the later load fails.  psycopg2 is imported only when the crawl opens the archive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

_CRAWLER_ATTR = "_attrition_archive"


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None
    document_id: int


class Archive:
    def __init__(self, dsn: str | None, source: str, run_id: str | None):
        self.dsn = dsn
        self.source = source
        self.run_id = run_id or None
        self.conn = None
        self.validators: dict[str, Validators] = {}

    # -- one per crawler -------------------------------------------------------------------------

    @classmethod
    def of(cls, crawler) -> Archive | None:
        return getattr(crawler, _CRAWLER_ATTR, None)

    def attach(self, crawler) -> None:
        setattr(crawler, _CRAWLER_ATTR, self)

    # -- lifecycle ------------------------------------------------------------------------------

    def open(self) -> None:
        from etl.warehouse.db import connect

        self.conn = connect(self.dsn, application_name=f"attrition-crawl-{self.source}")
        self.validators = self._load_validators()
        logger.info(
            "raw archive open: %d URL(s) of %s have validators for a conditional GET", len(self.validators), self.source
        )

    def close(self) -> None:
        conn, self.conn = self.conn, None  # forgotten first, so a failing close leaves no half-closed link
        if conn is not None:
            conn.close()

    def _load_validators(self) -> dict[str, Validators]:
        """The validators of each URL's latest successful fetch, in one query."""
        with self.conn.cursor() as cur:
            cur.execute(
                """
                SELECT DISTINCT ON (url) url, etag, last_modified, document_id
                FROM raw.fetch
                WHERE source = %s AND outcome <> 'error'
                ORDER BY url, requested_at DESC, id DESC
                """,
                (self.source,),
            )
            rows = cur.fetchall()
        self.conn.commit()
        return {url: Validators(etag, lm, doc) for url, etag, lm, doc in rows if doc is not None and (etag or lm)}

    # -- reads ----------------------------------------------------------------------------------

    def archived_body(self, document_id: int) -> tuple[bytes, str | None] | None:
        with self.conn.cursor() as cur:
            cur.execute("SELECT body, content_type FROM raw.document WHERE id = %s", (document_id,))
            row = cur.fetchone()
        self.conn.commit()
        return (bytes(row[0]), row[1]) if row else None

    # -- writes (each committed at once) --------------------------------------------------------

    def store_document(
        self,
        *,
        url: str,
        status: int,
        content_type: str | None,
        headers: dict,
        body: bytes,
        fetched_at: datetime | None,
    ) -> tuple[int, str]:
        """Archive ``body`` unless a document with the same sha256 exists; returns (id, 'new'|'duplicate')."""
        from etl.warehouse.raw_archive import store_document

        try:
            with self.conn.cursor() as cur:
                doc_id, new = store_document(
                    cur,
                    self.source,
                    url,
                    body,
                    content_type=content_type,
                    http_status=status,
                    headers=headers,
                    fetched_at=fetched_at,
                )
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise
        return doc_id, "new" if new else "duplicate"

    def log_fetch(
        self,
        *,
        url: str,
        outcome: str,
        http_status: int | None = None,
        document_id: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
        discovered_by: str | None = None,
    ) -> int:
        try:
            with self.conn.cursor() as cur:
                cur.execute(
                    """
                    INSERT INTO raw.fetch (source, url, requested_at, http_status, outcome, document_id, etag,
                                           last_modified, error, run_id, discovered_by)
                    VALUES (%s, %s, clock_timestamp(), %s, %s, %s, %s, %s, %s, %s, %s)
                    RETURNING id
                    """,
                    (
                        self.source,
                        url,
                        http_status,
                        outcome,
                        document_id,
                        etag,
                        last_modified,
                        error,
                        self.run_id,
                        discovered_by,
                    ),
                )
                fetch_id = cur.fetchone()[0]
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise
        return fetch_id
