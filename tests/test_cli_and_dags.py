"""The command line and the DAG folder, as a user and as Airflow see them."""

from __future__ import annotations

import re

import pytest
from helpers import REPO, dags_test, load_dag_folder, run_cli


def test_attrition_help_lists_the_commands():
    out = run_cli("--help").stdout
    for command in ("db", "up", "down"):
        assert command in out
    db = run_cli("db", "--help").stdout
    for action in ("up", "down", "status", "url", "migrate"):
        assert action in db


def test_unknown_command_is_a_usage_error():
    proc = run_cli("frobnicate", check=False)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def _dagbag(tmp_path):
    return load_dag_folder(
        tmp_path,
        "{'doc': bool(d.doc_md), 'tags': sorted(d.tags), 'owners': sorted({t.owner for t in d.tasks}), "
        "'tasks': {t.task_id: bool(t.doc_md) for t in d.tasks}}",
    )


def test_dag_folder_imports_without_errors_and_documents_every_dag(tmp_path):
    bag = _dagbag(tmp_path)
    assert bag["errors"] == {}
    dag_files = sorted(p.stem for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_"))
    assert sorted(bag["dags"]) == dag_files  # one DAG per file, named like the file
    for dag_id, info in bag["dags"].items():
        assert info["doc"], f"{dag_id} has no doc_md"
        assert "attrition" in info["tags"], dag_id
        assert info["owners"] == ["attrition"], dag_id
        assert all(info["tasks"].values()), f"{dag_id}: a task has no doc_md"


def test_dag_files_import_nothing_heavy_at_top_level():
    heavy = ("great_expectations", "pandas", "scrapy", "psycopg2", "numpy")
    for path in (REPO / "dags").glob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("import ", "from ")):
                assert not any(line.split()[1].startswith(mod) for mod in heavy), f"{path.name}: {line}"


@pytest.mark.airflow
def test_airflow_dags_test_runs_warehouse_migrate(airflow_env):
    """Real Airflow: `airflow dags test` of the migration DAG against the session's warehouse."""
    proc = dags_test(airflow_env, "warehouse_migrate")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "state=success" in proc.stdout
    assert re.search(r"schema version \d{4}", proc.stdout)


def test_parse_prints_json_lines_with_the_documented_keys():
    fixture = REPO / "tests" / "fixtures" / "parsers" / "mod" / "en-2022-08-09.html"
    out = run_cli("parse", "--source", "mod", str(fixture)).stdout.splitlines()
    import json

    rows = [json.loads(line) for line in out]
    assert rows and all(set(r) == {"as_of", "category", "cumulative", "increase", "qualifier", "source"} for r in rows)
    assert {r["source"] for r in rows} == {"mod"}
    assert "personnel" in {r["category"] for r in rows}


def test_parse_error_names_source_url_and_field(tmp_path):
    page = tmp_path / "bulletin.html"
    page.write_text("<html><body><p>This site is being redesigned.</p></body></html>", encoding="utf-8")
    proc = run_cli(
        "parse", "--source", "mod", "--url", "https://www.mil.gov.ua/en/news/2023/01/02/x/", str(page), check=False
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert "mod: https://www.mil.gov.ua/en/news/2023/01/02/x/: " in proc.stderr
    assert "Traceback" not in proc.stderr
