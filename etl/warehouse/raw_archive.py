"""The raw archive: documents byte-exact, deduplicated by sha256."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime


def store_document(
    cur,
    source: str,
    url: str,
    body: bytes,
    *,
    content_type: str | None = None,
    http_status: int = 200,
    headers: dict | None = None,
    fetched_at: datetime | None = None,
) -> tuple[int, bool]:
    """Archive ``body``; returns (raw.document id, whether it was new).  Same bytes again: the first copy."""
    digest = hashlib.sha256(body).hexdigest()
    cur.execute(
        """
        INSERT INTO raw.document (source, url, fetched_at, http_status, content_type, headers, sha256, size_bytes, body)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (sha256) DO NOTHING
        RETURNING id
        """,
        (
            source,
            url,
            fetched_at or datetime.now(UTC),
            http_status,
            content_type,
            json.dumps(headers or {}),
            digest,
            len(body),
            body,
        ),
    )
    row = cur.fetchone()
    if row:
        return row[0], True
    cur.execute("SELECT id FROM raw.document WHERE sha256 = %s", (digest,))
    return cur.fetchone()[0], False
