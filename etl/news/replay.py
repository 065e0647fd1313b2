"""A loopback server of news pages and feeds, rendered from our own fixture articles.

    with NewsReplayServer.from_folder("tests/fixtures/news/corpus") as srv:
        srv.kyiv_independent_base   # http://127.0.0.1:PORT/kyivindependent.com
        srv.feed_url("newsweek")    # RSS 2.0 of the site's articles
        srv.feed_url("ap", atom=True)

Every article is a plain-text fixture (``title:``, ``published:``, ``site:``, ``lang:`` header, blank
line, paragraphs; see tests/fixtures/news/README.md).  Each site is rendered in its own page shape,
so the article reader meets the metadata variants it must handle:

* ``kyiv_independent``: a Ghost-like page, JSON-LD ``NewsArticle`` (headline, datePublished, no
  body), paragraphs in ``<article><section class="gh-content">``; ``/rss/`` and
  ``/sitemap-posts.xml`` list the site's posts;
* ``newsweek``: Open Graph (``og:title``, ``article:published_time``), ``<div class="article-body">``;
* ``ukrinform``: ``<time datetime>`` in the article header, paragraphs in ``<article>``;
* ``ap``: JSON-LD with the whole ``articleBody``;
* ``generic``: Open Graph and ``<article>`` (``<ul>`` for lines starting with ``- ``).

Feeds: ``/feeds/<site>.xml`` (RSS 2.0) and ``/feeds/<site>.atom`` (Atom) for every site.  Paths are
``/<host>/...`` below the port, like etl.replay.server.  ``/robots.txt`` allows everything.

Faults (``add_fault(path, kind)``): ``http500``, ``empty``, ``redesign`` (a page without article body
or metadata body), ``nodate`` (published metadata removed), ``garbled`` (the first figure of the body
printed with a letter O for a zero).  Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from etl.loopback import LoopbackServing
from etl.news.article import from_text

SITES = {
    "kyiv_independent": "kyivindependent.com",
    "newsweek": "www.newsweek.com",
    "ukrinform": "www.ukrinform.net",
    "ap": "apnews.com",
    "generic": "news.example.org",
}
FAULTS = ("http500", "empty", "redesign", "nodate", "garbled")


@dataclass
class ReplayArticle:
    name: str
    site: str
    title: str
    published: datetime | None
    language: str
    paragraphs: list[str]
    slug: str = ""

    @property
    def host(self) -> str:
        return SITES[self.site]

    @property
    def path(self) -> str:
        if self.site == "kyiv_independent":
            return f"/{self.host}/{self.slug}/"
        if self.site == "newsweek":
            return f"/{self.host}/{self.slug}-{_digits(self.name)}"
        if self.site == "ukrinform":
            return f"/{self.host}/rubric-ato/{_digits(self.name)}-{self.slug}.html"
        if self.site == "ap":
            return f"/{self.host}/article/{self.slug}"
        return f"/{self.host}/news/{self.slug}"


def _when(a: ReplayArticle) -> datetime:
    if a.published is None:
        return datetime.min.replace(tzinfo=UTC)
    return a.published if a.published.tzinfo else a.published.replace(tzinfo=UTC)


def _digits(text: str) -> str:
    return str(int(hashlib.sha1(text.encode()).hexdigest()[:7], 16))


def slugify(text: str) -> str:
    trans = str.maketrans("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя", "abvhgdeezzyiijklmnoprstufhccss_uj")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(trans).replace("_", "")).strip("-")
    return slug[:90] or "article"


def load_article(path: Path) -> ReplayArticle:
    raw = path.read_text(encoding="utf-8")
    art = from_text(raw)
    body = raw.partition("\n\n")[2]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    title = art.title or path.stem
    return ReplayArticle(
        path.stem,
        art.source if art.source in SITES else "generic",
        title,
        art.published,
        art.language or "en",
        paragraphs,
        slugify(title),
    )


# --------------------------------------------------------------------------- pages


def _iso(dt: datetime | None) -> str:
    return dt.isoformat() if dt else ""


def _paragraph_html(p: str) -> str:
    lines = p.split("\n")
    if all(line.lstrip().startswith(("- ", "* ")) for line in lines) and len(lines) > 1:
        return "<ul>" + "".join(f"<li>{escape(line.lstrip()[2:])}</li>" for line in lines) + "</ul>"
    return "<p>" + "<br>".join(escape(line) for line in lines) + "</p>"


def _garble(paragraphs: list[str]) -> list[str]:
    out, done = [], False
    for p in paragraphs:
        if not done:
            m = re.search(r"\d[\d,. ]*0", p)
            if m:
                zero = m.end() - 1
                p = p[:zero] + "O" + p[zero + 1 :]
                done = True
        out.append(p)
    return out


def render(article: ReplayArticle, fault: str | None = None) -> str:
    paragraphs = _garble(article.paragraphs) if fault == "garbled" else article.paragraphs
    published = None if fault == "nodate" else article.published
    title = escape(article.title)
    lang = escape(article.language)
    nav = '<header class="site"><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>'
    footer = "<footer><p>Our own replay page for tests. Figures are the publishers'; sentences are ours.</p></footer>"
    body_html = "".join(_paragraph_html(p) for p in paragraphs)
    if fault == "redesign":
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{_iso(published)}"></head><body>{nav}'
            f'<div id="app" data-hydrate="story"></div><script>window.__STORY__ = null;</script>{footer}'
            f"</body></html>"
        )
    site = article.site
    if site == "kyiv_independent":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "author": {"@type": "Organization", "name": "news desk"},
        }
        if published:
            ld["datePublished"] = _iso(published)
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>'
            f'<body class="post-template">{nav}<main class="site-main"><article class="post">'
            f'<header class="post-header"><h1 class="post-title">{title}</h1></header>'
            f'<section class="gh-content">{body_html}</section>'
            f'<aside class="related"><p>Read also: 1,000 more stories you may like</p></aside>'
            f"</article></main>{footer}</body></html>"
        )
    if site == "newsweek":
        meta = f'<meta property="og:title" content="{title}">'
        if published:
            meta += f'<meta property="article:published_time" content="{_iso(published)}">'
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} - Newsweek</title>'
            f'{meta}</head><body>{nav}<h1>{title}</h1><div class="byline">By a reporter</div>'
            f'<div class="article-body">{body_html}<div class="newsletter"><p>Subscribe for 1 dollar'
            f"</p></div></div>{footer}</body></html>"
        )
    if site == "ukrinform":
        when = f'<time datetime="{_iso(published)}">{published:%d.%m.%Y %H:%M}</time>' if published else ""
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{nav}<article><header><h1>{title}</h1>{when}</header>{body_html}</article>{footer}"
            f"</body></html>"
        )
    if site == "ap":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "articleBody": "\n\n".join(paragraphs),
            "inLanguage": article.language,
        }
        if published:
            ld["datePublished"] = _iso(published)
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | AP News</title>'
            f'<script type="application/ld+json">{json.dumps([ld], ensure_ascii=False)}</script></head>'
            f'<body>{nav}<div class="Page-content"><h1>{title}</h1><div class="RichTextStoryBody">{body_html}'
            f"</div></div>{footer}</body></html>"
        )
    meta = f'<meta property="og:title" content="{title}"><meta property="og:locale" content="{lang}">'
    if published:
        meta += f'<meta property="article:published_time" content="{_iso(published)}">'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{meta}</head><body>{nav}'
        f"<article><h1>{title}</h1>{body_html}</article>{footer}</body></html>"
    )


def rss(site: str, articles: list[ReplayArticle], origin: str) -> str:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(origin + a.path)}</link>"
        f'<guid isPermaLink="true">{escape(origin + a.path)}</guid>'
        + (f"<pubDate>{format_datetime(_when(a))}</pubDate>" if a.published else "")
        + f"<description>{escape(a.paragraphs[0][:200] if a.paragraphs else '')}</description></item>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(site)}</title>'
        f"<link>{escape(origin)}/{SITES.get(site, site)}/</link><description>replay feed</description>{items}"
        f"</channel></rss>"
    )


def atom(site: str, articles: list[ReplayArticle], origin: str) -> str:
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link rel="alternate" href="{escape(origin + a.path)}"/>'
        f"<id>{escape(origin + a.path)}</id>"
        + (f"<published>{_iso(a.published)}</published><updated>{_iso(a.published)}</updated>" if a.published else "")
        + f"<summary>{escape(a.paragraphs[0][:200] if a.paragraphs else '')}</summary></entry>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(site)}</title><id>{escape(origin)}/{escape(site)}</id>{entries}</feed>"
    )


def sitemap(articles: list[ReplayArticle], origin: str) -> str:
    urls = "".join(
        f"<url><loc>{escape(origin + a.path)}</loc>"
        + (f"<lastmod>{_iso(a.published)}</lastmod>" if a.published else "")
        + "</url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


# --------------------------------------------------------------------------- the server


@dataclass
class _Fault:
    path: str
    kind: str
    times: int | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "attrition-news-replay/1"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):
        app = self.server.app
        path = unquote(urlsplit(self.path).path)
        app.requests.append(path)
        origin = f"http://{self.headers.get('Host') or f'{app.host}:{app.port}'}"
        fault = app.take_fault(path)
        if fault == "http500":
            return self._send(500, b"<html><body>500</body></html>", "text/html; charset=utf-8")
        status, body, ctype = app.route(path, origin, fault)
        if fault == "empty":
            body = b""
        self._send(status, body, ctype)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        if status == 200:
            self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: NewsReplayServer


class NewsReplayServer(LoopbackServing):
    thread_name = "attrition-news-replay"

    def __init__(self, articles: list[ReplayArticle], host: str = "127.0.0.1", port: int = 0):
        self.articles = sorted(articles, key=_when, reverse=True)  # newest first, as feeds list them
        self.by_path = {a.path: a for a in self.articles}
        self.host = host
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self.requests: list[str] = []
        self._httpd = _Server((host, port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, names: list[str] | None = None, **kw) -> NewsReplayServer:
        paths = sorted(Path(folder).glob("*.txt"))
        if names is not None:
            paths = [p for p in paths if p.name in names or p.stem in names]
        return cls([load_article(p) for p in paths], **kw)

    # -- addresses
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def kyiv_independent_base(self) -> str:
        return f"{self.base_url}/{SITES['kyiv_independent']}"

    def feed_url(self, site: str, atom: bool = False) -> str:
        return f"{self.base_url}/feeds/{site}.{'atom' if atom else 'xml'}"

    def url_of(self, name: str) -> str:
        for a in self.articles:
            if a.name == name or a.name == Path(name).stem:
                return self.base_url + a.path
        raise KeyError(name)

    # -- faults
    def add_fault(self, path_or_url: str, kind: str, times: int | None = None) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULTS}")
        path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
        with self._lock:
            self._faults.append(_Fault(unquote(path), kind, times))

    def take_fault(self, path: str) -> str | None:
        with self._lock:
            for f in self._faults:
                if f.path == path:
                    if f.times is not None:
                        f.times -= 1
                        if f.times <= 0:
                            self._faults.remove(f)
                    return f.kind
        return None

    # -- routes
    def route(self, path: str, origin: str, fault: str | None) -> tuple[int, bytes, str]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8"
        m = re.fullmatch(r"/feeds/([a-z_]+)\.(xml|atom)", path)
        if m and m.group(1) in SITES:
            arts = [a for a in self.articles if a.site == m.group(1)]
            if m.group(2) == "xml":
                return 200, rss(m.group(1), arts, origin).encode("utf-8"), "application/rss+xml; charset=utf-8"
            return 200, atom(m.group(1), arts, origin).encode("utf-8"), "application/atom+xml; charset=utf-8"
        ki = "/" + SITES["kyiv_independent"]
        ki_posts = [a for a in self.articles if a.site == "kyiv_independent"]
        if path in (ki + "/rss/", ki + "/rss"):
            return 200, rss("kyiv_independent", ki_posts, origin).encode("utf-8"), "application/rss+xml; charset=utf-8"
        if path == ki + "/sitemap-posts.xml":
            return 200, sitemap(ki_posts, origin).encode("utf-8"), "application/xml; charset=utf-8"
        article = self.by_path.get(path)
        if article is not None:
            return 200, render(article, fault).encode("utf-8"), html
        return 404, f"<html><body><h1>404</h1><p>{escape(path)}</p></body></html>".encode(), html


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    ap = argparse.ArgumentParser(prog="python -m etl.news.replay", description="Serve news fixtures on loopback.")
    ap.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "news" / "corpus")
    )
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args(argv)
    srv = NewsReplayServer.from_folder(args.data, port=args.port).start()
    print(
        f"news replay on {srv.base_url}: Kyiv Independent {srv.kyiv_independent_base}, feeds "
        + ", ".join(srv.feed_url(s) for s in SITES)
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
