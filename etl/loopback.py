"""Serving an HTTP server on loopback in a background thread: the life cycle both replays share
(the bulletin sites' :class:`etl.replay.server.ReplayServer` and the news sites'
:class:`etl.news.replay.NewsReplayServer`).  Test and development tooling; it imports nothing of etl."""

from __future__ import annotations

import threading
from http.server import HTTPServer
from typing import Self


class LoopbackServing:
    """``start()`` serves ``self._httpd`` in a daemon thread named :attr:`thread_name` (idempotent);
    ``stop()`` shuts it down, joins the thread and closes the socket; usable as a context manager."""

    thread_name = "attrition-loopback"
    _httpd: HTTPServer
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name=self.thread_name, kwargs={"poll_interval": 0.1}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
