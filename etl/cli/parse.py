"""`attrition parse`: parse saved bulletin documents, print observations as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from etl.cli.common import add_command
from etl.domain.model import SOURCES


def register(sub) -> None:
    parse = add_command(
        sub,
        "parse",
        _parse,
        help="parse saved bulletin documents; print observations as JSON lines",
        description="Parse documents of one source and print one JSON object per observation "
        "(keys as_of, category, cumulative, increase, qualifier, source). A document "
        "that cannot be parsed is reported on stderr with source, URL and field; "
        "the exit status is then 1.",
    )
    parse.add_argument("--source", required=True, choices=SOURCES)
    parse.add_argument(
        "--url",
        help="the URL the document came from (default: its file:// URL); the mod parser "
        "reads the date from it when the page does not state one",
    )
    parse.add_argument("--content-type", help="the Content-Type it was served with (for its charset)")
    parse.add_argument("files", nargs="+", metavar="FILE")


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
            print(
                f"attrition: {args.source}: {url}: new key {key.key!r} ({key.first_day}..{key.last_day}): "
                + (f"read as {key.category}" if key.category else "read past, not stored"),
                file=sys.stderr,
            )
    return 1 if failed else 0
