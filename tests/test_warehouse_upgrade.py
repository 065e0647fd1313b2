"""A warehouse migrated by an earlier release upgrades to this one (etl.warehouse.migrate).

The earlier releases' migration files come from the project's git history; a checkout without that
history skips these tests.  Each earlier state is the release's migrations run as its runner ran
them (each file, then its ledger row); the current runner must accept it and leave the same schema
as a warehouse built from empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess

import psycopg2
import pytest
from helpers import REPO

from etl.warehouse.migrate import MigrationError, available, earlier_checksums, migrate

# (commit, folder of its migrations): the release before issue 12 moved the migrations, and the
# release whose migrations still defined the views.
RELEASES = [
    ("89548a5", "etl/migrations"),
    ("5303812", "etl/warehouse/migrations"),
]

SCHEMA_QUERIES = {
    "columns": """SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default
                  FROM information_schema.columns
                  WHERE table_schema IN ('raw', 'core', 'quality', 'mart', 'public')""",
    "matview columns": """SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
                          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE c.relkind = 'm' AND a.attnum > 0 AND NOT a.attisdropped""",
    "views": """SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname IN ('core', 'mart')
                UNION ALL SELECT schemaname, matviewname, definition FROM pg_matviews""",
    "indexes": "SELECT schemaname, tablename, indexdef FROM pg_indexes WHERE schemaname <> 'pg_catalog'",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE connamespace::regnamespace::text IN ('raw', 'core', 'quality', 'public')""",
    "comments": """SELECT c.oid::regclass::text, a.attnum, col_description(c.oid, a.attnum), obj_description(c.oid)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   WHERE n.nspname IN ('raw', 'core', 'quality', 'mart') AND c.relkind IN ('r', 'v', 'm')""",
    "grants": """SELECT table_schema, table_name, grantee, privilege_type FROM information_schema.table_privileges
                 WHERE grantee = 'attrition_reader'""",
    "ledger": "SELECT version, name, checksum FROM public.schema_migrations",
}


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout


def _release(commit: str, folder: str) -> list[tuple[str, str, str]]:
    """[(version, name, sql)] of the release's migrations, or skip when the history is absent."""
    try:
        names = _git("ls-tree", "--name-only", f"{commit}:{folder}").split()
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip(f"commit {commit} (an earlier release) is not in this checkout's git history")
    files = sorted(n for n in names if n.endswith(".sql"))
    return [(n[:4], n[5:-4], _git("show", f"{commit}:{folder}/{n}")) for n in files]


def _run_as_released(dsn: str, migrations: list[tuple[str, str, str]]) -> None:
    with contextlib.closing(psycopg2.connect(dsn)) as conn:
        with conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE public.schema_migrations (version text PRIMARY KEY, name text NOT NULL, "
                "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
        for version, name, text in migrations:
            with conn, conn.cursor() as cur:
                cur.execute(text)
                cur.execute(
                    "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (version, name, hashlib.sha256(text.encode()).hexdigest()),
                )


def _schema(dsn: str) -> dict[str, list]:
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        out = {}
        for what, sql in SCHEMA_QUERIES.items():
            cur.execute(sql)
            out[what] = sorted(cur.fetchall(), key=repr)
        return out


@pytest.mark.parametrize(("commit", "folder"), RELEASES)
def test_a_warehouse_of_an_earlier_release_upgrades_to_the_schema_built_from_empty(
    commit, folder, fresh_db, warehouse, migrated_template
):
    old = _release(commit, folder)
    _run_as_released(fresh_db, old)
    applied = migrate(fresh_db)
    assert applied[: len(available()) - len(old)] == [m.path.name for m in available()[len(old) :]]
    assert _schema(fresh_db) == _schema(warehouse.dsn(dbname=migrated_template))
    assert migrate(fresh_db) == []


def test_only_the_listed_earlier_texts_are_accepted(db):
    earlier = earlier_checksums()
    assert set(earlier) <= {m.version for m in available()}
    current = {m.version: m.checksum for m in available()}
    assert all(current[v] not in sums for v, sums in earlier.items())
    version, sums = sorted(earlier.items())[0]
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute("UPDATE public.schema_migrations SET checksum = %s WHERE version = %s", (min(sums), version))
    assert migrate(db) == []
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT checksum FROM public.schema_migrations WHERE version = %s", (version,))
        assert cur.fetchone()[0] == current[version]
        cur.execute("UPDATE public.schema_migrations SET checksum = %s WHERE version = %s", ("0" * 64, version))
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(db)
