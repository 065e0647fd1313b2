"""The errors a user of attrition may see: each renders as one line naming what failed and what to do.

Every class here derives from :class:`AttritionError`.  ``str(error)`` is the one line the
``attrition`` command prints (``attrition: <line>``, exit status :attr:`AttritionError.exit_code`)
and a DAG task fails with; no traceback reaches the user.  The line names, when known, the
source, the URL and the field concerned, then the problem, then what to do about it.

- exit status **2**: the user can fix it by changing an input (a setting, a file, an argument):
  :class:`ConfigError`, :class:`SettingError`, :class:`SnapshotError`, :class:`InputError` (and the
  project's ``ValueError``-like errors under it: ``ParseError``, ``ReviewError``, ...);
- exit status **1**: the run failed and may be re-run once the cause is gone:
  :class:`WarehouseUnavailable`, :class:`WarehouseLost`, :class:`NumberOutOfRange`,
  :class:`RunLockTimeout`, :class:`SourceError`, :class:`MessageError` (migrations, the gate, the
  embedded cluster, a crawl, ...).

Every error knows what becomes of it (``etl.warehouse.failures`` asks it, importing nothing else):
:meth:`AttritionError.summary` (the one line printed), :attr:`AttritionError.exit_code`,
:attr:`AttritionError.kind` (the alert's kind) and :meth:`AttritionError.details` (what the alert records).
Errors defined elsewhere (``CrawlError`` in etl.losses.crawl, ``GateError`` in etl.quality.gate, ...)
derive from these classes.

This module imports nothing heavy (it is imported by :mod:`etl.config`).
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` on one line: its lines joined with " | ", runs of blanks collapsed."""
    parts = [" ".join(line.split()) for line in str(text).splitlines()]
    return " | ".join(p for p in parts if p)


class AttritionError(RuntimeError):
    """An error with a user-facing line: ``source: url: field F: problem; action``."""

    exit_code = 1
    kind = "failure"  # the quality.alert kind an alert about it carries (etl.warehouse.failures)

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        url: str | None = None,
        field: str | None = None,
        action: str | None = None,
    ):
        self.problem, self.source, self.url, self.field, self.action = problem, source, url, field, action
        super().__init__(self.line())

    def line(self) -> str:
        head = [p for p in (self.source, self.url) if p]
        if self.field:
            head.append(f"field {self.field}")
        text = ": ".join([*head, self.problem])
        if self.action:
            text += f"; {self.action}"
        return one_line(text)

    def __str__(self) -> str:
        return self.line()

    def summary(self) -> str:
        """The one line ``attrition`` prints and a task fails with (by default :meth:`line`)."""
        return self.line()

    def details(self) -> dict:
        """What an alert about it records (quality.alert.details)."""
        return {
            k: v
            for k, v in (
                ("source", self.source),
                ("url", self.url),
                ("field", self.field),
                ("problem", self.problem),
                ("action", self.action),
            )
            if v
        }


class ConfigError(AttritionError):
    """A setting is missing or malformed; the message says which and how to fix it."""

    exit_code = 2
    kind = "bad_setting"

    def __init__(self, problem: str, **kw):
        super().__init__(problem, **kw)


class SettingError(ConfigError):
    """An environment setting has a value that cannot be used (``ATTRITION_PG_PORT=abc``)."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value = name, value
        super().__init__(
            f"setting {name}={value!r} is not {expected}",
            action=f"set {name} to {expected} or unset it for the default",
        )


class SnapshotError(ConfigError, ValueError):
    """A replay snapshot file holds a row the replay cannot serve: file, line, field and value."""

    kind = "bad_snapshot"

    def __init__(self, path, lineno: int | None, field: str | None, problem: str):
        self.path, self.lineno = str(path), lineno
        where = f"{path}:{lineno}" if lineno else str(path)
        AttritionError.__init__(
            self,
            problem,
            source="replay snapshot",
            url=where,
            field=field,
            action="fix or delete that row (format: docs/replay.md), then start the replay again",
        )


class WarehouseUnavailable(AttritionError):
    """The warehouse cannot be reached at all (nothing was started)."""

    kind = "warehouse_unreachable"


class WarehouseLost(AttritionError):
    """The connection to the warehouse broke during a transaction: it was rolled back."""

    kind = "warehouse_lost"

    def __init__(self, cause: str, run_id: str | None = None, dsn: str | None = None):
        self.run_id, self.cause = run_id, one_line(cause)
        run = f"run {run_id}" if run_id else "this run"
        super().__init__(
            f"the connection to the warehouse was lost during a transaction ({self.cause})",
            source="warehouse",
            url=dsn,
            action=f"nothing of {run} was loaded; run it again once the warehouse is up (`attrition db status`)",
        )


class NumberOutOfRange(AttritionError):
    """A figure does not fit the warehouse's column (bigint)."""

    kind = "number_out_of_range"

    def __init__(self, cause: str, run_id: str | None = None, **kw):
        run = f"run {run_id}" if run_id else "this run"
        super().__init__(
            f"a number is out of range for the warehouse ({one_line(cause)})",
            action=f"nothing of {run} was loaded; the raw document is kept in raw.document; "
            "see quality.alert for the document",
            **kw,
        )


class RunLockTimeout(AttritionError):
    """Another run over the same source held the run lock longer than we were willing to wait."""

    kind = "run_lock_timeout"

    def __init__(self, holder: str, waited: float, run_id: str | None = None):
        run = f"run {run_id}" if run_id else "this run"
        super().__init__(
            f"another run of {holder} is in progress; waited {waited:.0f} s for it",
            source="run lock",
            action=f"nothing of {run} was loaded; run it again when the other run has ended "
            "(or raise ATTRITION_RUN_LOCK_WAIT)",
        )


class SourceError(AttritionError):
    """A source failed after retries: down, timing out, HTTP errors, a redesigned or oversized page."""

    kind = "source_failure"


class MessageError(AttritionError):
    """An error whose message is its one line (``MessageError("migration 0003 failed: ...")``): exit 1,
    alert kind ``run_failure`` with the line as the problem."""

    kind = "run_failure"

    def __init__(self, message: object = "", *args):
        self.message = str(message)
        AttritionError.__init__(self, self.message)
        self.args = (self.message, *args)

    def line(self) -> str:
        return one_line(self.message)

    def __str__(self) -> str:
        return self.message  # as it was raised (it may span lines); line() is the one line

    def details(self) -> dict:
        return {}  # the alert's problem is the line it was given


class InputError(MessageError, ValueError):
    """A bad input (an argument, a file, a document): exit 2; a ``ValueError`` too."""

    exit_code = 2
