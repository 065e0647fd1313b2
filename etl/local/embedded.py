"""The embedded warehouse: a PostgreSQL cluster the project runs itself.

Used when no DSN is configured (see :mod:`etl.config`).  The cluster lives under
``.local/pg/`` and listens on 127.0.0.1 only, at a non-default port
(``ATTRITION_PG_PORT``, default 54329), with Unix sockets off.

Binaries: ``ATTRITION_PG_BINDIR``, else the system's (``pg_config --bindir``,
``/usr/lib/postgresql/*/bin``), else the ones the ``pgserver`` wheel carries.

initdb refuses to run as root.  When invoked as root, the cluster runs as an
unprivileged account: ``ATTRITION_PG_OS_USER``, else ``postgres`` when it exists,
else a system account ``attrition`` created for the purpose.  If that account
cannot reach ``.local/pg`` (a checkout under /root, say), the cluster's files go
to ``/var/lib/attrition/clusters/<hash>`` instead, and ``state.json`` records where.

Passwords are generated on first start and kept in ``.local/pg/state.json``
(mode 0600); nothing secret is in the repository.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from etl.config import EMBEDDED_DATABASE as DATABASE
from etl.config import EMBEDDED_HOST as HOST
from etl.config import EMBEDDED_SUPERUSER as SUPERUSER
from etl.config import (
    READER_ROLE,
    ConfigError,
    embedded_base,
    embedded_dsn,
    embedded_password,
    embedded_port,
    embedded_state,
    setting,
)
from etl.errors import MessageError

NEEDED = ("initdb", "pg_ctl", "postgres")


class EmbeddedError(MessageError):
    pass


@dataclass(frozen=True)
class OsUser:
    name: str
    uid: int
    gid: int


def system_root() -> Path:
    """Where a root-run cluster goes when its account cannot reach ``.local/``: ``ATTRITION_SYSTEM_DIR``."""
    return setting("ATTRITION_SYSTEM_DIR")


def _has_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() and os.access(bindir / name, os.X_OK) for name in NEEDED)


def _version_key(path: Path) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.]", path.parent.name))


def find_bindir() -> Path:
    """Where initdb, pg_ctl and postgres are: settings, then the system, then pgserver."""
    env = setting("ATTRITION_PG_BINDIR")
    if env:
        if not _has_binaries(Path(env)):
            raise ConfigError(f"ATTRITION_PG_BINDIR={env} does not hold {', '.join(NEEDED)}")
        return Path(env)
    if setting("ATTRITION_PG_BINARIES") != "pgserver":
        pg_config = shutil.which("pg_config")
        if pg_config:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
            if out.returncode == 0 and _has_binaries(Path(out.stdout.strip())):
                return Path(out.stdout.strip())
        for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True):
            if _has_binaries(cand):
                return cand
    import importlib.util

    spec = importlib.util.find_spec("pgserver")  # located, not imported: the wheel carries a whole PostgreSQL
    if spec is None or not spec.origin:
        raise ConfigError("no PostgreSQL binaries found and the pgserver wheel is not installed")
    cand = Path(spec.origin).parent / "pginstall" / "bin"
    if not _has_binaries(cand):
        raise ConfigError(f"the pgserver wheel has no usable binaries in {cand}")
    return cand


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


_PORTS_FROM = 20_000  # free_port's lowest (above the ports services usually listen on)


def free_port(host: str = HOST) -> int:
    """A port on ``host`` that nothing listens on now (for ATTRITION_PG_PORT and the like in tests and benchmarks).

    Taken below the kernel's ephemeral range (``net.ipv4.ip_local_port_range``), at random: a port the
    kernel hands out (``bind(0)``) is also what it gives the next outgoing connection, and under a busy
    test run one such connection took a replay server's port between the choice and the server's start
    ("Address already in use").  The kernel's choice is the fallback."""
    import random

    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    if low > _PORTS_FROM + 1000:
        for _ in range(50):
            port = random.randrange(_PORTS_FROM, low)
            with socket.socket() as sock, contextlib.suppress(OSError):
                sock.bind((host, port))
                return port
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedPostgres:
    """One cluster, described by ``<base>/state.json``."""

    def __init__(self, base: Path, port: int | None = None):
        self.base = Path(base)
        self.state_file = self.base / "state.json"
        self.state = self._load_state()
        self.port = embedded_port(self.state, port)  # a malformed ATTRITION_PG_PORT: one line, exit 2

    @classmethod
    def default(cls) -> EmbeddedPostgres:
        return cls(embedded_base())

    # ---- state -----------------------------------------------------------------
    def _load_state(self) -> dict:
        return embedded_state(self.base)

    def _save_state(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.state, fh, indent=2, sort_keys=True)
        os.replace(tmp, self.state_file)

    def password(self, role: str) -> str:
        return embedded_password(self.base, self.state, role)

    def ensure_password(self, role: str) -> str:
        passwords = self.state.setdefault("passwords", {})
        if role not in passwords:
            passwords[role] = secrets.token_urlsafe(18)
            self._save_state()
        return passwords[role]

    def dsn(self, reader: bool = False, user: str | None = None, dbname: str = DATABASE) -> str:
        return embedded_dsn(self.base, self.state, self.port, reader=reader, user=user, dbname=dbname)

    @property
    def cluster_dir(self) -> Path:
        return Path(self.state.get("cluster_dir") or self.base / "cluster")

    @property
    def data_dir(self) -> Path:
        return self.cluster_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.cluster_dir / "postgres.log"

    # ---- running things as the cluster's owner -----------------------------------
    def _os_user(self) -> OsUser | None:
        if os.geteuid() != 0:
            return None
        name = self.state.get("os_user") or setting("ATTRITION_PG_OS_USER")
        if not name:
            name = "postgres" if _user_exists("postgres") else "attrition"
        if not _user_exists(name):
            created = subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    name,
                ],
                capture_output=True,
                text=True,
            )
            if created.returncode != 0:
                name = "nobody"
        entry = pwd.getpwnam(name)
        return OsUser(name, entry.pw_uid, entry.pw_gid)

    def _run(
        self, args: list, user: OsUser | None, check: bool = True, cwd: Path | None = None, new_session: bool = False
    ) -> subprocess.CompletedProcess:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C",
            "LANG": "C",
            "HOME": str(cwd or self.cluster_dir),
            "TZ": "UTC",
        }
        kwargs: dict = {}
        if user is not None:
            kwargs = {"user": user.uid, "group": user.gid, "extra_groups": []}
        proc = subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(cwd or self.cluster_dir),
            start_new_session=new_session,
            **kwargs,
        )
        if check and proc.returncode != 0:
            raise EmbeddedError(
                f"{Path(str(args[0])).name} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}".rstrip()
            )
        return proc

    def _can_use(self, user: OsUser, path: Path, test: str) -> bool:
        return self._run(["test", test, path], user, check=False, cwd=Path("/")).returncode == 0

    def _prepare_cluster_dir(self, user: OsUser | None) -> None:
        """Choose and create the folder the cluster's owner will write to."""
        if "cluster_dir" in self.state:
            return
        self.base.mkdir(parents=True, exist_ok=True)
        wanted = self.base / "cluster"
        wanted.mkdir(exist_ok=True)
        if user is not None:
            os.chmod(self.base, 0o755)
            os.chown(wanted, user.uid, user.gid)
            if not self._can_use(user, wanted, "-w"):
                wanted.rmdir()
                digest = hashlib.sha256(str(self.base.resolve()).encode()).hexdigest()[:12]
                root = system_root()
                wanted = root / "clusters" / digest
                for parent in (root, root / "clusters"):
                    parent.mkdir(exist_ok=True)
                    os.chmod(parent, 0o755)
                wanted.mkdir(exist_ok=True)
                os.chown(wanted, user.uid, user.gid)
            self.state["os_user"] = user.name
        os.chmod(wanted, 0o700)
        self.state["cluster_dir"] = str(wanted)
        self._save_state()

    def _usable_bindir(self, user: OsUser | None) -> Path:
        if self.state.get("bindir") and _has_binaries(Path(self.state["bindir"])):
            return Path(self.state["bindir"])
        bindir = find_bindir()
        if user is not None and not self._can_use(user, bindir / "postgres", "-x"):
            # pgserver inside a venv the cluster's owner cannot reach: copy the installation out.
            install = bindir.parent
            digest = hashlib.sha256(str(install).encode()).hexdigest()[:12]
            root = system_root()
            target = root / f"pginstall-{digest}"
            if not target.exists():
                root.mkdir(parents=True, exist_ok=True)
                os.chmod(root, 0o755)
                shutil.copytree(install, target, symlinks=True)
            bindir = target / "bin"
        self.state["bindir"] = str(bindir)
        self._save_state()
        return bindir

    # ---- lifecycle ------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self):
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.base / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running_pid(self) -> int | None:
        """The postmaster's PID when the cluster is up (read as root or as its owner)."""
        try:
            first = (self.data_dir / "postmaster.pid").read_text().splitlines()[0]
            pid = int(first)
            os.kill(pid, 0)
            return pid
        except (FileNotFoundError, IndexError, ValueError, ProcessLookupError, PermissionError, NotADirectoryError):
            return None

    def running_port(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[3])
        except (FileNotFoundError, IndexError, ValueError, PermissionError):
            return None

    def up(self, migrate: bool = True) -> dict:
        """Create (first time) and start the cluster; a second call reuses the running one."""
        with self._lock():
            user = self._os_user()
            self._prepare_cluster_dir(user)
            bindir = self._usable_bindir(user)
            for role in (SUPERUSER, READER_ROLE):
                self.ensure_password(role)
            if not self.initialized():
                self._initdb(bindir, user)
            reused = self.running_pid() is not None
            if reused:
                self.port = self.running_port() or self.port
            else:
                self._start(bindir, user)
            if self.state.get("port") != self.port:
                self.state["port"] = self.port
                self._save_state()
            self.ensure_database(DATABASE)
            if migrate:
                from etl.warehouse.migrate import migrate as run_migrations

                run_migrations(self.dsn())
                self.enable_reader()
        return {"reused": reused, **self.status()}

    def _initdb(self, bindir: Path, user: OsUser | None) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedError(f"{self.data_dir} exists but holds no cluster; move it away and run `attrition db up`")
        pwfile = self.cluster_dir / "initdb.pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.password(SUPERUSER) + "\n")
        if user is not None:
            os.chown(pwfile, user.uid, user.gid)
        try:
            self._run(
                [
                    bindir / "initdb",
                    "-D",
                    self.data_dir,
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-instructions",
                ],
                user,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write(
                "\n# attrition: listen settings are kept in attrition.conf\ninclude_if_exists = 'attrition.conf'\n"
            )

    def _write_conf(self, user: OsUser | None) -> None:
        conf = self.data_dir / "attrition.conf"
        conf.write_text(
            "# written by `attrition db up`; edit ATTRITION_PG_PORT instead\n"
            f"listen_addresses = '{HOST}'\nport = {self.port}\nunix_socket_directories = ''\n"
            "max_connections = 100\nshared_buffers = 128MB\ntimezone = 'UTC'\nlog_timezone = 'UTC'\n"
        )
        if user is not None:
            os.chown(conf, user.uid, user.gid)

    def _start(self, bindir: Path, user: OsUser | None) -> None:
        if port_in_use(self.port):
            raise EmbeddedError(
                f"port {self.port} on {HOST} is taken by another program; set ATTRITION_PG_PORT to a free port"
            )
        self._write_conf(user)
        proc = self._run(
            [bindir / "pg_ctl", "-D", self.data_dir, "-l", self.log_file, "-w", "-t", "60", "start"],
            user,
            check=False,
            new_session=True,
        )
        if proc.returncode != 0:
            tail = ""
            with contextlib.suppress(OSError):
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
            raise EmbeddedError(
                f"PostgreSQL did not start (pg_ctl exit {proc.returncode}); log {self.log_file}:\n{tail}"
            )

    def down(self) -> bool:
        """Stop the cluster; returns whether it was running."""
        if self.running_pid() is None:
            return False
        user = self._os_user()
        self._run(
            [Path(self.state["bindir"]) / "pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "-t", "60", "stop"], user
        )
        return True

    def destroy(self) -> None:
        """Stop the cluster and delete its files (tests use this)."""
        self.down()
        shutil.rmtree(self.cluster_dir, ignore_errors=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def status(self) -> dict:
        pid = self.running_pid()
        return {
            "running": pid is not None,
            "pid": pid,
            "host": HOST,
            "port": self.running_port() or self.port,
            "database": DATABASE,
            "data_dir": str(self.data_dir),
            "bindir": self.state.get("bindir"),
            "os_user": self.state.get("os_user") or pwd.getpwuid(os.geteuid()).pw_name,
            "log": str(self.log_file),
        }

    # ---- databases and roles ----------------------------------------------------------
    def _admin_connect(self, dbname: str = "postgres"):
        import psycopg2

        deadline = time.monotonic() + 15
        while True:
            try:
                conn = psycopg2.connect(self.dsn(dbname=dbname), connect_timeout=5)
                conn.autocommit = True
                return conn
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def ensure_database(self, name: str, owner: str | None = None) -> None:
        """Create database ``name`` (and its owner role, with a generated password) if missing."""
        from psycopg2 import sql

        with contextlib.closing(self._admin_connect()) as conn, conn.cursor() as cur:
            if owner:
                pw = self.ensure_password(owner)
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,))
                verb = "ALTER" if cur.fetchone() else "CREATE"
                cur.execute(sql.SQL(verb + " ROLE {} WITH LOGIN PASSWORD %s").format(sql.Identifier(owner)), (pw,))
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if not cur.fetchone():
                stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if owner:
                    stmt += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
                cur.execute(stmt)

    def enable_reader(self) -> None:
        """Give the reader role (made NOLOGIN by the migrations) a login with the generated password."""
        from psycopg2 import sql

        with contextlib.closing(self._admin_connect(DATABASE)) as conn, conn.cursor() as cur:
            cur.execute(
                sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD %s").format(sql.Identifier(READER_ROLE)),
                (self.password(READER_ROLE),),
            )


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
