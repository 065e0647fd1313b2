"""The decision engine of the quality gate (etl.quality.consensus): hand-written series for every
diagnosis, and the bundled replay snapshot (data/replay) with its real typos and official corrections."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from etl.quality.consensus import Record, decide, load_official_corrections, majority_agreement, monotonic_violations

REPO = Path(__file__).resolve().parents[1]
REPLAY = REPO / "data" / "replay"
D0 = date(2024, 1, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def series(source: str, values, category: str = "tanks", start: int = 0, increases=None) -> list[Record]:
    incs = increases or [None] * len(values)
    return [
        Record(source, day(start + i), category, v, inc)
        for i, (v, inc) in enumerate(zip(values, incs, strict=False))
        if v is not None
    ]


def quarantined(decision, **match):
    return [q for q in decision.quarantine if all(getattr(q, k) == v for k, v in match.items())]


def key(d):
    return (
        {k: (a.value, a.status) for k, a in d.accepted.items()},
        sorted((q.source, q.as_of, q.category, q.cumulative, q.diagnosis) for q in d.quarantine),
    )


# ------------------------------------------------------------------------------------ hand-written series


def test_typo_low_blames_the_typo_not_the_next_day():
    obs = (
        series("mod", [100, 105, 110, 112])
        + series("minfin", [100, 105, 11, 112])
        + series("russianwarship", [100, 105, 110, 112])
    )
    d = decide(obs, [])
    assert [(q.source, q.as_of, q.diagnosis) for q in d.quarantine] == [("minfin", day(2), "typo_low")]
    q = d.quarantine[0]
    assert q.expectation == "monotonic_cumulative"
    assert q.neighbours == {"prev": (day(1), 105), "next": (day(3), 112)}
    assert d.accepted[(day(2), "tanks")].value == 110
    assert d.accepted[(day(2), "tanks")].status == "majority"
    assert d.accepted[(day(2), "tanks")].sources_agreeing == ("mod", "russianwarship")
    assert d.accepted[(day(3), "tanks")].status == "agreed"  # the correct next day is not blamed


def test_single_source_typo_low_is_found_by_the_next_day():
    d = decide(series("minfin", [100, 105, 15, 112, 115]), [])
    assert [(q.as_of, q.diagnosis) for q in d.quarantine] == [(day(2), "typo_low")]
    assert (day(2), "tanks") not in d.accepted
    assert monotonic_violations(d.accepted) == []


def test_high_spike_is_retracted_when_the_next_day_arrives_later():
    first = series("minfin", [100, 101, 150], increases=[None, 1, 1])  # 150: a typo for 102, printed (+1)
    d1 = decide(first, [])
    assert d1.accepted[(day(2), "tanks")].value == 150  # nothing contradicts it yet
    late = [Record("minfin", day(3), "tanks", 103, 2)]  # (+2) fits 101, not 150
    d2 = decide(late, [], previous=d1)
    assert d2.accepted[(day(3), "tanks")].value == 103
    assert (day(2), "tanks") not in d2.accepted
    assert [(r.as_of, r.previous.value, r.now) for r in d2.retracted] == [(day(2), 150, None)]
    [q] = d2.quarantine
    assert (q.as_of, q.cumulative, q.diagnosis) == (day(2), 150, "spike_before")
    assert q.evidence.get("retracted") is True
    assert key(d2) == key(decide(first + late, []))


def test_single_source_decrease_on_the_newest_day_is_unresolved_until_the_next_day():
    d1 = decide(series("mod", [100, 110, 105]), [])
    [q] = d1.quarantine
    assert (q.as_of, q.diagnosis) == (day(2), "unresolved")
    assert d1.accepted[(day(1), "tanks")].value == 110  # kept on equal evidence
    d2 = decide([Record("mod", day(3), "tanks", 106)], [], previous=d1)
    assert [(q.as_of, q.cumulative, q.diagnosis) for q in d2.quarantine] == [(day(1), 110, "spike_before")]
    assert [r.as_of for r in d2.retracted] == [day(1)]
    assert d2.accepted[(day(2), "tanks")].value == 105


def test_correction_confirmed_by_the_printed_increase():
    d = decide(series("mod", [100, 110, 95, 96], increases=[None, 10, -15, 1]), [])
    a = d.accepted[(day(2), "tanks")]
    assert (a.value, a.status, a.flag) == (95, "correction", "printed_increase")
    assert d.quarantine == []
    assert [c["change"] for c in d.corrections] == [-15]


def test_correction_confirmed_by_other_sources():
    obs = series("mod", [100, 110, 95, 96]) + series("minfin", [100, 110, 95, 96])
    d = decide(obs, [])
    a = d.accepted[(day(2), "tanks")]
    assert (a.value, a.status, a.flag, a.sources_agreeing) == (95, "correction", "sources_agree", ("mod", "minfin"))
    assert d.quarantine == []


def test_correction_confirmed_by_the_registry_and_only_up_to_its_size():
    obs = series("mod", [100, 110, 95, 96])
    d = decide(obs, [(day(2), "tanks", -20)])
    a = d.accepted[(day(2), "tanks")]
    assert (a.status, a.flag) == ("correction", "registry")
    # the registry allows -20 on day 2 (or the day after); a drop of 15 one day later still fits,
    # a drop larger than the delta does not
    assert decide(obs, [(day(1), "tanks", -20)]).accepted[(day(2), "tanks")].status == "correction"
    too_big = decide(series("mod", [100, 110, 50, 115, 120]), [(day(2), "tanks", -20)])
    assert (day(2), "tanks") not in too_big.accepted
    assert too_big.quarantine[0].diagnosis == "typo_low"
    # a registry entry of another category or another week confirms nothing
    other = decide(obs, [(day(2), "artillery", -20), (day(9), "tanks", -20)])
    assert [q.diagnosis for q in other.quarantine] == ["unresolved", "unresolved"]  # 95, 96: no day after yet


def test_backfilled_day_must_fit_between_both_neighbours():
    base = series("minfin", [100, 110, None, 120, 125, 130])
    for value, diagnosis in ((90, "typo_low"), (135, "spike_before")):
        late = [Record("minfin", day(2), "tanks", value)]
        d = decide(late, [], previous=decide(base, []))
        assert [(q.as_of, q.diagnosis) for q in d.quarantine] == [(day(2), diagnosis)]
        assert d.quarantine[0].neighbours == {"prev": (day(1), 110), "next": (day(3), 120)}
        assert (day(2), "tanks") not in d.accepted and d.retracted == []
        assert key(d) == key(decide(base + late, []))
    d = decide([Record("minfin", day(2), "tanks", 115)], [], previous=decide(base, []))
    assert d.accepted[(day(2), "tanks")].value == 115 and d.quarantine == []


def test_true_tie_uses_priority_and_says_so():
    obs = [
        Record("mod", day(0), "tanks", 100),
        Record("minfin", day(0), "tanks", 101),
        Record("mod", day(1), "tanks", 110),
        Record("minfin", day(1), "tanks", 110),
    ]
    a = decide(obs, []).accepted[(day(0), "tanks")]
    assert (a.value, a.status, a.note, a.sources_agreeing) == (100, "resolved", "priority_tiebreak", ("mod",))
    # evidence beats priority: mod's value would break monotonicity
    obs[0] = Record("mod", day(0), "tanks", 111)
    a = decide(obs, []).accepted[(day(0), "tanks")]
    assert (a.value, a.status, a.note) == (101, "resolved", "")


def test_incremental_day_by_day_equals_full():
    obs = (
        series("mod", [100, 104, 109, 80, 111, 113, 150, 116, 117], increases=[None, 4, 5, 5, 2, 2, 3, 3, 1])
        + series("minfin", [100, 104, 109, 110, 111, 113, 114, 116, None])
        + series("russianwarship", [100, 104, 109, 110, 111, 90, 114, 116, 117])
    )
    full = decide(obs, [])
    d = None
    for n in range(9):
        d = decide([r for r in obs if r.as_of == day(n)], [], previous=d)
    assert key(d) == key(full)
    assert {(q.source, q.as_of) for q in full.quarantine} == {
        ("mod", day(3)),
        ("mod", day(6)),
        ("russianwarship", day(5)),
    }


# ------------------------------------------------------------------------------------ the bundled snapshot


@cache
def snapshot():
    obs = []
    for source in ("mod", "minfin", "russianwarship"):
        with (REPLAY / f"{source}.csv").open(newline="") as fh:
            for r in csv.DictReader(fh):
                inc = r.get("increase")
                obs.append(
                    Record(
                        source,
                        date.fromisoformat(r["as_of"]),
                        r["category"],
                        int(r["cumulative"]),
                        int(inc) if inc not in (None, "") else None,
                    )
                )
    with (REPLAY / "completed.csv").open(newline="") as fh:
        dependent = frozenset((r["source"], date.fromisoformat(r["as_of"]), r["category"]) for r in csv.DictReader(fh))
    corrections = load_official_corrections(REPO / "data" / "corrections.csv")
    return obs, dependent, corrections, decide(obs, corrections, dependent=dependent)


MINFIN_TYPOS = [  # (category, day, printed, accepted, diagnosis)
    ("vehicles_fuel_tanks", date(2023, 8, 29), 7409, 7909, "typo_low"),
    ("vehicles_fuel_tanks", date(2024, 9, 24), 15175, 25175, "typo_low"),
    ("vehicles_fuel_tanks", date(2024, 12, 10), 31937, 31037, "spike_before"),
    ("special_equipment", date(2023, 4, 23), 399, 339, "spike_before"),
    ("tanks", date(2024, 8, 26), 8581, 8551, "spike_before"),
]


@pytest.mark.parametrize("category,as_of,printed,true,diagnosis", MINFIN_TYPOS)
def test_snapshot_minfin_typos_quarantined_on_the_typo_day(category, as_of, printed, true, diagnosis):
    *_, d = snapshot()
    [q] = quarantined(d, source="minfin", category=category, as_of=as_of)
    assert (q.cumulative, q.diagnosis) == (printed, diagnosis)
    assert d.accepted[(as_of, category)].value == true
    # the neighbours are not blamed
    for n in (-1, 1):
        assert not quarantined(d, source="minfin", category=category, as_of=as_of + timedelta(days=n))


def test_snapshot_official_corrections_accepted_as_corrections():
    obs, _, corrections, d = snapshot()
    a = d.accepted[(date(2022, 10, 13), "armored_vehicles")]
    assert (a.value, a.status) == (5167, "correction") and "registry" in a.flag
    a = d.accepted[(date(2024, 11, 30), "special_equipment")]
    assert (a.value, a.status) == (3617, "correction") and "registry" in a.flag
    assert d.accepted[(date(2024, 11, 29), "special_equipment")].value == 3700
    assert not [q for q in d.quarantine if q.diagnosis == "unresolved"]
    # every negative registry delta on a covered day: a correction there (or the day after), or absorbed
    covered = {r.as_of for r in obs}
    for c in corrections:
        if c.delta < 0 and c.as_of in covered:
            for n in (0, 1):
                a = d.accepted.get((c.as_of + timedelta(days=n), c.category))
                if a and a.status == "correction":
                    assert a.flag and "registry" in a.flag
            assert not [
                q
                for q in d.quarantine
                if q.category == c.category and q.as_of == c.as_of and q.diagnosis == "unresolved"
            ]


def test_snapshot_majority_metric_and_monotonic():
    obs, dependent, _, d = snapshot()
    match, cells, bad = majority_agreement(d.accepted, obs, dependent)
    match_all, cells_all, _ = majority_agreement(d.accepted, obs)
    print(
        f"\nmajority agreement: {match}/{cells} = {match / cells:.5%} (copied cells not counted as votes); "
        f"{match_all}/{cells_all} = {match_all / cells_all:.5%} counting them"
    )
    assert match / cells >= 0.999, bad[:10]
    assert monotonic_violations(d.accepted) == []


def test_snapshot_incremental_equals_full():
    obs, dependent, corrections, full = snapshot()
    cut = date(2024, 12, 10)  # minfin's 31937 spike is the newest day of the first call
    first = decide([r for r in obs if r.as_of <= cut], corrections, dependent=dependent)
    second = decide([r for r in obs if r.as_of > cut], corrections, previous=first)
    assert key(second) == key(full)
    assert second.retracted == []  # mod and russianwarship outvoted the spike from the start


@pytest.mark.realdata
def test_repo_corrections_match_the_dataset(shared_dir):
    path = shared_dir / "reference/datasets/2022-Ukraine-Russia-War-Dataset/russia_losses_equipment_correction.json"
    from_json = load_official_corrections(path)
    assert from_json == load_official_corrections(REPO / "data" / "corrections.csv")
    assert len({c.as_of for c in from_json}) == 28
    assert (date(2022, 10, 13), "armored_vehicles", -25) in {c[:3] for c in from_json}
    assert (date(2024, 11, 30), "special_equipment", -85) in {c[:3] for c in from_json}


# ------------------------------------------------------------------------------------ who decides (verdicts)


def test_a_record_outvoted_by_two_agreeing_sources_that_fit_the_days_around_is_settled_by_the_gate():
    obs = (
        series("mod", [100, 105, 110, 112])
        + series("minfin", [100, 105, 11, 112])
        + series("russianwarship", [100, 105, 110, 112])
    )
    [q] = decide(obs, []).quarantine
    assert (q.source, q.diagnosis, q.verdict) == ("minfin", "typo_low", "rejected")
    assert q.evidence["settled_by"]["sources"] == ["mod", "russianwarship"]
    assert q.evidence["settled_by"]["value"] == 110


def test_one_source_against_one_and_unresolved_days_wait_for_a_person():
    one_on_one = series("minfin", [100, 105, 11, 112]) + series("russianwarship", [100, 105, 110, 112])
    [q] = decide(one_on_one, []).quarantine
    assert (q.source, q.verdict) == ("minfin", "open") and "settled_by" not in q.evidence
    [q] = decide(series("mod", [100, 110, 105]), []).quarantine  # a lone decrease on the newest day
    assert (q.diagnosis, q.verdict) == ("unresolved", "open")


def test_a_reopened_record_waits_for_a_person_whatever_the_evidence():
    obs = (
        series("mod", [100, 105, 110, 112])
        + series("minfin", [100, 105, 11, 112])
        + series("russianwarship", [100, 105, 110, 112])
    )
    [q] = decide(obs, [], reopened=[("minfin", day(2), "tanks")]).quarantine
    assert (q.verdict, q.evidence.get("reopened")) == ("open", True)


def test_snapshot_most_records_are_settled_by_the_gate_and_few_wait_for_a_person():
    quarantine = snapshot()[3].quarantine
    assert all(q.verdict in ("open", "rejected", "resolved") for q in quarantine)
    assert all((q.verdict == "resolved") == (q.diagnosis == "official_correction") for q in quarantine)
    open_ = [q for q in quarantine if q.verdict == "open"]
    rejected = [q for q in quarantine if q.verdict == "rejected"]
    assert len(rejected) >= 10 * len(open_) > 0  # the bundled snapshot: 63 settled, 2 for a person
    assert all(len(q.evidence["settled_by"]["sources"]) >= 2 for q in rejected)
