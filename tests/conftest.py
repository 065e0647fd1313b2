"""Shared fixtures: a real PostgreSQL started through the project's embedded mechanism."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.local.embedded import free_port  # noqa: F401 - the tests import it from here

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def _shared_dir() -> Path:
    return Path(os.environ.get("ATTRITION_SHARED_DIR") or REPO.parent / "shared").resolve()


def pytest_collection_modifyitems(config, items):
    if (_shared_dir() / "reference").is_dir():
        return
    skip = pytest.mark.skip(reason=f"../shared is absent ({_shared_dir()}); realdata tests need it")
    for item in items:
        if "realdata" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (the reference pages, datasets and seeds); realdata tests only."""
    return _shared_dir()


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory):
    """Keep the suite away from the user's .local/ and from any configured warehouse."""
    saved = dict(os.environ)
    local = tmp_path_factory.mktemp("local")
    for var in ("ATTRITION_WAREHOUSE_DSN", "AIRFLOW_CONN_WAREHOUSE", "ATTRITION_READER_DSN", "AIRFLOW_HOME",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        os.environ.pop(var, None)
    os.environ["ATTRITION_LOCAL_DIR"] = str(local)
    os.environ["ATTRITION_PG_PORT"] = str(free_port())
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    yield local
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def warehouse(isolated_env):
    """The embedded cluster of this test session, migrated; yields the EmbeddedPostgres."""
    from etl.local.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres.default()
    pg.up()
    yield pg
    pg.destroy()


@pytest.fixture(scope="session")
def dsn(warehouse) -> str:
    return warehouse.dsn()


@pytest.fixture
def fresh_db(warehouse, request):
    """An empty database in the session's cluster (dropped afterwards); yields its DSN."""
    import psycopg2

    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    admin = psycopg2.connect(warehouse.dsn(dbname="postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    yield warehouse.dsn(dbname=name)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def db(fresh_db) -> str:
    """A fresh database with every migration applied; yields its DSN."""
    from etl.warehouse.migrate import migrate

    migrate(fresh_db)
    return fresh_db


def sql(dsn: str, query: str, params=None):
    """Run one parameterized statement in its own transaction; its rows, or None."""
    import contextlib

    import psycopg2

    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def cut_snapshot(out: Path, days) -> Path:
    """The given days (ISO strings) of each source, cut from the bundled replay snapshot into ``out``."""
    import csv

    for name in ("minfin.csv", "mod.csv", "russianwarship.csv", "mod_urls.csv"):
        with open(REPO / "data" / "replay" / name, newline="", encoding="utf-8") as src, \
                open(out / name, "w", newline="", encoding="utf-8") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
            writer.writeheader()
            writer.writerows(r for r in reader if r["as_of"] in days)
    return out


def stack_env(local_dir: Path) -> dict:
    """The environment for `attrition up` in a test: its own folder, every port free, the replay."""
    return {
        "ATTRITION_LOCAL_DIR": str(local_dir),
        "ATTRITION_PG_PORT": str(free_port()),
        "ATTRITION_AIRFLOW_PORT": str(free_port()),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "ATTRITION_REPLAY_PORT": str(free_port()),
        "ATTRITION_MAILSINK_PORT": str(free_port()),
        "ATTRITION_SOURCES": "replay",
    }


def run_cli(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the installed `attrition` console script, as a user would."""
    proc = subprocess.run([str(VENV_BIN / "attrition"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"attrition {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def airflow_env(warehouse, tmp_path_factory) -> dict:
    """Environment for real Airflow CLI runs: metadata in a database of the session's cluster, migrated once."""
    from etl.local.stack import airflow_env as build

    warehouse.ensure_database("airflow_meta", owner="airflow")
    env = build(warehouse.dsn(user="airflow", dbname="airflow_meta"), home=tmp_path_factory.mktemp("airflow"))
    subprocess.run([str(VENV_BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True, timeout=600)
    return env


def dags_test(env: dict, dag_id: str, conf: dict | None = None, extra_env: dict | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess:
    """`airflow dags test DAG_ID -c CONF`, as an engineer would run it; output in .stdout (stderr merged)."""
    import json

    cmd = [str(VENV_BIN / "airflow"), "dags", "test", dag_id]
    if conf is not None:
        cmd += ["-c", json.dumps(conf)]
    proc = subprocess.run(cmd, env={**env, **(extra_env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    log_dir = Path(env["AIRFLOW_HOME"]) / "dags-test-logs"  # the whole output, for a failing test's reader
    log_dir.mkdir(exist_ok=True)
    (log_dir / f"{dag_id}-{len(list(log_dir.iterdir()))}.log").write_text(proc.stdout)
    return proc
