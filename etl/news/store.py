"""Archived news pages -> core.news_article and core.claim, compared with the bulletin series.

    result = process_documents([12, 13], dsn=dsn, run_id="manual")

For each raw.document: the article is read from the page (:mod:`etl.news.article`), its claims
extracted against the accepted series (``mart.daily_losses_long``: ``as_of, category, cumulative``
only), compared (:mod:`etl.news.compare`) and stored, one transaction per article.  Storing is
idempotent: the same claims again write nothing; different ones replace the article's claims.

Alerts (``quality.alert``, one row per incident):

* ``news_mismatch`` (warning): a General Staff figure in the news differs from the accepted series
  for that day.  The series is never changed.
* ``news_unparseable`` (warning): a figure in the article could not be read (the claim is stored with
  ``status = 'unparseable'``).
* ``news_parse_failure`` (error): the page is not a readable article (no body, no published date);
  the raw document is kept, nothing is stored for it.

Unparseable figures and unreadable pages are also returned in ``errors`` (source, URL, field) so the
caller can fail the run after the other articles were stored.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from etl.domain.model import ParseError, field_dict
from etl.news.article import ArticleError, from_html, from_text, looks_like_html
from etl.news.claim import DATE_KEYS, EVIDENCE_KEYS, FIGURE_KEYS
from etl.news.compare import compare
from etl.news.extract import EXTRACTOR_VERSION, Claim, extract

logger = logging.getLogger(__name__)

# core.claim's columns in the order stored and compared: the claim's keys, the span as two columns
CLAIM_COLUMNS = ("seq", *FIGURE_KEYS, "qualifier", "period_start", *DATE_KEYS, "span_start", "span_end", *EVIDENCE_KEYS)


@dataclass
class ProcessResult:
    documents: int = 0
    articles: int = 0
    claims: int = 0
    written: int = 0  # articles whose claims were (re)written
    unchanged: int = 0
    by_claimant: dict[str, int] = field(default_factory=dict)
    comparisons: dict[str, int] = field(default_factory=dict)
    mismatches: list[dict] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    series_days: int = 0

    def summary(self) -> dict:
        errors = [str(e) for e in self.errors]
        return field_dict(self, skip=("series_days",), errors=errors, series_values=self.series_days)


def read_article(source: str, url: str, body: bytes, content_type: str | None):
    """The article of an archived document: HTML by metadata, plain text as a file."""
    if content_type and content_type.split(";")[0].strip().lower() == "text/plain" or not looks_like_html(body, url):
        text = body.decode("utf-8", errors="replace")
        if not text.strip():
            raise ArticleError(source, url, "page", "empty document")
        return from_text(text, source=source, url=url)
    return from_html(body, url=url, source=source, content_type=content_type)


def load_series(cur):
    """The accepted bulletin series from the warehouse, or None when the mart cannot be read."""
    from etl.news.series import BulletinSeries

    cur.execute("SAVEPOINT news_series")
    try:
        series = BulletinSeries.from_cursor(cur)
    except Exception as exc:  # mart missing or not populated: claims are still read, just not dated by it
        cur.execute("ROLLBACK TO SAVEPOINT news_series")
        logger.warning("bulletin series unavailable (%s): no series match, no comparison", exc)
        return None
    cur.execute("RELEASE SAVEPOINT news_series")
    return series


def _claim_row(seq: int, c: Claim) -> tuple:
    """The claim as a core.claim row (:data:`CLAIM_COLUMNS`); an uncompared claim is 'not_compared'."""
    own = {"seq": seq, "span_start": c.span[0], "span_end": c.span[1], "comparison": c.comparison or "not_compared"}
    return tuple(own[column] if column in own else getattr(c, column) for column in CLAIM_COLUMNS)


def store_article(cur, document_id: int, article, claims: list[Claim]) -> tuple[int, bool]:
    """Upsert the article and its claims; returns (core.news_article id, whether anything was written)."""
    from psycopg2.extras import execute_values

    sha = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    values = (
        article.source,
        article.url,
        article.title,
        article.published,
        article.published_date,
        article.language,
        sha,
        EXTRACTOR_VERSION,
        len(claims),
    )
    cur.execute(
        """
        INSERT INTO core.news_article AS a (document_id, source, url, title, published_at, published_date, language,
                                            text_sha256, extractor, claim_count)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (document_id) DO UPDATE SET
            source = EXCLUDED.source, url = EXCLUDED.url, title = EXCLUDED.title, published_at = EXCLUDED.published_at,
            published_date = EXCLUDED.published_date, language = EXCLUDED.language,
            text_sha256 = EXCLUDED.text_sha256, extractor = EXCLUDED.extractor, claim_count = EXCLUDED.claim_count,
            extracted_at = now()
        WHERE (a.source, a.url, a.title, a.published_at, a.published_date, a.language, a.text_sha256, a.extractor,
               a.claim_count)
              IS DISTINCT FROM (EXCLUDED.source, EXCLUDED.url, EXCLUDED.title, EXCLUDED.published_at,
                                EXCLUDED.published_date, EXCLUDED.language, EXCLUDED.text_sha256, EXCLUDED.extractor,
                                EXCLUDED.claim_count)
        RETURNING id
        """,
        (document_id, *values),
    )
    row = cur.fetchone()
    written = row is not None
    if row is None:
        cur.execute("SELECT id FROM core.news_article WHERE document_id = %s", (document_id,))
        row = cur.fetchone()
    article_id = row[0]
    new_rows = [_claim_row(i, c) for i, c in enumerate(claims, start=1)]
    cur.execute(f"SELECT {', '.join(CLAIM_COLUMNS)} FROM core.claim WHERE article_id = %s ORDER BY seq", (article_id,))
    if [tuple(r) for r in cur.fetchall()] != new_rows:
        cur.execute("DELETE FROM core.claim WHERE article_id = %s", (article_id,))
        if new_rows:
            execute_values(
                cur,
                f"INSERT INTO core.claim (article_id, {', '.join(CLAIM_COLUMNS)}) VALUES %s",
                [(article_id, *r) for r in new_rows],
            )
        if not written:
            cur.execute("UPDATE core.news_article SET extracted_at = now() WHERE id = %s", (article_id,))
        written = True
    return article_id, written


def _key(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def _figure(c: Claim) -> str:
    q = {"about": "about ", "more_than": "more than ", "up_to": "up to "}.get(c.qualifier or "", "")
    return f"{q}{c.value}"


def record_claim_alerts(
    cur, source: str, url: str, claims: list[Claim], run_id: str | None, run_url: str | None
) -> list[dict]:
    from etl.warehouse.alerts import record_alert

    mismatches = []
    for seq, c in enumerate(claims, start=1):
        if c.comparison == "mismatch":
            detail = {
                "source": source,
                "url": url,
                "claim_seq": seq,
                "as_of": c.as_of,
                "category": c.category,
                "measure": c.measure,
                "value": c.value,
                "qualifier": c.qualifier,
                "bulletin_value": c.bulletin_value,
                "evidence": c.evidence,
                "date_method": c.date_method,
                "run_id": run_id,
            }
            mismatches.append(detail)
            what = "the day's increase" if c.measure == "daily_increase" else "the cumulative count"
            record_alert(
                cur,
                "news_mismatch",
                "news_mismatch:" + _key(url, c.as_of, c.category, c.measure, c.value),
                f"[attrition] {source}: news figure for {c.category} on {c.as_of} differs from the bulletin series",
                f"{source}: {url}: {c.category} ({c.measure}) as of {c.as_of}: the article says {_figure(c)} "
                f'("{c.evidence}"), the accepted bulletin series has {c.bulletin_value} as {what}. '
                f"The date was found by {c.date_method}. The series is unchanged.",
                detail,
                severity="warning",
                run_url=run_url,
            )
        if c.status == "unparseable":
            record_alert(
                cur,
                "news_unparseable",
                "news_unparseable:" + _key(url, c.span, c.number_text),
                f"[attrition] {source}: unreadable figure in {url}",
                f"{source}: {url}: claim {seq} ({c.claimant} {c.category} {c.measure}): {c.problem}. "
                f"The claim is stored as unparseable; no value was guessed.",
                {
                    "source": source,
                    "url": url,
                    "claim_seq": seq,
                    "field": f"claim {seq}: value",
                    "problem": c.problem,
                    "evidence": c.evidence,
                    "run_id": run_id,
                },
                severity="warning",
                run_url=run_url,
            )
    return mismatches


def process_documents(
    document_ids: list[int], *, dsn: str | None = None, run_id: str | None = None, run_url: str | None = None
) -> ProcessResult:
    """Read, extract, compare and store the claims of the given archived news documents."""
    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import connect

    result = ProcessResult()
    conn = connect(dsn, application_name="attrition-news")
    try:
        with conn, conn.cursor() as cur:
            series = load_series(cur)
        result.series_days = len(series) if series is not None else 0
        for document_id in document_ids:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT source, url, content_type, body FROM raw.document WHERE id = %s", (document_id,))
                row = cur.fetchone()
                if row is None:
                    result.errors.append(
                        ParseError("news", f"raw.document {document_id}", "document", "not in the archive")
                    )
                    continue
                source, url, content_type, body = row[0], row[1], row[2], bytes(row[3])
                result.documents += 1
                try:
                    article = read_article(source, url, body, content_type)
                except ArticleError as exc:
                    result.errors.append(exc)
                    record_alert(
                        cur,
                        "news_parse_failure",
                        "news_parse_failure:" + _key(exc.source, exc.url, exc.field, exc.problem),
                        f"[attrition] {exc.source}: cannot read the article {exc.url}",
                        f"{exc}\n\nThe raw document is kept in raw.document (id {document_id}); "
                        f"no claims were stored for it.",
                        {
                            "source": exc.source,
                            "url": exc.url,
                            "field": exc.field,
                            "problem": exc.problem,
                            "document_id": document_id,
                            "run_id": run_id,
                        },
                        severity="error",
                        run_url=run_url,
                    )
                    continue
                claims = extract(article.text, published=article.published_date, series=series)
                compare(claims, series)
                _, written = store_article(cur, document_id, article, claims)
                result.articles += 1
                result.claims += len(claims)
                result.written += int(written)
                result.unchanged += int(not written)
                for c in claims:
                    result.by_claimant[c.claimant] = result.by_claimant.get(c.claimant, 0) + 1
                    result.comparisons[c.comparison] = result.comparisons.get(c.comparison, 0) + 1
                result.mismatches += record_claim_alerts(cur, source, url, claims, run_id, run_url)
                for seq, c in enumerate(claims, start=1):
                    if c.status == "unparseable":
                        result.errors.append(ArticleError(source, url, f"claim {seq}: {c.category} value", c.problem))
    finally:
        conn.close()
    return result
