"""The Kyiv Independent's daily "General Staff: Russia has lost ... troops" articles.

* Daily run: the site's RSS feed (``/rss/``); its items whose title (or URL slug) is the daily
  General Staff article are fetched.
* Backfill (``date_from`` / ``date_to``): the site's post sitemap (``/sitemap-posts.xml``); the daily
  articles whose ``lastmod`` day falls in the range (or up to two days after it: a late edit) are fetched.

The site is ``ATTRITION_KYIV_INDEPENDENT_BASE_URL`` (setting or environment; default
``https://kyivindependent.com``).  The feed and the sitemap are navigation (raw.fetch only); the articles
are documents.  A feed or sitemap that lists nothing at all is an error (layout changed?); one that lists
no daily article is not (it is not out yet).
"""

from __future__ import annotations

import re
from datetime import timedelta

from scrapers.spiders.base import ArchiveSpider


class KyivIndependentSpider(ArchiveSpider):
    name = "news_kyiv_independent"
    base_url_settings = ("ATTRITION_KYIV_INDEPENDENT_BASE_URL",)
    languages = ("en",)

    def base_url(self, setting: str) -> str:
        from etl.news.sources import kyiv_independent_base  # the environment, else the default

        return (self.settings.get(setting) or kyiv_independent_base()).rstrip("/")

    async def start(self):
        from etl.news.sources import KYIV_INDEPENDENT_FEED, KYIV_INDEPENDENT_SITEMAP

        base = self.base_url("ATTRITION_KYIV_INDEPENDENT_BASE_URL")
        path = KYIV_INDEPENDENT_SITEMAP if self.backfill else KYIV_INDEPENDENT_FEED
        yield self.archive_request(base + path, self.parse_listing, kind="navigation", conditional=False)

    def parse_listing(self, response):
        from etl.news.feeds import FeedError, parse_feed
        from etl.news.sources import KYIV_INDEPENDENT_TITLE

        try:
            items = parse_feed(response.body)
        except FeedError as exc:
            yield self.discovery_error(response, f"listing unusable: {exc}")
            return
        if not items:
            yield self.discovery_error(response, "listing holds no posts at all (layout changed?)")
            return
        yield self.fetched(response, "navigation")
        wanted = re.compile(KYIV_INDEPENDENT_TITLE, re.I)
        found = 0
        for item in items:
            if not wanted.search(item.title) and not wanted.search(item.url):
                continue
            if self.backfill and item.day is not None:
                late = (self.date_to + timedelta(days=2)) if self.date_to else None
                if (self.date_from and item.day < self.date_from) or (late and item.day > late):
                    continue
            found += 1
            yield self.archive_request(response.urljoin(item.url))
        self.logger.info("%s: %d post(s), %d daily General Staff article(s) to fetch", response.url, len(items), found)
