"""The Attrition page's HTML: the chart (Vega-Lite, embedded from /attrition/static/vega.js, no CDN),
the date range and category controls, the records awaiting a person and each source's freshness.
Every value is HTML-escaped."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from etl.domain.categories import CATEGORIES

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:20px;margin:0 0 8px} h2{font-size:16px;margin:20px 0 6px}
form.controls{display:flex;gap:12px;align-items:end;flex-wrap:wrap}
form.controls label{display:flex;flex-direction:column;font-size:12px}
table{border-collapse:collapse;font-size:13px} td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} .bad{color:#b00}
#chart{min-height:420px}
"""

SCRIPT = """
const params = new URLSearchParams(window.location.search);
const target = document.getElementById('chart');
fetch('api/chart?' + params.toString(), {credentials: 'same-origin'})
  .then(r => r.ok ? r.json() : r.text().then(t => Promise.reject(new Error(r.status + ' ' + t))))
  .then(spec => window.vegaEmbed(target, spec, {renderer: 'svg', actions: {export: true, source: false,
                                                 compiled: false, editor: false}}))
  .then(() => target.setAttribute('data-rendered', 'true'))
  .catch(err => { target.textContent = 'the chart could not be drawn: ' + err.message;
                  target.setAttribute('data-rendered', 'error'); });
// Inside the Airflow UI this page is an iframe sandboxed without allow-top-navigation: a link into the UI
// (a Required Action) is followed by the UI's own document, so it opens in the UI, not inside the frame.
document.querySelectorAll('a.to-airflow').forEach(link => link.addEventListener('click', event => {
  if (window.top === window) return;
  try {
    const top = window.top.document, anchor = top.createElement('a');
    anchor.href = link.href;
    top.body.appendChild(anchor);
    event.preventDefault();
    anchor.click();
    anchor.remove();
  } catch (err) { /* another origin: follow the link inside the frame */ }
}));
"""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value.tzinfo else value.isoformat(" ", "minutes")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cell(value, cls: str = "") -> str:
    return f"<td{f' class={cls!r}' if cls else ''}>{escape(_text(value))}</td>"


def controls(category: str, date_from: date | None, date_to: date | None) -> str:
    options = "".join(
        f"<option value='{escape(c.code)}'{' selected' if c.code == category else ''}>{escape(c.label_en)}</option>"
        for c in CATEGORIES
    )
    return (
        f"<form class='controls' method='get' action=''>"
        f"<label>category<select name='category' id='category'>{options}</select></label>"
        f"<label>from<input type='date' name='from' id='from' value='{date_from or ''}'></label>"
        f"<label>to<input type='date' name='to' id='to' value='{date_to or ''}'></label>"
        f"<button type='submit'>Show</button></form>"
    )


def records_table(records: list[dict]) -> str:
    if not records:
        return "<p id='awaiting-empty'>No record awaits a person.</p>"
    head = (
        "<tr><th>id</th><th>day</th><th>category</th><th>source</th><th>value</th><th>diagnosis</th>"
        "<th>why</th><th></th></tr>"
    )
    rows = "".join(
        f"<tr data-record='{r['id']}'>{_cell(r['id'])}{_cell(r['as_of'])}"
        f"<td><a href='{escape(r['chart_url'])}'>{escape(r['category'])}</a></td>{_cell(r['source'])}"
        f"{_cell(r['cumulative'], 'num')}{_cell(r['diagnosis'])}{_cell(r['why'])}"
        f"<td><a class='required-action to-airflow' href='{escape(r['ui_url'])}'>Required Action</a></td></tr>"
        for r in records
    )
    return f"<table id='awaiting'>{head}{rows}</table>"


def freshness_table(rows: list[dict]) -> str:
    head = (
        "<tr><th>source</th><th>newest day</th><th>last successful fetch</th><th>last failure</th>"
        "<th>last source check</th></tr>"
    )
    body = "".join(
        f"<tr data-source='{escape(r['source'])}'>{_cell(r['source'])}{_cell(r['newest_day'])}"
        f"{_cell(r['last_success'])}"
        f"<td class='bad' title='{escape(_text(r['failure_url']))}'>{escape(_text(r['last_failure']))}"
        f"{(': ' + escape(_text(r['failure']))[:200]) if r['failure'] else ''}</td>"
        f"<td>{escape(_text(r['check_status']))} {escape(_text(r['last_check']))}"
        f"{(': ' + escape(_text(r['check_problem']))) if r['check_problem'] else ''}</td></tr>"
        for r in rows
    )
    return f"<table id='freshness'>{head}{body}</table>"


def render(category: str, date_from, date_to, records: list[dict], fresh: list[dict]) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Attrition</title>"
        f"<style>{STYLE}</style><script type='module' src='static/vega.js'></script></head><body>"
        "<h1>Attrition: the accepted series</h1>"
        "<p>Line: the accepted cumulative count; dots: each source's value; crosses: quarantined records; "
        "triangles: official corrections. Hover a mark for its value, source, diagnosis and decision.</p>"
        f"{controls(category, date_from, date_to)}<div id='chart'></div>"
        f"<h2>Records awaiting a person ({len(records)})</h2>{records_table(records)}"
        f"<h2>Sources</h2>{freshness_table(fresh)}"
        f"<script type='module'>{SCRIPT}</script></body></html>"
    )


def jsonable(rows: list[dict]) -> list[dict]:
    return [{k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in r.items()} for r in rows]
