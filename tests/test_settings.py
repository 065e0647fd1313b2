"""The settings table (etl.config.SETTINGS): README states it, the code reads only it, values are validated."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from etl.config import MARKDOWN_HEADER, SETTINGS, SettingError, markdown_table, setting

REPO = Path(__file__).resolve().parents[1]
CODE_DIRS = ("etl", "scrapers", "dags")


def _code_files():
    return [path for folder in CODE_DIRS for path in sorted((REPO / folder).rglob("*.py"))]


def test_readme_holds_exactly_the_tables_rows():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `ATTRITION_")]
    assert rows == markdown_table().splitlines(), "regenerate README's rows: python -m etl.config --markdown"
    assert MARKDOWN_HEADER in readme


def test_the_markdown_command_prints_the_rows():
    proc = subprocess.run(
        [sys.executable, "-m", "etl.config", "--markdown"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    assert proc.stdout.strip() == markdown_table()


def test_no_code_reads_an_attrition_setting_from_the_environment():
    """os.environ.get("ATTRITION_..."), os.environ["ATTRITION_..."], "ATTRITION_..." in os.environ: only
    etl/config.py may (through setting())."""
    found = []
    for path in _code_files():
        if path == REPO / "etl" / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = None
            if (
                isinstance(node, ast.Call)
                and node.args
                and (
                    ast.unparse(node.func) in ("os.getenv", "getenv")
                    or (
                        isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("get", "pop")
                        and ast.unparse(node.func.value) in ("os.environ", "environ")
                    )
                )
            ):
                key = node.args[0]
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and ast.unparse(node.value) in ("os.environ", "environ")
            ):
                key = node.slice
            elif (
                isinstance(node, ast.Compare)
                and isinstance(node.ops[0], (ast.In, ast.NotIn))
                and ast.unparse(node.comparators[0]) in ("os.environ", "environ")
            ):
                key = node.left
            if isinstance(key, ast.Constant) and str(key.value).startswith("ATTRITION_"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert found == [], "read these through etl.config.setting():\n" + "\n".join(found)


def test_every_setting_the_code_names_is_declared_and_every_declared_one_is_used():
    named: set[str] = set()
    for path in _code_files():
        if path in (REPO / "etl" / "config.py", REPO / "etl" / "settings_table.py"):  # the declarations
            continue
        named |= set(re.findall(r"[\"'](ATTRITION_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    config = (REPO / "etl" / "config.py").read_text(encoding="utf-8")  # its own reads: setting("NAME")
    named |= set(re.findall(r"setting\(\"(ATTRITION_[A-Z0-9_]+)\"\)", config))
    undeclared = sorted(named - set(SETTINGS))
    assert undeclared == [], f"declare these in etl.config.SETTINGS: {undeclared}"
    unused = sorted(set(SETTINGS) - named)
    assert unused == [], f"SETTINGS declares settings no code reads: {unused}"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("ATTRITION_PG_PORT", "abc", "a whole number (1..65535)"),
        ("ATTRITION_PG_PORT", "70000", "a whole number (1..65535)"),
        ("ATTRITION_MOD_DAILY_DAYS", "0", "a whole number (1..)"),
        ("ATTRITION_RUN_LOCK_WAIT", "soon", "a number >= 0"),
        ("ATTRITION_DOWNLOAD_TIMEOUT", "0.5", "a number >= 1"),
        ("ATTRITION_TODAY", "tomorrow", "a date like 2026-08-08"),
        ("ATTRITION_FAST", "maybe", "1 or 0 (true/false, yes/no, on/off)"),
        ("ATTRITION_SOURCES", "sometimes", "one of auto, live, replay"),
    ],
)
def test_a_malformed_value_is_one_line_naming_setting_value_and_expectation(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as caught:
        setting(name)
    line = caught.value.summary()
    assert line == f"setting {name}={value!r} is not {expected}; set {name} to {expected} or unset it for the default"
    assert caught.value.exit_code == 2 and "\n" not in line


def test_unset_or_blank_is_the_default_and_values_are_typed(monkeypatch):
    monkeypatch.delenv("ATTRITION_AIRFLOW_PORT", raising=False)
    assert setting("ATTRITION_AIRFLOW_PORT") == 8080
    monkeypatch.setenv("ATTRITION_AIRFLOW_PORT", "  ")
    assert setting("ATTRITION_AIRFLOW_PORT") == 8080
    monkeypatch.setenv("ATTRITION_AIRFLOW_PORT", " 9090 ")
    assert setting("ATTRITION_AIRFLOW_PORT") == 9090
    monkeypatch.setenv("ATTRITION_FAST", "yes")
    assert setting("ATTRITION_FAST") is True
    monkeypatch.setenv("ATTRITION_TODAY", "2026-08-08")
    assert setting("ATTRITION_TODAY") == date(2026, 8, 8)
    monkeypatch.setenv("ATTRITION_NEWS_URLS", "https://a.example/1, https://a.example/2")
    assert setting("ATTRITION_NEWS_URLS") == ["https://a.example/1", "https://a.example/2"]
    monkeypatch.setenv("ATTRITION_NEWS_FEEDS", "")  # set but empty: no feeds (unset: the defaults)
    assert setting("ATTRITION_NEWS_FEEDS") == []


def test_the_scrapy_settings_come_from_the_table(monkeypatch):
    import importlib

    monkeypatch.setenv("ATTRITION_RETRY_AFTER_MAX", "12")
    monkeypatch.setenv("ATTRITION_USER_AGENT", "attrition-test/1")
    import scrapers.settings as scrapy_settings

    scrapy_settings = importlib.reload(scrapy_settings)
    try:
        assert scrapy_settings.ATTRITION_RETRY_AFTER_MAX == 12.0
        assert scrapy_settings.USER_AGENT == "attrition-test/1"
        assert scrapy_settings.ATTRITION_MOD_DAILY_DAYS == SETTINGS["ATTRITION_MOD_DAILY_DAYS"].default
    finally:
        monkeypatch.undo()
        importlib.reload(scrapy_settings)


def test_kyiv_today_honours_attrition_today_everywhere(monkeypatch):
    from etl.domain.calendar import kyiv_today
    from scrapers.spiders import base

    monkeypatch.setenv("ATTRITION_TODAY", "2025-01-31")
    assert kyiv_today() == date(2025, 1, 31)
    assert base.kyiv_today() == date(2025, 1, 31)  # the spiders' today is the same one
