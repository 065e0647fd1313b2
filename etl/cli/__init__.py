"""The `attrition` command.

Heavy modules (psycopg2, Airflow, GX, Scrapy) are imported inside the commands
that need them, so `attrition --help` answers at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from etl.cli import export
from etl.config import ConfigError
from etl.domain.model import SOURCES


def _db(args: argparse.Namespace) -> int:
    from etl.config import configured_dsn, reader_dsn, redact, warehouse_dsn
    from etl.local.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres.default()
    configured = configured_dsn()
    if args.action == "up":
        if configured:
            from etl.warehouse.migrate import migrate

            applied = migrate(configured)
            print(f"warehouse is configured ({redact(configured)}); migrations applied: {len(applied)}")
            return 0
        info = embedded.up()
        verb = "reused the running" if info["reused"] else "started the"
        print(f"{verb} embedded warehouse on {info['host']}:{info['port']} (data {info['data_dir']})")
        print(embedded.dsn())
        return 0
    if args.action == "down":
        if configured:
            print("warehouse is configured, not embedded: nothing to stop")
            return 0
        print("stopped the embedded warehouse" if embedded.down() else "the embedded warehouse was not running")
        return 0
    if args.action == "status":
        if configured:
            print(json.dumps({"warehouse": "configured", "dsn": redact(configured)}, indent=2))
            return 0
        status = {"warehouse": "embedded", **embedded.status()}
        print(json.dumps(status, indent=2))
        return 0 if status["running"] else 3
    if args.action == "url":
        dsn = reader_dsn() if args.reader else warehouse_dsn()
        if not dsn:
            print("no reader DSN: set ATTRITION_READER_DSN for a configured warehouse", file=sys.stderr)
            return 2
        print(dsn)
        return 0
    if args.action == "destroy":
        if configured:
            print("warehouse is configured, not embedded: nothing to destroy", file=sys.stderr)
            return 2
        if not args.yes:
            print(f"this deletes the embedded warehouse's data ({embedded.data_dir}); add --yes", file=sys.stderr)
            return 2
        embedded.destroy()
        print(f"stopped and deleted the embedded warehouse ({embedded.data_dir})")
        return 0
    if args.action == "migrate":
        from etl.warehouse.migrate import migrate

        applied = migrate(configured or warehouse_dsn())
        for name in applied:
            print(f"applied {name}")
        print("warehouse schema is up to date" + ("" if applied else " (nothing to apply)"))
        return 0
    raise AssertionError(args.action)


def _up(args: argparse.Namespace) -> int:
    from etl.local import stack

    summary = stack.up(with_airflow=not args.no_airflow, load=not (args.no_load or args.no_airflow))
    stack.print_summary(summary)
    if stack.job_failed(summary):
        print("\nattrition: the main job failed; open the Airflow UI for the failed task's log "
              "(the stack stays up for that; `make down` stops it)", file=sys.stderr)
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


def _parse(args: argparse.Namespace) -> int:
    from pathlib import Path

    from etl.domain.model import ParseError
    from etl.losses.parsers import parse_document

    failed = 0
    for name in args.files:
        path = Path(name)
        url = args.url or path.resolve().as_uri()
        try:
            observations = parse_document(args.source, path.read_bytes(), url, args.content_type)
        except ParseError as exc:
            print(f"attrition: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"attrition: {name}: {exc.strerror}", file=sys.stderr)
            failed += 1
            continue
        for obs in observations:
            print(json.dumps(obs.to_json(), ensure_ascii=False))
        from etl.losses.source_keys import new_keys_of

        for key in new_keys_of(args.source, path.read_bytes(), url, args.content_type):
            print(f"attrition: {args.source}: {url}: new key {key.key!r} ({key.first_day}..{key.last_day}): "
                  + (f"read as {key.category}" if key.category else "read past, not stored"), file=sys.stderr)
    return 1 if failed else 0


def _replay(args: argparse.Namespace) -> int:
    from etl.replay.server import serve

    serve(args.data, port=args.port)
    return 0


def _backfill(args: argparse.Namespace) -> int:
    import contextlib
    from datetime import date

    from etl.losses.ingest import SOURCES, WAR_START, IngestError, backfill, kyiv_today
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
        print(f"backfill {date_from}..{date_to} ({', '.join(sources)}), run {run_id}; if it is stopped, "
              f"`attrition backfill ... --run-id {run_id}` resumes it, skipping what it archived", file=sys.stderr)
        try:
            result, gate = backfill(date_from, date_to, sources, notify=not args.no_notify, run_id=run_id)
        except IngestError as exc:
            return _unreadable(exc, notify=not args.no_notify)
    print(json.dumps(result.summary(), indent=2, default=str))
    print(gate.summary(), file=sys.stderr)
    export.after_gate()
    return 0


def _unreadable(exc, notify: bool = True) -> int:
    """A run that loaded everything but some unreadable documents: its summary, then exit 1 with one
    line per document left out (source: URL: field: problem), no traceback.  Their parse_failure
    alerts are recorded by the pipeline; they are sent here (unless --no-notify)."""
    if notify:
        _deliver_quietly()
    print(json.dumps(exc.result.summary(), indent=2, default=str))
    if exc.gate is not None:
        print(exc.gate.summary(), file=sys.stderr)
    print(f"attrition: {len(exc.result.failed)} document(s) could not be read; the other {exc.result.documents} "
          "were loaded (the unreadable ones are kept in raw.document, one parse_failure alert each):",
          file=sys.stderr)
    for line in exc.result.failure_lines():
        print(f"attrition: {line}", file=sys.stderr)
    return 1


def _rebuild(args: argparse.Namespace) -> int:
    from etl.losses.ingest import IngestError, rebuild

    try:
        result, gate = rebuild(sources=args.sources.split(",") if args.sources else None, notify=not args.no_notify)
    except IngestError as exc:
        return _unreadable(exc, notify=not args.no_notify)
    print(json.dumps(result.summary(), indent=2, default=str))
    print(gate.summary(), file=sys.stderr)
    export.after_gate()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from datetime import date

    from etl.quality.gate import validate

    try:
        date_from = date.fromisoformat(args.date_from) if args.date_from else None
        date_to = date.fromisoformat(args.date_to) if args.date_to else None
    except ValueError as exc:
        raise ConfigError(f"--from / --to must be dates like 2024-12-10: {exc}") from None
    result = validate(date_from=date_from, date_to=date_to, notify=not args.no_notify,
                      run_id=f"cli-validate-{os.getpid()}")
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.summary())
    export.after_gate()
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    from etl.quality import review

    if args.action == "list":
        rows = review.list_records(status=args.status, limit=args.limit)
        if not rows:
            print(f"no {args.status if args.status != 'all' else ''} quarantined records".replace("  ", " "))
            return 0
        print(f"{'id':>6}  {'status':<9} {'as_of':<10} {'category':<20} {'source':<15} {'value':>9}  "
              f"{'diagnosis':<19} why")
        for r in rows:
            print(f"{r['id']:>6}  {r['status']:<9} {r['as_of']!s:<10} {r['category']:<20} {r['source']:<15} "
                  f"{r['cumulative']:>9}  {r['diagnosis']:<19} {(r['evidence'] or {}).get('why', '')}")
        return 0
    if args.id is None:
        raise ConfigError(f"attrition quarantine {args.action} needs the record's id (see attrition quarantine list)")
    try:
        if args.action == "show":
            print(json.dumps(review.show(args.id), indent=2, ensure_ascii=False))
            return 0
        outcome = review.decide(args.id, args.action, note=args.note, by=args.by, notify=not args.no_notify)
    except review.ReviewError as exc:
        raise ConfigError(str(exc)) from None
    print(f"quarantine {outcome['id']} ({outcome['source']} {outcome['category']} {outcome['as_of']} = "
          f"{outcome['cumulative']}): {outcome['status']} by {outcome['decided_by']}"
          + (f"; recorded as an operator correction ({outcome['correction']['delta']:+d})"
             if outcome["correction"] else ""))
    print(outcome["gate"].summary())
    return 0


def _sources(args: argparse.Namespace) -> int:
    import contextlib
    from datetime import datetime, timezone

    from etl.losses.sources_check import apply_replay_fault, check

    if args.fault and not args.replay:
        raise ConfigError("--fault needs --replay (faults are the replay's)")
    run_id = f"cli-sources-check-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}"
    with contextlib.ExitStack() as stack:
        base_urls = None
        if args.replay:
            from etl.losses.crawl import replay_env
            from etl.replay.server import ReplayServer

            server = stack.enter_context(ReplayServer(args.data))
            try:
                for name in args.fault or []:
                    apply_replay_fault(server, name)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
            os.environ.update(replay_env(server.urls))
            base_urls = server.urls
            print(f"checking the replay of {server.data_dir} at {server.base_url}", file=sys.stderr)
        result = check(run_id=run_id, mode="replay" if args.replay else "live", base_urls=base_urls,
                       sources=args.sources.split(",") if args.sources else None, strict=args.strict,
                       notify=not args.no_notify)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.report())
    for failed in result.failures:
        print(f"attrition: sources check: {failed.source} {failed.status}: {failed.problem or 'figures differ'}",
              file=sys.stderr)
    return 0 if result.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attrition",
        description="Scrape the General Staff's daily loss bulletins into a validated PostgreSQL warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="the warehouse: up | down | status | url | migrate",
                        description="Manage the warehouse. Without ATTRITION_WAREHOUSE_DSN or AIRFLOW_CONN_WAREHOUSE "
                                    "the project runs its own PostgreSQL under .local/ on 127.0.0.1.")
    db.add_argument("action", choices=["up", "down", "status", "url", "migrate", "destroy"],
                    help="up: start (and create) the embedded cluster and migrate; down: stop it; status: show it; "
                         "url: print the DSN; migrate: apply pending migrations; destroy: stop it and delete its "
                         "data (with --yes)")
    db.add_argument("--yes", action="store_true", help="with destroy: really delete the data")
    db.add_argument("--reader", action="store_true", help="with url: the read-only DSN (role attrition_reader)")
    db.set_defaults(func=_db)

    up = sub.add_parser("up", help="start the warehouse and Airflow standalone (what `make up` runs)")
    up.add_argument("--no-airflow", action="store_true", help="start the warehouse only")
    up.add_argument("--no-load", action="store_true",
                    help="start everything but do not run the backfill and losses_daily")
    up.set_defaults(func=_up)

    parse = sub.add_parser("parse", help="parse saved bulletin documents; print observations as JSON lines",
                           description="Parse documents of one source and print one JSON object per observation "
                                       "(keys as_of, category, cumulative, increase, qualifier, source). A document "
                                       "that cannot be parsed is reported on stderr with source, URL and field; "
                                       "the exit status is then 1.")
    parse.add_argument("--source", required=True, choices=SOURCES)
    parse.add_argument("--url", help="the URL the document came from (default: its file:// URL); the mod parser "
                                     "reads the date from it when the page does not state one")
    parse.add_argument("--content-type", help="the Content-Type it was served with (for its charset)")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=_parse)

    replay = sub.add_parser("replay", help="serve the three sources from a data snapshot on loopback (offline mode)",
                            description="Render minfin pages, mod bulletins and the russianwarship API from a "
                                        "snapshot (one CSV per source: as_of, category, cumulative[, increase]; see "
                                        "docs/replay.md) on 127.0.0.1, for tests and offline runs.")
    replay_sub = replay.add_subparsers(dest="replay_command", required=True, metavar="ACTION")
    replay_serve = replay_sub.add_parser("serve", help="serve until Ctrl-C")
    replay_serve.add_argument("--data", default=None, help="snapshot folder (default: the bundled data/replay)")
    replay_serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    replay_serve.set_defaults(func=_replay)

    backfill = sub.add_parser("backfill", help="crawl and load a date range without Airflow",
                              description="Crawl the sources over a date range (spiders as subprocesses), archive "
                                          "the documents, and load every one that parses. Prints the per-source "
                                          "days and gaps as JSON. A document that cannot be read is left out (kept "
                                          "in raw, one alert); the exit status is then 1, with one line per such "
                                          "document. Progress goes to stderr at least every 30 s; a re-run skips "
                                          "what is already archived.")
    backfill.add_argument("--from", dest="date_from", help="first day (default 2022-02-24)")
    backfill.add_argument("--to", dest="date_to", help="last day (default today, Kyiv)")
    backfill.add_argument("--sources", help="comma-separated: mod,minfin,russianwarship (default all)")
    backfill.add_argument("--replay", action="store_true", help="crawl a replay server started for this run")
    backfill.add_argument("--data", default=None, help="with --replay: snapshot folder (default data/replay)")
    backfill.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    backfill.add_argument("--run-id", help="the run id of a stopped backfill to resume: what it archived is "
                                           "not fetched again (default: a new run id, printed at the start)")
    backfill.set_defaults(func=_backfill)

    rebuild = sub.add_parser("rebuild", help="re-parse the whole raw archive, load it and run the quality gate")
    rebuild.add_argument("--sources", help="comma-separated sources (default all)")
    rebuild.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    rebuild.set_defaults(func=_rebuild)

    validate = sub.add_parser(
        "validate", help="run the quality gate over what is loaded; print a summary",
        description="Run the data-quality gate (GX suites, consensus across sources, quarantine, alerts) over the "
                    "loaded observations of a date range (default: everything loaded), refresh the marts and "
                    "print what it decided. Exit status 1 when a check could not run (nothing changed then).")
    validate.add_argument("--from", dest="date_from", help="first day (default: the first day loaded)")
    validate.add_argument("--to", dest="date_to", help="last day (default: the last day loaded)")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    validate.set_defaults(func=_validate)

    quarantine = sub.add_parser(
        "quarantine", help="records the quality gate kept out: list | show ID | accept ID | reject ID",
        description="Review quarantined records. accept: the value is right (a decrease becomes an operator "
                    "correction); reject: keep it out for good. Either re-runs the gate over the record's day.")
    quarantine.add_argument("action", choices=["list", "show", "accept", "reject"])
    quarantine.add_argument("id", nargs="?", type=int, help="quarantine id (from list)")
    quarantine.add_argument("--status", default="open", help="with list: open (default), accepted, rejected, "
                                                             "resolved or all")
    quarantine.add_argument("--limit", type=int, default=100, help="with list: at most this many (default 100)")
    quarantine.add_argument("--note", help="with accept/reject: why (kept with the decision)")
    quarantine.add_argument("--by", help="with accept/reject: who decides (default $ATTRITION_OPERATOR or $USER)")
    quarantine.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    quarantine.set_defaults(func=_quarantine)

    sources = sub.add_parser("sources", help="check the live sources: sources check [--replay] [--json] [--strict]",
                             description="Is every source still there and still readable?")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    sources_check = sources_sub.add_parser(
        "check", help="fetch each source's newest bulletin, parse it, compare the sources",
        description="Politely fetch each source's newest bulletin (its spider's daily run: robots.txt, one request "
                    "a second per domain), parse it (nothing is loaded) and print per source: reachable, newest day, "
                    "parsed, categories, agreement with the other sources. Each outcome is a row of "
                    "quality.source_check; a source that answers but no longer parses raises one source_changed "
                    "alert, one that does not answer one source_unreachable alert. Exit status 1 when a source is "
                    "changed or unreachable (with --strict also when the sources' figures differ).")
    sources_check.add_argument("--replay", action="store_true", help="check a replay server started for this run")
    sources_check.add_argument("--data", default=None, help="with --replay: snapshot folder (default data/replay)")
    sources_check.add_argument("--fault", action="append", metavar="NAME",
                               help="with --replay: redesign-SOURCE (the source's pages in a new markup) or "
                                    "down-SOURCE (HTTP 500); repeatable")
    sources_check.add_argument("--sources", help="comma-separated: mod,minfin,russianwarship (default all)")
    sources_check.add_argument("--json", action="store_true", help="print the result as JSON")
    sources_check.add_argument("--strict", action="store_true", help="also fail when the sources' figures differ")
    sources_check.add_argument("--no-notify", action="store_true", help="record alerts but do not send them")
    sources_check.set_defaults(func=_sources)

    from etl.local import mailsink
    from etl.warehouse import notify

    mailsink.register(sub)
    notify.register(sub)

    from etl.news.cli import register as register_claims

    register_claims(sub)

    from etl.cli import chart, export

    for command_group in (chart, export):  # one module per command group, each with register(subparsers)
        command_group.register(sub)

    down = sub.add_parser("down", help="stop what `attrition up` started (what `make down` runs)")
    down.set_defaults(func=_down)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; any failure ends in one line on stderr (exit 1, or 2 for a bad input or setting),
    never a traceback, and a failed run (backfill, rebuild, validate, ...) raises an alert (etl.warehouse.failures)."""
    try:
        args = build_parser().parse_args(argv)
    except ConfigError as exc:  # a setting read while building the parser
        print(f"attrition: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        return args.func(args)
    except BrokenPipeError:  # `attrition parse ... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("attrition: interrupted; nothing of an unfinished transaction was committed", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every error: one clear line, not a traceback
        from etl.warehouse import failures

        line, code = failures.describe(exc)
        note = ""
        if args.command in failures.ALERTING_COMMANDS and code == 1 and not _alerted_elsewhere(exc):
            try:
                note = failures.alert_failure(exc, where=f"attrition {args.command}",
                                              notify=not getattr(args, "no_notify", False))
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


def _deliver_quietly() -> None:
    import contextlib

    from etl.warehouse.notify import deliver_pending

    with contextlib.suppress(Exception):
        deliver_pending()


if __name__ == "__main__":
    sys.exit(main())
