"""Downloader middlewares of the raw archive.

* :class:`BackoffRetryMiddleware` - Scrapy's retries, with exponential backoff before retrying a
  5xx/429/408 or a timeout (connection refused and DNS failures are retried at once: a dead source
  should fail promptly, not after minutes).  A 429 or 503 with ``Retry-After`` (seconds or an HTTP
  date) waits at least that long (capped by ``ATTRITION_RETRY_AFTER_MAX``, default 300 s), also when
  backoff is off, and slows the whole host down: its download slot's delay is raised to it (AutoThrottle
  lowers it again as answers come back).
* :class:`ArchivedSkipMiddleware` - a backfill run again under the same run id (a cleared Airflow
  task, ``attrition backfill --run-id``) skips every document URL this run already archived: the
  request is not sent, the archived document stands for it (a ``not_modified`` raw.fetch row pointing
  at it, its body when the spider needs it).  Only backfills, only ``document`` GET requests, and a request
  can opt out with ``meta['attrition_skip_archived'] = False`` (or in with True); ``ATTRITION_SKIP_ARCHIVED
  = False`` turns it off.
* :class:`ConditionalGetMiddleware` - If-None-Match / If-Modified-Since from the latest raw.fetch
  row of the URL (validators loaded once, when the archive opens); a 304 reaches the spider with
  status 304 and, when the spider needs the page to find more URLs (``meta['attrition_need_body']``),
  with the archived body of the document those validators belong to.
* :class:`UnreachableHostMiddleware` - once a host refused connections (or did not resolve) after
  the retries, or timed out after the retries on ``ATTRITION_MAX_HOST_TIMEOUTS`` requests in a row
  (default 2), later requests to it are skipped instead of each retrying against a dead host.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Headers, Response
from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError, NoRouteError
from twisted.internet.error import TimeoutError as TxTimeoutError

from scrapers.archive import Archive, Validators

logger = logging.getLogger(__name__)

# Failures that mean "nobody is there" rather than "the server is struggling".
UNREACHABLE = (
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
)
SKIPPED_PREFIX = "skipped: host unreachable"


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def is_robots(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


def retry_after_seconds(value, now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None if unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings, crawler=None):
        super().__init__(settings)
        self.crawler = crawler
        self.backoff = settings.getfloat("ATTRITION_RETRY_BACKOFF", 2.0)
        self.backoff_max = settings.getfloat("ATTRITION_RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("ATTRITION_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings, crawler)
        mw.crawler = crawler
        return mw

    async def _pause(self, retry: Request, at_least: float = 0.0) -> None:
        n = max(1, int(retry.meta.get("retry_times", 1)))
        delay = min(self.backoff * 2 ** (n - 1), self.backoff_max) if self.backoff > 0 else 0.0
        delay = max(delay, at_least)
        if delay <= 0:
            return
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        logger.info("retry %d of %s in %.1fs%s", n, retry.url, delay, " (Retry-After)" if at_least else "")
        await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    def _retry_after(self, request, response) -> float:
        """Seconds a 429/503 asks to wait (0 when it asks nothing); the host's slot is slowed to it."""
        if response.status not in (429, 503):
            return 0.0
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return 0.0
        wait = min(wait, self.retry_after_max)
        if self.crawler is not None:
            self.crawler.stats.inc_value("attrition/retry_after")
            try:
                downloader = self.crawler.engine.downloader
                slot = downloader.slots.get(downloader.get_slot_key(request))
                if slot is not None and slot.delay < wait:
                    slot.delay = wait
            except AttributeError:  # no engine (unit use): the pause below still honours it
                pass
        logger.warning(
            "%s answered %d with Retry-After %s: waiting %.1fs",
            request.url,
            response.status,
            (response.headers.get("Retry-After") or b"").decode("latin-1"),
            wait,
        )
        return wait

    async def process_response(self, request, response):  # noqa: D401 - Scrapy hook
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result, self._retry_after(request, response))
        return result

    async def process_exception(self, request, exception):
        if isinstance(exception, UNREACHABLE) and is_robots(request):
            return None  # the request waiting for robots.txt will find out (and retry) itself
        result = super().process_exception(request, exception)
        if isinstance(result, Request) and not isinstance(exception, UNREACHABLE):
            await self._pause(result)
        return result


class ConditionalGetMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request):
        archive = Archive.of(self.crawler)
        if archive is None or not request.meta.get("attrition_conditional", False) or is_robots(request):
            return None
        v = archive.validators.get(request.meta.get("attrition_url", request.url))
        if v is None:
            return None
        if v.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = v.etag
        if v.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = v.last_modified
        request.meta["attrition_validators"] = v
        return None

    def process_response(self, request: Request, response: Response):
        v = request.meta.get("attrition_validators")
        if response.status != 304 or v is None:
            return response
        self.crawler.stats.inc_value("attrition/not_modified")
        if not request.meta.get("attrition_need_body"):
            return response
        archive = Archive.of(self.crawler)
        stored = archive.archived_body(v.document_id) if archive is not None else None
        if stored is None:
            return response
        body, content_type = stored
        from scrapy.responsetypes import responsetypes

        headers = Headers(response.headers)
        if content_type:
            headers[b"Content-Type"] = content_type
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return cls(
            url=response.url,
            status=304,
            headers=headers,
            body=body,
            request=request,
            flags=[*response.flags, "archived-body"],
        )


class UnreachableHostMiddleware:
    """Skips requests to hosts the crawl already found dead; records them on ``spider.unreachable_hosts``."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_timeouts = max(1, crawler.settings.getint("ATTRITION_MAX_HOST_TIMEOUTS", 2))
        self.timeouts: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _dead(self) -> set:
        spider = self.crawler.spider
        if not hasattr(spider, "unreachable_hosts"):
            spider.unreachable_hosts = set()
        return spider.unreachable_hosts

    def process_request(self, request: Request):
        host = host_of(request.url)
        if host in self._dead() and not is_robots(request):
            self.crawler.stats.inc_value("attrition/skipped_unreachable")
            raise IgnoreRequest(f"{SKIPPED_PREFIX} ({host})")
        return None

    def process_response(self, request: Request, response: Response):
        self.timeouts.pop(host_of(request.url), None)
        return response

    def process_exception(self, request: Request, exception: Exception):
        # Reached after the retries gave up (RetryMiddleware sits closer to the downloader).
        if is_robots(request):
            return None
        host = host_of(request.url)
        if isinstance(exception, (DownloadTimeoutError, TxTimeoutError)):
            self.timeouts[host] = self.timeouts.get(host, 0) + 1
            if self.timeouts[host] < self.max_timeouts:
                return None
        elif not isinstance(exception, (*UNREACHABLE, ConnectError)):
            return None
        if host not in self._dead():
            logger.error("%s is unreachable (%s): skipping its other requests", host, exception)
        self._dead().add(host)
        return None


class ArchivedSkipMiddleware:
    """In a backfill, a document URL this run already archived is not requested again (see the module doc)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("ATTRITION_SKIP_ARCHIVED", True)
        self.archived: dict[str, Validators] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _load(self, archive: Archive) -> dict[str, Validators]:
        """URL -> the document this run archived for it (its latest fetch in this run)."""
        if not archive.run_id:
            return {}
        with archive.conn.cursor() as cur:
            cur.execute(
                """
                SELECT DISTINCT ON (url) url, etag, last_modified, document_id
                FROM raw.fetch
                WHERE source = %s AND run_id = %s AND document_id IS NOT NULL
                  AND outcome IN ('new', 'duplicate', 'not_modified')
                ORDER BY url, requested_at DESC, id DESC
                """,
                (archive.source, archive.run_id),
            )
            rows = cur.fetchall()
        archive.conn.commit()
        if rows:
            logger.info(
                "this run (%s) already archived %d document URL(s) of %s: they are not requested again",
                archive.run_id,
                len(rows),
                archive.source,
            )
        return {url: Validators(etag, lm, doc) for url, etag, lm, doc in rows}

    def process_request(self, request: Request):
        spider = self.crawler.spider
        if not self.enabled or not getattr(spider, "backfill", False) or is_robots(request):
            return None
        if request.method != "GET":  # a POST's URL does not name its answer (a search API's pages share one)
            return None
        opt = request.meta.get("attrition_skip_archived")
        if opt is False or (opt is None and request.meta.get("attrition_kind") != "document"):
            return None
        archive = Archive.of(self.crawler)
        if archive is None or archive.conn is None:
            return None
        if self.archived is None:
            self.archived = self._load(archive)
        url = request.meta.get("attrition_url", request.url)
        v = self.archived.get(url)
        if v is None:
            return None
        self.crawler.stats.inc_value("attrition/skipped_archived")
        request.meta["attrition_validators"] = v  # ConditionalGetMiddleware supplies the body if needed
        return Response(url=request.url, status=304, request=request, flags=["archived"])
