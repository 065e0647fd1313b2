"""The russianwarship.rip API v2, rendered from the russianwarship snapshot."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from etl.domain.categories import BY_CODE, MERGE_DAY, WAR_START
from etl.replay.common import (
    RW_DEFAULT_LIMIT,
    RW_MAX_LIMIT,
    RW_PREFIX,
    Figure,
    Page,
    Series,
    Variant,
    garble,
    http_date,
    json_page,
)

# --------------------------------------------------------------------------- russianwarship.rip API v2

RW_FIELDS = (
    ("personnel_units", "personnel"),
    ("tanks", "tanks"),
    ("armoured_fighting_vehicles", "armored_vehicles"),
    ("artillery_systems", "artillery"),
    ("mlrs", "mlrs"),
    ("aa_warfare_systems", "air_defense"),
    ("planes", "aircraft"),
    ("helicopters", "helicopters"),
    ("vehicles_fuel_tanks", "vehicles_fuel_tanks"),  # military_vehicles + fuel_tanks before 2022-05-01
    ("warships_cutters", "ships_boats"),
    ("cruise_missiles", "cruise_missiles"),
    ("uav_systems", "drones"),
    ("special_military_equip", "special_equipment"),
    ("atgm_srbm_systems", "srbm_launchers"),
    ("submarines", "submarines"),
    ("ground_robotic_systems", "ground_robots"),  # field name not verified against the live API
)
RW_OK = "The data were fetched successfully."


class RussianwarshipAPI:
    def __init__(self, series: Series):
        self.series = series
        # atgm_srbm_systems stays at the last SRBM count after the category was merged away.
        self.srbm_frozen: dict[date, Figure] = {}
        last: Figure | None = None
        for day in series.order:
            f = series.days[day].get("srbm_launchers")
            if f is not None:
                last = f
            elif last is not None and day >= MERGE_DAY:
                self.srbm_frozen[day] = Figure(last.cumulative, 0)

    def _figure(self, day: date, key: str, code: str) -> tuple[Figure | None, bool]:
        """The figure behind an API field (``code``: the category it holds that day), and whether the
        field exists on that day at all."""
        figs = self.series.days[day]
        if key == "atgm_srbm_systems" and day >= MERGE_DAY:
            return self.srbm_frozen.get(day, Figure(0, 0)), True
        if key == "ground_robotic_systems" and not BY_CODE[code].valid_on(day):
            return None, False
        if not BY_CODE[code].valid_on(day):
            return Figure(0, 0), True  # the API prints 0 for a category not (yet) reported
        return figs.get(code), True

    def record(self, day: date, variant: Variant) -> dict:
        stats: dict[str, object] = {}
        increase: dict[str, object] = {}
        for key, code in RW_FIELDS:
            real_code = "military_vehicles" if key == "vehicles_fuel_tanks" and day < MERGE_DAY else code
            f, exists = self._figure(day, key, real_code)
            if real_code != code and f is not None:
                # the real API sums the two pre-merge categories into its vehicles_fuel_tanks (2022-03-01:
                # 365 = 305 vehicles + 60 fuel tanks in the real replies of ../shared/reference/pages)
                tanks = self.series.days[day].get("fuel_tanks")
                f = (
                    None
                    if tanks is None
                    else Figure(
                        f.cumulative + tanks.cumulative,
                        None if f.increase is None or tanks.increase is None else f.increase + tanks.increase,
                    )
                )
            if not exists or f is None:
                continue
            if variant.kind == "missing" and variant.category in (code, real_code):
                continue
            garbled = variant.kind == "garbled" and variant.category in (code, real_code)
            stats[key] = garble(f.cumulative) if garbled else f.cumulative
            if f.increase is not None:
                increase[key] = f.increase
        rec = {
            "date": day.isoformat(),
            "day": (day - WAR_START).days + 1,
            "resource": "https://www.facebook.com/GeneralStaff.ua",
            "stats": stats,
            "increase": increase,
        }
        if variant.kind == "redesign":
            rec = {
                "reportDate": day.isoformat(),
                "losses": [{"term": k, "total": v, "delta": increase.get(k)} for k, v in stats.items()],
            }
        return rec

    def _envelope(self, data, variant: Variant) -> dict:
        if variant.kind == "redesign":
            return {"status": "ok", "result": data}
        return {"message": RW_OK, "data": data}

    def route(self, rest: str, query: dict, variant: Variant, origin: str) -> Page | None:
        rest = rest.rstrip("/")
        if rest == "/api/v2/statistics/latest":
            day = self.series.latest
            if day is None:
                return self._not_found()
            return json_page(self._envelope(self.record(day, variant), variant), http_date(day))
        if rest.startswith("/api/v2/statistics/"):
            try:
                day = date.fromisoformat(rest.rsplit("/", 1)[1])
            except ValueError:
                return self._not_found()
            if day not in self.series.days:
                return self._not_found()
            return json_page(self._envelope(self.record(day, variant), variant), http_date(day))
        if rest == "/api/v2/statistics":
            return self.listing(query, variant, origin)
        return None

    @staticmethod
    def _not_found() -> Page:
        return json_page({"message": "The requested resource was not found.", "data": None}, None, 404)

    def listing(self, query: dict, variant: Variant, origin: str) -> Page:
        def arg(name: str) -> str | None:
            v = query.get(name)
            return v[0] if v else None

        try:
            offset = int(arg("offset") or 0)
            limit = int(arg("limit") or RW_DEFAULT_LIMIT)
            date_from = date.fromisoformat(arg("date_from")) if arg("date_from") else None
            date_to = date.fromisoformat(arg("date_to")) if arg("date_to") else None
            if offset < 0 or not 1 <= limit <= RW_MAX_LIMIT:
                raise ValueError(f"offset must be >= 0 and limit within 1..{RW_MAX_LIMIT}")
        except ValueError as exc:
            return json_page({"message": f"Invalid query: {exc}", "data": None}, None, 400)
        days = [
            d for d in self.series.order if (date_from is None or d >= date_from) and (date_to is None or d <= date_to)
        ]
        chunk = days[offset : offset + limit]
        next_url = None
        if offset + limit < len(days):
            params = {"offset": offset + limit, "limit": limit}
            if date_from:
                params["date_from"] = date_from.isoformat()
            if date_to:
                params["date_to"] = date_to.isoformat()
            next_url = f"{origin}{RW_PREFIX}/api/v2/statistics?{urlencode(params)}"
        data = {
            "paging": {"offset": offset, "limit": limit, "total": len(days), "next_url": next_url},
            "records": [self.record(d, variant) for d in chunk],
        }
        lm = http_date(max(chunk)) if chunk else None
        return json_page(self._envelope(data, variant), lm)
