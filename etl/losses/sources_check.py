"""`attrition sources check` and the DAG sources_check: is every source still there, and still readable?

For each bulletin source (mod, minfin, russianwarship) the check runs the source's own spider in its
daily mode (``scrapy crawl``, see :mod:`etl.losses.crawl`: robots.txt, one request a second per domain,
AutoThrottle, ``Retry-After``), so it discovers the newest bulletin exactly as ``losses_daily`` does;
the documents land in ``raw.document`` like any other fetch.  It then parses them, in memory (nothing
is loaded), and reports per source:

* **reachable**: the source answered with pages (not: DNS, connection, timeout, an HTTP error);
* **newest day** the parsed bulletins carry and the **categories** of that day;
* **parsed**: every document fetched parsed;
* **agreement** with each other source on their newest common day (categories both carry).

Each source's outcome is one row of ``quality.source_check``.  A source that answers but whose pages
no longer parse, or no longer lead to a bulletin, is ``changed`` and raises one ``source_changed``
alert per incident (the earliest warning of a redesign); one that does not answer is ``unreachable``
and raises one ``source_unreachable`` alert per incident.  An incident lasts until the source's next
check that is not in that state.  Figures that differ between sources are ``disagrees``: reported,
a failure only with ``strict`` (the quality gate decides what the figures are).

    result = check(run_id="manual-1", mode="live")
    result.ok            # no source changed or unreachable (and, strict, none disagrees)
    print(result.report())
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date

from etl.domain.model import SOURCES, field_dict

FAILED = ("changed", "unreachable")
ALERT_KIND = {"changed": "source_changed", "unreachable": "source_unreachable"}


@dataclass
class SourceResult:
    source: str
    status: str = "ok"  # ok | changed | unreachable | disagrees
    reachable: bool = True
    parsed: bool = False
    newest_day: date | None = None
    categories: list[str] = field(default_factory=list)
    url: str | None = None
    document_ids: list[int] = field(default_factory=list)
    problem: str | None = None
    problem_field: str | None = None
    agreement: dict = field(default_factory=dict)
    alert_id: int | None = None
    seconds: float = 0.0
    figures: dict = field(default_factory=dict, repr=False)  # day -> {category: cumulative}

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("figures")
        out["newest_day"] = self.newest_day.isoformat() if self.newest_day else None
        return out


@dataclass
class CheckResult:
    run_id: str
    mode: str
    sources: list[SourceResult]
    strict: bool = False

    @property
    def failures(self) -> list[SourceResult]:
        bad = FAILED + (("disagrees",) if self.strict else ())
        return [s for s in self.sources if s.status in bad]

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        failed, sources = [s.source for s in self.failures], [s.as_dict() for s in self.sources]
        return field_dict(self, skip=("sources",), ok=self.ok, failed=failed, sources=sources)

    def report(self) -> str:
        lines = [
            f"{'source':<15} {'status':<12} {'reachable':<9} {'newest day':<10}  {'parsed':<6} "
            f"{'categories':>10}  agreement"
        ]
        for s in self.sources:
            agree = "; ".join(_agreement_text(other, a) for other, a in s.agreement.items()) or "-"
            lines.append(
                f"{s.source:<15} {s.status:<12} {'yes' if s.reachable else 'NO':<9} "
                f"{s.newest_day.isoformat() if s.newest_day else '-':<10}  {'yes' if s.parsed else 'NO':<6} "
                f"{len(s.categories):>10}  {agree}"
            )
        for s in self.sources:
            if s.problem:
                lines.append(f"{s.source}: {s.status}: {s.problem}")
        verdict = (
            "all sources answered and parsed"
            if self.ok
            else "FAILED: " + ", ".join(f"{s.source} ({s.status})" for s in self.failures)
        )
        lines.append(f"sources check {self.run_id} ({self.mode}): {verdict}")
        return "\n".join(lines)


def _agreement_text(other: str, a: dict) -> str:
    if not a.get("day"):
        return f"{other}: no common day"
    if a["differ"]:
        differ = ", ".join(f"{c} {v[0]} vs {v[1]}" for c, v in sorted(a["differ"].items()))
        return f"{other} {a['day']}: {len(a['differ'])}/{a['compared']} differ ({differ})"
    return f"{other} {a['day']}: {a['compared']}/{a['compared']} agree"


def _documents_of_run(cur, run_id: str, source: str) -> list[int]:
    cur.execute(
        """SELECT DISTINCT document_id FROM raw.fetch
                   WHERE run_id = %s AND source = %s AND document_id IS NOT NULL ORDER BY document_id""",
        (run_id, source),
    )
    return [r[0] for r in cur.fetchall()]


def check_source(
    source: str, *, run_id: str, dsn: str, base_urls: dict | None = None, timeout: float = 900
) -> SourceResult:
    """Crawl ``source``'s newest pages (its daily run) and parse them; nothing is loaded or recorded."""
    from etl.losses.crawl import CrawlError, crawl
    from etl.losses.load import fetch_documents, parse_documents
    from etl.warehouse.db import transaction

    started = time.monotonic()
    res = SourceResult(source)
    try:
        crawl(source, run_id=run_id, base_urls=base_urls, dsn=dsn, timeout=timeout)
    except CrawlError as exc:
        errors = exc.result.errors if exc.result else []
        # an error row with a 2xx/3xx status is a page that came but led nowhere (a discovery error)
        answered = any(e.get("status") is not None and int(e["status"]) < 400 for e in errors)
        fetched = bool(exc.result and (exc.result.document_ids or exc.result.not_modified))
        res.status = "changed" if (answered or (fetched and not errors)) else "unreachable"
        res.reachable = res.status == "changed" or fetched
        res.problem, res.url = str(exc), exc.url
    with transaction(dsn) as conn, conn.cursor() as cur:
        res.document_ids = _documents_of_run(cur, run_id, source)
        documents = fetch_documents(cur, ids=res.document_ids)
    parsed, errors = parse_documents(documents)
    for _doc, observations in parsed:
        for obs in observations:
            if obs.note:  # printed outside its category's validity: not a figure to compare
                continue
            res.figures.setdefault(obs.as_of, {})[obs.category] = obs.cumulative
    if res.figures:
        res.newest_day = max(res.figures)
        res.categories = sorted(res.figures[res.newest_day])
    res.parsed = bool(parsed) and not errors and res.status == "ok"
    if errors and res.status == "ok":
        first = errors[0]
        more = f" (and {len(errors) - 1} more document(s))" if len(errors) > 1 else ""
        res.status, res.problem, res.url, res.problem_field = "changed", f"{first}{more}", first.url, first.field
    elif res.status == "ok" and not parsed:
        res.status, res.problem = "changed", f"{source}: no bulletin among the pages fetched"
    if res.url is None and documents:
        res.url = documents[-1].url
    res.seconds = round(time.monotonic() - started, 2)
    return res


def compare(results: list[SourceResult]) -> None:
    """Fill each result's ``agreement``: per other source, the newest common day and the figures that differ."""
    for a in results:
        for b in results:
            if a is b or not a.figures or not b.figures:
                continue
            common = sorted(set(a.figures) & set(b.figures))
            if not common:
                a.agreement[b.source] = {"day": None, "compared": 0, "differ": {}}
                continue
            day = common[-1]
            cats = sorted(set(a.figures[day]) & set(b.figures[day]))
            differ = {c: [a.figures[day][c], b.figures[day][c]] for c in cats if a.figures[day][c] != b.figures[day][c]}
            a.agreement[b.source] = {"day": day.isoformat(), "compared": len(cats), "differ": differ}
        if a.status == "ok" and any(x["differ"] for x in a.agreement.values()):
            a.status = "disagrees"


def _alert_text(r: SourceResult, mode: str) -> tuple[str, str]:
    """The subject and body of the alert on a changed or unreachable source."""
    where = f" ({mode})" if mode != "live" else ""
    if r.status == "changed":
        subject = f"[attrition] {r.source}{where} answers but its bulletin no longer parses (redesign?)"
        body = (
            f"The sources check fetched {r.source}'s newest pages and could not read them:\n{r.problem}\n\n"
            f"The pages are kept in raw.document (ids {', '.join(map(str, r.document_ids)) or 'none'}). "
            f"This is the earliest warning of a redesign: compare the page with what "
            f"scrapers/spiders/{r.source}.py and etl/losses/parsers/{r.source}.py expect, fix them, then "
            f"`attrition rebuild --sources {r.source}`. losses_daily will fail on this source "
            "until then; the other sources are loaded regardless."
        )
    else:
        subject = f"[attrition] {r.source}{where} does not answer"
        body = (
            f"The sources check could not fetch {r.source}'s newest pages:\n{r.problem}\n\n"
            "Check the network and the site (DNS, HTTP status, robots.txt). The other sources are "
            "loaded regardless."
        )
    return subject, body


def record(results: list[SourceResult], *, run_id: str, mode: str, dsn: str, dag_id: str | None = None) -> None:
    """One quality.source_check row per source; one alert per incident of a changed or unreachable source."""
    import json

    from etl.config import airflow_run_url
    from etl.warehouse.alerts import record_alert
    from etl.warehouse.db import transaction

    run_url = airflow_run_url(dag_id, run_id) if dag_id else None
    with transaction(dsn) as conn, conn.cursor() as cur:
        for r in results:
            cur.execute(
                """INSERT INTO quality.source_check (run_id, mode, source, status, reachable, parsed, newest_day,
                       categories, url, document_ids, problem, agreement, seconds)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                (
                    run_id,
                    mode,
                    r.source,
                    r.status,
                    r.reachable,
                    r.parsed,
                    r.newest_day,
                    r.categories,
                    r.url,
                    r.document_ids,
                    r.problem,
                    json.dumps(r.agreement),
                    r.seconds,
                ),
            )
            row_id = cur.fetchone()[0]
            if r.status not in FAILED:
                continue
            # the incident began with the first check in this state since the last check in another state
            cur.execute(
                """SELECT min(id) FROM quality.source_check
                           WHERE source = %s AND mode = %s AND status = %s
                             AND id > coalesce((SELECT max(id) FROM quality.source_check
                                                WHERE source = %s AND mode = %s AND status <> %s), 0)""",
                (r.source, mode, r.status, r.source, mode, r.status),
            )
            since = cur.fetchone()[0] or row_id
            kind = ALERT_KIND[r.status]
            subject, body = _alert_text(r, mode)
            alert_id = record_alert(
                cur,
                kind,
                f"{kind}:{mode}:{r.source}:{since}",
                subject,
                body,
                {
                    "source": r.source,
                    "url": r.url,
                    "field": r.problem_field,
                    "problem": r.problem,
                    "mode": mode,
                    "run_id": run_id,
                    "source_check_id": row_id,
                    "incident_since_check": since,
                },
                severity="error" if r.status == "changed" else "warning",
                run_url=run_url,
            )
            r.alert_id = alert_id
            if alert_id is not None:
                cur.execute("UPDATE quality.source_check SET alert_id = %s WHERE id = %s", (alert_id, row_id))


def check(
    *,
    run_id: str,
    mode: str,
    dsn: str | None = None,
    base_urls: dict | None = None,
    sources: list[str] | None = None,
    strict: bool = False,
    notify: bool = True,
    dag_id: str | None = None,
    timeout: float = 900,
) -> CheckResult:
    """Check every source (in parallel, one spider subprocess each), record the outcome, raise and send alerts."""
    from etl.config import warehouse_dsn
    from etl.warehouse.migrate import migrate

    dsn = dsn or warehouse_dsn()
    migrate(dsn)
    chosen = [s for s in SOURCES if s in (sources or SOURCES)]
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        results = list(
            pool.map(lambda s: check_source(s, run_id=run_id, dsn=dsn, base_urls=base_urls, timeout=timeout), chosen)
        )
    compare(results)
    record(results, run_id=run_id, mode=mode, dsn=dsn, dag_id=dag_id)
    if notify and any(r.alert_id for r in results):
        from etl.warehouse.notify import deliver_pending

        print(deliver_pending(dsn).summary(), file=sys.stderr)
    return CheckResult(run_id, mode, results, strict)


# ---- replay faults for the check --------------------------------------------------------------------


def replay_fault_names() -> list[str]:
    return [f"{kind}-{s}" for kind in ("redesign", "down") for s in SOURCES]


def apply_replay_fault(server, name: str) -> None:
    """``redesign-<source>``: every page of the source in markup no parser was written for (the replay's
    ``redesign`` fault on all its paths); ``down-<source>``: every page of it answers HTTP 500."""
    sites = {"minfin": ["minfin"], "mod": ["mod_mil", "mod"], "russianwarship": ["russianwarship"]}
    prefixes = {s: [server.urls[k][len(server.base_url) :] for k in keys] for s, keys in sites.items()}
    kind, _, source = name.partition("-")
    if kind not in ("redesign", "down") or source not in prefixes:
        raise ValueError(f"unknown fault {name!r}; expected one of {', '.join(replay_fault_names())}")
    for prefix in prefixes[source]:
        server.add_fault(prefix + "/*", "redesign" if kind == "redesign" else "http500")


# ---- the DAG's task ---------------------------------------------------------------------------------


def run_task(run_id: str, strict: bool = False) -> dict:
    """sources_check's task: the check against wherever the spiders point (live, or the replay under
    `make up` offline); fails the task naming every failed source."""
    from urllib.parse import urlsplit

    from airflow.sdk.exceptions import AirflowFailException

    from etl.config import setting

    loopback = urlsplit(setting("ATTRITION_MINFIN_BASE_URL")).hostname in ("127.0.0.1", "localhost")
    mode = setting("ATTRITION_SOURCES_MODE") or ("replay" if loopback else "live")
    result = check(run_id=run_id, mode=mode, strict=strict, dag_id="sources_check")
    print(result.report())
    if not result.ok:
        raise AirflowFailException(
            result.report().splitlines()[-1]
            + "\n"
            + "\n".join(f"{s.source}: {s.problem}" for s in result.failures if s.problem)
        )
    return result.as_dict()
