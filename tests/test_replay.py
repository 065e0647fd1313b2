"""The offline replay server (etl/replay/server.py) and the bundled snapshot (etl/replay/snapshot.py, data/replay).

Real HTTP over loopback with urllib; never the internet.  Server tests use small CSVs written here;
tests reading ../shared are marked realdata.
"""

from __future__ import annotations

import csv
import json
import socket
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from parsel import Selector

from etl.domain import categories
from etl.domain.categories import BY_CODE, petro_labels
from etl.replay import snapshot
from etl.replay.server import MINFIN_LABELS, MOD_LABELS, ReplayServer, load_series, mil_en_path

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "replay"


# --------------------------------------------------------------------------- helpers


def fetch(url: str, headers: dict | None = None, timeout: float = 10, method: str = "GET", data: bytes | None = None):
    """(status, headers, body) for any status; 304/404/500 come back as values, not exceptions."""
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def day_rows(day: str, figures: dict[str, int]) -> list[list]:
    return [[day, code, n] for code, n in figures.items()]


BASE = {
    "personnel": 1000,
    "tanks": 100,
    "armored_vehicles": 200,
    "artillery": 50,
    "mlrs": 20,
    "air_defense": 10,
    "aircraft": 30,
    "helicopters": 25,
    "drones": 40,
    "ships_boats": 5,
    "special_equipment": 8,
}


def later(figs: dict[str, int], step: int) -> dict[str, int]:
    return {code: n + step * ((i + 1) % 3) for i, (code, n) in enumerate(figs.items())}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A tiny snapshot: pre-merge days, post-merge days, a gap in mod, an explicit increase column in minfin."""
    old = {**BASE, "military_vehicles": 1400, "fuel_tanks": 76, "srbm_launchers": 4}
    new = {k: v for k, v in BASE.items()} | {"vehicles_fuel_tanks": 1800, "cruise_missiles": 84}
    # minfin and russianwarship both cover the merge of 2022-05-01
    across_merge = day_rows("2022-04-29", old) + day_rows("2022-04-30", later(old, 1)) + day_rows("2022-05-01", new)
    minfin = across_merge + day_rows("2022-05-02", later(new, 2)) + day_rows("2022-06-10", later(new, 5))
    # explicit increase for one row; the others are blank (computed)
    minfin = [r + [""] for r in minfin]
    for r in minfin:
        if r[0] == "2022-05-02" and r[1] == "tanks":
            r[3] = 7
    write_csv(tmp_path / "minfin.csv", ["as_of", "category", "cumulative", "increase"], minfin)
    mod = (
        day_rows("2022-04-26", {k: v for k, v in old.items() if k != "pow"})
        + day_rows("2022-12-31", later(new, 3))
        + day_rows("2023-01-15", later(new, 4))
        + day_rows("2023-03-08", later(new, 5))
        # gap 2023-03-09 .. 2024-10-06
        + day_rows("2024-10-07", later(new, 6) | {"submarines": 1})
        + day_rows("2026-08-22", later(new, 7) | {"submarines": 2, "ground_robots": 900})
    )
    write_csv(tmp_path / "mod.csv", ["as_of", "category", "cumulative"], mod)
    write_csv(
        tmp_path / "mod_urls.csv",
        ["as_of", "url"],
        [
            ["2022-04-26", "https://www.mil.gov.ua/news/2022/04/26/vtrati-okupantiv-stanovlyat-(test)-–-genshtab/"],
            ["2026-08-22", "https://mod.gov.ua/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku"],
        ],
    )
    rw = across_merge + day_rows("2022-05-02", later(new, 1)) + day_rows("2022-05-03", later(new, 2))
    write_csv(tmp_path / "russianwarship.csv", ["as_of", "category", "cumulative"], rw)
    return tmp_path


@pytest.fixture
def server(data_dir: Path):
    with ReplayServer(data_dir) as srv:
        yield srv


def text_of(sel) -> str:
    return "".join(sel.css("::text").getall()).replace("\xa0", " ")


# --------------------------------------------------------------------------- snapshot loading


def test_increase_is_the_difference_to_the_previous_day_in_the_file(data_dir: Path):
    s = load_series(data_dir / "minfin.csv", "minfin")
    assert s.days[date(2022, 4, 29)]["tanks"].increase is None  # first day: nothing to print
    assert s.days[date(2022, 4, 30)]["tanks"].increase == s.days[date(2022, 4, 30)]["tanks"].cumulative - 100
    assert s.days[date(2022, 5, 2)]["tanks"].increase == 7  # the explicit column wins
    assert s.days[date(2022, 5, 1)]["vehicles_fuel_tanks"].increase is None  # absent the day before
    m = load_series(data_dir / "mod.csv", "mod")
    # across the gap: the previous day present in the file
    assert m.days[date(2024, 10, 7)]["tanks"].increase == (
        m.days[date(2024, 10, 7)]["tanks"].cumulative - m.days[date(2023, 3, 8)]["tanks"].cumulative
    )


def test_bad_csv_is_refused(tmp_path: Path):
    write_csv(tmp_path / "minfin.csv", ["as_of", "category", "cumulative"], [["2022-05-01", "tankz", 1]])
    with pytest.raises(ValueError, match="tankz"):
        load_series(tmp_path / "minfin.csv", "minfin")
    write_csv(tmp_path / "mod.csv", ["as_of", "cumulative"], [["2022-05-01", 1]])
    with pytest.raises(ValueError, match="category"):
        load_series(tmp_path / "mod.csv", "mod")


@pytest.mark.parametrize("lang", ["ua", "en"])
def test_minfin_labels_resolve_to_their_category(lang):
    for code, (label, _title) in MINFIN_LABELS[lang].items():
        assert categories.resolve(label, "minfin") == code, label


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_mod_labels_resolve_to_their_category(lang):
    for code, (label, _dash, _unit) in MOD_LABELS[lang].items():
        assert categories.resolve(label, "mod") == code, label


def test_mil_slug_tail_changes_on_2023_01_01_and_2023_03_03():
    assert mil_en_path(date(2022, 8, 8)).endswith(
        "/2022/08/08/the-total-combat-losses-of-the-enemy-from-24-02-to-08-08/"
    )
    assert mil_en_path(date(2022, 12, 31)).endswith("-from-24-02-to-31-12/")
    assert mil_en_path(date(2023, 1, 3)).endswith(
        "/2023/01/03/the-total-combat-losses-of-the-enemy-from-24-02-22-to-03-01-23/"
    )
    assert mil_en_path(date(2023, 3, 2)).endswith("-from-24-02-22-to-02-03-23/")
    assert mil_en_path(date(2023, 3, 8)).endswith(
        "/2023/03/08/the-total-combat-losses-of-the-enemy-from-24-02-2022-to-08-03-2023/"
    )


# --------------------------------------------------------------------------- minfin


def minfin_days(body: bytes) -> dict[str, dict[str, str]]:
    sel = Selector(text=body.decode("utf-8"))
    out = {}
    for li in sel.css("ul.see-also > li.gold"):
        label = li.css("span.black::text").get()
        out[label] = {text_of(item): item.css("small::text").get() for item in li.css("div.casualties li")}
    return out


def test_minfin_main_page_lists_days_newest_first_in_the_site_structure(server):
    status, headers, body = fetch(server.urls["minfin"] + "/ua/russian-invading/casualties/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["ETag"] and headers["Last-Modified"]
    days = list(minfin_days(body))
    assert days == ["10.06.2022", "02.05.2022", "01.05.2022", "30.04.2022", "29.04.2022", "Див. також:"]
    page = minfin_days(body)
    s = load_series(server.data_dir / "minfin.csv", "minfin")
    tanks = s.days[date(2022, 5, 2)]["tanks"]
    assert f"Танки — {tanks.cumulative} (+7)" in page["02.05.2022"]
    assert page["02.05.2022"][f"Танки — {tanks.cumulative} (+7)"] == "(+7)"
    personnel = s.days[date(2022, 5, 2)]["personnel"]
    line = next(t for t in page["02.05.2022"] if t.startswith("Особовий склад"))
    assert line == f"Особовий склад — близько {personnel.cumulative} осіб (+{personnel.increase})"
    # the first day prints no "(+N)", nor does a day without change
    assert all(small is None for small in page["29.04.2022"].values())
    unchanged = [code for code, f in s.days[date(2022, 5, 2)].items() if f.increase == 0]
    assert unchanged
    label = MINFIN_LABELS["ua"][unchanged[0]][0]
    assert any(t.startswith(label + " —") and small is None for t, small in page["02.05.2022"].items())
    # old categories before the merge, their labels as printed
    assert any(t.startswith("Цистерни з ПММ — 76") for t in page["29.04.2022"])


def test_minfin_month_page_starts_with_the_latest_day(server):
    status, _, body = fetch(server.urls["minfin"] + "/en/russian-invading/casualties/2022-04/")
    assert status == 200
    assert list(minfin_days(body)) == ["10.06.2022", "30.04.2022", "29.04.2022", "See also:"]
    assert any(t.startswith("Tanks — ") for t in minfin_days(body)["30.04.2022"])
    assert fetch(server.urls["minfin"] + "/en/russian-invading/casualties/2021-01/")[0] == 404
    assert fetch(server.urls["minfin"] + "/ua/russian-invading/casualties/2023-13/")[0] == 404


def test_minfin_main_page_links_the_months_it_does_not_show_whole(tmp_path: Path):
    rows = []
    for i in range(60):
        d = date.fromordinal(date(2023, 1, 1).toordinal() + i)
        rows += day_rows(d.isoformat(), later(BASE, i))
    write_csv(tmp_path / "minfin.csv", ["as_of", "category", "cumulative"], rows)
    with ReplayServer(tmp_path) as srv:
        _, _, body = fetch(srv.urls["minfin"] + "/ua/russian-invading/casualties/")
        sel = Selector(text=body.decode())
        assert len(sel.css("ul.see-also > li.gold span.black::text").getall()) == 45 + 1
        hrefs = sel.css("div.ajaxmonth a::attr(href)").getall()
        assert hrefs == ["russian-invading/casualties/2023-01/"]  # Feb/Mar 2023 are whole on the page
        assert sel.css("base::attr(href)").get() == "/index.minfin.com.ua/ua/"
        assert fetch(srv.base_url + "/index.minfin.com.ua/ua/" + hrefs[0])[0] == 200


# --------------------------------------------------------------------------- mod


def bulletin_lines(body: bytes) -> list[str]:
    sel = Selector(text=body.decode("utf-8"))
    return [text_of(p) for p in sel.css("#aticle-content > p, .article-content > p, .article-content li")]


def test_mod_english_bulletin_on_mil_gov_ua(server):
    url = server.urls["mod_mil"] + "/en/news/2023/01/15/the-total-combat-losses-of-the-enemy-from-24-02-22-to-15-01-23/"
    assert server.bulletin_url(date(2023, 1, 15), "en") == url
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    s = load_series(server.data_dir / "mod.csv", "mod")
    f = s.days[date(2023, 1, 15)]
    lines = bulletin_lines(body)
    assert lines[0] == "The total combat losses of the enemy from 24.02.22 to 15.01.23 were approximately:"
    assert lines[1] == (
        f"personnel ‒ about {f['personnel'].cumulative} (+{f['personnel'].increase}) persons were liquidated,"
    )
    assert f"tanks ‒ {f['tanks'].cumulative} (+{f['tanks'].increase})," in lines
    assert f"artillery systems – {f['artillery'].cumulative} (+{f['artillery'].increase})," in lines
    assert lines[-2].endswith(".") and lines[-2].startswith("special equipment ‒ ")
    # the first day in the file prints no increase; old categories before the merge
    first = bulletin_lines(fetch(server.bulletin_url(date(2022, 4, 26), "en"))[2])
    assert "tanks ‒ 100," in first and "fuel tanks ‒ 76," in first and "vehicles ‒ 1400," in first
    assert first[-2] == "mobile SRBM system ‒ 4."


def test_mod_ukrainian_bulletin_uses_the_real_slug(server):
    url = server.bulletin_url(date(2022, 4, 26), "uk")
    assert url.startswith(
        server.urls["mod_mil"] + "/news/2022/04/26/vtrati-okupantiv-stanovlyat-(test)-%E2%80%93-genshtab/"
    )
    status, _, body = fetch(url)
    assert status == 200
    lines = bulletin_lines(body)
    assert lines[1] == "особового складу ‒ близько 1000 осіб,"
    assert "танків ‒ 100 од," in lines
    # the real host name works too (www.mil.gov.ua), as does the unencoded dash
    assert fetch(url.replace("/mil.gov.ua/", "/www.mil.gov.ua/"))[0] == 200
    # mod.gov.ua since 2024-10-07: real slug from mod_urls.csv, generated otherwise
    assert (
        server.bulletin_url(date(2026, 8, 22), "uk")
        == server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku"
    )
    assert (
        server.bulletin_url(date(2024, 10, 7), "uk")
        == server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-7-zhovtnya-2024-roku"
    )
    status, _, body = fetch(server.bulletin_url(date(2026, 8, 22), "uk"))
    lines = bulletin_lines(body)
    # mod.gov.ua's real shape: one <li> per figure, ";" between items, "." after the last
    assert status == 200 and "підводні човни ‒ 2 (+1) од;" in lines
    assert lines[-2] == "наземні робототехнічні комплекси ‒ 900 од."  # first day of the category in the file
    status, _, body = fetch(server.bulletin_url(date(2026, 8, 22), "en"))
    assert status == 200 and bulletin_lines(body)[0].startswith(
        "The total combat losses of the enemy from 24.02.2022 to 22.08.2026"
    )


def test_mod_unknown_day_is_404(server):
    assert fetch(server.urls["mod_mil"] + mil_en_path(date(2023, 5, 1)))[0] == 404  # in the gap
    assert (
        fetch(server.urls["mod_mil"] + "/en/news/2023/01/15/the-total-combat-losses-of-the-enemy-from-24-02-to-15-01/")[
            0
        ]
        == 404
    )
    assert fetch(server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-8-zhovtnya-2024-roku")[0] == 404


def test_mod_gov_ua_news_page_holds_no_list(server):
    """As on the real site, mod.gov.ua's news list is not in the HTML (the search API fills it)."""
    for path in ("/news", "/en/news"):
        status, _, body = fetch(server.urls["mod"] + path)
        assert status == 200 and not any(
            "/news/" in h for h in Selector(text=body.decode()).css("a::attr(href)").getall()
        )


@pytest.mark.parametrize("site,path,lang", [("mod_mil", "/en/news/", "en"), ("mod_mil", "/news/", "uk")])
def test_mod_listing_pages_chain_to_every_bulletin(server, site, path, lang, monkeypatch):
    monkeypatch.setattr("etl.replay.mod.LISTING_PAGE_SIZE", 2)
    found, url, pages = [], server.urls[site] + path, 0
    while url:
        status, _, body = fetch(url)
        assert status == 200
        sel = Selector(text=body.decode())
        found += [server.base_url + h for h in sel.css("#news-list .news-item a.news-title::attr(href)").getall()]
        nxt = sel.css("ul.pagination a[rel=next]::attr(href)").get()
        url = server.base_url + nxt if nxt else None
        pages += 1
    s = load_series(server.data_dir / "mod.csv", "mod")
    cutoff = date(2024, 10, 7)
    expected = [server.bulletin_url(d, lang) for d in reversed(s.order) if (d < cutoff) == (site == "mod_mil")]
    assert found == expected
    assert pages == max(1, -(-len(expected) // 2))
    for u in found:
        assert fetch(u)[0] == 200
    assert fetch(server.urls[site] + path + "?page=99")[0] == 404


# --------------------------------------------------------------------------- russianwarship


def test_russianwarship_day_latest_and_unknown(server):
    rw = server.urls["russianwarship"] + "/api/v2/statistics"
    status, headers, body = fetch(rw + "/2022-05-02")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    doc = json.loads(body)
    assert set(doc) == {"message", "data"}
    rec = doc["data"]
    s = load_series(server.data_dir / "russianwarship.csv", "russianwarship")
    f = s.days[date(2022, 5, 2)]
    assert rec["date"] == "2022-05-02" and rec["day"] == 68 and rec["resource"]
    assert rec["stats"]["tanks"] == f["tanks"].cumulative and rec["increase"]["tanks"] == f["tanks"].increase
    assert rec["stats"]["personnel_units"] == f["personnel"].cumulative
    assert rec["stats"]["vehicles_fuel_tanks"] == f["vehicles_fuel_tanks"].cumulative
    assert rec["stats"]["submarines"] == 0  # not reported yet: the API prints 0
    # frozen at the last SRBM count after the merge
    assert rec["stats"]["atgm_srbm_systems"] == s.days[date(2022, 4, 30)]["srbm_launchers"].cumulative
    assert json.loads(fetch(rw + "/latest")[2])["data"]["date"] == "2022-05-03"
    status, _, body = fetch(rw + "/2022-05-10")
    assert status == 404 and json.loads(body)["data"] is None
    assert fetch(rw + "/not-a-date")[0] == 404


def test_russianwarship_forces_old_categories_before_may_2022(server):
    rec = json.loads(fetch(server.urls["russianwarship"] + "/api/v2/statistics/2022-04-30")[2])["data"]
    s = load_series(server.data_dir / "russianwarship.csv", "russianwarship")
    f = s.days[date(2022, 4, 30)]
    # vehicles + fuel tanks, as in the real replies (2022-04-30: 1777 = 1701 + 76)
    assert rec["stats"]["vehicles_fuel_tanks"] == f["military_vehicles"].cumulative + f["fuel_tanks"].cumulative
    assert rec["stats"]["atgm_srbm_systems"] == f["srbm_launchers"].cumulative
    assert rec["stats"]["cruise_missiles"] == 0
    assert f["fuel_tanks"].cumulative not in rec["stats"].values()  # the API has no fuel-tank field of its own


def test_russianwarship_paging_follows_next_url_to_the_end(server):
    url = server.urls["russianwarship"] + "/api/v2/statistics?offset=0&limit=2"
    dates, totals = [], set()
    while url:
        status, _, body = fetch(url)
        assert status == 200
        data = json.loads(body)["data"]
        dates += [r["date"] for r in data["records"]]
        totals.add(data["paging"]["total"])
        url = data["paging"]["next_url"]
    assert dates == ["2022-04-29", "2022-04-30", "2022-05-01", "2022-05-02", "2022-05-03"]
    assert totals == {5}
    status, _, body = fetch(
        server.urls["russianwarship"] + "/api/v2/statistics?limit=1&date_from=2022-04-30&date_to=2022-05-02"
    )
    data = json.loads(body)["data"]
    assert data["paging"]["total"] == 3 and data["records"][0]["date"] == "2022-04-30"
    assert "date_from=2022-04-30" in data["paging"]["next_url"] and "offset=1" in data["paging"]["next_url"]
    assert fetch(server.urls["russianwarship"] + "/api/v2/statistics?limit=0")[0] == 400
    assert fetch(server.urls["russianwarship"] + "/api/v2/statistics?date_from=yesterday")[0] == 400


# --------------------------------------------------------------------------- conditional GET


@pytest.mark.parametrize(
    "path",
    [
        "/index.minfin.com.ua/ua/russian-invading/casualties/",
        "/index.minfin.com.ua/en/russian-invading/casualties/2022-05/",
        "/mil.gov.ua/en/news/2023/03/08/the-total-combat-losses-of-the-enemy-from-24-02-2022-to-08-03-2023/",
        "/mil.gov.ua/en/news/",
        "/mod.gov.ua/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku",
        "/russianwarship.rip/api/v2/statistics/2022-05-01",
        "/russianwarship.rip/api/v2/statistics?limit=2",
    ],
)
def test_conditional_get_answers_304(server, path):
    status, headers, body = fetch(server.base_url + path)
    assert status == 200 and body
    assert "charset=utf-8" in headers["Content-Type"]
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(server.base_url + path)[1]["ETag"] == etag  # stable
    status, headers304, body304 = fetch(server.base_url + path, {"If-None-Match": etag})
    assert status == 304 and body304 == b""
    assert fetch(server.base_url + path, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(server.base_url + path, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(server.base_url + path, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    # If-None-Match wins over If-Modified-Since
    assert fetch(server.base_url + path, {"If-None-Match": '"other"', "If-Modified-Since": last_modified})[0] == 200


# --------------------------------------------------------------------------- faults

MINFIN_MAIN = "/index.minfin.com.ua/ua/russian-invading/casualties/"
RW_DAY = "/russianwarship.rip/api/v2/statistics/2022-05-02"


def test_fault_http500_by_api_then_recovers(server):
    server.add_fault(MINFIN_MAIN, "http500", times=2)
    assert fetch(server.base_url + MINFIN_MAIN)[0] == 500
    assert fetch(server.base_url + MINFIN_MAIN)[0] == 500
    assert fetch(server.base_url + MINFIN_MAIN)[0] == 200
    assert server.list_faults() == []


def test_fault_by_query_flag_and_control_endpoint(server):
    assert fetch(server.base_url + RW_DAY + "?_fault=http500")[0] == 500
    assert fetch(server.base_url + RW_DAY)[0] == 200
    spec = json.dumps({"path": "/mil.gov.ua/*", "kind": "http500"}).encode()
    status, _, body = fetch(
        server.urls["control"] + "/faults", {"Content-Type": "application/json"}, method="POST", data=spec
    )
    assert status == 201 and json.loads(body)["faults"][0]["kind"] == "http500"
    assert fetch(server.urls["mod_mil"] + "/en/news/")[0] == 500
    assert fetch(server.urls["mod"] + "/news")[0] == 200  # other prefixes untouched
    assert json.loads(fetch(server.urls["control"] + "/faults")[2])["faults"][0]["path"] == "/mil.gov.ua/*"
    assert fetch(server.urls["control"] + "/faults", method="DELETE")[0] == 200
    assert fetch(server.urls["mod_mil"] + "/en/news/")[0] == 200
    bad = json.dumps({"path": "/x", "kind": "explode"}).encode()
    assert fetch(server.urls["control"] + "/faults", method="POST", data=bad)[0] == 400


def test_fault_hang_times_out_the_client(server):
    server.add_fault(RW_DAY, "hang", hang_seconds=30)
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(server.base_url + RW_DAY, timeout=0.5).read()
    server.clear_faults()
    assert fetch(server.base_url + RW_DAY)[0] == 200


def test_fault_oversize_and_empty(server):
    server.add_fault(MINFIN_MAIN, "oversize", size=3_000_000, times=1)
    status, headers, body = fetch(server.base_url + MINFIN_MAIN)
    assert status == 200 and int(headers["Content-Length"]) == 3_000_000 and len(body) == 3_000_000
    assert body.startswith(b"<!DOCTYPE html>")
    server.add_fault(RW_DAY, "empty", times=1)
    status, headers, body = fetch(server.base_url + RW_DAY)
    assert status == 200 and body == b"" and headers["Content-Type"].startswith("application/json")


def test_fault_redesign(server):
    _, _, body = fetch(server.base_url + MINFIN_MAIN + "?_fault=redesign")
    assert minfin_days(body) == {"Див. також:": {}} and b"losses-v2" in body
    _, _, body = fetch(server.bulletin_url(date(2023, 1, 15)) + "?_fault=redesign")
    assert bulletin_lines(body) == [] and b"stat-card" in body
    _, _, body = fetch(server.base_url + RW_DAY + "?_fault=redesign")
    assert "data" not in json.loads(body)


def test_fault_missing_category_and_garbled_number(server):
    _, _, body = fetch(server.base_url + MINFIN_MAIN + "?_fault=missing&_category=tanks")
    assert not any(t.startswith("Танки") for day in minfin_days(body).values() for t in day)
    assert any(t.startswith("ББМ") for t in minfin_days(body)["02.05.2022"])
    server.add_fault(server.bulletin_url(date(2023, 1, 15))[len(server.base_url) :], "garbled", category="tanks")
    lines = bulletin_lines(fetch(server.bulletin_url(date(2023, 1, 15)))[2])
    tanks = next(line for line in lines if line.startswith("tanks ‒ "))
    assert "O" in tanks.split("‒")[1]
    rec = json.loads(fetch(server.base_url + RW_DAY + "?_fault=missing&_category=personnel")[2])["data"]
    assert "personnel_units" not in rec["stats"] and "tanks" in rec["stats"]
    rec = json.loads(fetch(server.base_url + RW_DAY + "?_fault=garbled&_category=tanks")[2])["data"]
    assert isinstance(rec["stats"]["tanks"], str) and "O" in rec["stats"]["tanks"]


def test_head_and_unknown_paths(server):
    status, headers, body = fetch(server.base_url + MINFIN_MAIN, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert fetch(server.base_url + "/nowhere/")[0] == 404
    assert fetch(server.base_url + "/")[0] == 200
    status, headers, _ = fetch(server.base_url + MINFIN_MAIN.rstrip("/"))
    assert status == 200  # urllib followed the 301 to the canonical URL with the slash


# --------------------------------------------------------------------------- the bundled snapshot


def read_long(path: Path) -> dict[tuple[str, str], int]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {(r["as_of"], r["category"]): int(r["cumulative"]) for r in csv.DictReader(fh)}


def read_completed(path: Path) -> dict[tuple[str, str, str], int]:
    """completed.csv as {(source, as_of, category): cumulative}; every row says where it came from."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["source", "as_of", "category", "cumulative", "taken_from"]
        rows = list(reader)
    assert {r["taken_from"] for r in rows} <= {"hand-kept dataset"}
    return {(r["source"], r["as_of"], r["category"]): int(r["cumulative"]) for r in rows}


@pytest.fixture(scope="module")
def built(shared_dir, tmp_path_factory):
    from etl.replay.snapshot import build_snapshot

    out = tmp_path_factory.mktemp("snapshot")
    summaries = build_snapshot(shared_dir, out)
    return out, summaries


@pytest.mark.realdata
def test_bundled_snapshot_is_what_the_builder_makes(built):
    out, _ = built
    for name in ("minfin.csv", "mod.csv", "russianwarship.csv", "mod_urls.csv", "completed.csv", "SOURCES.md"):
        assert (BUNDLED / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.realdata
def test_snapshot_keeps_the_minfin_typos(built):
    out, summaries = built
    rows = read_long(out / "minfin.csv")
    assert rows[("2024-12-10", "vehicles_fuel_tanks")] == 31937
    assert rows[("2023-08-29", "vehicles_fuel_tanks")] == 7409
    assert rows[("2024-09-24", "vehicles_fuel_tanks")] == 15175
    assert rows[("2023-04-23", "special_equipment")] == 399
    assert rows[("2024-08-26", "tanks")] == 8581
    # the date column counts, not the shifted day column
    assert rows[("2025-11-09", "personnel")] == 1151070
    assert rows[("2026-08-08", "personnel")] == 1456610
    # 2026-08-09..22 lack ground robotic systems in every series: left out, and said so
    assert ("2026-08-22", "personnel") not in rows
    left_out = summaries["minfin"].left_out
    assert sorted(left_out) == [date(2026, 8, d) for d in range(9, 23)]
    assert all([code for code, _ in left_out[d]] == ["ground_robots"] for d in left_out)


@pytest.mark.realdata
def test_snapshot_keeps_the_mod_gap(built):
    out, summaries = built
    days = sorted({d for d, _ in read_long(out / "mod.csv")})
    assert "2023-07-22" in days and "2023-12-20" in days
    assert not [d for d in days if "2023-07-22" < d < "2023-12-20"]
    assert (date(2023, 7, 22), date(2023, 12, 20)) in summaries["mod"].gaps
    assert days[0] == "2022-02-27" and days[-1] == "2026-08-08"
    assert sorted(summaries["mod"].left_out) == [date(2026, 8, d) for d in range(9, 23)]
    with (out / "mod_urls.csv").open(newline="", encoding="utf-8") as fh:
        urls = {r["as_of"]: r["url"] for r in csv.DictReader(fh)}
    assert set(urls) == set(days)
    assert urls["2026-08-08"] == "https://mod.gov.ua/news/bojovi-vtrati-voroga-na-8-serpnya-2026-roku"


@pytest.mark.realdata
def test_snapshot_categories_only_within_their_validity(built):
    out, _ = built
    for source in ("minfin", "mod", "russianwarship"):
        for day, code in read_long(out / f"{source}.csv"):
            assert BY_CODE[code].valid_on(date.fromisoformat(day)), (source, day, code)
    rw = read_long(out / "russianwarship.csv")
    assert rw[("2022-04-27", "pow")] and ("2022-04-28", "pow") not in rw
    assert rw[("2022-04-30", "military_vehicles")] and rw[("2022-04-30", "fuel_tanks")]
    assert rw[("2022-04-30", "srbm_launchers")] == 4
    assert ("2022-05-01", "military_vehicles") not in rw and rw[("2022-05-01", "vehicles_fuel_tanks")]
    mod = read_long(out / "mod.csv")
    assert mod[("2022-04-30", "military_vehicles")] == 1701  # unarmoredVehicles before the merge
    assert ("2022-04-30", "vehicles_fuel_tanks") not in mod
    assert mod[("2022-04-30", "fuel_tanks")] == rw[("2022-04-30", "fuel_tanks")] == 76  # completed


def _raw_mod(shared_dir: Path) -> dict[str, dict]:
    src = json.loads((shared_dir / "reference/datasets/orc-losses/russian-losses.json").read_text())
    return {r["date"]: r for r in src}


def _raw_minfin(shared_dir: Path) -> dict[str, dict]:
    path = shared_dir / "reference/datasets/russian-Losses-in-Ukraine/russia_losses.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["date"]: r for r in csv.DictReader(fh)}


def _raw_column(source: str, code: str, day: str) -> str | None:
    """The column of the source's dataset that holds ``code`` on ``day``, or None (no column at all)."""
    from etl.replay.snapshot import MINFIN_COLUMNS, MOD_COLUMNS, _code_for

    columns = MOD_COLUMNS if source == "mod" else MINFIN_COLUMNS
    return next((col for col, c in columns.items() if _code_for(c, date.fromisoformat(day)) == code), None)


@pytest.mark.realdata
def test_snapshot_completes_only_what_the_dataset_has_no_field_for(built, shared_dir):
    """A completed cell is blank in the source's dataset, and so is that column on every earlier day
    (the dataset did not keep the category yet): never a blank of a column that already exists."""
    out, summaries = built
    completed = read_completed(out / "completed.csv")
    assert completed
    raw = {"mod": _raw_mod(shared_dir), "minfin": _raw_minfin(shared_dir)}
    rw = read_long(out / "russianwarship.csv")
    for (source, day, code), n in completed.items():
        assert source in ("mod", "minfin")
        assert rw[(day, code)] == n  # the hand-kept figure of the same day and category
        column = _raw_column(source, code, day)
        if column is None:
            continue  # no column at all
        earlier = [d for d in raw[source] if d <= day]
        assert all(raw[source][d].get(column) in (None, "") for d in earlier), (source, day, code, column)
    # the completed cells are what SOURCES.md lists
    text = (out / "SOURCES.md").read_text(encoding="utf-8")
    for source in ("mod", "minfin"):
        for code, first, last, cells in summaries[source].completed_ranges():
            assert f"| {source} | `{code}` | {cells} | {first} | {last} |" in text
    assert "2026-08-09..2026-08-22 (14 days)" in text


@pytest.mark.realdata
def test_snapshot_does_not_zero_fill(built, shared_dir):
    out, _ = built
    mod = read_long(out / "mod.csv")
    completed = read_completed(out / "completed.csv")
    src = json.loads((shared_dir / "reference/datasets/orc-losses/russian-losses.json").read_text())
    nulls = [
        (r["date"], k)
        for r in src
        for k in ("rocketSystems", "specialEquipment", "missiles", "submarines")
        if r[k] is None
    ]
    assert nulls
    from etl.replay.snapshot import MOD_COLUMNS

    for day, column in nulls:
        key = (day, MOD_COLUMNS[column])
        # a null is either left blank or (a leading null: the field not kept yet) completed and listed
        assert key not in mod or completed[("mod", *key)] == mod[key], key
    assert mod[("2022-05-01", "cruise_missiles")] == completed[("mod", "2022-05-01", "cruise_missiles")]
    minfin = read_long(out / "minfin.csv")
    assert ("2022-02-24", "artillery") not in minfin and ("2022-02-24", "ships_boats") not in minfin
    assert ("2023-09-13", "submarines") not in minfin and minfin[("2023-09-14", "submarines")] == 1
    # every 0 written is a dataset's own figure
    rw = read_long(out / "russianwarship.csv")
    for source in ("mod", "minfin"):
        for (day, code), n in read_long(out / f"{source}.csv").items():
            if n == 0 and (source, day, code) in completed:
                assert rw[(day, code)] == 0


# --------------------------------------------------------------------------- round trips through etl.losses.parsers


def _parse(source: str, url: str):
    from etl.losses.parsers import parse_document

    status, headers, body = fetch(url)
    assert status == 200, url
    return parse_document(source, body, url, headers["Content-Type"])


def api_figures(series, day: date) -> dict:
    """{code: (cumulative, increase)} the russianwarship parser reads from the API's record of ``day``:
    no fuel-tank, POW or military-vehicle field (before 2022-05-01 its vehicles_fuel_tanks is the two
    summed), and a 0 on a day the category is not required is no observation."""
    figs = series.days[day]
    out = {
        code: (f.cumulative, f.increase)
        for code, f in figs.items()
        if code not in ("fuel_tanks", "pow", "military_vehicles")
        and not (f.cumulative == 0 and not BY_CODE[code].required_on(day))
    }
    if day < categories.MERGE_DAY and "military_vehicles" in figs and "fuel_tanks" in figs:
        v, t = figs["military_vehicles"], figs["fuel_tanks"]
        out["vehicles_fuel_tanks"] = (
            v.cumulative + t.cumulative,
            None if v.increase is None or t.increase is None else v.increase + t.increase,
        )
    return out


def _compare(observations, series):
    """(observations by key, mismatches against the series); minfin prints no "(+0)", so 0 reads as None."""
    got = {(o.as_of, o.category): (o.cumulative, o.increase) for o in observations}
    mismatches = []
    for (day, code), (cum, inc) in got.items():
        if series.source == "russianwarship":
            if api_figures(series, day).get(code) != (cum, inc):
                mismatches.append((day, code, (cum, inc), api_figures(series, day).get(code)))
            continue
        f = series.days[day].get(code)
        expected = (
            None if f is None else (f.cumulative, None if series.source == "minfin" and f.increase == 0 else f.increase)
        )
        if expected != (cum, inc):
            mismatches.append((day, code, (cum, inc), f))
    return got, mismatches


def test_parsers_read_the_rendered_minfin_pages(server):
    s = load_series(server.data_dir / "minfin.csv", "minfin")
    for lang in ("ua", "en"):
        obs = _parse("minfin", server.urls["minfin"] + f"/{lang}/russian-invading/casualties/")
        got, mismatches = _compare(obs, s)
        assert not mismatches
        assert {d for d, _ in got} == set(s.order)
        for day in s.order:
            for code in s.days[day]:
                assert (day, code) in got, (lang, day, code)


def test_parsers_read_the_rendered_mod_pages(server):
    s = load_series(server.data_dir / "mod.csv", "mod")
    for day in s.order:
        for lang in ("en", "uk"):
            obs = _parse("mod", server.bulletin_url(day, lang))
            got, mismatches = _compare(obs, s)
            assert not mismatches, (lang, day)
            assert {c for d, c in got} == set(s.days[day]), (lang, day)


def test_parsers_read_the_rendered_russianwarship_api(server):
    s = load_series(server.data_dir / "russianwarship.csv", "russianwarship")
    obs = _parse("russianwarship", server.urls["russianwarship"] + "/api/v2/statistics?limit=100")
    got, mismatches = _compare(obs, s)
    assert not mismatches
    for day in s.order:
        assert {c for d, c in got if d == day} == set(api_figures(s, day)), day


# --------------------------------------------------------------------------- every page of a snapshot


def _get(srv: ReplayServer, path: str) -> tuple[bytes, str]:
    """GET on a fresh connection (a kept-alive one waits out delayed ACKs: 40 ms a request)."""
    from http.client import HTTPConnection

    conn = HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 200, path
    return body, resp.headers["Content-Type"]


def latest_minfin_month(srv: ReplayServer) -> str | None:
    latest = srv.series["minfin"].latest
    return f"{latest:%Y-%m}" if latest else None


def render_and_parse_everything(srv: ReplayServer):
    """Every page the replay renders for ``srv``'s snapshot, through etl.losses.parsers.

    Every mod bulletin (en and uk), every minfin page (main ua/en and every month page, the newest
    day's month too, which shows that day twice), the whole russianwarship API (every listing page,
    every day, latest).  Returns (failures, got): parse errors and figure mismatches against the
    CSVs as strings, and {source: {(day, code): (cumulative, increase)}}.
    """
    from urllib.parse import urlsplit

    from etl.domain.model import ParseError
    from etl.losses.parsers import parse_document

    failures: list[str] = []
    got: dict[str, dict] = {"minfin": {}, "mod": {}, "russianwarship": {}}

    def parse(source: str, path: str, exact_day: date | None = None):
        body, content_type = _get(srv, path)
        try:
            obs = parse_document(source, body, srv.base_url + path, content_type)
        except ParseError as exc:
            failures.append(str(exc))
            return None
        page, mismatches = _compare(obs, srv.series[source])
        failures.extend(f"{source} {path}: {m}" for m in mismatches)
        if exact_day is not None and set(page) != {(exact_day, c) for c in srv.series[source].days[exact_day]}:
            failures.append(f"{source} {path}: categories {sorted(c for _, c in page)}")
        got[source].update(page)
        return body

    for lang in ("ua", "en"):
        parse("minfin", f"/index.minfin.com.ua/{lang}/russian-invading/casualties/")
        for month in srv.minfin.months:
            parse("minfin", f"/index.minfin.com.ua/{lang}/russian-invading/casualties/{month}/")
    for day in srv.series["mod"].order:
        for lang in ("en", "uk"):
            parse("mod", srv.mod.url_of(day, lang), exact_day=day)
    api = "/russianwarship.rip/api/v2/statistics"
    if srv.series["russianwarship"].order:
        parse("russianwarship", api + "/latest")
    for day in srv.series["russianwarship"].order:
        parse("russianwarship", f"{api}/{day.isoformat()}")
    path = api + "?offset=0&limit=100"
    while path:
        body = parse("russianwarship", path)
        if body is None:
            break
        next_url = json.loads(body)["data"]["paging"]["next_url"]
        path = urlsplit(next_url)._replace(scheme="", netloc="").geturl() if next_url else None
    return failures, got


def expected_figures(srv: ReplayServer, source: str) -> dict:
    """{(day, code): cumulative} a full parse of ``source`` must yield (the API has no military-vehicle,
    fuel-tank or POW field: before 2022-05-01 its vehicles_fuel_tanks is the two summed, kept with a note)."""
    series = srv.series[source]
    if source == "russianwarship":
        return {(day, code): v[0] for day in series.days for code, v in api_figures(series, day).items()}
    return {(day, code): f.cumulative for day, figs in series.days.items() for code, f in figs.items()}


def test_bundled_snapshot_every_page_parses():
    """The acceptance test in small: every page the replay renders for data/replay parses, and the
    parsed figures are the CSVs' (completed cells included)."""
    with ReplayServer(BUNDLED) as srv:
        failures, got = render_and_parse_everything(srv)
        assert failures == []
        for source in ("minfin", "mod", "russianwarship"):
            assert {k: v[0] for k, v in got[source].items()} == expected_figures(srv, source), source
        assert srv.series["mod"].latest == srv.series["minfin"].latest == date(2026, 8, 8)


def test_bundled_snapshot_completed_cells_are_listed_and_hand_kept():
    completed = read_completed(BUNDLED / "completed.csv")
    sources = {s: read_long(BUNDLED / f"{s}.csv") for s in ("minfin", "mod", "russianwarship")}
    assert {s for s, _, _ in completed} == {"minfin", "mod"}
    for (source, day, code), n in completed.items():
        assert sources[source][(day, code)] == n  # in the source's CSV...
        assert sources["russianwarship"][(day, code)] == n  # ...with the hand-kept figure
    by = {}
    for source, day, code in completed:
        by.setdefault((source, code), []).append(day)
    spans = {k: (min(v), max(v), len(v)) for k, v in by.items()}
    assert spans[("mod", "special_equipment")] == ("2022-03-17", "2022-05-09", 51)
    assert spans[("mod", "cruise_missiles")] == ("2022-05-01", "2022-05-09", 9)
    assert spans[("mod", "ground_robots")] == ("2026-05-03", "2026-08-08", 98)
    assert spans[("minfin", "ground_robots")] == ("2026-05-03", "2026-08-08", 98)
    assert spans[("minfin", "military_vehicles")] == ("2022-03-01", "2022-04-30", 61)  # required from 03-01
    assert ("minfin", "pow") not in spans and ("mod", "pow") not in spans  # POW is never required: not completed
    # the minfin typos and the mod gap are untouched
    minfin, mod = sources["minfin"], sources["mod"]
    assert minfin[("2024-12-10", "vehicles_fuel_tanks")] == 31937
    assert minfin[("2023-08-29", "vehicles_fuel_tanks")] == 7409
    assert minfin[("2024-09-24", "vehicles_fuel_tanks")] == 15175
    assert minfin[("2023-04-23", "special_equipment")] == 399
    assert minfin[("2024-08-26", "tanks")] == 8581
    assert not any(
        s == "minfin" and (d, c) in {("2024-12-10", "vehicles_fuel_tanks"), ("2024-08-26", "tanks")}
        for s, d, c in completed
    )
    mod_days = sorted({d for d, _ in mod})
    assert "2023-07-22" in mod_days and "2023-12-20" in mod_days
    assert not [d for d in mod_days if "2023-07-22" < d < "2023-12-20"]
    # the days left out are said to be left out, with the exact range
    for doc in (BUNDLED / "SOURCES.md", REPO / "docs" / "replay.md"):
        assert "2026-08-09..2026-08-22" in doc.read_text(encoding="utf-8"), doc


def test_minfin_latest_month_page_parses():
    from etl.losses.parsers import parse_document

    with ReplayServer(BUNDLED) as srv:
        url = srv.urls["minfin"] + f"/ua/russian-invading/casualties/{latest_minfin_month(srv)}/"
        status, headers, body = fetch(url)
        assert status == 200
        parse_document("minfin", body, url, headers["Content-Type"])


def test_replay_server_ignores_completed_csv(data_dir: Path):
    write_csv(
        data_dir / "completed.csv",
        ["source", "as_of", "category", "cumulative", "taken_from"],
        [
            ["minfin", "2022-05-02", "tanks", 424242, "hand-kept dataset"],
            ["mod", "1999-01-01", "no_such_category", "x", "hand-kept dataset"],
        ],
    )
    with ReplayServer(data_dir) as srv:
        _, _, body = fetch(srv.urls["minfin"] + "/ua/russian-invading/casualties/")
        assert b"424242" not in body
        assert "1999" not in {str(d.year) for s in srv.series.values() for d in s.order}


# --------------------------------------------------------------------------- the completion rule (small datasets)

HEX40 = "0123456789abcdef" * 2 + "01234567"
D = {
    n: date.fromisoformat(s)
    for n, s in (
        ("pre1", "2022-04-26"),
        ("pre2", "2022-04-30"),
        ("may1", "2022-05-01"),
        ("may10", "2022-05-10"),
        ("may11", "2022-05-11"),
        ("robots1", "2026-05-03"),
        ("robots2", "2026-05-04"),
    )
}
# what every dataset agrees on (category codes), per day: grows a little each day
COMMON = {
    "personnel": 23000,
    "tanks": 1000,
    "armored_vehicles": 2400,
    "artillery": 430,
    "mlrs": 150,
    "air_defense": 77,
    "aircraft": 190,
    "helicopters": 155,
    "drones": 230,
    "ships_boats": 8,
}


def _common(day: date) -> dict[str, int]:
    step = (day - D["pre1"]).days
    return {code: n + step for code, n in COMMON.items()}


def _dataset_record(day: date, head: dict, columns: dict[str, str], blank, fields: dict) -> dict:
    """One dataset's record of ``day``, its columns as the snapshot builder reads them: ``head``, then
    each column the common figure of its category (``blank`` where it has none), then ``fields`` over them."""
    c = _common(day)
    return {**head, **{col: c.get(code, blank) for col, code in columns.items()}, **fields}


# the hand-kept dataset's columns that hold a common figure (its other columns come as fields)
HAND_KEPT_COLUMNS = petro_labels(
    "aircraft", "helicopter", "tank", "APC", "field artillery", "MRL", "drone", "naval ship", "anti-aircraft warfare"
)


def _mod_record(day: date, **fields) -> dict:
    head = {"date": day.isoformat(), "sourceUri": f"https://www.mil.gov.ua/news/{day:%Y/%m/%d}/test/"}
    return _dataset_record(day, head, snapshot.MOD_COLUMNS, None, fields)


def _day_head(day: date) -> dict:
    return {"date": day.isoformat(), "day": (day - date(2022, 2, 24)).days + 1}


def _minfin_row(day: date, **fields) -> dict:
    return _dataset_record(day, _day_head(day), snapshot.MINFIN_COLUMNS, "", fields)


def _hand_kept(day: date, **fields) -> dict:
    return _dataset_record(day, _day_head(day), HAND_KEPT_COLUMNS, None, fields)


@pytest.fixture
def small_shared(tmp_path: Path) -> Path:
    """Three tiny datasets laid out like ../shared/reference/datasets.

    orc-losses: no fuel-tank, SRBM, POW or ground-robot field; specialEquipment and missiles null until
    2022-05-10 (not kept yet), then null again on 2022-05-11 (a blank); tanks disagree on 2022-05-10.
    minfin: vehicles_fuel_tanks blank before the merge; uav blank on 2022-05-01 (a blank); a typo
    (tanks 9999) on 2022-05-10.  The hand-kept dataset has everything but 2022-05-11 and 2026-05-04.
    """
    root = tmp_path / "shared"
    base = root / "reference" / "datasets"
    for name, repo in (
        ("orc-losses", "test/orc"),
        ("russian-Losses-in-Ukraine", "test/minfin"),
        ("2022-Ukraine-Russia-War-Dataset", "test/hand-kept"),
    ):
        (base / name).mkdir(parents=True)
        (base / name / "SOURCES.md").write_text(f"Repository: {repo}, commit {HEX40} (test).\n", encoding="utf-8")
    mod = [
        _mod_record(D["pre1"], unarmoredVehicles=1643),
        _mod_record(D["pre2"], unarmoredVehicles=1701),
        _mod_record(D["may1"], unarmoredVehicles=1796),
        _mod_record(D["may10"], unarmoredVehicles=1980, specialEquipment=41, missiles=94, tanks=1170),
        _mod_record(D["may11"], unarmoredVehicles=1997, missiles=94),  # specialEquipment: a blank
        _mod_record(D["robots1"], unarmoredVehicles=93556, submarines=2, specialEquipment=4151, missiles=4579),
        _mod_record(D["robots2"], unarmoredVehicles=93600, submarines=2, specialEquipment=4152, missiles=4580),
    ]
    (base / "orc-losses" / "russian-losses.json").write_text(json.dumps(mod[::-1]), encoding="utf-8")
    minfin = [
        _minfin_row(D["pre1"], special_equipment=31),
        _minfin_row(D["pre2"], special_equipment=32),
        _minfin_row(D["may1"], special_equipment=32, cruise_missiles=84, vehicles_fuel_tanks=1796, uav=""),
        _minfin_row(D["may10"], special_equipment=41, cruise_missiles=94, vehicles_fuel_tanks=1980, tanks=9999),
        _minfin_row(
            D["robots1"], special_equipment=4151, cruise_missiles=4579, vehicles_fuel_tanks=93556, submarines=2
        ),
        _minfin_row(
            D["robots2"], special_equipment=4152, cruise_missiles=4580, vehicles_fuel_tanks=93600, submarines=2
        ),
    ]
    with (base / "russian-Losses-in-Ukraine" / "russia_losses.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(minfin[0]))
        w.writeheader()
        w.writerows(minfin)
    pre = {"military auto": 1643, "fuel tank": 76, "mobile SRBM system": 4, "special equipment": 31}
    equipment = [
        _hand_kept(D["pre1"], **pre),
        _hand_kept(D["pre2"], **{**pre, "military auto": 1701, "special equipment": 32}),
        _hand_kept(D["may1"], **{"vehicles and fuel tanks": 1796, "cruise missiles": 84, "special equipment": 32}),
        _hand_kept(
            D["may10"],
            **{"vehicles and fuel tanks": 1980, "cruise missiles": 94, "special equipment": 41, "tank": 1171},
        ),
        _hand_kept(
            D["robots1"],
            **{
                "vehicles and fuel tanks": 93556,
                "cruise missiles": 4579,
                "special equipment": 4151,
                "submarines": 2,
                "ground robotic systems": 1306,
            },
        ),
    ]
    personnel = [
        {
            "date": r["date"],
            "day": r["day"],
            "personnel": _common(date.fromisoformat(r["date"]))["personnel"],
            "personnel*": "about",
            **({"POW": 489} if r["date"] <= "2022-04-27" else {}),
        }
        for r in equipment
    ]
    hk = base / "2022-Ukraine-Russia-War-Dataset"
    (hk / "russia_losses_equipment.json").write_text(json.dumps(equipment), encoding="utf-8")
    (hk / "russia_losses_personnel.json").write_text(json.dumps(personnel), encoding="utf-8")
    return root


@pytest.fixture
def small_build(small_shared: Path, tmp_path: Path):
    from etl.replay.snapshot import build_snapshot

    out = tmp_path / "replay"
    return out, build_snapshot(small_shared, out)


def test_completion_fills_only_what_the_dataset_has_no_field_for(small_build):
    out, summaries = small_build
    completed = read_completed(out / "completed.csv")
    iso = {k: d.isoformat() for k, d in D.items()}
    assert completed == {
        ("minfin", iso["pre1"], "military_vehicles"): 1643,
        ("minfin", iso["pre1"], "fuel_tanks"): 76,
        ("minfin", iso["pre1"], "srbm_launchers"): 4,
        ("minfin", iso["pre2"], "military_vehicles"): 1701,
        ("minfin", iso["pre2"], "fuel_tanks"): 76,
        ("minfin", iso["pre2"], "srbm_launchers"): 4,
        ("minfin", iso["robots1"], "ground_robots"): 1306,
        ("mod", iso["pre1"], "fuel_tanks"): 76,
        ("mod", iso["pre1"], "special_equipment"): 31,
        ("mod", iso["pre1"], "srbm_launchers"): 4,
        ("mod", iso["pre2"], "fuel_tanks"): 76,
        ("mod", iso["pre2"], "special_equipment"): 32,
        ("mod", iso["pre2"], "srbm_launchers"): 4,
        ("mod", iso["may1"], "cruise_missiles"): 84,
        ("mod", iso["may1"], "special_equipment"): 32,
        ("mod", iso["robots1"], "ground_robots"): 1306,
    }
    mod, minfin = read_long(out / "mod.csv"), read_long(out / "minfin.csv")
    for (source, day, code), n in completed.items():
        assert (mod if source == "mod" else minfin)[(day, code)] == n
    # figures the datasets have are never changed: disagreements and typos stay
    assert mod[(iso["may10"], "tanks")] == 1170 and minfin[(iso["may10"], "tanks")] == 9999
    assert mod[(iso["pre2"], "military_vehicles")] == 1701  # unarmoredVehicles: military vehicles only
    # the hand-kept series itself is copied as it is
    assert read_long(out / "russianwarship.csv")[(iso["may10"], "tanks")] == 1171
    # nothing zero-filled
    for source in ("mod", "minfin", "russianwarship"):
        assert 0 not in read_long(out / f"{source}.csv").values(), source


def test_days_still_incomplete_are_left_out_and_listed(small_build):
    out, summaries = small_build
    mod, minfin = summaries["mod"], summaries["minfin"]
    # a blank in a column that already holds figures is never completed: the day goes
    assert mod.left_out[D["may11"]] == [
        ("special_equipment", "blank in orc-losses (an existing field: never completed)")
    ]
    assert minfin.left_out[D["may1"]] == [
        ("drones", "blank in russian-Losses-in-Ukraine (an existing field: never completed)")
    ]
    # no series has ground robots on 2026-05-04
    assert [c for c, _ in mod.left_out[D["robots2"]]] == ["ground_robots"]
    assert "has no field for it and the hand-kept dataset has no figure" in mod.left_out[D["robots2"]][0][1]
    assert sorted(mod.left_out) == [D["may11"], D["robots2"]]
    assert sorted(minfin.left_out) == [D["may1"], D["robots2"]]
    assert summaries["russianwarship"].left_out == {}
    days = {s: {d for d, _ in read_long(out / f"{s}.csv")} for s in ("mod", "minfin")}
    assert D["may11"].isoformat() not in days["mod"] and D["robots2"].isoformat() not in days["mod"]
    assert D["may1"].isoformat() not in days["minfin"] and mod.last == minfin.last == D["robots1"]
    with (out / "mod_urls.csv").open(newline="", encoding="utf-8") as fh:
        assert {r["as_of"] for r in csv.DictReader(fh)} == days["mod"]
    # said so in SOURCES.md and in the build summary
    text = (out / "SOURCES.md").read_text(encoding="utf-8")
    assert "| mod | 2022-05-11 | special_equipment: blank in orc-losses" in text
    assert "| minfin | 2026-05-04 | ground_robots: russian-Losses-in-Ukraine has no field" in text
    assert "| mod | `special_equipment` | 3 | 2022-04-26 | 2022-05-01 |" in text
    assert "left out: 2022-05-11: special_equipment" in mod.describe()
    assert "completed: pow" not in minfin.describe()  # POW is never required, so never completed


def test_small_snapshot_every_page_parses(small_build):
    out, _ = small_build
    with ReplayServer(out) as srv:
        failures, got = render_and_parse_everything(srv)
        assert failures == []
        for source in ("minfin", "mod", "russianwarship"):
            assert {k: v[0] for k, v in got[source].items()} == expected_figures(srv, source), source
        assert got["mod"][(D["pre1"], "fuel_tanks")][0] == 76  # a completed cell, as printed
