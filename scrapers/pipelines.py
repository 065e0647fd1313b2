"""The raw-archive pipeline: lands every fetch attempt in the warehouse, byte-exact, as it arrives.

For each :class:`scrapers.items.Fetched` item:

* ``document`` (HTTP 200, data-bearing): sha256 of the exact body bytes;
  ``INSERT INTO raw.document ... ON CONFLICT (sha256) DO NOTHING``; a raw.fetch row with outcome
  ``new`` or ``duplicate`` pointing at the document;
* ``navigation`` (a news listing, a page fetched only to find URLs): a raw.fetch row with outcome
  ``navigation`` and no document;
* ``not_modified`` (HTTP 304): a raw.fetch row ``not_modified`` pointing at the archived document
  whose validators were sent;
* ``error``: a raw.fetch row ``error`` with the HTTP status when known and the error text.

Each row is committed at once.  The warehouse is ``ATTRITION_WAREHOUSE_DSN`` or whatever
:func:`etl.config.warehouse_dsn` finds; ``ATTRITION_RUN_ID`` (the Scrapy setting, which
scrapers/settings.py reads from the environment; or the spider argument ``run_id``) goes to raw.fetch.run_id.

With ``ATTRITION_MANIFEST=/path.json`` (likewise) the run writes, when the spider closes::

    {"spider": ..., "run_id": ..., "finish_reason": ..., "documents": [raw.document ids fetched
     in this run, new or duplicate], "not_modified": [urls], "errors": [{"url", "status", "error"}],
     "skipped": [urls not requested because their host was unreachable], "counts": {...}}
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals

from scrapers.archive import Archive
from scrapers.items import Fetched
from scrapers.middlewares import SKIPPED_PREFIX

logger = logging.getLogger(__name__)


class RawArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.archive: Archive | None = None
        self.documents: list[int] = []
        self._doc_seen: set[int] = set()
        self.not_modified: list[str] = []
        self.errors: list[dict] = []
        self.skipped: list[str] = []
        self.counts = {"new": 0, "duplicate": 0, "not_modified": 0, "navigation": 0, "error": 0}
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipe.spider_error, signal=signals.spider_error)
        return pipe

    # -- settings -------------------------------------------------------------------------------

    @property
    def spider(self):
        return self.crawler.spider

    def run_id(self) -> str:
        return getattr(self.spider, "run_id", None) or self.crawler.settings.get("ATTRITION_RUN_ID") or ""

    def manifest_path(self) -> str:
        return getattr(self.spider, "manifest", None) or self.crawler.settings.get("ATTRITION_MANIFEST") or ""

    # -- Scrapy hooks ---------------------------------------------------------------------------

    def open_spider(self):
        self.archive = Archive(
            self.crawler.settings.get("ATTRITION_WAREHOUSE_DSN") or None, self.spider.name, self.run_id()
        )
        try:
            self.archive.open()
        except Exception as exc:  # no warehouse, no crawl: say so in the manifest too
            self.errors.append({"url": None, "status": None, "error": f"raw archive unavailable: {exc}"})
            self.archive = None
            raise
        self.archive.attach(self.crawler)

    def process_item(self, item):
        if not isinstance(item, Fetched) or self.archive is None:
            return item
        try:
            self._store(item)
        except Exception as exc:  # the warehouse failed: the crawl must not look successful
            logger.exception("could not archive %s", item.url)
            self.errors.append(
                {
                    "url": item.url,
                    "status": item.status,
                    "error": f"warehouse write failed: {type(exc).__name__}: {exc}".strip(),
                }
            )
        return item

    def _store(self, item: Fetched) -> None:
        a = self.archive
        how = {"discovered_by": item.discovered_by} if item.discovered_by else {}
        if item.kind == "document":
            doc_id, outcome = a.store_document(
                url=item.final_url or item.url,
                status=item.status or 200,
                content_type=item.content_type,
                headers=item.headers,
                body=item.body or b"",
                fetched_at=item.fetched_at,
            )
            a.log_fetch(
                url=item.url,
                outcome=outcome,
                http_status=item.status,
                document_id=doc_id,
                etag=item.etag,
                last_modified=item.last_modified,
                **how,
            )
            self.counts[outcome] += 1
            if doc_id not in self._doc_seen:
                self._doc_seen.add(doc_id)
                self.documents.append(doc_id)
        elif item.kind == "navigation":
            a.log_fetch(
                url=item.url,
                outcome="navigation",
                http_status=item.status,
                etag=item.etag,
                last_modified=item.last_modified,
                **how,
            )
            self.counts["navigation"] += 1
        elif item.kind == "not_modified":
            a.log_fetch(
                url=item.url,
                outcome="not_modified",
                http_status=item.status or 304,
                document_id=item.document_id,
                etag=item.etag,
                last_modified=item.last_modified,
                **how,
            )
            self.counts["not_modified"] += 1
            self.not_modified.append(item.url)
        elif item.error and item.error.startswith(SKIPPED_PREFIX):
            self.skipped.append(item.url)  # never requested: no raw.fetch row
        else:
            a.log_fetch(url=item.url, outcome="error", http_status=item.status, error=item.error, **how)
            self.counts["error"] += 1
            self.errors.append({"url": item.url, "status": item.status, "error": item.error})

    def spider_error(self, failure, response, spider):
        self.errors.append(
            {"url": response.url, "status": response.status, "error": f"spider error: {failure.getErrorMessage()}"}
        )

    def close_spider(self):
        pass  # the manifest needs the finish reason: written in spider_closed

    def spider_closed(self, spider, reason):
        if self._closed:
            return
        self._closed = True
        path = self.manifest_path()
        if path:
            manifest = {
                "spider": spider.name,
                "run_id": self.run_id(),
                "finish_reason": reason,
                "documents": self.documents,
                "not_modified": self.not_modified,
                "errors": self.errors,
                "skipped": self.skipped,
                "counts": self.counts,
            }
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        logger.info("raw archive: %s", ", ".join(f"{k} {v}" for k, v in self.counts.items()))
        if self.archive is not None:
            self.archive.close()
