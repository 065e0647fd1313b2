"""The one item the spiders yield: what a fetch attempt produced (never parsed figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# kind:
#   document      a data-bearing body (status 200): archived in raw.document, logged in raw.fetch
#   navigation    a page fetched only to find other URLs (mod news listings): raw.fetch only
#   not_modified  HTTP 304 to a conditional GET: raw.fetch only, no body
#   error         HTTP error after retries, timeout, oversize, DNS/connection failure, unusable page
KINDS = ("document", "navigation", "not_modified", "error")

# Response headers kept with a document.
KEPT_HEADERS = ("ETag", "Last-Modified", "Date", "Content-Type")


@dataclass
class Fetched:
    source: str
    kind: str
    url: str  # the URL the spider asked for (the key of conditional GETs)
    final_url: str | None = None  # after redirects (raw.document.url)
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    document_id: int | None = None  # not_modified: the archived document the validators belong to
    fetched_at: datetime | None = None
    discovered_by: str | None = None  # how the URL was found (raw.fetch.discovered_by), e.g. search_api, sitemap

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")

    def __repr__(self) -> str:  # Scrapy logs items at DEBUG: never the body
        extra = f" {len(self.body)} bytes" if self.body is not None else ""
        extra += f" error={self.error!r}" if self.error else ""
        return f"<Fetched {self.source} {self.kind} {self.status} {self.url}{extra}>"
