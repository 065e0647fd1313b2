"""Run a news spider as a ``scrapy crawl`` subprocess and say what it archived.

    result = crawl_news("news_article", run_id="manual-1", args={"feeds": "https://.../rss"})

Like :func:`etl.crawl.crawl` (same child process, manifest and :class:`etl.crawl.CrawlResult`), for the
spiders of :data:`etl.news.sources.SPIDERS`.  A crawl that fetched nothing is not an error here (the
day's article may not be out yet); fetch errors are: :class:`etl.crawl.CrawlError` names the spider,
the URL and the problem, with the result (what was archived before) on it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from etl.config import project_home
from etl.crawl import FAST_SETTINGS, LOG_TAIL_LINES, CrawlError, CrawlResult
from etl.news.sources import KYIV_INDEPENDENT_SETTING, SPIDERS


def crawl_news(spider: str, *, run_id: str, args: dict | None = None, dsn: str | None = None,
               date_from: date | None = None, date_to: date | None = None, fast: bool = False,
               timeout: float = 900, settings: dict | None = None, kyiv_independent_base: str | None = None,
               raise_on_error: bool = True) -> CrawlResult:
    if spider not in SPIDERS:
        raise ValueError(f"unknown news spider {spider!r}; expected one of {', '.join(SPIDERS)}")
    if dsn is None:
        from etl.config import warehouse_dsn

        dsn = warehouse_dsn()
    extra = dict(FAST_SETTINGS) if fast else {}
    if kyiv_independent_base:
        extra[KYIV_INDEPENDENT_SETTING] = kyiv_independent_base.rstrip("/")
    extra.update(settings or {})
    env = {**os.environ, "ATTRITION_WAREHOUSE_DSN": dsn, "ATTRITION_RUN_ID": run_id,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(project_home()), os.environ.get("PYTHONPATH")]))}
    if fast:
        env["ATTRITION_FAST"] = "1"
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    spider_args = {k: v for k, v in (args or {}).items() if v not in (None, "", [])}
    if date_from:
        spider_args["date_from"] = date_from.isoformat()
    if date_to:
        spider_args["date_to"] = date_to.isoformat()

    with tempfile.TemporaryDirectory(prefix=f"attrition-crawl-{spider}-") as tmp:
        manifest_path = Path(tmp) / "manifest.json"
        log_path = Path(tmp) / "scrapy.log"
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"run_id={run_id}"]
        for name, value in spider_args.items():
            value = ",".join(value) if isinstance(value, (list, tuple)) else value
            cmd += ["-a", f"{name}={value}"]
        for name, value in {"ATTRITION_MANIFEST": str(manifest_path), "ATTRITION_RUN_ID": run_id, **extra}.items():
            cmd += ["-s", f"{name}={value}"]
        started = time.monotonic()
        timed_out = False
        with log_path.open("wb") as log:
            proc = subprocess.Popen(cmd, cwd=project_home(), env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                returncode = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.terminate()
                try:
                    returncode = proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    returncode = proc.wait()
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else None

    result = CrawlResult(source=spider, run_id=run_id, returncode=returncode,
                         log_tail="\n".join(log_text.splitlines()[-LOG_TAIL_LINES:]),
                         seconds=round(time.monotonic() - started, 3))
    if manifest is not None:
        result.document_ids = list(manifest.get("documents", []))
        result.not_modified = list(manifest.get("not_modified", []))
        result.errors = list(manifest.get("errors", []))
        result.skipped = list(manifest.get("skipped", []))
        result.finish_reason = manifest.get("finish_reason")
        result.counts = dict(manifest.get("counts", {}))
    if not raise_on_error:
        return result
    if timed_out:
        raise CrawlError(spider, None, f"crawl did not finish within {timeout:g}s (stopped)", result)
    if result.errors:
        first = result.errors[0]
        more = f" (and {len(result.errors) - 1} more error(s))" if len(result.errors) > 1 else ""
        raise CrawlError(spider, first.get("url"), f"{first.get('error')}{more}", result)
    if manifest is None or returncode != 0:
        lines = log_text.splitlines()
        bad = [i for i, line in enumerate(lines) if "ERROR" in line or "Traceback" in line]
        tail = "\n".join(lines[bad[0]:bad[0] + 15] if bad else lines[-15:])
        raise CrawlError(spider, None, f"scrapy exited {returncode} without a complete run:\n{tail}", result)
    return result
