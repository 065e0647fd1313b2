"""The replay's HTTP side: the request handler (pages, faults, the control endpoint) and its
threading server; :class:`etl.replay.server.ReplayServer` owns both and answers through ``app``."""

from __future__ import annotations

import hashlib
import json
import socket
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from etl.replay.common import CONTROL_PREFIX, FAITHFUL, MOD_PREFIX, Page, Variant, html_page, json_page
from etl.replay.mod_text import MODGOV_SEARCH_PATH


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
    app: Any  # the etl.replay.server.ReplayServer serving (not imported here: it imports this module)
