"""The chart of one category: the one Vega-Lite spec (built with altair) that the Attrition page embeds
and `attrition chart` renders to PNG, SVG or HTML (vl-convert, offline).

Layers: the accepted series (a line), every source's current value (small dots, one colour each),
the quarantined records (red crosses, shaped by their status) and the official corrections (orange
triangles).  Every mark's tooltip names the day, value, source, diagnosis and decision.
"""

from __future__ import annotations

import functools
from pathlib import Path

from etl.domain.categories import BY_CODE

FORMATS = ("png", "svg", "html")
SOURCE_COLOURS = {"mod": "#4c78a8", "minfin": "#54a24b", "russianwarship": "#b279a2"}
MARK_COLOURS = {"quarantined": "#e45756", "correction": "#f58518"}
TOOLTIP = [
    ("day", "day"),
    ("value", "value"),
    ("source", "source"),
    ("kind", "kind"),
    ("diagnosis", "diagnosis"),
    ("decision", "decision"),
]


def _mark(r: dict, source: str, kind: str, diagnosis, **rest) -> dict:
    """One mark of row ``r``: its day, figure, source, kind and diagnosis, then ``rest`` (id, decision)."""
    return {
        "as_of": str(r["as_of"]),
        "value": r["cumulative"],
        "source": source,
        "kind": kind,
        "diagnosis": diagnosis,
        **rest,
    }


def points(data: dict) -> list[dict]:
    """One flat row per mark (JSON-ready): kind accepted | source | quarantined | correction."""
    rows = [
        _mark(r, r["accepted_source"], "accepted", None, decision=f"accepted ({r['status']})") for r in data["accepted"]
    ]
    rows += [_mark(r, r["source"], "source", None, decision=None) for r in data["observed"]]
    rows += [
        _mark(
            r,
            r["source"],
            "quarantined",
            r["diagnosis"],
            id=r["id"],
            decision=r["status"]
            + (f" by {r['decided_by']}" if r.get("decided_by") else "")
            + (f": {r['note']}" if r.get("note") else "")
            + (f" ({r['why']})" if r.get("why") else ""),
        )
        for r in data["quarantined"]
    ]
    rows += [
        _mark(r, r["accepted_source"], "correction", r["correction_flag"], decision="accepted as a correction")
        for r in data["corrections"]
    ]
    for r in rows:  # the tooltip's day as printed (as_of itself is parsed as a date for the axis)
        r["day"] = r["as_of"]
    return rows


def title(data: dict) -> str:
    label = BY_CODE[data["category"]].label_en
    days = [r["as_of"] for r in data["accepted"]]
    span = f"{days[0]} to {days[-1]}" if days else "no accepted day in the range"
    return f"{label}: accepted cumulative count, {span}"


def spec(data: dict, width: int = 900, height: int = 380) -> dict:
    """The Vega-Lite spec (a dict, data inline) of ``data`` from :func:`etl.ui.data.series`."""
    import altair as alt

    rows = points(data)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=x_axis(len({r["as_of"] for r in data["accepted"]})),
        y=alt.Y("value:Q", title="cumulative count", scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip(f"{f}:{'Q' if f == 'value' else 'N'}", title=t, **({"format": ","} if f == "value" else {}))
            for f, t in TOOLTIP
        ],
    )
    line = base.transform_filter(alt.datum.kind == "accepted").mark_line(color="#333333", strokeWidth=1.5)
    legend = {**{s: c for s, c in SOURCE_COLOURS.items()}, **MARK_COLOURS}
    colour = alt.Color("label:N", title="marks", scale=alt.Scale(domain=list(legend), range=list(legend.values())))
    sources = (
        base.transform_filter(alt.datum.kind == "source")
        .transform_calculate(label="datum.source")
        .mark_circle(size=14, opacity=0.55)
        .encode(color=colour)
    )
    flagged = (
        base.transform_filter("datum.kind == 'quarantined' || datum.kind == 'correction'")
        .transform_calculate(label="datum.kind")
        .mark_point(size=90, filled=True, opacity=0.95)
        .encode(
            color=colour,
            shape=alt.Shape(
                "kind:N",
                title="flagged",
                scale=alt.Scale(domain=["quarantined", "correction"], range=["cross", "triangle-down"]),
            ),
        )
    )
    chart = (
        alt.layer(line, sources, flagged)
        .properties(width=width, height=height, title=title(data))
        .configure_legend(orient="bottom")
    )
    return chart.to_dict()


def x_axis(days: int):
    """Days as dates (UTC, so no browser's time zone shifts them), never hours on a short range."""
    import altair as alt

    axis = (
        alt.Axis(format="%Y-%m-%d", labelAngle=-30, tickCount={"interval": "day", "step": max(1, days // 8)})
        if days <= 62
        else alt.Axis()
    )
    return alt.X("utcyearmonthdate(as_of):T", title="day (Kyiv)", axis=axis)


@functools.cache
def javascript_bundle() -> str:
    """vega, vega-lite and vega-embed in one offline script (from the vl-convert wheel; no CDN)."""
    import vl_convert as vlc

    return vlc.javascript_bundle(vl_version=vl_version())


def vl_version() -> str:
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def render(chart_spec: dict, out: Path) -> Path:
    """Write ``chart_spec`` as ``out`` (.png, .svg or .html), offline."""
    import vl_convert as vlc

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{out}: the chart is written as {', '.join('.' + f for f in FORMATS)}")
    version = vl_version()
    if fmt == "png":
        out.write_bytes(vlc.vegalite_to_png(chart_spec, vl_version=version, scale=2))
    elif fmt == "svg":
        out.write_text(vlc.vegalite_to_svg(chart_spec, vl_version=version), encoding="utf-8")
    else:
        out.write_text(vlc.vegalite_to_html(chart_spec, vl_version=version, bundle=True), encoding="utf-8")
    return out
