"""russianwarship.rip API v2: the General Staff figures as JSON.

* Daily run: ``/api/v2/statistics/latest``.
* Backfill: ``/api/v2/statistics?offset=0&limit=50&date_from=...&date_to=...`` (either bound may be
  absent), then ``data.paging.next_url`` page after page until it is null.  Every page is a document.
  The next page is requested on the configured base URL (its path and query taken from next_url), so
  the crawl never wanders off the configured host.  A 304 page is read from its archived body.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from scrapers.spiders.base import ArchiveSpider

API = "/api/v2/statistics"


class RussianwarshipSpider(ArchiveSpider):
    name = "russianwarship"
    base_url_settings = ("ATTRITION_RUSSIANWARSHIP_BASE_URL",)
    languages = ("en",)

    def __init__(self, *args, limit=50, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = int(limit)
        if not 1 <= self.limit <= 100:
            raise ValueError(f"limit must be within 1..100, got {limit!r}")

    @property
    def api(self) -> str:
        return self.base_url("ATTRITION_RUSSIANWARSHIP_BASE_URL") + API

    async def start(self):
        if not self.backfill:
            yield self.archive_request(self.api + "/latest")
            return
        params = {"offset": 0, "limit": self.limit}
        if self.date_from:
            params["date_from"] = self.date_from.isoformat()
        if self.date_to:
            params["date_to"] = self.date_to.isoformat()
        yield self.archive_request(f"{self.api}?{urlencode(params)}", self.parse_page, need_body=True)

    def parse_page(self, response):
        yield self.fetched(response)
        try:
            data = json.loads(response.body)["data"]
            next_url = data["paging"]["next_url"]
        except (ValueError, KeyError, TypeError) as exc:
            # The page is archived as it is (the parser will say what is wrong with it); we just
            # cannot find the next page.
            yield self.discovery_error(
                response, f"no data.paging.next_url in the API response ({type(exc).__name__}: {exc}); paging stopped"
            )
            return
        if next_url:
            parts = urlsplit(next_url)
            if not parts.path.endswith(API):
                yield self.discovery_error(response, f"unexpected next_url {next_url!r}; paging stopped")
                return
            yield self.archive_request(f"{self.api}?{parts.query}", self.parse_page, need_body=True)
