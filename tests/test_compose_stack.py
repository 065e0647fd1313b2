"""The Docker Compose stack brought up for real (issue 15; `make compose-test`, part of `make test`).

docker-compose.yml + docker-compose.test.yml on this machine, no image registry: the images are built on
a Debian bookworm base made with debootstrap (docker/base/build-debian-base.sh, docker/build-offline.sh),
every container on host networking with its service on 127.0.0.1, CeleryExecutor with Redis and two
workers, the project's own mail sink and the replay server as the three sources. One `losses_backfill`
run over three months, then: the marts, the UI's health endpoint, the quarantine alert in the mail sink,
and the scrape tasks of that one run on both workers. Everything is brought down with its volumes.

Needs root and apt (docker.io, docker-compose and debootstrap are installed when missing; dockerd is
started with --bridge=none --iptables=false when none runs, and stopped afterwards only then). Skipped
with the reason where that is not so; fails instead when CI is set.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "attrition-test"
TAG = "offline"
BASE_IMAGE = "attrition-debian:bookworm"
PORTS = {
    "postgres": 27432,
    "redis": 27379,
    "api-server": 27080,
    "scheduler health": 27974,
    "worker-1 logs": 27793,
    "worker-2 logs": 27794,
    "triggerer logs": 27795,
    "replay": 27090,
    "mail sink": 27025,
    "data docs": 27081,
}
BACKFILL = {"date_from": "2024-10-01", "date_to": "2024-12-31"}  # has minfin's typo of 2024-12-10
APT_TOOLS = {"dockerd": "docker.io", "docker-compose": "docker-compose", "debootstrap": "debootstrap"}


def log(message: str) -> None:
    print(f"\ncompose-test: {message}", end="", flush=True)


def cannot_run(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and the compose stack cannot run here: {reason}")
    pytest.skip(reason)


def links() -> list[str]:
    return sorted(p.name for p in Path("/sys/class/net").iterdir())


def docker_up() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0 if shutil.which("docker") else False


@pytest.fixture(scope="module")
def docker():
    if sys.platform != "linux" or os.geteuid() != 0:
        cannot_run("needs root on Linux (installs docker.io with apt and runs dockerd)")
    missing = [pkg for tool, pkg in APT_TOOLS.items() if not shutil.which(tool)]
    if missing:
        if not shutil.which("apt-get"):
            cannot_run(f"{', '.join(missing)} missing and no apt-get to install them")
        log(f"apt-get install {' '.join(missing)} ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            done = subprocess.run(
                ["apt-get", "install", "-y", "-qq", *missing], env=env, capture_output=True, text=True
            )
        if done.returncode != 0:
            cannot_run(f"apt-get install {' '.join(missing)} failed: {done.stderr.strip()[-300:]}")
    before = links()
    daemon = None
    if not docker_up():
        logfile = open(f"/var/tmp/{PROJECT}-dockerd.log", "w")
        log("no dockerd runs: starting dockerd --bridge=none --iptables=false")
        daemon = subprocess.Popen(
            ["dockerd", "--bridge=none", "--iptables=false"],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(120):
            if docker_up() or daemon.poll() is not None:
                break
            time.sleep(0.5)
        if not docker_up():
            daemon.terminate()
            cannot_run(f"dockerd did not start; see /var/tmp/{PROJECT}-dockerd.log")
    else:
        log("a dockerd runs already: using it (and leaving it running)")
    yield
    if daemon is not None:
        log("stopping the dockerd this test started")
        daemon.terminate()
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    after = links()
    assert after == before, f"network interfaces changed: {before} -> {after}"
    log(f"network interfaces unchanged: {', '.join(after)}")


def run(cmd: list[str], timeout: float = 900, check: bool = True, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def write_env(path: Path) -> dict:
    pw = {
        name: secrets.token_hex(16)
        for name in (
            "POSTGRES_PASSWORD",
            "AIRFLOW_DB_PASSWORD",
            "WAREHOUSE_PASSWORD",
            "WAREHOUSE_READER_PASSWORD",
            "AIRFLOW_ADMIN_PASSWORD",
        )
    }
    pg = f"127.0.0.1:{PORTS['postgres']}"
    env = {
        **pw,
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_EXECUTOR": "CeleryExecutor",
        "AIRFLOW_DAGS_PAUSED_AT_CREATION": "True",
        "AIRFLOW_DATABASE_URL": f"postgresql+psycopg2://airflow:{pw['AIRFLOW_DB_PASSWORD']}@{pg}/airflow",
        "AIRFLOW_CELERY_RESULT_BACKEND": f"db+postgresql+psycopg2://airflow:{pw['AIRFLOW_DB_PASSWORD']}@{pg}/airflow",
        "AIRFLOW_CONN_WAREHOUSE": f"postgresql://attrition:{pw['WAREHOUSE_PASSWORD']}@{pg}/attrition",
        "ATTRITION_READER_DSN": f"postgresql://attrition_reader:{pw['WAREHOUSE_READER_PASSWORD']}@{pg}/attrition",
        "AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://127.0.0.1:{PORTS['mail sink']}?disable_ssl=true&disable_tls=true",
        "ATTRITION_AIRFLOW_URL": f"http://127.0.0.1:{PORTS['api-server']}",
        "ATTRITION_DATA_DOCS_URL": f"http://127.0.0.1:{PORTS['data docs']}",
        "ATTRITION_IMAGE": f"attrition:{TAG}",
        "ATTRITION_POSTGRES_IMAGE": f"attrition-postgres:{TAG}",
        "ATTRITION_REDIS_IMAGE": f"attrition-redis:{TAG}",
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    path.chmod(0o600)
    return env


def states(compose: list[str]) -> dict[str, tuple[str, str, int]]:
    ids = run(compose + ["ps", "-a", "-q"]).stdout.split()
    if not ids:
        return {}
    fmt = (
        '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} '
        "{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}}"
    )
    out = {}
    for line in run(["docker", "inspect", "--format", fmt, *ids]).stdout.splitlines():
        name, status, health, code = line.split()
        out[name] = (status, health, int(code))
    return out


def wait_healthy(compose: list[str], services: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        now = states(compose)
        pending = []
        for name in services:
            status, health, code = now.get(name, ("absent", "-", 0))
            if name == "airflow-init":
                if status == "exited" and code != 0:
                    raise AssertionError(f"airflow-init exited {code}")
                if status != "exited":
                    pending.append(f"{name}={status}")
            elif status == "exited":
                raise AssertionError(f"{name} exited {code}")
            elif health != "healthy":
                pending.append(f"{name}={status}/{health}")
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}")
        time.sleep(3)


def api(method: str, path: str, body: dict, headers: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORTS['api-server']}{path}",
        method=method,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from None


def query(dsn: str, sql: str, params=()) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(dsn, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.mark.compose
def test_compose_stack_backfills_over_replay_with_two_celery_workers(docker, tmp_path):
    started = time.monotonic()
    busy = [f"{what} {port}" for what, port in PORTS.items() if not port_free(port)]
    assert not busy, f"ports in use on 127.0.0.1 (the test stack needs them): {', '.join(busy)}"

    run([str(ROOT / "docker/base/build-debian-base.sh"), BASE_IMAGE], timeout=900)
    built = run(
        [str(ROOT / "docker/build-offline.sh")],
        timeout=1200,
        env={**os.environ, "BASE_IMAGE": BASE_IMAGE, "ATTRITION_TEST_TAG": TAG},
    )
    log(built.stdout.strip().replace("\n", "\ncompose-test: "))
    log(f"images ready after {time.monotonic() - started:.0f}s")

    merged = tmp_path / "docker-compose.merged.yml"
    env = write_env(tmp_path / ".env")
    rendered = run(
        [
            sys.executable,
            str(ROOT / "docker/compose_render.py"),
            "--env-file",
            str(tmp_path / ".env"),
            str(ROOT / "docker-compose.yml"),
            str(ROOT / "docker-compose.test.yml"),
        ]
    )
    merged.write_text(rendered.stdout)
    compose = ["docker-compose", "--no-ansi", "-p", PROJECT, "--env-file", str(tmp_path / ".env"), "-f", str(merged)]
    services = run(compose + ["config", "--services"]).stdout.split()
    pg = f"127.0.0.1:{PORTS['postgres']}"
    airflow_db = f"postgresql://airflow:{env['AIRFLOW_DB_PASSWORD']}@{pg}/airflow"
    warehouse = f"postgresql://attrition:{env['WAREHOUSE_PASSWORD']}@{pg}/attrition"
    try:
        for attempt in (1, 2, 3):
            # docker-compose 1.29 gives up on a dependency it sees unhealthy once; say which, and retry
            up = run(compose + ["up", "-d", "--no-build"], timeout=600, check=attempt == 3)
            if up.returncode == 0:
                break
            log(f"docker-compose up exited {up.returncode} (attempt {attempt}): {up.stderr.strip()[-300:]}")
            for name, (_status, health, _) in states(compose).items():
                if health == "unhealthy":
                    ids = run(compose + ["ps", "-q", name]).stdout.split()
                    checks = run(
                        ["docker", "inspect", "--format", "{{json .State.Health.Log}}", *ids], check=False
                    ).stdout
                    log(f"{name} unhealthy: {checks[-600:]}")
            time.sleep(5)
        wait_healthy(compose, services, timeout=600)
        log(f"all {len(services)} services healthy after {time.monotonic() - started:.0f}s: {', '.join(services)}")

        # the DAG parsed by the dag-processor, then one backfill run over three months
        deadline = time.monotonic() + 180
        while not query(airflow_db, "SELECT 1 FROM dag WHERE dag_id = 'losses_backfill'"):
            assert time.monotonic() < deadline, "losses_backfill never reached the metadata database"
            time.sleep(2)
        # through the REST API, as the admin of .env: unpause losses_backfill (every DAG starts paused
        # here, so no scheduled run competes for the workers) and trigger one run
        token = api("POST", "/auth/token", {"username": "admin", "password": env["AIRFLOW_ADMIN_PASSWORD"]})
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        api("PATCH", "/api/v2/dags/losses_backfill", {"is_paused": False}, auth)
        run_id = api("POST", "/api/v2/dags/losses_backfill/dagRuns", {"logical_date": None, "conf": BACKFILL}, auth)[
            "dag_run_id"
        ]
        log(f"triggered losses_backfill {run_id} over {BACKFILL['date_from']}..{BACKFILL['date_to']}")
        deadline = time.monotonic() + 600
        while True:
            [(state,)] = query(airflow_db, "SELECT state FROM dag_run WHERE run_id = %s", (run_id,))
            if state in ("success", "failed"):
                break
            assert time.monotonic() < deadline, f"losses_backfill still {state} after 600s"
            time.sleep(3)
        tis = query(
            airflow_db,
            "SELECT task_id, state, hostname, queue FROM task_instance "
            "WHERE dag_id = 'losses_backfill' AND run_id = %s ORDER BY task_id",
            (run_id,),
        )
        for task_id, ti_state, host, queue in tis:
            log(f"task {task_id:<22} {ti_state:<8} on {host} (queue {queue})")
        assert state == "success", f"losses_backfill {run_id} ended {state}: {tis}"
        scrape_hosts = {host for task_id, _, host, _ in tis if task_id.startswith("scrape_")}
        assert scrape_hosts == {"attrition-worker-1", "attrition-worker-2"}, scrape_hosts
        log(f"the scrape tasks of {run_id} ran on both workers: {', '.join(sorted(scrape_hosts))}")

        # the warehouse's marts (as the read-only role the analysts use) and the quarantine
        [(days, first, last)] = query(
            env["ATTRITION_READER_DSN"],
            "SELECT count(*), min(as_of)::text, max(as_of)::text FROM mart.daily_losses WHERE as_of BETWEEN %s AND %s",
            (BACKFILL["date_from"], BACKFILL["date_to"]),
        )
        assert days >= 85 and first == BACKFILL["date_from"] and last == BACKFILL["date_to"], (days, first, last)
        assert query(
            env["ATTRITION_READER_DSN"], "SELECT vehicles_fuel_tanks FROM mart.daily_losses WHERE as_of = '2024-12-10'"
        ) == [(31037,)]
        assert query(
            warehouse,
            "SELECT source, diagnosis FROM quality.quarantine WHERE as_of = '2024-12-10' "
            "AND category = 'vehicles_fuel_tanks'",
        ) == [("minfin", "spike_before")]
        log(f"mart.daily_losses: {days} days {first}..{last}; minfin's 31937 of 2024-12-10 quarantined")

        # the UI's health endpoint
        with urllib.request.urlopen(f"http://127.0.0.1:{PORTS['api-server']}/api/v2/monitor/health", timeout=30) as r:
            health = json.load(r)
        assert health["metadatabase"]["status"] == "healthy", health
        assert health["scheduler"]["status"] == "healthy", health
        log(f"api-server health: {json.dumps(health)}")

        # the quarantine alert in the mail sink
        mail = run(
            compose
            + [
                "exec",
                "-T",
                "mailsink",
                "attrition",
                "mailsink",
                "show",
                "--last",
                "5",
                "--dir",
                "/opt/attrition/.local/mail",
            ],
            timeout=120,
        ).stdout
        assert "31937" in mail and "vehicles_fuel_tanks" in mail and "minfin" in mail, mail[-3000:]
        log("the quarantine alert (minfin vehicles_fuel_tanks 2024-12-10 = 31937) reached the mail sink")
    except BaseException:
        logs = run(compose + ["logs", "--no-color", "--tail", "40"], check=False, timeout=120)
        print(logs.stdout[-20000:])
        raise
    finally:
        run(compose + ["down", "-v", "--remove-orphans", "--timeout", "5"], check=False, timeout=300)
        left = run(
            ["docker", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"]
        ).stdout.split()
        volumes = run(
            ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"]
        ).stdout.split()
        assert not left and not volumes, f"left behind: containers {left}, volumes {volumes}"
        log(f"brought down; no container or volume left; {time.monotonic() - started:.0f}s in all")


# --- what needs no Docker: the merged file of the test stack, the build arguments of the images ---


def load_render():
    import importlib.util

    spec = importlib.util.spec_from_file_location("compose_render", ROOT / "docker" / "compose_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_merged_test_stack_is_on_host_networking_with_two_workers_on_per_source_queues():
    import yaml

    render = load_render()
    main = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    override = yaml.safe_load((ROOT / "docker-compose.test.yml").read_text())
    merged = render.render(main, override)
    services = merged["services"]
    assert "name" not in merged and not {"mailpit", "flower"} & set(services)
    assert {"redis", "airflow-worker", "airflow-worker-2", "mailsink", "replay"} <= set(services)
    for name, service in services.items():
        assert service.get("network_mode") == "host", name
        assert "ports" not in service and "build" not in service and "profiles" not in service, name
        for other, condition in (service.get("depends_on") or {}).items():
            assert other in services and "required" not in condition, (name, other)
    queues = {name: services[name]["command"][-1].split(",") for name in ("airflow-worker", "airflow-worker-2")}
    sources = ("mod", "minfin", "russianwarship")
    assert sorted(q for qs in queues.values() for q in qs if q.startswith("scrape_")) == sorted(
        f"scrape_{s}" for s in sources
    )
    assert all("default" in qs and any(q.startswith("scrape_") for q in qs) for qs in queues.values())
    assert services["airflow-worker-2"]["hostname"] != services["airflow-worker"]["hostname"]
    assert services["airflow-worker-2"]["image"] == services["airflow-worker"]["image"]
    for name in ("airflow-worker", "airflow-worker-2"):
        env = services[name]["environment"]
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://127.0.0.1:")
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://127.0.0.1:")
    ports = [
        services[n]["environment"]["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"]
        for n in ("airflow-worker", "airflow-worker-2")
    ]
    assert len(set(ports)) == 2


def test_variables_are_substituted_like_compose_v2_nested_defaults_included():
    render = load_render()
    env = {"A": "a", "EMPTY": "", "PW": "s3cret"}
    assert render.substitute("${MISSING:-postgresql://u:${PW}@h:5432/db}", env) == "postgresql://u:s3cret@h:5432/db"
    assert render.substitute("${A:-x${PW}y}", env) == "a"
    assert render.substitute("${EMPTY:-d}|${EMPTY-d}|${MISSING-d}", env) == "d||d"
    assert render.substitute("curl http://127.0.0.1:$${PORT}/", env) == "curl http://127.0.0.1:$${PORT}/"
    with pytest.raises(ValueError, match="PW2: set it"):
        render.substitute("${PW2:?set it}", env)


def test_the_images_take_the_base_as_a_build_argument_with_the_public_images_by_default():
    import re

    for dockerfile, public in (
        ("docker/Dockerfile", "python:3.11-slim-bookworm"),
        ("docker/postgres/Dockerfile", "postgres:16-bookworm"),
        ("docker/redis/Dockerfile", "redis:7.2-bookworm"),
    ):
        text = (ROOT / dockerfile).read_text()
        assert re.search(rf"^ARG BASE_IMAGE={re.escape(public)}$", text, re.M), dockerfile
        assert re.findall(r"^FROM .*$", text, re.M) == ["FROM ${BASE_IMAGE}"], dockerfile
