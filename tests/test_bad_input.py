"""Bad documents: mutations of real pages (../shared, read at test time) and of the replay's pages
(fetched from a ReplayServer on loopback), for all three sources, each with its exact outcome.

Every case is either *refused* - a ParseError naming source, URL and field, with the problem's key
words - or *read* exactly: the observations of the unmutated page (harmless mutations), or the
figures the case names.  Nothing of the real pages is copied here: each case names a short anchor
(a label and its figure, a date) to find in the page and what to put in its place, at test time.

The validation step is etl/losses/parsers/validate.py; docs/bad-input.md describes every class.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from etl.domain.model import ParseError
from etl.losses.parsers import parse_document
from etl.losses.parsers.validate import BOUNDS

REPO = Path(__file__).resolve().parents[1]
HUGE = "1" + "0" * 30  # 10^30
URLS = {
    "mod_en": "https://www.mil.gov.ua/en/news/2022/05/20/the-total-combat-losses-of-the-enemy-from-24-02-to-20-05/",
    "mod_uk": "https://www.mil.gov.ua/news/2022/07/08/vtrati-rosijskih-okupantiv/",
    "minfin_main": "https://index.minfin.com.ua/ua/russian-invading/casualties/",
    "minfin_month": "https://index.minfin.com.ua/ua/russian-invading/casualties/2022-02/",
    "rw_v1": "https://russianwarship.rip/api/v1/statistics?offset=50&limit=50",
}
# The real pages, below ../shared/reference/pages.
REAL_FILES = {
    "mod_en": "mil.gov.ua/en-2022/combat-losses-2022-05-20.html",
    "mod_en_next": "mil.gov.ua/en-2022/combat-losses-2022-05-21.html",
    # the 2022-07-08 bulletin (see etl.losses.parsers.mod)
    "mod_uk": "mil.gov.ua/uk-2022/combat-losses-2022-08-07.html",
    "minfin_main": "index.minfin.com.ua/ua-casualties-main-2023-05-15.html",
    "minfin_month": "index.minfin.com.ua/ua-casualties-2022-02-month.html",
    "rw_v1": "russianwarship.rip/v1_statistics_offset50_limit50.json",
}
SOURCE_OF = {
    "mod_en": "mod",
    "mod_uk": "mod",
    "minfin_main": "minfin",
    "minfin_month": "minfin",
    "rw_v1": "russianwarship",
}
HTML_UTF8 = "text/html; charset=utf-8"
SERVED = "as served"  # a case's Content-Type: the page's own (HTML_UTF8, application/json); None: no header


# ----------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Refused:
    field: str
    words: tuple[str, ...] = ()

    def __init__(self, field: str, *words: str):
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "words", words)


@dataclass(frozen=True)
class Same:
    """Read exactly: the observations of the unmutated document."""


@dataclass(frozen=True)
class Reads:
    """Read, and these (day, category) -> (cumulative, increase) hold; every other observation unchanged."""

    figures: dict


def sub(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    """Replace the first ``count`` occurrences of ``old`` (which must be there)."""

    def mutate(text: str) -> str:
        assert text.count(old) >= count, f"anchor {old!r} not in the page (the page changed?)"
        return text.replace(old, new, count)

    mutate.__name__ = f"sub({old!r} -> {new[:40]!r})"
    return mutate


def huge_total(name: str, fixture: str, printed: str, number: str, field: str, *bound: str) -> tuple:
    """A case: the page's ``number`` (where it prints ``printed``) becomes 10^30; refused as out of bounds
    (naming the bound where ``bound`` is given)."""
    mutate = sub(printed, printed.replace(number, HUGE))
    return name, fixture, mutate, SERVED, Refused(field, f"total {HUGE} out of bounds", *bound)


def assert_refused(exc: ParseError, source: str, url: str, outcome: Refused) -> None:
    line = str(exc)
    assert (exc.source, exc.url, exc.field) == (source, url, outcome.field), line
    assert line.startswith(f"{source}: {url}: {outcome.field}: "), line
    assert "\n" not in line, line
    for word in outcome.words:
        assert word in exc.problem, f"{word!r} not in {line!r}"


def check(source: str, body: bytes, url: str, content_type: str | None, outcome, original=None):
    if isinstance(outcome, Refused):
        with pytest.raises(ParseError) as exc:
            parse_document(source, body, url, content_type)
        assert_refused(exc.value, source, url, outcome)
        return None
    got = parse_document(source, body, url, content_type)
    if isinstance(outcome, Same):
        assert got == original
    else:
        expected = {(o.as_of, o.category): o for o in original}
        for key, (cumulative, increase) in outcome.figures.items():
            expected[key] = replace(expected[key], cumulative=cumulative, increase=increase)
        assert {(o.as_of, o.category): o for o in got} == expected
        assert len(got) == len(original)
    return got


# ----------------------------------------------------------------------------------- real pages


@pytest.fixture(scope="module")
def real(shared_dir):
    pages = shared_dir / "reference" / "pages"
    return {key: (pages / rel).read_bytes() for key, rel in REAL_FILES.items()}


def _real(real, key: str):
    source = SOURCE_OF[key]
    return source, real[key], URLS[key], "application/json" if source == "russianwarship" else HTML_UTF8


def to_cp1251(text: str) -> bytes:
    """The page as a windows-1251 server would send it (characters it lacks become character references)."""
    return text.encode("windows-1251", errors="xmlcharrefreplace")


D0520, D0708, D0515 = date(2022, 5, 20), date(2022, 7, 8), date(2023, 5, 15)
REAL_CASES = [
    # --- mod, English mil.gov.ua page of 2022-05-20 ("tanks ‒ 1263 (+9)")
    (
        "mod-minus-sign",
        "mod_en",
        sub("tanks ‒ 1263", "tanks ‒ -1263"),
        SERVED,
        Refused("category:tanks", "negative total -1263"),
    ),
    (
        "mod-unicode-minus",
        "mod_en",
        sub("tanks ‒ 1263", "tanks ‒ \u22121263"),
        SERVED,
        Refused("category:tanks", "negative total -1263"),
    ),
    huge_total("mod-10^30", "mod_en", "tanks ‒ 1263", "1263", "category:tanks", "100,000"),
    (
        "mod-5000-digits",
        "mod_en",
        sub("tanks ‒ 1263", "tanks ‒ 1" + "0" * 4999),
        SERVED,
        Refused("category:tanks", "5000 digits out of bounds"),
    ),
    (
        "mod-increase-above-total",
        "mod_en",
        sub("1263 (+9)", "1263 (+800000)"),
        SERVED,
        Refused("category:tanks", "increase +800000 exceeds the total 1263"),
    ),
    (
        "mod-dated-2030",
        "mod_en",
        sub("2022-05-20 05:45", "2030-05-20 05:45"),
        SERVED,
        Refused("as_of", "future date 2030-05-20"),
    ),
    (
        "mod-dated-before-the-war",
        "mod_en",
        sub("2022-05-20 05:45", "2021-05-20 05:45"),
        SERVED,
        Refused("as_of", "2021-05-20", "before the war"),
    ),
    (
        "mod-same-category-twice",
        "mod_en",
        sub("<p>tanks ‒ 1263 (+9),</p>", "<p>tanks ‒ 1263 (+9),</p><p>tanks ‒ 1270 (+16),</p>"),
        SERVED,
        Refused("category:tanks", "two different bulletins for 2022-05-20", "1263 (+9)", "1270 (+16)"),
    ),
    (
        "mod-same-line-twice",
        "mod_en",
        sub("<p>tanks ‒ 1263 (+9),</p>", "<p>tanks ‒ 1263 (+9),</p>" * 2),
        SERVED,
        Same(),
    ),
    ("mod-nbsp-thousands", "mod_en", sub("about 28700", "about 28\u00a0700"), SERVED, Same()),
    (
        "mod-extra-whitespace",
        "mod_en",
        sub("<p>tanks ‒ 1263 (+9),</p>", "<p>\n   tanks \t‒\n  1263   ( +9 ) ,\n</p>"),
        SERVED,
        Same(),
    ),
    ("mod-en-dash", "mod_en", sub("tanks ‒ 1263", "tanks – 1263"), SERVED, Same()),
    ("mod-dash-entity", "mod_en", sub("tanks ‒ 1263", "tanks &#8210; 1263"), SERVED, Same()),
    ("mod-doubled-dash", "mod_en", sub("tanks ‒ 1263", "tanks -- 1263"), SERVED, Same()),
    ("mod-article-container-renamed", "mod_en", sub('<div id="aticle-content">', '<div id="story">'), SERVED, Same()),
    (
        "mod-changed-figure",
        "mod_en",
        sub("tanks ‒ 1263 (+9)", "tanks ‒ 1264 (+10)"),
        SERVED,
        Reads({(D0520, "tanks"): (1264, 10)}),
    ),
    (
        "mod-utf8-served-as-windows-1251",
        "mod_en",
        None,
        "text/html; charset=windows-1251",
        Refused("encoding", "Content-Type header declares charset windows-1251 but the body is UTF-8"),
    ),
    (
        "mod-unknown-charset",
        "mod_en",
        None,
        "text/html; charset=x-klingon",
        Refused("encoding", "unknown charset 'x-klingon'"),
    ),
    # --- mod, Ukrainian mil.gov.ua page of 2022-07-08 ("танків ‒ 1637 (+35) од")
    (
        "mod-uk-minus-sign",
        "mod_uk",
        sub("танків ‒ 1637", "танків ‒ -1637"),
        SERVED,
        Refused("category:tanks", "negative total -1637"),
    ),
    (
        "mod-uk-increase-above-total",
        "mod_uk",
        sub("1637 (+35)", "1637 (+35000)"),
        SERVED,
        Refused("category:tanks", "increase +35000 exceeds the total 1637"),
    ),
    (
        "mod-uk-dated-2030",
        "mod_uk",
        sub("08 липня 2022", "08 липня 2030"),
        SERVED,
        Refused("as_of", "future date 2030-07-08"),
    ),
    (
        "mod-uk-windows-1251-served-as-utf-8",
        "mod_uk",
        to_cp1251,
        HTML_UTF8,
        Refused("encoding", "Content-Type header declares charset utf-8 but the body is not valid utf-8"),
    ),
    (
        "mod-uk-windows-1251-under-a-utf-8-meta",
        "mod_uk",
        to_cp1251,
        None,
        Refused("encoding", "the page's <meta> declares charset UTF-8 but the body is not valid UTF-8"),
    ),
    (
        "mod-uk-windows-1251-declared",
        "mod_uk",
        lambda t: to_cp1251(t.replace("charset=UTF-8", "charset=windows-1251")),
        None,
        Same(),
    ),
    # --- minfin, main page of 2023-05-15 (45 days; "Танки&nbsp;&mdash; 3759 <small>(+3)</small>")
    (
        "minfin-minus-sign",
        "minfin_main",
        sub("Танки&nbsp;&mdash; 3759", "Танки&nbsp;&mdash; -3759"),
        SERVED,
        Refused("category:tanks", "negative total -3759"),
    ),
    huge_total("minfin-10^30", "minfin_main", "Танки&nbsp;&mdash; 3759", "3759", "category:tanks"),
    (
        "minfin-increase-above-total",
        "minfin_main",
        sub("3759 <small>(+3)</small>", "3759 <small>(+800000)</small>"),
        SERVED,
        Refused("category:tanks", "increase +800000 exceeds the total 3759"),
    ),
    (
        "minfin-dated-2030",
        "minfin_main",
        sub("<span class='black'>15.05.2023</span>", "<span class='black'>15.05.2030</span>"),
        SERVED,
        Refused("as_of", "future date 2030-05-15"),
    ),
    ("minfin-nbsp-thousands", "minfin_main", sub("близько 199460", "близько 199&nbsp;460"), SERVED, Same()),
    ("minfin-en-dash", "minfin_main", sub("Танки&nbsp;&mdash; 3759", "Танки&nbsp;&ndash; 3759"), SERVED, Same()),
    (
        "minfin-windows-1251-under-a-utf-8-meta",
        "minfin_main",
        to_cp1251,
        None,
        Refused("encoding", "the page's <meta> declares charset utf-8 but the body is not valid utf-8"),
    ),
    (
        "minfin-utf8-served-as-latin-1",
        "minfin_main",
        None,
        "text/html; charset=iso-8859-1",
        Refused("encoding", "declares charset iso-8859-1 but the body is UTF-8"),
    ),
    # --- minfin, month page 2022-02 (first days of the war: "до 80", "более 30")
    (
        "minfin-month-dated-before-the-war",
        "minfin_month",
        sub("<span class='black'>24.02.2022</span>", "<span class='black'>23.02.2022</span>"),
        SERVED,
        Refused("as_of", "2022-02-23", "before the war"),
    ),
    (
        "minfin-month-minus-after-qualifier",
        "minfin_month",
        sub("Танки&nbsp;&mdash; до 80", "Танки&nbsp;&mdash; до -80"),
        SERVED,
        Refused("category:tanks", "negative total -80"),
    ),
    # --- russianwarship, real v1 list reply (records from 2022-04-17, tanks 773; 4-space indented)
    (
        "rw-duplicated-key",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": 9999, "tanks": 773,'),
        SERVED,
        Refused("category:tanks", "duplicated key 'tanks'", "9999 and 773"),
    ),
    (
        "rw-float-1e30",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": 1e30,'),
        SERVED,
        Refused("category:tanks", "tanks is a float (1e30), not an integer"),
    ),
    (
        "rw-float-integral",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": 773.0,'),
        SERVED,
        Refused("category:tanks", "tanks is a float (773.0)"),
    ),
    ("rw-nan", "rw_v1", sub('"tanks": 773,', '"tanks": NaN,'), SERVED, Refused("category:tanks", "float (NaN)")),
    (
        "rw-boolean",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": true,'),
        SERVED,
        Refused("category:tanks", "tanks is a boolean (true), not an integer"),
    ),
    (
        "rw-negative",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": -773,'),
        SERVED,
        Refused("category:tanks", "negative total -773"),
    ),
    (
        "rw-negative-string",
        "rw_v1",
        sub('"tanks": 773,', '"tanks": "-773",'),
        SERVED,
        Refused("category:tanks", "negative total -773"),
    ),
    huge_total("rw-10^30", "rw_v1", '"tanks": 773,', "773", "category:tanks"),
    (
        "rw-date-as-number",
        "rw_v1",
        sub('"date": "2022-04-17"', '"date": 20220417'),
        SERVED,
        Refused("date", "the date is a number (20220417)"),
    ),
    (
        "rw-dated-2027-01-15",
        "rw_v1",
        sub('"date": "2022-04-17"', '"date": "2027-01-15"'),
        SERVED,
        Refused("as_of", "future date 2027-01-15"),
    ),
    (
        "rw-day-twice",
        "rw_v1",
        sub('"date": "2022-04-18"', '"date": "2022-04-17"'),
        SERVED,
        Refused("date", "2022-04-17 appears twice"),
    ),
    ("rw-numeric-string", "rw_v1", sub('"tanks": 773,', '"tanks": "773",'), SERVED, Same()),
    ("rw-compact-json", "rw_v1", lambda t: json.dumps(json.loads(t), separators=(",", ":")), SERVED, Same()),
    ("rw-two-replies-glued", "rw_v1", lambda t: t + t, SERVED, Refused("page", "not JSON", "Extra data")),
]


@pytest.mark.realdata
@pytest.mark.parametrize(
    "key, mutate, content_type, outcome", [c[1:] for c in REAL_CASES], ids=[c[0] for c in REAL_CASES]
)
def test_real_page_mutation(real, key, mutate, content_type, outcome):
    source, body, url, ct = _real(real, key)
    original = parse_document(source, body, url, ct)
    if mutate is not None:
        mutated = mutate(body.decode("utf-8"))
        body = mutated if isinstance(mutated, bytes) else mutated.encode("utf-8")
    check(source, body, url, ct if content_type == SERVED else content_type, outcome, original)


def _article_body(page: str) -> str:
    start = page.index('<div id="aticle-content">')
    return page[start : page.index("<hr", start)]


@pytest.mark.realdata
def test_real_mod_two_pages_glued(real):
    """Two bulletins (2022-05-20 and 05-21) concatenated: the second page is seen, not dropped."""
    body = real["mod_en"] + real["mod_en_next"]
    check(
        "mod", body, URLS["mod_en"], HTML_UTF8, Refused("as_of", "two different bulletins", "2022-05-20", "2022-05-21")
    )


@pytest.mark.realdata
def test_real_mod_next_days_article_glued_into_the_body(real):
    """The 05-21 article body pasted into the 05-20 one: two intros, two periods."""
    page, nxt = real["mod_en"].decode(), real["mod_en_next"].decode()
    anchor = _article_body(page)
    glued = page.replace(anchor, anchor + _article_body(nxt).replace('<div id="aticle-content">', "<div>"), 1)
    check(
        "mod",
        glued.encode(),
        URLS["mod_en"],
        HTML_UTF8,
        Refused("as_of", "two different bulletins", "periods ending 2022-05-20 and 2022-05-21"),
    )


@pytest.mark.realdata
def test_real_mod_same_page_twice_reads_once(real):
    original = parse_document("mod", real["mod_en"], URLS["mod_en"], HTML_UTF8)
    check("mod", real["mod_en"] * 2, URLS["mod_en"], HTML_UTF8, Same(), original)


@pytest.mark.realdata
def test_real_minfin_two_pages_glued_with_a_different_day(real):
    page = real["minfin_main"].decode()
    other = page.replace("Танки&nbsp;&mdash; 3759", "Танки&nbsp;&mdash; 3760", 1)
    check(
        "minfin",
        (page + other).encode(),
        URLS["minfin_main"],
        HTML_UTF8,
        Refused("date", "two different bulletins for 2023-05-15"),
    )


@pytest.mark.realdata
def test_real_minfin_main_and_month_pages_glued_read_both(real):
    """Main page + month page: they overlap on 2023-05-15 with the same figures, so both are read."""
    main = parse_document("minfin", real["minfin_main"], URLS["minfin_main"], HTML_UTF8)
    month = parse_document("minfin", real["minfin_month"], URLS["minfin_month"], HTML_UTF8)
    got = parse_document("minfin", real["minfin_main"] + real["minfin_month"], URLS["minfin_main"], HTML_UTF8)
    assert set(got) == set(main) | set(month)
    assert len(got) == len(set(main) | set(month)) == len(main) + len(month) - 13  # 2023-05-15 once


@pytest.mark.realdata
def test_real_tomorrow_on_the_real_clock(real, monkeypatch):
    """A russianwarship record dated tomorrow (in Kyiv, by the clock) is a future date."""
    from etl.domain.calendar import kyiv_today

    monkeypatch.delenv("ATTRITION_TODAY", raising=False)
    tomorrow = kyiv_today() + timedelta(days=1)
    body = sub('"date": "2022-04-17"', f'"date": "{tomorrow.isoformat()}"')(real["rw_v1"].decode()).encode()
    check(
        "russianwarship",
        body,
        URLS["rw_v1"],
        "application/json",
        Refused("as_of", f"future date {tomorrow.isoformat()}", f"today in Kyiv is {kyiv_today().isoformat()}"),
    )


# ----------------------------------------------------------------------------------- replay pages


@pytest.fixture(scope="module")
def replay():
    from etl.replay.server import ReplayServer

    with ReplayServer() as srv:
        yield srv


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read(), resp.headers.get("Content-Type")


LAST = date(2026, 8, 8)  # the bundled snapshot's last day
REPLAY_PAGES = {
    # key -> (source, how to find the page on the server)
    "mod_gov_en": ("mod", lambda s: s.bulletin_url(LAST, "en")),
    "mod_gov_uk": ("mod", lambda s: s.bulletin_url(LAST, "uk")),
    "mil_en_2023": ("mod", lambda s: s.bulletin_url(D0515, "en")),
    "minfin_ua": ("minfin", lambda s: s.urls["minfin"] + "/ua/russian-invading/casualties/"),
    "rw_day": ("russianwarship", lambda s: s.urls["russianwarship"] + f"/api/v2/statistics/{LAST.isoformat()}"),
    "rw_list": ("russianwarship", lambda s: s.urls["russianwarship"] + "/api/v2/statistics?offset=0&limit=3"),
}

REPLAY_CASES = [
    (
        "replay-mod-minus-sign",
        "mod_gov_en",
        sub("tanks ‒ 12\u00a0251", "tanks ‒ -12251"),
        SERVED,
        Refused("category:tanks", "negative total -12251"),
    ),
    huge_total(
        "replay-mod-uk-personnel-10^30",
        "mod_gov_uk",
        "близько 1 456 610",
        "1 456 610",
        "category:personnel",
        "10,000,000",
    ),
    ("replay-mod-uk-nbsp-thousands", "mod_gov_uk", sub("танків ‒ 12\u00a0251", "танків ‒ 12 251"), SERVED, Same()),
    (
        "replay-mil-increase-above-total",
        "mil_en_2023",
        sub("3759 (+3)", "3759 (+800000)"),
        SERVED,
        Refused("category:tanks", "increase +800000 exceeds the total 3759"),
    ),
    (
        "replay-mil-dated-2027-01-15",
        "mil_en_2023",
        lambda t: t.replace("2023-05-15 09:00:00", "2027-01-15 09:00:00").replace("15.05.2023", "15.01.2027"),
        SERVED,
        Refused("as_of", "future date 2027-01-15"),
    ),
    (
        "replay-minfin-minus-sign",
        "minfin_ua",
        sub("Танки&nbsp;&mdash; 12251", "Танки&nbsp;&mdash; -12251"),
        SERVED,
        Refused("category:tanks", "negative total -12251"),
    ),
    (
        "replay-minfin-dated-2030",
        "minfin_ua",
        sub('<span class="black">08.08.2026</span>', '<span class="black">08.08.2030</span>'),
        SERVED,
        Refused("as_of", "future date 2030-08-08"),
    ),
    (
        "replay-minfin-dash-entity",
        "minfin_ua",
        sub("Танки&nbsp;&mdash; 12251", "Танки&nbsp;&#8212; 12251"),
        SERVED,
        Same(),
    ),
    (
        "replay-minfin-served-as-koi8-r",
        "minfin_ua",
        None,
        "text/html; charset=koi8-r",
        Refused("encoding", "declares charset koi8-r but the body is UTF-8"),
    ),
    (
        "replay-rw-increase-above-total",
        "rw_day",
        sub('"increase":{"personnel_units":1190,"tanks":4,', '"increase":{"personnel_units":1190,"tanks":800000,'),
        SERVED,
        Refused("category:tanks", "increase +800000 exceeds the total 12251"),
    ),
    (
        "replay-rw-duplicated-key",
        "rw_day",
        sub('"tanks":12251,', '"tanks":9999,"tanks":12251,'),
        SERVED,
        Refused("category:tanks", "duplicated key 'tanks'", "9999 and 12251"),
    ),
    (
        "replay-rw-dated-2027-01-15",
        "rw_day",
        sub('"date":"2026-08-08"', '"date":"2027-01-15"'),
        SERVED,
        Refused("as_of", "future date 2027-01-15"),
    ),
    (
        "replay-rw-float",
        "rw_day",
        sub('"ground_robotic_systems":2162', '"ground_robotic_systems":2162.5'),
        SERVED,
        Refused("category:ground_robots", "ground_robotic_systems is a float (2162.5)"),
    ),
    (
        "replay-rw-list-boolean",
        "rw_list",
        sub('"tanks":80', '"tanks":false'),
        SERVED,
        Refused("category:tanks", "tanks is a boolean (false)"),
    ),
    (
        "replay-rw-list-date-as-number",
        "rw_list",
        sub('"date":"2022-02-25"', '"date":20220225'),
        SERVED,
        Refused("date", "the date is a number (20220225)"),
    ),
]


@pytest.mark.parametrize(
    "key, mutate, content_type, outcome", [c[1:] for c in REPLAY_CASES], ids=[c[0] for c in REPLAY_CASES]
)
def test_replay_page_mutation(replay, key, mutate, content_type, outcome):
    source, where = REPLAY_PAGES[key]
    url = where(replay)
    body, served_as = fetch(url)
    original = parse_document(source, body, url, served_as)
    if mutate is not None:
        body = mutate(body.decode("utf-8")).encode("utf-8")
    check(source, body, url, served_as if content_type == SERVED else content_type, outcome, original)


def test_replay_tomorrow_by_attrition_today(replay, monkeypatch):
    """ATTRITION_TODAY is today in Kyiv for the check: the snapshot's last day is then tomorrow."""
    monkeypatch.setenv("ATTRITION_TODAY", (LAST - timedelta(days=1)).isoformat())
    for key in ("mod_gov_en", "minfin_ua", "rw_day"):
        source, where = REPLAY_PAGES[key]
        url = where(replay)
        body, served_as = fetch(url)
        check(source, body, url, served_as, Refused("as_of", "future date 2026-08-08", "(today in Kyiv is 2026-08-07)"))


def test_replay_tomorrow_on_the_real_clock(replay, monkeypatch):
    from etl.domain.calendar import kyiv_today

    monkeypatch.delenv("ATTRITION_TODAY", raising=False)
    tomorrow = kyiv_today() + timedelta(days=1)
    url = replay.bulletin_url(D0515, "en")
    page = fetch(url)[0].decode()
    page = page.replace("2023-05-15 09:00:00", f"{tomorrow:%Y-%m-%d} 09:00:00").replace(
        "15.05.2023", f"{tomorrow:%d.%m.%Y}"
    )
    check("mod", page.encode(), url, HTML_UTF8, Refused("as_of", f"future date {tomorrow.isoformat()}"))


def test_replay_mod_two_bulletins_glued(replay):
    url = replay.bulletin_url(LAST, "en")
    body = fetch(replay.bulletin_url(LAST - timedelta(days=1), "en"))[0] + fetch(url)[0]
    check("mod", body, url, HTML_UTF8, Refused("as_of", "two different bulletins", "2026-08-07", "2026-08-08"))


def test_replay_unknown_stats_key_is_read_past_when_b_is_merged(replay):
    """Helper B's part of issue 11: an unknown stats key is read past (and reported), not a refusal."""
    url = replay.urls["russianwarship"] + f"/api/v2/statistics/{LAST.isoformat()}"
    body, served_as = fetch(url)
    original = parse_document("russianwarship", body, url, served_as)
    mutated = body.decode().replace('"tanks":12251,', '"tanks":12251,"laser_cannons":3,', 1).encode()
    try:
        got = parse_document("russianwarship", mutated, url, served_as)
    except ParseError as exc:
        if exc.field == "label:laser_cannons":
            pytest.skip("an unknown stats key is still refused: helper B's read-past is not merged")
        raise
    assert got == original


# ----------------------------------------------------------------------------------- the CLI and the load


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name",
    [
        "mod-minus-sign",
        "rw-float-1e30",
        "minfin-dated-2030",
        "mod-uk-windows-1251-served-as-utf-8",
        "rw-duplicated-key",
    ],
)
def test_cli_prints_one_line_and_exits_1(real, tmp_path, name):
    from helpers import run_cli

    _, key, mutate, content_type, outcome = next(c for c in REAL_CASES if c[0] == name)
    source, body, url, ct = _real(real, key)
    mutated = mutate(body.decode("utf-8"))
    path = tmp_path / "document"
    path.write_bytes(mutated if isinstance(mutated, bytes) else mutated.encode("utf-8"))
    args = ["parse", "--source", source, "--url", url]
    if content_type is not None:
        args += ["--content-type", ct if content_type == SERVED else content_type]
    proc = run_cli(*args, str(path), check=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"attrition: {source}: {url}: {outcome.field}: "), lines[0]
    assert all(w in lines[0] for w in outcome.words), lines[0]


def test_cli_glued_replay_bulletins(replay, tmp_path):
    from helpers import run_cli

    url = replay.bulletin_url(LAST, "en")
    path = tmp_path / "glued.html"
    path.write_bytes(fetch(replay.bulletin_url(LAST - timedelta(days=1), "en"))[0] + fetch(url)[0])
    proc = run_cli("parse", "--source", "mod", "--url", url, str(path), check=False)
    assert (proc.returncode, proc.stdout) == (1, ""), proc.stderr
    assert proc.stderr.splitlines() == [
        f"attrition: mod: {url}: as_of: two different bulletins in one document: "
        "periods ending 2026-08-07 and 2026-08-08"
    ]


def test_a_total_of_10_30_is_refused_before_the_load_with_an_alert(replay, fresh_db):
    """The load no longer dies in 'bigint out of range': the document is refused by name, nothing of it
    is loaded, the raw document stays archived and a parse_failure alert says which source, URL and field."""
    import contextlib

    import psycopg2

    from etl.losses.ingest import IngestError, ingest
    from etl.warehouse.migrate import migrate
    from etl.warehouse.raw_archive import store_document

    migrate(fresh_db)
    url = replay.urls["russianwarship"] + f"/api/v2/statistics/{LAST.isoformat()}"
    body = fetch(url)[0].decode().replace('"tanks":12251,', f'"tanks":{HUGE},', 1).encode()
    with contextlib.closing(psycopg2.connect(fresh_db)) as conn, conn, conn.cursor() as cur:
        doc_id = store_document(cur, "russianwarship", url, body, content_type="application/json; charset=utf-8")[0]
    with pytest.raises(IngestError) as exc:
        ingest([doc_id], dsn=fresh_db, run_id="test-bad-input")
    assert f"russianwarship: {url}: category:tanks: total {HUGE} out of bounds" in str(exc.value)
    assert "bigint" not in str(exc.value)
    with contextlib.closing(psycopg2.connect(fresh_db)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM core.observation")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM raw.document WHERE id = %s", (doc_id,))
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT kind, details->>'source', details->>'url', details->>'field' FROM quality.alert")
        assert cur.fetchall() == [("parse_failure", "russianwarship", url, "category:tanks")]


# ----------------------------------------------------------------------------------- the bounds table


def test_bounds_table_in_docs_matches_the_code():
    text = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\|\s*`(\w+)`\s*\|\s*([\d,]+)\s*\|", text, re.MULTILINE))
    assert {code: int(n.replace(",", "")) for code, n in rows.items()} == BOUNDS


@pytest.mark.realdata
def test_the_bounds_are_far_above_every_reference_figure(shared_dir):
    """Real figures never trip a bound: at least 5x the largest a reference dataset carries."""
    path = shared_dir / "reference" / "datasets" / "2022-Ukraine-Russia-War-Dataset"
    from tests.test_parsers_realdata import PETRO_EQUIPMENT

    largest: dict[str, int] = {}
    for row in json.loads((path / "russia_losses_equipment.json").read_text()):
        for key, code in PETRO_EQUIPMENT.items():
            if isinstance(row.get(key), int):
                largest[code] = max(largest.get(code, 0), row[key])
    for row in json.loads((path / "russia_losses_personnel.json").read_text()):
        largest["personnel"] = max(largest.get("personnel", 0), int(row["personnel"]))
        if isinstance(row.get("POW"), int):
            largest["pow"] = max(largest.get("pow", 0), row["POW"])
    assert set(largest) <= set(BOUNDS)
    for code, n in largest.items():
        assert n * 5 <= BOUNDS[code], (code, n, BOUNDS[code])


@pytest.mark.realdata
@pytest.mark.parametrize(
    "key, source, outcome",
    [
        ("rw_v1", "mod", Refused("page", "no loss lines")),  # a JSON reply archived as a mod page
        ("rw_v1", "minfin", Refused("page", "no 'ul.see-also > li.gold' day blocks")),
        ("mod_en", "russianwarship", Refused("page", "not JSON")),
        ("minfin_main", "mod", Refused("as_of", "no date")),  # 45 days of lines, but no bulletin date
    ],
    ids=["json-as-mod", "json-as-minfin", "html-as-russianwarship", "minfin-as-mod"],
)
def test_a_document_of_another_source_is_refused(real, key, source, outcome):
    check(source, real[key], URLS[key], HTML_UTF8, outcome)


@pytest.mark.realdata
def test_a_malformed_attrition_today_is_a_setting_error_not_a_traceback(real, tmp_path):
    from helpers import run_cli

    path = tmp_path / "page.html"
    path.write_bytes(real["mod_en"])
    proc = run_cli("parse", "--source", "mod", str(path), env={"ATTRITION_TODAY": "tomorrow"}, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines() == [
        "attrition: setting ATTRITION_TODAY='tomorrow' is not a date like 2026-08-08; "
        "set ATTRITION_TODAY to a date like 2026-08-08 or unset it for the default"
    ]
