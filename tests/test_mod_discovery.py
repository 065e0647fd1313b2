"""mod.gov.ua as it really is (issue 10, points 1 and 2): discovery through the site's search API,
then its sitemap, tag page and the 2026 URL patterns, each recorded in raw.fetch.discovered_by; the
parser on the real bulletin shape and on search replies.

Crawls are real (`scrapy crawl` subprocesses over loopback against etl.replay.server.ReplayServer) into a
real, freshly migrated warehouse.  The fixtures in tests/fixtures/parsers/modgov are ours (the shapes
../shared/reference/live-sources.md describes, figures made up).
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest
from helpers import sql as query
from test_spiders import write_snapshot

from etl.domain.model import ParseError
from etl.losses.crawl import CrawlError, crawl
from etl.losses.parsers import mod as modparser
from etl.losses.parsers import parse_document
from etl.replay.server import DEFAULT_DATA_DIR, ReplayServer

FIXTURES = Path(__file__).parent / "fixtures" / "parsers" / "modgov"
SWITCH = date(2024, 10, 7)
SEARCH = "/mod.gov.ua/lookup/search"


def fetch_rows(dsn: str) -> list[tuple]:
    """(url, outcome, discovered_by, document_id, error) of the mod source, in order."""
    return query(
        dsn, "SELECT url, outcome, discovered_by, document_id, error FROM raw.fetch WHERE source = 'mod' ORDER BY id"
    )


def docs(dsn: str, ids) -> list[tuple]:
    rows = query(
        dsn, "SELECT id, url, content_type, body FROM raw.document WHERE id = ANY(%s) ORDER BY id", (list(ids),)
    )
    return [(r[0], r[1], r[2], bytes(r[3])) for r in rows]


def days_by_lang(documents: list[tuple], validate: bool = False) -> dict[str, set[date]]:
    """Days each language's documents carry; with ``validate`` through the whole parser path (the small
    snapshots of test_spiders.write_snapshot have made-up figures beyond some bounds, so not for them)."""
    out: dict[str, set[date]] = {"en": set(), "uk": set()}
    for _id, url, ctype, body in documents:
        lang = "en" if ("locale=en" in url or "/en/news/" in url) else "uk"
        read = parse_document("mod", body, url, ctype) if validate else modparser.parse(body, url, ctype)
        out[lang] |= {o.as_of for o in read}
    return out


def run(srv, db, **kw):
    kw.setdefault("timeout", 300)
    return crawl("mod", run_id=kw.pop("run_id", "t"), base_urls=srv.urls, dsn=db, fast=True, **kw)


def csv_days(path: Path) -> set[date]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {date.fromisoformat(r["as_of"]) for r in csv.DictReader(fh)}


# --------------------------------------------------------------------------- the whole mod.gov.ua era


def test_mod_era_backfill_goes_through_the_search_api_and_loads_every_day(db):
    from etl.losses.load import fetch_documents, load, parse_documents

    data = Path(DEFAULT_DATA_DIR)
    want = {d for d in csv_days(data / "mod.csv") if d >= SWITCH}
    assert min(want) == SWITCH and max(want) == date(2026, 8, 8)
    with ReplayServer(data) as srv:
        res = run(srv, db, date_from=SWITCH, date_to=date(2026, 8, 8), timeout=600)
    assert res.errors == []
    rows = fetch_rows(db)
    # a few dozen requests for ~670 days in two languages, every one a search reply
    assert 10 <= len(rows) <= 40, len(rows)
    assert {r[2] for r in rows} == {"search_api"} and all(r[1] == "new" for r in rows)
    assert all("/lookup/search?search_type=dfs_query_then_fetch#locale=" in r[0] for r in rows)
    got = days_by_lang(docs(db, res.document_ids), validate=True)
    assert got["en"] >= want and got["uk"] >= want
    # and they load: every day the snapshot holds is in core.observation
    conn = psycopg2.connect(db)
    try:
        with conn, conn.cursor() as cur:
            parsed, errors = parse_documents(fetch_documents(cur, sources=["mod"]))
            assert errors == []
            load(cur, parsed)
        with conn.cursor() as cur:
            cur.execute("SELECT DISTINCT as_of FROM core.observation WHERE source = 'mod'")
            loaded = {r[0] for r in cur.fetchall()}
    finally:
        conn.close()
    assert loaded >= want


def test_mod_era_backfill_with_the_search_api_down_falls_back_to_the_sitemap(db):
    data = Path(DEFAULT_DATA_DIR)
    want = {d for d in csv_days(data / "mod.csv") if d >= SWITCH}
    with ReplayServer(data) as srv:
        srv.add_fault(SEARCH, "http500")
        with pytest.raises(CrawlError) as err:
            run(srv, db, date_from=SWITCH, date_to=date(2026, 8, 8), timeout=900)
    e = err.value
    assert "/lookup/search" in e.url and "HTTP 500" in e.problem  # the crawl says what failed
    assert "falling back to the sitemap" in e.result.log_tail or any(
        "falling back to the sitemap" in line for line in e.result.log_tail.splitlines()
    )
    rows = fetch_rows(db)
    assert {r[2] for r in rows if r[3] is not None} == {"sitemap"}
    assert [r[1] for r in rows if r[2] == "search_api"] == ["error", "error"]
    got = days_by_lang(docs(db, e.result.document_ids), validate=True)
    assert got["en"] >= want and got["uk"] >= want


# --------------------------------------------------------------------------- fall-backs (small snapshot)

FIRST, LAST = date(2026, 4, 26), date(2026, 5, 5)


@pytest.fixture
def server(tmp_path: Path):
    d = tmp_path / "replay"
    d.mkdir()
    write_snapshot(d, "mod", date(2026, 4, 20), date(2026, 5, 8))
    with ReplayServer(d) as srv:
        yield srv


def want_days() -> set[date]:
    return {FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)}


def test_small_backfill_uses_two_search_requests(server, db):
    res = run(server, db, date_from=FIRST, date_to=LAST)
    rows = fetch_rows(db)
    assert [r[2] for r in rows] == ["search_api", "search_api"] and res.errors == []
    got = days_by_lang(docs(db, res.document_ids))
    assert got["en"] >= want_days() and got["uk"] >= want_days()


def test_search_failing_falls_back_to_the_sitemap_and_says_so(server, db):
    server.add_fault(SEARCH, "http500")
    with pytest.raises(CrawlError) as err:
        run(server, db, date_from=FIRST, date_to=LAST)
    e = err.value
    assert "/lookup/search" in e.url and "HTTP 500" in e.problem
    assert "search API failed" in e.result.log_tail and "falling back to the sitemap" in e.result.log_tail
    rows = fetch_rows(db)
    assert [r[1] for r in rows if r[2] == "search_api"] == ["error", "error"]
    sitemap = [r for r in rows if r[2] == "sitemap"]
    assert any(r[0].endswith("/sitemap.xml") and r[1] == "navigation" for r in sitemap)
    pages = docs(db, e.result.document_ids)
    assert pages and all("/lookup/search" not in p[1] for p in pages)
    assert all(r[2] == "sitemap" for r in rows if r[3] is not None)
    got = days_by_lang(pages)
    assert got["en"] == want_days() and got["uk"] == want_days()


def test_search_and_sitemap_failing_fall_back_to_the_tag_page_and_the_2026_patterns(server, db):
    server.add_fault(SEARCH, "http500")
    server.add_fault("/mod.gov.ua/sitemap.xml", "http500")
    with pytest.raises(CrawlError) as err:
        run(server, db, date_from=FIRST, date_to=LAST)
    log = err.value.result.log_tail
    assert "falling back to the tag page" in log and "falling back to the URL patterns" in log
    rows = fetch_rows(db)
    by_doc = {r[3]: r[2] for r in rows if r[3] is not None}
    pages = docs(db, err.value.result.document_ids)
    uk = [p for p in pages if "/en/news/" not in p[1]]
    en = [p for p in pages if "/en/news/" in p[1]]
    assert {by_doc[p[0]] for p in uk} == {"tag_page"} and {by_doc[p[0]] for p in en} == {"url_pattern"}
    assert all("total-russian-combat-losses-in-ukraine-as-of-" in p[1] for p in en)
    got = days_by_lang(pages)
    assert got["en"] == want_days() and got["uk"] == want_days()


def test_daily_run_reads_the_newest_bulletins_from_the_search_api(server, db):
    res = run(server, db)
    rows = fetch_rows(db)
    assert [r[2] for r in rows] == ["search_api", "search_api"]
    got = days_by_lang(docs(db, res.document_ids))
    newest = {date(2026, 5, 8) - timedelta(days=i) for i in range(3)}
    assert got["en"] >= newest and got["uk"] >= newest


def test_the_pattern_fallback_never_guesses_before_2026(server, db):
    from scrapers.spiders.mod import pattern_from, pattern_path, slug_day

    assert pattern_from("en") == date(2026, 1, 1) and pattern_from("uk") == date(2026, 1, 20)
    assert (
        pattern_path("mod", "en", date(2026, 5, 1))
        == "/en/news/total-russian-combat-losses-in-ukraine-as-of-may-1-2026"
    )
    assert slug_day("/news/boiovi-vtraty-voroha-na-9-bereznia-2026-roku") == date(2026, 3, 9)
    assert slug_day("/en/news/total-russian-combat-losses-in-ukraine-as-of-july-12-2026") == date(2026, 7, 12)
    assert slug_day("/news/zagalni-bojovi-vtrati-rosiyan-za-dobu-1160-osib-7-rszv-ta-14-tankiv") is None


# --------------------------------------------------------------------------- the replay's search endpoint


def post(url: str, body: dict | bytes) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_replay_search_endpoint_pages_by_locale_and_tag(server):
    from scrapers.spiders.mod import search_query

    url = server.urls["mod"] + "/lookup/search?search_type=dfs_query_then_fetch"
    status, reply = post(url, search_query("en", 0, 5))
    assert status == 200
    hits = reply["hits"]["hits"]
    assert len(hits) == 5 and reply["hits"]["total"]["value"] > 19
    src = hits[0]["_source"]
    assert set(src) == {"title", "slug", "publishedAt", "locale", "type", "id", "content", "tags"}
    assert src["locale"] == "en" and src["slug"] == "total-russian-combat-losses-in-ukraine-as-of-may-8-2026"
    assert "<li>approximately " in src["content"] and "persons;</li>" in src["content"]
    dates = [h["_source"]["publishedAt"] for h in hits]
    assert dates == sorted(dates, reverse=True)
    _, page2 = post(url, search_query("en", 5, 5))
    assert page2["hits"]["hits"][0]["_source"]["publishedAt"] < dates[-1]
    # other news of the tag is in the index too (the parser passes over it)
    _, everything = post(url, search_query("uk", 0, 100))
    titles = [h["_source"]["title"] for h in everything["hits"]["hits"]]
    assert any(not modparser.is_bulletin_article(t, "") for t in titles)
    assert post(url, b"{not json")[0] == 400
    assert post(url, search_query("uk", 9990, 20))[0] == 400  # past the result window


# --------------------------------------------------------------------------- the parser on the real shapes


def test_real_english_bulletin_shape():
    url = "https://mod.gov.ua/en/news/total-russian-combat-losses-in-ukraine-as-of-may-4-2026"
    obs = {o.category: o for o in parse_document("mod", (FIXTURES / "en-2026-05-04.html").read_bytes(), url)}
    assert {o.as_of for o in obs.values()} == {date(2026, 5, 4)}
    p = obs["personnel"]
    assert (p.cumulative, p.increase, p.qualifier) == (1_391_950, 1_290, "about")
    assert (obs["tanks"].cumulative, obs["tanks"].increase) == (12_026, 1)
    assert obs["air_defense"].cumulative == 1_350 and obs["drones"].cumulative == 300_100
    assert obs["ships_boats"].cumulative == 33 and obs["mlrs"].cumulative == 1_700  # hyphen as the dash
    assert (obs["ground_robots"].cumulative, obs["ground_robots"].increase) == (15, 5)  # "unmanned ground vehicles"
    assert len(obs) == 15


def test_real_ukrainian_bulletin_shape():
    url = "https://mod.gov.ua/news/bojovi-vtrati-voroga-na-4-travnya-2026-roku"
    obs = {o.category: o for o in parse_document("mod", (FIXTURES / "uk-2026-05-04.html").read_bytes(), url)}
    assert {o.as_of for o in obs.values()} == {date(2026, 5, 4)}
    assert (obs["personnel"].cumulative, obs["personnel"].qualifier) == (1_391_950, "about")
    assert obs["armored_vehicles"].cumulative == 24_900 and obs["cruise_missiles"].cumulative == 4_100
    assert obs["ground_robots"].cumulative == 15 and obs["submarines"].cumulative == 2
    assert len(obs) == 15


def reply(*sources: dict) -> bytes:
    return json.dumps(
        {"hits": {"total": {"value": len(sources)}, "hits": [{"_source": s} for s in sources]}}, ensure_ascii=False
    ).encode()


def article(day: date, content: str, lang: str = "uk", title: str | None = None) -> dict:
    return {
        "title": title or f"Бойові втрати ворога на {day.day} травня {day.year} року",
        "slug": f"bojovi-vtrati-voroga-na-{day.day}-travnya-{day.year}-roku",
        "locale": lang,
        "publishedAt": f"{day.isoformat()}T06:00:00.000Z",
        "type": "news",
        "content": content,
    }


SEARCH_URL = "https://mod.gov.ua/lookup/search?search_type=dfs_query_then_fetch#locale=uk&from=0&size=50"


def body_of(fixture: str) -> str:
    html = (FIXTURES / fixture).read_text(encoding="utf-8")
    return html[html.index("<p>") : html.index("</ul>") + 5]


def test_search_reply_carries_many_bulletins_and_skips_other_news():
    content = body_of("uk-2026-05-04.html")
    other = dict(title="Міністр зустрівся з партнерами", slug="ministr", locale="uk", content="<p>Новина без цифр.</p>")
    other["publishedAt"] = "2026-05-04T08:00:00.000Z"
    day5 = content.replace("по 04.05.26", "по 05.05.26").replace("12 026 (+1)", "12 030 (+4)")
    obs = parse_document(
        "mod",
        reply(article(date(2026, 5, 5), day5), other, article(date(2026, 5, 4), content)),
        SEARCH_URL,
        "application/json; charset=utf-8",
    )
    by = {(o.as_of, o.category): o.cumulative for o in obs}
    assert by[(date(2026, 5, 4), "tanks")] == 12_026 and by[(date(2026, 5, 5), "tanks")] == 12_030
    assert {o.as_of for o in obs} == {date(2026, 5, 4), date(2026, 5, 5)}


def test_a_bad_bulletin_in_a_search_reply_is_refused_naming_the_article():
    content = body_of("uk-2026-05-04.html").replace("12 026 (+1)", "12 0x6 (+1)")
    with pytest.raises(ParseError) as err:
        parse_document("mod", reply(article(date(2026, 5, 4), content)), SEARCH_URL, "application/json")
    e = err.value
    assert e.source == "mod" and e.url == SEARCH_URL and e.field == "category:tanks"
    assert "bojovi-vtrati-voroga-na-4-travnya-2026-roku" in e.problem
    with pytest.raises(ParseError, match="hits.hits"):
        parse_document("mod", b'{"results": []}', SEARCH_URL, "application/json")
    with pytest.raises(ParseError, match="no loss bulletin among the search hits"):
        parse_document("mod", reply({"title": "x", "slug": "y", "content": "<p>z</p>"}), SEARCH_URL, "application/json")


def test_english_search_reply_dates_by_title_when_no_period_is_stated():
    content = body_of("en-2026-05-04.html")
    src = article(date(2026, 5, 4), content, "en", "Total Russian combat losses in Ukraine as of May 4, 2026")
    src["publishedAt"] = "2026-05-03T22:30:00.000Z"  # 01:30 in Kyiv on the 4th
    obs = parse_document("mod", reply(src), SEARCH_URL.replace("uk", "en"), "application/json")
    assert {o.as_of for o in obs} == {date(2026, 5, 4)} and len(obs) == 15


def test_the_last_resort_guesses_both_2026_slug_families(db):
    """Search, sitemap and tag page all failing: the 2026 patterns, the second family on a 404."""
    lo, hi = date(2026, 3, 7), date(2026, 3, 10)  # 2026-03-09 is a "boiovi-vtraty-voroha" day
    with ReplayServer(DEFAULT_DATA_DIR) as srv:
        for path in (SEARCH, "/mod.gov.ua/sitemap.xml", "/mod.gov.ua/news/tag-vidsich-agresoru"):
            srv.add_fault(path, "http500")
        with pytest.raises(CrawlError) as err:
            run(srv, db, date_from=lo, date_to=hi)
        want_urls = {srv.bulletin_url(lo + timedelta(days=i), lang) for i in range(4) for lang in ("en", "uk")}
    pages = docs(db, err.value.result.document_ids)
    assert {srv.base_url + p[1][len(srv.base_url) :] for p in pages} == want_urls
    assert any("boiovi-vtraty-voroha-na-9-bereznia-2026-roku" in p[1] for p in pages)
    rows = fetch_rows(db)
    assert {r[2] for r in rows if r[3] is not None} == {"url_pattern"}
    got = days_by_lang(pages, validate=True)
    days = {lo + timedelta(days=i) for i in range(4)}
    assert got["en"] == days and got["uk"] == days


@pytest.mark.realdata
def test_the_2026_patterns_give_the_real_ukrainian_slugs(shared_dir):
    """Against the sourceUri of every 2026 row of lod-db/orc-losses: the two 2026 families give the real
    URL on all days but the one-offs (a typo'd year, repeats with "-1")."""
    from scrapers.spiders.mod import pattern_from, pattern_path, pattern_path_alt

    rows = json.loads((shared_dir / "reference" / "datasets" / "orc-losses" / "russian-losses.json").read_text())
    real = {
        date.fromisoformat(r["date"][:10]): r["sourceUri"].split("mod.gov.ua", 1)[1]
        for r in rows
        if "mod.gov.ua/news/" in (r.get("sourceUri") or "")
    }
    days = [d for d in real if d >= pattern_from("uk")]
    assert len(days) > 200
    hit = [d for d in days if real[d] in (pattern_path("mod", "uk", d), pattern_path_alt(d))]
    missed = sorted(set(days) - set(hit))
    assert len(hit) >= len(days) - 4, missed
    assert all(real[d].endswith("-1") or "-2020-" in real[d] for d in missed), [real[d] for d in missed]
