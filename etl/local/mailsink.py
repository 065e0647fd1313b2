"""A real SMTP server on loopback that keeps every message it receives as an ``.eml`` file.

The alert e-mails of the demo stack and of the tests go here instead of to a mail provider:
``attrition mailsink serve`` (default 127.0.0.1:8025, files in ``.local/mail/``) or, in
Python, :class:`MailSink`.  It speaks plain SMTP (no TLS, no authentication) and accepts
any sender and recipient; it is not meant to listen beyond loopback.

Airflow's SMTP connection pointing at it is :func:`smtp_conn_value`, e.g.
``AIRFLOW_CONN_SMTP_DEFAULT='{"conn_type": "smtp", "host": "127.0.0.1", "port": 8025, "extra":
{"disable_tls": true, "disable_ssl": true}}'``: the SMTP provider's hook starts TLS unless the
extra ``disable_tls`` is set and connects with SMTP over SSL unless ``disable_ssl`` is (both are
read with ``bool()``, so in the URI form ``?disable_tls=false`` would mean *true*).  The JSON
form keeps them real booleans.

Heavy imports (aiosmtpd) happen in :meth:`MailSink.start`, so importing this module for the
CLI's argument parser costs nothing.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import html
import itertools
import json
import logging
import re
import signal
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from etl.config import SETTINGS, local_dir

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = SETTINGS["ATTRITION_MAILSINK_PORT"].default


def default_port() -> int:
    """The port ``attrition mailsink serve`` and `make up`'s sink use: ``ATTRITION_MAILSINK_PORT`` (default 8025)."""
    from etl.config import setting

    return setting("ATTRITION_MAILSINK_PORT")


def default_directory() -> Path:
    """Where ``attrition mailsink serve`` writes messages: ``<local_dir()>/mail``."""
    return local_dir() / "mail"


def smtp_conn_value(port: int, host: str = DEFAULT_HOST) -> str:
    """The Airflow SMTP connection (JSON form, for ``AIRFLOW_CONN_SMTP_DEFAULT``) of a sink on ``host:port``.

    Plain SMTP: no STARTTLS, no SSL, no login.
    """
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": host,
            "port": port,
            "extra": {"disable_tls": True, "disable_ssl": True, "timeout": 10},
        }
    )


class _Handler:
    """aiosmtpd handler: writes each message to ``directory`` as ``<UTC arrival time>-<sequence>.eml``."""

    def __init__(self, directory: Path, sequence: itertools.count):
        self.directory = directory
        self._sequence = sequence

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{next(self._sequence):06d}.eml"
        # The envelope (who it was really sent to, Bcc included) as headers, like a local MTA's Delivered-To.
        envelope_headers = (
            f"X-MailFrom: {envelope.mail_from}\r\nX-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope.original_content or envelope.content
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope_headers + content)
        partial.rename(self.directory / name)  # readers never see a half-written file
        log.info("mail from %s to %s saved as %s", envelope.mail_from, ", ".join(envelope.rcpt_tos), name)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on ``host:port`` (0: a free port, see :attr:`port`) saving messages into ``directory``.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`; it can be started again
    after a stop (on the same port), which is how the tests take the mail server away and back.
    """

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0, directory: Path | str | None = None):
        self.host = host
        self.port = port
        self.directory = Path(directory) if directory is not None else default_directory()
        self._controller = None
        self._sequence = itertools.count(1)  # kept across restarts: file names stay in arrival order

    def start(self) -> MailSink:
        """Listen (in a background thread) until :meth:`stop`; returns self."""
        from aiosmtpd.controller import Controller

        if self._controller is not None:
            raise RuntimeError(f"the mail sink already listens on {self.host}:{self.port}")
        self.directory.mkdir(parents=True, exist_ok=True)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        sink = self

        class _Controller(Controller):
            async def _bind(self):
                server = await super()._create_server()
                self.port = sink.port = server.sockets[0].getsockname()[1]  # the real port when 0 was asked
                return server

            def _create_server(self):
                return self._bind()

        controller = _Controller(
            _Handler(self.directory, self._sequence),
            hostname=self.host,
            port=self.port,
            server_hostname="attrition-mailsink",
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening (messages already saved stay in the directory)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def conn_value(self) -> str:
        """The Airflow SMTP connection pointing at this sink (see :func:`smtp_conn_value`)."""
        return smtp_conn_value(self.port, self.host)

    def files(self) -> list[Path]:
        """The saved ``.eml`` files, oldest first."""
        return sorted(self.directory.glob("*.eml")) if self.directory.is_dir() else []

    def messages(self) -> list[EmailMessage]:
        """The saved messages, parsed, oldest first."""
        return [read_message(path) for path in self.files()]


def read_message(path: Path) -> EmailMessage:
    """A saved ``.eml`` file, parsed."""
    return email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)


def message_text(message: EmailMessage) -> str:
    """The readable text of a message: its text/plain part, or its HTML part without tags and entities."""
    body = message.get_body(("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_subtype() == "html":
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    return content


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, directory: Path | str | None = None) -> None:
    """Run a :class:`MailSink` until SIGINT or SIGTERM (the ``attrition mailsink serve`` command)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with MailSink(host, port, directory) as sink:
            print(
                f"attrition mailsink: SMTP on {sink.host}:{sink.port}, saving messages to {sink.directory}", flush=True
            )
            print(f"  AIRFLOW_CONN_SMTP_DEFAULT='{sink.conn_value()}'", flush=True)
            stopping.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve_command(args: argparse.Namespace) -> int:
    serve(args.host, args.port, args.dir)
    return 0


def _show_command(args: argparse.Namespace) -> int:
    sink = MailSink(directory=args.dir)
    paths = sink.files()[-args.last :] if args.last > 0 else []
    if not paths:
        print(f"no mail in {sink.directory}")
        return 0
    for path in paths:
        message = read_message(path)
        print(f"=== {path}")
        for header in ("Date", "From", "X-RcptTo", "Subject"):
            print(f"{header}: {message.get(header, '')}")
        print()
        print(message_text(message).rstrip())
        print()
    return 0


def register(subparsers) -> None:
    """Add ``mailsink serve [--port 8025] [--dir DIR]`` and ``mailsink show [--last N] [--dir DIR]``
    to the ``attrition`` command's subparsers."""
    mailsink = subparsers.add_parser(
        "mailsink",
        help="a local SMTP server keeping every mail it receives (for alert e-mails offline)",
        description="Receive mail over plain SMTP on loopback and save each message as an .eml file "
        "(name: UTC arrival time), so the alert e-mails can be read without a mail provider. "
        "See docs/alerts.md.",
    )
    actions = mailsink.add_subparsers(dest="mailsink_command", required=True, metavar="ACTION")
    serve_parser = actions.add_parser("serve", help="serve until Ctrl-C (or SIGTERM)")
    serve_parser.add_argument(
        "--port", type=int, default=default_port(), help=f"port (default {DEFAULT_PORT}, or ATTRITION_MAILSINK_PORT)"
    )
    serve_parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    serve_parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder for the .eml files (default <ATTRITION_LOCAL_DIR or .local>/mail)",
    )
    serve_parser.set_defaults(func=_serve_command)
    show_parser = actions.add_parser("show", help="print the newest messages the sink saved, as text")
    show_parser.add_argument("--last", type=int, default=1, help="how many of the newest messages (default 1)")
    show_parser.add_argument(
        "--dir", type=Path, default=None, help="folder of the .eml files (default <ATTRITION_LOCAL_DIR or .local>/mail)"
    )
    show_parser.set_defaults(func=_show_command)
