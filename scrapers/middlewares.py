"""Downloader middlewares of the raw archive.

* :class:`BackoffRetryMiddleware` - Scrapy's retries, with exponential backoff before retrying a
  5xx/429/408 or a timeout (connection refused and DNS failures are retried at once: a dead source
  should fail promptly, not after minutes).
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
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               IgnoreRequest)
from scrapy.http import Headers, Response
from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError, NoRouteError
from twisted.internet.error import TimeoutError as TxTimeoutError

from scrapers.archive import Archive

logger = logging.getLogger(__name__)

# Failures that mean "nobody is there" rather than "the server is struggling".
UNREACHABLE = (DownloadConnectionRefusedError, CannotResolveHostError, ConnectionRefusedError, DNSLookupError,
               NoRouteError)
SKIPPED_PREFIX = "skipped: host unreachable"


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def is_robots(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("ATTRITION_RETRY_BACKOFF", 2.0)
        self.backoff_max = settings.getfloat("ATTRITION_RETRY_BACKOFF_MAX", 30.0)

    async def _pause(self, retry: Request) -> None:
        if self.backoff <= 0:
            return
        n = max(1, int(retry.meta.get("retry_times", 1)))
        delay = min(self.backoff * 2 ** (n - 1), self.backoff_max)
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        logger.info("retry %d of %s in %.1fs", n, retry.url, delay)
        await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(self, request, response):  # noqa: D401 - Scrapy hook
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result)
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
        return cls(url=response.url, status=304, headers=headers, body=body, request=request,
                   flags=[*response.flags, "archived-body"])


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
