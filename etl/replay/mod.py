"""mil.gov.ua (until 2024-10-06) and mod.gov.ua (from 2024-10-07): bulletins, listings, tag, search, sitemap."""

from __future__ import annotations

import json
from datetime import date, datetime
from html import escape
from urllib.parse import quote, unquote, urlsplit

from etl.domain.categories import BY_CODE
from etl.replay import common
from etl.replay.common import (
    LISTING_PAGE_SIZE,
    MIL_PREFIX,
    MOD_PREFIX,
    MOD_SITE_SWITCH,
    MONTHS_EN,
    MONTHS_UK_GEN,
    Page,
    Series,
    Variant,
)
from etl.replay.mod_text import (
    MOD_LABELS,
    MOD_ORDER,
    MODGOV_LABELS_EN,
    MODGOV_ORDER_EN,
    MODGOV_OTHER_NEWS_EVERY,
    MODGOV_SEARCH_MAX_WINDOW,
    MODGOV_SEARCH_PATH,
    MODGOV_TAG,
    MODGOV_TAG_PATH,
    TAG_PAGE_SIZE,
    Article,
    Bulletin,
    mil_en_path,
    mil_en_title,
    mil_uk_generated_path,
    mod_en_path,
    mod_uk_generated_path,
    thousands,
)


class ModSite:
    """Bulletins of mil.gov.ua (until 2024-10-06) and mod.gov.ua (from 2024-10-07), English and Ukrainian."""

    def __init__(self, series: Series, real_urls: dict[date, str]):
        self.series = series
        self.by_path: dict[tuple[str, str], Bulletin] = {}
        self.listings: dict[tuple[str, str], list[Bulletin]] = {
            ("mil", "en"): [],
            ("mil", "uk"): [],
            ("mod", "en"): [],
            ("mod", "uk"): [],
        }
        self.bulletins: dict[tuple[date, str], Bulletin] = {}
        for day in series.order:
            site = "mil" if day < MOD_SITE_SWITCH else "mod"
            en = Bulletin(day, "en", site, mil_en_path(day) if site == "mil" else mod_en_path(day))
            uk = self._uk_bulletin(day, site, real_urls.get(day))
            for b in (en, uk):
                if (b.site, b.path) in self.by_path:  # an odd real URL collides: fall back to ours
                    gen = mil_uk_generated_path(day) if b.site == "mil" else mod_uk_generated_path(day)
                    b = Bulletin(day, b.lang, b.site, gen)
                self.by_path[(b.site, b.path)] = b
                self.bulletins[(day, b.lang)] = b
                self.listings[(b.site, b.lang)].append(b)
        for items in self.listings.values():
            items.sort(key=lambda b: b.day, reverse=True)
        self._build_articles()

    @staticmethod
    def _uk_bulletin(day: date, site: str, real: str | None) -> Bulletin:
        if real:
            parts = urlsplit(real)
            host = parts.hostname or ""
            path = unquote(parts.path)
            if host.endswith("mil.gov.ua") and path.startswith("/news/"):
                return Bulletin(day, "uk", "mil", path)
            if host.endswith("mod.gov.ua") and path.startswith("/news/"):
                return Bulletin(day, "uk", "mod", path.rstrip("/"))
        return Bulletin(day, "uk", site, mil_uk_generated_path(day) if site == "mil" else mod_uk_generated_path(day))

    def href(self, b: Bulletin) -> str:
        prefix = MIL_PREFIX if b.site == "mil" else MOD_PREFIX
        return quote(prefix + b.path, safe="/-_.~()")

    def url_of(self, day: date, lang: str) -> str | None:
        b = self.bulletins.get((day, lang))
        return self.href(b) if b else None

    # -- bulletin pages

    def _lines(self, b: Bulletin, variant: Variant) -> list[str]:
        figs = common.pick_figures(self.series.days[b.day], MOD_ORDER, variant)
        labels = MOD_LABELS[b.lang]
        lines = []
        for code, f in figs:
            label, dash, unit = labels.get(code, (BY_CODE[code].label_en, "‒", ""))
            num = common.shown_number(code, f.cumulative, variant)
            inc = f" ({common.signed(f.increase)})" if f.increase is not None else ""
            if code == "personnel":
                if b.lang == "en":
                    lines.append(f"{label} {dash} about {num}{inc} persons were liquidated")
                else:
                    lines.append(f"{label} {dash} близько {num}{inc} осіб")
            else:
                lines.append(f"{label} {dash} {num}{inc}{unit}")
        return [line + ("," if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]

    def _title(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            if b.site == "mil":
                return mil_en_title(d)
            return f"The total combat losses of the enemy as of {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
        return f"Бойові втрати ворога на {d.day} {MONTHS_UK_GEN[d.month - 1]} {d.year} року"

    def _intro(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            if b.site == "mil":
                return f"{mil_en_title(d)} were approximately:"
            return f"The total combat losses of the enemy from 24.02.2022 to {d:%d.%m.%Y} were approximately:"
        return f"Загальні бойові втрати противника з 24.02.22 по {d:%d.%m.%y} орієнтовно склали:"

    # -- mod.gov.ua: the real bulletin shape, the search index, sitemap and tag page

    def modgov_title(self, b: Bulletin) -> str:
        d = b.day
        if b.lang == "en":
            return f"Total Russian combat losses in Ukraine as of {MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
        return f"Бойові втрати ворога на {d.day} {MONTHS_UK_GEN[d.month - 1]} {d.year} року"

    def modgov_content(self, b: Bulletin, variant: Variant) -> str:
        """The article's HTML (the search reply's ``content`` and the page's body): intro, one <li> per figure."""
        figs = common.pick_figures(self.series.days[b.day], MODGOV_ORDER_EN if b.lang == "en" else MOD_ORDER, variant)
        if variant.kind == "redesign":
            return common.redesigned_table(b.day, figs, b.lang)
        d = b.day
        items = []
        for i, (code, f) in enumerate(figs):
            sep = "\u00a0" if i % 3 == 1 else " "  # a space or an NBSP between thousands, as both occur
            num = common.shown_number(code, f.cumulative, variant)
            num = thousands(f.cumulative, sep) if num == str(f.cumulative) else num
            inc = f" ({common.signed(f.increase)})" if f.increase is not None else ""
            if inc and abs(f.increase) >= 1000:
                inc = f" ({'+' if f.increase >= 0 else '-'}{thousands(abs(f.increase), sep)})"
            dash = "\u2013" if code in ("artillery", "aircraft") else "\u2012"  # the figure dash, sometimes en dash
            if code == "personnel":
                text = (
                    f"approximately {num}{inc} persons"
                    if b.lang == "en"
                    else f"особового складу {dash} близько {num}{inc} осіб"
                )
            elif b.lang == "en":
                label = escape(MODGOV_LABELS_EN.get(code, BY_CODE[code].label_en))
                text = f"<strong>{label}</strong> {dash} {num}{inc}" if i % 4 == 2 else f"{label} {dash} {num}{inc}"
            else:
                label, _dash, unit = MOD_LABELS["uk"].get(code, (BY_CODE[code].label_uk, "", ""))
                text = f"{escape(label)} {dash} {num}{inc}{unit}"
            items.append(text)
        lis = "".join(f"<li>{t}{';' if i < len(items) - 1 else '.'}</li>" for i, t in enumerate(items))
        if b.lang == "en":
            intro = f"The total combat losses of the enemy from 24.02.2022 to {d:%d.%m.%Y} are approximately:"
            outro = "<p>The data are being confirmed.</p>"
        else:
            intro = f"Загальні бойові втрати противника з 24.02.22 по {d:%d.%m.%y} орієнтовно склали:"
            outro = "<p>Дані уточнюються.</p>"
        return f"<p>{escape(intro)}</p><ul>{lis}</ul>{outro}"

    def modgov_page(self, b: Bulletin, variant: Variant) -> Page:
        """A server-rendered (Next.js) article page: the figures are in the HTML."""
        title = self.modgov_title(b)
        art = self.article_of.get((b.day, b.lang))
        published = art.published_at if art else f"{b.day.isoformat()}T06:00:00.000Z"
        home = MOD_PREFIX + ("/en" if b.lang == "en" else "")
        html = (
            f'<!DOCTYPE html>\n<html lang="{b.lang}"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><meta property="og:title" content="{escape(title)}">'
            f'<meta property="article:published_time" content="{published}"></head>\n<body>\n'
            f'<div id="__next"><header><a href="{home}">Міністерство оборони України</a></header>\n'
            f"<main><article><h1>{escape(title)}</h1>\n"
            f'<time datetime="{published}">{b.day:%d.%m.%Y}</time>\n'
            f'<div class="article-content">{self.modgov_content(b, variant)}</div>\n'
            f'<a href="{MOD_PREFIX}{MODGOV_TAG_PATH}">{escape(MODGOV_TAG)}</a></article></main></div>\n'
            f'<script id="__NEXT_DATA__" type="application/json">{{"page":"/news/[slug]"}}</script>\n'
            f"</body></html>\n"
        )
        return common.html_page(html, common.http_date(b.day))

    def other_news_page(self, art: Article) -> Page:
        html = (
            f'<!DOCTYPE html>\n<html lang="{art.lang}"><head><meta charset="utf-8"><title>{escape(art.title)}'
            f'</title></head>\n<body><div id="__next"><main><article><h1>{escape(art.title)}</h1>'
            f'<div class="article-content">{self.other_content(art)}</div></article></main></div></body></html>\n'
        )
        return common.html_page(html, common.http_date(art.day))

    @staticmethod
    def other_content(art: Article) -> str:
        if art.lang == "en":
            return "<p>The Minister met partners to discuss air defence (replay: not a loss bulletin).</p>"
        return "<p>Міністр обговорив з партнерами посилення ППО (replay: не зведення втрат).</p>"

    def _build_articles(self) -> None:
        """The search index: every mod.gov.ua bulletin plus other news of the tag, ids by publication."""
        self.articles: dict[str, list[Article]] = {"en": [], "uk": []}
        self.article_of: dict[tuple[date, str], Article] = {}
        self.other_by_path: dict[str, Article] = {}
        next_id = 100_000
        days = [d for d in self.series.order if d >= MOD_SITE_SWITCH]
        for n, day in enumerate(days):
            for lang in ("uk", "en"):
                b = self.bulletins[(day, lang)]
                slug = b.path.split("/news/", 1)[1]
                art = Article(next_id, day, lang, slug, self.modgov_title(b), b)
                next_id += 1
                self.articles[lang].append(art)
                self.article_of[(day, lang)] = art
                if n % MODGOV_OTHER_NEWS_EVERY == 3:
                    slug = (
                        f"minister-met-partners-{day.isoformat()}"
                        if lang == "en"
                        else f"ministr-zustrivsya-z-partneramy-{day.isoformat()}"
                    )
                    title = "The Minister met partners" if lang == "en" else "Міністр зустрівся з партнерами"
                    other = Article(next_id, day, lang, slug, title, None)
                    next_id += 1
                    self.articles[lang].append(other)
                    self.other_by_path[("/en/news/" if lang == "en" else "/news/") + slug] = other
        for items in self.articles.values():
            items.sort(key=lambda a: (a.published_at, a.id), reverse=True)

    def article_href(self, art: Article) -> str:
        if art.bulletin is not None:
            return self.href(art.bulletin)
        return MOD_PREFIX + ("/en/news/" if art.lang == "en" else "/news/") + art.slug

    def search(self, raw: bytes, variant: Variant) -> Page:
        """``POST /lookup/search``: an Elasticsearch query (sort, bool filter on locale/type/tags, from/size)."""
        try:
            q = json.loads(raw.decode("utf-8") or "{}")
            if not isinstance(q, dict):
                raise ValueError("the body is not a JSON object")
            frm, size = int(q.get("from", 0)), int(q.get("size", 10))
            if frm < 0 or size < 0 or frm + size > MODGOV_SEARCH_MAX_WINDOW:
                raise ValueError(
                    f"Result window is too large, from + size must be less than or equal to: "
                    f"[{MODGOV_SEARCH_MAX_WINDOW}] but was [{frm + size}]"
                )
            terms = _es_terms(q.get("query") or {})
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            return common.json_page(
                {"error": {"type": "parsing_exception", "reason": str(exc)}, "status": 400}, None, 400
            )
        locale, kind = terms.get("locale"), terms.get("type")
        tags = terms.get("tags")
        pool = [a for lang in ("uk", "en") if locale in (None, lang) for a in self.articles[lang]]
        if kind not in (None, "news") or (tags is not None and MODGOV_TAG not in tags):
            pool = []
        pool.sort(key=lambda a: (a.published_at, a.id), reverse=True)
        wanted = q.get("_source")
        hits = []
        for art in pool[frm : frm + size]:
            src = {
                "title": art.title,
                "slug": art.slug,
                "publishedAt": art.published_at,
                "locale": art.lang,
                "type": "news",
                "id": art.id,
                "tags": [MODGOV_TAG],
                "content": self.modgov_content(art.bulletin, variant) if art.bulletin else self.other_content(art),
            }
            if isinstance(wanted, list):
                src = {k: v for k, v in src.items() if k in wanted}
            stamp = int(datetime.fromisoformat(art.published_at.replace("Z", "+00:00")).timestamp() * 1000)
            hits.append({"_index": "news", "_id": str(art.id), "_score": None, "_source": src, "sort": [stamp, art.id]})
        reply = {
            "took": 2,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(pool), "relation": "eq"}, "max_score": None, "hits": hits},
        }
        if variant.kind == "redesign":
            reply = {"results": [h["_source"] for h in hits], "count": len(pool)}
        return common.json_page(reply, None)

    def sitemap(self) -> Page:
        """``/sitemap.xml`` (the sitemaps protocol): every article, newest first, with its lastmod."""
        rows = []
        for lang in ("uk", "en"):
            for art in self.articles[lang]:
                rows.append(
                    f"<url><loc>{escape(self.article_href(art))}</loc><lastmod>{art.published_at[:19]}"
                    f"+00:00</lastmod></url>"
                )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n"
        )
        latest = max((a.day for items in self.articles.values() for a in items), default=None)
        return Page(
            200, body.encode("utf-8"), "application/xml; charset=utf-8", common.http_date(latest) if latest else None
        )

    def tag_page(self, page_no: int, variant: Variant) -> Page | None:
        """``/news/tag-vidsich-agresoru``: the tag's Ukrainian articles, 20 a page, ``?page=N``."""
        items = self.articles["uk"]
        pages = max(1, -(-len(items) // TAG_PAGE_SIZE))
        if page_no < 1 or page_no > pages:
            return None
        chunk = items[(page_no - 1) * TAG_PAGE_SIZE : page_no * TAG_PAGE_SIZE]
        cards = "".join(
            f'<a href="{self.article_href(a)}"><time datetime="{a.published_at}">{a.day:%d.%m.%Y}</time>'
            f"<span>{escape(a.title)}</span></a>\n"
            for a in chunk
        )
        if variant.kind == "redesign":
            cards = "".join(f'<button data-id="{a.id}">{escape(a.title)}</button>\n' for a in chunk)
        nxt = (
            f'<a rel="next" href="{MOD_PREFIX}{MODGOV_TAG_PATH}?page={page_no + 1}">&raquo;</a>'
            if page_no < pages
            else ""
        )
        html = (
            f'<!DOCTYPE html>\n<html lang="uk"><head><meta charset="utf-8"><title>{escape(MODGOV_TAG)}'
            f'</title></head>\n<body><div id="__next"><main><h1>{escape(MODGOV_TAG)}</h1>\n{cards}'
            f"<nav>{nxt}</nav></main></div></body></html>\n"
        )
        return common.html_page(html, common.http_date(chunk[0].day) if chunk else None)

    def news_shell(self, lang: str) -> Page:
        """``/news``, ``/en/news``: as on the real site, the list is not in the HTML (the browser fills it
        from the search endpoint)."""
        heading = "News" if lang == "en" else "Новини"
        return common.html_page(
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{heading}'
            f'</title></head>\n<body><div id="__next"><main><h1>{heading}</h1>'
            f'<div class="news-list" data-source="{MOD_PREFIX}{MODGOV_SEARCH_PATH}"></div></main></div>'
            f'<script src="/_next/static/chunks/news.js"></script></body></html>\n',
            None,
        )

    def bulletin_page(self, b: Bulletin, variant: Variant) -> Page:
        if b.site == "mod":
            return self.modgov_page(b, variant)
        figs = common.pick_figures(self.series.days[b.day], MOD_ORDER, variant)
        if variant.kind == "redesign":
            body = common.redesigned_table(b.day, figs, b.lang)
        else:
            pclass = ' class="justifyfull"' if b.lang == "uk" else ""
            body = f"<p{pclass}>{escape(self._intro(b))}</p>\n" + "".join(
                f"<p{pclass}>{escape(line)}</p>\n" for line in self._lines(b, variant)
            )
            closing = (
                "Дані уточнюються. Разом до перемоги!"
                if b.lang == "uk"
                else "The data are being updated. Together to victory!"
            )
            body += f"<p{pclass}>{closing}</p>\n"
        title = self._title(b)
        lm = common.http_date(b.day)
        if b.site == "mil":
            site_name = "Міноборони" if b.lang == "uk" else "Ministry of Defence of Ukraine"
            stamp = (
                f"{b.day:%Y-%m-%d} 09:00:00"
                if b.lang == "en"
                else f"{b.day.day:02d} {MONTHS_UK_GEN[b.day.month - 1]} {b.day.year}, 09:00"
            )
            html = (
                f'<!DOCTYPE html>\n<html lang="{b.lang}"><head><meta charset="utf-8">'
                f"<title>{escape(title)} | {site_name}</title>"
                f'<meta property="og:title" content="{escape(title)}"></head>\n<body>\n'
                f'<div id="header"><a href="{MIL_PREFIX}/{"en/" if b.lang == "en" else ""}">{site_name}</a></div>\n'
                f'<div id="wrapper"><div id="container"><div id="colbase1"><div id="article">\n'
                f'<div id="article_heading"><h1>{escape(title)}</h1>\n'
                f'<span class="aticle-date">{stamp} |</span></div>\n'
                f'<div id="aticle-content">\n{body}<hr size="1">\n</div>\n</div></div></div></div>\n'
                f'<div id="footer">&copy; MoD of Ukraine (replay)</div>\n</body></html>\n'
            )
        else:
            html = (
                f'<!DOCTYPE html>\n<html lang="{b.lang}"><head><meta charset="utf-8">'
                f"<title>{escape(title)} | Міністерство оборони України</title>"
                f'<meta property="og:title" content="{escape(title)}"></head>\n<body>\n'
                f'<header class="site-header"><a class="site-header__logo" href="{MOD_PREFIX}/">МОУ</a></header>\n'
                f'<main class="site-main"><article class="post">\n'
                f'<h1 class="post__title">{escape(title)}</h1>\n'
                f'<div class="post__meta"><time datetime="{b.day.isoformat()}T09:00:00+03:00">'
                f"{b.day:%d.%m.%Y}</time></div>\n"
                f'<div class="post__content">\n{body}</div>\n</article></main>\n'
                f'<footer class="site-footer">&copy; Міністерство оборони України (replay)</footer>\n</body></html>\n'
            )
        return common.html_page(html, lm)

    # -- listings

    def listing_page(self, site: str, lang: str, page_no: int, variant: Variant) -> Page | None:
        items = self.listings[(site, lang)]
        pages = max(1, -(-len(items) // LISTING_PAGE_SIZE))
        if page_no < 1 or page_no > pages:
            return None
        chunk = items[(page_no - 1) * LISTING_PAGE_SIZE : page_no * LISTING_PAGE_SIZE]
        base = (MIL_PREFIX if site == "mil" else MOD_PREFIX) + ("/en/news/" if lang == "en" else "/news/")
        if site == "mod":
            base = base.rstrip("/")
        entries = "".join(
            f'<div class="news-item"><span class="news-date">{b.day:%Y-%m-%d} 09:00</span> '
            f'<a class="news-title" href="{self.href(b)}">{escape(self._title(b))}</a></div>\n'
            for b in chunk
        )
        if variant.kind == "redesign":
            entries = "".join(
                f'<article class="card"><h3>{escape(self._title(b))}</h3>'
                f'<button data-id="{b.day.isoformat()}">&rarr;</button></article>\n'
                for b in chunk
            )
        nav = []
        if page_no > 1:
            nav.append(f'<li class="prev"><a rel="prev" href="{base}?page={page_no - 1}">&laquo;</a></li>')
        nav.append(f'<li class="active"><span>{page_no}</span></li>')
        if page_no < pages:
            nav.append(f'<li class="next"><a rel="next" href="{base}?page={page_no + 1}">&raquo;</a></li>')
        heading = "News" if lang == "en" else "Новини"
        html = (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{heading} | '
            f"{'mil.gov.ua' if site == 'mil' else 'mod.gov.ua'}</title></head>\n<body>\n<h1>{heading}</h1>\n"
            f'<div id="news-list" class="news-list">\n{entries}</div>\n'
            f'<ul class="pagination">{"".join(nav)}</ul>\n</body></html>\n'
        )
        lm = common.http_date(chunk[0].day) if chunk else None
        return common.html_page(html, lm)

    def route(self, site: str, rest: str, query: dict, variant: Variant) -> Page | None:
        if site == "mod":
            page = self.route_modgov(rest, query, variant)
            if page is not None:
                return page
        listing_paths = {"/en/news/": "en", "/news/": "uk"} if site == "mil" else {}
        if rest in listing_paths:
            try:
                page_no = int((query.get("page") or ["1"])[0])
            except ValueError:
                return None
            return self.listing_page(site, listing_paths[rest], page_no, variant)
        key = rest if site == "mil" else rest.rstrip("/")
        b = self.by_path.get((site, key))
        if b is None and site == "mil" and not rest.endswith("/") and (site, rest + "/") in self.by_path:
            return common.redirect(quote(MIL_PREFIX + rest + "/", safe="/-_.~()"))
        return self.bulletin_page(b, variant) if b else None

    def route_modgov(self, rest: str, query: dict, variant: Variant) -> Page | None:
        if rest in ("/news", "/news/", "/en/news", "/en/news/"):
            return self.news_shell("en" if rest.startswith("/en") else "uk")
        if rest == "/sitemap.xml":
            return self.sitemap()
        if rest.rstrip("/") == MODGOV_TAG_PATH:
            try:
                return self.tag_page(int((query.get("page") or ["1"])[0]), variant)
            except ValueError:
                return None
        other = self.other_by_path.get(rest.rstrip("/"))
        return self.other_news_page(other) if other else None


def _es_terms(query: dict) -> dict:
    """``{field: value}`` of the term / terms_set clauses of a bool query (must / filter), as the site sends."""
    out: dict = {}
    if not isinstance(query, dict):
        raise ValueError("query must be an object")
    clauses = []
    b = query.get("bool", {})
    for key in ("must", "filter"):
        part = b.get(key, [])
        clauses += part if isinstance(part, list) else [part]
    if "term" in query or "terms_set" in query:
        clauses.append(query)
    for clause in clauses:
        if not isinstance(clause, dict):
            raise ValueError("a bool clause must be an object")
        for field, value in (clause.get("term") or {}).items():
            out[field] = value.get("value") if isinstance(value, dict) else value
        for field, value in (clause.get("terms_set") or {}).items():
            out[field] = list(value.get("terms", [])) if isinstance(value, dict) else list(value)
        for field, value in (clause.get("terms") or {}).items():
            out[field] = list(value)
    return out
