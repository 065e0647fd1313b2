"""The Ministry of Defence's official bulletins: www.mil.gov.ua until 2024-10-06, mod.gov.ua after.

**mod.gov.ua** (from 2024-10-07) is discovered through the site's own mechanisms, in this order, each
recorded in ``raw.fetch.discovered_by`` (../shared/reference/live-sources.md says what is known):

a. ``search_api``: ``POST /lookup/search?search_type=dfs_query_then_fetch``, the Elasticsearch query the
   site's news list sends (sort publishedAt desc, id desc; locale, type news, tag "Відсіч агресору"),
   :data:`SEARCH_PAGE_SIZE` hits a page, paged with ``from``/``size`` until a hit older than
   ``date_from`` (or the last hit).  Each reply carries every article's HTML in ``content``: the reply
   is archived as the document and etl.losses.parsers.mod reads the bulletins from it, so the whole
   mod.gov.ua era costs a few dozen requests.  raw.fetch.url is the endpoint with a fragment naming
   the page (``#locale=uk&from=0&size=50``; a fragment is never sent).
b. ``sitemap``: when the search endpoint fails (an error after retries, or a reply that is not a
   search reply), ``/sitemap.xml`` (a ``urlset`` or a ``sitemapindex``); bulletin URLs by slug, the
   day from ``<lastmod>`` or the slug; each bulletin page is fetched.  A day in range that no bulletin
   slug covers (a few real slugs say nothing: ``post-30``) has its other pages fetched, each kept as a
   document only when its title names a bulletin (navigation otherwise).
c. ``tag_page``: when the sitemap fails too, ``/news/tag-vidsich-agresoru`` (Ukrainian), paged by
   ``a[rel=next]``.
d. ``url_pattern``: the last resort, only for the slug families of 2026 that carry the date and no
   figures: English ``/en/news/total-russian-combat-losses-in-ukraine-as-of-{month}-{day}-{year}``
   (from 2026-01-01; no zero padding) and Ukrainian ``/news/bojovi-vtrati-voroga-na-{D}-{month}-{YYYY}-roku``
   (from 2026-01-20; on a 404 the second 2026 family ``/news/boiovi-vtraty-voroha-na-…-roku``).  Days
   before cannot be guessed (their slugs embed the day's figures): the log says which.

Every fall-back is logged as a WARNING naming the mechanism that failed and the one used instead, and
the failed mechanism leaves an ``error`` row in raw.fetch.

**mil.gov.ua** (until 2024-10-06): URL discovery reads the news listings (``/en/news/`` and ``/news/``,
newest first, paged with ``?page=N`` / ``a[rel=next]``).  A listing item is a
loss bulletin when its link text or slug says so ("combat losses", "бойові втрати", "втрати
ворога/противника", ``bojovi-vtrati`` ...); its day comes from the item's date, else from the URL
(``/YYYY/MM/DD/``) or the title.  The listing pages are navigation (raw.fetch only); the bulletins
are documents.

* Backfill (``date_from``/``date_to``): mil.gov.ua's listings are paged until an item older than
  ``date_from`` and the bulletins dated within the range are fetched; mod.gov.ua's search API is
  paged as above (the replies are the documents).
* Daily run: one search request per language (``max(10, 2 * ATTRITION_MOD_DAILY_DAYS)`` hits, the
  newest first; the reply is archived, its bulletins are the newest days); mil.gov.ua's listing if the
  reply holds no bulletin at all; the sitemap etc. if the search fails.
* A mil.gov.ua listing that cannot be fetched (after retries) or holds no news items at all is an
  error; the spider then falls back to the known URL patterns of the days it could not list (logged
  as such).

``lang``: ``en``, ``uk`` or ``both`` (default).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import unquote, urlsplit

import scrapy

from etl.domain.calendar import WAR_START, kyiv_today
from scrapers.spiders.base import ArchiveSpider, describe_failure
from scrapers.spiders.mod_urls import (  # noqa: F401 (some re-exported: tests import them from here)
    LISTING_PATH,
    SEARCH_PAGE_SIZE,
    SEARCH_PATH,
    SITE_SETTING,
    SITE_SWITCH,
    SITES,
    SLUG_RE,
    TAG_PATH,
    is_bulletin,
    item_day,
    lang_of_path,
    pattern_from,
    pattern_path,
    pattern_path_alt,
    search_query,
    site_of,
    slug_day,
)


def describe(failure) -> str:
    return describe_failure(failure)[1]


class ModSpider(ArchiveSpider):
    name = "mod"
    base_url_settings = ("ATTRITION_MOD_MIL_BASE_URL", "ATTRITION_MOD_BASE_URL")
    languages = ("en", "uk")

    def site_base(self, site: str) -> str:
        return self.base_url(SITE_SETTING[site])

    def listing_url(self, site: str, lang: str) -> str:
        return self.site_base(site) + LISTING_PATH[(site, lang)]

    def listing_request(self, site: str, lang: str, url: str, page: int, **extra):
        return self.archive_request(
            url,
            self.parse_listing,
            kind="navigation",
            conditional=False,
            meta={"mod_listing": (site, lang), "mod_page": page, **extra},
        )

    async def start(self):
        if not self.backfill:
            for lang in self.langs:
                yield self.search_request(lang, 0, max(10, 2 * self.daily_days()), daily=True)
            return
        first = self.date_from or WAR_START
        for site in SITES:
            site_first = WAR_START if site == "mil" else SITE_SWITCH
            site_last = SITE_SWITCH - timedelta(days=1) if site == "mil" else None
            if (self.date_to is not None and self.date_to < site_first) or (site_last and first > site_last):
                continue
            for lang in self.langs:
                if site == "mod":
                    yield self.search_request(lang, 0, SEARCH_PAGE_SIZE)
                else:
                    yield self.listing_request(site, lang, self.listing_url(site, lang), 1)

    # -- mod.gov.ua (a): the search API ----------------------------------------------------------

    def search_request(self, lang: str, frm: int, size: int, daily: bool = False) -> scrapy.Request:
        url = self.site_base("mod") + SEARCH_PATH
        key = f"{url}#locale={lang}&from={frm}&size={size}"
        req = self.archive_request(
            key,
            self.parse_search,
            kind="auto",
            conditional=False,
            meta={"mod_search": (lang, frm, size), "mod_daily": daily, "attrition_discovered_by": "search_api"},
            method="POST",
            body=json.dumps(search_query("uk" if lang == "uk" else "en", frm, size), ensure_ascii=False),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        return req.replace(url=url)

    def parse_search(self, response):
        from etl.losses.parsers.mod import is_bulletin_article, published_day

        lang, frm, size = response.meta["mod_search"]
        daily = response.meta.get("mod_daily", False)
        try:
            doc = json.loads(response.text)
            hits = doc["hits"]["hits"]
            total = doc["hits"].get("total")
            total = total.get("value") if isinstance(total, dict) else total
            sources = [h["_source"] for h in hits]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            yield self.discovery_error(response, f"not a search reply ({type(exc).__name__}: {exc}; API changed?)")
            if frm == 0:
                yield from self.search_failed(lang, "the search reply is unusable")
            return
        bulletins = [
            (published_day(s.get("publishedAt")), s)
            for s in sources
            if is_bulletin_article(str(s.get("title") or ""), str(s.get("slug") or ""))
        ]
        if frm == 0 and not bulletins:
            if daily:  # no bulletin on mod.gov.ua at all: they may still be on the older site
                yield self.fetched(response, "navigation")
                yield self.listing_request("mil", lang, self.listing_url("mil", lang), 1, mod_daily=True)
                return
            yield self.discovery_error(response, "the search reply holds no loss bulletin (query or API changed?)")
            yield from self.search_failed(lang, "the search reply holds no loss bulletin")
            return
        item = self.fetched(response, "document")
        item.final_url = response.meta["attrition_url"]  # the page of the reply, not only the endpoint
        yield item
        days = [d for d, _ in bulletins if d is not None]
        self.logger.info(
            "search API (%s, from %d): %d hits, %d bulletins %s..%s",
            lang,
            frm,
            len(sources),
            len(bulletins),
            min(days) if days else "-",
            max(days) if days else "-",
        )
        if daily:
            return
        oldest = min((published_day(s.get("publishedAt")) for s in sources if s.get("publishedAt")), default=None)
        more = len(sources) == size and (total is None or frm + size < total)
        if more and (oldest is None or self.date_from is None or oldest >= self.date_from):
            yield self.search_request(lang, frm + size, size)

    def search_failed(self, lang: str, why: str):
        self.logger.warning("mod.gov.ua search API failed for %s (%s): falling back to the sitemap", lang, why)
        yield self.archive_request(
            self.site_base("mod") + "/sitemap.xml",
            self.parse_sitemap,
            kind="navigation",
            conditional=False,
            dont_filter=True,
            meta={"mod_sitemap": lang, "attrition_discovered_by": "sitemap"},
        )

    # -- mod.gov.ua (b): the sitemap ---------------------------------------------------------------

    def mod_range(self) -> tuple[date, date]:
        today = kyiv_today()
        if self.backfill:
            return max(self.date_from or SITE_SWITCH, SITE_SWITCH), min(self.date_to or today, today)
        return today - timedelta(days=self.daily_days() - 1), today

    def parse_sitemap(self, response):
        from etl.losses.parsers.mod import published_day

        lang = response.meta["mod_sitemap"]
        sel = scrapy.Selector(text=response.text, type="xml")
        sel.remove_namespaces()
        children = sel.xpath("//sitemapindex/sitemap/loc/text()").getall()
        if children:
            yield self.fetched(response, "navigation")
            for loc in children:
                yield self.archive_request(
                    response.urljoin(loc.strip()),
                    self.parse_sitemap,
                    kind="navigation",
                    conditional=False,
                    meta={"mod_sitemap": lang, "attrition_discovered_by": "sitemap"},
                )
            return
        lo, hi = self.mod_range()
        found = 0
        wanted: list[tuple[date, str]] = []
        others: list[tuple[date, str]] = []  # news of the language whose slug does not say "losses"
        for url_el in sel.xpath("//urlset/url"):
            loc = (url_el.xpath("loc/text()").get() or "").strip()
            if not loc:
                continue
            path = unquote(urlsplit(response.urljoin(loc)).path)
            if lang_of_path(path) != lang or "/news/" not in path:
                continue
            # the publication day (lastmod) first: slugs carry typos (one says 2020 for 2026)
            day = published_day(url_el.xpath("lastmod/text()").get()) or slug_day(path)
            if not SLUG_RE.search(path):
                if day is not None and lo <= day <= hi:
                    others.append((day, response.urljoin(loc)))
                continue
            found += 1
            if day is not None and lo <= day <= hi:
                wanted.append((day, response.urljoin(loc)))
        if not found:
            yield self.discovery_error(response, f"the sitemap lists no {lang} loss bulletin (layout changed?)")
            yield from self.sitemap_failed(lang, "the sitemap lists no bulletin")
            return
        yield self.fetched(response, "navigation")
        self.logger.info("sitemap: %d %s bulletin URLs, %d in %s..%s", found, lang, len(wanted), lo, hi)
        for day, url in wanted:
            yield self.archive_request(url, meta={"mod_day": day.isoformat(), "attrition_discovered_by": "sitemap"})
        # days no bulletin slug covers: a few bulletins have slugs that say nothing ("post-30"); the other
        # news of those days is read, and kept as a document only when its title says it is a bulletin
        covered = {d for d, _ in wanted}
        candidates = [(d, u) for d, u in others if d not in covered]
        if candidates:
            self.logger.info(
                "sitemap: no %s bulletin slug for %d day(s) in range; checking the titles of %d other "
                "page(s) of those days",
                lang,
                len({d for d, _ in candidates}),
                len(candidates),
            )
        for day, url in candidates:
            yield self.archive_request(
                url,
                self.parse_candidate,
                kind="auto",
                conditional=False,
                meta={"mod_day": day.isoformat(), "attrition_discovered_by": "sitemap"},
            )

    def parse_candidate(self, response):
        """A page of a day the sitemap's slugs did not cover: a document if its title says it is a bulletin."""
        title = " ".join(response.css("h1 ::text, title::text").getall())
        yield self.fetched(response, "document" if is_bulletin("", title) else "navigation")

    def sitemap_failed(self, lang: str, why: str):
        if lang != "uk":
            self.logger.warning("mod.gov.ua sitemap failed for %s (%s): falling back to the URL patterns", lang, why)
            yield from self.mod_patterns(lang)
            return
        self.logger.warning("mod.gov.ua sitemap failed for %s (%s): falling back to the tag page", lang, why)
        yield self.archive_request(
            self.site_base("mod") + TAG_PATH,
            self.parse_tag_page,
            kind="navigation",
            conditional=False,
            dont_filter=True,
            meta={"mod_tag": lang, "mod_page": 1, "attrition_discovered_by": "tag_page"},
        )

    # -- mod.gov.ua (c): the tag page --------------------------------------------------------------

    def parse_tag_page(self, response):
        from etl.losses.parsers.mod import published_day

        lang, page = response.meta["mod_tag"], response.meta["mod_page"]
        lo, hi = self.mod_range()
        items = []
        for a in response.css("a[href]"):
            href = a.attrib.get("href", "")
            title = " ".join(a.css("::text").getall()).strip()
            if not is_bulletin(href, title):
                continue
            stamp = a.css("time::attr(datetime)").get() or ""
            day = published_day(stamp) or slug_day(href) or item_day("", href, title)
            items.append((day, response.urljoin(href)))
        if not items:
            yield self.discovery_error(response, f"tag page {page} holds no loss bulletin links (layout changed?)")
            if page == 1:
                self.logger.warning("mod.gov.ua tag page failed for %s: falling back to the URL patterns", lang)
                yield from self.mod_patterns(lang)
            return
        yield self.fetched(response, "navigation")
        for day, url in items:
            if day is not None and lo <= day <= hi:
                yield self.archive_request(
                    url, meta={"mod_day": day.isoformat(), "attrition_discovered_by": "tag_page"}
                )
        dated = [d for d, _ in items if d is not None]
        if dated and min(dated) < lo:
            return
        nxt = response.css("a[rel=next]::attr(href)").get()
        if nxt:
            yield self.archive_request(
                response.urljoin(nxt),
                self.parse_tag_page,
                kind="navigation",
                conditional=False,
                meta={"mod_tag": lang, "mod_page": page + 1, "attrition_discovered_by": "tag_page"},
            )

    # -- mod.gov.ua (d): the URL patterns of 2026 --------------------------------------------------

    def mod_patterns(self, lang: str, last: date | None = None):
        lo, hi = self.mod_range()
        if last is not None:
            hi = min(hi, last)
        first = max(lo, pattern_from(lang))
        if lo < first:
            self.logger.warning(
                "mod.gov.ua %s bulletins of %s..%s cannot be guessed (their slugs embed the day's "
                "figures): not fetched",
                lang,
                lo,
                min(hi, first - timedelta(days=1)),
            )
        if first > hi:
            return
        self.logger.warning("mod.gov.ua %s: guessing the URLs of %s..%s from the 2026 slug pattern", lang, first, hi)
        day = first
        while day <= hi:
            meta = {
                "mod_day": day.isoformat(),
                "attrition_discovered_by": "url_pattern",
                "attrition_note": "URL guessed from the known pattern",
            }
            if lang == "uk":
                meta["mod_alt"] = self.site_base("mod") + pattern_path_alt(day)
            yield self.archive_request(self.site_base("mod") + pattern_path("mod", lang, day), meta=meta)
            day += timedelta(days=1)

    # -- listings -------------------------------------------------------------------------------

    def listing_items(self, response) -> tuple[int, list[tuple[date | None, str, str]]]:
        """(number of news links on the page, [(day, absolute url, title)] of the loss bulletins)."""
        rows = response.css("#news-list .news-item")
        entries = []
        if rows:
            for row in rows:
                a = row.css("a.news-title") or row.css("a[href]")
                href = a.attrib.get("href", "") if a else ""
                title = " ".join(a.css("::text").getall()).strip() if a else ""
                entries.append((" ".join(row.css(".news-date ::text").getall()), href, title))
        else:  # another layout: every link of the page
            for a in response.css("a[href]"):
                entries.append(("", a.attrib.get("href", ""), " ".join(a.css("::text").getall()).strip()))
        found = []
        for date_text, href, title in entries:
            if not href or not is_bulletin(href, title):
                continue
            found.append((item_day(date_text, href, title), response.urljoin(href), title))
        return len(rows), found

    def parse_listing(self, response):
        site, lang = response.meta["mod_listing"]
        page = response.meta["mod_page"]
        daily = response.meta.get("mod_daily", False)
        n_rows, items = self.listing_items(response)
        if not items:
            if daily and site == "mod":
                # nothing on the current site's listing: the bulletins may still be on the older site
                yield self.fetched(response, "navigation")
                yield self.listing_request("mil", lang, self.listing_url("mil", lang), 1, mod_daily=True)
                return
            if page == 1 or not n_rows:
                yield self.discovery_error(
                    response, f"listing page {page} holds no loss bulletin links (layout changed?)"
                )
                yield from self.fallback(site, lang, response.meta.get("mod_oldest"))
                return
        yield self.fetched(response, "navigation")
        dated = [d for d, _, _ in items if d is not None]
        lo, hi = self.date_from, self.date_to
        if daily:
            if not dated:
                yield self.discovery_error(response, "listing shows no dates of bulletins")
                return
            hi = max(dated)
            lo = hi - timedelta(days=self.daily_days() - 1)
            self.logger.info(
                "daily run: the newest %s bulletin on %s is of %s; fetching %s..%s", lang, site, hi, lo, hi
            )
        for day, url, _title in items:
            if day is None:
                self.logger.warning("%s: no date for %s; skipped", response.url, url)
                continue
            if (lo is None or day >= lo) and (hi is None or day <= hi):
                yield self.archive_request(url, meta={"mod_day": day.isoformat(), "attrition_discovered_by": "listing"})
        oldest = min(dated) if dated else None
        if daily or (oldest is not None and lo is not None and oldest < lo):
            return
        nxt = (
            response.css("ul.pagination a[rel=next]::attr(href)").get() or response.css("a[rel=next]::attr(href)").get()
        )
        if nxt:
            if oldest is None and response.meta.get("mod_oldest"):
                oldest = date.fromisoformat(response.meta["mod_oldest"])
            yield self.listing_request(
                site, lang, response.urljoin(nxt), page + 1, mod_oldest=oldest.isoformat() if oldest else None
            )

    def daily_days(self) -> int:
        return max(1, self.settings.getint("ATTRITION_MOD_DAILY_DAYS", 3))

    # -- fallback -------------------------------------------------------------------------------

    def after_failure(self, request, failure):
        if request.meta.get("mod_alt") and describe_failure(failure)[0] == 404:
            self.logger.info("%s: 404; trying the other 2026 slug family", request.url)
            yield self.archive_request(
                request.meta["mod_alt"],
                meta={
                    "mod_day": request.meta["mod_day"],
                    "attrition_discovered_by": "url_pattern",
                    "attrition_note": "URL guessed from the second 2026 pattern",
                },
            )
            return
        if "mod_search" in request.meta:
            lang, frm, _size = request.meta["mod_search"]
            yield from self.search_failed(lang, describe(failure))
            return
        if "mod_sitemap" in request.meta:
            yield from self.sitemap_failed(request.meta["mod_sitemap"], describe(failure))
            return
        if "mod_tag" in request.meta:
            lang = request.meta["mod_tag"]
            self.logger.warning(
                "mod.gov.ua tag page failed for %s (%s): falling back to the URL patterns", lang, describe(failure)
            )
            yield from self.mod_patterns(lang)
            return
        if "mod_listing" in request.meta:
            site, lang = request.meta["mod_listing"]
            yield from self.fallback(site, lang, request.meta.get("mod_oldest"))

    def fallback(self, site: str, lang: str, oldest_listed: str | None):
        """Request the bulletins the failed listing would have shown, by the known URL patterns."""
        today = kyiv_today()
        if self.backfill:
            first = max(self.date_from or WAR_START, WAR_START if site == "mil" else SITE_SWITCH)
            last = min(self.date_to or today, today)
        else:
            first, last = today - timedelta(days=self.daily_days() - 1), today
        if site == "mil":
            last = min(last, SITE_SWITCH - timedelta(days=1))
        if oldest_listed:
            last = min(last, date.fromisoformat(oldest_listed) - timedelta(days=1))
        if first > last:
            return
        if site == "mod":  # a daily run's fallback to the older site's listing: mod.gov.ua by its 2026 patterns
            yield from self.mod_patterns(lang, last)
            return
        self.logger.warning(
            "%s %s listing unreachable or unusable: falling back to the known URL patterns for %s..%s",
            site,
            lang,
            first,
            last,
        )
        day = first
        while day <= last:
            yield self.archive_request(
                self.site_base(site_of(day)) + pattern_path(site_of(day), lang, day),
                meta={"mod_day": day.isoformat(), "attrition_note": "URL guessed from the known pattern"},
            )
            day += timedelta(days=1)
