"""The claims extractor's stages, each on its own (etl.news.text, clauses, numbers, mentions, bind, dating,
claim), the compact gold format and the corpus parts.  No warehouse, no network."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from etl.news import numbers
from etl.news.clauses import analyse, clauses
from etl.news.dates import scan as scan_dates
from etl.news.extract import extract, read_sentences
from etl.news.gold import GoldError, load, parse_line
from etl.news.mentions import candidates
from etl.news.series import BulletinSeries
from etl.news.text import fold, sentences

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "news"


def _one(text: str, **kw) -> list[dict]:
    return [c.to_json() for c in extract(text, **kw)]


def _pick(claims: list[dict], value: int) -> dict:
    (hit,) = [c for c in claims if c["value"] == value]
    return hit


# --------------------------------------------------------------------------- the rule: small stages


def test_no_stage_over_80_lines_and_no_module_over_500():
    for path in sorted((REPO / "etl" / "news").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 500, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 <= 80, f"{path.name}: {node.name}"


# --------------------------------------------------------------------------- normalisation


def test_fold_keeps_offsets_and_unifies_spaces_quotes_dashes():
    raw = "танків\u00a0—\u202f10\u2009123 «Генштаб» п’ять"
    folded = fold(raw)
    assert len(folded) == len(raw)
    assert folded == 'танків - 10 123 "Генштаб" п\'ять'


# --------------------------------------------------------------------------- sentences and clauses


def test_a_list_item_is_its_own_sentence():
    text = fold("Russian losses:\n\n• tanks: 10,338 (+8)\n\n• drones: 29,870 (+101)\n- artillery - 24,640")
    got = [text[s.start : s.end] for s in sentences(text)]
    assert got[:3] == ["Russian losses:", "tanks: 10,338 (+8)", "drones: 29,870 (+101)"]
    assert len(got) == 4 and got[3].endswith("artillery - 24,640")


def test_an_agency_dateline_with_an_abbreviated_month_is_no_sentence_end():
    text = fold("Kiev, 6 lug. (Adnkronos) - Sono 232.300 i militari russi caduti. Le perdite salgono.")
    got = [text[s.start : s.end] for s in sentences(text)]
    assert len(got) == 2 and got[0].startswith("Kiev, 6 lug. (Adnkronos)")


def test_a_relative_clause_che_is_a_group_of_its_own():
    text = fold("Sono 232.300 i militari russi caduti, che aggiunge 600 perdite nelle ultime 24 ore.")
    (s,) = sentences(text)
    parts = [text[a:b] for a, b in clauses(text, s)]
    assert len(parts) == 2 and "600" in parts[1] and "232.300" in parts[0]


def test_clauses_cut_at_including_but_not_inside_a_figure():
    text = fold("Russia has lost 812,670 troops since Feb. 24, 2022, including 1,580 in the past 24 hours.")
    (s,) = sentences(text)
    parts = [text[a:b] for a, b in clauses(text, s)]
    assert len(parts) == 2 and parts[1].startswith(", including 1,580")


def test_sentence_analysis_finds_cues_markers_and_report_dates():
    text = fold("The General Staff said on Friday that Russia lost 1,210 soldiers over the previous 24 hours.")
    (s,) = sentences(text)
    info = analyse(text, s, scan_dates(text), None, [])
    assert [c.claimant for c in info.cues] == ["ua_general_staff"]
    assert [m.kind for m in info.markers] == ["daily"]
    assert [d.text for d in info.report_dates] == ["Friday"]
    assert info.loss


# --------------------------------------------------------------------------- number mentions


@pytest.mark.parametrize(
    "text,value",
    [
        ("over 1 million troops", 1_000_000),
        ("1.2 million", 1_200_000),
        ("півтора мільйона", 1_500_000),
        ("1,1 milioni", 1_100_000),
        ("half a million", 500_000),
        ("a million casualties", 1_000_000),
        ("понад мільйон", 1_000_000),
        ("два мільйони", 2_000_000),
        ("un milione e mezzo", 1_500_000),
        ("seven tanks", 7),
        ("п'ять танків", 5),
        ("tre elicotteri", 3),
        ("29,2 тис. осіб", 29_200),
        ("1 083 430", 1_083_430),
        ("1.153.200", 1_153_200),
    ],
)
def test_number_mentions_with_words_and_rounded_forms(text, value):
    found = numbers.scan(fold(text))
    assert found and found[0].value == value
    assert fold(text)[found[0].start : found[0].end] == found[0].text


@pytest.mark.parametrize("text", ["tanks - 4,59 9 (+15)", "11,3 26 tank"])
def test_a_digit_group_broken_by_a_space_is_one_unreadable_figure(text):
    first = numbers.scan(fold(text))[0]
    assert first.value is None and first.problem and " " in first.text
    assert [n.text for n in numbers.scan(fold("tanks 1,234 5 helicopters"))][:1] == ["1,234"]


# --------------------------------------------------------------------------- category lexicon and list syntax


@pytest.mark.parametrize(
    "line,kind,value",
    [
        ("Russia lost 11 tanks.", "tanks", 11),
        ("tanks - 8,344 (+12)", "tanks", 8344),
        ("carri armati: 10.431", "tanks", 10431),
        ("танків - 10 123 (+5) од", "tanks", 10123),
        ("10 620 tanks (+7)", "tanks", 10620),
        ("22 120 armoured combat automobiles (+11)", "armored_vehicles", 22120),
        ("Sono 862.930 i soldati russi morti o feriti", "people", 862930),
        ("two Russian Ka-52 helicopters", "helicopters", 2),
        ("Ukraine's documented tank losses stand at 1,260", "tanks", 1260),
    ],
)
def test_figures_bind_to_the_category_lexicon_through_list_syntax(line, kind, value):
    text = fold(line)
    (s,) = sentences(text)
    cands = candidates(text, s, numbers.scan(text))
    assert [(c.kind, c.value) for c in cands][:1] == [(kind, value)]


def test_a_bracket_after_the_noun_is_the_days_increase():
    claims = _one("The General Staff said Russia lost 10 620 tanks (+7) since the invasion began.")
    assert {(c["measure"], c["value"]) for c in claims} == {("cumulative", 10620), ("daily_increase", 7)}


# --------------------------------------------------------------------------- claimant, subject, reported speech


def test_claimant_is_bound_to_its_sentence_and_does_not_leak():
    text = (
        "Russia's Defense Ministry said on Tuesday that Ukraine had lost about 1,400 troops over the past day. "
        "Ukraine's General Staff, in its own report, said Russia had lost 1,030 troops."
    )
    claims = _one(text, published=date(2025, 11, 18))
    ru, gs = _pick(claims, 1400), _pick(claims, 1030)
    assert (ru["claimant"], ru["subject"], ru["category"]) == ("ru_defense_ministry", "ua_forces", "casualties_total")
    assert (gs["claimant"], gs["subject"], gs["category"]) == ("ua_general_staff", "ru_forces", "personnel")


def test_reported_speech_carries_the_claimant_forward():
    text = (
        "Secondo lo Stato maggiore ucraino, le perdite russe hanno raggiunto 812.670 uomini. "
        "Il rapporto conta anche 9.780 carri armati distrutti."
    )
    claims = _one(text)
    assert {c["claimant"] for c in claims} == {"ua_general_staff"}
    assert _pick(claims, 9780)["category"] == "tanks"


def test_a_list_keeps_the_side_of_the_item_before():
    text = "Ukraine also claimed the destruction of 15 Russian tanks, 24 armored vehicles and one airplane on Tuesday."
    claims = _one("The General Staff of Ukraine reported its figures. " + text, published=date(2022, 11, 9))
    assert {c["subject"] for c in claims} == {"ru_forces"}


# --------------------------------------------------------------------------- measure from cue words


@pytest.mark.parametrize(
    "sentence,measure",
    [
        ("Russia lost 1,040 soldiers in the past day, the General Staff said.", "daily_increase"),
        ("Russia lost 1.250 soldati nelle ultime 24 ore, secondo lo Stato maggiore.", "daily_increase"),
        ("The General Staff said Russia lost 7,350 soldiers since Nov. 11.", "period_increase"),
        ("The General Staff said Russia has lost 900,000 troops since the start of the invasion.", "cumulative"),
        ("The General Staff said the Defense Forces destroyed another 16 tanks.", "daily_increase"),
        (
            "Ukraine's General Staff said Russia lost 1,010 personnel, bringing its total to 1,170,200.",
            "daily_increase",
        ),
    ],
)
def test_measure_from_cue_words(sentence, measure):
    claims = _one(sentence, published=date(2025, 11, 18))
    assert claims[0]["measure"] == measure


# --------------------------------------------------------------------------- dates per claim


def test_explicit_date_in_the_same_words_beats_the_weekday():
    claims = _one(
        "Secondo lo Stato maggiore ucraino, giovedì 12 giugno le perdite russe hanno toccato quota 1.000.500 uomini.",
        published=date(2025, 6, 13),
    )
    assert (claims[0]["as_of"], claims[0]["date_method"]) == ("2025-06-12", "explicit")


def test_dateline_beats_the_weekday_and_each_claim_says_which_it_used():
    text = (
        "KYIV, Jan 15 (wire) - Ukraine's General Staff said on Wednesday that Russia had lost 812,670 soldiers "
        "since the start of the war, 1,580 of them in the past day."
    )
    claims = _one(text, published=date(2025, 1, 16))
    assert {(c["as_of"], c["date_method"]) for c in claims} == {("2025-01-15", "explicit")}


def test_weekday_and_explicit_beat_the_series_match():
    series = BulletinSeries.from_csv(FIXTURES / "series.csv")
    text = "On Thursday the General Staff said Russia had lost 630,200 troops since the invasion began."
    by_weekday = _one(text, published=date(2024, 9, 13), series=series)
    assert (by_weekday[0]["as_of"], by_weekday[0]["date_method"]) == ("2024-09-12", "weekday")
    undated = _one("The General Staff says Russia has lost 630,200 troops since the invasion began.", series=series)
    assert (undated[0]["as_of"], undated[0]["date_method"]) == ("2024-09-12", "series_match")
    stated = _one(
        "As of Sept. 11, the General Staff said Russia had lost 630,200 troops.",
        series=series,
        published=date(2024, 9, 13),
    )
    assert (stated[0]["as_of"], stated[0]["date_method"]) == ("2024-09-11", "explicit")


def test_the_ledes_day_dates_undated_general_staff_figures():
    text = (
        "Five civilians were wounded when drones hit Zaporizhzhia on Tuesday morning, officials said.\n\n"
        "Ukraine's General Staff said Russian losses over the past day amounted to 960 soldiers."
    )
    claims = _one("title: Drone strike\n\n" + text, published=date(2025, 9, 23))
    assert [(c["value"], c["as_of"], c["date_method"]) for c in claims] == [(960, "2025-09-23", "weekday")]


# --------------------------------------------------------------------------- exclusions


@pytest.mark.parametrize(
    "text",
    [
        "Russia launched 117 drones and two ballistic missiles at Ukraine overnight, the air force said.",
        "A drone strike injured four civilians, including a child, the governor said on Friday.",
        "Ukraine and Russia exchanged 185 prisoners of war each on Thursday.",
        "The Kremlin mobilised 300,000 reservists in 2022, officials said.",
        "Russia will spend 13 trillion rubles, or 6.3% of GDP, on defence; a tank costs $4.5 million.",
        "On day 1,308 of the full-scale war, Kyiv's military reported heavy fighting.",
        "A NATO official said Russia was losing about 1,000 soldiers a day on average.",
        "The Soviet Union lost about 15,000 troops in Afghanistan.",
    ],
)
def test_exclusions_give_no_claims(text):
    assert _one(text, published=date(2025, 3, 14)) == []


def test_pipeline_stages_compose():
    norm = fold("Ukraine's General Staff said Russia lost 1,210 soldiers over the previous 24 hours.")
    prepared, cands, dates_found = read_sentences(norm)
    assert len(prepared) == len(cands) == 1 and cands[0][0].value == 1210 and dates_found == []


# --------------------------------------------------------------------------- gold format and corpus parts


def test_compact_gold_lines():
    g = parse_line('us ru killed range 100000-120000 about 2024-12 explicit "100,000 and 120,000"')
    assert (g["claimant"], g["low"], g["high"], g["as_of"], g["as_of_precision"]) == (
        "us_intelligence",
        100000,
        120000,
        "2024-12-01",
        "month",
    )
    g = parse_line('gs ru tanks period 78 - 2024-07-28 explicit from=2024-07-22 "78 tanks"')
    assert (g["measure"], g["period_start"], g["qualifier"]) == ("period_increase", "2024-07-22", None)
    with pytest.raises(GoldError):
        parse_line("gs ru tanks cum 78 - 2024-07-28")


def test_corpus_parts_are_written_and_large_enough():
    dev, test = load(FIXTURES / "dev" / "gold.txt"), load(FIXTURES / "test" / "gold.txt")
    assert len(test) >= 40 and len(dev) + len(test) >= 120
    assert not set(dev) & set(test)
    for part, gold in (("dev", dev), ("test", test)):
        on_disk = {p.name for p in (FIXTURES / part).glob("*.txt") if p.name != "gold.txt"}
        assert on_disk == set(gold), part


def test_scorer_reports_both_parts(capsys):
    from etl.news.score import main

    main(["--part", "both"])
    out = capsys.readouterr().out
    assert "[dev]" in out and "[test]" in out and "whole claims" in out


def test_scorer_says_an_empty_part_is_not_scored(tmp_path, capsys):
    import shutil

    from etl.news.score import main

    shutil.copy(FIXTURES / "series.csv", tmp_path / "series.csv")
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "gold.txt").write_text("", encoding="utf-8")
    assert main(["--fixtures", str(tmp_path), "--part", "test"]) == 0
    out = capsys.readouterr().out
    assert "no articles: not scored" in out and "PASS" not in out
    assert main(["--fixtures", str(tmp_path), "--part", "test", "--strict"]) == 1


def _claims_of(text: str, published: date | None = date(2025, 3, 7)) -> set[tuple]:
    return {
        (c["claimant"], c["subject"], c["category"], c["measure"], c["value"])
        for c in _one(text, published=published)
        if c["status"] == "ok"
    }


GS, RU, UA = "ua_general_staff", "ru_forces", "ua_forces"


@pytest.mark.parametrize(
    "text, expected",
    [
        (  # a part said with "put out of action"; the claimant's own sentence goes on from its total
            "title: Russian losses\n\nRussia has lost 880,000 troops since the start of the war, Ukraine's General "
            "Staff said on March 7.\n\n"
            "The figure includes 1,150 soldiers put out of action in the past 24 hours.\n\n"
            "Ukraine's army also counted 10,100 tanks and 370 airplanes.",
            {
                (GS, RU, "personnel", "cumulative", 880000),
                (GS, RU, "personnel", "daily_increase", 1150),
                (GS, RU, "tanks", "cumulative", 10100),
                (GS, RU, "aircraft", "cumulative", 370),
            },
        ),
        (  # "X losses grew by N to M"; a count of things downed and its part "with N more added"
            "Russia's tank losses rose by 7 to 10,207 over the past day, Ukraine's General Staff said.\n\n"
            "The number of Russian cruise missiles downed reached 3,100, with 12 more added since the last update.",
            {
                (GS, RU, "tanks", "daily_increase", 7),
                (GS, RU, "tanks", "cumulative", 10207),
                (GS, RU, "cruise_missiles", "cumulative", 3100),
                (GS, RU, "cruise_missiles", "daily_increase", 12),
            },
        ),
        (  # the sentence after the figures names who gave them; "droni abbattuti" in a bulletin is its count
            "Salgono a 880.000 i soldati russi messi fuori combattimento, 1.150 in più rispetto a ieri. È il dato "
            "diffuso venerdì dallo Stato maggiore ucraino.\n\nIl bollettino riporta anche 90.000 droni abbattuti, "
            "400 dei quali nelle ultime 24 ore.\n\nQuanto ai carri armati, il totale è di 10.200.",
            {
                (GS, RU, "personnel", "cumulative", 880000),
                (GS, RU, "personnel", "daily_increase", 1150),
                (GS, RU, "drones", "cumulative", 90000),
                (GS, RU, "drones", "daily_increase", 400),
                (GS, RU, "tanks", "cumulative", 10200),
            },
        ),
        (  # the bulletin's own formula names the General Staff; "кораблів і катерів"
            "Загальні бойові втрати противника станом на 7 березня 2025 року становлять 880 000 осіб, з них 1150 – за "
            "минулу добу.\n\nТакож ворог втратив 28 кораблів і катерів.",
            {
                (GS, RU, "personnel", "cumulative", 880000),
                (GS, RU, "personnel", "daily_increase", 1150),
                (GS, RU, "ships_boats", "cumulative", 28),
            },
        ),
        (  # "air defense forces" are no Defence Forces cue; "motor vehicles"; Moscow's "In total" repeat folds in
            "MOSCOW, March 7. /TASS/. Ukraine's army lost up to 210 servicemen over the past 24 hours, the Russian "
            "Defense Ministry said.\n\nThe enemy also lost two tanks and six motor vehicles, the ministry said.\n\n"
            "Russian air defense forces shot down 40 drones, the ministry added.\n\n"
            "In total, the ministry said, Ukrainian troops lost up to 210 troops.",
            {
                ("ru_defense_ministry", UA, "casualties_total", "daily_increase", 210),
                ("ru_defense_ministry", UA, "tanks", "daily_increase", 2),
                ("ru_defense_ministry", UA, "vehicles_fuel_tanks", "daily_increase", 6),
            },
        ),
        (  # weapons launched are an attack; a bullet keeps its list; "were downed, bringing the count to"
            "Highlights from the General Staff's report:\n\n* Russia's troop losses reach 880,000, with 1,150 more "
            "over the past day\n* Two cruise missiles were downed, bringing the count to 3,100\n\n"
            "Russia also launched 30 cruise missiles at Kyiv overnight, the air force said.",
            {
                (GS, RU, "personnel", "cumulative", 880000),
                (GS, RU, "personnel", "daily_increase", 1150),
                (GS, RU, "cruise_missiles", "daily_increase", 2),
                (GS, RU, "cruise_missiles", "cumulative", 3100),
            },
        ),
    ],
)
def test_twelfth_pass_phrasings(text, expected):
    assert _claims_of(text) == expected


def test_a_week_said_again_and_a_date_in_its_own_clause():
    week = _one(
        "Between Aug. 27 and Sept. 3, Russia lost 5,820 soldiers, according to the General Staff.\n\n"
        "Over the same seven days, Ukraine's forces destroyed 22 tanks, the reports show.",
        published=date(2025, 9, 3),
    )
    assert {(c["measure"], c["period_start"]) for c in week} == {("period_increase", "2025-08-27")}
    two = _one(
        "British defence intelligence put Russian casualties at around 950,000 in an update on Tuesday, while a "
        "senior U.S. official estimated that upward of 250,000 Russian troops had been killed.",
        published=date(2025, 5, 29),
    )
    assert _pick(two, 950000)["as_of"] == "2025-05-27" and _pick(two, 250000)["as_of"] is None


@pytest.mark.parametrize(
    "text, expected",
    [
        (  # a pipe table, the total first and the day's change second; a dash is no change
            "The General Staff of Ukraine reported these losses on 7 March 2025.\n\n"
            "| Category | Total | Past day |\n|---|---|---|\n| Tanks | 10,100 | +7 |\n| Aircraft | 370 | – |\n",
            {
                (GS, RU, "tanks", "cumulative", 10100),
                (GS, RU, "tanks", "daily_increase", 7),
                (GS, RU, "aircraft", "cumulative", 370),
            },
        ),
        (  # the change column first, in Ukrainian, no separator row
            "Втрати ворога станом на 7 березня 2025 року, за даними Генштабу ЗСУ:\n\n"
            "| Категорія | За добу | Всього |\n| Танки | +7 | 10 100 |\n| Гелікоптери | - | 331 |\n",
            {
                (GS, RU, "tanks", "cumulative", 10100),
                (GS, RU, "tanks", "daily_increase", 7),
                (GS, RU, "helicopters", "cumulative", 331),
            },
        ),
        (  # an Italian table with the total alone
            "Le perdite russe secondo lo Stato maggiore ucraino al 7 marzo 2025:\n\n"
            "| Voce | Totale |\n| --- | --- |\n| Carri armati | 10.100 |\n| Elicotteri | 331 |\n",
            {(GS, RU, "tanks", "cumulative", 10100), (GS, RU, "helicopters", "cumulative", 331)},
        ),
        (  # "change → total" digests, with either arrow, and items "label N" after a colon
            "Russian losses on March 7, 2025, per Ukraine's General Staff (day's change → total):\n\n"
            "Tanks: +7 → 10,100\nArtillery: +40 -> 23,500\n\nNo change: aircraft 370, helicopters 331.",
            {
                (GS, RU, "tanks", "cumulative", 10100),
                (GS, RU, "tanks", "daily_increase", 7),
                (GS, RU, "artillery", "cumulative", 23500),
                (GS, RU, "artillery", "daily_increase", 40),
                (GS, RU, "aircraft", "cumulative", 370),
                (GS, RU, "helicopters", "cumulative", 331),
            },
        ),
    ],
)
def test_tables_and_digest_syntaxes(text, expected):
    assert _claims_of(text) == expected


@pytest.mark.parametrize(
    "header",
    [
        "Ukraine's General Staff reported these Russian losses as of March 7, 2025 (change over the past day in "
        "brackets):",
        "Ukraine's General Staff reported these Russian losses as of March 7, 2025; the figures over the past day are "
        "given in parentheses.",
        "Втрати ворога станом на 7 березня 2025 року за даними Генштабу ЗСУ (у дужках - за минулу добу):",
        "Le perdite russe al 7 marzo 2025 secondo lo Stato maggiore ucraino (tra parentesi quelle delle ultime 24 "
        "ore):",
    ],
)
def test_words_about_the_brackets_leave_the_totals_cumulative(header):
    got = _claims_of(header + "\n\nTanks: 10,100 (+7)\nAircraft: 370\n")
    assert got == {
        (GS, RU, "tanks", "cumulative", 10100),
        (GS, RU, "tanks", "daily_increase", 7),
        (GS, RU, "aircraft", "cumulative", 370),
    }


@pytest.mark.parametrize(
    "header",
    [
        "The losses of the Russian army between Feb. 24 and June 21 are as follows, the General Staff reported on "
        "Tuesday:",
        "As of June 21, Russia's losses are as follows, Ukraine's General Staff said on Tuesday:",
        "Втрати ворога станом на 21 червня, за даними Генштабу ЗСУ, оприлюдненими у вівторок:",
        "Le perdite russe al 21 giugno, secondo lo Stato maggiore ucraino che le ha diffuse martedì:",
    ],
)
def test_a_list_headers_stated_day_beats_its_weekday(header):
    got = _one(header + "\n\ntanks - 1,496 (+19)\naircraft - 216\n", published=date(2022, 6, 21))
    assert {(c["as_of"], c["date_method"]) for c in got} == {("2022-06-21", "explicit")}


@pytest.mark.parametrize(
    "text",
    [
        "Russia has lost 880,000 troops, Ukraine's General Staff said.\n\nUkraine's forces are also credited with 370 "
        "aircraft and 331 helicopters.",
        "Росія втратила 880 000 військових, повідомляє Генштаб ЗСУ.\n\nКрім того, на рахунку Сил оборони 370 літаків "
        "і 331 гелікоптер.",
        "Росія втратила 880 000 військових, повідомляє Генштаб ЗСУ.\n\nЛітаків знищено 370, гелікоптерів - 331.",
        "La Russia ha perso 880.000 soldati, secondo lo Stato maggiore ucraino.\n\nAl loro attivo anche 370 aerei e "
        "331 elicotteri.",
    ],
)
def test_figures_credited_to_the_defence_forces_are_russias_losses(text):
    assert _claims_of(text) == {
        (GS, RU, "personnel", "cumulative", 880000),
        (GS, RU, "aircraft", "cumulative", 370),
        (GS, RU, "helicopters", "cumulative", 331),
    }


def test_ukrainian_list_abbreviations():
    text = (
        "Загальні бойові втрати ворога на 07.03.2025 (дані Генштабу ЗСУ):\n\n"
        "▪️ о/с — ~880 000 (+1 150)\n▪️ КР — 3 064\n▪️ авто та цистерни — 38 243 (+139)\n▪️ кораблі/катери — 28\n"
    )
    assert _claims_of(text) == {
        (GS, RU, "personnel", "cumulative", 880000),
        (GS, RU, "personnel", "daily_increase", 1150),
        (GS, RU, "cruise_missiles", "cumulative", 3064),
        (GS, RU, "vehicles_fuel_tanks", "cumulative", 38243),
        (GS, RU, "vehicles_fuel_tanks", "daily_increase", 139),
        (GS, RU, "ships_boats", "cumulative", 28),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Nella settimana dall'1 al 7 marzo le forze russe hanno perso 8.430 soldati, secondo lo Stato maggiore.",
        "Tra il 1 e il 7 marzo le forze russe hanno perso 8.430 soldati, secondo lo Stato maggiore ucraino.",
        "Between March 1 and 7, Russia lost 8,430 soldiers, according to Ukraine's General Staff.",
        "From March 1 to 7, Russia lost 8,430 soldiers, Ukraine's General Staff said.",
        "From 1 to 7 March, Russia lost 8,430 soldiers, Ukraine's General Staff said.",
        "З 1 по 7 березня росія втратила 8430 військових, повідомляє Генштаб ЗСУ.",
    ],
)
def test_a_range_of_days_in_one_month_is_a_period(text):
    got = _one(text, published=date(2025, 3, 8))
    assert [(c["measure"], c["value"], c["period_start"], c["as_of"]) for c in got] == [
        ("period_increase", 8430, "2025-03-01", "2025-03-07")
    ]


@pytest.mark.parametrize(
    "second",
    [
        "Its Battlegroup West has eliminated over 220 Ukrainian military personnel and a tank, the ministry said.",
        "Its Battlegroup West killed up to 220 Ukrainian army soldiers and a tank, the ministry said.",
        "Battlegroup West eliminated 220 more Ukrainian military personnel and a tank, according to the ministry.",
    ],
)
def test_an_army_counted_after_a_figure_is_the_loser_not_the_claimant(second):
    text = "Ukraine lost up to 460 soldiers over the past day, the Russian Defense Ministry said on Saturday. " + second
    got = {(c["claimant"], c["subject"], c["value"]) for c in _one(text, published=date(2025, 5, 3))}
    assert got == {("ru_defense_ministry", UA, 460), ("ru_defense_ministry", UA, 220), ("ru_defense_ministry", UA, 1)}


@pytest.mark.parametrize(
    "text, claimant",
    [
        (
            "Shoigu declared on Tuesday that, in November, Kyiv's losses amounted to more than 8,300 military "
            "personnel.",
            "ru_defense_ministry",
        ),
        (
            "Ukraine lost more than 8,300 troops last month, the Russian Defense Ministry said on Tuesday.",
            "ru_defense_ministry",
        ),
        (
            "Il ministero della Difesa russo ha detto martedì che a novembre l'Ucraina ha perso oltre 8.300 soldati.",
            "ru_defense_ministry",
        ),
    ],
)
def test_a_month_inside_the_words_reported_is_the_month_counted(text, claimant):
    (got,) = _one(text, published=date(2022, 12, 7))
    assert (got["claimant"], got["measure"], got["period_start"], got["as_of"]) == (
        claimant,
        "period_increase",
        "2022-11-01",
        "2022-12-06",
    )


def test_a_month_said_of_the_report_dates_it():
    (got,) = _one(
        "The Russian Defense Ministry said last month that Ukraine had lost 8,300 troops.", published=date(2022, 12, 7)
    )
    assert (got["measure"], got["as_of"], got["as_of_precision"]) == ("cumulative", "2022-11-01", "month")


@pytest.mark.parametrize(
    "text",
    [
        "Russia's losses had reached 409,010 troops as of Feb. 24, Ukraine's General Staff said on Monday.",
        "Станом на 24 лютого росія втратила 409 010 військових, повідомив Генштаб ЗСУ у понеділок.",
        "The Feb. 24 bulletin of Ukraine's General Staff, published on Monday, counted 409,010 Russian troops lost.",
    ],
)
def test_as_of_the_wars_anniversary_is_a_report_day(text):
    got = _one(text, published=date(2024, 2, 26))
    assert [(c["measure"], c["as_of"], c["date_method"]) for c in got] == [("cumulative", "2024-02-24", "explicit")]


@pytest.mark.parametrize(
    "text",
    [
        "On Sunday, the General Staff added another 810 troops and eight tanks to its count.",
        "Ukraine's General Staff on Sunday added 810 troops and eight tanks to the total.",
    ],
)
def test_added_to_its_count_is_the_days_increase(text):
    assert _claims_of(text, published=date(2024, 2, 26)) == {
        (GS, RU, "personnel", "daily_increase", 810),
        (GS, RU, "tanks", "daily_increase", 8),
    }


def test_one_of_them_named_is_no_count():
    text = "The General Staff also counted 340 Russian aircraft lost, one of them an A-50 surveillance plane."
    assert _claims_of(text) == {(GS, RU, "aircraft", "cumulative", 340)}


@pytest.mark.parametrize(
    "label, kind",
    [
        ("Armoured personnel automobiles", "armored_vehicles"),
        ("Armored fighting machines", "armored_vehicles"),
        ("Unmanned aerial autos of operational-tactical degree", "drones"),
        ("Unmanned aerial machines", "drones"),
        ("Drones of the operational-tactical grade", "drones"),
        ("UAVs of operational-tactical level", "drones"),
    ],
)
def test_rewritten_vehicle_and_level_words_in_a_list(label, kind):
    text = f"As of March 7, 2025, the General Staff reports:\n\n• Tanks: 10,100 (+7)\n• {label}: 21,139 (+9)\n"
    assert (GS, RU, kind, "cumulative", 21139) in _claims_of(text)
    assert (GS, RU, kind, "daily_increase", 9) in _claims_of(text)


@pytest.mark.parametrize(
    "words, value",
    [
        ("сто сорок один", 141),
        ("двісті п'ять", 205),
        ("тисячу сто п'ятдесят", 1150),
        ("дев'ятсот дев'яносто дев'ять", 999),
        ("сто тисяч", 100000),
        ("centoquarantuno", 141),
        ("centottanta", 180),
        ("milleduecento", 1200),
        ("duemilatrecento", 2300),
        ("one hundred forty-one", 141),
        ("one thousand one hundred fifty", 1150),
        ("two hundred thousand", 200000),
        ("одна тисяча сто п'ятдесят", 1150),
        ("дві тисячі сто", 2100),
        ("п'ять тисяч", 5000),
    ],
)
def test_number_words_above_ninety_nine(words, value):
    from etl.news.numbers import scan

    assert [(n.text, n.value) for n in scan(f"x {words} y")] == [(words, value)]


def test_no_number_inside_other_italian_words():
    from etl.news.numbers import scan

    assert [n.text for n in scan("percento, accento, centinaia, millenni")] == []
    assert [n.text for n in scan("Ще понад тисяча окупантів")] == []  # a round "over a thousand", as in English


@pytest.mark.parametrize(
    "text, measure",
    [
        ("The General Staff put Russia's troop losses at 36,900 on Friday, up 250 from Thursday.", "daily_increase"),
        ("The General Staff put Russia's troop losses at 36,900 on Friday, up 1,250 from Monday.", "period_increase"),
        ("Between July 7 and July 8, Russia lost 250 troops, the General Staff said.", "daily_increase"),
    ],
)
def test_a_period_of_two_consecutive_days_is_the_days_increase(text, measure):
    got = [c for c in _one(text, published=date(2022, 7, 8)) if c["value"] in (250, 1250)]
    assert [c["measure"] for c in got] == [measure]


@pytest.mark.parametrize(
    "text, kind, value",
    [
        (
            "Russia's defence ministry said its forces had destroyed two U.S.-supplied HIMARS rocket launchers.",
            "mlrs",
            2,
        ),
        ("Moscow said it had destroyed three German-built Leopard tanks.", "tanks", 3),
        ("За минулу добу українські воїни вивели з ладу 1080 окупантів, повідомляє Генштаб.", "personnel", 1080),
    ],
)
def test_makers_names_and_put_out_of_action(text, kind, value):
    assert any(c["category"] == kind and c["value"] == value for c in _one(text))


@pytest.mark.parametrize(
    "text, low, high, value",
    [
        ("NATO estimates that as many as 40-thousand Russian troops have been killed or wounded.", None, None, 40000),
        ("NATO estimates that between seven- and 15-thousand Russian troops have been killed.", 7000, 15000, None),
        ("NATO estimates that between seven and 15 thousand Russian troops have been killed.", 7000, 15000, None),
        ("NATO estimates that between 7- and 15-thousand Russian troops have been killed.", 7000, 15000, None),
    ],
)
def test_hyphenated_thousands_and_a_hanging_hyphen_in_a_range(text, low, high, value):
    (got,) = _one(text)
    assert (got["claimant"], got["low"], got["high"], got["value"]) == ("nato", low, high, value)


@pytest.mark.parametrize(
    "text",
    [
        "In late September, Shoigu claimed that Ukraine had suffered more than 61,000 combat losses since Moscow "
        "launched its operation in February.",
        "In September, the Russian Defense Ministry said Ukraine had lost more than 61,000 troops since the invasion "
        "began in February.",
        "During September, Moscow said Ukraine had suffered more than 61,000 combat losses.",
    ],
)
def test_a_yearless_month_opening_a_sentence_dates_the_statement(text):
    (got,) = _one(text, published=date(2022, 12, 7))
    assert (got["claimant"], got["measure"], got["value"], got["as_of"], got["as_of_precision"]) == (
        "ru_defense_ministry",
        "cumulative",
        61000,
        "2022-09-01",
        "month",
    )


def test_a_count_among_a_categorys_kinds():
    text = (
        "La Russia ha perso 10.100 carri armati, secondo lo Stato maggiore ucraino. Lo Stato maggiore conta inoltre "
        "28 tra navi e motovedette e 38.243 fra automezzi e autocisterne."
    )
    assert _claims_of(text) == {
        (GS, RU, "ships_boats", "cumulative", 28),
        (GS, RU, "vehicles_fuel_tanks", "cumulative", 38243),
        (GS, RU, "tanks", "cumulative", 10100),
    }


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Artillery systems - 13 77 0 (+34)", "artillery"),
        ("Tanks: 1 01 61 (+15)", "tanks"),
        ("артилерійських систем — 23 5 28 (+66)", "artillery"),
        ("Drones — 26 3…", "drones"),
        ("БпЛА — 26 3...", "drones"),
    ],
)
def test_a_garbled_or_cut_list_figure_is_unreadable(line, kind):
    got = _one(
        f"Ukraine's General Staff, as of March 7, 2025:\n\nPersonnel - 880,000 (+1,150)\n{line}\nAircraft - 370\n"
    )
    bad = [c for c in got if c["category"] == kind and c["measure"] == "cumulative"]
    assert [c["status"] for c in bad] == ["unparseable"]
    first_group = int(line.split("-")[-1].split(":")[-1].split("—")[-1].split()[0])
    assert not [c for c in got if c["category"] == kind and c["value"] == first_group]


@pytest.mark.parametrize(
    "text",
    [
        "Il ministero della Difesa russo sostiene che le forze ucraine abbiano perso oltre 33.000 militari nella "
        "regione di Kursk dall'inizio dell'incursione, il 6 agosto.",
        "The Russian Defense Ministry said Ukraine had lost more than 33,000 troops in the Kursk region since the "
        "start of its incursion, on Aug. 6.",
        "Міноборони рф заявило, що Україна втратила понад 33 000 військових з початку операції, 6 серпня.",
    ],
)
def test_the_start_of_an_incursion_said_after_a_comma_opens_the_period(text):
    (got,) = _one(text, published=date(2024, 11, 14))
    assert (got["measure"], got["period_start"], got["value"]) == ("period_increase", "2024-08-06", 33000)


@pytest.mark.parametrize(
    "who",
    ["President Volodymyr Zelensky", "Zelensky", "Volodymyr Zelensky"],
)
def test_since_a_month_when_someone_put_a_figure_dates_it(who):
    text = (
        f"Kyiv has not updated its losses since February, when {who} put the number of its soldiers killed at 31,000."
    )
    (got,) = _one(text, published=date(2024, 12, 16))
    assert (got["measure"], got["as_of"], got["as_of_precision"]) == ("cumulative", "2024-02-01", "month")


# A General Staff list of the day, as the list tests below open it, and the claims of its tanks and aircraft lines
LIST_HEAD = "Russian losses as of March 7, 2025, according to Ukraine's General Staff:\n\n"
TANKS_AND_AIRCRAFT = {
    (GS, RU, "tanks", "cumulative", 10100),
    (GS, RU, "tanks", "daily_increase", 7),
    (GS, RU, "aircraft", "cumulative", 370),
}


@pytest.mark.parametrize(
    "item",
    [
        "Tanks: 10,100 (+7)",
        "Tanks: 10,100 [+7]",
        "Tanks: 10,100, +7",
        "Tanks: 10,100 / +7",
        "Tanks – 10,100 ↑7",
        "Tanks – 10,100 (↑7)",
        "Танки — 10 100 (+7 за добу)",
    ],
)
def test_the_days_change_after_a_total_in_any_notation(item):
    assert _claims_of(f"{LIST_HEAD}{item}\nAircraft: 370\n") == TANKS_AND_AIRCRAFT


@pytest.mark.parametrize(
    "items",
    [
        "Tanks 10,100 (+7)\nAircraft 370",
        "Tanks\t10,100\t+7\nAircraft\t370",
        "Tanks .......... 10,100 (+7)\nAircraft ....... 370",
        "🔥 Tanks 10,100 (+7)\n🔥 Aircraft 370",
        "Tanks… 10,100 (+7)\nAircraft… 370",
    ],
)
def test_a_list_item_without_a_dash(items):
    assert _claims_of(f"{LIST_HEAD}{items}\n") == TANKS_AND_AIRCRAFT


def test_a_label_opening_a_long_sentence_is_no_list_item():
    text = "Ukraine's General Staff said the count was rising. " + "Some " * 20 + "tanks 3,175 were named."
    assert not [c for c in _one(text) if c["value"] == 3175]


@pytest.mark.parametrize(
    "text",
    [
        "Over the past day Russia lost 1,150 soldiers (880,000 in total) and 14 tanks (10,100 in total), the General "
        "Staff said.",
        "За минулу добу росія втратила 1150 осіб (всього 880 000) та 14 танків (загалом 10 100), повідомляє "
        "Генштаб ЗСУ.",
        "Nelle ultime 24 ore la Russia ha perso 1.150 soldati (880.000 in totale) e 14 carri armati (totale 10.100), "
        "secondo lo Stato maggiore ucraino.",
        "Russian losses according to Ukraine's General Staff:\n\n+1,150 soldiers (880,000 in total)\n+14 tanks (10,100 "
        "in total)",
    ],
)
def test_a_total_in_brackets_after_the_days_figure(text):
    assert _claims_of(text) == {
        (GS, RU, "personnel", "daily_increase", 1150),
        (GS, RU, "personnel", "cumulative", 880000),
        (GS, RU, "tanks", "daily_increase", 14),
        (GS, RU, "tanks", "cumulative", 10100),
    }


@pytest.mark.parametrize(
    "second",
    [
        "Kyiv cites a figure of 880,000 troops.",
        "Kiev parla invece di 880.000 soldati.",
        "Kyiv instead gives a figure of 880,000 Russian soldiers.",
    ],
)
def test_kyiv_naming_its_own_figure_after_another_claimant(second):
    text = "British intelligence put Russian casualties at about 850,000. " + second
    got = {(c["claimant"], c["subject"], c["value"]) for c in _one(text)}
    assert got == {("uk_defence_ministry", RU, 850000), (GS, RU, 880000)}


def test_a_sides_losses_put_at_a_figure():
    text = "A U.S. official said on Friday that Russia had lost up to 700,000 soldiers killed or wounded. "
    text += "Ukraine's own losses were put at about 400,000."
    got = {(c["claimant"], c["subject"], c["value"]) for c in _one(text)}
    assert got == {("us_intelligence", RU, 700000), ("us_intelligence", UA, 400000)}


@pytest.mark.parametrize(
    "item, kind",
    [
        ("Автотехніка: 38 243 (+139)", "vehicles_fuel_tanks"),
        ("Автотехніка та цистерни: 38 243 (+139)", "vehicles_fuel_tanks"),
        ("Mezzi e cisterne: 38.243 (+139)", "vehicles_fuel_tanks"),
        ("Difesa aerea: 1.080 (+139)", "air_defense"),
        ("Fighting vehicles: 21,139 (+139)", "armored_vehicles"),
        ("Cruise rockets: 3,064 (+139)", "cruise_missiles"),
        ("Rotorcraft: 331 (+139)", "helicopters"),
    ],
)
def test_short_list_labels(item, kind):
    assert (GS, RU, kind, "daily_increase", 139) in _claims_of(f"{LIST_HEAD}Tanks: 10,100 (+7)\n{item}\n")


def test_a_makers_article_as_one_in_a_list():
    text = (
        "Ukraine's army lost up to 1,200 servicemen in the past 24 hours, the Russian Defense Ministry said. Russian "
        "forces also destroyed two US-made Bradley fighting vehicles and a German-made Leopard tank."
    )
    got = {(c["category"], c["value"]) for c in _one(text)}
    assert got == {("casualties_total", 1200), ("armored_vehicles", 2), ("tanks", 1)}


@pytest.mark.parametrize(
    "items",
    [
        "Tanks – 10,100 units (+7)\nAircraft – 370 units",
        "танків — 10 100 од. (+7 од.)\nлітаків — 370 од.",
        "Carri armati: 10.100 unità (+7)\nAerei: 370 unità",
        "Tanks: 10.1K (+7)\nAircraft: 370",
    ],
)
def test_units_and_k_after_a_list_figure(items):
    assert _claims_of(f"{LIST_HEAD}{items}\n") == TANKS_AND_AIRCRAFT


def test_k_and_m_written_on_a_figure_but_not_on_a_model():
    from etl.news.numbers import scan

    assert [(n.text, n.value) for n in scan("880K troops, 1.2M casualties, an M113 and a T-90M")] == [
        ("880K", 880000),
        ("1.2M", 1200000),
    ]


@pytest.mark.parametrize(
    "text, start",
    [
        ("In February, Russia lost 35,000 troops, Ukraine's General Staff said on Friday.", "2025-02-01"),
        ("У лютому росія втратила 35 тисяч військових, повідомив Генштаб ЗСУ у п'ятницю.", "2025-02-01"),
        ("A febbraio la Russia ha perso 35.000 soldati, secondo lo Stato maggiore ucraino.", "2025-02-01"),
        ("Since the start of 2025, Russia has lost 35,000 troops, Ukraine's General Staff said.", "2025-01-01"),
        ("З початку 2025 року росія втратила 35 тисяч військових, повідомив Генштаб ЗСУ.", "2025-01-01"),
        ("Dall'inizio del 2025 la Russia ha perso 35.000 soldati, secondo lo Stato maggiore ucraino.", "2025-01-01"),
    ],
)
def test_a_month_or_a_years_start_before_the_losses_opens_a_period(text, start):
    (got,) = _one(text, published=date(2025, 3, 7))
    assert (got["measure"], got["period_start"], got["value"]) == ("period_increase", start, 35000)


def test_a_month_before_someone_saying_dates_the_report():
    (got,) = _one("In February, the General Staff said Russia had lost 35,000 troops.", published=date(2025, 3, 7))
    assert (got["measure"], got["as_of"], got["as_of_precision"]) == ("cumulative", "2025-02-01", "month")


@pytest.mark.parametrize(
    "header, items",
    [
        (
            "Casualties of the strike on Kharkiv, according to the regional governor:",
            "| Killed | 5 |\n| Injured | 32 |",
        ),
        ("Aid packages approved this week:", "Tanks 31 (+10)\nArtillery shells 100,000"),
        ("Air defence results overnight (Ukrainian Air Force):", "drones: 120 (+15)\ncruise missiles: 10"),
        ("Наслідки обстрілу Харкова, за даними ОВА:", "загиблі — 5\nпоранені — 32"),
        ("Aiuti militari approvati questa settimana:", "Carri armati: 31 (+10)"),
    ],
)
def test_a_list_under_a_header_about_something_else_gives_no_claims(header, items):
    text = f"{header}\n\n{items}\n\nRussia has lost 10,100 tanks, Ukraine's General Staff said on Friday.\n\n"
    text += "Russia's losses according to the General Staff:\n\nTanks: 10,100 (+7)\n"
    assert _claims_of(text) == {(GS, RU, "tanks", "cumulative", 10100), (GS, RU, "tanks", "daily_increase", 7)}


@pytest.mark.parametrize(
    "text",
    [
        "Il bilancio delle perdite russe sale a 880.000 soldati: 1.150 solo nelle ultime 24 ore, secondo Kiev.",
        "Russia's losses have reached 880,000 troops: 1,150 in the past day alone, Kyiv said.",
        "Втрати ворога сягнули 880 000 осіб: 1150 лише за минулу добу, повідомляє Генштаб ЗСУ.",
    ],
)
def test_the_days_marker_after_a_colon_is_the_next_figures(text):
    assert _claims_of(text) == {
        (GS, RU, "personnel", "cumulative", 880000),
        (GS, RU, "personnel", "daily_increase", 1150),
    }
