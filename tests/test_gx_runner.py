"""The Great Expectations runner against a real PostgreSQL: passes, failures with their rows, errors.

GX is imported once per process (the runner caches its ephemeral context), so the first test
pays the ~3 s import and the context creation; the others reuse them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg2
import pytest
from psycopg2.extras import execute_values

DAY0 = date(2024, 1, 1)
DAYS = 60
LAST = DAY0 + timedelta(days=DAYS - 1)
SOURCES = ["mod", "minfin"]
STEP = {"personnel": 1000, "tanks": 5, "armored_vehicles": 9, "artillery": 20}


def value(category: str, n: int) -> int:
    return 100_000 + STEP[category] * n + (n % 3)  # a little day-to-day variation


def load(dsn: str, rows=None, *, skip=()) -> None:
    """A clean history DAY0..LAST for SOURCES x STEP, or ``rows`` (source, as_of, category, cumulative, increase)."""
    if rows is None:
        rows = []
        for source in SOURCES:
            for n in range(DAYS):
                day = DAY0 + timedelta(days=n)
                if (source, day) in skip:
                    continue
                for cat in STEP:
                    inc = value(cat, n) - value(cat, n - 1) if n else None
                    rows.append((source, day, cat, value(cat, n), inc))
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        execute_values(
            cur,
            "INSERT INTO core.observation (source, as_of, category, cumulative, increase) VALUES %s",
            rows,
            page_size=5000,
        )
    conn.close()


def execute(dsn: str, sql: str, params=()) -> list:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        out = cur.fetchall() if cur.description else []
    conn.close()
    return out


def run(dsn, tmp_path, date_from=LAST - timedelta(days=6), date_to=LAST, sources=SOURCES, **kw):
    from etl.quality.gx_runner import run_suites

    return run_suites(dsn, date_from=date_from, date_to=date_to, sources=sources, data_docs_dir=tmp_path / "docs", **kw)


def test_clean_history_passes_writes_docs_and_runs(db, tmp_path):
    load(db)
    report = run(db, tmp_path)
    assert report.outcome == "passed", [(e.name, e.status, e.error, e.unexpected_rows[:3]) for e in report.expectations]
    assert {s.suite for s in report.suites} == {"observations_schema", "observations_monotonic"}
    assert report.data_docs_path is not None and report.data_docs_path.name == "index.html"
    assert report.data_docs_path.is_file()
    assert "observations_monotonic" in report.data_docs_path.read_text()
    runs = execute(
        db,
        "SELECT suite, outcome, date_from, date_to, sources, statistics, data_docs_path, finished_at "
        "FROM quality.validation_run ORDER BY id",
    )
    assert [(r[0], r[1]) for r in runs] == [("observations_schema", "passed"), ("observations_monotonic", "passed")]
    for r in runs:
        assert (r[2], r[3], r[4]) == (LAST - timedelta(days=6), LAST, SOURCES)
        assert r[5]["evaluated_expectations"] > 0 and r[5]["failed"] == 0 and r[5]["error"] == 0
        assert r[6] == str(report.data_docs_path) and r[7] is not None


def test_decrease_and_backfilled_day_are_checked_on_both_sides(db, tmp_path):
    day = LAST - timedelta(days=3)
    backfilled = LAST - timedelta(days=20)
    load(db, skip={("minfin", backfilled)})
    # a decrease on `day`: it is below its previous day, and that previous day (also in scope) is
    # above its next one; both ends of the broken step are reported, the quarantine diagnoses which is wrong
    execute(
        db,
        "UPDATE core.observation SET cumulative = cumulative - 50, increase = NULL "
        "WHERE source = 'mod' AND category = 'tanks' AND as_of = %s",
        (day,),
    )
    # the backfilled day fits below its previous day? no: it is above the NEXT day already loaded
    n = (backfilled - DAY0).days
    rows = [("minfin", backfilled, cat, value(cat, n), None) for cat in STEP]
    rows[1] = ("minfin", backfilled, "tanks", value("tanks", n + 1) + 7, None)
    load(db, rows)

    report = run(db, tmp_path)
    mono = report.expectation("cumulative_monotonic")
    assert mono.status == "failed"
    assert [(r["source"], r["as_of"], r["category"], r["problem"]) for r in mono.unexpected_rows] == [
        ("mod", day - timedelta(days=1), "tanks", "above_next"),
        ("mod", day, "tanks", "below_previous"),
    ]
    row = mono.unexpected_rows[1]
    assert row["prev_cumulative"] == value("tanks", DAYS - 5) and row["next_as_of"] == day + timedelta(days=1)

    back = run(db, tmp_path, date_from=backfilled, date_to=backfilled, sources=["minfin"])
    mono = back.expectation("cumulative_monotonic")
    assert mono.status == "failed", mono
    assert len(mono.unexpected_rows) == 1
    row = mono.unexpected_rows[0]
    assert (row["as_of"], row["category"], row["problem"]) == (backfilled, "tanks", "above_next")
    assert (row["next_as_of"], row["next_cumulative"]) == (backfilled + timedelta(days=1), value("tanks", n + 1))
    assert row["prev_as_of"] == backfilled - timedelta(days=1)
    assert back.expectation("bulletin_fresh").status == "passed"
    outcomes = execute(db, "SELECT suite, outcome FROM quality.validation_run ORDER BY id")
    assert ("observations_monotonic", "failed") in outcomes


def test_all_unexpected_rows_are_returned_beyond_200(db, tmp_path):
    rows = [
        (source, DAY0 + timedelta(days=n), cat, 1_000_000 - n, None)
        for source in SOURCES
        for cat in STEP
        for n in range(DAYS)
    ]
    load(db, rows)
    report = run(db, tmp_path, date_from=DAY0, date_to=LAST)
    mono = report.expectation("cumulative_monotonic")
    # every day but the last is above its next; every day but the first below its previous
    assert mono.status == "failed" and mono.unexpected_count == len(mono.unexpected_rows) == len(rows)


def test_increase_mismatch(db, tmp_path):
    load(db)
    day = LAST - timedelta(days=1)
    execute(
        db,
        "UPDATE core.observation SET increase = increase + 3 "
        "WHERE source = 'minfin' AND category = 'artillery' AND as_of = %s",
        (day,),
    )
    report = run(db, tmp_path)
    exp = report.expectation("increase_matches_difference")
    assert exp.status == "failed"
    (row,) = exp.unexpected_rows
    assert (row["source"], row["as_of"], row["category"]) == ("minfin", day, "artillery")
    assert row["increase"] == row["computed_increase"] + 3
    assert report.expectation("cumulative_monotonic").status == "passed"


def test_category_outside_validity(db, tmp_path):
    load(db)
    load(db, [("mod", LAST, "pow", 700, None)])  # prisoners of war were reported until 2022-04-27
    report = run(db, tmp_path)
    exp = report.expectation("category_valid_on_date")
    assert exp.status == "failed"
    assert [(r["source"], r["as_of"], r["category"], r["valid_to"]) for r in exp.unexpected_rows] == [
        ("mod", LAST, "pow", date(2022, 4, 27))
    ]


def test_implausible_spike(db, tmp_path):
    load(db)
    execute(
        db,
        "UPDATE core.observation SET cumulative = cumulative + 500, increase = NULL "
        "WHERE source = 'mod' AND category = 'tanks' AND as_of = %s",
        (LAST,),
    )
    exp = run(db, tmp_path).expectation("daily_increase_plausible")
    assert exp.status == "failed"
    assert [(r["as_of"], r["category"]) for r in exp.unexpected_rows] == [(LAST, "tanks")]


def test_gap_and_stale_newest_day(db, tmp_path):
    missing = LAST - timedelta(days=2)
    load(db, skip={("mod", missing)})
    report = run(db, tmp_path)
    gap = report.expectation("no_missing_days")
    assert gap.status == "failed"
    assert [(r["source"], r["as_of"]) for r in gap.unexpected_rows] == [("mod", missing)]
    assert report.expectation("bulletin_fresh").status == "passed"

    # a daily run for LAST+5: nothing new since LAST
    stale = run(db, tmp_path, date_from=LAST + timedelta(days=5), date_to=LAST + timedelta(days=5))
    fresh = stale.expectation("bulletin_fresh")
    assert fresh.status == "failed"
    assert sorted((r["source"], r["as_of"], r["days_behind"]) for r in fresh.unexpected_rows) == [
        ("minfin", LAST, 5),
        ("mod", LAST, 5),
    ]
    assert stale.outcome == "failed"


def test_broken_query_is_an_error_not_a_verdict(db, tmp_path):
    load(db)
    suite = {
        "suite": "broken_suite",
        "expectations": [
            {
                "name": "broken",
                "type": "unexpected_rows",
                "description": "reads a table that does not exist",
                "query": ["SELECT c.source FROM {batch} AS c JOIN core.no_such_table t ON t.id = c.id"],
            },
            {
                "name": "fine",
                "type": "unexpected_rows",
                "query": ["SELECT c.source FROM {batch} AS c JOIN core.source s ON s.code = c.source WHERE false"],
            },
            {"name": "no_such_column", "type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nope"}},
        ],
    }
    path = tmp_path / "broken_suite.json"
    path.write_text(json.dumps(suite))
    report = run(db, tmp_path, suites=[path])
    broken = report.expectation("broken")
    assert broken.status == "error" and "no_such_table" in broken.error
    assert broken.unexpected_rows == []
    assert report.expectation("no_such_column").status == "error"
    assert report.expectation("fine").status == "passed"
    assert report.outcome == "error"
    (row,) = execute(db, "SELECT outcome, error, statistics FROM quality.validation_run WHERE suite = 'broken_suite'")
    assert row[0] == "error" and "no_such_table" in row[1] and row[2]["error"] == 2


def test_scope_is_validated(db, tmp_path):
    from etl.quality.gx_runner import run_suites

    with pytest.raises(ValueError, match="unknown sources"):
        run_suites(
            db, date_from=DAY0, date_to=LAST, sources=["mod'; DROP TABLE core.observation; --"], data_docs_dir=tmp_path
        )
    with pytest.raises(ValueError, match="date_from"):
        run_suites(db, date_from="2024-01-01' OR '1'='1", date_to=LAST, sources=SOURCES, data_docs_dir=tmp_path)
    with pytest.raises(ValueError, match="after"):
        run_suites(db, date_from=LAST, date_to=DAY0, sources=SOURCES, data_docs_dir=tmp_path)


def test_the_staged_series_serves_one_run_and_is_removed_after_it(db, tmp_path, monkeypatch):
    from etl.quality import gx_runner

    load(db)
    # rows another run is staging right now (recent, unfinished) stay; those of a run killed long ago go
    new_run = "INSERT INTO quality.validation_run (suite, date_from, date_to) VALUES ('x', %s, %s) RETURNING id"
    (live,) = execute(db, new_run, (DAY0, LAST))
    (killed,) = execute(
        db,
        "INSERT INTO quality.validation_run (suite, started_at, date_from, date_to) "
        "VALUES ('x', now() - interval '2 hours', %s, %s) RETURNING id",
        (DAY0, LAST),
    )
    for run_ref in (live[0], killed[0]):
        execute(
            db,
            "INSERT INTO quality.monotonic_series (validation_run_id, source, as_of, category, cumulative, "
            "is_candidate) VALUES (%s, 'mod', %s, 'tanks', 1, true)",
            (run_ref, DAY0),
        )
    staged = []
    original = gx_runner._stage
    monkeypatch.setattr(gx_runner, "_stage", lambda *a: staged.append(original(*a)) or staged[-1])
    report = run(db, tmp_path, date_from=DAY0, suites=["observations_monotonic"])
    assert report.outcome == "passed" and staged == [len(SOURCES) * len(STEP) * DAYS]
    assert execute(db, "SELECT validation_run_id FROM quality.monotonic_series") == [live]
    # a run that staged many rows truncates the table, unless another run has rows in it
    monkeypatch.setattr(gx_runner, "STAGE_TRUNCATE_ROWS", 1)
    run(db, tmp_path, date_from=DAY0, suites=["observations_monotonic"])
    assert execute(db, "SELECT validation_run_id FROM quality.monotonic_series") == [live]
    execute(db, "UPDATE quality.validation_run SET finished_at = now() WHERE id = %s", live)
    run(db, tmp_path, date_from=DAY0, suites=["observations_monotonic"])
    assert execute(db, "SELECT count(*) FROM quality.monotonic_series") == [(0,)]


def test_a_later_suites_series_is_staged_beside_the_suites_before_it(db, tmp_path, monkeypatch):
    import threading

    from etl.quality import gx_runner

    load(db)
    seen = []  # at each stage: whether it ran on the runner's (the main) thread
    original = gx_runner._stage

    def stage(*a):
        seen.append(threading.current_thread() is threading.main_thread())
        return original(*a)

    monkeypatch.setattr(gx_runner, "_stage", stage)
    report = run(db, tmp_path, date_from=DAY0, suites=["observations_schema", "observations_monotonic"])
    assert report.outcome == "passed" and seen == [False]  # on a thread of its own
    schema, monotonic = report.suites
    assert monotonic.validation_run_id == schema.validation_run_id + 1  # the rows in the suites' order
    assert execute(db, "SELECT count(*) FROM quality.monotonic_series") == [(0,)]
    # alone (or first), a suite stages on the runner's thread as before
    seen.clear()
    run(db, tmp_path, date_from=DAY0, suites=["observations_monotonic"])
    assert seen == [True]


STAGED = "SELECT source FROM {batch} WHERE is_candidate"


@pytest.mark.parametrize(
    ("query", "stages", "problem"),
    [
        ("SELECT source FROM {batch} WHERE cumulative < 0", None, None),
        ("SELECT c.source FROM {batch} AS c WHERE c.cumulative < 0", None, "bare"),
        ("SELECT c.source FROM {batch} JOIN core.source s ON s.code = c.source", None, "AS alias"),
        ("SELECT c.source FROM {batch} AS c -- JOIN in a comment\nWHERE c.cumulative < 0", None, "bare"),
        (STAGED, None, "not staged"),
        (STAGED, {"series": {"query": ["SELECT * FROM {batch}"]}}, "AS alias"),
        (STAGED, {"nope": {"query": ["SELECT * FROM {batch} AS c"]}}, "one of"),
    ],
)
def test_suite_files_say_how_a_query_reads_its_batch(tmp_path, query, stages, problem):
    from etl.quality.gx_suites import SuiteDefinitionError, load_suite

    suite = {
        "suite": "shape",
        "expectations": [
            {
                "name": "q",
                "type": "unexpected_rows",
                "batch": "series" if query == STAGED else "candidates",
                "query": [query],
            }
        ],
    }
    if stages:
        suite["stages"] = stages
    path = tmp_path / "shape.json"
    path.write_text(json.dumps(suite))
    if problem is None:
        assert load_suite(path).expectations[0].query == query
    else:
        with pytest.raises(SuiteDefinitionError, match=problem):
            load_suite(path)
