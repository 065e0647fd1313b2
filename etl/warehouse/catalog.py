"""The warehouse's documentation, ``etl/warehouse/catalog.yml``: every COMMENT ON in one place.

``attrition db migrate`` applies it after the migrations and the view files (in the caller's
transaction): it reads the comments the warehouse has, writes only those that differ, and checks the
documentation is whole (every table and view of raw, core, quality and mart commented, every column of
a mart relation commented, nothing named that does not exist).  Unchanged: nothing is written.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from etl.errors import MessageError

CATALOG = Path(__file__).parent / "catalog.yml"
DOCUMENTED_SCHEMAS = ("raw", "core", "quality", "mart")
KIND_WORDS = {"r": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}


class CatalogError(MessageError):
    pass


@lru_cache(maxsize=4)
def _load(path: Path, stamp: tuple[int, int]) -> dict:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name}: not valid YAML: {exc}".replace("\n", " ")) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("relations"), dict):
        raise CatalogError(f"{path.name}: expected the keys schemas and relations")
    return doc


def load(path: Path | None = None) -> dict:
    """{'schemas': {name: comment}, 'relations': {schema.name: {'comment': …, 'columns': {col: comment}}}}."""
    path = path or CATALOG
    stat = path.stat()
    return _load(path, (stat.st_mtime_ns, stat.st_size))


def _current(cur) -> tuple[dict, dict, dict]:
    """What the warehouse has: schema comments, {relation: (relkind, comment)}, {(relation, column): comment}."""
    cur.execute(
        "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ANY(%s)",
        (list(DOCUMENTED_SCHEMAS),),
    )
    schemas = dict(cur.fetchall())
    cur.execute(
        "SELECT n.nspname || '.' || c.relname, c.relkind, obj_description(c.oid, 'pg_class') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'v', 'm')",
        ([*DOCUMENTED_SCHEMAS, "public"],),
    )
    relations = {name: (kind, comment) for name, kind, comment in cur.fetchall()}
    cur.execute(
        "SELECT n.nspname || '.' || c.relname, a.attname, col_description(c.oid, a.attnum) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped",
        ([*DOCUMENTED_SCHEMAS, "public"],),
    )
    columns = {(rel, col): comment for rel, col, comment in cur.fetchall()}
    return schemas, relations, columns


def _statements(doc: dict, schemas: dict, relations: dict, columns: dict) -> list:
    """The COMMENT ON statements (psycopg2 ``sql`` objects with their parameter) the warehouse lacks."""
    from psycopg2 import sql

    todo = []
    for name, comment in (doc.get("schemas") or {}).items():
        if name not in schemas:
            raise CatalogError(f"{CATALOG.name}: schema {name}: no such schema")
        if schemas[name] != comment:
            todo.append((sql.SQL("COMMENT ON SCHEMA {} IS %s").format(sql.Identifier(name)), comment))
    for rel, entry in doc["relations"].items():
        if rel not in relations:
            raise CatalogError(f"{CATALOG.name}: {rel}: no such table or view")
        ident = sql.Identifier(*rel.split(".", 1))
        if relations[rel][1] != entry.get("comment"):
            kind = sql.SQL(KIND_WORDS[relations[rel][0]])
            todo.append((sql.SQL("COMMENT ON {} {} IS %s").format(kind, ident), entry.get("comment")))
        for col, comment in (entry.get("columns") or {}).items():
            if (rel, col) not in columns:
                raise CatalogError(f"{CATALOG.name}: {rel}.{col}: no such column")
            if columns[(rel, col)] != comment:
                target = sql.Identifier(*rel.split(".", 1), col)
                todo.append((sql.SQL("COMMENT ON COLUMN {} IS %s").format(target), comment))
    return todo


def _check_whole(doc: dict, relations: dict, columns: dict) -> None:
    documented = doc["relations"]
    for rel in sorted(relations):
        if rel.split(".", 1)[0] in DOCUMENTED_SCHEMAS and not (documented.get(rel) or {}).get("comment"):
            raise CatalogError(f"{CATALOG.name}: {rel} has no comment; every table and view carries one")
    for rel, col in sorted(columns):
        if rel.startswith("mart.") and not ((documented.get(rel) or {}).get("columns") or {}).get(col):
            raise CatalogError(f"{CATALOG.name}: {rel}.{col} has no comment; every column of a mart carries one")


def apply_comments(cur, path: Path | None = None) -> int:
    """Write the comments of the catalogue that the warehouse lacks; returns how many were written."""
    doc = load(path)
    schemas, relations, columns = _current(cur)
    _check_whole(doc, relations, columns)
    todo = _statements(doc, schemas, relations, columns)
    for statement, comment in todo:
        cur.execute(statement, (comment,))
    return len(todo)
