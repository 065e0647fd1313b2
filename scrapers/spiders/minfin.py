"""index.minfin.com.ua: the Ministry of Finance's "Russian losses" pages (Ukrainian and English).

* Daily run: the main pages ``/ua/russian-invading/casualties/`` and ``/en/...`` (the ~45 latest days).
* Backfill (``date_from``/``date_to``): the main page of the first language is read for discovery:
  the days it shows and its links to the monthly archive pages (``casualties/YYYY-MM/``, one for
  every month not wholly shown).  The month pages intersecting the range are fetched in every
  language; the main pages are archived too when the range reaches the days they show (otherwise the
  main page is logged as navigation only).  If the main page cannot be read, the months of the range
  are enumerated instead (logged).
"""

from __future__ import annotations

import re
from datetime import date

from etl.domain.calendar import WAR_START, kyiv_today
from scrapers.spiders.base import ArchiveSpider

DAY_RE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
MONTH_RE = re.compile(r"casualties/(\d{4})-(\d{2})/?$")
FIRST_MONTH = (WAR_START.year, WAR_START.month)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


class MinfinSpider(ArchiveSpider):
    name = "minfin"
    base_url_settings = ("ATTRITION_MINFIN_BASE_URL",)
    languages = ("ua", "en")

    def main_url(self, lang: str) -> str:
        return f"{self.base_url('ATTRITION_MINFIN_BASE_URL')}/{lang}/russian-invading/casualties/"

    def month_url(self, lang: str, year: int, month: int) -> str:
        return (
            f"{self.base_url('ATTRITION_MINFIN_BASE_URL')}/{lang}/russian-invading/casualties/{year:04d}-{month:02d}/"
        )

    def month_in_range(self, year: int, month: int) -> bool:
        first, last = month_bounds(year, month)
        return (self.date_to is None or first <= self.date_to) and (self.date_from is None or last >= self.date_from)

    async def start(self):
        if not self.backfill:
            for lang in self.langs:
                yield self.archive_request(self.main_url(lang))
            return
        yield self.archive_request(
            self.main_url(self.langs[0]), self.parse_main, kind="auto", need_body=True, meta={"minfin_discovery": True}
        )

    def parse_main(self, response):
        days = sorted(
            {
                date(int(y), int(m), int(d))
                for d, m, y in DAY_RE.findall(" ".join(response.css("li.gold > span.black::text").getall()))
            }
        )
        months = set()
        for href in response.css("div.ajaxmonth a::attr(href)").getall():
            m = MONTH_RE.search(href.strip())
            if m:
                months.add((int(m.group(1)), int(m.group(2))))
        if not days and not months:
            yield self.discovery_error(response, "main page shows neither days nor month links (layout changed?)")
            yield from self.fallback_months()
            return
        reaches = (
            bool(days)
            and (self.date_to is None or self.date_to >= days[0])
            and (self.date_from is None or self.date_from <= days[-1])
        )
        yield self.fetched(response, "document" if reaches else "navigation")
        if reaches:
            for lang in self.langs[1:]:
                yield self.archive_request(self.main_url(lang))
        wanted = sorted(ym for ym in months if self.month_in_range(*ym))
        self.logger.info(
            "main page shows %s..%s and links %d month(s); %d intersect the range%s",
            days[0] if days else "-",
            days[-1] if days else "-",
            len(months),
            len(wanted),
            " (main pages archived)" if reaches else "",
        )
        for year, month in wanted:
            for lang in self.langs:
                yield self.archive_request(self.month_url(lang, year, month))

    def after_failure(self, request, failure):
        if request.meta.get("minfin_discovery"):
            yield from self.fallback_months()

    def fallback_months(self):
        last = min(self.date_to or kyiv_today(), kyiv_today())
        first = max(self.date_from or WAR_START, WAR_START)
        self.logger.warning("main page unusable: falling back to the month pages of %s..%s by URL pattern", first, last)
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            for lang in self.langs:
                yield self.archive_request(self.month_url(lang, y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if (last - kyiv_today()).days > -45:
            for lang in self.langs:
                yield self.archive_request(self.main_url(lang))
