"""`attrition backfill`, `rebuild` and `validate`: runs of the pipeline without Airflow."""

from __future__ import annotations

import argparse
import json
import os
import sys

from etl.cli import export
from etl.cli.common import add_command, unreadable
from etl.config import ConfigError


def register(sub) -> None:
    backfill = add_command(
        sub,
        "backfill",
        _backfill,
        help="crawl and load a date range without Airflow",
        description="Crawl the sources over a date range (spiders as subprocesses), archive "
        "the documents, and load every one that parses. Prints the per-source "
        "days and gaps as JSON. A document that cannot be read is left out (kept "
        "in raw, one alert); the exit status is then 1, with one line per such "
        "document. Progress goes to stderr at least every 30 s; a re-run skips "
        "what is already archived.",
    )
    backfill.add_argument("--from", dest="date_from", help="first day (default 2022-02-24)")
    backfill.add_argument("--to", dest="date_to", help="last day (default today, Kyiv)")
    backfill.add_argument("--sources", help="comma-separated: mod,minfin,russianwarship (default all)")
    backfill.add_argument("--replay", action="store_true", help="crawl a replay server started for this run")
    backfill.add_argument("--data", default=None, help="with --replay: snapshot folder (default data/replay)")
    backfill.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    backfill.add_argument(
        "--run-id",
        help="the run id of a stopped backfill to resume: what it archived is "
        "not fetched again (default: a new run id, printed at the start)",
    )

    rebuild = sub.add_parser("rebuild", help="re-parse the whole raw archive, load it and run the quality gate")
    rebuild.add_argument("--sources", help="comma-separated sources (default all)")
    rebuild.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    rebuild.set_defaults(func=_rebuild)

    validate = add_command(
        sub,
        "validate",
        _validate,
        help="run the quality gate over what is loaded; print a summary",
        description="Run the data-quality gate (GX suites, consensus across sources, quarantine, alerts) over the "
        "loaded observations of a date range (default: everything loaded), refresh the marts and "
        "print what it decided. Exit status 1 when a check could not run (nothing changed then).",
    )
    validate.add_argument("--from", dest="date_from", help="first day (default: the first day loaded)")
    validate.add_argument("--to", dest="date_to", help="last day (default: the last day loaded)")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    validate.add_argument(
        "--data-docs",
        action="store_true",
        help="build the Data Docs even when the run has nothing to show (no failed check, no alert): "
        "its pages and those of earlier such runs",
    )


def _backfill(args: argparse.Namespace) -> int:
    import contextlib
    from datetime import date

    from etl.domain.calendar import WAR_START, kyiv_today
    from etl.domain.model import SOURCES
    from etl.losses.ingest import IngestError, backfill
    from etl.warehouse.runlock import new_run_id

    sources = args.sources.split(",") if args.sources else list(SOURCES)
    with contextlib.ExitStack() as stack:
        if args.replay:
            from etl.losses.crawl import replay_env
            from etl.replay.server import ReplayServer

            server = stack.enter_context(ReplayServer(args.data))
            os.environ.update(replay_env(server.urls))
            print(f"replaying {server.data_dir} from {server.base_url}", file=sys.stderr)
        date_to = date.fromisoformat(args.date_to) if args.date_to else kyiv_today()
        date_from = date.fromisoformat(args.date_from) if args.date_from else WAR_START
        run_id = args.run_id or new_run_id("cli-backfill")
        print(
            f"backfill {date_from}..{date_to} ({', '.join(sources)}), run {run_id}; if it is stopped, "
            f"`attrition backfill ... --run-id {run_id}` resumes it, skipping what it archived",
            file=sys.stderr,
        )
        try:
            result, gate = backfill(date_from, date_to, sources, notify=not args.no_notify, run_id=run_id)
        except IngestError as exc:
            return unreadable(exc, notify=not args.no_notify)
    return _loaded(result, gate)


def _loaded(result, gate) -> int:
    """After a run that loaded everything: its summary (stdout), the gate's (stderr), then the exports."""
    print(json.dumps(result.summary(), indent=2, default=str))
    print(gate.summary(), file=sys.stderr)
    export.after_gate()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from etl.losses.ingest import IngestError, rebuild

    try:
        result, gate = rebuild(sources=args.sources.split(",") if args.sources else None, notify=not args.no_notify)
    except IngestError as exc:
        return unreadable(exc, notify=not args.no_notify)
    return _loaded(result, gate)


def _validate(args: argparse.Namespace) -> int:
    from datetime import date

    from etl.quality.gate import validate

    try:
        date_from = date.fromisoformat(args.date_from) if args.date_from else None
        date_to = date.fromisoformat(args.date_to) if args.date_to else None
    except ValueError as exc:
        raise ConfigError(f"--from / --to must be dates like 2024-12-10: {exc}") from None
    result = validate(
        date_from=date_from,
        date_to=date_to,
        notify=not args.no_notify,
        run_id=f"cli-validate-{os.getpid()}",
        data_docs=args.data_docs,
    )
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.summary())
    export.after_gate()
    return 0
