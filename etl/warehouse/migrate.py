"""Versioned SQL migrations and the view files of the warehouse.

Files ``etl/warehouse/migrations/NNNN_name.sql`` (tables: forward-only) run in order, each in its own
transaction, and are recorded in ``public.schema_migrations`` with a checksum.  A migration
that was changed after it ran is an error: write a new one instead.  The one exception is
``migrations/earlier_checksums.csv``: earlier texts of migrations that were rewritten without changing
what they leave in a warehouse once the view files and the catalogue have run (their view definitions
moved to the view files, their COMMENT ONs to ``catalog.yml``).  A ledger row with such a checksum is
accepted and brought up to the current file's checksum.

Then the views: each is one file ``etl/warehouse/views/NN_schema.name.sql`` (the view and its
indexes), the only definition of it.  A file whose checksum differs from the one
in ``public.view_checksum``, or whose view is missing, is re-applied: its view is dropped with CASCADE
and re-created, and so is every later file's view the drop took along (NN orders dependencies:
a view only reads files before it).  A materialized view is left populated; a view of schema
``mart`` is granted to the reader role again.  All view files are applied in one transaction, so a
failing file leaves every view as it was.  Unchanged files: nothing is done.  In the same transaction
the comments of ``etl/warehouse/catalog.yml`` the warehouse lacks are written (:mod:`etl.warehouse.catalog`;
a view re-created has lost its comments, so they are written again).

After that, reference data that lives in code (the category contract) is synced; that step writes
nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from etl.config import READER_ROLE
from etl.errors import MessageError
from etl.warehouse.catalog import apply_comments

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
EARLIER_CHECKSUMS = MIGRATIONS_DIR / "earlier_checksums.csv"
VIEWS_DIR = Path(__file__).parent / "views"
LOCK_KEY = 0x61747472  # pg_advisory_lock key, so two runners never interleave

LEDGER = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(MessageError):
    pass


class _SqlFile:
    """A SQL file of the tree: its text and the checksum recorded when it is applied."""

    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Migration(_SqlFile):
    version: str
    name: str
    path: Path


@dataclass(frozen=True)
class ViewFile(_SqlFile):
    schema: str
    view: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.view}"


def available() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        found.append(Migration(match.group(1), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


def earlier_checksums() -> dict[str, set[str]]:
    """version -> checksums of its earlier texts that are accepted as the current one (see the module's doc)."""
    import csv

    with EARLIER_CHECKSUMS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["version"], set()).add(row["checksum"])
    return out


def _check_ledger(cur, mig: Migration, recorded: str, earlier: dict[str, set[str]]) -> None:
    """A migration already applied: its file must be the text that ran, or a known rewrite of it
    (then the ledger is brought up to the current checksum)."""
    if recorded == mig.checksum:
        return
    if recorded not in earlier.get(mig.version, ()):
        raise MigrationError(f"migration {mig.path.name} changed after it was applied; add a new migration instead")
    cur.execute(
        "UPDATE public.schema_migrations SET checksum = %s WHERE version = %s AND checksum = %s",
        (mig.checksum, mig.version, recorded),
    )


def view_files(views_dir: Path | None = None) -> list[ViewFile]:
    """The view files in dependency order (their NN prefix)."""
    found = []
    for path in sorted((views_dir or VIEWS_DIR).glob("*.sql")):
        match = re.fullmatch(r"(\d{2})_([a-z_]+)\.([a-z0-9_]+)\.sql", path.name)
        if not match:
            raise MigrationError(f"{path.name}: view files are named NN_schema.name.sql")
        found.append(ViewFile(match.group(2), match.group(3), path))
    numbers = [f.path.name[:2] for f in found]
    if len(set(numbers)) != len(numbers):
        raise MigrationError("two view files share a number")
    return found


def migrate(dsn: str | None = None) -> list[str]:
    """Apply pending migrations, then changed view files; returns what was applied (empty when up to date):
    migration file names, then ``views/NN_schema.name.sql`` for each view file re-applied."""
    from etl.warehouse.db import connect

    conn = connect(dsn)
    applied_now: list[str] = []
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            cur.execute("SET client_min_messages = warning")
            cur.execute(LEDGER)
            cur.execute("SELECT version, checksum FROM public.schema_migrations")
            done = dict(cur.fetchall())
        conn.autocommit = False
        earlier = earlier_checksums()
        for mig in available():
            if mig.version in done:
                with conn, conn.cursor() as cur:
                    _check_ledger(cur, mig, done[mig.version], earlier)
                continue
            with conn, conn.cursor() as cur:
                try:
                    cur.execute(mig.sql)
                except Exception as exc:
                    raise MigrationError(f"migration {mig.path.name} failed: {exc}".strip()) from exc
                cur.execute(
                    "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (mig.version, mig.name, mig.checksum),
                )
            applied_now.append(mig.path.name)
        with conn, conn.cursor() as cur:
            applied_now += apply_views(cur)
            apply_comments(cur)
        with conn, conn.cursor() as cur:
            sync_categories(cur)
            sync_corrections(cur)
    finally:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        conn.close()
    return applied_now


def apply_views(cur, views_dir: Path | None = None) -> list[str]:
    """Re-apply every view file whose checksum changed or whose view is missing (in the caller's
    transaction); returns ``views/<file>`` for each applied."""
    cur.execute("SELECT name, checksum FROM public.view_checksum")
    recorded = dict(cur.fetchall())
    files = view_files(views_dir)
    applied_now = []
    for vf in files:
        kind = _relkind(cur, vf)
        if kind is not None and recorded.get(vf.name) == vf.checksum:
            continue
        _apply_view(cur, vf, kind)
        applied_now.append(f"views/{vf.path.name}")
    missing = [vf.path.name for vf in files if _relkind(cur, vf) is None]
    if missing:
        raise MigrationError(
            f"view files {', '.join(missing)} were dropped along with a later view they read; "
            "a view file must come after the views it reads (renumber them)"
        )
    return applied_now


def _relkind(cur, vf: ViewFile) -> str | None:
    """'v' (view), 'm' (materialized view), None (absent); anything else by that name is an error."""
    cur.execute(
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        (vf.schema, vf.view),
    )
    row = cur.fetchone()
    if row is not None and row[0] not in ("v", "m"):
        raise MigrationError(f"view file {vf.path.name}: {vf.name} exists and is not a view")
    return row[0] if row else None


def _apply_view(cur, vf: ViewFile, kind: str | None) -> None:
    """Drop the view (CASCADE: later views reading it are re-applied in their turn), run its file,
    check it made a commented view, leave it populated, grant a mart to the reader, record the checksum."""
    from psycopg2 import sql

    ident = sql.Identifier(vf.schema, vf.view)
    if kind is not None:
        keyword = sql.SQL("MATERIALIZED VIEW" if kind == "m" else "VIEW")
        cur.execute(sql.SQL("DROP {} {} CASCADE").format(keyword, ident))
    try:
        cur.execute(vf.sql)
    except Exception as exc:
        raise MigrationError(f"view file {vf.path.name} failed: {exc}".strip()) from exc
    kind = _relkind(cur, vf)
    if kind is None:
        raise MigrationError(f"view file {vf.path.name} did not create the view {vf.name}")
    if kind == "m":
        cur.execute(
            "SELECT ispopulated FROM pg_matviews WHERE schemaname = %s AND matviewname = %s", (vf.schema, vf.view)
        )
        if not cur.fetchone()[0]:
            cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(ident))
    if vf.schema == "mart":
        cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(ident, sql.Identifier(READER_ROLE)))
    cur.execute(
        "INSERT INTO public.view_checksum (name, file, checksum) VALUES (%s, %s, %s) "
        "ON CONFLICT (name) DO UPDATE SET file = EXCLUDED.file, checksum = EXCLUDED.checksum, applied_at = now()",
        (vf.name, vf.path.name, vf.checksum),
    )


def applied(dsn: str | None = None) -> list[tuple[str, str, object]]:
    from etl.warehouse.db import transaction

    with transaction(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.schema_migrations')")
        if cur.fetchone()[0] is None:
            return []
        cur.execute("SELECT version, name, applied_at FROM public.schema_migrations ORDER BY version")
        return cur.fetchall()


def sync_categories(cur) -> int:
    """Upsert the category contract (etl.domain.categories) into core.category and core.category_alias.

    Returns the number of rows written; 0 when the tables already match.
    """
    from psycopg2.extras import execute_values

    from etl.domain.categories import CATEGORIES, normalize_label

    rows = [
        (c.code, c.label_en, c.label_uk, c.valid_from, c.valid_to, c.required_from, c.unit, c.description, i)
        for i, c in enumerate(CATEGORIES, start=1)
    ]
    execute_values(
        cur,
        """
        INSERT INTO core.category AS t
            (code, label_en, label_uk, valid_from, valid_to, required_from, unit, description, sort_order)
        VALUES %s
        ON CONFLICT (code) DO UPDATE SET
            label_en = EXCLUDED.label_en, label_uk = EXCLUDED.label_uk, valid_from = EXCLUDED.valid_from,
            valid_to = EXCLUDED.valid_to, required_from = EXCLUDED.required_from, unit = EXCLUDED.unit,
            description = EXCLUDED.description, sort_order = EXCLUDED.sort_order
        WHERE (t.label_en, t.label_uk, t.valid_from, t.valid_to, t.required_from, t.unit, t.description,
               t.sort_order)
           IS DISTINCT FROM (EXCLUDED.label_en, EXCLUDED.label_uk, EXCLUDED.valid_from, EXCLUDED.valid_to,
               EXCLUDED.required_from, EXCLUDED.unit, EXCLUDED.description, EXCLUDED.sort_order)
        """,
        rows,
        page_size=1000,
    )
    written = cur.rowcount
    aliases = sorted(
        {(source or "", normalize_label(alias), c.code) for c in CATEGORIES for source, alias in c.aliases}
    )
    execute_values(
        cur,
        """
        INSERT INTO core.category_alias AS t (source, alias, category) VALUES %s
        ON CONFLICT (source, alias) DO UPDATE SET category = EXCLUDED.category
        WHERE t.category IS DISTINCT FROM EXCLUDED.category
        """,
        aliases,
        page_size=1000,
    )
    written += cur.rowcount
    cur.execute(
        "DELETE FROM core.category_alias WHERE (source, alias) NOT IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
        ([a[0] for a in aliases], [a[1] for a in aliases]),
    )
    written += cur.rowcount
    return written


def sync_corrections(cur) -> int:
    """Seed quality.correction (origin ``registry``) from data/corrections.csv, the published list of
    official corrections; an operator's rows (origin ``operator``) are left alone."""
    from psycopg2.extras import execute_values

    from etl.config import project_home
    from etl.domain.corrections import read_registry

    rows = [
        (d, c, delta, note or None) for d, c, delta, note in read_registry(project_home() / "data" / "corrections.csv")
    ]
    execute_values(
        cur,
        """
        INSERT INTO quality.correction AS t (as_of, category, delta, reason, origin) VALUES %s
        ON CONFLICT (as_of, category) DO UPDATE SET delta = EXCLUDED.delta, reason = EXCLUDED.reason
        WHERE t.origin = 'registry' AND (t.delta, t.reason) IS DISTINCT FROM (EXCLUDED.delta, EXCLUDED.reason)
        """,
        [(d, c, delta, note, "registry") for d, c, delta, note in rows],
    )
    written = cur.rowcount
    cur.execute(
        "DELETE FROM quality.correction WHERE origin = 'registry' "
        "AND (as_of, category) NOT IN (SELECT * FROM unnest(%s::date[], %s::text[]))",
        ([r[0] for r in rows], [r[1] for r in rows]),
    )
    return written + cur.rowcount
