"""`attrition review requests | reopen ID`: the records awaiting a person and their Required Actions.

Wire it with ``register(subparsers)`` (the subparsers of the `attrition` parser)."""

from __future__ import annotations

import argparse
import contextlib

from etl.config import ConfigError


def _review(args: argparse.Namespace) -> int:
    from etl.quality import review
    from etl.warehouse.db import connect

    if args.action == "requests":
        with contextlib.closing(connect()) as conn, conn, conn.cursor() as cur:
            rows = review.open_requests(cur)
        if not rows:
            print("no record awaits a person")
            return 0
        for r in rows:
            print(
                f"#{r['id']} {r['source']} {r['category']} {r['as_of']} = {r['cumulative']}: {r['diagnosis']}\n"
                f"    {r['ui_url'] or '(no Required Action yet: the next quarantine_review run opens one)'}"
            )
        print(f"{len(rows)} record(s) awaiting a person")
        return 0
    if args.id is None:
        raise ConfigError("attrition review reopen needs the record's id (see attrition quarantine list --status all)")
    try:
        out = review.reopen(args.id, note=args.note, by=args.by)
    except review.ReviewError as exc:
        raise ConfigError(str(exc)) from None
    print(
        f"quarantine {out['id']}: open again (reopened by {out['reopened_by']}); the next quarantine_review run "
        "opens its Required Action"
    )
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "review",
        help="records awaiting a person: requests | reopen ID",
        description="requests: the records awaiting a person, each with its Required Action in the Airflow UI "
        "(quarantine_review DAG). reopen ID: give a record the gate (or an operator) decided back to "
        "a person.",
    )
    p.add_argument("action", choices=["requests", "reopen"])
    p.add_argument("id", nargs="?", type=int, help="with reopen: the quarantine id")
    p.add_argument("--note", help="with reopen: why")
    p.add_argument("--by", help="with reopen: who (default $ATTRITION_OPERATOR or $USER)")
    p.set_defaults(func=_review)
