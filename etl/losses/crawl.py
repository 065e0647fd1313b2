"""Run one spider as a subprocess and say what it archived.

    result = crawl("mod", date_from=date(2024, 5, 1), date_to=date(2024, 5, 31), run_id="manual-1")
    result.document_ids     # raw.document ids fetched in this run (new or already archived)

The spider runs as ``python -m scrapy crawl <source> ...`` in a child process (cwd = the
checkout): Airflow's ``dags test`` runs every task in one process and Twisted's reactor cannot be
restarted, and a child process also keeps Scrapy's signal handlers and logging out of the caller.
The spider lands every document in ``raw.document`` as it arrives; this function reads the run
manifest the pipeline writes at the end (see :mod:`scrapers.pipelines`).

:class:`CrawlError` is raised when any fetch ended in an error after its retries (HTTP 5xx, 404,
timeout, oversized response, unreachable host, unusable listing) or the crawl archived nothing
usable; the documents already fetched stay archived, and the result is on the exception.

No fixed timeout shorter than the work: a backfill's bound is derived from its range
(:func:`crawl_timeout`: the requests the range needs at ten seconds each, plus ten minutes), a daily
run's is 900 s, ``ATTRITION_CRAWL_TIMEOUT`` overrides both (0: none, the Airflow task's
``execution_timeout`` or the user decides).  While the spider runs, :mod:`etl.losses.progress` prints a
progress line at least every 30 s.  A crawl that was stopped or failed, run again under the same
run id, skips what it already archived (:class:`scrapers.middlewares.ArchivedSkipMiddleware`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl.config import project_home, setting
from etl.domain.model import SOURCES
from etl.errors import MessageError, one_line

# base_urls keys (those of etl.replay.server.ReplayServer.urls) -> Scrapy setting
BASE_URL_SETTINGS = {
    "minfin": "ATTRITION_MINFIN_BASE_URL",
    "mod_mil": "ATTRITION_MOD_MIL_BASE_URL",
    "mod": "ATTRITION_MOD_BASE_URL",
    "russianwarship": "ATTRITION_RUSSIANWARSHIP_BASE_URL",
}


def replay_env(urls: dict[str, str]) -> dict[str, str]:
    """The environment that points the spiders at a replay server (``ReplayServer.urls``) on loopback,
    without politeness delays (they only slow a loopback crawl down)."""
    return {**{var: urls[key] for key, var in BASE_URL_SETTINGS.items()}, "ATTRITION_FAST": "1"}


FAST_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "ATTRITION_RETRY_BACKOFF": "0"}
# (ATTRITION_FAST=1 in the child's environment also makes scrapers/settings.py close each connection.)
LOG_TAIL_LINES = 60
DAILY_TIMEOUT = 900.0  # a daily run fetches a handful of pages
SECONDS_PER_REQUEST_BOUND = 10.0  # live politeness is ~1-2 s a request; AutoThrottle may slow it down
FAST_SECONDS_PER_REQUEST_BOUND = 1.0


def crawl_timeout(source: str, date_from: date | None, date_to: date | None, fast: bool = False) -> float | None:
    """The bound of one crawl in seconds (None: no bound), derived from the range: never shorter than
    the work at one request a second, whatever the range."""
    value = setting("ATTRITION_CRAWL_TIMEOUT")
    if value is not None:
        return value if value > 0 else None
    from etl.losses.progress import expected_requests

    if not (date_from or date_to):
        return DAILY_TIMEOUT
    from etl.domain.calendar import WAR_START, kyiv_today

    expected = expected_requests(source, date_from or WAR_START, date_to or kyiv_today()) or 0
    per = FAST_SECONDS_PER_REQUEST_BOUND if fast else SECONDS_PER_REQUEST_BOUND
    return 600.0 + expected * per


class CrawlError(MessageError):
    """A crawl failed: ``source``, the ``url`` concerned and the ``problem``; ``result`` when the run ended."""

    kind = "source_failure"

    def __init__(self, source: str, url: str | None, problem: str, result: CrawlResult | None = None):
        super().__init__(f"{source}: {url or '(no URL)'}: {problem}")
        self.source, self.url, self.problem, self.result = source, url, problem, result

    def summary(self) -> str:
        return one_line(
            f"{self}; the documents fetched before it are kept in raw.document; run again once the source answers"
        )

    def details(self) -> dict:
        return {"source": self.source, "url": self.url, "problem": self.problem}


@dataclass
class CrawlResult:
    source: str
    run_id: str
    document_ids: list[int] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    returncode: int | None = None
    finish_reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    log_tail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.errors and bool(self.document_ids or self.not_modified)


def run_spider(
    spider: str,
    *,
    run_id: str,
    dsn: str,
    spider_args: dict[str, object],
    settings: dict,
    fast: bool,
    timeout: float | None,
    progress=None,
) -> tuple[CrawlResult, str, bool, bool]:
    """``python -m scrapy crawl SPIDER`` in a child process: returns (result, log text, timed out,
    manifest written).  Raises nothing: the callers judge the outcome.  ``timeout`` None: no bound;
    ``progress`` (an :class:`etl.losses.progress.CrawlProgress`) is asked for a line while it runs."""
    env = {
        **os.environ,
        "ATTRITION_WAREHOUSE_DSN": dsn,
        "ATTRITION_RUN_ID": run_id,  # the run id's one way in
        "PYTHONPATH": os.pathsep.join(filter(None, [str(project_home()), os.environ.get("PYTHONPATH")])),
    }
    if fast:
        env["ATTRITION_FAST"] = "1"
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory(prefix=f"attrition-crawl-{spider}-") as tmp:
        manifest_path = Path(tmp) / "manifest.json"
        log_path = Path(tmp) / "scrapy.log"
        env["ATTRITION_MANIFEST"] = str(manifest_path)
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
        for name, value in spider_args.items():
            if value not in (None, "", [], ()):
                cmd += ["-a", f"{name}={','.join(value) if isinstance(value, (list, tuple)) else value}"]
        for name, value in {**(FAST_SETTINGS if fast else {}), **settings}.items():
            cmd += ["-s", f"{name}={value}"]
        started = time.monotonic()
        timed_out = False
        with log_path.open("wb") as log:
            proc = subprocess.Popen(cmd, cwd=project_home(), env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                returncode = _wait(proc, timeout, progress)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.terminate()  # Scrapy closes the spider on SIGTERM: the manifest still gets written
                try:
                    returncode = proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    returncode = proc.wait()
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else None

    if progress is not None:
        progress.emit(
            final=True,
            state="stopped (timeout)"
            if timed_out
            else ("finished" if returncode == 0 else f"scrapy exited {returncode}"),
        )
        progress.close()
    result = CrawlResult(
        source=spider,
        run_id=run_id,
        returncode=returncode,
        log_tail="\n".join(log_text.splitlines()[-LOG_TAIL_LINES:]),
        seconds=round(time.monotonic() - started, 3),
    )
    if manifest is not None:
        result.document_ids = list(manifest.get("documents", []))
        result.not_modified = list(manifest.get("not_modified", []))
        result.errors = list(manifest.get("errors", []))
        result.skipped = list(manifest.get("skipped", []))
        result.finish_reason = manifest.get("finish_reason")
        result.counts = dict(manifest.get("counts", {}))
    return result, log_text, timed_out, manifest is not None


def _wait(proc: subprocess.Popen, timeout: float | None, progress) -> int:
    """Wait for the child, asking ``progress`` for a line now and then; TimeoutExpired after ``timeout``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        step = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
        try:
            return proc.wait(timeout=step)
        except subprocess.TimeoutExpired:
            if deadline is not None and time.monotonic() >= deadline:
                raise
        if progress is not None:
            progress.maybe_emit()


def crawl(
    source: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    run_id: str,
    base_urls: dict[str, str] | None = None,
    dsn: str | None = None,
    fast: bool = False,
    timeout: float | None = None,
    lang: str | None = None,
    settings: dict[str, object] | None = None,
    progress: bool = True,
) -> CrawlResult:
    """Crawl ``source`` (minfin, mod, russianwarship) into the raw archive; raises :class:`CrawlError`.

    Without ``date_from``/``date_to`` it is the daily run (the latest bulletins), with them a backfill.
    ``base_urls`` overrides where the sources live (keys ``minfin``, ``mod_mil``, ``mod``,
    ``russianwarship`` as in ``ReplayServer.urls``, or the setting names); ``dsn`` the warehouse
    (default: the configured or embedded one, resolved here so the child needs no Airflow context);
    ``fast`` drops the politeness delays and retry backoff (loopback tests); ``timeout`` bounds the
    whole crawl in seconds (default: :func:`crawl_timeout` of the range); ``settings`` adds Scrapy
    settings (``-s NAME=VALUE``); ``progress`` prints a progress line at least every 30 s (stderr).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}")
    if dsn is None:
        from etl.config import warehouse_dsn

        dsn = warehouse_dsn()
    extra: dict[str, object] = {}
    for key, url in (base_urls or {}).items():
        name = BASE_URL_SETTINGS.get(key, key if key.startswith("ATTRITION_") else None)
        if name:
            extra[name] = url.rstrip("/")
    extra.update(settings or {})
    if timeout is None:
        timeout = crawl_timeout(source, date_from, date_to, fast=fast or setting("ATTRITION_FAST"))
    tracker = None
    if progress:
        from etl.losses.progress import CrawlProgress

        tracker = CrawlProgress(source, run_id, dsn, date_from, date_to)
    result, log_text, timed_out, has_manifest = run_spider(
        source,
        run_id=run_id,
        dsn=dsn,
        spider_args={
            "date_from": date_from and date_from.isoformat(),
            "date_to": date_to and date_to.isoformat(),
            "lang": lang,
        },
        settings=extra,
        fast=fast,
        timeout=timeout,
        progress=tracker,
    )
    start_url = _start_url(source, extra)
    raise_for_outcome(
        source, start_url, result, log_text, timed_out=timed_out, has_manifest=has_manifest, timeout=timeout
    )
    if not (result.document_ids or result.not_modified):
        scope = f" for {date_from or '…'}..{date_to or '…'}" if (date_from or date_to) else ""
        raise CrawlError(
            source, start_url, f"fetched nothing usable{scope} (finish reason {result.finish_reason})", result
        )
    return result


def raise_for_outcome(
    spider: str,
    url: str | None,
    result: CrawlResult,
    log_text: str,
    *,
    timed_out: bool,
    has_manifest: bool,
    timeout: float | None,
) -> None:
    """Raise :class:`CrawlError` for what fails any crawl (the values :func:`run_spider` returns): a
    timeout, a fetch error (named by its own URL, else ``url``), or a run that exited without its manifest
    or with a non-zero status."""
    if timed_out:
        raise CrawlError(
            spider,
            url,
            f"crawl did not finish within {timeout:g}s (stopped); what it archived is "
            "kept, and a re-run under the same run id skips it",
            result,
        )
    if result.errors:
        first = result.errors[0]
        more = f" (and {len(result.errors) - 1} more error(s))" if len(result.errors) > 1 else ""
        raise CrawlError(spider, first.get("url") or url, f"{first.get('error')}{more}", result)
    if not has_manifest or result.returncode != 0:
        raise CrawlError(
            spider,
            url,
            f"scrapy exited {result.returncode} without a complete run:\n{last_error_lines(log_text)}",
            result,
        )


def _start_url(source: str, extra: dict) -> str:
    from scrapers import settings as defaults  # plain module: no Scrapy import

    def base(name: str) -> str:
        return str(extra.get(name) or getattr(defaults, name)).rstrip("/")

    if source == "minfin":
        return base("ATTRITION_MINFIN_BASE_URL") + "/ua/russian-invading/casualties/"
    if source == "mod":
        return base("ATTRITION_MOD_BASE_URL") + "/news"
    return base("ATTRITION_RUSSIANWARSHIP_BASE_URL") + "/api/v2/statistics"


def last_error_lines(log_text: str, n: int = 15) -> str:
    lines = log_text.splitlines()
    errors = [i for i, line in enumerate(lines) if "ERROR" in line or "Traceback" in line]
    start = errors[0] if errors else max(0, len(lines) - n)
    return "\n".join(lines[start : start + n])
