"""`attrition db`: the warehouse (embedded or configured): up, down, status, url, migrate, destroy."""

from __future__ import annotations

import argparse
import json
import sys

from etl.cli.common import add_command


def register(sub) -> None:
    db = add_command(
        sub,
        "db",
        _db,
        help="the warehouse: up | down | status | url | migrate",
        description="Manage the warehouse. Without ATTRITION_WAREHOUSE_DSN or AIRFLOW_CONN_WAREHOUSE "
        "the project runs its own PostgreSQL under .local/ on 127.0.0.1.",
    )
    db.add_argument(
        "action",
        choices=list(ACTIONS),
        help="up: start (and create) the embedded cluster and migrate; down: stop it; status: show it; "
        "url: print the DSN; migrate: apply pending migrations and changed view files; destroy: "
        "stop it and delete its data (with --yes)",
    )
    db.add_argument("--yes", action="store_true", help="with destroy: really delete the data")
    db.add_argument("--reader", action="store_true", help="with url: the read-only DSN (role attrition_reader)")


def _db(args: argparse.Namespace) -> int:
    from etl.config import configured_dsn
    from etl.local.embedded import EmbeddedPostgres

    return ACTIONS[args.action](args, EmbeddedPostgres.default(), configured_dsn())


def _up(args: argparse.Namespace, embedded, configured: str | None) -> int:
    if configured:
        from etl.config import redact
        from etl.warehouse.migrate import migrate

        applied = migrate(configured)
        print(f"warehouse is configured ({redact(configured)}); migrations applied: {len(applied)}")
        return 0
    info = embedded.up()
    verb = "reused the running" if info["reused"] else "started the"
    print(f"{verb} embedded warehouse on {info['host']}:{info['port']} (data {info['data_dir']})")
    print(embedded.dsn())
    return 0


def _down(args: argparse.Namespace, embedded, configured: str | None) -> int:
    if configured:
        print("warehouse is configured, not embedded: nothing to stop")
        return 0
    print("stopped the embedded warehouse" if embedded.down() else "the embedded warehouse was not running")
    return 0


def _status(args: argparse.Namespace, embedded, configured: str | None) -> int:
    if configured:
        from etl.config import redact

        print(json.dumps({"warehouse": "configured", "dsn": redact(configured)}, indent=2))
        return 0
    status = {"warehouse": "embedded", **embedded.status()}
    print(json.dumps(status, indent=2))
    return 0 if status["running"] else 3


def _url(args: argparse.Namespace, embedded, configured: str | None) -> int:
    from etl.config import reader_dsn, warehouse_dsn

    dsn = reader_dsn() if args.reader else warehouse_dsn()
    if not dsn:
        print("no reader DSN: set ATTRITION_READER_DSN for a configured warehouse", file=sys.stderr)
        return 2
    print(dsn)
    return 0


def _destroy(args: argparse.Namespace, embedded, configured: str | None) -> int:
    if configured:
        print("warehouse is configured, not embedded: nothing to destroy", file=sys.stderr)
        return 2
    if not args.yes:
        print(f"this deletes the embedded warehouse's data ({embedded.data_dir}); add --yes", file=sys.stderr)
        return 2
    embedded.destroy()
    print(f"stopped and deleted the embedded warehouse ({embedded.data_dir})")
    return 0


def _migrate(args: argparse.Namespace, embedded, configured: str | None) -> int:
    from etl.config import warehouse_dsn
    from etl.warehouse.migrate import migrate

    applied = migrate(configured or warehouse_dsn())
    for name in applied:
        print(f"applied {name}")
    print("warehouse schema is up to date" + ("" if applied else " (nothing to apply)"))
    return 0


ACTIONS = {"up": _up, "down": _down, "status": _status, "url": _url, "migrate": _migrate, "destroy": _destroy}
