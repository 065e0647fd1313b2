"""An article's text, title and published date, from an HTML page's metadata or a plain-text file.

HTML (what the news spiders archive):

* the text is the ``articleBody`` of the page's JSON-LD ``NewsArticle`` when it has one, else the
  paragraphs, list items and captions of the article element (``[itemprop=articleBody]``,
  ``<article>``, the usual body classes, ``<main>``), navigation, asides and scripts left out;
* the title is the JSON-LD ``headline``, else ``og:title``, else the ``<h1>``, else ``<title>``;
* the published time is the JSON-LD ``datePublished``, else ``article:published_time`` (Open Graph),
  else an ``itemprop=datePublished``, else the article's first ``<time datetime>``.  It is never
  guessed from the text: a page without one is an error.

``Article.text`` is the title, a blank line and the body paragraphs separated by blank lines; the
claims' spans are offsets into it.

Plain text: the whole file is the text (spans are offsets into the file).  A header of ``key: value``
lines before the first blank line may give ``title``, ``published`` (or ``date``), ``url``, ``lang``,
``site``; a first line ``date YYYY-MM-DD`` is read as the published day too.  A plain-text article
may have no published date.

Errors name the source, the URL and the field (:class:`ArticleError`, an :class:`etl.domain.model.ParseError`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from etl.domain.model import ParseError

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "backgroundnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "liveblogposting",
}
BODY_SELECTORS = (
    "[itemprop=articleBody]",
    "article .article-body",
    "article .post-content",
    "article .entry-content",
    ".article-body",
    ".article__body",
    ".article-content",
    ".post-content",
    ".entry-content",
    ".story-body",
    ".news-text",
    "#article-body",
    "article",
    "main",
)
SKIP_TAGS = {"script", "style", "nav", "aside", "footer", "form", "noscript", "svg", "iframe", "button"}
SKIP_CLASS = re.compile(
    r"\b(?:related|newsletter|share|social|promo|advert|ad-|subscribe|comments?|tags|byline|"
    r"breadcrumbs?|read-also|recommend)\b",
    re.I,
)
MIN_BODY_CHARS = 80


class ArticleError(ParseError):
    """A page that is not a readable article: names the source, the URL and the field at fault."""


@dataclass
class Article:
    source: str | None
    url: str | None
    title: str | None
    text: str
    published: datetime | None
    language: str | None
    kind: str  # html | text
    body_start: int = 0

    @property
    def published_date(self) -> date | None:
        """The publication day in Kyiv (the bulletins' day); a naive time is taken as given."""
        if self.published is None:
            return None
        if self.published.tzinfo is None:
            return self.published.date()
        try:
            from zoneinfo import ZoneInfo

            return self.published.astimezone(ZoneInfo("Europe/Kyiv")).date()
        except Exception:  # no tz database
            return self.published.date()


def parse_published(value: str) -> datetime:
    """An ISO 8601 or RFC 2822 time (``2024-07-28T09:15:00+03:00``, ``2024-07-28``, ``Sun, 28 Jul 2024 ...``)."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        return datetime.fromisoformat(
            text.replace("Z", "+00:00").replace(" ", "T", 1)
            if "T" not in text and re.match(r"\d{4}-\d{2}-\d{2} \d", text)
            else text.replace("Z", "+00:00")
        )
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"not a date and time: {value!r}") from None


# --------------------------------------------------------------------------- plain text

_HEADER = re.compile(r"^(title|published|date|url|lang|language|site|source|author):\s*(.*)$", re.I)
_SEED_DATE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b")


def from_text(
    content: str, *, source: str | None = None, url: str | None = None, published: datetime | date | None = None
) -> Article:
    meta: dict[str, str] = {}
    for line in content.split("\n"):  # the header: key: value lines up to the first blank line
        m = _HEADER.match(line.strip()) if line.strip() else None
        if not m:
            break
        meta[m.group(1).lower()] = m.group(2).strip()
    when = published
    if isinstance(when, date) and not isinstance(when, datetime):
        when = datetime.combine(when, datetime.min.time())
    if when is None:
        raw = meta.get("published") or meta.get("date")
        if raw:
            try:
                when = parse_published(raw)
            except ValueError as exc:
                raise ArticleError(
                    source or "text", url or meta.get("url") or "(file)", "published date", str(exc)
                ) from exc
        else:
            m = _SEED_DATE.match(content)
            if m:
                when = datetime.combine(date.fromisoformat(m.group(1)), datetime.min.time())
    return Article(
        source=source or meta.get("site") or meta.get("source"),
        url=url or meta.get("url"),
        title=meta.get("title"),
        text=content,
        published=when,
        language=meta.get("lang") or meta.get("language"),
        kind="text",
    )


# --------------------------------------------------------------------------- HTML


def _decode(body: bytes, content_type: str | None) -> str:
    from w3lib.encoding import html_to_unicode

    _, text = html_to_unicode(content_type, body)
    return text


def _jsonld_objects(tree) -> list[dict]:
    out = []
    for node in tree.xpath("//script[@type='application/ld+json']"):
        raw = node.text or ""
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                types = item.get("@type")
                types = [types] if isinstance(types, str) else (types or [])
                if any(str(t).lower() in ARTICLE_TYPES for t in types):
                    out.append(item)
    return out


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            vals = tree.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            for v in vals:
                if v and v.strip():
                    return v.strip()
    return None


def _clean(text: str) -> str:
    text = text.replace("\r", "")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _block_text(el) -> str:
    """The text of a block element: its text and its children's in order, <br> as a line break."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in SKIP_TAGS or not tag:  # scripts, comments, processing instructions
            return
        if tag == "br":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _clean("".join(parts))


def _skipped(el, root) -> bool:
    node = el
    while node is not None and node is not root:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in SKIP_TAGS or SKIP_CLASS.search(node.get("class") or "") or SKIP_CLASS.search(node.get("id") or ""):
            return True
        node = node.getparent()
    return False


def _body_from_dom(tree) -> list[str]:
    for selector in BODY_SELECTORS:
        try:
            roots = tree.cssselect(selector)
        except Exception:
            roots = []
        for root in roots:
            paragraphs = []
            for el in root.iter("p", "li", "figcaption", "blockquote", "h2", "h3", "pre"):
                if _skipped(el, root) or (
                    el.tag in ("p", "li")
                    and any(a.tag in ("blockquote", "li") for a in el.iterancestors() if a is not root)
                ):
                    continue
                text = _block_text(el)
                if not text:
                    continue
                paragraphs.append(("- " + text) if el.tag == "li" else text)
            if sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS:
                return paragraphs
    return []


def from_html(body: bytes | str, *, url: str, source: str, content_type: str | None = None) -> Article:
    """The article of an HTML page; raises :class:`ArticleError` for a page without body or published date."""
    import lxml.html

    html = body if isinstance(body, str) else _decode(body, content_type)
    if not html.strip():
        raise ArticleError(source, url, "page", "empty document")
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ArticleError(source, url, "page", f"not HTML: {exc}") from None
    ld = _jsonld_objects(tree)
    art = ld[0] if ld else {}

    title = art.get("headline") or _meta(tree, "og:title", "twitter:title")
    if not title:
        h1 = tree.xpath("//h1")
        title = _block_text(h1[0]) if h1 else (tree.findtext(".//title") or "").strip() or None
    title = _clean(str(title)) if title else None

    raw_published = art.get("datePublished") or _meta(
        tree, "article:published_time", "datePublished", "og:published_time"
    )
    if not raw_published:
        times = tree.xpath(
            "//article//time[@datetime]/@datetime | //*[@itemprop='datePublished']/@datetime"
            " | //time[@datetime]/@datetime"
        )
        raw_published = times[0] if times else None
    if not raw_published:
        raise ArticleError(
            source,
            url,
            "published date",
            "no published date in the page's metadata (JSON-LD datePublished, article:published_time, <time datetime>)",
        )
    try:
        published = parse_published(str(raw_published))
    except ValueError:
        raise ArticleError(source, url, "published date", f"cannot read {raw_published!r}") from None

    body_text = art.get("articleBody")
    if isinstance(body_text, str) and len(body_text.strip()) >= MIN_BODY_CHARS:
        paragraphs = [p for p in (_clean(x) for x in re.split(r"\n\s*\n", body_text.replace("\r", ""))) if p]
    else:
        paragraphs = _body_from_dom(tree)
    if not paragraphs:
        raise ArticleError(
            source,
            url,
            "article body",
            "no article body (no JSON-LD articleBody, no paragraphs in an article element); page redesigned?",
        )
    head = (title + "\n\n") if title else ""
    text = head + "\n\n".join(paragraphs)
    language = art.get("inLanguage") or tree.get("lang") or _meta(tree, "og:locale")
    if isinstance(language, dict):
        language = language.get("name")
    return Article(
        source=source,
        url=url,
        title=title,
        text=text,
        published=published,
        language=(str(language).split("-")[0].split("_")[0].lower() if language else None),
        kind="html",
        body_start=len(head),
    )


def looks_like_html(data: bytes | str, name: str = "") -> bool:
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = (data[:2048].decode("utf-8", "replace") if isinstance(data, bytes) else data[:2048]).lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head
