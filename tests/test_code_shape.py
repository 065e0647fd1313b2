"""The code's shape (issue 12): no module over 500 lines, no function over 80, in etl/, scrapers/ and dags/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules():
    for root in ("etl", "scrapers", "dags"):
        yield from sorted((REPO / root).rglob("*.py"))


def test_no_module_over_500_lines():
    long = {str(p.relative_to(REPO)): n for p in _modules() if (n := p.read_text().count("\n")) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


@pytest.mark.parametrize("root", ["etl", "scrapers", "dags"])
def test_no_function_over_80_lines(root):
    long = []
    for path in sorted((REPO / root).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "functions over 80 lines:\n" + "\n".join(long)
