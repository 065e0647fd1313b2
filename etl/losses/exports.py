"""Exports of the accepted series for people who don't write SQL (the contract: docs/exports.md).

After each successful validation (the DAGs' ``validate`` task, `attrition backfill|rebuild|validate`)
and on `attrition export [--out DIR]`, the folder ``ATTRITION_EXPORT_DIR`` (default ``.local/exports/``)
gets ``daily_losses.{csv,json,parquet}`` (wide: one row per day, one column per category),
``daily_losses_long.{csv,json,parquet}`` (long: one row per day and category) and
``data_dictionary.{json,md}`` generated from the warehouse's COMMENT ON of both views and their columns.
Every file is written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from psycopg2 import sql

# (file stem, relation, sort order): the contract's files, in the order the dictionary lists them
TABLES = (
    ("daily_losses", "daily_losses", ("as_of",)),
    ("daily_losses_long", "daily_losses_long", ("as_of", "category")),
)
FORMATS = ("csv", "json", "parquet")
LIST_SEPARATOR = ";"

COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)
FROM pg_attribute a
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


def export_dir() -> Path:
    from etl.config import local_dir, setting

    folder = setting("ATTRITION_EXPORT_DIR")
    return folder.expanduser().resolve() if folder else local_dir() / "exports"


def describe(cur, relation: str) -> dict:
    """The relation's comment and its columns (name, PostgreSQL type, comment), from the catalog."""
    qualified = f"mart.{relation}"
    cur.execute(COLUMNS_SQL, (qualified,))
    columns = [{"name": n, "type": t, "description": c or ""} for n, t, c in cur.fetchall()]
    if not columns:
        raise LookupError(f"{qualified} is missing from the warehouse (attrition db migrate)")
    cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (qualified,))
    return {"relation": qualified, "description": cur.fetchone()[0] or "", "columns": columns}


def fetch(cur, relation: str, order: tuple[str, ...]) -> tuple[list[str], list[tuple]]:
    cur.execute(
        sql.SQL("SELECT * FROM {}.{} ORDER BY {}").format(
            sql.Identifier("mart"), sql.Identifier(relation), sql.SQL(", ").join(map(sql.Identifier, order))
        )
    )
    return [d[0] for d in cur.description], cur.fetchall()


def csv_value(value) -> str:
    """CSV cells: ISO dates, true/false, lists joined with ';', JSON objects as JSON, NULL as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _json_value(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def arrow_type(pg_type: str):
    import pyarrow as pa

    if pg_type.endswith("[]"):
        return pa.list_(arrow_type(pg_type[:-2]))
    return {
        "date": pa.date32(),
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "boolean": pa.bool_(),
        "jsonb": pa.string(),
    }.get(pg_type, pa.string())


def write_csv(path: Path, names: list[str], rows: list[tuple]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([csv_value(v) for v in row] for row in rows)


def write_json(path: Path, names: list[str], rows: list[tuple]) -> None:
    records = [{n: _json_value(v) for n, v in zip(names, row, strict=False)} for row in rows]
    path.write_text(json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_parquet(path: Path, names: list[str], rows: list[tuple], columns: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {c["name"]: c["type"] for c in columns}
    arrays = []
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        if types[name] == "jsonb":
            values = [None if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values]
        arrays.append(pa.array(values, type=arrow_type(types[name])))
    fields = [
        pa.field(n, a.type, metadata={"description": next(c["description"] for c in columns if c["name"] == n)})
        for n, a in zip(names, arrays, strict=False)
    ]
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), path)


def _replace(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_table(out: Path, stem: str, names: list[str], rows: list[tuple], columns: list[dict]) -> None:
    _replace(out / f"{stem}.csv", lambda p: write_csv(p, names, rows))
    _replace(out / f"{stem}.json", lambda p: write_json(p, names, rows))
    _replace(out / f"{stem}.parquet", lambda p: write_parquet(p, names, rows, columns))


def dictionary_markdown(dictionary: dict) -> str:
    lines = [f"# Data dictionary of the attrition exports ({dictionary['exported_at']})", ""]
    for table in dictionary["files"]:
        heading = (
            f"## {table['stem']}.{{csv,json,parquet}} (from {table['relation']}, {table['rows']} rows, "
            f"sorted by {', '.join(table['sort'])})"
        )
        lines += [heading, "", table["description"], "", "| column | type | description |", "|---|---|---|"]
        lines += [f"| {c['name']} | {c['type']} | {c['description'].replace('|', '/')} |" for c in table["columns"]]
        lines.append("")
    return "\n".join(lines)


def export(out: Path | None = None, dsn: str | None = None) -> dict:
    """Write every export file into ``out`` (default :func:`export_dir`); returns what was written."""
    from etl.warehouse.db import connect

    out = Path(out) if out else export_dir()
    out.mkdir(parents=True, exist_ok=True)
    conn = connect(dsn, application_name="attrition-export")
    try:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")  # one snapshot for every file
        with conn.cursor() as cur:
            tables = [(stem, describe(cur, rel), sort, *fetch(cur, rel, sort)) for stem, rel, sort in TABLES]
    finally:
        conn.close()
    files, entries = [], []
    for stem, meta, sort, names, rows in tables:
        write_table(out, stem, names, rows, meta["columns"])
        files += [f"{stem}.{fmt}" for fmt in FORMATS]
        entries.append(
            {"stem": stem, **meta, "sort": list(sort), "rows": len(rows), "list_separator_in_csv": LIST_SEPARATOR}
        )
    dictionary = {"exported_at": datetime.now(UTC).isoformat(timespec="seconds"), "files": entries}
    _replace(
        out / "data_dictionary.json",
        lambda p: p.write_text(json.dumps(dictionary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"),
    )
    _replace(out / "data_dictionary.md", lambda p: p.write_text(dictionary_markdown(dictionary), encoding="utf-8"))
    files += ["data_dictionary.json", "data_dictionary.md"]
    return {"dir": str(out), "files": files, "rows": {e["stem"]: e["rows"] for e in entries}}


def summary_line(result: dict) -> str:
    rows = ", ".join(f"{stem} {n} rows" for stem, n in result["rows"].items())
    return f"exports written to {result['dir']}/ ({rows}; {len(result['files'])} files)"
