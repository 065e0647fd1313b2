"""Scrapy settings for attrition's spiders: polite by default, overridable from the environment."""
from __future__ import annotations

BOT_NAME = "attrition"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

USER_AGENT = "attrition/0.1 (+https://github.com/attrition-project/attrition; loss-bulletin archiver)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
