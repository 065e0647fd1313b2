"""The Airflow plugin: the Attrition page (a FastAPI app the API server mounts under /attrition) and its
entry "Attrition" in the UI's navigation.  Loaded through the ``airflow.plugins`` entry point
(pyproject.toml), so `attrition up` and the compose image both have it.

Every route sits behind Airflow's login: the request must carry Airflow's JWT, as the Bearer token REST
clients get from POST /auth/token or as the ``_token`` cookie the UI's login sets (the same two ways
``airflow.api_fastapi.core_api.security.get_user`` accepts).  Without one: 401; with a bad one: 403.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from etl.domain.calendar import given_day
from etl.ui import page

URL_PREFIX = "/attrition"


async def logged_in(request: Request):
    """Airflow's user of the request (Bearer token first, then the UI's cookie), else 401/403."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import (
        COOKIE_NAME_JWT_TOKEN,
    )
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE_NAME_JWT_TOKEN)
    return await resolve_user_from_token(token)


def _day(value: str | None, name: str) -> date | None:
    return given_day(value, name, lambda message: HTTPException(status_code=422, detail=message))


def _range(params) -> tuple[str, date | None, date | None]:
    from etl.ui.data import UnknownCategory, check_category

    try:
        category = check_category(params.get("category") or "personnel")
    except UnknownCategory as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    date_from, date_to = _day(params.get("from"), "from"), _day(params.get("to"), "to")
    focus = _day(params.get("focus"), "focus")
    if focus and not (date_from or date_to):
        date_from, date_to = focus - timedelta(days=30), focus + timedelta(days=30)
    return category, date_from, date_to


def create_app() -> FastAPI:
    app = FastAPI(title="Attrition", dependencies=[Depends(logged_in)], docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def attrition_page(request: Request) -> HTMLResponse:
        from etl.ui import data

        category, date_from, date_to = _range(request.query_params)
        with data.reading() as cur:
            records, fresh = data.awaiting_person(cur), data.freshness(cur)
        return HTMLResponse(page.render(category, date_from, date_to, records, fresh))

    @app.get("/api/chart")
    def chart_spec(request: Request) -> JSONResponse:
        from etl.ui import chart, data

        category, date_from, date_to = _range(request.query_params)
        with data.reading() as cur:
            series = data.series(cur, category, date_from, date_to)
        return JSONResponse(chart.spec(series))

    @app.get("/api/review")
    def review() -> JSONResponse:
        from etl.ui import data

        with data.reading() as cur:
            return JSONResponse(page.jsonable(data.awaiting_person(cur)))

    @app.get("/api/freshness")
    def freshness() -> JSONResponse:
        from etl.ui import data

        with data.reading() as cur:
            return JSONResponse(page.jsonable(data.freshness(cur)))

    @app.get("/static/vega.js")
    def vega_bundle() -> Response:
        from etl.ui.chart import javascript_bundle

        return Response(
            javascript_bundle(), media_type="text/javascript", headers={"Cache-Control": "private, max-age=86400"}
        )

    return app


def _plugin_class():
    from airflow.plugins_manager import AirflowPlugin

    class AttritionPlugin(AirflowPlugin):
        name = "attrition"
        fastapi_apps: ClassVar[list] = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Attrition"}]
        external_views: ClassVar[list] = [
            {
                "name": "Attrition",
                "href": f"{URL_PREFIX}/",
                "destination": "nav",
                "url_route": "attrition",
                "nav_top_level": True,
            }
        ]

    return AttritionPlugin


AttritionPlugin = _plugin_class()
