"""The `attrition` command.

One module per command group, each with ``register(sub)`` adding its subcommands and handlers
(``set_defaults(func=...)``); a new group is a new module and one line in ``COMMANDS``.
Heavy modules (psycopg2, Airflow, GX, Scrapy) are imported inside the commands
that need them, so `attrition --help` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys

from etl.cli import chart, db, export, parse, quarantine, replay, review, runs, sources, stack
from etl.cli.common import deliver_quietly as _deliver_quietly
from etl.errors import AttritionError
from etl.local import mailsink
from etl.news import cli as claims
from etl.warehouse import notify
from etl.warehouse.run_ref import RunRef

# The command groups, in the order `attrition --help` lists them.
COMMANDS = (db, stack, parse, replay, runs, quarantine, review, sources, mailsink, notify, claims, chart, export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attrition",
        description="Scrape the General Staff's daily loss bulletins into a validated PostgreSQL warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMANDS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; any failure ends in one line on stderr (exit 1, or 2 for a bad input or setting),
    never a traceback, and a failed run (backfill, rebuild, validate, ...) raises an alert (etl.warehouse.failures)."""
    try:
        args = build_parser().parse_args(argv)
    except AttritionError as exc:  # a setting read while building the parser
        print(f"attrition: {exc.summary()}", file=sys.stderr)
        return exc.exit_code
    try:
        return args.func(args)
    except BrokenPipeError:  # `attrition parse ... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("attrition: interrupted; nothing of an unfinished transaction was committed", file=sys.stderr)
        return 130
    except (AttritionError, Exception) as exc:  # noqa: BLE001 - ours (one root), or unexpected: one line, no traceback
        from etl.warehouse import failures

        line, code = failures.describe(exc)
        note = ""
        if args.command in failures.ALERTING_COMMANDS and code == 1 and not _alerted_elsewhere(exc):
            try:
                note = failures.alert_failure(
                    exc, where=f"attrition {args.command}", run=RunRef(notify=not getattr(args, "no_notify", False))
                )
            except Exception as err:  # noqa: BLE001 - never hide the failure behind its alert's
                note = f"the alert could not be raised: {err}"
        elif args.command in failures.ALERTING_COMMANDS and code == 1 and not getattr(args, "no_notify", False):
            _deliver_quietly()  # e.g. parse failures: recorded by the pipeline, sent here
        print(f"attrition: {line}" + (f" [{note}]" if note else ""), file=sys.stderr)
        return code


def _alerted_elsewhere(exc: BaseException) -> bool:
    """Failures whose alert the pipeline or the gate records itself (one alert per incident)."""
    from etl.losses.ingest import IngestError
    from etl.quality.gate import GateError

    return isinstance(exc, (IngestError, GateError))


if __name__ == "__main__":
    sys.exit(main())
