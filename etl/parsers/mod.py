"""The official bulletins of the Ministry of Defence: mil.gov.ua (2022..2024-09) and mod.gov.ua (2024-10..).

One article per day.  Its body lists one loss line per category, in English
(``tanks ‒ 1170 (+25),``, ``personnel ‒ about 19600 осіб,``) or Ukrainian (``танків ‒ 1637 (+35) од``,
``особового складу - близько 36900 (+250) осіб ліквідовано``); a bilingual label
(``особового складу / personnel``) resolves when both halves agree.

Where the body is: ``#aticle-content`` (mil.gov.ua, the site's own spelling), else the first of a list
of generic article containers that holds loss lines (``article``, ``.article-content``, ``.news-content``,
``.post-content``, ``.entry-content``, ``main``, ``[itemprop=articleBody]``...), else ``body``.  mod.gov.ua
has no saved page in the reference set, so that fallback is written for any dated article whose body
lists ``label – N (+d)`` lines, in paragraphs, list items or ``<br>``-separated text.

The as_of day (the bulletin published on day D reports losses as of D - the hand-kept dataset keys
the "from 24.02 to 12.04" bulletin of 2022-04-12 06:00 as 2022-04-12):

1. the period the bulletin states, "from 24.02 to DD.MM[.YY]" / "з 24.02 по DD.MM[.YY]", in the h1,
   the <title> or the body - it is the figures' own claim about what they cover, so it wins;
2. the publication date: ``span.aticle-date`` ("2022-04-12 06:00:00", "08 липня 2022, 09:25"),
   ``time[datetime]``, ``meta[property=article:published_time]``, then the URL's ``/YYYY/MM/DD/``;
3. the URL slug "...-to-DD-MM" (day and month only).

The year of a "DD.MM" comes from the publication date (the latest such day not after publication + 1).
When a stated period and a publication date are more than 3 days apart the page is contradictory and
raises ParseError (field ``as_of``); within that window the stated period wins.  Real case: the saved
Ukrainian page "combat-losses-to-07.08" says "з 24.02 по 08.07" and was published "08 липня 2022" -
it is the 2022-07-08 bulletin (the dataset agrees: tanks 1637 on 2022-07-08), the file name is wrong.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from etl.model import Observation, ParseError
from etl.parsers import common

SOURCE = "mod"
MAX_DATE_DISAGREEMENT = timedelta(days=3)

_BODY_SELECTORS = (
    "#aticle-content", "#article-content", "[itemprop=articleBody]", ".article-content", ".article__content",
    ".article-body", ".news-content", ".news__content", ".news-text", ".post-content", ".entry-content",
    ".content-text", ".text", "article", "main", "#content", ".content",
)
_PERIOD_RE = re.compile(
    r"(?:from|з|із|с)\s+24\.02(?:\.\d{2,4})?\s*(?:to|по|до|[‒–—-])\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?",
    re.IGNORECASE,
)
_SLUG_RE = re.compile(r"-to-(\d{1,2})-(\d{1,2})(?:-(\d{2,4}))?(?=[/-]|$)")
_URL_DATE_RE = re.compile(r"/(20\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)")
_MONTHS = {
    # Ukrainian genitive / nominative, English; the site prints "08 липня 2022" and "05 june 2022"
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7,
    "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
    "січень": 1, "лютий": 2, "березень": 3, "квітень": 4, "травень": 5, "червень": 6, "липень": 7,
    "серпень": 8, "вересень": 9, "жовтень": 10, "листопад": 11, "грудень": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}


def parse(body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    text = common.decode(body, content_type, SOURCE, url)
    sel = common.html_selector(text)
    items, lines, css = _loss_items(sel, url)
    if not items:
        raise ParseError(SOURCE, url, "page", "no loss lines in the article (empty or redesigned page)")
    # read from the whole <body> (no article container found), the lines include sidebars, whose
    # links name other days' periods: there the first period stated wins, as before
    day = bulletin_day(sel, url, lines, every_period=css != "body")
    return common.items_to_observations(items, day, SOURCE, url)


def _loss_items(sel, url: str) -> tuple[list[common.LossItem], list[str], str | None]:
    """Loss items and lines of every container of the first selector that finds any.

    Every container of that selector counts, not only the first: two article bodies in one page
    (two bulletins glued together) must both be seen, so that different figures for one category
    are refused (etl.parsers.validate.one_bulletin_per_day) and two stated periods are too.
    """
    for css in _BODY_SELECTORS + ("body",):
        found: list[common.LossItem] = []
        found_lines: list[str] = []
        for container in sel.css(css):
            lines = common.html_to_lines(container.get())
            items: list[common.LossItem] = []
            for line in lines:
                parsed = common.parse_loss_line(line, SOURCE, url)
                if parsed:
                    items.extend(parsed)
            if items:
                found.extend(items)
                found_lines.extend(lines)
        if found:
            return found, found_lines, css
    return [], [], None


# --------------------------------------------------------------------------- the day

def bulletin_day(sel, url: str, body_lines: list[str], every_period: bool = True) -> date:
    """The as_of day of a bulletin page (see the module docstring for the precedence).

    With ``every_period`` (the lines are the article's), every period the headings and the article
    state must name the same day: two days are two bulletins glued into one document.  Without it,
    the first period stated (headings first) is taken.
    """
    published = _published(sel, url)
    headings = [common.clean_text(" ".join(h.css("::text").getall())) for h in sel.css("h1, title")]
    periods = [m for text in headings + body_lines for m in _PERIOD_RE.finditer(text)]
    if periods and not every_period:
        periods = periods[:1]
    stated: date | None = None
    if periods:
        days = sorted({_day_month(m, published, url, "the stated period") for m in periods})
        if len(days) > 1:
            raise ParseError(SOURCE, url, "as_of",
                             "two different bulletins in one document: periods ending "
                             + " and ".join(d.isoformat() for d in days))
        stated = days[0]
    elif (slug := _SLUG_RE.search(url)) is not None:
        stated = _day_month(slug, published, url, "the URL slug")
    if stated is None:
        if published is None:
            raise ParseError(SOURCE, url, "as_of", "no date: no 'to DD.MM' period, no publication date, no dated URL")
        return published
    if published is not None and abs(stated - published) > MAX_DATE_DISAGREEMENT:
        raise ParseError(SOURCE, url, "as_of",
                         f"stated period ends {stated.isoformat()} but published {published.isoformat()}")
    return stated


def _day_month(m: re.Match, published: date | None, url: str, what: str) -> date:
    dd, mm, yy = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        if yy:
            year = int(yy) + (2000 if len(yy) == 2 else 0)
            return date(year, mm, dd)
        if published is None:
            raise ParseError(SOURCE, url, "as_of", f"{what} gives {dd:02d}.{mm:02d} but nothing gives the year")
        candidate = date(published.year, mm, dd)
        if candidate > published + timedelta(days=1):  # "to 31.12" published on 1 January
            candidate = date(published.year - 1, mm, dd)
        return candidate
    except ValueError:
        raise ParseError(SOURCE, url, "as_of", f"impossible date {m.group(0)!r} in {what}") from None


def _published(sel, url: str) -> date | None:
    """The publication day from the page (date element, <time>, meta), else from the URL.

    mil.gov.ua prints one ``span.aticle-date`` under the article's heading; two that disagree are
    two bulletins glued into one document.
    """
    stamps = {d for d in (_read_date(common.clean_text(" ".join(s.css("::text").getall())))
                          for s in sel.css("span.aticle-date")) if d}
    if len(stamps) > 1:
        raise ParseError(SOURCE, url, "as_of", "two different bulletins in one document: published "
                         + " and ".join(d.isoformat() for d in sorted(stamps)))
    candidates = [common.clean_text(" ".join(sel.css("span.aticle-date::text").getall()))]
    candidates += sel.css("time::attr(datetime)").getall()
    candidates += sel.css(
        "meta[property='article:published_time']::attr(content), meta[itemprop=datePublished]::attr(content),"
        " meta[name=date]::attr(content)").getall()
    candidates += [common.clean_text(t) for t in sel.css(".article-date ::text, .news-date ::text, .date ::text").getall()]
    for raw in candidates:
        day = _read_date(raw)
        if day:
            return day
    m = _URL_DATE_RE.search(url)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _read_date(raw: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    m = re.search(r"(20\d\d)-(\d{1,2})-(\d{1,2})", raw)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.search(r"(\d{1,2})\s+([^\W\d_]+)\s+(20\d\d)", raw)
        if m and m.group(2).lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        m = re.search(r"(\d{1,2})\.(\d{1,2})\.(20\d\d)", raw)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        return None
