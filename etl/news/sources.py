"""Where the news spiders look by default; every value can be overridden (environment, spider argument,
DAG form).

* ``ATTRITION_KYIV_INDEPENDENT_BASE_URL`` (default ``https://kyivindependent.com``): the Kyiv
  Independent; its daily "General Staff: Russia has lost ... troops" articles are found in ``/rss/``
  (daily run) and ``/sitemap-posts.xml`` (backfill), the feed and sitemap paths of its publishing
  platform (Ghost).
* ``ATTRITION_NEWS_FEEDS``: RSS/Atom feeds the generic article spider reads (comma- or
  space-separated); default :data:`DEFAULT_FEEDS`.
* ``ATTRITION_NEWS_URLS``: article URLs the generic spider fetches as they are (default none).
"""

from __future__ import annotations

import re

from etl.config import SETTINGS, setting

KYIV_INDEPENDENT_SETTING = "ATTRITION_KYIV_INDEPENDENT_BASE_URL"
KYIV_INDEPENDENT_DEFAULT = SETTINGS[KYIV_INDEPENDENT_SETTING].default
KYIV_INDEPENDENT_FEED = "/rss/"
KYIV_INDEPENDENT_SITEMAP = "/sitemap-posts.xml"
# "General Staff: Russia has lost 574,690 troops in Ukraine since Feb. 24, 2022"
KYIV_INDEPENDENT_TITLE = r"General Staff: Russia has lost|general-staff-russia-has-lost"

# English-language feeds of outlets that report the figures daily.  AP publishes no public feed:
# give its article URLs (ATTRITION_NEWS_URLS, the DAG's urls) instead.
DEFAULT_FEEDS = (
    "https://www.ukrinform.net/rss/block-lastnews",
    "https://www.newsweek.com/rss",
)
SPIDERS = ("news_kyiv_independent", "news_article")


def split_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v for v in re.split(r"[\s,]+", str(value)) if v]


def kyiv_independent_base() -> str:
    return setting("ATTRITION_KYIV_INDEPENDENT_BASE_URL").rstrip("/")


def configured_feeds() -> list[str]:
    feeds = setting("ATTRITION_NEWS_FEEDS")
    return feeds if feeds is not None else list(DEFAULT_FEEDS)


def configured_urls() -> list[str]:
    return setting("ATTRITION_NEWS_URLS")
