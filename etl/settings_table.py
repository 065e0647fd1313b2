"""The settings table: every ``ATTRITION_*`` setting declared once (name, type, default, help).

:data:`SETTINGS` holds one :class:`Setting` each; :func:`etl.config.setting` reads one from the
environment and validates it with :meth:`Setting.parse` (a value that does not fit is a
:class:`~etl.errors.SettingError`).  README's settings table is printed from it
(``python -m etl.config --markdown``).  Import these names from :mod:`etl.config`, which re-exports
them; this module imports only :mod:`etl.errors` (it sits below etl.config in the layers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.errors import SettingError

EMBEDDED_DEFAULT_PORT = 54329  # the embedded cluster's port (etl.local.embedded)
DEFAULT_USER_AGENT = "attrition/0.1 (+https://github.com/attrition-project/attrition; loss-bulletin archiver)"
FLAG_TRUE, FLAG_FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """One environment setting.  ``type``: str, int, float, port, flag, date, path, choice, list
    (comma- or blank-separated).  ``shown_default``: how README states the default when the value
    alone does not say it ("" for none)."""

    name: str
    type: str
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    shown_default: str | None = None

    def expected(self) -> str:
        if self.type == "port":
            return "a whole number (1..65535)"
        if self.type == "int":
            bounds = (
                ""
                if self.minimum is None and self.maximum is None
                else f" ({'' if self.minimum is None else int(self.minimum)}.."
                f"{'' if self.maximum is None else int(self.maximum)})"
            )
            return "a whole number" + bounds
        if self.type == "float":
            return f"a number >= {self.minimum or 0:g}"
        if self.type == "flag":
            return "1 or 0 (true/false, yes/no, on/off)"
        if self.type == "date":
            return "a date like 2026-08-08"
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        return "text"

    def parse(self, raw: str):
        """``raw`` (not blank) as this setting's type; :class:`SettingError` when it does not fit."""
        text = raw.strip()
        try:
            value = _PARSERS[self.type](text)
        except (ValueError, KeyError):
            raise SettingError(self.name, raw, self.expected()) from None
        low = 1 if self.type == "port" else self.minimum
        high = 65535 if self.type == "port" else self.maximum
        if self.type == "float" and (value == float("inf") or not value >= (low or 0.0)):
            raise SettingError(self.name, raw, self.expected())
        if self.type in ("int", "port") and ((low is not None and value < low) or (high is not None and value > high)):
            raise SettingError(self.name, raw, self.expected())
        if self.type == "choice" and value not in self.choices:
            raise SettingError(self.name, raw, self.expected())
        return value

    def default_text(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        if self.default in (None, "", ()):
            return ""
        if isinstance(self.default, bool):
            return "1" if self.default else "0"
        if isinstance(self.default, float) and self.default.is_integer():
            return str(int(self.default))
        if isinstance(self.default, str) and "://" in self.default:
            return f"`{self.default}`"
        return str(self.default)

    def row(self) -> str:
        """The README row: ``| `NAME` | help | default |``."""
        return f"| `{self.name}` | {self.help} | {self.default_text() or '—'} |"


def _flag(text: str) -> bool:
    low = text.lower()
    if low in FLAG_TRUE:
        return True
    if low in FLAG_FALSE:
        return False
    raise ValueError(text)


_PARSERS = {
    "str": str,
    "path": Path,
    "choice": str,
    "int": lambda t: int(t, 10),
    "port": lambda t: int(t, 10),
    "float": float,
    "flag": _flag,
    "date": date.fromisoformat,
    "list": lambda t: [v for v in t.replace(",", " ").split() if v],
}


def _s(name: str, type_: str, default, help_: str, **kw) -> Setting:
    return Setting(name, type_, default, help_, **kw)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        _s("ATTRITION_WAREHOUSE_DSN", "str", None, "libpq DSN or `postgresql://` URL of the warehouse"),
        _s(
            "ATTRITION_READER_DSN",
            "str",
            None,
            "read-only DSN that `attrition db url --reader` prints for a configured warehouse",
        ),
        _s("ATTRITION_PG_PORT", "port", None, "port of the embedded cluster", shown_default=str(EMBEDDED_DEFAULT_PORT)),
        _s("ATTRITION_PG_BINDIR", "path", None, "PostgreSQL binaries to use for the embedded cluster"),
        _s(
            "ATTRITION_PG_BINARIES",
            "choice",
            "auto",
            "`pgserver` to use the wheel's binaries even when the system has some",
            choices=("auto", "pgserver"),
            shown_default="`auto`",
        ),
        _s("ATTRITION_PG_OS_USER", "str", None, "account the embedded cluster runs as when invoked as root"),
        _s("ATTRITION_AIRFLOW_PORT", "port", 8080, "port of Airflow's UI and API for `make up`"),
        _s(
            "ATTRITION_LOCAL_DIR",
            "path",
            None,
            "runtime state (cluster, secrets, logs, Airflow home)",
            shown_default="`.local/`",
        ),
        _s("ATTRITION_HOME", "path", None, "the checkout", shown_default="found from the installed package"),
        _s(
            "ATTRITION_SYSTEM_DIR",
            "path",
            Path("/var/lib/attrition"),
            "where a root-run cluster goes when its account cannot reach `.local/`",
            shown_default="`/var/lib/attrition`",
        ),
        _s(
            "ATTRITION_SOURCES",
            "choice",
            "auto",
            "`auto` (live when the sites answer, else replay), `live` or `replay`, for `make up`",
            choices=("auto", "live", "replay"),
            shown_default="`auto`",
        ),
        _s(
            "ATTRITION_SOURCES_MODE",
            "choice",
            None,
            "`live` or `replay`: what the sources are for `sources_check` and `news_claims`; `make up` sets it",
            choices=("live", "replay"),
            shown_default="`replay` when the minfin origin is on loopback, else `live`",
        ),
        _s("ATTRITION_REPLAY_PORT", "port", 8765, "port of the replay server `make up` starts offline"),
        _s(
            "ATTRITION_TODAY",
            "date",
            None,
            "a Kyiv date the pipeline and the spiders treat as today. `make up` sets "
            "it to the snapshot's last day when the sources are a replay, so `losses_daily` triggered with default "
            "parameters targets a day the replay serves",
            shown_default="the real date",
        ),
        _s(
            "ATTRITION_REPLAY_DATA",
            "path",
            None,
            "snapshot folder `make up` replays",
            shown_default="the bundled `data/replay`",
        ),
        _s("ATTRITION_MINFIN_BASE_URL", "str", "https://index.minfin.com.ua", "origin of the minfin site"),
        _s("ATTRITION_MOD_MIL_BASE_URL", "str", "https://www.mil.gov.ua", "origin of mil.gov.ua"),
        _s("ATTRITION_MOD_BASE_URL", "str", "https://mod.gov.ua", "origin of mod.gov.ua"),
        _s("ATTRITION_RUSSIANWARSHIP_BASE_URL", "str", "https://russianwarship.rip", "origin of the API"),
        _s("ATTRITION_DOWNLOAD_TIMEOUT", "float", 30.0, "seconds before a request times out", minimum=1.0),
        _s("ATTRITION_RETRY_BACKOFF", "float", 2.0, "retry backoff base in seconds (3 retries)"),
        _s("ATTRITION_RETRY_BACKOFF_MAX", "float", 30.0, "retry backoff cap in seconds"),
        _s(
            "ATTRITION_RETRY_AFTER_MAX",
            "float",
            300.0,
            "the longest `Retry-After` (429/503) a retry waits for, in seconds",
        ),
        _s(
            "ATTRITION_CRAWL_TIMEOUT",
            "float",
            None,
            "bound of one crawl in seconds (`0`: none)",
            shown_default="derived from the backfill's range; 900 for a daily crawl",
        ),
        _s("ATTRITION_PROGRESS_SECONDS", "float", 30.0, "seconds between a crawl's progress lines (at least 0.5)"),
        _s(
            "ATTRITION_SKIP_ARCHIVED",
            "flag",
            True,
            "a backfill run again under the same run id skips what that run already archived (resume)",
        ),
        _s(
            "ATTRITION_MAX_HOST_TIMEOUTS", "int", 2, "consecutive timeouts after which a host counts as down", minimum=1
        ),
        _s(
            "ATTRITION_MOD_DAILY_DAYS",
            "int",
            3,
            "days the daily mod crawl fetches back from the newest listed",
            minimum=1,
        ),
        _s("ATTRITION_FAST", "flag", False, "`1`: no politeness delays or backoff; only for loopback (replay) crawls"),
        _s("ATTRITION_SCRAPY_LOG_LEVEL", "str", "INFO", "Scrapy's log level"),
        _s(
            "ATTRITION_USER_AGENT",
            "str",
            DEFAULT_USER_AGENT,
            "the User-Agent the spiders send; set it to name your deployment and a contact URL",
            shown_default="`attrition/0.1 (+https://github.com/attrition-project/attrition; …)`",
        ),
        _s(
            "ATTRITION_RUN_ID",
            "str",
            "",
            "the run a crawl's fetches are recorded under (raw.fetch.run_id); "
            "`etl.losses.crawl` sets it for each spider",
        ),
        _s(
            "ATTRITION_MANIFEST",
            "str",
            "",
            "where a spider writes its run's manifest (JSON); `etl.losses.crawl` sets it for each spider",
        ),
        _s(
            "ATTRITION_KYIV_INDEPENDENT_BASE_URL",
            "str",
            "https://kyivindependent.com",
            "origin of Kyiv Independent for the news spider",
        ),
        _s(
            "ATTRITION_NEWS_FEEDS",
            "list",
            None,
            "RSS/Atom feeds the generic news spider reads (comma-separated)",
            shown_default="Ukrinform's and Newsweek's",
        ),
        _s(
            "ATTRITION_NEWS_URLS",
            "list",
            (),
            "article URLs the generic news spider fetches (comma-separated)",
            shown_default="none",
        ),
        _s(
            "ATTRITION_REAL_ARTICLES",
            "path",
            None,
            "real articles kept outside the repository for `python -m etl.news.score --real`",
        ),
        _s(
            "ATTRITION_DATA_DOCS_DIR",
            "path",
            None,
            "where the gate writes the GX Data Docs",
            shown_default="`.local/data_docs/`",
        ),
        _s(
            "ATTRITION_EXPORT_DIR",
            "path",
            None,
            "where the exports go ([docs/exports.md](docs/exports.md))",
            shown_default="`.local/exports/`",
        ),
        _s(
            "ATTRITION_DATA_DOCS_URL",
            "str",
            None,
            "where that folder is served, for the links in alerts",
            shown_default="a `file://` link",
        ),
        _s(
            "ATTRITION_AIRFLOW_URL",
            "str",
            None,
            "the Airflow UI's address for run links in alerts; `make up` sets it",
            shown_default="`AIRFLOW__API__BASE_URL`, else http://localhost:8080",
        ),
        _s(
            "ATTRITION_OPERATOR",
            "str",
            None,
            "the name `attrition quarantine accept/reject` records (`--by` overrides)",
            shown_default="the login name",
        ),
        _s(
            "ATTRITION_ALERT_EMAIL_TO", "str", "attrition-alerts@localhost", "alert e-mail recipients (comma-separated)"
        ),
        _s("ATTRITION_ALERT_EMAIL_FROM", "str", "attrition@localhost", "alert e-mail sender"),
        _s(
            "ATTRITION_ALERT_DIGEST_OVER",
            "int",
            10,
            "more pending alerts than this in one delivery go out as one digest per channel",
        ),
        _s(
            "ATTRITION_ALERT_SPOOL",
            "path",
            None,
            "where alerts wait while the warehouse is unreachable",
            shown_default="`.local/spool/alerts.jsonl`",
        ),
        _s(
            "ATTRITION_SMTP_CONN_ID",
            "str",
            "smtp_default",
            "the Airflow connection used for e-mail",
            shown_default="`smtp_default`",
        ),
        _s(
            "ATTRITION_MAILSINK_PORT",
            "port",
            8025,
            "port of the loopback SMTP sink `make up` starts when no mail server is configured",
        ),
        _s(
            "ATTRITION_POLL_SECONDS",
            "int",
            120,
            "seconds between two polls of a source by `losses_daily`'s sensors (conditional GETs)",
            minimum=5,
        ),
        _s(
            "ATTRITION_PARSE_WORKERS",
            "int",
            0,
            "forked worker processes a large parse (a rebuild) uses; 0: one per core, but none inside an "
            "Airflow task (forking there was seen to hang) or in a process with other threads; 1: none",
            minimum=0,
        ),
        _s(
            "ATTRITION_REVIEW_RECHECK_SECONDS",
            "float",
            600.0,
            "seconds a Required Action waits before it checks whether its record was decided elsewhere"
            " (then it closes)",
        ),
        _s(
            "ATTRITION_RUN_LOCK_WAIT",
            "float",
            1800.0,
            "seconds a run waits for another run over the same source to end",
        ),
    )
}
