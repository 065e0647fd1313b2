"""Where things live and which warehouse to use.

The warehouse DSN is taken, in order, from:

1. ``ATTRITION_WAREHOUSE_DSN`` (a libpq DSN or postgresql:// URL);
2. the Airflow connection ``warehouse``: the ``AIRFLOW_CONN_WAREHOUSE`` variable
   (URI or JSON form), or, inside a running Airflow task, the connection stored
   in Airflow;
3. the embedded cluster under ``.local/`` (see :mod:`etl.local.embedded`).

Only the first two count as "configured": without them the project runs its own
PostgreSQL.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

AIRFLOW_CONN_ID = "warehouse"
READER_ROLE = "attrition_reader"


def project_home() -> Path:
    """The checkout: ``ATTRITION_HOME`` or the folder above this package."""
    env = os.environ.get("ATTRITION_HOME")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


def local_dir() -> Path:
    """Runtime state (cluster, secrets, logs, Airflow home): ``ATTRITION_LOCAL_DIR`` or ``.local/``."""
    env = os.environ.get("ATTRITION_LOCAL_DIR")
    return Path(env).resolve() if env else project_home() / ".local"


from etl.errors import ConfigError, SettingError  # noqa: E402,F401 - re-exported: etl.config.ConfigError


def int_setting(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """The whole-number setting ``name`` (environment), else ``default``; a value that is not a whole
    number within [minimum, maximum] is a :class:`SettingError` naming the setting (one line, exit 2)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    bounds = ("" if minimum is None and maximum is None
              else f" ({minimum if minimum is not None else ''}..{maximum if maximum is not None else ''})")
    expected = "a whole number" + bounds
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise SettingError(name, raw, expected) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise SettingError(name, raw, expected)
    return value


def port_setting(name: str, default: int) -> int:
    """A TCP port setting (``ATTRITION_PG_PORT`` and the like): a whole number in 1..65535."""
    return int_setting(name, default, minimum=1, maximum=65535)


def float_setting(name: str, default: float, *, minimum: float = 0.0) -> float:
    """A number of seconds or the like: a number >= ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(name, raw, f"a number >= {minimum:g}") from None
    if not value >= minimum or value == float("inf"):
        raise SettingError(name, raw, f"a number >= {minimum:g}")
    return value


def airflow_conn_to_dsn(value: str) -> str:
    """Turn an Airflow connection (URI or JSON form) into a postgresql:// URL for libpq."""
    value = value.strip()
    if value.startswith("{"):
        try:
            conn = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()} is not valid JSON: {exc}") from exc
        return build_url(
            host=conn.get("host") or "localhost",
            port=conn.get("port"),
            user=conn.get("login"),
            password=conn.get("password"),
            dbname=conn.get("schema") or "",
            params=conn.get("extra") if isinstance(conn.get("extra"), dict) else None,
        )
    parts = urlsplit(value)
    if parts.scheme not in {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        raise ConfigError(
            f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()} has scheme {parts.scheme!r}; expected postgres:// or postgresql://"
        )
    return "postgresql://" + value.split("://", 1)[1]


def build_url(host: str, port, user: str | None, password: str | None, dbname: str, params: dict | None = None) -> str:
    auth = ""
    if user:
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        auth += "@"
    url = f"postgresql://{auth}{host}{':' + str(port) if port else ''}/{quote(dbname, safe='')}"
    if params:
        url += "?" + "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in params.items())
    return url


def _airflow_stored_connection() -> str | None:
    """The ``warehouse`` connection from Airflow, only when running inside Airflow."""
    if "airflow.sdk" not in sys.modules:
        return None
    try:
        from airflow.sdk import Connection

        conn = Connection.get(AIRFLOW_CONN_ID)
    except Exception:  # not defined, or no task context: fall through to the next source
        return None
    return build_url(conn.host or "localhost", conn.port, conn.login, conn.password, conn.schema or "")


def configured_dsn() -> str | None:
    """The DSN an operator configured, or None when the embedded cluster should be used."""
    if os.environ.get("ATTRITION_WAREHOUSE_DSN"):
        return os.environ["ATTRITION_WAREHOUSE_DSN"]
    env_conn = os.environ.get(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()}")
    if env_conn:
        return airflow_conn_to_dsn(env_conn)
    return _airflow_stored_connection()


def warehouse_dsn() -> str:
    dsn = configured_dsn()
    if dsn:
        return dsn
    from etl.local.embedded import EmbeddedPostgres

    return EmbeddedPostgres.default().dsn()


def reader_dsn() -> str | None:
    """The read-only DSN: ``ATTRITION_READER_DSN``, or the embedded cluster's reader login."""
    if os.environ.get("ATTRITION_READER_DSN"):
        return os.environ["ATTRITION_READER_DSN"]
    if configured_dsn():
        return None
    from etl.local.embedded import EmbeddedPostgres

    return EmbeddedPostgres.default().dsn(reader=True)


def redact(dsn: str) -> str:
    """The DSN with its password replaced by ``***`` (for logs and error messages)."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
            return dsn.replace(parts.netloc, netloc, 1)
        return dsn
    return " ".join("password=***" if item.startswith("password=") else item for item in dsn.split())


def airflow_ui_url() -> str:
    """The Airflow UI's address for links in alerts: ``ATTRITION_AIRFLOW_URL``, else Airflow's
    ``AIRFLOW__API__BASE_URL``, else http://localhost:8080."""
    return (os.environ.get("ATTRITION_AIRFLOW_URL") or os.environ.get("AIRFLOW__API__BASE_URL")
            or "http://localhost:8080").rstrip("/")


def airflow_run_url(dag_id: str, run_id: str | None) -> str | None:
    """The UI page of a DAG run (Airflow 3: /dags/<dag_id>/runs/<run_id>)."""
    if not run_id:
        return None
    return f"{airflow_ui_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
