"""The Ministry of Defence's official bulletins: www.mil.gov.ua until 2024-10-06, mod.gov.ua after.

URL discovery reads the news listings (``/en/news/`` and ``/news/`` on mil.gov.ua, ``/en/news`` and
``/news`` on mod.gov.ua, newest first, paged with ``?page=N`` / ``a[rel=next]``).  A listing item is a
loss bulletin when its link text or slug says so ("combat losses", "бойові втрати", "втрати
ворога/противника", ``bojovi-vtrati`` ...); its day comes from the item's date, else from the URL
(``/YYYY/MM/DD/``) or the title.  The listing pages are navigation (raw.fetch only); the bulletins
are documents.

* Backfill (``date_from``/``date_to``): the listings of the site(s) the range falls on are paged until
  an item older than ``date_from``; bulletins dated within the range are fetched.
* Daily run: page 1 of the current site's listings; the bulletins of the newest listed day and the
  ``ATTRITION_MOD_DAILY_DAYS - 1`` days before it (default 3 days in all); the older site's listing if
  the current one lists no bulletin.
* A listing that cannot be fetched (after retries) or holds no news items at all is an error; the
  spider then falls back to the known URL patterns of the days it could not list (logged as such).

``lang``: ``en``, ``uk`` or ``both`` (default).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import unquote

from etl.categories import WAR_START
from scrapers.spiders.base import ArchiveSpider, kyiv_today

SITE_SWITCH = date(2024, 10, 7)  # the bulletins moved from mil.gov.ua to mod.gov.ua
SITES = ("mil", "mod")
SITE_SETTING = {"mil": "ATTRITION_MOD_MIL_BASE_URL", "mod": "ATTRITION_MOD_BASE_URL"}
LISTING_PATH = {("mil", "en"): "/en/news/", ("mil", "uk"): "/news/", ("mod", "en"): "/en/news",
                ("mod", "uk"): "/news"}

TEXT_RE = re.compile(r"combat losses|бойові втрати|втрати (?:ворога|противника|рф|окупантів)", re.I)
SLUG_RE = re.compile(r"combat-losses|bojovi-vtrati|vtrati-(?:voroga|protivnika)", re.I)
ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
PATH_DAY_RE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")
MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december")
MONTHS_UK_GEN = ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
                 "жовтня", "листопада", "грудня")
MONTHS_UK_LATIN = ("sichnya", "lyutogo", "bereznya", "kvitnya", "travnya", "chervnya", "lipnya", "serpnya",
                   "veresnya", "zhovtnya", "listopada", "grudnya")
TITLE_EN_RE = re.compile(r"\bas of (\d{1,2}) (" + "|".join(MONTHS_EN) + r") (\d{4})", re.I)
TITLE_UK_RE = re.compile(r"\bна (\d{1,2}) (" + "|".join(MONTHS_UK_GEN) + r") (\d{4})", re.I)
TITLE_DOTTED_RE = re.compile(r"\bto (\d{2})\.(\d{2})\.(\d{4}|\d{2})\b|\bпо (\d{2})\.(\d{2})\.(\d{4}|\d{2})\b")


def site_of(day: date) -> str:
    return "mil" if day < SITE_SWITCH else "mod"


def item_day(date_text: str, href: str, title: str) -> date | None:
    """The bulletin's day from the listing: the item's date, the URL's /YYYY/MM/DD/, or the title."""
    for rx, text in ((ISO_RE, date_text), (PATH_DAY_RE, href)):
        m = rx.search(text or "")
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
    m = TITLE_EN_RE.search(title) or TITLE_UK_RE.search(title)
    if m:
        months = MONTHS_EN if m.re is TITLE_EN_RE else MONTHS_UK_GEN
        return date(int(m.group(3)), months.index(m.group(2).lower()) + 1, int(m.group(1)))
    m = TITLE_DOTTED_RE.search(title)
    if m:
        d, mo, y = [g for g in m.groups() if g is not None]
        return date(int(y) + (2000 if len(y) == 2 else 0), int(mo), int(d))
    return None


def is_bulletin(href: str, title: str) -> bool:
    return bool(TEXT_RE.search(title or "") or SLUG_RE.search(unquote(href or "")))


def pattern_path(site: str, lang: str, day: date) -> str:
    """The bulletin's path by the sites' known URL patterns (the fallback when a listing fails)."""
    if site == "mil" and lang == "en":
        if day < date(2023, 1, 1):
            tail = f"from-24-02-to-{day:%d-%m}"
        elif day < date(2023, 3, 3):
            tail = f"from-24-02-22-to-{day:%d-%m-%y}"
        else:
            tail = f"from-24-02-2022-to-{day:%d-%m-%Y}"
        return f"/en/news/{day:%Y/%m/%d}/the-total-combat-losses-of-the-enemy-{tail}/"
    if site == "mil":
        return f"/news/{day:%Y/%m/%d}/zagalni-bojovi-vtrati-protivnika-z-24-02-2022-po-{day:%d-%m-%Y}/"
    if lang == "en":
        return (f"/en/news/the-total-combat-losses-of-the-enemy-as-of-{day.day}-"
                f"{MONTHS_EN[day.month - 1]}-{day.year}")
    return f"/news/bojovi-vtrati-voroga-na-{day.day}-{MONTHS_UK_LATIN[day.month - 1]}-{day.year}-roku"


class ModSpider(ArchiveSpider):
    name = "mod"
    base_url_settings = ("ATTRITION_MOD_MIL_BASE_URL", "ATTRITION_MOD_BASE_URL")
    languages = ("en", "uk")

    def site_base(self, site: str) -> str:
        return self.base_url(SITE_SETTING[site])

    def listing_url(self, site: str, lang: str) -> str:
        return self.site_base(site) + LISTING_PATH[(site, lang)]

    def listing_request(self, site: str, lang: str, url: str, page: int, **extra):
        return self.archive_request(url, self.parse_listing, kind="navigation", conditional=False,
                                    meta={"mod_listing": (site, lang), "mod_page": page, **extra})

    async def start(self):
        if not self.backfill:
            for lang in self.langs:
                yield self.listing_request("mod", lang, self.listing_url("mod", lang), 1, mod_daily=True)
            return
        first = self.date_from or WAR_START
        for site in SITES:
            site_first = WAR_START if site == "mil" else SITE_SWITCH
            site_last = SITE_SWITCH - timedelta(days=1) if site == "mil" else None
            if (self.date_to is not None and self.date_to < site_first) or (site_last and first > site_last):
                continue
            for lang in self.langs:
                yield self.listing_request(site, lang, self.listing_url(site, lang), 1)

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
                yield self.discovery_error(response, f"listing page {page} holds no loss bulletin links "
                                                     f"(layout changed?)")
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
            self.logger.info("daily run: the newest %s bulletin on %s is of %s; fetching %s..%s", lang, site, hi,
                             lo, hi)
        for day, url, _title in items:
            if day is None:
                self.logger.warning("%s: no date for %s; skipped", response.url, url)
                continue
            if (lo is None or day >= lo) and (hi is None or day <= hi):
                yield self.archive_request(url, meta={"mod_day": day.isoformat()})
        oldest = min(dated) if dated else None
        if daily or (oldest is not None and lo is not None and oldest < lo):
            return
        nxt = response.css("ul.pagination a[rel=next]::attr(href)").get() or response.css(
            "a[rel=next]::attr(href)").get()
        if nxt:
            if oldest is None and response.meta.get("mod_oldest"):
                oldest = date.fromisoformat(response.meta["mod_oldest"])
            yield self.listing_request(site, lang, response.urljoin(nxt), page + 1,
                                       mod_oldest=oldest.isoformat() if oldest else None)

    def daily_days(self) -> int:
        return max(1, self.settings.getint("ATTRITION_MOD_DAILY_DAYS", 3))

    # -- fallback -------------------------------------------------------------------------------

    def after_failure(self, request, failure):
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
        self.logger.warning("%s %s listing unreachable or unusable: falling back to the known URL patterns "
                            "for %s..%s", site, lang, first, last)
        day = first
        while day <= last:
            yield self.archive_request(self.site_base(site_of(day)) + pattern_path(site_of(day), lang, day),
                                       meta={"mod_day": day.isoformat(),
                                             "attrition_note": "URL guessed from the known pattern"})
            day += timedelta(days=1)
