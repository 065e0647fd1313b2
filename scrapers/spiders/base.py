"""What the three spiders share: arguments, requests that land in the raw archive, error items.

Spider arguments (``scrapy crawl NAME -a date_from=2024-05-01 -a date_to=2024-05-31``):

* ``date_from``, ``date_to`` (ISO dates, inclusive): a backfill of that range; without either,
  the daily run (the latest bulletins).
* ``lang``: which language versions to fetch where a source has several (``en``, ``uk``, ``both``).
* ``run_id``: stored in raw.fetch.run_id (else the ``ATTRITION_RUN_ID`` setting).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest

from etl.domain.calendar import kyiv_today  # noqa: F401 - the spiders' today (ATTRITION_TODAY honoured)
from scrapers.items import KEPT_HEADERS, Fetched
from scrapers.middlewares import SKIPPED_PREFIX, UNREACHABLE


def parse_day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def _header(response, name: str) -> str | None:
    raw = response.headers.get(name)
    if raw is None:
        return None
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)


class ArchiveSpider(scrapy.Spider):
    """Base of the loss-source spiders: builds archive requests and turns every outcome into an item."""

    #: setting names of the base URLs this spider uses
    base_url_settings: tuple[str, ...] = ()
    #: language codes the source offers; the first is the default for discovery
    languages: tuple[str, ...] = ("en",)

    def __init__(self, *args, date_from=None, date_to=None, lang=None, run_id=None, manifest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_from = parse_day(date_from, "date_from")
        self.date_to = parse_day(date_to, "date_to")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")
        self.backfill = bool(self.date_from or self.date_to)
        self.langs = self._langs(lang)
        self.run_id = run_id or None
        self.manifest = manifest or None
        self.unreachable_hosts: set[str] = set()

    def _langs(self, lang) -> tuple[str, ...]:
        if lang in (None, "", "both", "all"):
            return self.languages
        wanted = [x.strip().lower() for x in str(lang).split(",") if x.strip()]
        aliases = {"ua": "uk", "uk": "uk"} if "uk" in self.languages else {"uk": "ua", "ua": "ua"}
        out = []
        for x in wanted:
            x = aliases.get(x, x)
            if x not in self.languages:
                raise ValueError(f"{self.name}: lang must be one of {', '.join(self.languages)} or both, got {lang!r}")
            out.append(x)
        return tuple(out)

    # -- settings -------------------------------------------------------------------------------

    def base_url(self, setting: str) -> str:
        return self.settings.get(setting).rstrip("/")

    def hosts(self) -> set[str]:
        return {urlsplit(self.base_url(s)).netloc.lower() for s in self.base_url_settings}

    def in_range(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)

    # -- requests -------------------------------------------------------------------------------

    def archive_request(
        self,
        url: str,
        callback=None,
        *,
        kind: str = "document",
        conditional: bool | None = None,
        need_body: bool = False,
        meta: dict | None = None,
        **kwargs,
    ) -> scrapy.Request:
        """A request whose outcome lands in the archive.

        ``kind``: ``document`` (archived), ``navigation`` (raw.fetch only) or ``auto`` (the callback
        decides).  Conditional GETs are sent for documents unless ``conditional=False``; a spider
        that must read the page even when it is unchanged sets ``need_body``.
        """
        if conditional is None:
            conditional = kind != "navigation"
        m = {
            "attrition_url": url,
            "attrition_kind": kind,
            "attrition_conditional": conditional,
            "attrition_need_body": need_body,
            "handle_httpstatus_list": [304],
        }
        m.update(meta or {})
        return scrapy.Request(url, callback=callback or self.parse_document, errback=self.on_error, meta=m, **kwargs)

    def parse_document(self, response):
        yield self.fetched(response)

    def fetched(self, response, kind: str | None = None) -> Fetched:
        """The archive item for a response (200 document / navigation, or 304)."""
        meta = response.meta
        url = meta.get("attrition_url", response.url)
        kind = kind or meta.get("attrition_kind", "document")
        if kind == "auto":
            kind = "document"
        etag, lm = _header(response, "ETag"), _header(response, "Last-Modified")
        how = meta.get("attrition_discovered_by")
        if response.status == 304:
            v = meta.get("attrition_validators")
            return Fetched(
                self.name,
                "not_modified",
                url,
                final_url=response.url,
                status=304,
                etag=etag or (v.etag if v else None),
                last_modified=lm or (v.last_modified if v else None),
                document_id=v.document_id if v else None,
                discovered_by=how,
            )
        # an empty 200 body is archived like any other: it is evidence, and the parser rejects it by name
        headers = {name: v for name in KEPT_HEADERS if (v := _header(response, name)) is not None}
        return Fetched(
            self.name,
            kind,
            url,
            final_url=response.url,
            status=response.status,
            body=response.body if kind == "document" else None,
            content_type=_header(response, "Content-Type"),
            headers=headers,
            etag=etag,
            last_modified=lm,
            fetched_at=datetime.now(UTC),
            discovered_by=how,
        )

    def discovery_error(self, response, problem: str) -> Fetched:
        """A page fetched fine but unusable for finding URLs (layout changed?): an error row."""
        self.logger.error("%s: %s", response.url, problem)
        return Fetched(
            self.name,
            "error",
            response.meta.get("attrition_url", response.url),
            final_url=response.url,
            status=response.status,
            error=problem,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            discovered_by=response.meta.get("attrition_discovered_by"),
        )

    # -- failures -------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        url = request.meta.get("attrition_url", request.url)
        status, problem = describe_failure(failure)
        if request.meta.get("attrition_note"):
            problem += f" ({request.meta['attrition_note']})"
        item = Fetched(
            self.name,
            "error",
            url,
            status=status,
            error=problem,
            discovered_by=request.meta.get("attrition_discovered_by"),
        )
        if not problem.startswith(SKIPPED_PREFIX):  # skipped requests were never sent: no log line each
            self.logger.error("%s: %s", url, problem)
        yield item
        yield from self.after_failure(request, failure)
        hosts = self.hosts()
        if hosts and hosts <= self.unreachable_hosts:
            raise CloseSpider("source_unreachable")

    def after_failure(self, request, failure):
        """Hook: requests to make instead of a failed one (fallbacks for discovery pages)."""
        return ()


def describe_failure(failure) -> tuple[int | None, str]:
    """(HTTP status or None, what happened) for an errback failure, retries included."""
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import TimeoutError as TxTimeoutError

    exc = failure.value
    request = failure.request
    retries = request.meta.get("retry_times", 0)
    after = f" after {retries} retries" if retries else ""
    if isinstance(exc, HttpError):
        status = exc.response.status
        return status, f"HTTP {status}{after}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "robots.txt" in text.lower() or "Forbidden by robots" in text:
            return None, "forbidden by robots.txt"
        return None, text
    if isinstance(exc, (DownloadTimeoutError, TxTimeoutError)):
        timeout = request.meta.get("download_timeout")
        return None, f"timeout{f' after {timeout:g}s' if timeout else ''}{after}"
    if isinstance(exc, DownloadCancelledError):
        return None, f"oversized response, download cancelled: {exc}"
    if isinstance(exc, UNREACHABLE):
        kind = (
            "DNS lookup failed"
            if "DNS" in type(exc).__name__ or "Resolve" in type(exc).__name__
            else "connection refused"
            if "Refused" in type(exc).__name__
            else "host unreachable"
        )
        return None, f"{kind}{after}: {exc}".rstrip(": ")
    return None, f"{type(exc).__name__}: {exc}{after}".strip()
