"""index.minfin.com.ua's casualties pages, rendered from the minfin snapshot."""

from __future__ import annotations

from datetime import date
from html import escape

from etl.domain.categories import BY_CODE
from etl.replay.common import (
    MINFIN_MAIN_DAYS,
    MINFIN_PREFIX,
    MONTHS_EN,
    MONTHS_UK,
    TANKS_TO_SUBMARINES,
    Page,
    Series,
    Variant,
    _http_date,
    _num,
    _pick,
    _redesigned_table,
    html_page,
    redirect,
    signed,
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

# code -> (Ukrainian label, English label): the words the site prints
MINFIN_WORDS = {
    "tanks": ("Танки", "Tanks"),
    "armored_vehicles": ("ББМ", "AFV"),
    "artillery": ("Гармати", "Artillery systems"),
    "mlrs": ("РСЗВ", "MLRS"),
    "air_defense": ("Засоби ППО", "Air defense systems"),
    "aircraft": ("Літаки", "Aircraft"),
    "helicopters": ("Гелікоптери", "Helicopters"),
    "drones": ("БПЛА", "UAV"),
    "cruise_missiles": ("Крилаті ракети", "Cruise missiles"),
    "ships_boats": ("Кораблі (катери)", "Warships / boats"),
    "submarines": ("Підводні човни", "Submarines"),
    "vehicles_fuel_tanks": ("Автомобілі та автоцистерни", "Vehicles and fuel tanks"),
    "military_vehicles": ("Автомобілі", "Military vehicles"),
    "fuel_tanks": ("Цистерни з ПММ", "Fuel tanks"),
    "srbm_launchers": ("ПУ ОТРК", "Mobile SRBM systems"),
    "special_equipment": ("Спеціальна техніка", "Special equipment"),
    "ground_robots": ("НРК", "Ground robotic systems"),
    "personnel": ("Особовий склад", "Personnel"),
    "pow": ("Полонені", "Prisoners of war"),
}
# code -> (Ukrainian, English) title of the label's abbreviation, where the site gives one
MINFIN_TITLES = {
    "armored_vehicles": ("Бойові броньовані машини усіх типів", "Armoured fighting vehicles of all types"),
    "mlrs": ("Реактивні системи залпового вогню", "Multiple launch rocket systems"),
    "drones": (
        "Безпілотні літальні апарати оперативно-тактичного рівня",
        "Unmanned aerial vehicles, operational-tactical level",
    ),
    "srbm_launchers": ("Пускові установки оперативно-тактичних ракетних комплексів", None),
    "ground_robots": ("Наземні робототехнічні комплекси", None),
}
# language -> code -> (label, abbreviation title or None)
MINFIN_LABELS = {
    lang: {code: (words[i], MINFIN_TITLES.get(code, (None, None))[i]) for code, words in MINFIN_WORDS.items()}
    for i, lang in enumerate(("ua", "en"))
}

# the page's other words: key -> (Ukrainian, English)
MINFIN_PAGE_WORDS = {
    "title": ("Втрати російської армії в Україні", "Losses of the Russian army in Ukraine"),
    "month_title": ("Втрати Росії в Україні", "Russian losses in Ukraine"),
    "about": ("близько", "about"),
    "people": ("осіб", "people"),
    "people_hint": ("ліквідовано", "liquidated"),
    "see_also": ("Див. також:", "See also:"),
    "crumbs": (("Індекси", "Війна в Україні", "Втрати Росії"), ("Indexes", "War in Ukraine", "Russian losses")),
    "intro": (
        "Щоденні дані Генерального штабу ЗСУ про втрати ворога, наростаючим підсумком.",
        "Daily figures of the General Staff of Ukraine on enemy losses, cumulative totals.",
    ),
    "links": (
        ("Втрати Росії в Україні", "Санкції", "Допомога Україні"),
        ("Russian losses in Ukraine", "Sanctions", "Support for Ukraine"),
    ),
}
MINFIN_TEXT = {lang: {key: words[i] for key, words in MINFIN_PAGE_WORDS.items()} for i, lang in enumerate(("ua", "en"))}


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
        figs = _pick(self.series.days[day], MINFIN_ORDER, variant)
        if variant.kind == "redesign":
            return _redesigned_table(day, figs, "uk" if lang == "ua" else "en")
        text = MINFIN_TEXT[lang]
        items = []
        for code, f in figs:
            small = f" <small>({signed(f.increase)})</small>" if f.increase else ""
            num = _num(code, f.cumulative, variant)
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
        lm = _http_date(shown[0]) if shown else None
        return html_page(self._frame(lang, MINFIN_TEXT[lang]["title"], "", content), lm)

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
        return html_page(self._frame(lang, MINFIN_TEXT[lang]["month_title"], crumbs, content), _http_date(latest))

    def route(self, rest: str, query: dict, variant: Variant) -> Page | None:
        parts = [p for p in rest.split("/") if p]
        if len(parts) < 3 or parts[0] not in ("ua", "en") or parts[1:3] != ["russian-invading", "casualties"]:
            return None
        if not rest.endswith("/"):
            return redirect(f"{MINFIN_PREFIX}{rest}/")
        lang = parts[0]
        if len(parts) == 3:
            return self.main_page(lang, variant) if self.series.order else None
        if len(parts) == 4 and len(parts[3]) == 7 and parts[3][4] == "-":
            return self.month_page(lang, parts[3], variant)
        return None
