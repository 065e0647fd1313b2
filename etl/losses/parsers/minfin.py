"""index.minfin.com.ua casualties pages: the main page (about 45 latest days) and the month archives.

URLs: ``https://index.minfin.com.ua/{ua,en}/russian-invading/casualties/`` and
``.../casualties/YYYY-MM/``.  Each day is one ``ul.see-also > li.gold``::

    <li class="gold"><span class="black">15.05.2023</span>
      <div class="casualties"><div><ul>
        <li>Танки&nbsp;&mdash; 3759 <small>(+3)</small></li> ...
        <li>Особовий склад&nbsp;&mdash; близько 199460 <span>осіб</span> <small>(+580)</small></li>
      </ul></div></div></li>

The ``<small>(+N)</small>`` is absent on a day without change (increase None: the page printed none).
A trailing ``li.gold`` whose ``span.black`` is no date ("Див. також:", "See also:") is not a day.

A month page starts with the latest day (whatever month that is) before the month's own days; that
block is real data of that day and is returned like the others (loaders upsert by day and category).
"""

from __future__ import annotations

import re
from datetime import date

from etl.domain.model import Observation, ParseError
from etl.losses.parsers import common

SOURCE = "minfin"
_DAY_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_XPATHS: dict[str, object] = {}


def _xpath(css: str):
    """lxml's compiled XPath of a CSS selector, as parsel translates it: evaluated on a block's lxml
    element, not through parsel (a Selector per item and per text node cost a third of the parse)."""
    if css not in _XPATHS:
        from lxml import etree
        from parsel.csstranslator import css2xpath

        _XPATHS[css] = etree.XPath(css2xpath(css), smart_strings=False)
    return _XPATHS[css]


def parse(body: bytes, url: str, content_type: str | None = None) -> list[Observation]:
    text = common.decode(body, content_type, SOURCE, url)
    sel = common.html_selector(text)
    blocks = sel.css("ul.see-also > li.gold")
    if not blocks:
        raise ParseError(SOURCE, url, "page", "no 'ul.see-also > li.gold' day blocks (empty or redesigned page)")
    observations: list[Observation] = []
    days_seen: set[date] = set()
    day_text, items_of, text_of = _xpath("span.black ::text"), _xpath("div.casualties li"), _xpath("::text")
    for block in blocks:
        label = common.clean_text(" ".join(day_text(block.root)))
        items_sel = items_of(block.root)
        m = _DAY_RE.match(label)
        if not m:
            if items_sel:
                raise ParseError(SOURCE, url, "date", f"day block with loss items has no dd.mm.yyyy date ({label!r})")
            continue  # "Див. також:" / "See also:" and similar link lists
        try:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise ParseError(SOURCE, url, "date", f"impossible date {label!r}") from None
        if not items_sel:
            raise ParseError(SOURCE, url, "page", f"day {day.isoformat()} has no 'div.casualties li' items")
        repeated = day in days_seen
        days_seen.add(day)
        items: list[common.LossItem] = []
        for li in items_sel:
            line = common.clean_text("".join(text_of(li)))
            parsed = common.parse_loss_line(line, SOURCE, url)
            if parsed is None:
                if re.search(r"\d", line):
                    # every item of a day's list is a loss line; one that is not is a layout change
                    raise ParseError(SOURCE, url, "page", f"unreadable item on {day.isoformat()}: {line!r}")
                continue
            items.extend(parsed)
        if not items:
            raise ParseError(SOURCE, url, "page", f"day {day.isoformat()} has no loss lines")
        day_observations = common.items_to_observations(items, day, SOURCE, url)
        if repeated:
            # a month page repeats the newest day at its top: an identical repeat is fine, a different one is not
            earlier = sorted((o for o in observations if o.as_of == day), key=lambda o: o.category)
            if sorted(day_observations, key=lambda o: o.category) != earlier:
                raise ParseError(
                    SOURCE,
                    url,
                    "date",
                    f"two different bulletins for {day.isoformat()} in one document "
                    f"(the day appears twice with different figures)",
                )
            continue
        observations.extend(day_observations)
    if not days_seen:
        raise ParseError(SOURCE, url, "page", "no dated day blocks (empty or redesigned page)")
    return observations
