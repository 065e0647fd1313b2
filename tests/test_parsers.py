"""Unit tests of etl.losses.parsers on small hand-written documents (tests/fixtures/parsers and inline)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from etl.domain.categories import valid_on
from etl.domain.model import ParseError
from etl.losses.parsers import common, parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "parsers"
URL = "https://example.test/page"


def fixture(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def by_key(observations):
    return {(o.as_of, o.category): o for o in observations}


def assert_parse_error(exc_info, source: str, url: str, field: str):
    err = exc_info.value
    assert (err.source, err.url, err.field) == (source, url, field), str(err)
    text = str(err)
    assert source in text and url in text and field in text


def refused(source: str, body: bytes, url: str, field: str) -> ParseError:
    """parse_document must refuse ``body`` with a ParseError naming source, URL and field; returns it."""
    with pytest.raises(ParseError) as exc:
        parse_document(source, body, url)
    assert_parse_error(exc, source, url, field)
    return exc.value


# ----------------------------------------------------------------------------------- common


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3759", 3759),
        ("199 460", 199460),
        ("199\u00a0460", 199460),
        ("199\u2009460", 199460),
        ("199\u202f460", 199460),
        ("1,234,567", 1234567),
        ("0", 0),
        ("12..5", None),
        ("3 7x9", None),
        ("12 3456", None),
        ("", None),
    ],
)
def test_parse_number(text, expected):
    assert common.parse_number(text) == expected


@pytest.mark.parametrize("dash", ["\u2012", "\u2013", "\u2014", "-", "&mdash;", "&ndash;", "&#8210;", "\u2212"])
def test_loss_line_dash_variants(dash):
    line = common.html_to_lines(f"<p>tanks {dash} 1170 (+25),</p>")[0]
    [item] = common.parse_loss_line(line, "mod", URL)
    assert (item.category, item.cumulative, item.increase, item.qualifier) == ("tanks", 1170, 25, None)


@pytest.mark.parametrize(
    "value, qualifier",
    [
        ("about 19600", "about"),
        ("близько 19600", "about"),
        ("около 19600", "about"),
        ("aprx. 19600", "about"),
        ("понад 19600", "more_than"),
        ("більше 19600", "more_than"),
        ("более 19600", "more_than"),
        ("more than 19600", "more_than"),
        ("до 19600", "about"),
        ("up to 19600", "about"),
        ("19600", None),
    ],
)
def test_qualifiers(value, qualifier):
    [item] = common.parse_loss_line(f"personnel \u2012 {value} people", "mod", URL)
    assert (item.cumulative, item.qualifier) == (19600, qualifier)


def test_increase_missing_zero_and_spaced():
    assert common.parse_loss_line("tanks - 732 од,", "mod", URL)[0].increase is None
    assert common.parse_loss_line("tanks - 732 (+0) од,", "mod", URL)[0].increase == 0
    item = common.parse_loss_line("personnel - about 673 280 (+1 140) persons", "mod", URL)[0]
    assert (item.cumulative, item.increase) == (673280, 1140)


def test_hyphen_inside_label_is_not_the_separator():
    [item] = common.parse_loss_line("UAV operational-tactical level - 124.", "mod", URL)
    assert (item.category, item.cumulative) == ("drones", 124)
    [item] = common.parse_loss_line("Anti-aircraft warfare systems \u2012 63 од", "mod", URL)
    assert (item.category, item.cumulative) == ("air_defense", 63)


def test_bilingual_label_and_second_item():
    [item] = common.parse_loss_line("особового складу / personnel \u2012 about 42640 (+300) persons", "mod", URL)
    assert (item.category, item.qualifier) == ("personnel", "about")
    items = common.parse_loss_line("Особовий склад \u2014 близько 5300 осіб, понад 200 полоненими", "minfin", URL)
    assert [(i.category, i.cumulative, i.qualifier) for i in items] == [
        ("personnel", 5300, "about"),
        ("pow", 200, "more_than"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "The total losses from 24.02 to 12.04 were approximately:",
        "Data are being updated.",
        "Разом переможемо! Наша сила - в правді!",
        "",
    ],
)
def test_prose_is_not_a_loss_line(line):
    assert common.parse_loss_line(line, "mod", URL) is None


@pytest.mark.parametrize("value", ["3 7x9", "12..5", "12.5", "7 (+x)", "(+3)", "12 (+3"])
def test_garbled_numbers_raise(value):
    with pytest.raises(ParseError) as exc:
        common.parse_loss_line(f"tanks \u2012 {value}", "mod", URL)
    assert_parse_error(exc, "mod", URL, "category:tanks")


def test_unknown_label_raises():
    with pytest.raises(ParseError) as exc:
        common.parse_loss_line("flying saucers \u2012 12 (+1)", "mod", URL)
    assert_parse_error(exc, "mod", URL, "label:flying saucers")


def test_decode_charsets():
    text = "Танки — 5"
    assert common.decode(text.encode("utf-8"), None, "minfin", URL) == text
    assert common.decode(text.encode("windows-1251"), None, "minfin", URL) == text
    assert common.decode(text.encode("windows-1251"), "text/html; charset=windows-1251", "minfin", URL) == text
    with pytest.raises(ParseError) as exc:
        common.decode(b"  ", None, "minfin", URL)
    assert_parse_error(exc, "minfin", URL, "page")
    with pytest.raises(ParseError) as exc:
        common.decode(b"abc", "text/html; charset=no-such-charset", "minfin", URL)
    assert_parse_error(exc, "minfin", URL, "encoding")


def test_unknown_source():
    refused("oryx", b"<html></html>", URL, "source")


# ----------------------------------------------------------------------------------- minfin

MINFIN_URL = "https://index.minfin.com.ua/ua/russian-invading/casualties/"


def test_minfin_latest_page():
    obs = parse_document("minfin", fixture("minfin", "latest.html"), MINFIN_URL)
    got = by_key(obs)
    d2, d1 = date(2024, 1, 2), date(2024, 1, 1)
    assert {o.as_of for o in obs} == {d1, d2}  # the "Див. також" block is not a day
    assert len(obs) == 28
    assert all(o.source == "minfin" for o in obs)
    tanks = got[(d2, "tanks")]
    assert (tanks.cumulative, tanks.increase, tanks.qualifier) == (5898, 11, None)  # NBSP separator
    assert got[(d2, "armored_vehicles")].cumulative == 10964  # thin space, &ndash;
    assert got[(d2, "artillery")].cumulative == 8127  # figure dash, plain space
    assert got[(d2, "mlrs")].increase is None  # no <small>: the page printed no increase
    assert got[(d2, "air_defense")].increase == 0
    assert got[(d2, "cruise_missiles")].cumulative == 1716  # label split over a <span>
    assert got[(d2, "submarines")].cumulative == 1
    person = got[(d2, "personnel")]
    assert (person.cumulative, person.increase, person.qualifier) == (357690, 720, "about")
    assert got[(d1, "personnel")].cumulative == 356970


def test_minfin_month_page_with_historical_categories():
    obs = parse_document("minfin", fixture("minfin", "month-2022-02.html"), MINFIN_URL + "2022-02/")
    got = by_key(obs)
    # the month page starts with the latest day; it is kept as data of that day
    assert (date(2024, 1, 2), "tanks") in got
    d = date(2022, 2, 28)
    assert got[(d, "military_vehicles")].cumulative == 291
    assert got[(d, "air_defense")].cumulative == 1  # "ЗРК БУК"
    assert got[(d, "mlrs")].cumulative == 21  # "РСЗВ Град"
    assert got[(d, "artillery")].cumulative == 74  # "Гармати"
    pow_ = got[(d, "pow")]
    assert (pow_.cumulative, pow_.qualifier) == (200, "more_than")
    assert got[(d, "personnel")].qualifier == "about"
    assert (got[(date(2022, 2, 25), "tanks")].cumulative, got[(date(2022, 2, 25), "tanks")].qualifier) == (80, "about")
    assert got[(date(2022, 2, 24), "tanks")].qualifier == "more_than"  # "более 30"
    assert not any(o.category == "vehicles_fuel_tanks" and o.as_of.year == 2022 for o in obs)


def test_minfin_windows_1251_page():
    body = fixture("minfin", "month-2022-02.html").decode("utf-8").replace('charset="utf-8"', 'charset="windows-1251"')
    body = body.encode("windows-1251")
    plain = parse_document("minfin", body, MINFIN_URL)
    assert by_key(plain)[(date(2022, 2, 28), "military_vehicles")].cumulative == 291
    assert plain == parse_document("minfin", body, MINFIN_URL, "text/html; charset=windows-1251")


MINFIN_DAY = """<html><body><ul class="see-also"><li class="gold"><span class="black">{day}</span>
<div class="casualties"><div><ul>{items}</ul></div></div></li></ul></body></html>"""
MINFIN_ITEMS = [
    "Танки&nbsp;&mdash; 3759 <small>(+3)</small>",
    "ББМ&nbsp;&mdash; 7336",
    "Гармати&nbsp;&mdash; 3137",
    "РСЗВ&nbsp;&mdash; 562",
    "Засоби ППО&nbsp;&mdash; 316",
    "Літаки&nbsp;&mdash; 308",
    "Гелікоптери&nbsp;&mdash; 294",
    "БПЛА&nbsp;&mdash; 2720",
    "Крилаті ракети&nbsp;&mdash; 973",
    "Кораблі (катери)&nbsp;&mdash; 18",
    "Автомобілі та автоцистерни&nbsp;&mdash; 6034",
    "Спеціальна техніка&nbsp;&mdash; 407",
    "Особовий склад&nbsp;&mdash; близько 199460 осіб <small>(+580)</small>",
]


def minfin_page(items=MINFIN_ITEMS, day="15.05.2023") -> bytes:
    return MINFIN_DAY.format(day=day, items="".join(f"<li>{i}</li>" for i in items)).encode()


def test_minfin_minimal_day_parses():
    assert len(parse_document("minfin", minfin_page(), MINFIN_URL)) == 13


@pytest.mark.parametrize("body", [b"", b"   \n", b"<html><body></body></html>"])
def test_minfin_empty_page(body):
    refused("minfin", body, MINFIN_URL, "page")


def test_minfin_redesigned_page():
    body = "<html><body><div class='cards'>" + "".join(f"<p>{i}</p>" for i in MINFIN_ITEMS) + "</div></body></html>"
    refused("minfin", body.encode(), MINFIN_URL, "page")


def test_minfin_missing_category():
    items = [i for i in MINFIN_ITEMS if not i.startswith("Танки")]
    err = refused("minfin", minfin_page(items), MINFIN_URL, "category:tanks")
    assert err.problem == "missing on 2023-05-15"


def test_minfin_garbled_number():
    items = ["Танки&nbsp;&mdash; 3 7x9"] + MINFIN_ITEMS[1:]
    refused("minfin", minfin_page(items), MINFIN_URL, "category:tanks")
    items = MINFIN_ITEMS[:-1] + ["Особовий склад&nbsp;&mdash; близько 12..5 осіб"]
    refused("minfin", minfin_page(items), MINFIN_URL, "category:personnel")


def test_minfin_unknown_label():
    refused("minfin", minfin_page(MINFIN_ITEMS + ["Дирижаблі&nbsp;&mdash; 2"]), MINFIN_URL, "label:Дирижаблі")


def test_minfin_bad_date_in_a_day_block():
    refused("minfin", minfin_page(day="сьогодні"), MINFIN_URL, "date")


# ----------------------------------------------------------------------------------- mod

MOD_EN_URL = "https://www.mil.gov.ua/en/news/2022/04/20/enemy-combat-losses-from-24-02-to-20-04/"


def test_mod_english_before_the_merge():
    obs = parse_document("mod", fixture("mod", "en-2022-04-20.html"), MOD_EN_URL)
    got = {o.category: o for o in obs}
    assert {o.as_of for o in obs} == {date(2022, 4, 20)}
    assert got["military_vehicles"].cumulative == 1523
    assert got["fuel_tanks"].cumulative == 76
    assert got["srbm_launchers"].cumulative == 4
    assert "vehicles_fuel_tanks" not in got and "cruise_missiles" not in got
    assert (got["personnel"].cumulative, got["personnel"].qualifier, got["personnel"].increase) == (
        20900,
        "about",
        None,
    )
    assert got["ships_boats"].cumulative == 8  # "boats / cutters"
    assert got["artillery"].cumulative == 397  # &mdash;
    assert len(obs) == 14


def test_mod_english_after_the_merge():
    url = "https://www.mil.gov.ua/en/news/2022/08/09/x/"
    obs = parse_document("mod", fixture("mod", "en-2022-08-09.html"), url)
    got = {o.category: o for o in obs}
    assert {o.as_of for o in obs} == {date(2022, 8, 9)}
    assert (got["personnel"].cumulative, got["personnel"].increase) == (42640, 300)  # bilingual label, NBSP
    assert got["armored_vehicles"].cumulative == 4076  # comma thousands separator
    assert (got["vehicles_fuel_tanks"].cumulative, got["vehicles_fuel_tanks"].increase) == (2998, 5)
    assert got["mlrs"].increase == 0
    assert set(got) == {c.code for c in valid_on(date(2022, 8, 9))}  # every category of that day


def test_mod_ukrainian_page_date_from_text_and_ukrainian_month():
    # no date in the URL: the "з 24.02 по 08.07" period and "08 липня 2022" give the day
    obs = parse_document("mod", fixture("mod", "uk-2022-07-08.html"), "https://www.mil.gov.ua/news/some-slug/")
    got = {o.category: o for o in obs}
    assert {o.as_of for o in obs} == {date(2022, 7, 8)}
    assert (got["personnel"].cumulative, got["personnel"].increase, got["personnel"].qualifier) == (36900, 250, "about")
    assert (got["tanks"].cumulative, got["tanks"].increase) == (1637, 35)
    assert got["vehicles_fuel_tanks"].cumulative == 2685
    assert got["ships_boats"].cumulative == 15  # "кораблі /катери"
    assert len(obs) == 13


def test_mod_gov_ua_generic_layout():
    url = "https://www.mod.gov.ua/news/zagalni-bojovi-vtrati-protivnika-z-24-02-22-po-15-10-24"
    obs = parse_document("mod", fixture("mod", "modgov-2024-10-15.html"), url)
    got = {o.category: o for o in obs}
    assert {o.as_of for o in obs} == {date(2024, 10, 15)}
    assert (got["personnel"].cumulative, got["personnel"].increase) == (673280, 1140)
    assert got["submarines"].cumulative == 1
    assert got["vehicles_fuel_tanks"].cumulative == 25791
    assert len(obs) == 14


MOD_LINES_EN = [
    "personnel &#8210; about 30950 (+100) persons were liquidated,",
    "tanks &#8210; 1367 (+4),",
    "APV &#8210; 3366 (+12),",
    "artillery systems &ndash; 661 (+14),",
    "MLRS &#8210; 207 (+0),",
    "Anti-aircraft warfare systems &#8210; 95 (+0),",
    "aircraft &ndash; 210 (+0),",
    "helicopters &ndash; 175 (+0),",
    "UAV operational-tactical level &#8210; 535 (+14),",
    "cruise missiles &#8210; 121 (+1),",
    "warships / boats &#8210; 13 (+0),",
    "vehicles and fuel tanks &#8210; 2329 (+4),",
    "special equipment &#8210; 51 (+0).",
]


def mod_page(lines=MOD_LINES_EN, h1="Enemy losses from 24.02 to 03.06", date_span="2022-06-03 07:00:00") -> bytes:
    span = f'<span class="aticle-date">{date_span}</span>' if date_span else ""
    body = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f"<html><head><title>t</title></head><body><div id='article'><h1>{h1}</h1>{span}"
        f"<div id='aticle-content'><p>Intro sentence.</p>{body}</div></div></body></html>"
    ).encode()


def test_mod_minimal_page_parses():
    obs = parse_document("mod", mod_page(), URL)
    assert len(obs) == 13 and {o.as_of for o in obs} == {date(2022, 6, 3)}


def test_mod_date_precedence():
    # no period, no date element: the URL's /YYYY/MM/DD/
    obs = parse_document("mod", mod_page(h1="Losses", date_span=None), "https://www.mil.gov.ua/en/news/2022/06/03/x/")
    assert {o.as_of for o in obs} == {date(2022, 6, 3)}
    # the stated period wins over a publication date a day later (published the next morning)
    obs = parse_document("mod", mod_page(date_span="2022-06-04 06:00:00"), URL)
    assert {o.as_of for o in obs} == {date(2022, 6, 3)}
    # the slug gives day and month, the URL date the year
    obs = parse_document(
        "mod",
        mod_page(h1="Losses", date_span=None),
        "https://www.mil.gov.ua/en/news/2022/06/03/losses-from-24-02-to-03-06/",
    )
    assert {o.as_of for o in obs} == {date(2022, 6, 3)}


def test_mod_contradictory_or_missing_dates():
    refused("mod", mod_page(date_span="2022-07-03 07:00:00"), URL, "as_of")
    refused("mod", mod_page(h1="Losses", date_span=None), URL, "as_of")


@pytest.mark.parametrize("body", [b"", b"<html><body><p>Nothing here.</p></body></html>"])
def test_mod_empty_page(body):
    refused("mod", body, URL, "page")


def test_mod_redesigned_page():
    # the figures moved into an image / a table without label-dash-number lines
    body = (
        b"<html><body><div id='aticle-content'><img src='losses.png' alt='losses'>"
        b"<table><tr><td>tanks</td><td>1367</td></tr></table></div></body></html>"
    )
    refused("mod", body, URL, "page")


def test_mod_missing_category():
    lines = [line for line in MOD_LINES_EN if not line.startswith("cruise")]
    err = refused("mod", mod_page(lines), URL, "category:cruise_missiles")
    assert err.problem == "missing on 2022-06-03"


def test_mod_cumulative_missing_is_garbled():
    lines = [
        ("vehicles and fuel tanks &#8210; (+2)." if line.startswith("vehicles") else line) for line in MOD_LINES_EN
    ]
    refused("mod", mod_page(lines), URL, "category:vehicles_fuel_tanks")


def test_mod_garbled_number():
    lines = [("tanks &#8210; 12..5 (+4)," if line.startswith("tanks") else line) for line in MOD_LINES_EN]
    refused("mod", mod_page(lines), URL, "category:tanks")


def test_mod_old_label_after_the_merge_is_kept_with_a_note_but_cannot_stand_for_the_merged_one():
    # "vehicles" after 2022-05-01 is the ended military_vehicles printed out of its dates: kept with a
    # note when the page also has the merged category, and no substitute for it when it has not
    lines = [("vehicles &#8210; 2329 (+4)," if line.startswith("vehicles") else line) for line in MOD_LINES_EN]
    refused("mod", mod_page(lines), URL, "category:vehicles_fuel_tanks")
    got = {o.category: o for o in parse_document("mod", mod_page(MOD_LINES_EN + ["vehicles &#8210; 2329 (+4),"]), URL)}
    assert got["military_vehicles"].cumulative == 2329 and got["military_vehicles"].note.startswith("out_of_validity")
    assert got["vehicles_fuel_tanks"].note is None


def test_mod_unknown_label():
    refused("mod", mod_page(MOD_LINES_EN + ["war elephants &#8210; 3 (+1),"]), URL, "label:war elephants")


# ----------------------------------------------------------------------------------- russianwarship

RW_URL = "https://russianwarship.rip/api/v2/statistics?offset=0&limit=2"
STATS_2023 = {
    "personnel_units": 199460,
    "tanks": 3759,
    "armoured_fighting_vehicles": 7336,
    "artillery_systems": 3137,
    "mlrs": 562,
    "aa_warfare_systems": 316,
    "planes": 308,
    "helicopters": 294,
    "vehicles_fuel_tanks": 6034,
    "warships_cutters": 18,
    "cruise_missiles": 973,
    "uav_systems": 2720,
    "special_military_equip": 407,
    "atgm_srbm_systems": 4,
    "submarines": 0,
}


def rw_body(stats=STATS_2023, day="2023-05-15", increase=None, wrap="record") -> bytes:
    record = {
        "date": day,
        "day": 446,
        "resource": "https://example.test/r",
        "stats": stats,
        "increase": increase if increase is not None else {k: 0 for k in stats},
    }
    if wrap == "record":
        doc = {"message": "ok", "data": record}
    elif wrap == "records":
        doc = {"message": "ok", "data": {"paging": {"next_url": None}, "records": [record]}}
    else:
        doc = {"message": "ok", "data": [record]}
    return json.dumps(doc).encode()


@pytest.mark.parametrize("wrap", ["record", "records", "list"])
def test_russianwarship_shapes(wrap):
    obs = parse_document("russianwarship", rw_body(wrap=wrap), RW_URL, "application/json")
    got = {o.category: o for o in obs}
    assert {o.as_of for o in obs} == {date(2023, 5, 15)}
    assert got["personnel"].cumulative == 199460 and got["personnel"].qualifier is None
    assert got["vehicles_fuel_tanks"].cumulative == 6034
    # frozen SRBM counter after 2022-04-30 and zero submarines before 2023-09-14 are dropped
    assert "srbm_launchers" not in got and "submarines" not in got
    assert len(obs) == 13


def test_russianwarship_merge_and_never_reported_categories():
    obs = parse_document("russianwarship", fixture("russianwarship", "records-2022-04.json"), RW_URL)
    got = by_key(obs)
    before, after = date(2022, 4, 30), date(2022, 5, 1)
    # before the merge the API's vehicles_fuel_tanks is vehicles + fuel tanks (the real 2022-04-30 reply:
    # 1777 = 1701 + 76): the merged category printed early, kept with a note, no military_vehicles
    early = got[(before, "vehicles_fuel_tanks")]
    assert (early.cumulative, early.increase) == (1777, 7) and early.note.startswith("out_of_validity:")
    assert got[(before, "srbm_launchers")].cumulative == 4 and got[(before, "srbm_launchers")].note is None
    assert (before, "cruise_missiles") not in got  # a 0 before the category existed is not an observation
    assert (before, "fuel_tanks") not in got and (before, "military_vehicles") not in got  # no field of their own
    late = got[(after, "vehicles_fuel_tanks")]
    assert (late.cumulative, late.increase, late.note) == (1796, 19, None)
    assert (after, "srbm_launchers") not in got and (after, "military_vehicles") not in got
    assert got[(after, "cruise_missiles")].cumulative == 84


def test_russianwarship_nonzero_before_valid_is_kept_with_a_note():
    # a category printed outside its validity is stored with a note, not a reason to refuse the reply
    stats = dict(STATS_2023, cruise_missiles=5)
    got = {o.category: o for o in parse_document("russianwarship", rw_body(stats, day="2022-04-10"), RW_URL)}
    missiles = got["cruise_missiles"]
    assert missiles.cumulative == 5
    assert missiles.note == ("out_of_validity: printed on 2022-04-10, outside the category's validity 2022-05-01..")
    assert got["tanks"].note is None and got["tanks"].to_json().keys() == {
        "as_of",
        "category",
        "cumulative",
        "increase",
        "qualifier",
        "source",
    }
    assert missiles.to_json()["note"] == missiles.note


def test_russianwarship_bad_inputs():
    refused("russianwarship", b"<html>maintenance</html>", RW_URL, "page")
    refused("russianwarship", b'{"message": "ok", "data": {"records": []}}', RW_URL, "page")
    refused("russianwarship", b'{"message": "moved", "payload": {}}', RW_URL, "page")
    stats = {k: v for k, v in STATS_2023.items() if k != "tanks"}
    refused("russianwarship", rw_body(stats), RW_URL, "category:tanks")
    refused("russianwarship", rw_body(dict(STATS_2023, tanks="3 7x9")), RW_URL, "category:tanks")


def test_russianwarship_string_numbers_and_missing_increase():
    stats = dict(STATS_2023, tanks="3 759", submarines=0)
    obs = parse_document("russianwarship", rw_body(stats, increase={"tanks": 3}), RW_URL)
    got = {o.category: o for o in obs}
    assert (got["tanks"].cumulative, got["tanks"].increase) == (3759, 3)
    assert got["aircraft"].increase is None


def _two_blocks(second_items) -> bytes:
    block = '<li class="gold"><span class="black">15.05.2023</span><div class="casualties"><ul>{}</ul></div></li>'
    items = lambda its: "".join(f"<li>{i}</li>" for i in its)  # noqa: E731
    return (
        '<html><body><ul class="see-also">'
        + block.format(items(MINFIN_ITEMS))
        + block.format(items(second_items))
        + "</ul></body></html>"
    ).encode()


def test_minfin_month_page_repeating_the_newest_day_identically_parses():
    # the month page of the current month shows the newest day at its top and again in the month's list
    assert len(parse_document("minfin", _two_blocks(MINFIN_ITEMS), MINFIN_URL)) == 13


def test_minfin_day_repeated_with_different_figures_is_an_error():
    changed = [i.replace("3759", "3760") for i in MINFIN_ITEMS]
    err = refused("minfin", _two_blocks(changed), MINFIN_URL, "date")
    assert "different figures" in str(err)
