"""`attrition sources check`: is every source still there and still readable?"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC

from etl.cli.common import add_command, add_flags, add_group
from etl.config import ConfigError


def register(sub) -> None:
    sources_sub = add_group(
        sub,
        "sources",
        help="check the live sources: sources check [--replay] [--json] [--strict]",
        description="Is every source still there and still readable?",
    )
    sources_check = add_command(
        sources_sub,
        "check",
        _sources,
        help="fetch each source's newest bulletin, parse it, compare the sources",
        description="Politely fetch each source's newest bulletin (its spider's daily run: robots.txt, one request "
        "a second per domain), parse it (nothing is loaded) and print per source: reachable, newest day, "
        "parsed, categories, agreement with the other sources. Each outcome is a row of "
        "quality.source_check; a source that answers but no longer parses raises one source_changed "
        "alert, one that does not answer one source_unreachable alert. Exit status 1 when a source is "
        "changed or unreachable (with --strict also when the sources' figures differ).",
    )
    add_flags(sources_check, replay="check a replay server started for this run")
    sources_check.add_argument("--data", default=None, help="with --replay: snapshot folder (default data/replay)")
    sources_check.add_argument(
        "--fault",
        action="append",
        metavar="NAME",
        help="with --replay: redesign-SOURCE (the source's pages in a new markup) or "
        "down-SOURCE (HTTP 500); repeatable",
    )
    sources_check.add_argument("--sources", help="comma-separated: mod,minfin,russianwarship (default all)")
    add_flags(
        sources_check,
        json="print the result as JSON",
        strict="also fail when the sources' figures differ",
        no_notify="record alerts but do not send them",
    )


def _sources(args: argparse.Namespace) -> int:
    import contextlib
    from datetime import datetime

    from etl.losses.sources_check import apply_replay_fault, check

    if args.fault and not args.replay:
        raise ConfigError("--fault needs --replay (faults are the replay's)")
    run_id = f"cli-sources-check-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"
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
        result = check(
            run_id=run_id,
            mode="replay" if args.replay else "live",
            base_urls=base_urls,
            sources=args.sources.split(",") if args.sources else None,
            strict=args.strict,
            notify=not args.no_notify,
        )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.report())
    for failed in result.failures:
        print(
            f"attrition: sources check: {failed.source} {failed.status}: {failed.problem or 'figures differ'}",
            file=sys.stderr,
        )
    return 0 if result.ok else 1
