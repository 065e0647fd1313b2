"""The background processes of the local stack: started in their own session with a PID file in
.local/run/ and a log in .local/logs/, waited for until ready, stopped with everything below them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from etl.config import local_dir


def run_dir() -> Path:
    path = local_dir() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def venv_bin(name: str) -> str:
    """A console script of the venv running this code (``airflow``, ``attrition``), else ``name`` from PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def descendants(*pids: int) -> set[int]:
    """Every process below ``pids`` (one scan of /proc however many they are)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), list(pids)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def spawn(name: str, cmd: list[str], log_name: str, env: dict | None = None, cwd: str | None = None):
    """Start ``cmd`` in its own session, output to .local/logs/<log_name>, PID in .local/run/<name>.pid."""
    log_path = local_dir() / "logs" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (run_dir() / f"{name}.pid").write_text(str(proc.pid))
    return proc, log_path


def running_pid(name: str) -> int | None:
    """The PID in .local/run/<name>.pid when that process is alive (what `attrition up` started before)."""
    pid_file = run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    return pid if pid_alive(pid) else None


def wait_ready(name: str, label: str, proc, log_path: Path, ready, timeout: float, interval: float):
    """Poll ``ready()`` (a value, or None / an OSError-ish exception while not ready) until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            (run_dir() / f"{name}.pid").unlink(missing_ok=True)
            raise RuntimeError(f"{label} exited with {proc.returncode}; see {log_path}")
        try:
            value = ready()
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            value = None
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"{label} did not become ready within {timeout:.0f} s; see {log_path}")


def stop_pidfile(name: str, sig: int = signal.SIGINT, timeout: float = 30, stall: float = 15) -> bool:
    """Stop the process of .local/run/<name>.pid and every process below it; returns whether it was running.

    ``sig`` first (SIGINT: SIGTERM would orphan airflow standalone's children), then, for whatever is
    left after ``timeout``, or once ``stall`` seconds passed with none of them exiting, SIGTERM and
    SIGKILL.  (Airflow standalone's components stop within seconds of its SIGINT, but its
    dag-processor sometimes outlives the SIGTERM it gets from standalone, which then waits for it:
    such a stop took the whole timeout.)
    """
    pid_file = run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    if not pid_alive(pid):
        pid_file.unlink()
        return False
    family = descendants(pid) | {pid}
    os.kill(pid, sig)
    last_exit = time.monotonic()
    deadline = last_exit + timeout
    alive = {p for p in family if pid_alive(p)}
    while alive and time.monotonic() < deadline and time.monotonic() - last_exit < stall:
        time.sleep(0.5)
        family |= descendants(*alive)
        still = {p for p in family if pid_alive(p)}
        if alive - still:
            last_exit = time.monotonic()
        alive = still
    leftovers = [p for p in family if pid_alive(p)]
    for escalation in (signal.SIGTERM, signal.SIGKILL):
        if not leftovers:
            break
        for p in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, escalation)
        time.sleep(3)
        leftovers = [p for p in leftovers if pid_alive(p)]
    pid_file.unlink(missing_ok=True)
    return True
