"""Alert notifications: real SMTP (the loopback mail sink), real HTTP endpoints, a real warehouse."""

from __future__ import annotations

import argparse
import json
import re
import signal
import smtplib
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import pytest
from helpers import REPO, free_port

from etl.local.mailsink import MailSink, message_text, register, smtp_conn_value
from etl.warehouse import notify
from etl.warehouse.alerts import record_alert
from etl.warehouse.notify import AlertDeliveryError, deliver_pending

RUN_URL = "http://127.0.0.1:8080/dags/losses_daily/runs/scheduled__2024-03-01T05:00:00+00:00?try=1&tab=logs"
DOCS_URL = "http://127.0.0.1:8080/data-docs/validations/losses_20240301.html"


@pytest.fixture(autouse=True)
def alert_env(monkeypatch, isolated_env):
    """No alert setting leaks in from the environment; Airflow's home stays in the session's folder."""
    for var in (
        "AIRFLOW_CONN_SMTP_DEFAULT",
        "AIRFLOW_CONN_ATTRITION_SLACK",
        "AIRFLOW_CONN_ATTRITION_WEBHOOK",
        "ATTRITION_SMTP_CONN_ID",
        "ATTRITION_ALERT_EMAIL_TO",
        "ATTRITION_ALERT_EMAIL_FROM",
        "ATTRITION_ALERT_DIGEST_OVER",
        "ATTRITION_MAILSINK_PORT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(isolated_env / "airflow-notify"))


@pytest.fixture
def sink(tmp_path, monkeypatch):
    """A mail sink on a free port, configured as Airflow's smtp_default connection."""
    with MailSink(directory=tmp_path / "mail") as mail:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_conn_value(mail.port))
        yield mail


class Endpoint:
    """A local HTTP server recording the JSON POSTed to it; answers ``status`` (200 by default)."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.status = 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.posts.append((self.path, json.loads(body)))
                self.send_response(endpoint.status)
                self.end_headers()
                self.wfile.write(b"ok" if endpoint.status == 200 else b"unavailable")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def to(self, path: str) -> list[dict]:
        return [body for p, body in self.posts if p == path]


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.server.shutdown()
    server.server.server_close()


def quarantine_alert(dsn: str, as_of: str = "2024-03-01", quarantine_id: int = 5) -> int:
    """Record a quarantine alert (as the quality gate would), with its run URL and Data Docs link."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        alert_id = record_alert(
            cur,
            "quarantine",
            f"quarantine:mod:{as_of}:tanks",
            f"[attrition] mod {as_of} tanks quarantined",
            "mod's cumulative count of tanks jumped by 1,000 in a day and was kept out of the accepted series.",
            {
                "source": "mod",
                "as_of": as_of,
                "category": "tanks",
                "cumulative": 7700,
                "diagnosis": "typo_high",
                "expectation": "increase_within_plausible_range",
                "neighbours": {"2024-02-29": 6700, "2024-03-02": 6710},
                "quarantine_id": quarantine_id,
            },
            run_url=RUN_URL,
        )
        cur.execute("UPDATE quality.alert SET data_docs_url = %s WHERE id = %s", (DOCS_URL, alert_id))
    conn.close()
    return alert_id


def other_alert(dsn: str, kind: str, key: str, subject: str, details: dict) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        alert_id = record_alert(cur, kind, key, subject, f"{subject} (body)", details)
    conn.close()
    return alert_id


def alerts_deliver(dsn: str, monkeypatch) -> int:
    """``attrition alerts deliver`` (through :func:`etl.warehouse.notify.register`) against the warehouse ``dsn``."""
    monkeypatch.setenv("ATTRITION_WAREHOUSE_DSN", dsn)
    parser = argparse.ArgumentParser(prog="attrition")
    notify.register(parser.add_subparsers())
    args = parser.parse_args(["alerts", "deliver"])
    return args.func(args)


def alert_row(dsn: str, alert_id: int) -> dict:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT notified_at, channels, details FROM quality.alert WHERE id = %s", (alert_id,))
        notified_at, channels, details = cur.fetchone()
    conn.close()
    return {"notified_at": notified_at, "channels": channels, "details": details}


def test_an_alert_is_mailed_once_saying_what_why_where(db, sink, monkeypatch):
    monkeypatch.setenv("ATTRITION_ALERT_EMAIL_TO", "ops@example.org, analyst@example.org")
    alert_id = quarantine_alert(db)

    report = deliver_pending(db)

    assert report.sent == [alert_id] and report.failed == [] and report.channels == ["email"]
    assert "delivered 1 alert(s) via email" in report.summary()
    [mail] = sink.messages()
    assert mail["Subject"] == "[attrition] mod 2024-03-01 tanks quarantined"
    assert mail["From"] == "attrition@localhost"
    assert mail["X-RcptTo"] == "ops@example.org, analyst@example.org"
    text = message_text(mail)
    assert "mod 2024-03-01 tanks = 7700" in text  # the record
    assert "typo_high" in text and "increase_within_plausible_range" in text  # the diagnosis
    assert "2024-02-29: 6700" in text  # the neighbours
    assert RUN_URL in text and DOCS_URL in text
    assert "attrition quarantine show 5" in text
    row = alert_row(db, alert_id)
    assert row["notified_at"] is not None and row["channels"] == ["email"]

    # the task is retried, the DAG run re-run: the same incident is not recorded again, nothing is re-sent
    assert quarantine_alert(db) is None
    again = deliver_pending(db)
    assert again.sent == [] and "no undelivered alert" in again.summary()
    assert len(sink.messages()) == 1


def test_a_failing_mail_server_leaves_the_alert_pending_until_it_is_back(db, sink, monkeypatch, capsys):
    alert_id = quarantine_alert(db)
    sink.stop()

    report = deliver_pending(db)

    assert report.sent == []
    [(failed_id, channel, error)] = report.failed
    assert (failed_id, channel) == (alert_id, "email")
    assert "smtp_default" in error and "refused" in error.lower()
    assert "FAILED on email" in report.summary() and "retried" in report.summary()
    row = alert_row(db, alert_id)
    assert row["notified_at"] is None and row["channels"] == []
    assert row["details"]["delivery"]["attempts"] == 1
    assert "refused" in row["details"]["delivery"]["errors"][0]["error"].lower()
    assert row["details"]["diagnosis"] == "typo_high"  # the alert's own details are kept

    with pytest.raises(AlertDeliveryError, match="smtp_default"):
        deliver_pending(db, raise_on_failure=True)
    assert alert_row(db, alert_id)["details"]["delivery"]["attempts"] == 2
    assert alerts_deliver(db, monkeypatch) == 1
    assert "FAILED on email" in capsys.readouterr().out

    sink.start()  # same port
    assert deliver_pending(db).sent == [alert_id]
    assert deliver_pending(db).sent == []
    assert len(sink.messages()) == 1
    assert alert_row(db, alert_id)["notified_at"] is not None


def test_more_alerts_than_the_threshold_come_as_one_digest(db, sink, monkeypatch):
    monkeypatch.setenv("ATTRITION_ALERT_DIGEST_OVER", "3")
    first = [quarantine_alert(db, f"2024-03-0{day}", quarantine_id=day) for day in (1, 2)]
    assert deliver_pending(db).digest is False
    assert len(sink.messages()) == 2  # at or under the threshold: one mail each

    backfill = [quarantine_alert(db, f"2024-04-0{day}", quarantine_id=10 + day) for day in range(1, 5)]
    backfill.append(
        other_alert(
            db,
            "parse_failure",
            "parse_failure:minfin:x",
            "[attrition] minfin: cannot parse https://index.minfin.com.ua/ua/russian-invading/casualties/2024-04/",
            {"source": "minfin", "field": "tanks", "problem": "garbled number"},
        )
    )

    report = deliver_pending(db)

    assert report.digest is True and sorted(report.sent) == sorted(backfill)
    assert "as one digest" in report.summary()
    assert len(sink.messages()) == 3
    digest = sink.messages()[-1]
    assert digest["Subject"] == "[attrition] 5 data-quality alerts: 4 quarantine, 1 parse failure"
    text = message_text(digest)
    for alert_id, day in zip(backfill, range(1, 5), strict=False):
        assert f"#{alert_id} [error] [attrition] mod 2024-04-0{day} tanks quarantined" in text
    assert "garbled number" in text and RUN_URL in text and DOCS_URL in text
    # it opens with the counts by kind and source; each record awaiting a person links to its Required Action
    opening = text.split("\n\n")[1]
    assert opening.startswith("By kind and source:")
    assert re.search(r"quarantine:\s+4\s+\(mod 4\)", opening)
    assert re.search(r"parse failure:\s+1\s+\(minfin 1\)", opening)
    assert re.search(r"awaiting a person:\s+4", opening)
    assert text.count("Required Actions: http") == 4 and text.index("Required Actions") < text.index("garbled")
    assert all(alert_row(db, i)["notified_at"] is not None for i in first + backfill)


def test_slack_and_webhook_channels_post_to_their_connections(db, sink, endpoint, monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_ATTRITION_SLACK",
        json.dumps({"conn_type": "slackwebhook", "host": endpoint.url, "password": "services/T000/B000/not-a-secret"}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_ATTRITION_WEBHOOK", json.dumps({"conn_type": "http", "host": f"{endpoint.url}/hooks/attrition"})
    )
    alert_id = quarantine_alert(db)

    report = deliver_pending(db)

    assert report.channels == ["email", "slack", "webhook"] and report.sent == [alert_id]
    [slack] = endpoint.to("/services/T000/B000/not-a-secret")
    assert slack["text"].startswith("*[attrition] mod 2024-03-01 tanks quarantined*")
    assert "typo_high" in slack["text"] and RUN_URL.replace("&", "&amp;") in slack["text"]
    [hook] = endpoint.to("/hooks/attrition")
    assert hook["id"] == alert_id and hook["kind"] == "quarantine" and hook["digest"] is False
    assert hook["details"]["quarantine_id"] == 5 and hook["details"]["cumulative"] == 7700
    assert hook["run_url"] == RUN_URL and hook["data_docs_url"] == DOCS_URL
    assert len(sink.messages()) == 1
    assert alert_row(db, alert_id)["channels"] == ["email", "slack", "webhook"]


def test_only_the_failed_channel_is_retried(db, sink, endpoint, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_ATTRITION_WEBHOOK", json.dumps({"conn_type": "http", "host": endpoint.url}))
    endpoint.status = 503
    alert_id = quarantine_alert(db)

    report = deliver_pending(db)

    [(_, channel, error)] = report.failed
    assert channel == "webhook" and "attrition_webhook" in error and "503" in error
    row = alert_row(db, alert_id)
    assert row["notified_at"] is None and row["channels"] == ["email"]  # the mail went out

    endpoint.status = 200
    assert deliver_pending(db).sent == [alert_id]
    assert len(sink.messages()) == 1  # not mailed a second time
    assert len(endpoint.to("/")) == 2  # the failed POST and the good one
    assert alert_row(db, alert_id)["channels"] == ["email", "webhook"]


def test_without_any_channel_nothing_is_marked_delivered(db, monkeypatch, capsys):
    alert_id = quarantine_alert(db)
    monkeypatch.setenv("AIRFLOW_CONN_ATTRITION_WEBHOOK", "{not json")

    report = deliver_pending(db)

    assert report.sent == [] and report.channels == []
    summary = report.summary()
    assert "no alert channel configured: 1 alert(s) stay undelivered" in summary
    assert "AIRFLOW_CONN_ATTRITION_WEBHOOK is set but is not a valid Airflow connection" in summary
    row = alert_row(db, alert_id)
    assert row["notified_at"] is None and row["channels"] == [] and "delivery" not in row["details"]
    assert alerts_deliver(db, monkeypatch) == 0
    assert "warning: no alert channel configured" in capsys.readouterr().out


def test_concurrent_deliveries_send_each_alert_once(db, sink):
    ids = [quarantine_alert(db, f"2024-05-0{day}", quarantine_id=day) for day in range(1, 6)]
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(deliver_pending(db))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(i for r in reports for i in r.sent) == ids
    assert len(sink.messages()) == 5


CLI = (
    "import argparse, sys\nfrom etl.local.mailsink import register\n"
    "parser = argparse.ArgumentParser(prog='attrition')\nregister(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\nsys.exit(args.func(args))\n"
)


def mailsink_cli(*args: str, **popen) -> subprocess.Popen:
    """``attrition mailsink ARGS`` through :func:`etl.local.mailsink.register`, as etl/cli/__init__.py wires it."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "mailsink", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def test_mailsink_serve_saves_mail_until_sigterm_and_show_prints_it(tmp_path):
    parser = argparse.ArgumentParser(prog="attrition")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["mailsink", "serve"])
    assert (args.port, args.host, args.dir) == (8025, "127.0.0.1", None)

    port, folder = free_port(), str(tmp_path / "mail")
    proc = mailsink_cli("serve", "--port", str(port), "--dir", folder)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the mail sink did not start"
                time.sleep(0.1)
        with client:
            client.sendmail(
                "attrition@localhost",
                ["ops@example.org"],
                b"Subject: hello\r\nContent-Type: text/html\r\n\r\n<pre>from the test &amp; co</pre>\r\n",
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"SMTP on 127.0.0.1:{port}" in output
    [saved] = MailSink(directory=folder).messages()
    assert saved["Subject"] == "hello" and saved["X-RcptTo"] == "ops@example.org"

    show = mailsink_cli("show", "--dir", folder)
    shown, _ = show.communicate(timeout=30)
    assert show.returncode == 0 and "Subject: hello" in shown and "from the test & co" in shown
