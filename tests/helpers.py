"""Shared test helpers (plain functions and constants; the fixtures live in conftest.py).

Test files import them with ``from helpers import ...`` (tests/ is on sys.path, as for conftest).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from etl.local.embedded import free_port

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

__all__ = [
    "REPO",
    "VENV_BIN",
    "cut_snapshot",
    "dags_test",
    "free_port",
    "run_cli",
    "shared_dir_path",
    "sql",
    "stack_env",
    "wait_until",
]


def shared_dir_path() -> Path:
    """../shared (or ATTRITION_SHARED_DIR): the reference pages, datasets and seeds of the realdata tests."""
    return Path(os.environ.get("ATTRITION_SHARED_DIR") or REPO.parent / "shared").resolve()


# Test files whose tests share one heavy module-scoped resource: under pytest-xdist each file is one work
# unit, kept on one worker, so the resource is set up once; every other test goes to whichever worker is free.
XDIST_GROUPS = {
    "test_browser.py": "browser-stack",  # one `attrition up` stack and one Chromium for the whole file
    "test_compose_stack.py": "compose",  # fixed ports and the machine's Docker
}


def xdist_scope(nodeid: str) -> str:
    """A test's work unit under pytest-xdist: its group for the files of XDIST_GROUPS, else the test itself."""
    return XDIST_GROUPS.get(nodeid.split("::", 1)[0].rsplit("/", 1)[-1]) or nodeid


def heavy_files_first(items: list) -> None:
    """Reorder ``items`` in place: every file with a test marked ``airflow`` or in XDIST_GROUPS first
    (collection order kept otherwise), so that under xdist the long work units start first and the
    end of the run is short tests spread over every worker, not one worker busy for minutes alone."""

    def heavy(item) -> bool:
        return (
            item.get_closest_marker("airflow") is not None
            or item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1] in XDIST_GROUPS
        )

    heavy_files = {item.nodeid.split("::", 1)[0] for item in items if heavy(item)}
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in heavy_files)  # stable: False first


def xdist_scheduler(config, log):
    """The scheduler for `--dist loadgroup`, grouping by file (xdist_scope), or None for other modes.

    xdist's own `loadgroup` groups by an ``@group`` suffix its workers write into each test's node id,
    which pytest 9.2 no longer honours (pytest-dev/pytest-xdist#1386): the grouped tests were spread as
    if ungrouped, and the browser file started one Airflow stack per worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return FileGroupScheduling(config, log)


def sql(dsn: str, query: str, params=None):
    """Run one parameterized statement in its own transaction; its rows, or None."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def put_observations(dsn: str, source: str, as_of, values: dict[str, int]) -> None:
    """Insert ``source``'s figures of ``as_of`` ({category: cumulative}) into core.observation, revision 1."""
    for category, value in values.items():
        sql(
            dsn,
            "INSERT INTO core.observation (source, as_of, category, cumulative, revision) VALUES (%s, %s, %s, %s, 1)",
            (source, as_of, category, value),
        )


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll ``predicate()`` until it returns something truthy (returned) or ``timeout`` seconds pass (the last,
    falsy, value is returned): a wait on an event, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def cut_snapshot(out: Path, days) -> Path:
    """The given days (ISO strings) of each source, cut from the bundled replay snapshot into ``out``."""
    for name in ("minfin.csv", "mod.csv", "russianwarship.csv", "mod_urls.csv"):
        with (
            open(REPO / "data" / "replay" / name, newline="", encoding="utf-8") as src,
            open(out / name, "w", newline="", encoding="utf-8") as dst,
        ):
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
    proc = subprocess.run(
        [str(VENV_BIN / "attrition"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"attrition {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def dags_test(
    env: dict, dag_id: str, conf: dict | None = None, extra_env: dict | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    """`airflow dags test DAG_ID -c CONF`, as an engineer would run it; output in .stdout (stderr merged)."""
    cmd = [str(VENV_BIN / "airflow"), "dags", "test", dag_id]
    if conf is not None:
        cmd += ["-c", json.dumps(conf)]
    proc = subprocess.run(
        cmd,
        env={**env, **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    log_dir = Path(env["AIRFLOW_HOME"]) / "dags-test-logs"  # the whole output, for a failing test's reader
    log_dir.mkdir(exist_ok=True)
    (log_dir / f"{dag_id}-{len(list(log_dir.iterdir()))}.log").write_text(proc.stdout)
    return proc


def load_dag_folder(tmp_path: Path, per_dag: str) -> dict:
    """Airflow's DagBag over dags/ in a fresh process (its own AIRFLOW_HOME): ``{"errors": {file: error},
    "dags": {dag_id: <per_dag evaluated with d = the DAG>}}`` (``per_dag`` must give JSON-able values)."""
    code = (
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(REPO / 'dags')!r})\n"
        "print(json.dumps({'errors': {k: str(v) for k, v in bag.import_errors.items()},\n"
        f"  'dags': {{d.dag_id: ({per_dag}) for d in bag.dags.values()}}}}))\n"
    )
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    }
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
