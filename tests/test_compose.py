"""docker-compose.yml: valid against the compose specification, and coherent with the code it runs.

No Docker engine is needed: the file is validated with check-jsonschema's vendored compose-spec schema,
interpolated here the way Compose does it (with .env.example's settings and made-up passwords), and
compared with what the code reads: every environment variable and Airflow connection that etl/,
scrapers/ and dags/ look up (found by reading their source, so variables added later are caught) must
be set for the services that run that code.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
CODE_DIRS = ("etl", "scrapers", "dags")
APP_DOCKERFILE = "docker/Dockerfile"

# Variables the code reads that a compose deployment must NOT set, and why. Anything else the code
# reads has to be listed in the environment of every service that runs the project's code.
NOT_FOR_COMPOSE = {
    "ATTRITION_PG_PORT": "the embedded cluster only; compose runs its own PostgreSQL",
    "ATTRITION_PG_BINDIR": "the embedded cluster only",
    "ATTRITION_PG_BINARIES": "the embedded cluster only",
    "ATTRITION_PG_OS_USER": "the embedded cluster only",
    "ATTRITION_SYSTEM_DIR": "the embedded cluster only",
    "ATTRITION_AIRFLOW_PORT": "`attrition up` (airflow standalone) only; compose publishes AIRFLOW_UI_PORT",
    "ATTRITION_SOURCES": "`attrition up` only (live or replay); a deployment crawls the live sites",
    "ATTRITION_REPLAY_PORT": "`attrition up` only: the replay server on loopback",
    "ATTRITION_REPLAY_DATA": "`attrition up` only: the replay server's snapshot",
    "ATTRITION_RUN_ID": "set by etl/losses/crawl.py for each spider subprocess",
    "ATTRITION_MANIFEST": "set by etl/losses/crawl.py for each spider subprocess",
    "ATTRITION_FAST": "no politeness delays: loopback (replay) crawls only, never against the real sites",
    "ATTRITION_MAILSINK_PORT": "`attrition mailsink`, the loopback SMTP sink of `make up`; compose runs Mailpit",
    "ATTRITION_SOURCES_MODE": (
        "set by `attrition up` (replay or live) for the checks and news_claims; a deployment is live, the default"
    ),
    "ATTRITION_REAL_ARTICLES": (
        "the news scorer (`python -m etl.news.score --real`), a developer's tool run outside any service"
    ),
}
# Hooks and notifiers that use a connection without being told its id (their default conn_id).
DEFAULT_CONNECTIONS = {
    "SmtpNotifier": "smtp_default",
    "SmtpHook": "smtp_default",
    "send_email_smtp": "smtp_default",
    "EmailOperator": "smtp_default",
}


# ------------------------------------------------------------------------------------------------
# what the code reads
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Read:
    name: str
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.name} ({self.where})"


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_environ(node: ast.AST) -> bool:
    return _dotted(node) in {"os.environ", "environ"}


class _Scanner(ast.NodeVisitor):
    """Environment variables, Airflow connections and Variables one module looks up."""

    def __init__(self, path: Path, tree: ast.Module):
        self.rel = path.relative_to(REPO).as_posix()
        self.constants: dict[str, str] = {}
        for node in tree.body:  # module-level string constants, e.g. AIRFLOW_CONN_ID = "warehouse"
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.constants[target.id] = node.value.value
        self.helper_keys: set[int] = set()  # the parameter names such helpers read, not variables themselves
        self.env_helpers = {**PROJECT_ENV_HELPERS, **self._env_helpers(tree)}
        self.reads: list[Read] = []
        self.unresolved: list[str] = []
        self._connection_constants(tree)

    # a function that reads the environment variable named by one of its parameters, e.g. _env_flag(name)
    def _env_helpers(self, tree: ast.Module) -> dict[str, int]:
        helpers = {}
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = [a.arg for a in func.args.args]
            for node in ast.walk(func):
                key = self._env_key_node(node)
                if isinstance(key, ast.Name) and key.id in params:
                    helpers[func.name] = params.index(key.id)
                    self.helper_keys.add(id(key))
        return helpers

    def _connection_constants(self, tree: ast.Module) -> None:
        """Connection ids named where they are defined: FOO_CONN_ID = "x", def f(conn_id="x")."""
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.upper().endswith("CONN_ID"):
                        self._add("AIRFLOW_CONN_" + node.value.value.upper(), node, "connection")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args.args + node.args.kwonlyargs
                defaults = (
                    [None] * (len(node.args.args) - len(node.args.defaults))
                    + list(node.args.defaults)
                    + list(node.args.kw_defaults)
                )
                for arg, default in zip(args, defaults, strict=False):
                    if (
                        arg.arg.endswith("conn_id")
                        and isinstance(default, ast.Constant)
                        and isinstance(default.value, str)
                    ):
                        self._add("AIRFLOW_CONN_" + default.value.upper(), default, "connection")

    @staticmethod
    def _env_key_node(node: ast.AST) -> ast.AST | None:
        """The key expression when ``node`` reads the environment, else None."""
        if isinstance(node, ast.Call) and node.args:
            func = _dotted(node.func)
            if func in {"os.getenv", "getenv"}:
                return node.args[0]
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in {"get", "__getitem__"}
                and _is_environ(node.func.value)
            ):
                return node.args[0]
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            return node.slice
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and _is_environ(node.comparators[0])
        ):
            return node.left
        return None

    def _value(self, node: ast.AST) -> str | None:
        """The string an expression evaluates to, when it is made of literals and module constants."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                part = self._value(value.value if isinstance(value, ast.FormattedValue) else value)
                if part is None:
                    return None
                parts.append(part)
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._value(node.left), self._value(node.right)
            return None if left is None or right is None else left + right
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and not node.args
            and node.func.attr in {"upper", "lower", "strip"}
        ):
            inner = self._value(node.func.value)
            return None if inner is None else getattr(inner, node.func.attr)()
        return None

    def _add(self, name: str | None, node: ast.AST, what: str, key: ast.AST | None = None) -> None:
        where = f"{self.rel}:{node.lineno}"
        if name is None and isinstance(key, (ast.Name, ast.Attribute)):
            return  # a name passed on from elsewhere: the literal is caught where it is defined
        if name is None:
            self.unresolved.append(f"{where}: {what} {ast.unparse(node)[:80]}")
        else:
            self.reads.append(Read(name, where))

    def visit_Call(self, node: ast.Call) -> None:
        func = _dotted(node.func)
        short = func.rsplit(".", 1)[-1]
        if short in self.env_helpers and len(node.args) > self.env_helpers[short]:
            arg = node.args[self.env_helpers[short]]
            self._add(self._value(arg), node, "environment variable via " + short, arg)
        # Airflow connections: Connection.get("x"), BaseHook.get_connection("x"), *_conn_id="x"
        if short in {"get_connection", "get_connection_from_secrets"} or func.endswith("Connection.get"):
            if node.args:
                conn = self._value(node.args[0])
                self._add(None if conn is None else "AIRFLOW_CONN_" + conn.upper(), node, "connection", node.args[0])
        for kw in node.keywords:  # a variable or attribute passed on is named where it is defined
            if kw.arg and kw.arg.endswith("conn_id"):
                conn = self._value(kw.value)
                if conn is not None:
                    self._add("AIRFLOW_CONN_" + conn.upper(), node, "connection")
                else:
                    self._add(None, node, "connection", kw.value)
        if short in DEFAULT_CONNECTIONS and not any(kw.arg and kw.arg.endswith("conn_id") for kw in node.keywords):
            self._add("AIRFLOW_CONN_" + DEFAULT_CONNECTIONS[short].upper(), node, "connection")
        # Airflow Variables: Variable.get("x")
        if func.endswith("Variable.get") and node.args:
            var = self._value(node.args[0])
            self._add(None if var is None else "AIRFLOW_VAR_" + var.upper(), node, "variable", node.args[0])
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        key = self._env_key_node(node)
        if key is not None and id(key) not in self.helper_keys:
            self._add(self._value(key), node, "environment variable", key)
        super().generic_visit(node)


# Helpers that read the variable a caller names, across modules (a function whose parameter reaches
# os.environ, and one passing its parameter on to such a helper); found by _project_env_helpers.
PROJECT_ENV_HELPERS: dict[str, int] = {}


def _project_env_helpers(trees: dict[Path, ast.Module]) -> dict[str, int]:
    helpers: dict[str, int] = {}
    while True:
        found = dict(helpers)
        for _path, tree in trees.items():
            scanner = _Scanner.__new__(_Scanner)
            scanner.helper_keys = set()
            for name, index in scanner._env_helpers(tree).items():
                found.setdefault(name, index)
            for func in ast.walk(tree):  # a function passing its parameter on to a known helper
                if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                params = [a.arg for a in func.args.args]
                for call in ast.walk(func):
                    if not isinstance(call, ast.Call):
                        continue
                    short = _dotted(call.func).rsplit(".", 1)[-1]
                    index = found.get(short)
                    if (
                        index is not None
                        and len(call.args) > index
                        and isinstance(call.args[index], ast.Name)
                        and call.args[index].id in params
                        and func.name != short
                    ):
                        found.setdefault(func.name, params.index(call.args[index].id))
        if found == helpers:
            return helpers
        helpers = found


def code_reads() -> tuple[list[Read], list[str]]:
    reads, unresolved = [], []
    paths = [path for folder in CODE_DIRS for path in sorted((REPO / folder).rglob("*.py"))]
    trees = {path: ast.parse(path.read_text(), filename=str(path)) for path in paths}
    PROJECT_ENV_HELPERS.clear()
    PROJECT_ENV_HELPERS.update(_project_env_helpers(trees))
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = trees[path]
            scanner = _Scanner(path, tree)
            scanner.visit(tree)
            reads += scanner.reads
            unresolved += scanner.unresolved
    return reads, unresolved


def project_variables(reads: list[Read]) -> dict[str, list[str]]:
    """The project's own settings among the reads (ATTRITION_*, AIRFLOW_*), with where each is read."""
    found: dict[str, list[str]] = {}
    for read in reads:
        if read.name.startswith(("ATTRITION_", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "AIRFLOW__", "AIRFLOW_HOME")):
            found.setdefault(read.name, []).append(read.where)
    return found


# ------------------------------------------------------------------------------------------------
# the compose file, as Compose reads it
# ------------------------------------------------------------------------------------------------
class InterpolationError(ValueError):
    pass


def _resolve(expr: str, env: dict[str, str]) -> str:
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", expr, re.S)
    if not match:
        raise InterpolationError(f"invalid interpolation ${{{expr}}}")
    name, op, arg = match.groups()
    value = env.get(name)
    is_set, non_empty = value is not None, bool(value)
    if op is None:
        return value or ""
    if op == ":-":
        return value if non_empty else interpolate(arg, env)
    if op == "-":
        return value if is_set else interpolate(arg, env)
    if op == ":?":
        if not non_empty:
            raise InterpolationError(f"{name}: {arg}")
        return value
    if op == "?":
        if not is_set:
            raise InterpolationError(f"{name}: {arg}")
        return value
    if op == ":+":
        return interpolate(arg, env) if non_empty else ""
    return interpolate(arg, env) if is_set else ""  # "+"


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, :? ? :+ +, nested."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 0, i + 1
            while j < len(text):
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            else:
                raise InterpolationError(f"unclosed ${{ in {text!r}")
            out.append(_resolve(text[i + 2 : j], env))
            i = j + 1
        else:
            match = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", text[i:])
            if not match:
                raise InterpolationError(f"lone $ in {text!r} (write $$)")
            out.append(env.get(match.group(1), ""))
            i += match.end()
    return "".join(out)


def referenced_variables(text: str) -> set[str]:
    text = text.replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)) | set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))


def dotenv(path: Path) -> tuple[dict[str, str], set[str]]:
    """(settings, documented names): KEY=VALUE lines, and the names of `# KEY=...` examples too."""
    values, documented = {}, set()
    for line in path.read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if not match:
            continue
        documented.add(match.group(2))
        if not match.group(1):
            value = match.group(3).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[match.group(2)] = value
    return values, documented


def _interpolate_tree(node, env: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, env) for key, value in node.items()}
    return node


def load_compose(env: dict[str, str]) -> dict:
    raw = yaml.safe_load(COMPOSE.read_text())
    return _interpolate_tree(raw, env)


def service_environment(service: dict, env: dict[str, str]) -> dict[str, str | None]:
    """The service's environment as listed (a name with no value passes through from .env when set there)."""
    listed = service.get("environment") or {}
    if isinstance(listed, list):
        listed = dict(item.split("=", 1) if "=" in item else (item, None) for item in listed)
    return {key: (env.get(key) if value is None else str(value)) for key, value in listed.items()}


def example_env() -> dict[str, str]:
    """.env.example with every empty secret filled in, as a user following it would."""
    values, _ = dotenv(ENV_EXAMPLE)
    return {
        key: (value or f"example-{key.lower().replace('_', '-')}") if re.search("PASSWORD|SECRET", key) else value
        for key, value in values.items()
    }


def runs_project_code(service: dict) -> bool:
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == APP_DOCKERFILE


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose(example_env())


@pytest.fixture(scope="module")
def app_services(compose) -> dict[str, dict]:
    services = {name: svc for name, svc in compose["services"].items() if runs_project_code(svc)}
    assert services, "no service builds docker/Dockerfile"
    return services


# ------------------------------------------------------------------------------------------------
# tests
# ------------------------------------------------------------------------------------------------
def test_compose_file_validates_against_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    proc = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_scan_finds_what_the_code_reads():
    """The scanner itself: it must see the reads we know of, and understand every read it meets."""
    reads, unresolved = code_reads()
    names = {read.name for read in reads}
    assert {
        "ATTRITION_WAREHOUSE_DSN",
        "AIRFLOW_CONN_WAREHOUSE",
        "ATTRITION_FAST",
        "ATTRITION_USER_AGENT",
        "ATTRITION_TODAY",
    } <= names, sorted(names)
    assert unresolved == [], (
        "environment reads the scan cannot name (name them in a literal or a constant):\n" + "\n".join(unresolved)
    )


def test_every_variable_the_code_reads_is_set_for_every_service_that_runs_the_code(app_services):
    reads, _ = code_reads()
    needed = project_variables(reads)
    env = example_env()
    problems = []
    for name, where in sorted(needed.items()):
        if name in NOT_FOR_COMPOSE:
            continue
        missing = [
            service_name
            for service_name, service in app_services.items()
            if name not in service_environment(service, env)
        ]
        if missing:
            problems.append(f"{name} (read in {', '.join(where)}) is not set for {', '.join(missing)}")
    assert problems == [], (
        "add them to x-airflow-env in docker-compose.yml (or to NOT_FOR_COMPOSE with a reason):\n" + "\n".join(problems)
    )


def test_the_exemptions_are_still_read_by_the_code():
    reads, _ = code_reads()
    names = {read.name for read in reads}
    stale = sorted(set(NOT_FOR_COMPOSE) - names)
    assert stale == [], f"NOT_FOR_COMPOSE lists variables the code no longer reads: {stale}"


def test_the_exempt_variables_are_not_set_in_compose(app_services):
    for service_name, service in app_services.items():
        listed = set(service.get("environment") or {})
        wrong = sorted(name for name in NOT_FOR_COMPOSE if name in listed)
        assert wrong == [], f"{service_name} sets {wrong}, which a deployment must not set"


def test_every_setting_the_compose_file_uses_is_documented_in_env_example():
    _, documented = dotenv(ENV_EXAMPLE)
    used = referenced_variables(COMPOSE.read_text())
    assert sorted(used - documented) == [], "document these in .env.example"


def test_env_example_holds_no_password():
    values, _ = dotenv(ENV_EXAMPLE)
    secrets = {key: value for key, value in values.items() if re.search("PASSWORD|SECRET|FERNET", key)}
    assert secrets and all(value == "" for value in secrets.values()), secrets


def test_compose_refuses_to_start_without_the_passwords():
    values, _ = dotenv(ENV_EXAMPLE)  # the example as shipped: passwords empty
    with pytest.raises(InterpolationError, match="PASSWORD|SECRET"):
        load_compose(values)


def test_the_connections_point_at_the_compose_services(compose, app_services):
    from etl.config import airflow_conn_to_dsn

    services = compose["services"]
    env = example_env()
    init_sql = (REPO / "docker" / "postgres" / "init-databases.sh").read_text()
    for service_name, service in app_services.items():
        environment = service_environment(service, env)
        # the warehouse: role and database attrition on the postgres service
        warehouse = urlsplit(airflow_conn_to_dsn(environment["AIRFLOW_CONN_WAREHOUSE"]))
        assert (warehouse.hostname, warehouse.port, warehouse.path, warehouse.username) == (
            "postgres",
            5432,
            "/attrition",
            "attrition",
        ), service_name
        assert warehouse.password == env["WAREHOUSE_PASSWORD"]
        reader = urlsplit(environment["ATTRITION_READER_DSN"])
        assert (reader.hostname, reader.path, reader.username) == ("postgres", "/attrition", "attrition_reader")
        # the metadata: role and database airflow on the same server, a separate database
        metadata = urlsplit(environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert (metadata.scheme, metadata.hostname, metadata.path, metadata.username) == (
            "postgresql+psycopg2",
            "postgres",
            "/airflow",
            "airflow",
        ), service_name
        assert metadata.password == env["AIRFLOW_DB_PASSWORD"]
        # the components reach the api-server's execution API by its service name
        execution = urlsplit(environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert execution.hostname == "airflow-apiserver" and execution.path == "/execution/"
        assert any(str(port).endswith(f":{execution.port}") for port in services["airflow-apiserver"]["ports"])
        # alerts go to Mailpit's SMTP port unless .env names another server
        smtp = urlsplit(environment["AIRFLOW_CONN_SMTP_DEFAULT"])
        assert (smtp.scheme, smtp.hostname, smtp.port) == ("smtp", "mailpit", 1025)
        assert urlsplit(environment["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == env["AIRFLOW_JWT_SECRET"]
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    for role, database in (("airflow", "airflow"), ("attrition", "attrition")):
        assert f"CREATE ROLE {role} LOGIN" in init_sql and f"CREATE DATABASE {database} OWNER {role}" in init_sql
    assert "CREATE ROLE attrition_reader LOGIN" in init_sql


def test_the_simple_auth_manager_users_come_from_the_environment(compose):
    env = {**example_env(), "AIRFLOW_ADMIN_USER": "ops", "AIRFLOW_VIEWER_USER": "press"}
    services = load_compose(env)["services"]
    api = service_environment(services["airflow-apiserver"], env)
    assert api["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "ops:admin,press:viewer"
    init = service_environment(services["airflow-init"], env)
    assert init["AIRFLOW_ADMIN_USER"] == "ops" and init["AIRFLOW_ADMIN_PASSWORD"] == env["AIRFLOW_ADMIN_PASSWORD"]
    assert api["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith("/opt/airflow/auth/")
    assert "AIRFLOW_ADMIN_PASSWORD" not in api, "only airflow-init needs the password"


def test_the_celery_profile_is_the_scale_out_path(compose):
    services = compose["services"]
    celery = {name for name, svc in services.items() if "celery" in (svc.get("profiles") or [])}
    assert celery == {"redis", "airflow-worker", "flower"}
    always = {name for name, svc in services.items() if not svc.get("profiles")}
    assert {
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "mailpit",
        "data-docs",
    } == always
    env = {**example_env(), "AIRFLOW_EXECUTOR": "CeleryExecutor"}
    scaled = load_compose(env)["services"]
    for name in ("airflow-scheduler", "airflow-worker", "airflow-apiserver"):
        assert service_environment(scaled[name], env)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    # the scheduler waits for Redis only when the profile is on
    assert services["airflow-scheduler"]["depends_on"]["redis"]["required"] is False


def test_services_are_healthchecked_and_ordered(compose):
    services = compose["services"]
    for name, service in services.items():
        if name == "airflow-init":
            assert service["restart"] == "no"
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, f"{name} depends on an unknown service {dependency}"
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"


def test_ports_are_published_on_loopback_only(compose):
    for name, service in compose["services"].items():
        for port in service.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_volumes_hold_the_metadata_the_warehouse_and_the_raw_archive(compose):
    postgres = compose["services"]["postgres"]
    mounts = dict(volume.split(":", 1)[::-1] for volume in postgres["volumes"])
    init_sql = (REPO / "docker" / "postgres" / "init-databases.sh").read_text()
    locations = dict(re.findall(r"CREATE TABLESPACE (\w+) OWNER \w+ LOCATION '([^']+)'", init_sql))
    assert set(locations) == {"warehouse", "raw_archive"}
    assert mounts[locations["warehouse"]] == "warehouse-data"
    assert mounts[locations["raw_archive"]] == "raw-archive"
    assert mounts["/var/lib/postgresql/data"] == "postgres-data"
    assert "TABLESPACE warehouse" in init_sql.split("CREATE DATABASE attrition", 1)[1].splitlines()[0]
    for volume in ("postgres-data", "warehouse-data", "raw-archive", "airflow-logs", "airflow-auth", "attrition-state"):
        assert volume in compose["volumes"]
    init_py = (REPO / "docker" / "airflow_init.py").read_text()
    assert 'RAW_TABLESPACE = "raw_archive"' in init_py


def test_every_airflow_service_runs_the_same_image_with_the_code_built_in(compose, app_services):
    images = {svc["image"] for svc in app_services.values()}
    assert images == {"attrition:local"}
    assert set(app_services) >= {
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    }
    for name, service in app_services.items():
        assert service_environment(service, example_env())["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/attrition/dags"
        assert not any(str(v).split(":", 1)[0].startswith((".", "/")) for v in service.get("volumes") or []), (
            f"{name} bind-mounts code; the code is built into the image"
        )
    dockerfile = (REPO / APP_DOCKERFILE).read_text()
    for folder in ("etl", "scrapers", "dags", "data", "expectations"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile  # the locked dependencies, as `make up` installs them
    ignore = (REPO / "docker" / "Dockerfile.dockerignore").read_text().split()
    for line in re.findall(r"^COPY (?!--)(.+)$", dockerfile, re.M):  # every source of every COPY is let in
        for copied in line.split()[:-1]:
            assert f"!{copied.rstrip('/')}" in ignore or f"!{copied.rstrip('/')}/" in ignore, copied


def _airflow_init():
    """docker/airflow_init.py, the `airflow-init` service's script, as a module."""
    sys.path.insert(0, str(REPO / "docker"))
    try:
        import airflow_init
    finally:
        sys.path.pop(0)
    return airflow_init


def test_the_init_job_writes_the_logins_from_the_environment(tmp_path):
    airflow_init = _airflow_init()
    path = tmp_path / "auth" / "passwords.json"
    env = {"AIRFLOW_ADMIN_PASSWORD": "first"}
    assert airflow_init.write_passwords(path, airflow_init.wanted_passwords(env)) == ["admin"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # a password Airflow generated for another user is kept; a changed one in .env is applied
    path.write_text('{"admin": "first", "viewer": "generated"}\n')
    env = {"AIRFLOW_ADMIN_PASSWORD": "second", "AIRFLOW_ADMIN_USER": "admin"}
    assert airflow_init.write_passwords(path, airflow_init.wanted_passwords(env)) == ["admin"]
    import json

    assert json.loads(path.read_text()) == {"admin": "second", "viewer": "generated"}
    assert airflow_init.write_passwords(path, airflow_init.wanted_passwords(env)) == []
    assert airflow_init.missing_settings({"AIRFLOW_ADMIN_PASSWORD": "x"}) == [
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    ]


def test_the_init_job_moves_the_raw_archive_into_its_tablespace(warehouse, fresh_db):
    """On the session's real PostgreSQL: migrate a fresh warehouse, give it a raw_archive tablespace, move."""
    import os

    import psycopg2

    from etl.warehouse.migrate import migrate

    airflow_init = _airflow_init()
    migrate(fresh_db)
    assert airflow_init.move_raw_archive(fresh_db) == []  # no such tablespace (a managed PostgreSQL): nothing
    # beside the cluster's data directory, where the cluster's account (another one when we are root) can write
    location = warehouse.cluster_dir / f"tablespace-raw-archive-{os.getpid()}"
    location.mkdir()
    owner = warehouse.state.get("os_user")
    if owner:
        import pwd

        entry = pwd.getpwnam(owner)
        os.chown(location, entry.pw_uid, entry.pw_gid)
    admin = psycopg2.connect(warehouse.dsn(dbname="postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("DROP TABLESPACE IF EXISTS raw_archive")
            cur.execute(f"CREATE TABLESPACE raw_archive LOCATION '{location}'")
        moved = airflow_init.move_raw_archive(fresh_db)
        assert "raw.document" in moved and "raw.fetch" in moved
        assert airflow_init.move_raw_archive(fresh_db) == []  # the second start moves nothing
        conn = psycopg2.connect(fresh_db)
        with conn, conn.cursor() as cur:
            cur.execute("""SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'raw' AND c.relkind IN ('r', 'i') AND c.reltablespace = 0""")
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM raw.document")  # still usable
        conn.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{urlsplit(fresh_db).path.lstrip("/")}" WITH (FORCE)')
            cur.execute("DROP TABLESPACE IF EXISTS raw_archive")
        admin.close()
        shutil.rmtree(location, ignore_errors=True)


def test_the_deployment_guide_matches_the_compose_file(compose):
    guide = (REPO / "docs" / "deployment.md").read_text()
    for name in compose["services"]:
        assert f"`{name}`" in guide, f"docs/deployment.md does not mention the service {name}"
    for volume in compose["volumes"]:
        assert f"`{volume}`" in guide, f"docs/deployment.md does not mention the volume {volume}"
    values, _ = dotenv(ENV_EXAMPLE)
    for key in values:
        assert key in guide, f"docs/deployment.md does not explain {key}"
    assert "--profile celery" in guide or "COMPOSE_PROFILES=celery" in guide
