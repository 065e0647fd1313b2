"""mil.gov.ua / mod.gov.ua bulletins: URL and title patterns, the search query, and the day of a listing item.

Pure helpers of scrapers/spiders/mod.py (no Scrapy); see that module's docstring for the discovery order.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from etl.domain import calendar

SITE_SWITCH = date(2024, 10, 7)  # the bulletins moved from mil.gov.ua to mod.gov.ua
SITES = ("mil", "mod")
SITE_SETTING = {"mil": "ATTRITION_MOD_MIL_BASE_URL", "mod": "ATTRITION_MOD_BASE_URL"}
LISTING_PATH = {("mil", "en"): "/en/news/", ("mil", "uk"): "/news/", ("mod", "en"): "/en/news", ("mod", "uk"): "/news"}

TEXT_RE = re.compile(r"combat losses|бойові втрати|втрати (?:ворога|противника|рф|окупантів)", re.I)
SLUG_RE = re.compile(r"combat-losses|bojovi-vtrati|boiovi-vtraty|agalni-bojovi|vtrati-(?:voroga|protivnika)", re.I)

ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
PATH_DAY_RE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")
MONTHS_EN = tuple(m.lower() for m in calendar.MONTHS_EN)
MONTHS_UK_GEN = calendar.MONTHS_UK_GEN
MONTHS_UK_LATIN = calendar.MONTHS_UK_GEN_LATIN
TITLE_EN_RE = re.compile(r"\bas of (\d{1,2}) (" + "|".join(MONTHS_EN) + r") (\d{4})", re.I)
TITLE_UK_RE = re.compile(r"\bна (\d{1,2}) (" + "|".join(MONTHS_UK_GEN) + r") (\d{4})", re.I)
TITLE_DOTTED_RE = re.compile(r"\bto (\d{2})\.(\d{2})\.(\d{4}|\d{2})\b|\bпо (\d{2})\.(\d{2})\.(\d{4}|\d{2})\b")

SEARCH_PATH = "/lookup/search?search_type=dfs_query_then_fetch"
SEARCH_PAGE_SIZE = 50
SEARCH_TAG = "Відсіч агресору"
TAG_PATH = "/news/tag-vidsich-agresoru"
PATTERN_EN_FROM = date(2026, 1, 1)  # the English "total-russian-combat-losses-in-ukraine-as-of-…" family
PATTERN_UK_FROM = date(2026, 1, 20)  # "bojovi-vtrati-voroga-na-…-roku"; before it the slugs embed figures
SLUG_DAY_EN_RE = re.compile(r"-as-of-(" + "|".join(MONTHS_EN) + r")-(\d{1,2})-(\d{4})", re.I)
SLUG_DAY_UK_RE = re.compile(r"-na-(\d{1,2})-([a-z]+)-(\d{4})(?:-roku)?", re.I)
MONTHS_UK_LATIN_VARIANTS = {
    "bereznia": 3,
    "kvitnia": 4,
    "chervnia": 6,
    "lypnia": 7,
    "sichnia": 1,
    "liutoho": 2,
    "travnia": 5,
    "serpnia": 8,
    "veresnia": 9,
    "zhovtnia": 10,
    "lystopada": 11,
    "hrudnia": 12,
}  # the second transliteration (see MONTHS_UK_LATIN_2026)


def search_query(locale: str, frm: int, size: int) -> dict:
    """The query the site's news list sends (live-sources.md; pxjhkj7ks5-spec/studerria reads it the same way)."""
    return {
        "sort": [{"publishedAt": {"order": "desc"}}, {"id": {"order": "desc"}}],
        "query": {
            "bool": {
                "must": [
                    {"term": {"locale": locale}},
                    {"terms_set": {"tags": {"terms": [SEARCH_TAG], "minimum_should_match_script": {"source": "1"}}}},
                    {"term": {"type": "news"}},
                ]
            }
        },
        "_source": ["title", "slug", "publishedAt", "locale", "type", "id", "content", "tags"],
        "from": frm,
        "size": size,
    }


def slug_day(url: str) -> date | None:
    """The day a 2026-family slug names (``…-as-of-may-1-2026``, ``…-na-1-travnya-2026-roku``), else None."""
    path = unquote(urlsplit(url).path)
    m = SLUG_DAY_EN_RE.search(path)
    try:
        if m:
            return date(int(m.group(3)), MONTHS_EN.index(m.group(1).lower()) + 1, int(m.group(2)))
        m = SLUG_DAY_UK_RE.search(path)
        if m:
            word = m.group(2).lower()
            month = MONTHS_UK_LATIN.index(word) + 1 if word in MONTHS_UK_LATIN else MONTHS_UK_LATIN_VARIANTS.get(word)
            if month:
                return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return None
    return None


def lang_of_path(path: str) -> str:
    return "en" if "/en/news/" in path else "uk"


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
        return f"/en/news/total-russian-combat-losses-in-ukraine-as-of-{MONTHS_EN[day.month - 1]}-{day.day}-{day.year}"
    return f"/news/bojovi-vtrati-voroga-na-{day.day}-{MONTHS_UK_LATIN[day.month - 1]}-{day.year}-roku"


# The second Ukrainian slug family of 2026 (four days seen: 03-09, 04-02, 04-15, 06-02, live-sources.md):
# another transliteration.  bereznia, kvitnia, chervnia were seen; the other months follow the same
# (official, 2010) transliteration and are a guess.
MONTHS_UK_LATIN_2026 = (
    "sichnia",
    "liutoho",
    "bereznia",
    "kvitnia",
    "travnia",
    "chervnia",
    "lypnia",
    "serpnia",
    "veresnia",
    "zhovtnia",
    "lystopada",
    "hrudnia",
)


def pattern_path_alt(day: date) -> str:
    """The other Ukrainian slug family of 2026, tried when the first gives 404."""
    return f"/news/boiovi-vtraty-voroha-na-{day.day}-{MONTHS_UK_LATIN_2026[day.month - 1]}-{day.year}-roku"


def pattern_from(lang: str) -> date:
    """The first mod.gov.ua day whose slug the pattern gives (earlier slugs cannot be guessed)."""
    return PATTERN_EN_FROM if lang == "en" else PATTERN_UK_FROM
