"""`attrition export [--out DIR]`: the accepted series as CSV, JSON and Parquet (docs/exports.md);
and :func:`after_gate`, which the run commands call once their quality gate succeeded."""

from __future__ import annotations

import argparse
import sys

from etl.cli.common import add_command


def _export(args: argparse.Namespace) -> int:
    from etl.losses.exports import export, summary_line

    print(summary_line(export(args.out)))
    return 0


def after_gate() -> None:
    """After a successful `attrition backfill|rebuild|validate`: refresh the exports; one line on stderr."""
    from etl.losses.exports import export, summary_line

    print(summary_line(export()), file=sys.stderr)


def register(subparsers) -> None:
    export = add_command(
        subparsers,
        "export",
        _export,
        help="write the accepted series as CSV, JSON and Parquet with a data dictionary",
        description="Write mart.daily_losses (wide) and mart.daily_losses_long (long) as CSV, JSON and Parquet, "
        "with data_dictionary.json/.md from the warehouse's comments, into ATTRITION_EXPORT_DIR "
        "(default .local/exports/). The layout is a contract: docs/exports.md.",
    )
    export.add_argument(
        "--out", default=None, help="folder to write to (default ATTRITION_EXPORT_DIR or .local/exports)"
    )
