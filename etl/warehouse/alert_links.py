"""Where a reader acts on an alert (its Required Action, or its chart on the Attrition page) and the
digest's opening counts; used by :mod:`etl.warehouse.notify` and the quarantine review."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


def chart_url(category: str, as_of: Any, days: int = 14) -> str:
    """The chart of ``category`` around ``as_of`` on the Attrition page of the Airflow UI."""
    from datetime import date, timedelta
    from urllib.parse import urlencode

    from etl.config import airflow_ui_url

    day = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)[:10])
    query = urlencode(
        {"category": category, "from": str(day - timedelta(days=days)), "to": str(day + timedelta(days=days))}
    )
    return f"{airflow_ui_url().rstrip('/')}/attrition/?{query}"


def needs_person(alert) -> bool:
    return alert.kind == "quarantine" and alert.severity != "info" and alert.details.get("quarantine_id") is not None


def alert_link(alert) -> tuple[str, str] | None:
    """(label, URL) where the reader acts on an alert: its Required Action (a record awaiting a person;
    before the quarantine_review DAG has opened it, the Required Actions list), else its chart."""
    from etl.config import airflow_ui_url

    d = alert.details
    if d.get("ui_url"):
        return "Required Action", str(d["ui_url"])
    if needs_person(alert):
        return "Required Actions", f"{airflow_ui_url().rstrip('/')}/required_actions"
    if d.get("category") and d.get("as_of"):
        try:
            return "Chart", chart_url(str(d["category"]), d["as_of"])
        except ValueError:
            return None
    return None


def counts(alerts: list) -> list[str]:
    """The digest's opening: counts by kind, and by source within each kind."""
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for a in alerts:
        by_kind[a.kind][str(a.details.get("source") or "no source")] += 1
    width = max(len(kind) for kind in by_kind) + 2
    lines = ["By kind and source:"]
    for kind, sources in sorted(by_kind.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        split = ", ".join(f"{src} {n}" for src, n in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  {kind.replace('_', ' ') + ':':<{width}}{sum(sources.values()):>5}  ({split})")
    people = sum(needs_person(a) for a in alerts)
    lines.append(f"  {'awaiting a person:':<{width}}{people:>5}  (each links to its Required Action)")
    return lines
