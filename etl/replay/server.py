"""Offline replay server: the three loss sources rendered from snapshot CSVs on one loopback port.

Tests and the offline mode crawl this server with the project's real spiders, so every page is
shaped like the real site (tags, classes, label wording, URL paths) while the HTML itself is our own.
See docs/replay.md for the URL layout, the snapshot format and the fault switches.

    with ReplayServer("data/replay") as srv:
        urlopen(srv.urls["minfin"] + "/ua/russian-invading/casualties/")

Only the standard library is used (http.server in a daemon thread).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import asdict
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from etl.domain.model import SOURCES

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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "attrition-replay/1"
    server: _HTTPServer

    def log_message(self, format, *args):  # noqa: A002 - quiet unless asked
        if self.server.app.verbose:
            super().log_message(format, *args)

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK stall keep-alive clients
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def do_POST(self):
        if unquote(urlsplit(self.path).path).startswith(MOD_PREFIX + MODGOV_SEARCH_PATH):
            return self._search()
        self._control("POST")

    def _search(self) -> None:
        """mod.gov.ua's search endpoint (POST, JSON in and out); faults apply as to any path."""
        app = self.server.app
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fault = app.take_fault(unquote(parts.path), parse_qs(parts.query))
        if fault is not None and fault.kind == "http500":
            return self._send(json_page({"error": "Internal Server Error", "status": 500}, None, 500), head=False)
        if fault is not None and fault.kind == "hang":
            app.stopping.wait(fault.hang_seconds)
            self.close_connection = True
            return
        variant = (
            Variant(fault.kind, fault.category)
            if fault and fault.kind in ("missing", "garbled", "redesign")
            else FAITHFUL
        )
        page = app.mod.search(raw, variant)
        if fault is not None and fault.kind == "empty":
            page = Page(200, b"", page.content_type, None)
        if fault is not None and fault.kind == "oversize":
            return self._send_oversize(page, fault.size, head=False)
        self._send(page, head=False)

    def do_DELETE(self):
        self._control("DELETE")

    # -- control endpoint

    def _control(self, method: str) -> None:
        app = self.server.app
        path = urlsplit(self.path).path
        if method == "POST" and path.rstrip("/") in (CONTROL_PREFIX + "/hold", CONTROL_PREFIX + "/publish"):
            return self._hold_or_publish(path.rstrip("/").rsplit("/", 1)[1])
        if path.rstrip("/") != CONTROL_PREFIX + "/faults":
            return self._send(Page(404, b"", "text/plain; charset=utf-8"), head=False)
        if method == "DELETE":
            app.clear_faults()
            return self._send(json_page({"faults": []}, None), head=False)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            spec = json.loads(self.rfile.read(length) or b"{}")
            app.add_fault(**spec)
        except (ValueError, TypeError) as exc:
            return self._send(json_page({"error": str(exc)}, None, 400), head=False)
        return self._send(json_page({"faults": app.list_faults()}, None, 201), head=False)

    def _hold_or_publish(self, action: str) -> None:
        """POST /_replay/hold (optional JSON {"day": "YYYY-MM-DD"}) or POST /_replay/publish."""
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        try:
            spec = json.loads(self.rfile.read(length) or b"{}") if length else {}
            day = date.fromisoformat(spec["day"]) if spec.get("day") else None
        except (ValueError, TypeError, AttributeError) as exc:
            return self._send(json_page({"error": f"bad hold request: {exc}"}, None, 400), head=False)
        done = app.hold(day) if action == "hold" else app.publish()
        state = {"held_day": str(app.held_day) if app.held_day else None, action: str(done) if done else None}
        return self._send(json_page(state, None), head=False)

    # -- pages

    def _serve(self, head: bool) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        if path.rstrip("/") == CONTROL_PREFIX + "/faults":
            return self._send(json_page({"faults": app.list_faults()}, None), head)
        fault = app.take_fault(path, query)
        if fault is not None:
            if fault.kind == "http500":
                return self._send(
                    html_page("<!DOCTYPE html><html><body><h1>500 Internal Server Error</h1></body></html>", None, 500),
                    head,
                )
            if fault.kind == "hang":
                app.stopping.wait(fault.hang_seconds)
                self.close_connection = True
                return
            if fault.kind in ("http429", "http503"):
                status = int(fault.kind[4:])
                page = html_page(f"<!DOCTYPE html><html><body><h1>{status}</h1></body></html>", None, status)
                if fault.retry_after is not None:
                    page.headers["Retry-After"] = f"{fault.retry_after:g}"
                return self._send(page, head)
        variant = (
            Variant(fault.kind, fault.category)
            if fault and fault.kind in ("missing", "garbled", "redesign")
            else FAITHFUL
        )
        host = self.headers.get("Host") or f"{app.host}:{app.port}"
        page = app.render(path, query, variant, f"http://{host}")
        if app.latency > 0:  # a distant server: every page answer waits this long (see ReplayServer)
            app.stopping.wait(app.latency)
        if fault is not None and fault.kind == "empty":
            page = Page(200, b"", page.content_type, page.last_modified)
        if fault is not None and fault.kind == "oversize":
            return self._send_oversize(page, fault.size, head)
        self._send(page, head)

    def _send(self, page: Page, head: bool) -> None:
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:24] + '"'
        conditional = page.status == 200 and self._not_modified(etag, page.last_modified)
        self.send_response(304 if conditional else page.status)
        if page.status == 200:
            self.send_header("ETag", etag)
            if page.last_modified:
                self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
        for name, value in page.headers.items():
            self.send_header(name, value)
        if conditional:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if not head:
            self.wfile.write(page.body)

    def _not_modified(self, etag: str, last_modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return last_modified <= since
        return False

    def _send_oversize(self, page: Page, size: int, head: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(max(size, len(page.body))))
        self.end_headers()
        if head:
            return
        try:
            self.wfile.write(page.body)
            remaining = size - len(page.body)
            pad = (b"<!-- padding -->" * 4096) if page.content_type.startswith("text/html") else b" " * 65536
            while remaining > 0:
                piece = pad[:remaining]
                self.wfile.write(piece)
                remaining -= len(piece)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: ReplayServer


class ReplayServer:
    """The replay server; a context manager that serves from a daemon thread.

    ``base_url`` is ``http://HOST:PORT``; ``urls`` maps ``minfin``, ``mod_mil``, ``mod`` and
    ``russianwarship`` to the loopback stand-in of each real origin (swap the spider's base URL).
    """

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

    # -- lifecycle

    def start(self) -> ReplayServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="attrition-replay", kwargs={"poll_interval": 0.1}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

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
