"""Exports (docs/exports.md): the accepted series as CSV, JSON and Parquet, wide and long, with a data
dictionary from the warehouse's comments; written by `attrition export` and after each validation."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
from helpers import put_observations, run_cli, sql

from etl.losses.exports import FORMATS, TABLES, csv_value, export
from etl.quality.gate import validate

D0 = date(2025, 3, 1)
FILES = sorted(
    [f"{stem}.{fmt}" for stem, _, _ in TABLES for fmt in FORMATS] + ["data_dictionary.json", "data_dictionary.md"]
)


def put(dsn: str, source: str, day: int, values: dict[str, int]) -> None:
    put_observations(dsn, source, D0 + timedelta(days=day), values)


@pytest.fixture
def loaded(db):
    """Four days of three sources, one minfin spike (quarantined) and a disagreement, through the gate."""
    for day in range(4):
        put(db, "mod", day, {"tanks": 4000 + day, "personnel": 900_000 + 1000 * day})
        put(db, "russianwarship", day, {"tanks": 4000 + day, "personnel": 900_000 + 1000 * day})
        put(db, "minfin", day, {"tanks": 4100 if day == 1 else 4000 + day})
    validate(db, date_from=D0, date_to=D0 + timedelta(days=3), run_id="test-exports", notify=False)
    return db


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_the_csv_rows_equal_mart_daily_losses_and_every_file_of_the_contract_is_written(loaded, tmp_path):
    result = export(tmp_path / "out", dsn=loaded)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == FILES == sorted(result["files"])
    header, rows = _csv(out / "daily_losses.csv")
    names = [
        r[0]
        for r in sql(
            loaded,
            "SELECT attname FROM pg_attribute WHERE attrelid = 'mart.daily_losses'::regclass "
            "AND attnum > 0 ORDER BY attnum",
        )
    ]
    assert header == names
    mart = sql(loaded, "SELECT * FROM mart.daily_losses ORDER BY as_of")
    assert rows == [[csv_value(v) for v in row] for row in mart] and len(rows) == 4
    assert rows[1][header.index("tanks")] == "4001"  # the spike was kept out
    assert rows[0][header.index("drones")] == ""  # NULL: not reported, never zero
    header, long_rows = _csv(out / "daily_losses_long.csv")
    assert long_rows == [
        [csv_value(v) for v in row]
        for row in sql(loaded, "SELECT * FROM mart.daily_losses_long ORDER BY as_of, category")
    ]
    assert result["rows"] == {"daily_losses": 4, "daily_losses_long": 8}


def test_json_and_parquet_carry_the_same_rows_with_types_and_the_dictionary_the_comments(loaded, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    export(tmp_path, dsn=loaded)
    wide = json.loads((tmp_path / "daily_losses.json").read_text())
    assert [(r["as_of"], r["tanks"], r["personnel"]) for r in wide] == [
        (str(D0 + timedelta(days=d)), 4000 + d, 900_000 + 1000 * d) for d in range(4)
    ]
    table = pq.read_table(tmp_path / "daily_losses_long.parquet")
    assert table.schema.field("as_of").type == pa.date32() and table.schema.field("cumulative").type == pa.int64()
    assert table.schema.field("sources_agreeing").type == pa.list_(pa.string())
    assert table.num_rows == 8 and table.column("category").to_pylist()[:2] == ["personnel", "tanks"]
    assert (
        table.schema.field("cumulative").metadata[b"description"].decode()
        == sql(loaded, "SELECT col_description('mart.daily_losses_long'::regclass, 3)")[0][0]
    )
    dictionary = json.loads((tmp_path / "data_dictionary.json").read_text())
    [wide_meta, long_meta] = dictionary["files"]
    assert wide_meta["relation"] == "mart.daily_losses" and wide_meta["sort"] == ["as_of"]
    comment = sql(loaded, "SELECT col_description('mart.daily_losses'::regclass, 2)")[0][0]
    assert wide_meta["columns"][1]["description"] == comment and comment
    assert all(c["description"] for c in long_meta["columns"]), [
        c["name"] for c in long_meta["columns"] if not c["description"]
    ]
    assert "| tanks | bigint | Tanks. |" in (tmp_path / "data_dictionary.md").read_text()


def test_validate_and_export_from_the_command_line_write_the_export_folder(loaded, tmp_path):
    folder = tmp_path / "exports"
    env = {"ATTRITION_WAREHOUSE_DSN": loaded, "ATTRITION_EXPORT_DIR": str(folder)}
    proc = run_cli("validate", "--no-notify", env=env)
    assert f"exports written to {folder}/" in proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == FILES
    other = tmp_path / "by-hand"
    proc = run_cli("export", "--out", str(other), env=env)
    assert proc.stdout.startswith(f"exports written to {other}/ (daily_losses 4 rows, daily_losses_long 8 rows")
    assert (other / "daily_losses.csv").read_bytes() == (folder / "daily_losses.csv").read_bytes()


@pytest.mark.airflow
def test_the_dags_validate_task_writes_the_exports(airflow_env, db, tmp_path):
    """`airflow dags test losses_backfill` over three replayed days: its validate task refreshes the folder."""
    from helpers import cut_snapshot, dags_test

    from etl.losses.crawl import replay_env
    from etl.replay.server import ReplayServer

    days = ("2023-06-01", "2023-06-02", "2023-06-03")
    folder = tmp_path / "exports"
    with ReplayServer(cut_snapshot(tmp_path, days)) as srv:
        proc = dags_test(
            airflow_env,
            "losses_backfill",
            {"date_from": days[0], "date_to": days[-1]},
            {**replay_env(srv.urls), "ATTRITION_WAREHOUSE_DSN": db, "ATTRITION_EXPORT_DIR": str(folder)},
        )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert f"exports written to {folder}/ (daily_losses 3 rows" in proc.stdout
    assert sorted(p.name for p in folder.iterdir()) == FILES
    _, rows = _csv(folder / "daily_losses.csv")
    assert [r[0] for r in rows] == list(days)
