"""Scrapy settings for attrition's spiders: polite by default, overridable from the environment.

Every ``ATTRITION_*`` value here is read through :func:`etl.config.setting` (declared, typed and
validated once in :data:`etl.config.SETTINGS`; README's settings table lists them):

* ``ATTRITION_MINFIN_BASE_URL``, ``ATTRITION_MOD_MIL_BASE_URL``, ``ATTRITION_MOD_BASE_URL``,
  ``ATTRITION_RUSSIANWARSHIP_BASE_URL``: where each source lives; tests and the offline mode point them
  at the replay server (``http://127.0.0.1:PORT/index.minfin.com.ua`` ...).
* ``ATTRITION_FAST=1``: no politeness delays and no retry backoff (tests over loopback only).
* ``ATTRITION_RUN_ID``, ``ATTRITION_MANIFEST``: see :mod:`scrapers.pipelines`; ``etl.losses.crawl``
  sets them in each spider's environment (the one way they travel).

Every setting can also be given with ``scrapy crawl ... -s NAME=VALUE`` (``etl.losses.crawl`` does so
for the base URLs a caller passes and for the fast-mode delays).
"""

from __future__ import annotations

from etl.config import setting

BOT_NAME = "attrition"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# The ATTRITION_* settings the spiders, middlewares and pipelines read, each a module attribute of the
# same name holding setting(name).
_attrition_settings = (  # lower case: not a Scrapy setting itself
    # where the sources live
    "ATTRITION_MINFIN_BASE_URL",
    "ATTRITION_MOD_MIL_BASE_URL",
    "ATTRITION_MOD_BASE_URL",
    "ATTRITION_RUSSIANWARSHIP_BASE_URL",
    # the mod spider's daily run: the newest listed day and the days before it, this many in all
    "ATTRITION_MOD_DAILY_DAYS",
    "ATTRITION_FAST",
    # Exponential backoff before a retry of a 5xx/429/408 or a timeout: base * 2**(n-1) seconds,
    # capped; connection refused / DNS failures are retried at once (a dead source fails promptly).
    "ATTRITION_RETRY_BACKOFF",
    "ATTRITION_RETRY_BACKOFF_MAX",
    # A 429/503 with Retry-After waits at least that long (also when backoff is off), at most this long;
    # the host's download slot is slowed down to it too.
    "ATTRITION_RETRY_AFTER_MAX",
    # A backfill run again under the same run id skips what that run already archived (resume).
    "ATTRITION_SKIP_ARCHIVED",
    # A host that timed out (after the retries) on this many requests in a row counts as down: its other
    # requests are skipped.  Connection refused / DNS failure count at once.
    "ATTRITION_MAX_HOST_TIMEOUTS",
)
globals().update({name: setting(name) for name in _attrition_settings})
# the run (named here: tests/test_compose.py reads these two names off the code)
ATTRITION_RUN_ID = setting("ATTRITION_RUN_ID")
ATTRITION_MANIFEST = setting("ATTRITION_MANIFEST")

# --- politeness -------------------------------------------------------------------------------
USER_AGENT = setting("ATTRITION_USER_AGENT")
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# One request in the downloader at a time: the sources are one or two hosts anyway, and a request
# passes the downloader middlewares when it enters the downloader, so with more in flight those
# queued behind a dead host's request would already be past UnreachableHostMiddleware.
CONCURRENT_REQUESTS = 1
DOWNLOAD_DELAY = 1.0  # also AutoThrottle's minimum delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False

# --- failures ---------------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3  # 1 request + 3 retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = setting("ATTRITION_DOWNLOAD_TIMEOUT")  # the retry and host-down ones: _attrition_settings
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024  # a bulletin is ~20 KB, a minfin month page ~200 KB
DOWNLOAD_WARNSIZE = 1024 * 1024

if setting("ATTRITION_FAST"):  # loopback tests: no delays, no backoff
    DOWNLOAD_DELAY = 0
    AUTOTHROTTLE_START_DELAY = 0
    ATTRITION_RETRY_BACKOFF = 0
    # A new connection per request: on a kept-alive connection Python's http.server (the replay
    # server) writes headers and body separately, and Nagle + delayed ACK add ~40 ms per request.
    DEFAULT_REQUEST_HEADERS = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en",
        "Connection": "close",
    }

# --- the raw archive --------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    "scrapers.middlewares.ConditionalGetMiddleware": 560,
    "scrapers.middlewares.ArchivedSkipMiddleware": 570,
    "scrapers.middlewares.UnreachableHostMiddleware": 60,
}
ITEM_PIPELINES = {
    "scrapers.pipelines.RawArchivePipeline": 300,
}

TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 opens a code-executing HTTP control port by default
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = setting("ATTRITION_SCRAPY_LOG_LEVEL")
