"""What several command groups share."""

from __future__ import annotations

import contextlib
import json
import sys


def unreadable(exc, notify: bool = True) -> int:
    """A run that loaded everything but some unreadable documents: its summary, then exit 1 with one
    line per document left out (source: URL: field: problem), no traceback.  Their parse_failure
    alerts are recorded by the pipeline; they are sent here (unless --no-notify)."""
    if notify:
        deliver_quietly()
    print(json.dumps(exc.result.summary(), indent=2, default=str))
    if exc.gate is not None:
        print(exc.gate.summary(), file=sys.stderr)
    print(
        f"attrition: {len(exc.result.failed)} document(s) could not be read; the other {exc.result.documents} "
        "were loaded (the unreadable ones are kept in raw.document, one parse_failure alert each):",
        file=sys.stderr,
    )
    for line in exc.result.failure_lines():
        print(f"attrition: {line}", file=sys.stderr)
    return 1


def deliver_quietly() -> None:
    """Send the pending alerts; a failure to send is not this command's failure."""
    from etl.warehouse.notify import deliver_pending

    with contextlib.suppress(Exception):
        deliver_pending()


def add_command(sub, name: str, func=None, *, help: str, description: str | None = None):
    """The parser of one command (``attrition NAME``, or an action of a group): its help and description,
    run by ``func`` (a group that only holds actions has none)."""
    parser = sub.add_parser(name, help=help, description=description)
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def add_flags(parser, **flags: str) -> None:
    """On/off options, each with its help: ``add_flags(p, no_notify="…")`` adds ``--no-notify``
    (``args.no_notify``, False unless given)."""
    for name, text in flags.items():
        parser.add_argument("--" + name.replace("_", "-"), action="store_true", help=text)


def add_group(sub, name: str, *, help: str, description: str | None = None):
    """A command group (``attrition NAME ACTION …``): returns the subparsers its actions are added to
    (``args.NAME_command`` names the action)."""
    group = add_command(sub, name, help=help, description=description)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")
