"""`attrition quarantine`: review the records the quality gate kept out."""

from __future__ import annotations

import argparse
import json

from etl.cli.common import add_command
from etl.config import ConfigError
from etl.warehouse.run_ref import RunRef


def register(sub) -> None:
    quarantine = add_command(
        sub,
        "quarantine",
        _quarantine,
        help="records the quality gate kept out: list | show ID | accept ID | reject ID",
        description="Review quarantined records. accept: the value is right (a decrease becomes an operator "
        "correction); reject: keep it out for good. Either re-runs the gate over the record's day.",
    )
    quarantine.add_argument("action", choices=["list", "show", "accept", "reject"])
    quarantine.add_argument("id", nargs="?", type=int, help="quarantine id (from list)")
    quarantine.add_argument(
        "--status", default="open", help="with list: open (default), accepted, rejected, resolved or all"
    )
    quarantine.add_argument("--limit", type=int, default=100, help="with list: at most this many (default 100)")
    quarantine.add_argument("--note", help="with accept/reject: why (kept with the decision)")
    quarantine.add_argument("--by", help="with accept/reject: who decides (default $ATTRITION_OPERATOR or $USER)")
    quarantine.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")


def _quarantine(args: argparse.Namespace) -> int:
    from etl.quality import review

    if args.action == "list":
        rows = review.list_records(status=args.status, limit=args.limit)
        if not rows:
            print(f"no {args.status if args.status != 'all' else ''} quarantined records".replace("  ", " "))
            return 0
        print(
            f"{'id':>6}  {'status':<9} {'as_of':<10} {'category':<20} {'source':<15} {'value':>9}  "
            f"{'diagnosis':<19} why"
        )
        for r in rows:
            print(
                f"{r['id']:>6}  {r['status']:<9} {r['as_of']!s:<10} {r['category']:<20} {r['source']:<15} "
                f"{r['cumulative']:>9}  {r['diagnosis']:<19} {(r['evidence'] or {}).get('why', '')}"
            )
        return 0
    if args.id is None:
        raise ConfigError(f"attrition quarantine {args.action} needs the record's id (see attrition quarantine list)")
    try:
        if args.action == "show":
            print(json.dumps(review.show(args.id), indent=2, ensure_ascii=False))
            return 0
        outcome = review.decide(args.id, args.action, note=args.note, by=args.by, run=RunRef(notify=not args.no_notify))
    except review.ReviewError as exc:
        raise ConfigError(str(exc)) from None
    print(
        f"quarantine {outcome['id']} ({outcome['source']} {outcome['category']} {outcome['as_of']} = "
        f"{outcome['cumulative']}): {outcome['status']} by {outcome['decided_by']}"
        + (
            f"; recorded as an operator correction ({outcome['correction']['delta']:+d})"
            if outcome["correction"]
            else ""
        )
    )
    print(outcome["gate"].summary())
    return 0
