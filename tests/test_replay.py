"""The offline replay server (etl/replay.py) and the bundled snapshot (etl/snapshot.py, data/replay).

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

from etl import categories
from etl.categories import BY_CODE
from etl.replay import (MINFIN_LABELS, MOD_LABELS, ReplayServer, load_series, mil_en_path)

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


BASE = {"personnel": 1000, "tanks": 100, "armored_vehicles": 200, "artillery": 50, "mlrs": 20, "air_defense": 10,
        "aircraft": 30, "helicopters": 25, "drones": 40, "ships_boats": 5, "special_equipment": 8}


def later(figs: dict[str, int], step: int) -> dict[str, int]:
    return {code: n + step * ((i + 1) % 3) for i, (code, n) in enumerate(figs.items())}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A tiny snapshot: pre-merge days, post-merge days, a gap in mod, an explicit increase column in minfin."""
    old = {**BASE, "military_vehicles": 1400, "fuel_tanks": 76, "srbm_launchers": 4}
    new = {k: v for k, v in BASE.items()} | {"vehicles_fuel_tanks": 1800, "cruise_missiles": 84}
    minfin = (day_rows("2022-04-29", old) + day_rows("2022-04-30", later(old, 1))
              + day_rows("2022-05-01", new) + day_rows("2022-05-02", later(new, 2))
              + day_rows("2022-06-10", later(new, 5)))
    # explicit increase for one row; the others are blank (computed)
    minfin = [r + [""] for r in minfin]
    for r in minfin:
        if r[0] == "2022-05-02" and r[1] == "tanks":
            r[3] = 7
    write_csv(tmp_path / "minfin.csv", ["as_of", "category", "cumulative", "increase"], minfin)
    mod = (day_rows("2022-04-26", {k: v for k, v in old.items() if k != "pow"})
           + day_rows("2022-12-31", later(new, 3)) + day_rows("2023-01-15", later(new, 4))
           + day_rows("2023-03-08", later(new, 5))
           # gap 2023-03-09 .. 2024-10-06
           + day_rows("2024-10-07", later(new, 6) | {"submarines": 1})
           + day_rows("2026-08-22", later(new, 7) | {"submarines": 2, "ground_robots": 900}))
    write_csv(tmp_path / "mod.csv", ["as_of", "category", "cumulative"], mod)
    write_csv(tmp_path / "mod_urls.csv", ["as_of", "url"], [
        ["2022-04-26", "https://www.mil.gov.ua/news/2022/04/26/vtrati-okupantiv-stanovlyat-(test)-–-genshtab/"],
        ["2026-08-22", "https://mod.gov.ua/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku"],
    ])
    rw = (day_rows("2022-04-29", old) + day_rows("2022-04-30", later(old, 1))
          + day_rows("2022-05-01", new) + day_rows("2022-05-02", later(new, 1)) + day_rows("2022-05-03", later(new, 2)))
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
    assert m.days[date(2024, 10, 7)]["tanks"].increase == (m.days[date(2024, 10, 7)]["tanks"].cumulative
                                                           - m.days[date(2023, 3, 8)]["tanks"].cumulative)


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
    assert mil_en_path(date(2022, 8, 8)).endswith("/2022/08/08/the-total-combat-losses-of-the-enemy-from-24-02-to-08-08/")
    assert mil_en_path(date(2022, 12, 31)).endswith("-from-24-02-to-31-12/")
    assert mil_en_path(date(2023, 1, 3)).endswith("/2023/01/03/the-total-combat-losses-of-the-enemy-from-24-02-22-to-03-01-23/")
    assert mil_en_path(date(2023, 3, 2)).endswith("-from-24-02-22-to-02-03-23/")
    assert mil_en_path(date(2023, 3, 8)).endswith("/2023/03/08/the-total-combat-losses-of-the-enemy-from-24-02-2022-to-08-03-2023/")


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
    return [text_of(p) for p in sel.css("#aticle-content > p, .post__content > p")]


def test_mod_english_bulletin_on_mil_gov_ua(server):
    url = server.urls["mod_mil"] + "/en/news/2023/01/15/the-total-combat-losses-of-the-enemy-from-24-02-22-to-15-01-23/"
    assert server.bulletin_url(date(2023, 1, 15), "en") == url
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    s = load_series(server.data_dir / "mod.csv", "mod")
    f = s.days[date(2023, 1, 15)]
    lines = bulletin_lines(body)
    assert lines[0] == "The total combat losses of the enemy from 24.02.22 to 15.01.23 were approximately:"
    assert lines[1] == (f"personnel ‒ about {f['personnel'].cumulative} (+{f['personnel'].increase}) "
                        "persons were liquidated,")
    assert f"tanks ‒ {f['tanks'].cumulative} (+{f['tanks'].increase})," in lines
    assert f"artillery systems – {f['artillery'].cumulative} (+{f['artillery'].increase})," in lines
    assert lines[-2].endswith(".") and lines[-2].startswith("special equipment ‒ ")
    # the first day in the file prints no increase; old categories before the merge
    first = bulletin_lines(fetch(server.bulletin_url(date(2022, 4, 26), "en"))[2])
    assert "tanks ‒ 100," in first and "fuel tanks ‒ 76," in first and "vehicles ‒ 1400," in first
    assert first[-2] == "mobile SRBM system ‒ 4."


def test_mod_ukrainian_bulletin_uses_the_real_slug(server):
    url = server.bulletin_url(date(2022, 4, 26), "uk")
    assert url.startswith(server.urls["mod_mil"] + "/news/2022/04/26/vtrati-okupantiv-stanovlyat-(test)-%E2%80%93-genshtab/")
    status, _, body = fetch(url)
    assert status == 200
    lines = bulletin_lines(body)
    assert lines[1] == "особового складу ‒ близько 1000 осіб,"
    assert "танків ‒ 100 од," in lines
    # the real host name works too (www.mil.gov.ua), as does the unencoded dash
    assert fetch(url.replace("/mil.gov.ua/", "/www.mil.gov.ua/"))[0] == 200
    # mod.gov.ua since 2024-10-07: real slug from mod_urls.csv, generated otherwise
    assert server.bulletin_url(date(2026, 8, 22), "uk") == server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku"
    assert server.bulletin_url(date(2024, 10, 7), "uk") == server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-7-zhovtnya-2024-roku"
    status, _, body = fetch(server.bulletin_url(date(2026, 8, 22), "uk"))
    lines = bulletin_lines(body)
    assert status == 200 and "підводні човни ‒ 2 (+1) од," in lines
    assert lines[-2] == "наземні робототехнічні комплекси ‒ 900 од."  # first day of the category in the file
    status, _, body = fetch(server.bulletin_url(date(2026, 8, 22), "en"))
    assert status == 200 and bulletin_lines(body)[0].startswith("The total combat losses of the enemy from 24.02.2022 to 22.08.2026")


def test_mod_unknown_day_is_404(server):
    assert fetch(server.urls["mod_mil"] + mil_en_path(date(2023, 5, 1)))[0] == 404  # in the gap
    assert fetch(server.urls["mod_mil"] + "/en/news/2023/01/15/the-total-combat-losses-of-the-enemy-from-24-02-to-15-01/")[0] == 404
    assert fetch(server.urls["mod"] + "/news/bojovi-vtrati-voroga-na-8-zhovtnya-2024-roku")[0] == 404


@pytest.mark.parametrize("site,path,lang", [("mod_mil", "/en/news/", "en"), ("mod_mil", "/news/", "uk"),
                                            ("mod", "/news", "uk"), ("mod", "/en/news", "en")])
def test_mod_listing_pages_chain_to_every_bulletin(server, site, path, lang, monkeypatch):
    monkeypatch.setattr("etl.replay.LISTING_PAGE_SIZE", 2)
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
    assert rec["stats"]["vehicles_fuel_tanks"] == f["military_vehicles"].cumulative  # vehicles only
    assert rec["stats"]["atgm_srbm_systems"] == f["srbm_launchers"].cumulative
    assert rec["stats"]["cruise_missiles"] == 0
    assert f["fuel_tanks"].cumulative not in rec["stats"].values()  # the API has no fuel-tank field


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
    status, _, body = fetch(server.urls["russianwarship"]
                            + "/api/v2/statistics?limit=1&date_from=2022-04-30&date_to=2022-05-02")
    data = json.loads(body)["data"]
    assert data["paging"]["total"] == 3 and data["records"][0]["date"] == "2022-04-30"
    assert "date_from=2022-04-30" in data["paging"]["next_url"] and "offset=1" in data["paging"]["next_url"]
    assert fetch(server.urls["russianwarship"] + "/api/v2/statistics?limit=0")[0] == 400
    assert fetch(server.urls["russianwarship"] + "/api/v2/statistics?date_from=yesterday")[0] == 400


# --------------------------------------------------------------------------- conditional GET

@pytest.mark.parametrize("path", [
    "/index.minfin.com.ua/ua/russian-invading/casualties/",
    "/index.minfin.com.ua/en/russian-invading/casualties/2022-05/",
    "/mil.gov.ua/en/news/2023/03/08/the-total-combat-losses-of-the-enemy-from-24-02-2022-to-08-03-2023/",
    "/mil.gov.ua/en/news/",
    "/mod.gov.ua/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku",
    "/russianwarship.rip/api/v2/statistics/2022-05-01",
    "/russianwarship.rip/api/v2/statistics?limit=2",
])
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
    status, _, body = fetch(server.urls["control"] + "/faults", {"Content-Type": "application/json"},
                            method="POST", data=spec)
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
    server.add_fault(server.bulletin_url(date(2023, 1, 15))[len(server.base_url):], "garbled", category="tanks")
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


@pytest.fixture(scope="module")
def built(shared_dir, tmp_path_factory):
    from etl.snapshot import build_snapshot

    out = tmp_path_factory.mktemp("snapshot")
    summaries = build_snapshot(shared_dir, out)
    return out, summaries


@pytest.mark.realdata
def test_bundled_snapshot_is_what_the_builder_makes(built):
    out, _ = built
    for name in ("minfin.csv", "mod.csv", "russianwarship.csv", "mod_urls.csv"):
        assert (BUNDLED / name).read_bytes() == (out / name).read_bytes(), name
    assert (BUNDLED / "SOURCES.md").is_file()


@pytest.mark.realdata
def test_snapshot_keeps_the_minfin_typos(built):
    rows = read_long(built[0] / "minfin.csv")
    assert rows[("2024-12-10", "vehicles_fuel_tanks")] == 31937
    assert rows[("2023-08-29", "vehicles_fuel_tanks")] == 7409
    assert rows[("2024-09-24", "vehicles_fuel_tanks")] == 15175
    assert rows[("2023-04-23", "special_equipment")] == 399
    assert rows[("2024-08-26", "tanks")] == 8581
    # the date column counts, not the shifted day column
    assert rows[("2025-11-09", "personnel")] == 1151070
    assert rows[("2026-08-22", "personnel")] == 1475270


@pytest.mark.realdata
def test_snapshot_keeps_the_mod_gap(built):
    out, summaries = built
    days = sorted({d for d, _ in read_long(out / "mod.csv")})
    assert "2023-07-22" in days and "2023-12-20" in days
    assert not [d for d in days if "2023-07-22" < d < "2023-12-20"]
    assert (date(2023, 7, 22), date(2023, 12, 20)) in summaries["mod"].gaps
    assert days[0] == "2022-02-27" and days[-1] == "2026-08-22"
    with (out / "mod_urls.csv").open(newline="", encoding="utf-8") as fh:
        urls = {r["as_of"]: r["url"] for r in csv.DictReader(fh)}
    assert set(urls) == set(days)
    assert urls["2026-08-22"] == "https://mod.gov.ua/news/bojovi-vtrati-voroga-na-22-serpnya-2026-roku"


@pytest.mark.realdata
def test_snapshot_categories_only_within_their_validity(built):
    out, _ = built
    for source in ("minfin", "mod", "russianwarship"):
        for (day, code) in read_long(out / f"{source}.csv"):
            assert BY_CODE[code].valid_on(date.fromisoformat(day)), (source, day, code)
    rw = read_long(out / "russianwarship.csv")
    assert rw[("2022-04-27", "pow")] and ("2022-04-28", "pow") not in rw
    assert rw[("2022-04-30", "military_vehicles")] and rw[("2022-04-30", "fuel_tanks")]
    assert rw[("2022-04-30", "srbm_launchers")] == 4
    assert ("2022-05-01", "military_vehicles") not in rw and rw[("2022-05-01", "vehicles_fuel_tanks")]
    mod = read_long(out / "mod.csv")
    assert mod[("2022-04-30", "military_vehicles")] == 1701  # unarmoredVehicles before the merge
    assert ("2022-04-30", "vehicles_fuel_tanks") not in mod


@pytest.mark.realdata
def test_snapshot_does_not_zero_fill(built, shared_dir):
    out, _ = built
    mod = read_long(out / "mod.csv")
    src = json.loads((shared_dir / "reference/datasets/orc-losses/russian-losses.json").read_text())
    nulls = [(r["date"], k) for r in src for k in ("rocketSystems", "specialEquipment", "missiles", "submarines")
             if r[k] is None]
    assert nulls
    from etl.snapshot import MOD_COLUMNS
    for day, column in nulls:
        assert (day, MOD_COLUMNS[column]) not in mod
    minfin = read_long(out / "minfin.csv")
    assert ("2022-02-24", "artillery") not in minfin and ("2022-02-24", "ships_boats") not in minfin
    assert ("2023-09-13", "submarines") not in minfin and minfin[("2023-09-14", "submarines")] == 1


# --------------------------------------------------------------------------- round trips through etl.parsers

def _parse(source: str, url: str):
    from etl.parsers import parse_document

    status, headers, body = fetch(url)
    assert status == 200, url
    return parse_document(source, body, url, headers["Content-Type"])


def _compare(observations, series):
    """(observations by key, mismatches against the series); minfin prints no "(+0)", so 0 reads as None."""
    got = {(o.as_of, o.category): (o.cumulative, o.increase) for o in observations}
    mismatches = []
    for (day, code), (cum, inc) in got.items():
        f = series.days[day].get(code)
        expected_inc = None if f is not None and series.source == "minfin" and f.increase == 0 else (
            f.increase if f is not None else None)
        if f is None or f.cumulative != cum or expected_inc != inc:
            mismatches.append((day, code, (cum, inc), f))
    return got, mismatches


@pytest.fixture
def parse_ready():
    return pytest.importorskip("etl.parsers")


def test_parsers_read_the_rendered_minfin_pages(server, parse_ready):
    s = load_series(server.data_dir / "minfin.csv", "minfin")
    for lang in ("ua", "en"):
        obs = _parse("minfin", server.urls["minfin"] + f"/{lang}/russian-invading/casualties/")
        got, mismatches = _compare(obs, s)
        assert not mismatches
        assert {d for d, _ in got} == set(s.order)
        for day in s.order:
            for code in s.days[day]:
                assert (day, code) in got, (lang, day, code)


def test_parsers_read_the_rendered_mod_pages(server, parse_ready):
    s = load_series(server.data_dir / "mod.csv", "mod")
    for day in s.order:
        for lang in ("en", "uk"):
            obs = _parse("mod", server.bulletin_url(day, lang))
            got, mismatches = _compare(obs, s)
            assert not mismatches, (lang, day)
            assert {c for d, c in got} == set(s.days[day]), (lang, day)


def test_parsers_read_the_rendered_russianwarship_api(server, parse_ready):
    s = load_series(server.data_dir / "russianwarship.csv", "russianwarship")
    obs = _parse("russianwarship", server.urls["russianwarship"] + "/api/v2/statistics?limit=100")
    got, mismatches = _compare(obs, s)
    assert not mismatches
    for day in s.order:
        expected = {c for c in s.days[day] if c not in ("fuel_tanks", "pow")}  # the API has no such fields
        assert {c for d, c in got if d == day} == expected, day


@pytest.mark.realdata
def test_parsers_read_the_bundled_snapshot_pages(parse_ready, tmp_path):
    """Sample days of every era of the bundled snapshot through the real parsers."""
    with ReplayServer(BUNDLED) as srv:
        mod = srv.series["mod"]
        # orc-losses has no special equipment, fuel tanks or SRBM launchers before May 2022: the parser
        # must refuse such a bulletin as incomplete (the data's own gap, rendered faithfully)
        from etl.model import ParseError

        with pytest.raises(ParseError, match="missing on 2022-04-20"):
            _parse("mod", srv.bulletin_url(date(2022, 4, 20), "en"))
        # nor any ground robotic systems (reported since 2026-05-03)
        with pytest.raises(ParseError, match="ground_robots: missing on 2026-08-22"):
            _parse("mod", srv.bulletin_url(date(2026, 8, 22), "uk"))
        for day in (date(2022, 8, 5), date(2023, 1, 15), date(2023, 3, 8), date(2024, 1, 15), date(2024, 10, 7),
                    date(2026, 1, 17), date(2026, 5, 2)):
            for lang in ("en", "uk"):
                _, mismatches = _compare(_parse("mod", srv.bulletin_url(day, lang)), mod)
                assert not mismatches, (day, lang)
        # the minfin dataset has no ground-robotic-systems column either: the newest days are incomplete,
        # and every minfin page shows the newest day
        with pytest.raises(ParseError, match="ground_robots: missing on 2026-"):
            _parse("minfin", srv.urls["minfin"] + "/ua/russian-invading/casualties/")
        with pytest.raises(ParseError, match="ground_robots: missing on 2026-08-22"):
            _parse("minfin", srv.urls["minfin"] + "/ua/russian-invading/casualties/2022-02/")
        rw = srv.series["russianwarship"]
        obs = _parse("russianwarship", srv.urls["russianwarship"]
                     + "/api/v2/statistics?limit=100&date_from=2022-04-01&date_to=2022-06-30")
        _, mismatches = _compare(obs, rw)
        assert not mismatches
        obs = _parse("russianwarship", srv.urls["russianwarship"] + "/api/v2/statistics/latest")
        assert any(o.category == "ground_robots" for o in obs)
    # minfin up to 2026-05-02 round-trips
    with (BUNDLED / "minfin.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh)]
    write_csv(tmp_path / "minfin.csv", rows[0], [r for r in rows[1:] if r[0] < "2026-05-03"])
    with ReplayServer(tmp_path) as srv:
        for path in ("/ua/russian-invading/casualties/", "/en/russian-invading/casualties/2024-12/",
                     "/ua/russian-invading/casualties/2023-08/"):
            obs = _parse("minfin", srv.urls["minfin"] + path)
            _, mismatches = _compare(obs, srv.series["minfin"])
            assert not mismatches, path
            if path.endswith("2024-12/"):
                assert any(o.as_of == date(2024, 12, 10) and o.category == "vehicles_fuel_tanks"
                           and o.cumulative == 31937 for o in obs)
