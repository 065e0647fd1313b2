"""index.minfin.com.ua's casualties pages, rendered from the minfin snapshot."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import yaml

from etl.domain.categories import BY_CODE
from etl.replay import common
from etl.replay.common import (
    MINFIN_MAIN_DAYS,
    MINFIN_PREFIX,
    MONTHS_EN,
    MONTHS_UK,
    TANKS_TO_SUBMARINES,
    Page,
    Series,
    Variant,
)

# --------------------------------------------------------------------------- minfin

MINFIN_ORDER = (
    *TANKS_TO_SUBMARINES,
    "vehicles_fuel_tanks",
    "military_vehicles",
    "fuel_tanks",
    "srbm_launchers",
    "special_equipment",
    "ground_robots",
    "personnel",
    "pow",
)

# the words the site prints, per language (etl/replay/minfin_words.yml): category code -> (label, title of the
# label's abbreviation or None), and the page's other words
_WORDS = yaml.safe_load((Path(__file__).with_name("minfin_words.yml")).read_text(encoding="utf-8"))
MINFIN_LABELS = {
    lang: {code: (words[0], words[1] if len(words) > 1 else None) for code, words in table["labels"].items()}
    for lang, table in _WORDS.items()
}
MINFIN_TEXT = {
    lang: {key: tuple(words) if isinstance(words, list) else words for key, words in table["page"].items()}
    for lang, table in _WORDS.items()
}


class MinfinSite:
    def __init__(self, series: Series):
        self.series = series
        self.months: dict[str, list[date]] = {}
        for day in series.order:
            self.months.setdefault(f"{day:%Y-%m}", []).append(day)

    def _label(self, lang: str, code: str) -> str:
        label, title = MINFIN_LABELS[lang].get(code, (BY_CODE[code].label_en, None))
        if title:
            return f'<abbr class="idx-help" title="{escape(title)}">{escape(label)}</abbr>'
        return escape(label)

    def _day_block(self, lang: str, day: date, variant: Variant) -> str:
        figs = common.pick_figures(self.series.days[day], MINFIN_ORDER, variant)
        if variant.kind == "redesign":
            return common.redesigned_table(day, figs, "uk" if lang == "ua" else "en")
        text = MINFIN_TEXT[lang]
        items = []
        for code, f in figs:
            small = f" <small>({common.signed(f.increase)})</small>" if f.increase else ""
            num = common.shown_number(code, f.cumulative, variant)
            if code == "personnel":
                value = (
                    f'{text["about"]} {num} <span class="idx-help" title="{text["people_hint"]}">'
                    f"{text['people']}</span>"
                )
            else:
                value = num
            items.append(f"<li>{self._label(lang, code)}&nbsp;&mdash; {value}{small}</li>")
        return (
            f'<li class="gold"><span class="black">{day:%d.%m.%Y}</span><div class="casualties">\n'
            f"<div><ul>{''.join(items)}</ul></div>\n</div></li>\n"
        )

    def _frame(self, lang: str, title: str, crumbs_extra: str, content: str) -> str:
        text = MINFIN_TEXT[lang]
        c1, c2, c3 = text["crumbs"]
        l1, l2, l3 = text["links"]
        html_lang = "uk" if lang == "ua" else "en"
        return (
            f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)} | index.minfin.com.ua</title>"
            f'<base href="{MINFIN_PREFIX}/{lang}/"></head>\n<body><div id="idx-wrapper">\n'
            f'<article id="idx-content">\n<nav id="idx-breadcrumbs"><ul>'
            f'<li><a href="./">{c1}</a></li><li><a href="russian-invading/">{c2}</a></li>'
            f"{crumbs_extra or f'<li>{c3}</li>'}</ul></nav>\n"
            f'<h1 class="headline">{escape(title)}</h1>\n<div class="idx-intro"><p>{text["intro"]}</p></div>\n'
            f"{content}"
            f'<ul class="see-also"><li class="gold"><span class="black">{text["see_also"]}</span><ul>'
            f'<li><a href="russian-invading/casualties/">{l1}</a></li>'
            f'<li><a href="russian-invading/sanctions/">{l2}</a></li>'
            f'<li><a href="russian-invading/supporting-ukraine/">{l3}</a></li></ul></li></ul>\n'
            f"</article>\n</div></body></html>\n"
        )

    def _month_name(self, lang: str, month: str) -> str:
        y, m = int(month[:4]), int(month[5:])
        return f"{(MONTHS_UK if lang == 'ua' else MONTHS_EN)[m - 1]} {y}"

    def main_page(self, lang: str, variant: Variant) -> Page:
        shown = self.series.order[-MINFIN_MAIN_DAYS:][::-1]
        shown_set = set(shown)
        blocks = "".join(self._day_block(lang, d, variant) for d in shown)
        links = "".join(
            f'<div class="ajaxmonth"><h4 class="normal"><a href="russian-invading/casualties/{m}/" '
            f'id="a_month_{m}">{self._month_name(lang, m)}</a></h4></div>\n'
            for m in sorted(self.months, reverse=True)
            if not all(d in shown_set for d in self.months[m])
        )
        content = f'<ul class="see-also">{blocks}</ul>\n{links}'
        lm = common.http_date(shown[0]) if shown else None
        return common.html_page(self._frame(lang, MINFIN_TEXT[lang]["title"], "", content), lm)

    def month_page(self, lang: str, month: str, variant: Variant) -> Page | None:
        days = self.months.get(month)
        if not days:
            return None
        latest = self.series.latest
        crumbs = (
            f'<li><a href="russian-invading/casualties/">{MINFIN_TEXT[lang]["crumbs"][2]}</a></li>'
            f"<li>{self._month_name(lang, month).lower()}</li>"
        )
        # Like the real month pages: the newest day first, then the month's own days.
        content = (
            f'<ul class="see-also">{self._day_block(lang, latest, variant)}</ul>'
            f'<div class="ajaxmonth"><h4>{self._month_name(lang, month)}</h4></div>\n'
            f'<ul class="see-also">{"".join(self._day_block(lang, d, variant) for d in reversed(days))}'
            f"</ul>\n"
        )
        return common.html_page(
            self._frame(lang, MINFIN_TEXT[lang]["month_title"], crumbs, content), common.http_date(latest)
        )

    def route(self, rest: str, query: dict, variant: Variant) -> Page | None:
        parts = [p for p in rest.split("/") if p]
        if len(parts) < 3 or parts[0] not in ("ua", "en") or parts[1:3] != ["russian-invading", "casualties"]:
            return None
        if not rest.endswith("/"):
            return common.redirect(f"{MINFIN_PREFIX}{rest}/")
        lang = parts[0]
        if len(parts) == 3:
            return self.main_page(lang, variant) if self.series.order else None
        if len(parts) == 4 and len(parts[3]) == 7 and parts[3][4] == "-":
            return self.month_page(lang, parts[3], variant)
        return None
