"""The official bulletins of the Ministry of Defence: mil.gov.ua (2022..2024-09) and mod.gov.ua (2024-10..).

Two kinds of document:

* a **bulletin page** (mil.gov.ua, or a server-rendered mod.gov.ua article), described below;
* a **mod.gov.ua search reply** (``POST /lookup/search``, JSON, ``hits.hits[]._source``): one document
  carrying many articles, each with its HTML in ``content``.  Every article that is a loss bulletin
  (its title or slug says so, see :func:`is_bulletin_article`) is read like a bulletin page's body; the
  others (the tag "Відсіч агресору" holds other news too) are passed over.  A bulletin article that
  cannot be read refuses the reply, naming the article's URL in the problem.

The mod.gov.ua bulletin shape (docs/replay.md, ../shared/reference/live-sources.md): one ``<li>`` per
figure, ``label ‒ 12 026 (+1);`` with a figure dash, en dash or hyphen, ``;`` between items and ``.``
after the last, thousands separated by a space or NBSP, parts wrapped in ``<strong>``/``<u>``;
personnel **without a dash**: ``approximately 1 391 950 (+1 290) persons.`` (``близько N (+M) осіб``
in Ukrainian, read the same way); English labels of mod.gov.ua (:data:`MODGOV_LABELS`: "air defense
assets", "UAVs (operational-tactical level)", "warships and boats", "unmanned ground vehicles" =
``ground_robots``...) and the Ukrainian genitive forms are read besides the category contract's
aliases.

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
from datetime import UTC, date, datetime, timedelta

from etl.domain import calendar, categories
from etl.domain.model import Observation, ParseError
from etl.losses.parsers import common

SOURCE = "mod"
MAX_DATE_DISAGREEMENT = timedelta(days=3)

_BODY_SELECTORS = (
    "#aticle-content",
    "#article-content",
    "[itemprop=articleBody]",
    ".article-content",
    ".article__content",
    ".article-body",
    ".news-content",
    ".news__content",
    ".news-text",
    ".post-content",
    ".entry-content",
    ".content-text",
    ".text",
    "article",
    "main",
    "#content",
    ".content",
)
_PERIOD_RE = re.compile(
    r"(?:from|з|із|с)\s+24\.02(?:\.\d{2,4})?\s*(?:to|по|до|[‒–—-])\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?",
    re.IGNORECASE,
)
_SLUG_RE = re.compile(r"-to-(\d{1,2})-(\d{1,2})(?:-(\d{2,4}))?(?=[/-]|$)")
_URL_DATE_RE = re.compile(r"/(20\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)")
_MONTHS = calendar.MONTH_NUMBERS  # Ukrainian genitive / nominative, English: "08 липня 2022", "05 june 2022"


# Labels mod.gov.ua prints that the category contract (etl.domain.categories) does not list; keys folded with
# etl.domain.categories.normalize_label.  English from the labels other projects' scrapers of the live English
# pages map (Narretz/sbs-stats scripts/ru_losses/mod_gov_ua.py), Ukrainian genitive forms of the
# bulletin's "... склали:" sentence.
MODGOV_LABELS: dict[str, str] = {
    categories.normalize_label(k): v
    for k, v in {
        "air defense assets": "air_defense",
        "UAVs (operational-tactical level)": "drones",
        "UAVs operational-tactical level": "drones",
        "warships and boats": "ships_boats",
        "warships / boats": "ships_boats",
        "unmanned ground vehicles": "ground_robots",
        "armored fighting vehicles": "armored_vehicles",
        "armoured fighting vehicles": "armored_vehicles",
        "крилатих ракет": "cruise_missiles",
        "кораблів / катерів": "ships_boats",
        "кораблів/катерів": "ships_boats",
        "підводних човнів": "submarines",
        "наземних робототехнічних комплексів": "ground_robots",
        "засобів ППО": "air_defense",
        "спеціальної техніки": "special_equipment",
    }.items()
}

# "approximately 1 391 950 (+1 290) persons." - the personnel item of mod.gov.ua, no label, no dash
_PERSONNEL_RE = re.compile(
    rf"^(?:(?:personnel|особового складу)\s*[{re.escape(common.DASHES)}]?\s*)?"
    rf"(?P<qual>approximately|about|близько|приблизно)\s+(?P<num>{common.NUMBER_RE.pattern})\s*"
    rf"(?:\((?P<inc>[^()]*)\))?\s*(?:persons|people|осіб|особи)\b[^\d()]*$",
    re.IGNORECASE,
)
_BULLETIN_TEXT_RE = re.compile(
    r"combat losses|бойові втрати|бойових втрат|втрати (?:ворога|противника|рф|окупантів)", re.IGNORECASE
)
_BULLETIN_SLUG_RE = re.compile(
    r"combat-losses|bojovi-vtrati|boiovi-vtraty|agalni-bojovi|vtrati-(?:voroga|protivnika)", re.IGNORECASE
)
KYIV_OFFSET = timedelta(hours=2)  # publishedAt is UTC; the day is Kyiv's (UTC+2/+3: +2 is safe before 21:00)


def parse(body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    if is_search_reply(url, content_type, body):
        return parse_search_reply(body, url, content_type)
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
    are refused (etl.losses.parsers.validate.one_bulletin_per_day) and two stated periods are too.
    """
    for css in _BODY_SELECTORS + ("body",):
        found: list[common.LossItem] = []
        found_lines: list[str] = []
        for container in sel.css(css):
            lines = common.html_to_lines(container.get())
            items = _items_of_lines(lines, url)
            if items:
                found.extend(items)
                found_lines.extend(lines)
        if found:
            return found, found_lines, css
    return [], [], None


def _items_of_lines(lines: list[str], url: str) -> list[common.LossItem]:
    items: list[common.LossItem] = []
    for line in lines:
        personnel = _personnel_item(line, url)
        if personnel is not None:
            items.append(personnel)
            continue
        parsed = common.parse_loss_line(line, SOURCE, url, MODGOV_LABELS)
        if parsed:
            items.extend(parsed)
    return items


def _personnel_item(line: str, url: str) -> common.LossItem | None:
    """mod.gov.ua's personnel item without a dash (``approximately 1 391 950 (+1 290) persons.``)."""
    m = _PERSONNEL_RE.match(common.clean_text(line))
    if m is None:
        return None
    field = "category:personnel"
    increase = None
    if m.group("inc") is not None:
        inc = re.fullmatch(rf"\s*([+{re.escape(common.DASHES)}]?)\s*(.*?)\s*", m.group("inc"))
        num = common.parse_number(inc.group(2)) if inc else None
        if num is None:
            raise ParseError(SOURCE, url, field, f"garbled increase ({m.group('inc').strip()})")
        increase = -num if inc.group(1) and inc.group(1) != "+" else num
    return common.LossItem(
        "personnel",
        "personnel",
        common.to_int(m.group("num"), field, SOURCE, url),
        increase,
        common.qualifier_of(m.group("qual")),
    )


# --------------------------------------------------------------------------- search replies


def is_search_reply(url: str, content_type: str | None, body: bytes) -> bool:
    """A reply of mod.gov.ua's search endpoint: its URL, or a JSON body (a bulletin page is HTML)."""
    if "/lookup/search" in (url or ""):
        return True
    if content_type and "json" in content_type.lower():
        return True
    return False


def is_bulletin_article(title: str, slug: str) -> bool:
    """Whether a search hit is a loss bulletin (by its title or slug), not other news of the tag."""
    return bool(_BULLETIN_TEXT_RE.search(title or "") or _BULLETIN_SLUG_RE.search(slug or ""))


def article_url(url: str, source: dict) -> str:
    """The article's address: ``{origin}/news/{slug}`` (``/en/news/`` for English), origin of the reply."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    prefix = url[: url.find("/lookup/search")] if "/lookup/search" in url else f"{parts.scheme}://{parts.netloc}"
    lang = "/en" if source.get("locale") == "en" else ""
    return f"{prefix}{lang}/news/{source.get('slug') or ''}"


def published_day(value) -> date | None:
    """The Kyiv day of a ``publishedAt`` (ISO, UTC ``Z`` or with an offset; or a bare date)."""
    raw = str(value or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return stamp.date()

    try:
        from zoneinfo import ZoneInfo

        return stamp.astimezone(ZoneInfo("Europe/Kyiv")).date()
    except Exception:
        return (stamp.astimezone(UTC) + KYIV_OFFSET).date()


def search_hits(body: bytes, url: str, content_type: str | None = None) -> list[dict]:
    """The ``_source`` of every hit of a search reply; ParseError when it is not such a reply."""
    import json

    text = common.decode(body, content_type or "application/json; charset=utf-8", SOURCE, url)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ParseError(SOURCE, url, "page", f"search reply is not JSON ({exc})") from None
    hits = doc.get("hits") if isinstance(doc, dict) else None
    hits = hits.get("hits") if isinstance(hits, dict) else None
    if not isinstance(hits, list):
        raise ParseError(SOURCE, url, "hits.hits", "search reply has no hits.hits list (API changed?)")
    out = []
    for i, hit in enumerate(hits):
        src = hit.get("_source") if isinstance(hit, dict) else None
        if not isinstance(src, dict):
            raise ParseError(SOURCE, url, f"hits.hits[{i}]._source", "missing or not an object")
        out.append(src)
    return out


def parse_search_reply(body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    """Every loss bulletin in a search reply (see the module docstring)."""
    observations: list[Observation] = []
    bulletins = 0
    for i, src in enumerate(search_hits(body, url, content_type)):
        title, slug = str(src.get("title") or ""), str(src.get("slug") or "")
        if not is_bulletin_article(title, slug):
            continue
        content = src.get("content")
        where = article_url(url, src)
        if not isinstance(content, str) or not content.strip():
            raise ParseError(SOURCE, url, f"hits.hits[{i}]._source.content", f"empty content of the bulletin {where}")
        try:
            observations += _article_observations(title, content, src.get("publishedAt"), where)
        except ParseError as exc:
            raise ParseError(SOURCE, url, exc.field, f"in the bulletin {where}: {exc.problem}") from None
        bulletins += 1
    if not bulletins:
        raise ParseError(SOURCE, url, "page", "no loss bulletin among the search hits")
    return observations


def _stated_day(periods: list[re.Match], published: date | None, where: str, container: str) -> date | None:
    """The one day the stated periods end on (None without periods); two different days are two
    bulletins glued into one ``container`` (article, document)."""
    if not periods:
        return None
    days = sorted({_day_month(m, published, where, "the stated period") for m in periods})
    if len(days) > 1:
        raise ParseError(
            SOURCE,
            where,
            "as_of",
            f"two different bulletins in one {container}: periods ending " + " and ".join(d.isoformat() for d in days),
        )
    return days[0]


def _article_observations(title: str, content: str, published_at, where: str) -> list[Observation]:
    lines = common.html_to_lines(content)
    items = _items_of_lines(lines, where)
    if not items:
        raise ParseError(SOURCE, where, "page", "no loss lines in the article (empty or redesigned)")
    published = published_day(published_at)
    periods = [m for text in [common.clean_text(title)] + lines for m in _PERIOD_RE.finditer(text)]
    stated = _stated_day(periods, published, where, "article")
    day = stated or _title_day(title) or published
    if day is None:
        raise ParseError(SOURCE, where, "as_of", "no date: no stated period, no date in the title, no publishedAt")
    if published is not None and abs(day - published) > MAX_DATE_DISAGREEMENT:
        raise ParseError(
            SOURCE, where, "as_of", f"the bulletin says {day.isoformat()} but was published {published.isoformat()}"
        )
    return common.items_to_observations(items, day, SOURCE, where)


_TITLE_DAY_RE = re.compile(
    r"\b(?:as of|на)\s+(?:(\d{1,2})\s+([^\W\d_]+)|([^\W\d_]+)\s+(\d{1,2}),?)\s+(20\d\d)", re.IGNORECASE
)


def _title_day(title: str) -> date | None:
    """ "... на 1 травня 2026 року", "... as of May 1, 2026" / "as of 1 May 2026"."""
    m = _TITLE_DAY_RE.search(common.clean_text(title or ""))
    if not m:
        return None
    dd, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    mm = _MONTHS.get(month.lower())
    try:
        return date(int(m.group(5)), mm, int(dd)) if mm else None
    except ValueError:
        return None


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
    stated = _stated_day(periods, published, url, "document")
    if not periods and (slug := _SLUG_RE.search(url)) is not None:
        stated = _day_month(slug, published, url, "the URL slug")
    if stated is None:
        if published is None:
            raise ParseError(SOURCE, url, "as_of", "no date: no 'to DD.MM' period, no publication date, no dated URL")
        return published
    if published is not None and abs(stated - published) > MAX_DATE_DISAGREEMENT:
        raise ParseError(
            SOURCE, url, "as_of", f"stated period ends {stated.isoformat()} but published {published.isoformat()}"
        )
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
    stamps = {
        d
        for d in (
            _read_date(common.clean_text(" ".join(s.css("::text").getall()))) for s in sel.css("span.aticle-date")
        )
        if d
    }
    if len(stamps) > 1:
        raise ParseError(
            SOURCE,
            url,
            "as_of",
            "two different bulletins in one document: published " + " and ".join(d.isoformat() for d in sorted(stamps)),
        )
    candidates = [common.clean_text(" ".join(sel.css("span.aticle-date::text").getall()))]
    candidates += sel.css("time::attr(datetime)").getall()
    candidates += sel.css(
        "meta[property='article:published_time']::attr(content), meta[itemprop=datePublished]::attr(content),"
        " meta[name=date]::attr(content)"
    ).getall()
    candidates += [
        common.clean_text(t) for t in sel.css(".article-date ::text, .news-date ::text, .date ::text").getall()
    ]
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
