"""Send the data-quality alerts of ``quality.alert`` through Airflow notifiers.

Other code records one row per incident (:func:`etl.warehouse.alerts.record_alert`); :func:`deliver_pending`
sends the rows not sent yet and marks them sent, so an incident is announced once however often
its task is retried or its DAG run re-run.

Channels are Airflow notifiers, each enabled when its Airflow connection exists (the variable
``AIRFLOW_CONN_<ID>`` in URI or JSON form, or, inside Airflow, a connection stored there):

- ``email``: ``SmtpNotifier`` on connection ``smtp_default`` (or ``ATTRITION_SMTP_CONN_ID``), to
  ``ATTRITION_ALERT_EMAIL_TO`` from ``ATTRITION_ALERT_EMAIL_FROM``;
- ``slack``: ``SlackWebhookNotifier`` on connection ``attrition_slack``;
- ``webhook``: ``HttpNotifier`` on connection ``attrition_webhook``, a JSON POST of the alert's fields.

Delivery is per channel: ``quality.alert.channels`` lists the channels that have delivered an
alert, and ``notified_at`` is set once every enabled channel has.  A failing channel leaves the
row pending with the reason in ``details -> 'delivery'``; the next call retries that channel only.
More than ``ATTRITION_ALERT_DIGEST_OVER`` (default 10) pending alerts go out as one digest per
channel.  The pending rows are locked (``FOR UPDATE SKIP LOCKED``) while they are sent, so two
concurrent calls never send the same alert.  Operator guide: docs/alerts.md.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from etl.config import SETTINGS, setting
from etl.errors import MessageError
from etl.warehouse.alert_message import Alert, Message, _html, _slack_text, alert_message, digest_message

SMTP_CONN_ID = SETTINGS["ATTRITION_SMTP_CONN_ID"].default
SLACK_CONN_ID = "attrition_slack"
WEBHOOK_CONN_ID = "attrition_webhook"
DEFAULT_EMAIL_TO = SETTINGS["ATTRITION_ALERT_EMAIL_TO"].default
DEFAULT_EMAIL_FROM = SETTINGS["ATTRITION_ALERT_EMAIL_FROM"].default
DEFAULT_DIGEST_OVER = SETTINGS["ATTRITION_ALERT_DIGEST_OVER"].default
WEBHOOK_TIMEOUT = 30  # seconds, unless the connection's extra sets "timeout"


class AlertDeliveryError(MessageError):
    """Some alert could not be sent (only raised with ``raise_on_failure=True``); ``.report`` says which."""

    def __init__(self, report: DeliveryReport):
        super().__init__(report.summary())
        self.report = report


# ---------------------------------------------------------------------------------------------
# channels
# ---------------------------------------------------------------------------------------------
def email_recipients() -> list[str]:
    """``ATTRITION_ALERT_EMAIL_TO``: comma-separated (default attrition-alerts@localhost)."""
    value = setting("ATTRITION_ALERT_EMAIL_TO")
    return [addr.strip() for addr in value.split(",") if addr.strip()]


def email_sender() -> str:
    """``ATTRITION_ALERT_EMAIL_FROM`` (default attrition@localhost)."""
    return setting("ATTRITION_ALERT_EMAIL_FROM")


def digest_threshold() -> int:
    """``ATTRITION_ALERT_DIGEST_OVER``: more pending alerts than this go out as one digest (default 10)."""
    return setting("ATTRITION_ALERT_DIGEST_OVER")


@dataclass(frozen=True)
class Channel:
    """A configured channel: its name, its Airflow connection id and the resolved connection."""

    name: str
    conn_id: str
    conn: Any = field(compare=False, repr=False)

    def notifier(self, message: Message):
        """The Airflow notifier that sends ``message`` on this channel."""
        if self.name == "email":
            from airflow.providers.smtp.notifications.smtp import SmtpNotifier

            return SmtpNotifier(
                to=email_recipients(),
                from_email=email_sender(),
                subject=message.subject,
                html_content=_html(message.text),
                smtp_conn_id=self.conn_id,
                custom_headers=message.headers,
            )
        if self.name == "slack":
            from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

            return SlackWebhookNotifier(
                slack_webhook_conn_id=self.conn_id, text=_slack_text(message), unfurl_links=False
            )
        from airflow.providers.http.notifications.http import HttpNotifier

        timeout = self.conn.extra_dejson.get("timeout", WEBHOOK_TIMEOUT)
        return HttpNotifier(
            http_conn_id=self.conn_id,
            json=message.payload,
            extra_options={"timeout": timeout},
            headers={"User-Agent": "attrition-alerts"},
        )

    def send(self, message: Message) -> None:
        # notify() rather than calling the notifier: calling it would render the alert's text as a
        # Jinja template, and a record or a page excerpt may well contain "{{".
        self.notifier(message).notify({})


def channel_conn_ids() -> list[tuple[str, str]]:
    """(channel, connection id) in delivery order."""
    return [("email", setting("ATTRITION_SMTP_CONN_ID")), ("slack", SLACK_CONN_ID), ("webhook", WEBHOOK_CONN_ID)]


def configured_channels() -> tuple[list[Channel], list[str]]:
    """The channels whose Airflow connection resolves, and warnings about connections set but unreadable.

    ``airflow.sdk.BaseHook.get_connection`` reads ``AIRFLOW_CONN_<ID>`` in any process (outside
    Airflow the task SDK falls back to the environment-variable secrets backend and any external
    backend configured), and inside a task also the connections stored in Airflow.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    channels, warnings = [], []
    for name, conn_id in channel_conn_ids():
        try:
            conn = BaseHook.get_connection(conn_id)
        except AirflowNotFoundException:
            variable = f"AIRFLOW_CONN_{conn_id.upper()}"
            if os.environ.get(variable):
                warnings.append(
                    f"{variable} is set but is not a valid Airflow connection (URI or JSON form): channel {name} is off"
                )
            continue
        channels.append(Channel(name, conn_id, conn))
    return channels, warnings


# ---------------------------------------------------------------------------------------------
# delivery
# ---------------------------------------------------------------------------------------------
@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` call did."""

    sent: list[int] = field(default_factory=list)  # alerts now delivered on every channel
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (alert id, channel, error)
    channels: list[str] = field(default_factory=list)  # the channels enabled for this call
    digest: bool = False
    warnings: list[str] = field(default_factory=list)
    pending: int = 0  # undelivered alerts found (locked by another call: not counted)

    def summary(self) -> str:
        lines = [f"warning: {w}" for w in self.warnings]
        if self.channels:
            via = ", ".join(self.channels)
            if not self.pending:
                lines.append(f"no undelivered alert (channels: {via})")
            elif self.sent:
                lines.append(
                    f"delivered {len(self.sent)} alert(s) via {via}" + (" as one digest" if self.digest else "")
                )
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for alert_id, channel, error in self.failed:
            groups[(channel, error)].append(alert_id)
        for (channel, error), ids in groups.items():
            shown = ", ".join(f"#{i}" for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            lines.append(
                f"alert delivery FAILED on {channel} for {len(ids)} alert(s) ({shown}): {error}; "
                "they stay undelivered and are retried on the next delivery"
            )
        return "\n".join(lines)


_SELECT_PENDING = """
    SELECT id, kind, incident_key, severity, subject, body, details, run_url, data_docs_url, created_at, channels
    FROM quality.alert
    WHERE notified_at IS NULL
    ORDER BY id
    FOR UPDATE SKIP LOCKED
"""


def deliver_pending(
    dsn: str | None = None, *, now: datetime | None = None, raise_on_failure: bool = False
) -> DeliveryReport:
    """Send every undelivered alert through every configured channel; mark what was sent.

    ``now`` is the delivery time recorded (default: the transaction's ``now()``).  A channel that
    fails leaves its alerts undelivered, with the error in ``details -> 'delivery'``; the report
    names the channel and its connection.  With ``raise_on_failure`` that raises
    :class:`AlertDeliveryError` (after recording).  Without any configured channel nothing is sent
    or marked and the report carries the warning "no alert channel configured".
    """
    from etl.warehouse.db import transaction
    from etl.warehouse.spool import flush_spool

    flush_spool(dsn)  # alerts spooled while the warehouse was unreachable (etl.warehouse.spool) join the pending ones
    threshold = digest_threshold()
    channels, warnings = configured_channels()
    report = DeliveryReport(channels=[c.name for c in channels], warnings=warnings)
    with transaction(dsn, application_name="attrition-notify") as conn, conn.cursor() as cur:
        if not channels:
            cur.execute("SELECT count(*) FROM quality.alert WHERE notified_at IS NULL")
            report.pending = cur.fetchone()[0]
            ids = ", ".join(conn_id for _, conn_id in channel_conn_ids())
            report.warnings.append(
                f"no alert channel configured: {report.pending} alert(s) stay undelivered "
                f"in quality.alert; define an Airflow connection {ids} "
                "(e.g. AIRFLOW_CONN_SMTP_DEFAULT; see docs/alerts.md)"
            )
            return report
        cur.execute(_SELECT_PENDING)
        alerts = [Alert(*row[:10], channels=tuple(row[10])) for row in cur.fetchall()]
        report.pending = len(alerts)
        if not alerts:
            return report
        if now is None:
            cur.execute("SELECT now()")
            now = cur.fetchone()[0]
        delivered, errors = _send(alerts, channels, threshold, report)
        _mark(cur, alerts, channels, delivered, errors, now, report)
    if raise_on_failure and report.failed:
        raise AlertDeliveryError(report)
    return report


def _send(
    alerts: list[Alert], channels: list[Channel], threshold: int, report: DeliveryReport
) -> tuple[dict[int, set[str]], dict[int, list[dict]]]:
    """Send each alert (or one digest, over ``threshold`` alerts) on each channel that has not delivered it yet."""
    report.digest = len(alerts) > threshold
    delivered = {a.id: set(a.channels) for a in alerts}
    errors: dict[int, list[dict]] = defaultdict(list)
    for channel in channels:
        todo = [a for a in alerts if channel.name not in a.channels]
        if report.digest:
            batches = [todo] if todo else []
        else:
            batches = [[a] for a in todo]
        for batch in batches:
            message = digest_message(batch, threshold) if report.digest else alert_message(batch[0])
            try:
                channel.send(message)
            except Exception as exc:  # whatever the notifier raised: recorded on the alert, retried next time
                error = f"connection {channel.conn_id}: {type(exc).__name__}: {exc}"
                for alert in batch:
                    errors[alert.id].append({"channel": channel.name, "conn_id": channel.conn_id, "error": error})
                    report.failed.append((alert.id, channel.name, error))
            else:
                for alert in batch:
                    delivered[alert.id].add(channel.name)
    return delivered, errors


def _mark(
    cur,
    alerts: list[Alert],
    channels: list[Channel],
    delivered: dict[int, set[str]],
    errors: dict[int, list[dict]],
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Mark alerts delivered on every enabled channel; keep the others pending with the reason."""
    enabled = {c.name for c in channels}
    order = [name for name, _ in channel_conn_ids()]
    done_rows, pending_rows = [], []
    for alert in alerts:
        done = [name for name in order if name in delivered[alert.id]]
        if enabled <= delivered[alert.id]:
            done_rows.append((now, done, alert.id))
            report.sent.append(alert.id)
        else:
            attempts = (alert.details.get("delivery") or {}).get("attempts", 0) + 1
            record = {"delivery": {"attempted_at": now.isoformat(), "attempts": attempts, "errors": errors[alert.id]}}
            pending_rows.append((done, json.dumps(record), alert.id))
    cur.executemany("UPDATE quality.alert SET notified_at = %s, channels = %s WHERE id = %s", done_rows)
    cur.executemany(
        "UPDATE quality.alert SET channels = %s, details = details || %s::jsonb WHERE id = %s", pending_rows
    )


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def _deliver_command(args: argparse.Namespace) -> int:
    report = deliver_pending()
    print(report.summary())
    return 1 if report.failed else 0


def register(subparsers) -> None:
    """Add ``alerts deliver`` to the ``attrition`` command's subparsers."""
    alerts = subparsers.add_parser(
        "alerts",
        help="data-quality alerts: deliver the pending ones",
        description="Send the alerts of quality.alert not sent yet through the "
        "configured Airflow connections (see docs/alerts.md).",
    )
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    deliver = actions.add_parser("deliver", help="send the pending alerts now; exit status 1 when a channel fails")
    deliver.set_defaults(func=_deliver_command)
