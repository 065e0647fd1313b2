"""Where things live, which warehouse to use, and every ``ATTRITION_*`` setting.

**The settings table.**  Every ``ATTRITION_*`` environment setting the code reads is declared once
in :data:`SETTINGS` (name, type, default, help; the table lives in :mod:`etl.settings_table`) and
read with :func:`setting`, which validates the value when it is read: a value that does not fit
is a :class:`~etl.errors.SettingError`, one line naming the setting, its value and what is expected
(exit status 2).  An unset or blank setting is
its default.  README's settings table is printed from it: ``python -m etl.config --markdown``
(``tests/test_settings.py`` checks that README holds exactly these rows).

The warehouse DSN is taken, in order, from:

1. ``ATTRITION_WAREHOUSE_DSN`` (a libpq DSN or postgresql:// URL);
2. the Airflow connection ``warehouse``: the ``AIRFLOW_CONN_WAREHOUSE`` variable
   (URI or JSON form), or, inside a running Airflow task, the connection stored
   in Airflow;
3. the embedded cluster under ``.local/pg`` (started by :mod:`etl.local.embedded`; this module only
   reads its ``state.json`` for the port and the passwords).

Only the first two count as "configured": without them the project runs its own
PostgreSQL.

This module imports only :mod:`etl.settings_table` and :mod:`etl.errors` (the bottom of the layers).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

from etl.errors import ConfigError, SettingError
from etl.settings_table import DEFAULT_USER_AGENT, EMBEDDED_DEFAULT_PORT, FLAG_FALSE, FLAG_TRUE, SETTINGS, Setting

__all__ = [
    "DEFAULT_USER_AGENT",
    "FLAG_FALSE",
    "FLAG_TRUE",
    "SETTINGS",
    "ConfigError",
    "Setting",
    "SettingError",
    "setting",
]

AIRFLOW_CONN_ID = "warehouse"
READER_ROLE = "attrition_reader"

# the embedded cluster (etl.local.embedded): where it listens (the default port: etl.settings_table) and
# who owns its database
EMBEDDED_HOST = "127.0.0.1"
EMBEDDED_SUPERUSER = "attrition"
EMBEDDED_DATABASE = "attrition"


def setting(name: str):
    """The value of the setting ``name`` (declared in :data:`SETTINGS`), read from the environment now
    and validated: unset or blank is the default (a ``list`` set blank is empty); a malformed value is
    a :class:`SettingError` naming the setting, its value and what is expected."""
    spec = SETTINGS[name]
    raw = os.environ.get(name)
    if raw is None or (raw.strip() == "" and spec.type != "list"):
        return list(spec.default) if spec.type == "list" and spec.default is not None else spec.default
    return spec.parse(raw)


def is_set(name: str) -> bool:
    """Whether the setting ``name`` is given (not unset, not blank)."""
    SETTINGS[name]  # an undeclared name is a KeyError here too
    return bool(os.environ.get(name, "").strip())


MARKDOWN_HEADER = "| setting | meaning | default |\n|---|---|---|"


def markdown_table() -> str:
    """README's rows, one per setting, in table order (under :data:`MARKDOWN_HEADER`)."""
    return "\n".join(spec.row() for spec in SETTINGS.values())


# ---------------------------------------------------------------------------------------------
# where things live
# ---------------------------------------------------------------------------------------------
def project_home() -> Path:
    """The checkout: ``ATTRITION_HOME`` or the folder above this package."""
    env = setting("ATTRITION_HOME")
    return env.resolve() if env else Path(__file__).resolve().parents[1]


def local_dir() -> Path:
    """Runtime state (cluster, secrets, logs, Airflow home): ``ATTRITION_LOCAL_DIR`` or ``.local/``."""
    env = setting("ATTRITION_LOCAL_DIR")
    return env.resolve() if env else project_home() / ".local"


# ---------------------------------------------------------------------------------------------
# the warehouse
# ---------------------------------------------------------------------------------------------
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
    if setting("ATTRITION_WAREHOUSE_DSN"):
        return setting("ATTRITION_WAREHOUSE_DSN")
    env_conn = os.environ.get(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()}")
    if env_conn:
        return airflow_conn_to_dsn(env_conn)
    return _airflow_stored_connection()


# ---- the embedded cluster's address, from its state file (etl.local.embedded runs it) ----------
def embedded_base() -> Path:
    """The embedded cluster's folder (``state.json``, and the cluster unless it lives elsewhere)."""
    return local_dir() / "pg"


def embedded_state(base: Path) -> dict:
    try:
        return json.loads((Path(base) / "state.json").read_text())
    except FileNotFoundError:
        return {}


def embedded_port(state: dict, port: int | None = None) -> int:
    """``port``, else ``ATTRITION_PG_PORT`` (a malformed value: one line, exit 2), else the state's, else 54329."""
    return int(port or setting("ATTRITION_PG_PORT") or state.get("port") or EMBEDDED_DEFAULT_PORT)


def embedded_password(base: Path, state: dict, role: str) -> str:
    pw = state.get("passwords", {}).get(role)
    if not pw:
        raise ConfigError(f"the embedded warehouse under {base} has not been created yet: run `attrition db up`")
    return pw


def embedded_dsn(
    base: Path, state: dict, port: int, reader: bool = False, user: str | None = None, dbname: str = EMBEDDED_DATABASE
) -> str:
    user = READER_ROLE if reader else (user or EMBEDDED_SUPERUSER)
    return build_url(EMBEDDED_HOST, port, user, embedded_password(base, state, user), dbname)


def embedded_running_dsn() -> str | None:
    """The embedded cluster's DSN when it runs (its ``postmaster.pid`` names a port), else None."""
    base = embedded_base()
    state = embedded_state(base)
    data_dir = Path(state.get("cluster_dir") or base / "cluster") / "data"
    try:
        int((data_dir / "postmaster.pid").read_text().splitlines()[3])
    except (OSError, IndexError, ValueError):
        return None
    return embedded_dsn(base, state, embedded_port(state))


def _default_embedded_dsn(reader: bool = False) -> str:
    base = embedded_base()
    state = embedded_state(base)
    return embedded_dsn(base, state, embedded_port(state), reader=reader)


def warehouse_dsn() -> str:
    return configured_dsn() or _default_embedded_dsn()


def reader_dsn() -> str | None:
    """The read-only DSN: ``ATTRITION_READER_DSN``, or the embedded cluster's reader login."""
    if setting("ATTRITION_READER_DSN"):
        return setting("ATTRITION_READER_DSN")
    if configured_dsn():
        return None
    return _default_embedded_dsn(reader=True)


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
    return (
        setting("ATTRITION_AIRFLOW_URL") or os.environ.get("AIRFLOW__API__BASE_URL") or "http://localhost:8080"
    ).rstrip("/")


def airflow_run_url(dag_id: str, run_id: str | None) -> str | None:
    """The UI page of a DAG run (Airflow 3: /dags/<dag_id>/runs/<run_id>)."""
    if not run_id:
        return None
    return f"{airflow_ui_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m etl.config", description="attrition's settings")
    parser.add_argument("--markdown", action="store_true", help="print README's settings rows")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table())
        return 0
    for spec in SETTINGS.values():  # names, types and defaults; never the values (a DSN holds a password)
        print(f"{spec.name}\t{spec.type}\t{spec.default_text() or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
