"""``attrition claims FILE...``: the claims of plain-text or HTML news articles, as JSON lines.

Wired into etl/cli/__init__.py with ``register(subparsers)``; ``main(argv)`` runs it on its own
(``python -m etl.news.cli FILE...``).

Each claim is one JSON object: ``file``, ``claimant``, ``subject``, ``category``, ``measure``,
``value``, ``low``, ``high``, ``period_start``, ``qualifier``, ``as_of``, ``as_of_precision``,
``date_method``, ``date_reference``, ``date_text``, ``span`` ([start, end] character offsets into the
article text), ``evidence``, ``number_text``, ``status``, ``problem``, ``bulletin_value``,
``comparison``.

The bulletin series dates figures that carry no date and checks the General Staff's
(``--series``): ``auto`` (default) reads the warehouse when one is configured or the embedded one is
running, else goes without; ``warehouse``; ``none``; or a CSV file / replay snapshot folder
(``as_of,category,cumulative``).

Exit status 1 when a file is not a readable article (named on stderr with its field) or holds a
figure that cannot be read (printed with ``status: unparseable``, and named on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

DESCRIPTION = (
    "Read loss claims from news articles (plain text or HTML) and print them as JSON lines: claimant, "
    "subject, category, measure, value or low/high, period_start, qualifier, as_of with the way it was "
    "found (date_method), the evidence span. HTML articles take their text and published date from the "
    "page's metadata (JSON-LD, Open Graph, <time>); plain-text files may start with 'title:', "
    "'published:' lines."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="article files (.txt or .html; '-' reads stdin)")
    p.add_argument("--published", help="publication day (YYYY-MM-DD) of plain-text articles; overrides their header")
    p.add_argument("--url", help="the URL the article came from (default: its file name)")
    p.add_argument("--source", default="file", help="source name used in messages (default: file)")
    p.add_argument("--content-type", help="Content-Type an HTML file was served with (for its charset)")
    p.add_argument(
        "--series",
        default="auto",
        help="bulletin series for dating and checking General Staff figures: auto (default), warehouse, "
        "none, or a CSV file / snapshot folder (as_of,category,cumulative)",
    )
    p.add_argument("--no-compare", action="store_true", help="do not compare with the series (comparison stays null)")


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "claims", help="read loss claims from news articles; print them as JSON lines", description=DESCRIPTION
    )
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def _series(choice: str):
    from etl.news.series import BulletinSeries

    if choice == "none":
        return None
    if choice in ("auto", "warehouse"):
        from etl.config import configured_dsn, embedded_running_dsn

        dsn = configured_dsn() or embedded_running_dsn()
        if dsn is None:
            if choice == "warehouse":
                raise SystemExit(
                    "attrition claims: no warehouse configured or running (attrition db up, or ATTRITION_WAREHOUSE_DSN)"
                )
            print(
                "attrition claims: no warehouse: figures are dated from the text only (--series PATH to use a "
                "series file)",
                file=sys.stderr,
            )
            return None
        try:
            return BulletinSeries.from_warehouse(dsn)
        except Exception as exc:
            if choice == "warehouse":
                raise SystemExit(f"attrition claims: cannot read the bulletin series: {exc}") from None
            print(f"attrition claims: bulletin series unavailable ({exc}); dating from the text only", file=sys.stderr)
            return None
    path = Path(choice)
    if path.is_dir():
        return BulletinSeries.from_dir(path)
    if path.is_file():
        return BulletinSeries.from_csv(path)
    raise SystemExit(f"attrition claims: --series {choice!r}: no such file or folder (or auto, warehouse, none)")


def run(args: argparse.Namespace) -> int:
    from etl.news.article import ArticleError, from_html, from_text, looks_like_html
    from etl.news.compare import compare
    from etl.news.extract import extract

    published = None
    if args.published:
        try:
            published = date.fromisoformat(args.published)
        except ValueError:
            print(
                f"attrition claims: --published must be a date like 2024-07-28, not {args.published!r}", file=sys.stderr
            )
            return 2
    series = _series(args.series)
    status = 0
    out = sys.stdout
    for name in args.files:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        url = args.url or (name if name == "-" else Path(name).resolve().as_uri())
        try:
            if looks_like_html(data, name):
                article = from_html(data, url=url, source=args.source, content_type=args.content_type)
                if published is not None and article.published is None:
                    article.published = published
            else:
                article = from_text(
                    data.decode("utf-8", errors="replace"), source=args.source, url=url, published=published
                )
        except ArticleError as exc:
            print(f"attrition claims: {exc}", file=sys.stderr)
            status = 1
            continue
        claims = extract(article.text, published=article.published_date, series=series)
        if series is not None and not args.no_compare:
            compare(claims, series)
        for seq, claim in enumerate(claims, start=1):
            out.write(json.dumps({"file": name, **claim.to_json()}, ensure_ascii=False) + "\n")
            if claim.status == "unparseable":
                print(
                    f"attrition claims: {args.source}: {url}: claim {seq}: {claim.category} value: {claim.problem}",
                    file=sys.stderr,
                )
                status = 1
    out.flush()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attrition claims", description=DESCRIPTION)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
