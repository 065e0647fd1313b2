"""News articles from given URLs or RSS/Atom feeds (Newsweek, Ukrinform, AP and others).

    scrapy crawl news_article -a feeds=https://www.newsweek.com/rss -a urls=https://apnews.com/article/...

Arguments (all optional; without ``urls`` and ``feeds`` the ``ATTRITION_NEWS_URLS`` /
``ATTRITION_NEWS_FEEDS`` settings or environment variables are used, else etl.news.sources.DEFAULT_FEEDS):

* ``urls``: article URLs (comma- or space-separated), fetched as they are;
* ``feeds``: RSS 2.0 or Atom feeds; every item whose title, summary or URL matches ``match`` is fetched;
* ``match``: a regular expression (default: words of loss reports in English, Ukrainian, Italian);
  ``match=`` (empty) follows every item;
* ``max_items``: at most this many items per feed (default 50);
* ``date_from`` / ``date_to``: only feed items published in that range (items without a date are kept).

Feeds are navigation (raw.fetch only); articles are documents (raw.document, byte-exact).  Reading the
article (metadata, text, claims) is etl.news, after the crawl.
"""

from __future__ import annotations

from scrapers.items import Fetched
from scrapers.spiders.base import ArchiveSpider


class NewsArticleSpider(ArchiveSpider):
    name = "news_article"
    base_url_settings = ()  # any host: a dead one only fails its own requests
    languages = ("en", "uk", "it")

    def __init__(self, *args, urls=None, feeds=None, match=None, max_items=50, **kwargs):
        from etl.news.sources import split_list

        super().__init__(*args, **kwargs)
        self.urls = split_list(urls)
        self.feeds = split_list(feeds)
        self.match = match
        self.max_items = int(max_items)
        if self.max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items!r}")

    def _setting_list(self, name: str) -> list[str] | None:
        from etl.config import setting
        from etl.news.sources import split_list

        value = self.settings.get(name)
        if value is None:
            value = setting(name)
        return None if value is None else split_list(value)

    async def start(self):
        from etl.news.feeds import DEFAULT_MATCH
        from etl.news.sources import DEFAULT_FEEDS

        if self.match is None:
            self.match = DEFAULT_MATCH
        urls = self.urls or self._setting_list("ATTRITION_NEWS_URLS") or []
        feeds = self.feeds or self._setting_list("ATTRITION_NEWS_FEEDS")
        if feeds is None:
            feeds = [] if urls else list(DEFAULT_FEEDS)
        if not urls and not feeds:
            self.logger.error("no article URLs and no feeds given")
            yield Fetched(
                self.name,
                "error",
                "(no URL)",
                error="no article URLs and no feeds given (urls=, feeds=, ATTRITION_NEWS_URLS, ATTRITION_NEWS_FEEDS)",
            )
            return
        for feed in feeds:
            yield self.archive_request(feed, self.parse_feed, kind="navigation", conditional=False)
        for url in urls:
            yield self.archive_request(url)

    def parse_feed(self, response):
        from etl.news.feeds import FeedError, matches, parse_feed

        try:
            items = parse_feed(response.body)
        except FeedError as exc:
            yield self.discovery_error(response, f"feed unusable: {exc}")
            return
        yield self.fetched(response, "navigation")
        chosen = [it for it in items if matches(it, self.match) and (it.day is None or self.in_range(it.day))]
        self.logger.info("%s: %d item(s), %d to fetch", response.url, len(items), min(len(chosen), self.max_items))
        for item in chosen[: self.max_items]:
            yield self.archive_request(response.urljoin(item.url), meta={"news_feed": response.url})
