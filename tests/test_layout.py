"""The project's layout as its tools see it: Scrapy project, compose file."""

from __future__ import annotations

import os
import subprocess

from helpers import REPO, VENV_BIN


def test_scrapy_finds_the_project_settings():
    proc = subprocess.run(
        [str(VENV_BIN / "scrapy"), "settings", "--get", "BOT_NAME"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "attrition"
    listed = subprocess.run([str(VENV_BIN / "scrapy"), "list"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr


def test_docker_compose_file_validates_against_the_compose_spec():
    proc = subprocess.run(
        [
            str(VENV_BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(REPO / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_grouped_test_files_run_on_one_xdist_worker(tmp_path):
    """`make test`'s `--dist loadgroup` (with two workers here; it uses PYTEST_WORKERS, 3) with the suite's
    own conftest.py and helpers.py: every test of a grouped file (helpers.XDIST_GROUPS) runs on one
    worker, the other tests on both; a file with a test
    marked `airflow` starts before the light files collected ahead of it (helpers.heavy_files_first)."""
    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("conftest.py", "helpers.py"):
        (tests / name).write_text((REPO / "tests" / name).read_text())
    body = (
        "import os, pathlib\n"
        "def _seen(name):\n"
        "    pathlib.Path(os.environ['SEEN_DIR'], name).write_text(os.environ['PYTEST_XDIST_WORKER'])\n"
        "    pathlib.Path(os.environ['SEEN_DIR'], name + '.at').write_text(str(__import__('time').time_ns()))\n"
    )
    (tests / "test_a_light.py").write_text(
        body + "".join(f"def test_l{i}():\n    _seen('light-{i}')\n" for i in range(4))
    )
    (tests / "test_z_airflow.py").write_text(
        "import pytest\npytestmark = pytest.mark.airflow\n"
        + body
        + "".join(f"def test_z{i}():\n    _seen('airflow-{i}'); import time; time.sleep(0.3)\n" for i in range(2))
    )
    (tests / "test_browser.py").write_text(
        body + "".join(f"def test_b{i}():\n    _seen('browser-{i}')\n" for i in range(4))
    )
    (tests / "test_other.py").write_text(
        body + "".join(f"def test_o{i}():\n    import time; time.sleep(0.2); _seen('other-{i}')\n" for i in range(8))
    )
    seen = tmp_path / "seen"
    seen.mkdir()
    proc = subprocess.run(
        [str(VENV_BIN / "pytest"), "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        env={**os.environ, "SEEN_DIR": str(seen)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    workers = {p.name: p.read_text() for p in seen.iterdir() if not p.name.endswith(".at")}
    started = {p.name[:-3]: int(p.read_text()) for p in seen.iterdir() if p.name.endswith(".at")}
    assert len(workers) == 18, workers
    first = min(started[n] for n in started if n.startswith("airflow-"))
    assert all(started[n] > first for n in started if n.startswith("light-")), started
    assert len({w for n, w in workers.items() if n.startswith("browser-")}) == 1, workers
    assert len({w for n, w in workers.items() if n.startswith("other-")}) == 2, workers
