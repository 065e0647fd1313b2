"""`attrition replay serve`: the offline replay of the three sources (etl/replay/)."""

from __future__ import annotations

import argparse

from etl.cli.common import add_group


def register(sub) -> None:
    replay_sub = add_group(
        sub,
        "replay",
        help="serve the three sources from a data snapshot on loopback (offline mode)",
        description="Render minfin pages, mod bulletins and the russianwarship API from a "
        "snapshot (one CSV per source: as_of, category, cumulative[, increase]; see "
        "docs/replay.md) on 127.0.0.1, for tests and offline runs.",
    )
    replay_serve = replay_sub.add_parser("serve", help="serve until Ctrl-C")
    replay_serve.add_argument("--data", default=None, help="snapshot folder (default: the bundled data/replay)")
    replay_serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    replay_serve.set_defaults(func=_replay)


def _replay(args: argparse.Namespace) -> int:
    from etl.replay.server import serve

    serve(args.data, port=args.port)
    return 0
