"""Figures measured outside ``make bench`` and recorded for it: the wall time of ``make test``.

``make test`` (the whole suite, no ``PYTEST_ARGS``) calls ``python benchmarks/recorded.py make-test
SECONDS STATUS`` after its first pytest run (everything but the Compose test); the figure lands in
``.local/bench/make-test.json`` with the day, the cores and the load average, and ``make bench`` prints
the last one in its issue-16 table (running the suite from the benchmark would take as long as the
suite).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TEST_WORDING = "`make test` apart from the Compose test (last recorded run)"
TEST_TARGET = 480.0


def _path() -> Path:
    from etl.config import local_dir

    return local_dir() / "bench" / "make-test.json"


# where the user's runs record it, fixed when imported: make bench then points ATTRITION_LOCAL_DIR at
# the temporary folders of its own warehouses
RECORD = _path()


def record_suite_time(seconds: int, status: int) -> Path:
    path = RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    path.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "status": status,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "cores": os.cpu_count(),
                "load_15min_at_end": round(load[2], 1),
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def suite_time_figures() -> list[tuple[str, float | None, float]]:
    """[(wording, seconds or None, target)] for the issue-16 table."""
    path = RECORD
    if not path.exists():
        return [(f"{TEST_WORDING}: none recorded yet (run make test)", None, TEST_TARGET)]
    rec = json.loads(path.read_text(encoding="utf-8"))
    outcome = "passed" if rec["status"] == 0 else f"exit status {rec['status']}"
    wording = (
        f"{TEST_WORDING}: {rec['at']}, {rec['cores']} cores, 15-min load {rec['load_15min_at_end']} at its end, "
        f"{outcome}"
    )
    return [(wording, float(rec["seconds"]), TEST_TARGET)]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "make-test" or not (argv[1].isdigit() and argv[2].isdigit()):
        print("usage: python benchmarks/recorded.py make-test SECONDS STATUS", file=sys.stderr)
        return 2
    print(f"make test: {argv[1]} s recorded in {record_suite_time(int(argv[1]), int(argv[2]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
