"""The warehouse: embedded cluster, migrations, schemas, the reader role, comments."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess

import psycopg2
import pytest
import yaml
from helpers import free_port, run_cli
from psycopg2 import errors
from psycopg2.extensions import parse_dsn

from etl.domain.categories import BY_CODE
from etl.warehouse import catalog as catalog_module
from etl.warehouse import migrate as migrate_module
from etl.warehouse.catalog import CatalogError, apply_comments
from etl.warehouse.migrate import MigrationError, available, migrate, view_files

SCHEMAS = {"raw", "core", "quality", "mart"}


def query(dsn: str, sql: str, params=None):
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_migrations_apply_from_empty_then_are_a_no_op(fresh_db):
    first = migrate(fresh_db)
    assert first == [m.path.name for m in available()] + [f"views/{v.path.name}" for v in view_files()]
    schemas = {r[0] for r in query(fresh_db, "SELECT nspname FROM pg_namespace")}
    assert SCHEMAS <= schemas
    before = query(fresh_db, "SELECT code, xmin::text FROM core.category ORDER BY code")
    aliases_before = query(fresh_db, "SELECT source, alias, xmin::text FROM core.category_alias ORDER BY 1, 2")
    ledger_before = query(fresh_db, "SELECT version, checksum, applied_at FROM public.schema_migrations")
    views_before = _views(fresh_db)

    assert migrate(fresh_db) == []
    assert _views(fresh_db) == views_before  # no view dropped, re-created or re-recorded
    # nothing was rewritten: same rows, same row versions
    assert query(fresh_db, "SELECT code, xmin::text FROM core.category ORDER BY code") == before
    assert query(fresh_db, "SELECT source, alias, xmin::text FROM core.category_alias ORDER BY 1, 2") == aliases_before
    assert query(fresh_db, "SELECT version, checksum, applied_at FROM public.schema_migrations") == ledger_before


def _views(dsn: str) -> dict:
    """{view: (oid, checksum row version)} of every view file's view."""
    return dict(
        query(
            dsn,
            """
        SELECT v.name, (to_regclass(v.name)::oid::text, v.xmin::text) FROM public.view_checksum v""",
        )
    )


def _read_instead(tmp_path, monkeypatch, module, attr: str):
    """A copy of the file or folder ``module.attr`` that migrate() reads instead; edit it."""
    source = getattr(module, attr)
    copy = tmp_path / source.name
    (shutil.copytree if source.is_dir() else shutil.copy)(source, copy)
    monkeypatch.setattr(module, attr, copy)
    return copy


@pytest.fixture
def views_dir(tmp_path, monkeypatch):
    """A copy of etl/warehouse/views (edit its files)."""
    return _read_instead(tmp_path, monkeypatch, migrate_module, "VIEWS_DIR")


@pytest.fixture
def catalog_file(tmp_path, monkeypatch):
    """A copy of etl/warehouse/catalog.yml (edit it)."""
    return _read_instead(tmp_path, monkeypatch, catalog_module, "CATALOG")


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_changed_view_file_is_reapplied_on_the_next_migrate_and_only_it(db, views_dir, warehouse):
    before = _views(db)
    _edit(views_dir / "07_mart.news_claims.sql", "FROM core.claim c", "FROM core.claim AS c")
    assert migrate(db) == ["views/07_mart.news_claims.sql"]
    after = _views(db)
    assert {name for name in before if before[name] != after[name]} == {"mart.news_claims"}
    # re-created with its comments (from the catalogue) and the reader's grant
    assert query(db, "SELECT col_description('mart.news_claims'::regclass, 1)") == [
        ("Identifier of the claim (core.claim.id).",)
    ]
    reader = warehouse.dsn(reader=True, dbname=parse_dsn(db)["dbname"])
    assert query(reader, "SELECT count(*) FROM mart.news_claims") == [(0,)]
    assert migrate(db) == []


def test_a_changed_comment_in_the_catalogue_is_written_and_no_view_is_recreated(db, catalog_file):
    before = _views(db)
    _edit(catalog_file, "Identifier of the claim (core.claim.id).", "Identifier of the claim (core.claim.id), edited.")
    assert migrate(db) == []
    assert query(db, "SELECT col_description('mart.news_claims'::regclass, 1)") == [
        ("Identifier of the claim (core.claim.id), edited.",)
    ]
    assert _views(db) == before
    with contextlib.closing(psycopg2.connect(db)) as conn, conn.cursor() as cur:
        assert apply_comments(cur) == 0  # nothing left to write


def test_a_view_read_by_later_views_is_reapplied_with_them(db, views_dir, catalog_file, warehouse):
    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO core.accepted (as_of, category, cumulative, status, accepted_source, "
            "sources_agreeing, sources_reporting) VALUES (%s, 'tanks', 5, 'single_source', 'mod', "
            "'{mod}', '{mod}')",
            ("2024-01-01",),
        )
    _edit(views_dir / "03_mart.daily_losses_long.sql", "a.note\nFROM", "a.note, a.decided_at\nFROM")
    with pytest.raises(CatalogError, match="mart.daily_losses_long.decided_at has no comment"):
        migrate(db)
    doc = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    doc["relations"]["mart.daily_losses_long"]["columns"]["decided_at"] = "When the gate decided."
    catalog_file.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert migrate(db) == [
        "views/03_mart.daily_losses_long.sql",
        "views/04_mart.daily_losses.sql",
        "views/05_mart.latest.sql",
    ]
    # re-created populated (they read core.accepted at once), with their unique indexes and the reader's grant
    assert query(db, "SELECT as_of::text, tanks FROM mart.daily_losses") == [("2024-01-01", 5)]
    reader = warehouse.dsn(reader=True, dbname=parse_dsn(db)["dbname"])
    assert query(reader, "SELECT category, decided_at IS NOT NULL FROM mart.daily_losses_long") == [("tanks", True)]
    assert query(reader, "SELECT category FROM mart.latest") == [("tanks",)]
    from etl.quality.gate import refresh_marts  # CONCURRENTLY needs the unique indexes back

    with contextlib.closing(psycopg2.connect(db)) as conn, conn, conn.cursor() as cur:
        refresh_marts(cur)
    assert migrate(db) == []


def test_a_failing_view_file_leaves_every_view_as_it_was(db, views_dir):
    before = _views(db)
    _edit(views_dir / "03_mart.daily_losses_long.sql", "FROM core.accepted a", "FROM core.no_such_table a")
    with pytest.raises(MigrationError, match="view file 03_mart.daily_losses_long.sql failed: .*no_such_table"):
        migrate(db)
    assert _views(db) == before
    _edit(views_dir / "03_mart.daily_losses_long.sql", "FROM core.no_such_table a", "FROM core.accepted a")
    _edit(views_dir / "08_mart.new_source_keys.sql", "first_seen_at\n", "first_seen_at, last_seen_at\n")
    with pytest.raises(CatalogError, match="catalog.yml: mart.new_source_keys.last_seen_at has no comment"):
        migrate(db)
    assert _views(db) == before


def test_the_catalogue_names_only_what_exists(db, catalog_file):
    _edit(catalog_file, "  mart.new_source_keys:\n", "  mart.no_such_view:\n    comment: x\n  mart.new_source_keys:\n")
    with pytest.raises(CatalogError, match="catalog.yml: mart.no_such_view: no such table or view"):
        migrate(db)


def test_views_live_in_their_files_not_in_new_migrations():
    """From migration 0010 on, a view is changed by editing its file in etl/warehouse/views/."""
    import re

    restated = [
        m.path.name
        for m in available()
        if m.version >= "0010" and re.search(r"CREATE\s+(OR\s+REPLACE\s+)?(MATERIALIZED\s+)?VIEW", m.sql, re.IGNORECASE)
    ]
    assert restated == []
    for vf in view_files():
        assert re.search(rf"CREATE\s+(MATERIALIZED\s+)?VIEW\s+{re.escape(vf.name)}\b", vf.sql), vf.path.name


def test_db_migrate_twice_is_a_no_op(fresh_db):
    env = {"ATTRITION_WAREHOUSE_DSN": fresh_db}
    first = run_cli("db", "migrate", env=env).stdout
    assert "applied 0001_foundation.sql" in first and "applied views/05_mart.latest.sql" in first
    second = run_cli("db", "migrate", env=env).stdout
    assert second.strip() == "warehouse schema is up to date (nothing to apply)"


def test_a_migration_changed_after_it_ran_is_refused(fresh_db):
    migrate(fresh_db)
    with contextlib.closing(psycopg2.connect(fresh_db)) as conn, conn, conn.cursor() as cur:
        cur.execute("UPDATE public.schema_migrations SET checksum = 'edited' WHERE version = '0001'")
    with pytest.raises(MigrationError, match="0001_foundation.sql changed after it was applied"):
        migrate(fresh_db)


def test_category_contract_is_in_the_warehouse(dsn):
    rows = dict((r[0], r[1:]) for r in query(dsn, "SELECT code, valid_from::text, valid_to::text FROM core.category"))
    assert set(rows) == set(BY_CODE)  # the contract of etl.domain.categories, every code
    assert rows["vehicles_fuel_tanks"] == ("2022-05-01", None)
    assert rows["military_vehicles"][1] == rows["fuel_tanks"][1] == "2022-04-30"
    assert rows["srbm_launchers"] == ("2022-03-26", "2022-04-30")
    assert rows["pow"][1] == "2022-04-27"
    assert rows["submarines"][0] == "2023-09-14"
    assert rows["ground_robots"][0] == "2026-05-03"
    alias = query(dsn, "SELECT category FROM core.category_alias WHERE alias = %s", ("кораблі / катери",))
    assert alias == [("ships_boats",)]


def test_reader_can_select_mart_and_nothing_else(warehouse):
    reader = warehouse.dsn(reader=True)
    assert len(query(reader, "SELECT code FROM mart.categories")) == 19
    denied = [
        "SELECT * FROM core.category",
        "SELECT * FROM raw.document",
        "SELECT * FROM quality.alert",
        "SELECT * FROM public.schema_migrations",
        "INSERT INTO mart.categories (code) VALUES ('x')",
        "CREATE TABLE mart.mine (x int)",
        "CREATE TABLE public.mine (x int)",
    ]
    for sql in denied:
        with contextlib.closing(psycopg2.connect(reader)) as conn, conn.cursor() as cur:
            with pytest.raises((errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
                cur.execute(sql)
    # even with the read-only default switched off, privileges still refuse writes
    with contextlib.closing(psycopg2.connect(reader)) as conn, conn.cursor() as cur:
        cur.execute("SET default_transaction_read_only = off")
        conn.commit()
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("CREATE TABLE mart.mine (x int)")


def test_every_user_facing_relation_and_mart_column_is_commented(dsn):
    uncommented = query(
        dsn,
        """
        SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('raw', 'core', 'quality', 'mart') AND c.relkind IN ('r', 'v', 'm', 'p')
          AND obj_description(c.oid, 'pg_class') IS NULL""",
    )
    assert uncommented == []
    columns = query(
        dsn,
        """
        SELECT c.relname || '.' || a.attname FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mart' AND c.relkind IN ('r', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
          AND col_description(c.oid, a.attnum) IS NULL""",
    )
    assert columns == []


def test_db_up_is_idempotent_and_url_lists_the_schemas(warehouse):
    first = run_cli("db", "up")
    second = run_cli("db", "up")
    assert "reused the running embedded warehouse" in second.stdout
    status = run_cli("db", "status")
    assert '"running": true' in status.stdout
    url = run_cli("db", "url").stdout.strip()
    assert url.startswith("postgresql://attrition:") and "@127.0.0.1:" in url
    assert first.stdout.splitlines()[-1] == url
    schemas = {r[0] for r in query(url, "SELECT nspname FROM pg_namespace")}
    assert SCHEMAS <= schemas
    if shutil.which("psql"):  # the README's check, as a user types it
        out = subprocess.run(["psql", url, "-c", r"\dn"], capture_output=True, text=True, check=True).stdout
        for name in SCHEMAS:
            assert name in out
    reader = run_cli("db", "url", "--reader").stdout.strip()
    assert reader.startswith("postgresql://attrition_reader:")


def test_configured_dsn_wins_over_the_embedded_cluster(warehouse):
    dsn = warehouse.dsn()
    out = run_cli("db", "url", env={"ATTRITION_WAREHOUSE_DSN": dsn}).stdout.strip()
    assert out == dsn
    conn_json = json.dumps(
        {
            "conn_type": "postgres",
            "host": "127.0.0.1",
            "port": warehouse.port,
            "login": "attrition",
            "password": warehouse.password("attrition"),
            "schema": "attrition",
        }
    )
    out = run_cli("db", "url", env={"AIRFLOW_CONN_WAREHOUSE": conn_json}).stdout.strip()
    assert query(out, "SELECT current_database()") == [("attrition",)]
    status = run_cli("db", "status", env={"AIRFLOW_CONN_WAREHOUSE": dsn.replace("postgresql://", "postgres://")})
    assert '"warehouse": "configured"' in status.stdout and "***" in status.stdout
    assert warehouse.password("attrition") not in status.stdout


def test_unreachable_warehouse_is_one_clear_line():
    bad = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nowhere"
    proc = run_cli("db", "migrate", env={"ATTRITION_WAREHOUSE_DSN": bad}, check=False)
    assert proc.returncode == 1
    assert "cannot connect to the warehouse at postgresql://nobody:***@127.0.0.1" in proc.stderr
    assert "secret" not in proc.stderr and "Traceback" not in proc.stderr


def test_pgserver_binaries_run_the_cluster_when_the_system_has_none(tmp_path, monkeypatch):
    """A fresh machine with only Python: the pgserver wheel's PostgreSQL is used."""
    from etl.local.embedded import EmbeddedPostgres

    monkeypatch.setenv("ATTRITION_PG_BINARIES", "pgserver")
    pg = EmbeddedPostgres(tmp_path / "pg", port=free_port())
    try:
        info = pg.up()
        assert "pgserver" in (pg.state["bindir"] + str(info["bindir"])) or "pginstall" in pg.state["bindir"]
        version = query(pg.dsn(), "SHOW server_version")[0][0]
        assert version.startswith("16.")
        assert SCHEMAS <= {r[0] for r in query(pg.dsn(), "SELECT nspname FROM pg_namespace")}
        assert pg.up()["reused"] is True
    finally:
        pg.destroy()
    assert pg.running_pid() is None


def test_a_free_port_for_the_tests_lies_below_the_range_outgoing_connections_take():
    """free_port's ports are below the kernel's ephemeral range, which outgoing connections draw from
    (one took a replay server's port between the choice and the start), and nothing listens on them."""
    import socket
    from pathlib import Path

    from etl.local.embedded import free_port

    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(20):
        port = free_port()
        assert port < low
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
