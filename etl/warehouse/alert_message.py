"""What an alert says: the pending row (:class:`Alert`), and its message (:class:`Message`) for one
alert or a digest, as plain text, HTML and Slack mrkdwn.  Sent by :mod:`etl.warehouse.notify`."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etl.domain.model import field_dict
from etl.warehouse.alert_links import alert_link
from etl.warehouse.alert_links import counts as _counts
from etl.warehouse.alert_links import needs_person as _needs_person

SLACK_TEXT_LIMIT = 35_000  # Slack truncates a message's text at 40,000 characters

# details keys shown in the What / Why / Where lines; every other key is listed after them
_SHOWN_KEYS = {
    "source",
    "as_of",
    "category",
    "cumulative",
    "url",
    "diagnosis",
    "why",
    "problem",
    "reason",
    "field",
    "expectation",
    "neighbours",
    "quarantine_id",
    "run_id",
    "delivery",
    "ui_url",
}
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Alert:
    """A pending row of quality.alert."""

    id: int
    kind: str
    incident_key: str
    severity: str
    subject: str
    body: str
    details: dict
    run_url: str | None
    data_docs_url: str | None
    created_at: datetime
    channels: tuple[str, ...]  # the channels that already delivered it

    def fields(self) -> dict:
        """The alert as JSON-ready fields (the webhook's body)."""
        details = {k: v for k, v in self.details.items() if k != "delivery"}
        return field_dict(self, skip=("channels",), details=details, created_at=self.created_at.isoformat())


@dataclass(frozen=True)
class Message:
    """What one notification says: a subject, a plain-text body and the webhook's JSON body."""

    subject: str
    text: str
    payload: dict
    headers: dict[str, str]


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value)
    return str(value)


def _record(alert: Alert) -> str:
    """The record an alert is about, e.g. ``mod 2024-03-01 tanks = 6700``."""
    d = alert.details
    record = " ".join(str(d[k]) for k in ("source", "as_of", "category") if d.get(k) not in (None, ""))
    if d.get("cumulative") is not None:
        record += f" = {d['cumulative']}"
    return record


def _why(alert: Alert) -> str:
    d = alert.details
    why = [str(d[k]) for k in ("diagnosis", "why", "problem", "reason") if d.get(k)]
    if d.get("field"):
        why.append(f"field {d['field']}")
    if d.get("expectation"):
        why.append(f"failed expectation {d['expectation']}")
    return "; ".join(why)


def _where(alert: Alert) -> str:
    d = alert.details
    where = []
    if d.get("quarantine_id") is not None:
        where.append(f"quality.quarantine id {d['quarantine_id']}")
    if d.get("url"):
        where.append(str(d["url"]))
    if d.get("run_id"):
        where.append(f"run {d['run_id']}")
    return "; ".join(where)


def _action(alert: Alert) -> str:
    """What the reader can do about it: a command or a query."""
    d = alert.details
    if d.get("quarantine_id") is not None:
        return f"attrition quarantine show {d['quarantine_id']}   (then accept or reject it)"
    if alert.kind == "missing_bulletin" and d.get("source") and d.get("as_of"):
        return (
            f"check {d['source']}'s site; once the bulletin is out: attrition backfill --from {d['as_of']} "
            f"--to {d['as_of']} --sources {d['source']} (or re-run losses_daily)"
        )
    if alert.kind == "parse_failure" and d.get("source"):
        return f"the document is kept in raw.document; after a parser fix: attrition rebuild --sources {d['source']}"
    if d.get("as_of") and d.get("category"):
        return (
            f"compare the sources: SELECT * FROM mart.daily_losses_long "
            f"WHERE as_of = '{d['as_of']}' AND category = '{d['category']}'"
        )
    return f"SELECT subject, body, details FROM quality.alert WHERE id = {alert.id}"


def alert_text(alert: Alert) -> str:
    """The plain-text body of one alert: its message, then What / Why / Where, the links and how to act."""
    record = _record(alert)
    facts = [
        ("What", alert.kind.replace("_", " ") + (f": {record}" if record else "")),
        ("Why", _why(alert) or "see the message above"),
        ("Where", _where(alert) or "see the links below"),
    ]
    if alert.details.get("neighbours"):
        facts.append(("Neighbours", _fmt(alert.details["neighbours"])))
    facts += [
        ("Run", alert.run_url or "(no run URL recorded)"),
        ("Data Docs", alert.data_docs_url or "(no Data Docs for this alert)"),
    ]
    facts += [
        (key, _fmt(value))
        for key, value in alert.details.items()  # the gate repeats quarantine_id as id
        if key not in _SHOWN_KEYS and not (key == "id" and value == alert.details.get("quarantine_id"))
    ]
    link = alert_link(alert)
    if link:
        facts.append((link[0], link[1]))
    facts.append(("Act", _action(alert)))
    width = max(len(label) for label, _ in facts) + 2
    lines = [alert.body.rstrip(), ""]
    lines += [f"{label + ':':<{width}}{value}" for label, value in facts]
    lines += [
        "",
        f"alert #{alert.id} ({alert.severity}), raised {alert.created_at:%Y-%m-%d %H:%M %Z}, "
        f"incident {alert.incident_key}",
    ]
    return "\n".join(lines) + "\n"


def alert_message(alert: Alert) -> Message:
    text = alert_text(alert)
    return Message(
        subject=alert.subject,
        text=text,
        payload={"digest": False, **alert.fields(), "text": text},
        headers={"X-Attrition-Alert-Id": str(alert.id), "X-Attrition-Incident": alert.incident_key},
    )


def digest_message(alerts: list[Alert], threshold: int) -> Message:
    """One message: counts by kind and source, then every alert (subject, record, reason, where) with
    the link to act on it (its Required Action or its chart), for more than ``threshold``."""
    kinds = Counter(a.kind for a in alerts)
    by_kind = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in kinds.most_common())
    subject = f"[attrition] {len(alerts)} data-quality alerts: {by_kind}"
    lines = [
        f"{len(alerts)} alerts in one digest: a delivery finding more than {threshold} pending alerts "
        "sends one message instead of one each.",
        "",
        *_counts(alerts),
        "",
    ]
    # the records awaiting a person first, then the rest, each group in the order raised
    for alert in sorted(alerts, key=lambda a: (not _needs_person(a), a.id)):
        lines.append(f"#{alert.id} [{alert.severity}] {alert.subject}")
        record = _record(alert)
        what = f"{alert.kind}: {record}" if record else alert.kind
        lines.append("    " + " | ".join(part for part in (what, _why(alert), _where(alert)) if part))
        link = alert_link(alert)
        if link:
            lines.append(f"    {link[0]}: {link[1]}")
    runs = sorted({a.run_url for a in alerts if a.run_url})
    docs = sorted({a.data_docs_url for a in alerts if a.data_docs_url})
    if runs:
        lines += ["", "Runs:", *(f"  {url}" for url in runs)]
    if docs:
        lines += ["", "Data Docs:", *(f"  {url}" for url in docs)]
    lines += ["", "Each alert in full: SELECT subject, body, details FROM quality.alert WHERE id = <#id>"]
    if any(a.details.get("quarantine_id") is not None for a in alerts):
        lines.append("A quarantined record: attrition quarantine show <quarantine id>")
    text = "\n".join(lines) + "\n"
    payload = {
        "digest": True,
        "subject": subject,
        "count": len(alerts),
        "text": text,
        "alerts": [a.fields() for a in alerts],
    }
    return Message(subject=subject, text=text, payload=payload, headers={"X-Attrition-Digest": str(len(alerts))})


def _html(text: str) -> str:
    """The plain text as HTML (the SMTP notifier sends HTML): preformatted, with its URLs as links."""
    linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(text, quote=False))
    return (
        '<html><body><pre style="font-family: ui-monospace, Menlo, Consolas, monospace; '
        f'white-space: pre-wrap">{linked}</pre></body></html>'
    )


def _slack_text(message: Message) -> str:
    text = f"*{message.subject}*\n{message.text}"
    if len(text) > SLACK_TEXT_LIMIT:
        text = text[:SLACK_TEXT_LIMIT] + "\n… (cut; the e-mail and quality.alert have all of it)"
    # Slack's mrkdwn needs these three escaped; its links still work
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
