"""`attrition chart CATEGORY [--from D] [--to D] --out FILE.png|svg|html`: the Attrition page's chart
(etl.ui.chart, the same spec) as a file, rendered offline by vl-convert."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from etl.cli.common import add_command
from etl.config import ConfigError
from etl.domain.calendar import given_day


def _day(value: str | None, flag: str) -> date | None:
    return given_day(value, flag, ConfigError)


def _chart(args: argparse.Namespace) -> int:
    from etl.ui import chart, data

    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in chart.FORMATS:
        raise ConfigError(f"--out {out}: the chart is written as .png, .svg or .html")
    try:
        data.check_category(args.category)
    except data.UnknownCategory as exc:
        raise ConfigError(str(exc)) from None
    date_from, date_to = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise ConfigError(f"--from {date_from} is after --to {date_to}: swap them")
    with data.reading() as cur:
        series = data.series(cur, args.category, date_from, date_to)
    if not series["accepted"]:
        raise ConfigError(
            f"no accepted {args.category} value between {date_from or 'the start'} and "
            f"{date_to or 'the end'}: nothing to draw (is the warehouse loaded? attrition backfill)"
        )
    chart.render(chart.spec(series), out)
    print(
        f"wrote {out} ({len(series['accepted'])} accepted days, {len(series['quarantined'])} quarantined, "
        f"{len(series['corrections'])} corrections)"
    )
    return 0


def register(subparsers) -> None:
    chart = add_command(
        subparsers,
        "chart",
        _chart,
        help="draw a category's accepted series as PNG, SVG or HTML (the Attrition page's chart)",
        description="The chart of the Attrition page as a file, for articles: the accepted series, every source's "
        "values, quarantined records and corrections. Rendered offline (vl-convert).",
    )
    chart.add_argument("category", help="category code, e.g. tanks (see mart.categories)")
    chart.add_argument("--from", dest="date_from", help="first day (default: the first accepted)")
    chart.add_argument("--to", dest="date_to", help="last day (default: the newest accepted)")
    chart.add_argument("--out", required=True, help="FILE.png, FILE.svg or FILE.html")
