"""Offline replay server: the three loss sources rendered from snapshot CSVs on one loopback port.

Tests and the offline mode crawl this server with the project's real spiders, so every page is
shaped like the real site (tags, classes, label wording, URL paths) while the HTML itself is our own.
See docs/replay.md for the URL layout, the snapshot format and the fault switches.

    with ReplayServer("data/replay") as srv:
        urlopen(srv.urls["minfin"] + "/ua/russian-invading/casualties/")

Only the standard library is used (http.server in a daemon thread).
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import unquote

from etl.domain.model import SOURCES
from etl.loopback import LoopbackServing

# re-exported: the server module was the replay's one module before the split (issue 12)
from etl.replay.common import (  # noqa: E402,F401
    CONTROL_PREFIX,
    DEFAULT_DATA_DIR,
    FAITHFUL,
    FAULT_KINDS,
    LISTING_PAGE_SIZE,
    MIL_ALIASES,
    MIL_PREFIX,
    MINFIN_PREFIX,
    MOD_PREFIX,
    MOD_URLS_FILE,
    RW_DEFAULT_LIMIT,
    RW_MAX_LIMIT,
    RW_PREFIX,
    Fault,
    Figure,
    Page,
    Series,
    Variant,
    html_page,
    json_page,
    load_mod_urls,
    load_series,
    not_found_html,
)
from etl.replay.handler import _Handler, _HTTPServer
from etl.replay.minfin import MINFIN_LABELS, MINFIN_ORDER, MinfinSite  # noqa: E402,F401
from etl.replay.mod import ModSite
from etl.replay.mod_text import (  # noqa: E402,F401
    MOD_LABELS,
    MOD_ORDER,
    MODGOV_SEARCH_PATH,
    mil_en_path,
    mil_uk_generated_path,
    mod_en_path,
)
from etl.replay.russianwarship import RussianwarshipAPI

# --------------------------------------------------------------------------- the HTTP server


class ReplayServer(LoopbackServing):
    """The replay server; a context manager that serves from a daemon thread.

    ``base_url`` is ``http://HOST:PORT``; ``urls`` maps ``minfin``, ``mod_mil``, ``mod`` and
    ``russianwarship`` to the loopback stand-in of each real origin (swap the spider's base URL).
    """

    thread_name = "attrition-replay"

    def __init__(
        self,
        data_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        latency: float = 0.0,
        hold: bool = False,
    ):
        self.data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        self.host, self.verbose = host, verbose
        self.latency = float(latency)  # seconds added before every page answer (a live site's round trip)
        self._full_series = {s: load_series(self.data_dir / f"{s}.csv", s) for s in SOURCES}
        self._mod_urls = load_mod_urls(self.data_dir / MOD_URLS_FILE)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._cache: dict[tuple, Page] = {}
        self.held_day: date | None = None
        self._build_sites(self.newest_day if hold else None)
        self.stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- holding back the newest day (the freshness benchmark and test: a bulletin "published" later)

    @property
    def newest_day(self) -> date | None:
        days = [s.latest for s in self._full_series.values() if s.latest]
        return max(days) if days else None

    def _build_sites(self, held_day: date | None) -> None:
        """(Re)build the three sites from the snapshot, leaving out every day from ``held_day`` on."""
        series = {
            name: s if held_day is None else Series(name, {d: f for d, f in s.days.items() if d < held_day})
            for name, s in self._full_series.items()
        }
        with self._lock:
            self.series, self.held_day = series, held_day
            self.minfin = MinfinSite(series["minfin"])
            self.mod = ModSite(series["mod"], self._mod_urls)
            self.rw = RussianwarshipAPI(series["russianwarship"])
            self._cache.clear()

    def hold(self, day: date | None = None) -> date | None:
        """Hide ``day`` (default: the snapshot's newest) and every later day on every site until :meth:`publish`."""
        self._build_sites(day or self.newest_day)
        return self.held_day

    def publish(self) -> date | None:
        """Publish the held days: pages change (new ETag / Last-Modified), so a conditional GET gets a 200 again."""
        held = self.held_day
        self._build_sites(None)
        return held

    # -- addresses

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def urls(self) -> dict[str, str]:
        b = self.base_url
        return {
            "minfin": b + MINFIN_PREFIX,
            "mod_mil": b + MIL_PREFIX,
            "mod": b + MOD_PREFIX,
            "russianwarship": b + RW_PREFIX,
            "control": b + CONTROL_PREFIX,
        }

    def bulletin_url(self, day: date, lang: str = "en") -> str | None:
        """The absolute URL of the mod bulletin of ``day`` (``lang`` 'en' or 'uk'), or None."""
        href = self.mod.url_of(day, lang)
        return self.base_url + href if href else None

    # -- lifecycle (start, __enter__, __exit__: LoopbackServing)

    def stop(self) -> None:
        self.stopping.set()
        super().stop()

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stopping.set()
            self._httpd.server_close()

    # -- faults

    def add_fault(self, path: str, kind: str, **options) -> Fault:
        """Make ``path`` (below the port root, e.g. ``/mil.gov.ua/en/news/``; ``*`` suffix = prefix) misbehave.

        ``path`` may be percent-encoded, as in a URL (requests are matched on their decoded path)."""
        fault = Fault(kind=kind, path=unquote(path), **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def list_faults(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take_fault(self, path: str, query: dict) -> Fault | None:
        if "_fault" in query:
            opts = {"category": query.get("_category", ["tanks"])[0]}
            if "_size" in query:
                opts["size"] = int(query["_size"][0])
            if "_seconds" in query:
                opts["hang_seconds"] = float(query["_seconds"][0])
            if "_retry_after" in query:
                opts["retry_after"] = float(query["_retry_after"][0])
            try:
                return Fault(kind=query["_fault"][0], path=path, **opts)
            except ValueError:
                return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- rendering

    def render(self, path: str, query: dict, variant: Variant, origin: str) -> Page:
        query = {k: v for k, v in query.items() if not k.startswith("_")}
        key = (
            path,
            tuple(sorted((k, tuple(v)) for k, v in query.items())),
            variant,
            origin if path.startswith(RW_PREFIX) else "",
        )
        page = self._cache.get(key)
        if page is None:
            page = self._route(path, query, variant, origin) or self._not_found(path)
            if page.status == 200:
                self._cache[key] = page
        return page

    def _not_found(self, path: str) -> Page:
        if path.startswith(RW_PREFIX):
            return RussianwarshipAPI._not_found()
        return not_found_html(path)

    def _route(self, path: str, query: dict, variant: Variant, origin: str) -> Page | None:
        for alias in MIL_ALIASES:
            if path.startswith(alias + "/"):
                path = MIL_PREFIX + path[len(alias) :]
        if path.startswith(MINFIN_PREFIX + "/"):
            return self.minfin.route(path[len(MINFIN_PREFIX) :], query, variant)
        if path.startswith(MIL_PREFIX + "/"):
            return self.mod.route("mil", path[len(MIL_PREFIX) :], query, variant)
        if path.startswith(MOD_PREFIX + "/"):
            return self.mod.route("mod", path[len(MOD_PREFIX) :], query, variant)
        if path.startswith(RW_PREFIX + "/"):
            return self.rw.route(path[len(RW_PREFIX) :], query, variant, origin)
        if path == "/":
            return self._root()
        return None

    def _root(self) -> Page:
        rows = "".join(
            f"<li>{s}: {len(self.series[s])} days"
            + (f", {self.series[s].order[0]} to {self.series[s].latest}" if self.series[s].order else "")
            + "</li>"
            for s in SOURCES
        )
        links = (
            '<li><a href="/index.minfin.com.ua/ua/russian-invading/casualties/">minfin (ua)</a></li>'
            '<li><a href="/index.minfin.com.ua/en/russian-invading/casualties/">minfin (en)</a></li>'
            '<li><a href="/mil.gov.ua/en/news/">mil.gov.ua news (en)</a></li>'
            '<li><a href="/mil.gov.ua/news/">mil.gov.ua news (uk)</a></li>'
            '<li><a href="/mod.gov.ua/news">mod.gov.ua news (uk)</a></li>'
            '<li><a href="/mod.gov.ua/en/news">mod.gov.ua news (en)</a></li>'
            '<li><a href="/russianwarship.rip/api/v2/statistics/latest">russianwarship latest</a></li>'
        )
        return html_page(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>attrition replay</title>'
            f"</head><body><h1>attrition replay</h1><p>Data: {escape(str(self.data_dir))}</p>"
            f"<ul>{rows}</ul><ul>{links}</ul></body></html>",
            None,
        )


def serve(
    data_dir: str | Path | None = None,
    port: int = 8000,
    host: str = "127.0.0.1",
    verbose: bool = False,
    latency: float = 0.0,
    hold: bool = False,
) -> None:
    """Serve ``data_dir`` (default data/replay) on ``host:port`` until interrupted (the CLI entry);
    ``latency`` seconds are added before every page answer."""
    server = ReplayServer(data_dir, host=host, port=port, verbose=verbose, latency=latency, hold=hold)
    if server.held_day:
        print(f"attrition replay: holding back {server.held_day} (POST {server.urls['control']}/publish)")
    print(f"attrition replay: serving {server.data_dir} on {server.base_url}")
    for name, url in server.urls.items():
        print(f"  {name:15s} {url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m etl.replay.server", description="Serve the replay snapshot over HTTP.")
    ap.add_argument("--data", default=None, help="snapshot directory (default: data/replay)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added before every page answer")
    ap.add_argument("--hold", action="store_true", help="hold back the newest day until POST /_replay/publish")
    args = ap.parse_args(argv)
    serve(args.data, args.port, args.host, args.verbose, args.latency, args.hold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
