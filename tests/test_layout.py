"""The project's layout as its tools see it: Scrapy project, compose file."""

from __future__ import annotations

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
