"""The quality gate day by day: spikes retracted when the next day exposes them, low typos firmed up
from 'unresolved', official corrections accepted with a flag, operators' decisions, and a check that
raises stopping the gate without touching the marts."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest
from helpers import cut_snapshot, run_cli, sql

from etl.quality.gate import GateError, validate

D0 = date(2025, 3, 1)


def put(dsn: str, source: str, day: int | date, values: dict[str, int]) -> None:
    """One source's bulletin: {category: cumulative} for D0 + day (or a date)."""
    as_of = day if isinstance(day, date) else D0 + timedelta(days=day)
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        for category, value in values.items():
            cur.execute(
                "UPDATE core.observation SET superseded_at = now() WHERE source = %s AND as_of = %s "
                "AND category = %s AND superseded_at IS NULL RETURNING revision",
                (source, as_of, category),
            )
            prev = cur.fetchone()
            cur.execute(
                "INSERT INTO core.observation (source, as_of, category, cumulative, revision) "
                "VALUES (%s, %s, %s, %s, %s)",
                (source, as_of, category, value, prev[0] + 1 if prev else 1),
            )


def mart(dsn: str, category: str = "tanks"):
    return sql(
        dsn,
        "SELECT as_of - %s, cumulative, status, correction, correction_flag FROM mart.daily_losses_long "
        "WHERE category = %s ORDER BY as_of",
        (D0, category),
    )


def quarantine(dsn: str):
    return sql(
        dsn,
        "SELECT id, source, as_of - %s, cumulative, diagnosis, status FROM quality.quarantine "
        "WHERE expectation LIKE 'observations_monotonic.%%' ORDER BY id",
        (D0,),
    )


def run(dsn: str, day_from: int, day_to: int):
    return validate(
        dsn,
        date_from=D0 + timedelta(days=day_from),
        date_to=D0 + timedelta(days=day_to),
        run_id=f"test-{day_from}-{day_to}",
        notify=False,
    )


def test_a_spike_is_accepted_until_later_days_expose_it_then_retracted(db):
    for day, value in enumerate((3000, 3010, 3020)):
        put(db, "minfin", day, {"tanks": value})
    run(db, 0, 2)
    put(db, "minfin", 3, {"tanks": 3930})  # the newest day, too high: nothing contradicts it yet
    run(db, 3, 3)
    assert mart(db)[-1][:2] == (3, 3930)

    put(db, "minfin", 4, {"tanks": 3040})  # lower: a low typo, or was 3930 a spike? One source cannot tell yet
    run(db, 4, 4)
    assert quarantine(db) == [(1, "minfin", 4, 3040, "unresolved", "open")]
    assert mart(db)[-1][:2] == (3, 3930)

    put(db, "minfin", 5, {"tanks": 3050})  # the series goes on from 3040: 3930 was the spike
    result = run(db, 5, 5)
    assert [r[:2] for r in mart(db)] == [(0, 3000), (1, 3010), (2, 3020), (4, 3040), (5, 3050)]
    assert quarantine(db) == [
        (1, "minfin", 4, 3040, "unresolved", "resolved"),  # cleared by the evidence
        (2, "minfin", 3, 3930, "spike_before", "open"),
    ]  # the culprit: the spike's own day
    assert result.retracted == [
        {
            "as_of": str(D0 + timedelta(days=3)),
            "category": "tanks",
            "value_before": 3930,
            "value_after": None,
            "reason": "spike_before",
        }
    ]
    assert sql(db, "SELECT value_before, value_after FROM quality.retraction") == [(3930, None)]
    kinds = sql(db, "SELECT kind FROM quality.alert ORDER BY id")
    assert kinds == [("quarantine",), ("quarantine",), ("retraction",)]


def test_a_low_value_on_the_newest_day_is_unresolved_until_the_next_day_says_typo(db):
    for day, value in enumerate((500, 510, 520)):
        put(db, "russianwarship", day, {"aircraft": value})
    run(db, 0, 2)
    put(db, "russianwarship", 3, {"aircraft": 52})  # lower: a typo, or a correction? Nothing tells yet
    run(db, 3, 3)
    [q] = quarantine(db)
    assert q[4:] == ("unresolved", "open")
    assert [r[:2] for r in mart(db, "aircraft")] == [(0, 500), (1, 510), (2, 520)]

    put(db, "russianwarship", 4, {"aircraft": 530})  # back to the level: it was a low typo
    result = run(db, 4, 4)
    assert quarantine(db) == [(q[0], "russianwarship", 3, 52, "typo_low", "open")]  # the same record, re-diagnosed
    assert [r[:2] for r in mart(db, "aircraft")] == [(0, 500), (1, 510), (2, 520), (4, 530)]
    assert [x["diagnosis"] for x in result.quarantined] == ["typo_low"]
    subjects = [r[0] for r in sql(db, "SELECT subject FROM quality.alert ORDER BY id")]
    assert subjects == [
        f"[attrition] quarantined russianwarship aircraft {D0 + timedelta(days=3)} = 52 (unresolved)",
        f"[attrition] quarantined russianwarship aircraft {D0 + timedelta(days=3)} = 52 (typo_low)",
    ]


def test_other_sources_of_the_day_outvote_a_typo_and_the_disagreement_is_visible(db):
    for day in range(3):
        put(db, "mod", day, {"tanks": 4000 + day})
        put(db, "russianwarship", day, {"tanks": 4000 + day})
        put(db, "minfin", day, {"tanks": 4000 + day if day != 1 else 4100})  # a spike on day 1
    run(db, 0, 2)
    assert [r[:3] for r in mart(db)] == [(0, 4000, "agreed"), (1, 4001, "majority"), (2, 4002, "agreed")]
    [q] = quarantine(db)
    assert q[1:] == ("minfin", 1, 4100, "spike_before", "rejected")  # two agreeing sources settle it: the gate
    assert sql(db, "SELECT decided_by FROM quality.quarantine WHERE id = %s", (q[0],)) == [("gate",)]
    put(db, "minfin", 3, {"tanks": 4004})  # a plain disagreement: fits between its neighbours
    put(db, "mod", 3, {"tanks": 4003})
    put(db, "russianwarship", 3, {"tanks": 4003})
    run(db, 3, 3)
    row = sql(
        db,
        "SELECT cumulative, status, disagreement, dissent, sources_agreeing FROM mart.daily_losses_long "
        "WHERE category = 'tanks' AND as_of = %s",
        (D0 + timedelta(days=3),),
    )
    assert row == [(4003, "majority", True, {"minfin": 4004}, ["mod", "russianwarship"])]
    assert sql(db, "SELECT disagreements FROM mart.daily_losses WHERE as_of = %s", (D0 + timedelta(days=3),)) == [
        (["tanks"],)
    ]
    assert sql(db, "SELECT count(*) FROM quality.alert WHERE kind = 'source_disagreement'") == [(1,)]


def test_an_official_correction_from_the_registry_is_accepted_with_a_flag(db):
    # 2024-11-30: special equipment 3700 -> 3617, in the bundled corrections registry (data/corrections.csv)
    day = date(2024, 11, 30)
    put(db, "mod", day - timedelta(days=1), {"special_equipment": 3700})
    put(db, "mod", day, {"special_equipment": 3617})
    put(db, "mod", day + timedelta(days=1), {"special_equipment": 3620})
    result = validate(db, notify=False)
    rows = sql(
        db, "SELECT as_of, cumulative, increase, correction, correction_flag FROM mart.daily_losses_long ORDER BY as_of"
    )
    assert rows[1] == (day, 3617, -83, True, "registry")
    assert sql(db, "SELECT corrections FROM mart.daily_losses WHERE as_of = %s", (day,)) == [(["special_equipment"],)]
    assert result.checks["accepted_monotonic"]["outcome"] == "passed"
    assert sql(db, "SELECT diagnosis, status, decided_by FROM quality.quarantine") == [
        ("official_correction", "accepted", "gate")
    ]
    # the same decrease without a registry entry is held back on the newest day
    put(db, "mod", 40, {"special_equipment": 5000})
    put(db, "mod", 41, {"special_equipment": 4900})
    validate(db, notify=False)
    assert sql(db, "SELECT diagnosis, status FROM quality.quarantine WHERE as_of = %s", (D0 + timedelta(days=41),)) == [
        ("unresolved", "open")
    ]


def test_operators_accept_and_reject_from_the_command_line(db):
    for day, value in enumerate((600, 610, 620, 580)):
        put(db, "mod", day, {"helicopters": value})
    run(db, 0, 3)
    [q] = quarantine(db)
    assert q[1:] == ("mod", 3, 580, "unresolved", "open")  # a decrease on the newest day, in no registry
    env = {"ATTRITION_WAREHOUSE_DSN": db}

    listed = run_cli("quarantine", "list", env=env).stdout
    assert f"{q[0]:>6}  open" in listed and "unresolved" in listed
    shown = json.loads(run_cli("quarantine", "show", str(q[0]), env=env).stdout)
    assert shown["cumulative"] == 580 and shown["diagnosis"] == "unresolved"
    assert shown["sources_that_day"] == {"mod": {"cumulative": 580, "increase": None}}
    assert [a["cumulative"] for a in shown["accepted_around"]] == [600, 610, 620]

    # the operator checked the bulletin: an official correction
    out = run_cli(
        "quarantine", "accept", str(q[0]), "--note", "GS bulletin checked", "--by", "olena", "--no-notify", env=env
    ).stdout
    assert f"quarantine {q[0]} (mod helicopters {D0 + timedelta(days=3)} = 580): accepted by olena" in out
    assert "recorded as an operator correction (-40)" in out
    assert mart(db, "helicopters")[-1] == (3, 580, "correction", True, "operator")
    assert sql(db, "SELECT status, decided_by, note FROM quality.quarantine WHERE id = %s", (q[0],)) == [
        ("accepted", "olena", "GS bulletin checked")
    ]
    assert sql(db, "SELECT as_of - %s, delta FROM quality.correction WHERE origin = 'operator'", (D0,)) == [(3, -40)]
    put(db, "mod", 4, {"helicopters": 585})  # later days build on the accepted value
    run(db, 4, 4)
    assert [r[:2] for r in mart(db, "helicopters")][-2:] == [(3, 580), (4, 585)]

    # and changes their mind: rejected, the record stays out whatever the evidence says
    run_cli("quarantine", "reject", str(q[0]), "--by", "olena", "--no-notify", env=env)
    assert 580 not in [r[1] for r in mart(db, "helicopters")]
    assert sql(db, "SELECT count(*) FROM quality.correction WHERE origin = 'operator'") == [(0,)]
    run(db, 0, 4)
    assert sql(db, "SELECT status FROM quality.quarantine WHERE id = %s", (q[0],)) == [("rejected",)]

    refused = run_cli("quarantine", "reject", str(q[0]), "--no-notify", env=env, check=False)
    assert refused.returncode == 2 and f"record {q[0]} is already rejected" in refused.stderr


def test_a_check_that_raises_stops_the_gate_and_the_marts_stay_as_they_were(db):
    for day, value in enumerate((700, 710)):
        put(db, "mod", day, {"tanks": value})
    run(db, 0, 1)
    before = mart(db)
    put(db, "mod", 2, {"tanks": 720})
    sql(db, "ALTER TABLE quality.correction RENAME TO correction_moved")  # the monotonic suite reads it
    try:
        with pytest.raises(GateError, match="the checks could not run"):
            run(db, 2, 2)
    finally:
        sql(db, "ALTER TABLE quality.correction_moved RENAME TO correction")
    assert mart(db) == before
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE as_of = %s", (D0 + timedelta(days=2),)) == [(0,)]
    assert sql(db, "SELECT kind, severity FROM quality.alert") == [("validation_error", "error")]
    assert sql(
        db, "SELECT outcome FROM quality.validation_run WHERE suite = 'observations_monotonic' ORDER BY id DESC LIMIT 1"
    ) == [("error",)]
    run(db, 2, 2)  # fixed: the next run goes through
    assert mart(db)[-1][:2] == (2, 720)


def checks_end_after_the_writes(monkeypatch, then):
    """Have the gate's candidate checks (the run_suites call given ``on_runs``) end only once the
    decision was written while they ran (gate_decision.WriteAhead), then ``then(report, written)``
    (``written``: the threading.Event each write of the decision sets).  Returns that Event."""
    import threading

    import etl.quality.gate_decision as gate_decision
    import etl.quality.gx_runner as gx_runner

    written = threading.Event()
    real_write, real_run_suites = gate_decision.write_decision, gx_runner.run_suites

    def write_decision(*args, **kw):
        real_write(*args, **kw)
        written.set()

    def run_suites(*args, on_runs=None, **kw):
        report = real_run_suites(*args, on_runs=on_runs, **kw)
        if on_runs is not None:
            assert written.wait(60), "the decision was not written while the checks ran"
            then(report, written)
        return report

    monkeypatch.setattr(gate_decision, "write_decision", write_decision)
    monkeypatch.setattr(gx_runner, "run_suites", run_suites)
    return written


def test_writes_made_while_the_checks_run_are_undone_when_a_check_then_errors(db, monkeypatch):
    """The decision is written while the checks still run (gate_decision.WriteAhead); a check that
    errors after those writes undoes them: no accepted day, the marts as they were, an alert."""
    for day, value in enumerate((700, 710)):
        put(db, "mod", day, {"tanks": value})
    run(db, 0, 1)
    before, quarantined = mart(db), quarantine(db)
    put(db, "mod", 2, {"tanks": 720})

    def a_check_errors(report, written):
        report.suites[-1].expectations[0].status, report.suites[-1].expectations[0].error = "error", "injected"

    written = checks_end_after_the_writes(monkeypatch, a_check_errors)
    with pytest.raises(GateError, match="the checks could not run: observations_monotonic.* injected"):
        run(db, 2, 2)
    assert written.is_set()
    assert mart(db) == before and quarantine(db) == quarantined
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE as_of = %s", (D0 + timedelta(days=2),)) == [(0,)]
    assert sql(db, "SELECT kind, severity FROM quality.alert") == [("validation_error", "error")]
    monkeypatch.undo()
    run(db, 2, 2)  # the next run, with checks that end well, keeps what it wrote
    assert mart(db)[-1][:2] == (2, 720)


def test_a_schema_failure_the_early_decision_did_not_assume_makes_it_decide_and_write_again(db, monkeypatch):
    """The decision written while the checks run assumes no schema failure but what it finds itself;
    a negative count found by the schema suite after those writes has the gate undo them and write
    the decision made with it: the record quarantined, the day accepted from the other source."""
    for day, value in enumerate((700, 710)):
        put(db, "mod", day, {"tanks": value})
        put(db, "minfin", day, {"tanks": value})
    run(db, 0, 1)
    put(db, "mod", 2, {"tanks": 720})
    put(db, "minfin", 2, {"tanks": -720})
    written = checks_end_after_the_writes(monkeypatch, lambda report, written: written.clear())  # the next: again
    run(db, 2, 2)
    assert written.is_set()  # written again, with the schema suite's failure
    assert mart(db)[-1][:2] == (2, 720)
    rows = sql(
        db,
        "SELECT source, as_of - %s, cumulative, expectation, status FROM quality.quarantine ORDER BY id",
        (D0,),
    )
    assert rows == [("minfin", 2, -720, "observations_schema.cumulative_non_negative", "open")]
    assert sql(db, "SELECT count(*) FROM core.accepted WHERE as_of = %s", (D0 + timedelta(days=2),)) == [(1,)]


ACCEPTED_FKS = """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                  WHERE conrelid = 'core.accepted'::regclass AND contype = 'f' ORDER BY conname"""


def test_a_bulk_decision_is_written_once_the_checks_ended_with_its_foreign_keys_checked_once(db, monkeypatch):
    """At FK_ONCE_AFTER_ROWS changed cells (lowered here) the decision is not written while the checks run
    (its foreign keys are dropped for the write, which would lock what the checks read) but once they
    ended: the keys as they were, every cell accepted, and the next run changes nothing."""
    import etl.quality.bulk as bulk
    import etl.quality.gate_decision as gate_decision

    for day, value in enumerate((700, 710, 720)):
        put(db, "mod", day, {"tanks": value, "aircraft": 300 + day})
    before = sql(db, ACCEPTED_FKS)
    assert len(before) == 3
    monkeypatch.setattr(bulk, "FK_ONCE_AFTER_ROWS", 1)
    checks_ended, real_write = [], gate_decision.write_decision

    def write_decision(cur, result, lo, hi, decided, *args):
        checks_ended.append(args[-1])  # keys_once: only after the checks
        real_write(cur, result, lo, hi, decided, *args)

    monkeypatch.setattr(gate_decision, "write_decision", write_decision)
    result = run(db, 0, 2)
    assert checks_ended == [True] and result.accepted == 6 and result.changed == 6
    assert sql(db, ACCEPTED_FKS) == before
    assert [row[:2] for row in mart(db)] == [(0, 700), (1, 710), (2, 720)]
    assert run(db, 0, 2).changed == 0


def test_validate_prints_a_summary_and_the_reader_sees_the_quarantine(db, warehouse):
    for day, value in enumerate((800, 810, 8200, 830, 840)):
        put(db, "minfin", day, {"artillery": value})
    out = run_cli("validate", "--no-notify", env={"ATTRITION_WAREHOUSE_DSN": db}).stdout
    assert "quality gate" in out and "spike_before" in out and "Data Docs: file://" in out
    index = Path(out.split("Data Docs: file://")[1].split()[0])
    pages = set(re.findall(r'validations/[^"]+\.html', index.read_text()))
    run_cli("validate", "--no-notify", env={"ATTRITION_WAREHOUSE_DSN": db})  # another process, another run
    assert len(set(re.findall(r'validations/[^"]+\.html', index.read_text())) - pages) >= 3  # every run is listed
    reader = warehouse.dsn(reader=True, dbname=db.rsplit("/", 1)[1])
    rows = sql(reader, "SELECT source, cumulative, diagnosis, status, why FROM mart.quarantined_records")
    assert rows == [("minfin", 8200, "spike_before", "open", "higher than the accepted day after it")]


def test_backfill_from_a_replay_goes_through_the_gate_without_airflow(db, tmp_path):
    """`attrition backfill --replay`: crawl a replay snapshot, load it, validate it; no Airflow."""
    snapshot = cut_snapshot(tmp_path, ("2024-12-08", "2024-12-09", "2024-12-10", "2024-12-11"))
    proc = run_cli(
        "backfill",
        "--replay",
        "--data",
        str(snapshot),
        "--from",
        "2024-12-08",
        "--to",
        "2024-12-11",
        "--no-notify",
        env={"ATTRITION_WAREHOUSE_DSN": db},
    )
    assert json.loads(proc.stdout)["sources"]["minfin"]["days"] == 4
    assert "quality gate 2024-12-08..2024-12-11" in proc.stderr
    assert sql(
        db,
        "SELECT source, cumulative, diagnosis, status, decided_by FROM mart.quarantined_records "
        "WHERE as_of = '2024-12-10'",
    ) == [("minfin", 31937, "spike_before", "rejected", "gate")]
    assert sql(db, "SELECT vehicles_fuel_tanks FROM mart.daily_losses WHERE as_of = '2024-12-10'") == [(31037,)]


def test_a_run_with_nothing_to_show_builds_no_data_docs_and_refreshes_the_marts_only_when_they_change(
    db, tmp_path, monkeypatch
):
    """A clean run keeps its validation results for the next Data Docs build (a run with something to
    show, or `validate --data-docs`); the marts are refreshed only when core.accepted differs from them,
    and a run killed between its writes and its refresh is completed by the next one."""
    import etl.quality.gate as gate

    docs = tmp_path / "docs"
    for day, value in enumerate((500, 510, 520)):
        put(db, "minfin", day, {"tanks": value})

    def gate_run(day_to: int, **kw):
        days = {"date_from": D0, "date_to": D0 + timedelta(days=day_to)}
        return validate(db, **days, sources=["minfin"], docs_dir=docs, notify=False, **kw)

    def filenode():  # a plain REFRESH rewrites the mart: a new file
        return sql(db, "SELECT pg_relation_filenode('mart.daily_losses_long')")[0][0]

    clean = gate_run(2)
    assert clean.outcome == "passed" and clean.data_docs is None and not (docs / "index.html").exists()
    assert list((docs / "_results").rglob("*.json"))  # kept for the next build
    assert sql(db, "SELECT count(*) FROM quality.validation_run WHERE coalesce(data_docs_path, '') <> ''") == [(0,)]
    assert mart(db)[-1][:2] == (2, 520)
    refreshed = filenode()
    gate_run(2)  # nothing changes: no refresh
    assert filenode() == refreshed

    put(db, "minfin", 3, {"tanks": 530})

    def killed(cur, **kw):
        raise RuntimeError("killed")

    monkeypatch.setattr(gate, "refresh_marts", killed)
    with pytest.raises(RuntimeError, match="killed"):  # killed after its writes, before the marts
        gate_run(3)
    monkeypatch.undo()
    assert mart(db)[-1][:2] == (2, 520) and sql(db, "SELECT max(as_of) FROM core.accepted") == [(D0 + timedelta(3),)]
    gate_run(3)  # nothing left to write, but the marts lag behind core.accepted: refreshed
    assert mart(db)[-1][:2] == (3, 530) and filenode() != refreshed

    put(db, "minfin", 4, {"tanks": 100})  # something to show (a decrease): the Data Docs, with the earlier runs' pages
    shown = gate_run(4)
    index = docs / "index.html"
    assert shown.data_docs == index.resolve().as_uri() and index.is_file()
    clean_runs = {s["validation_run_id"] for s in clean.checks.values()}
    listed = index.read_text()
    assert all(f"validation_run_{i}_" in listed for i in clean_runs)
    assert all(
        (docs / "validations" / p.relative_to(docs / "_results")).with_suffix(".html").is_file()
        for p in (docs / "_results").rglob("*.json")
    )  # every stored result has its page
    again = gate_run(4, data_docs=True)  # asked for
    assert again.data_docs == shown.data_docs
