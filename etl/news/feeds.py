"""RSS 2.0, Atom and sitemap listings: the article URLs the news spiders follow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from etl.errors import InputError
from etl.news.article import parse_published

# Titles and summaries of loss reports (en, uk, it): what the generic spider follows by default.
DEFAULT_MATCH = (
    r"loss|lost|loses|casualt|troops|soldiers|killed|General Staff|втрат|ліквід|Генштаб|perdit|pers[oi]"
    r"|soldati|Stato maggiore"
)


class FeedError(InputError):
    pass


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    summary: str
    published: datetime | None

    @property
    def day(self) -> date | None:
        return self.published.date() if self.published else None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el, name: str) -> str:
    c = _child(el, name)
    return "".join(c.itertext()).strip() if c is not None else ""


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return parse_published(value)
    except ValueError:
        return None


def parse_feed(body: bytes) -> list[FeedItem]:
    """Items of an RSS 2.0 or Atom feed, or ``<url>`` entries of a sitemap; raises FeedError otherwise."""
    from lxml import etree

    if not body or not body.strip():
        raise FeedError("empty feed")
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML")
    kind = _local(root.tag)
    items: list[FeedItem] = []
    if kind in ("rss", "rdf"):
        for el in root.iter():
            if _local(el.tag) != "item":
                continue
            link = _text(el, "link") or _text(el, "guid")
            if link:
                items.append(
                    FeedItem(
                        link,
                        _text(el, "title"),
                        _text(el, "description"),
                        _when(_text(el, "pubdate") or _text(el, "date")),
                    )
                )
    elif kind == "feed":
        for el in root:
            if _local(el.tag) != "entry":
                continue
            href = ""
            for c in el:
                if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate":
                    href = c.get("href") or ""
                    break
            if href:
                items.append(
                    FeedItem(
                        href,
                        _text(el, "title"),
                        _text(el, "summary") or _text(el, "content"),
                        _when(_text(el, "published") or _text(el, "updated")),
                    )
                )
    elif kind == "urlset":
        for el in root:
            if _local(el.tag) == "url" and _text(el, "loc"):
                items.append(FeedItem(_text(el, "loc"), "", "", _when(_text(el, "lastmod"))))
    else:
        raise FeedError(f"not an RSS, Atom or sitemap document (root element <{kind}>)")
    return items


def matches(item: FeedItem, pattern: str | None) -> bool:
    if not pattern:
        return True
    return bool(re.search(pattern, f"{item.title} {item.summary} {item.url}", re.I))
