"""`attrition up` and `attrition down`: the local stack (etl/local/stack.py)."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    up = sub.add_parser("up", help="start the warehouse and Airflow standalone (what `make up` runs)")
    up.add_argument("--no-airflow", action="store_true", help="start the warehouse only")
    up.add_argument(
        "--no-load", action="store_true", help="start everything but do not run the backfill and losses_daily"
    )
    up.set_defaults(func=_up)

    down = sub.add_parser("down", help="stop what `attrition up` started (what `make down` runs)")
    down.set_defaults(func=_down)


def _up(args: argparse.Namespace) -> int:
    from etl.local import stack

    summary = stack.up(with_airflow=not args.no_airflow, load=not (args.no_load or args.no_airflow))
    stack.print_summary(summary)
    if stack.job_failed(summary):
        print(
            "\nattrition: the main job failed; open the Airflow UI for the failed task's log "
            "(the stack stays up for that; `make down` stops it)",
            file=sys.stderr,
        )
        return 1
    return 0


def _down(args: argparse.Namespace) -> int:
    from etl.local import stack

    result = stack.down()
    print("stopped Airflow" if result["airflow_stopped"] else "Airflow was not running")
    if result["replay_stopped"]:
        print("stopped the replay server")
    if result["mailsink_stopped"]:
        print("stopped the mail sink (its mail stays in .local/mail)")
    print("stopped the embedded warehouse" if result["warehouse_stopped"] else "the embedded warehouse was not running")
    return 0
