"""Fixtures only (the shared helper functions are in helpers.py): a real PostgreSQL started through the
project's embedded mechanism, once per test session (under pytest-xdist: once per worker), and databases
cloned from a template migrated once per session."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess

import pytest
from helpers import VENV_BIN, free_port, heavy_files_first, shared_dir_path, xdist_scheduler

TEMPLATE_DB = "attrition_test_template"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n N --dist loadgroup` (`make test`): xdist's scheduler with the work units of
    helpers.xdist_scope (each file of helpers.XDIST_GROUPS is one unit, on one worker)."""
    return xdist_scheduler(config, log)


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # an xdist worker (`make test`): the long work units scheduled first
        heavy_files_first(items)
    if (shared_dir_path() / "reference").is_dir():
        return
    skip = pytest.mark.skip(reason=f"../shared is absent ({shared_dir_path()}); realdata tests need it")
    for item in items:
        if "realdata" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_dir():
    """../shared (the reference pages, datasets and seeds); realdata tests only."""
    return shared_dir_path()


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory):
    """Keep the suite away from the user's .local/ and from any configured warehouse (per xdist worker)."""
    saved = dict(os.environ)
    local = tmp_path_factory.mktemp("local")
    for var in (
        "ATTRITION_WAREHOUSE_DSN",
        "AIRFLOW_CONN_WAREHOUSE",
        "ATTRITION_READER_DSN",
        "AIRFLOW_HOME",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    ):
        os.environ.pop(var, None)
    os.environ["ATTRITION_LOCAL_DIR"] = str(local)
    os.environ["ATTRITION_PG_PORT"] = str(free_port())
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    yield local
    os.environ.clear()
    os.environ.update(saved)


def _admin(warehouse):
    import psycopg2

    conn = psycopg2.connect(warehouse.dsn(dbname="postgres"))
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def warehouse(isolated_env):
    """The embedded cluster of this test session, migrated; yields the EmbeddedPostgres.

    A test cluster needs no crash safety: fsync, synchronous_commit and full_page_writes are turned off
    (all three take effect on a reload), which makes every commit, CREATE DATABASE and migration cheaper.
    """
    from etl.local.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres.default()
    pg.up()
    with contextlib.closing(_admin(pg)) as conn, conn.cursor() as cur:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            cur.execute(f"ALTER SYSTEM SET {setting} = off")
        cur.execute("SELECT pg_reload_conf()")
    yield pg
    pg.destroy()


@pytest.fixture(scope="session")
def dsn(warehouse) -> str:
    return warehouse.dsn()


def _db_name(request) -> str:
    return "t_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]


@pytest.fixture
def fresh_db(warehouse, request):
    """An empty database in the session's cluster (dropped afterwards); yields its DSN."""
    from psycopg2 import sql

    name = sql.Identifier(_db_name(request))
    with contextlib.closing(_admin(warehouse)) as admin:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(name))
        yield warehouse.dsn(dbname=_db_name(request))
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


@pytest.fixture(scope="session")
def migrated_template(warehouse) -> str:
    """A database with every migration applied, once per session: the template `db` clones."""
    from etl.warehouse.migrate import migrate

    warehouse.ensure_database(TEMPLATE_DB)
    migrate(warehouse.dsn(dbname=TEMPLATE_DB))
    return TEMPLATE_DB


def _copy_database_acl(cur, source: str, target: str) -> None:
    """CREATE DATABASE … TEMPLATE copies the contents, not the database's own privileges (migration 0009
    sets them): grant the clone exactly what the template has."""
    from psycopg2 import sql

    cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(target)))
    cur.execute(
        "SELECT coalesce(r.rolname, 'PUBLIC'), a.privilege_type"
        " FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a"
        " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE d.datname = %s",
        (source,),
    )
    for grantee, privilege in cur.fetchall():
        role = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
        cur.execute(sql.SQL("GRANT {} ON DATABASE {} TO {}").format(sql.SQL(privilege), sql.Identifier(target), role))


@pytest.fixture
def db(warehouse, migrated_template, request):
    """A fresh database with every migration applied (a clone of the migrated template; dropped afterwards);
    yields its DSN."""
    from psycopg2 import sql

    name = _db_name(request)
    with contextlib.closing(_admin(warehouse)) as admin:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(migrated_template)
                )
            )
            _copy_database_acl(cur, migrated_template, name)
        yield warehouse.dsn(dbname=name)
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def airflow_env(warehouse, tmp_path_factory) -> dict:
    """Environment for real Airflow CLI runs: metadata in a database of the session's cluster, migrated once
    per session (under pytest-xdist: once per worker, each with its own AIRFLOW_HOME and metadata database)."""
    from etl.local.stack import airflow_env as build

    warehouse.ensure_database("airflow_meta", owner="airflow")
    env = build(warehouse.dsn(user="airflow", dbname="airflow_meta"), home=tmp_path_factory.mktemp("airflow"))
    subprocess.run([str(VENV_BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True, timeout=600)
    return env
