"""The plan of etl/, checked on its source: imports point one way, no cycle, few modules at the top.

Every module under etl/ is parsed with ``ast``; every import counts, at any depth (inside functions
too), relative ones resolved.  The layers, top to bottom (README, Layout)::

    cli → local → news → losses → quality → warehouse → domain → config → settings_table/loopback → errors

A module may import its own folder and any folder below its own (news runs its spiders with losses'
crawl runner: news may import losses, never the reverse); ``replay`` (test tooling) may import domain,
losses.parsers, config, errors and loopback, and only cli and local may import it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ETL = REPO / "etl"

# folder (or top-level module) -> its rank; a module may import only equal-folder or lower ranks
RANKS = {
    "cli": 9,
    "local": 8,
    "ui": 8,
    "news": 7,
    "losses": 6,
    "quality": 5,
    "warehouse": 4,
    "domain": 3,
    "config": 2,
    "settings_table": 1,  # etl/settings_table.py: the SETTINGS declarations, re-exported by etl.config
    "loopback": 1,  # etl/loopback.py: serving an HTTP server in a thread (both replays); imports nothing of etl
    "errors": 0,
}
REPLAY_MAY_IMPORT = ("etl.domain", "etl.losses.parsers", "etl.config", "etl.errors", "etl.loopback", "etl.replay")
MAY_IMPORT_REPLAY = ("cli", "local", "replay")
MAX_TOP_LEVEL_FILES = 6


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ETL.rglob("*.py"))}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _target(name: str) -> str | None:
    """The etl module ``name`` stands for: itself, else the closest package holding it."""
    known = modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports(module: str) -> frozenset[tuple[str, int]]:
    """(etl module imported, line) for every import in ``module``, at any depth."""
    path = modules()[module]
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path, node)
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        for name in names:
            target = _target(name) if name.startswith("etl.") or name == "etl" else None
            if target and target != module and target != "etl":
                found.add((target, node.lineno))
    return frozenset(found)


def graph() -> dict[str, set[str]]:
    return {module: {target for target, _ in imports(module)} for module in modules()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def allowed(source: str, target: str) -> bool:
    src, dst = folder(source), folder(target)
    if src == dst:
        return True
    if src == "replay":
        return target.startswith(REPLAY_MAY_IMPORT)
    if dst == "replay":
        return src in MAY_IMPORT_REPLAY
    if src not in RANKS or dst not in RANKS:
        return False
    return RANKS[dst] < RANKS[src]


def test_the_scan_sees_imports_inside_functions_and_relative_ones(tmp_path):
    assert "etl.config" in {t for t, _ in imports("etl.warehouse.db")}
    assert "etl.warehouse.db" in {t for t, _ in imports("etl.warehouse.failures")}  # inside a function
    assert "etl.losses.parsers.common" in {t for t, _ in imports("etl.losses.parsers.mod")}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    found = cycles(graph())
    assert found == [], "import cycles (imports inside functions count):\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_imports_follow_the_layers():
    wrong = sorted(
        f"{modules()[source].relative_to(REPO)}:{line}: {source} imports {target}"
        for source in modules()
        for target, line in imports(source)
        if folder(source) and not allowed(source, target)
    )
    assert wrong == [], (
        "imports against cli → local → losses/news → quality → warehouse → domain → config/errors:\n" + "\n".join(wrong)
    )


def test_few_modules_directly_in_etl():
    top = sorted(path.name for path in ETL.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_FILES, top


def test_every_folder_has_a_layer():
    folders = {folder(module) for module in modules()} - {""}
    assert folders <= set(RANKS) | {"replay"}, sorted(folders - set(RANKS))


def test_the_readme_layout_names_every_folder_and_top_level_module():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    layout = layout[: layout.index("\n## ")]
    named = {
        cell.strip("`")
        for row in layout.splitlines()
        if row.startswith("| `")
        for cell in row.split(" | ")[0][2:].split(", ")
    }
    folders = {f"etl/{path.parent.name}/" for path in ETL.glob("*/__init__.py")}
    top = {f"etl/{path.name}" for path in ETL.glob("*.py") if path.name != "__init__.py"}
    others = {f"{name}/" for name in ("dags", "scrapers", "tests", "docs", "benchmarks", "expectations", "docker")}
    assert folders | top | others <= named, sorted((folders | top | others) - named)
