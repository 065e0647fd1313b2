"""Merge docker-compose.yml and an override (docker-compose.test.yml) into one compose file that Debian's
docker-compose 1.29 reads, for `make compose-test` (tests/test_compose_stack.py).

Compose v2 reads the two files as they are (`-f docker-compose.yml -f docker-compose.test.yml`); 1.29 does
not know the top-level `name` nor depends_on `required`, and it would build with the classic builder from
the whole checkout. So, with the override's semantics (mappings merged key by key, everything else
replaced by the override's value):

- `name` is dropped (the project name is passed with `-p`); so are `build` (docker/build-offline.sh built
  the images) and, under `network_mode: host`, `ports` (nothing is published: every service listens on
  127.0.0.1 itself);
- the services listed in the override's `x-test-omit` are left out (Mailpit and Flower: no image offline),
  and so are the `depends_on` entries naming a service that is not there; `required` and `profiles` go;
- a service with `x-test-extends: OTHER` starts as a copy of the merged OTHER (the second Celery worker);
- with `--env-file FILE`, the variables are substituted here, the way Compose v2 does it (1.29 stops at
  the first `}` of a nested default such as `${A:-x${B}y}`): `${V}`, `${V:-default}`, `${V-default}`,
  `${V:?error}`, `${V?error}`, nested; `$$` stays (an escaped dollar for 1.29 too).

    python docker/compose_render.py [--env-file .env] docker-compose.yml docker-compose.test.yml > merged.yml
"""

from __future__ import annotations

import copy
import os
import sys

import yaml


def merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def substitute(text: str, env: dict[str, str]) -> str:
    """``text`` with every ``${...}`` replaced from ``env`` (nested defaults too); ``$$`` is kept."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                if text.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                depth -= text[j] == "}"
                j += 1
            if depth:
                raise ValueError(f"unterminated ${{ in {text!r}")
            out.append(_expand(text[i + 2 : j - 1], env))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _expand(expr: str, env: dict[str, str]) -> str:
    name = expr
    for op in (":-", ":?", "-", "?"):
        at = expr.find(op)
        if at > 0 and expr[:at].replace("_", "").isalnum():
            name, rest = expr[:at], expr[at + len(op) :]
            value = env.get(name)
            empty = value is None or (op.startswith(":") and value == "")
            if op.endswith("-"):
                return substitute(rest, env) if empty else value
            if empty:
                raise ValueError(f"{name}: {substitute(rest, env) or 'not set'}")
            return value
    return env.get(name, "")


def substitute_all(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {key: substitute_all(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [substitute_all(value, env) for value in node]
    return substitute(node, env) if isinstance(node, str) else node


def read_env_file(path: str) -> dict[str, str]:
    env = {}
    for line in open(path).read().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value
    return env


def render(main: dict, override: dict) -> dict:
    omit = set(override.get("x-test-omit") or [])
    services: dict = {}
    for name, service in (main.get("services") or {}).items():
        if name not in omit:
            services[name] = merge(service, (override.get("services") or {}).get(name, {}))
    for name, service in (override.get("services") or {}).items():
        if name in services:
            continue
        service = dict(service)
        parent = service.pop("x-test-extends", None)
        services[name] = merge(services[parent], service) if parent else copy.deepcopy(service)
    for service in services.values():
        service.pop("build", None)
        service.pop("profiles", None)
        if service.get("network_mode") == "host":
            service.pop("ports", None)
        depends = service.get("depends_on")
        if isinstance(depends, dict):
            kept = {}
            for other, condition in depends.items():
                if other in services:
                    if isinstance(condition, dict):
                        condition = {k: v for k, v in condition.items() if k != "required"}
                    kept[other] = condition
            service["depends_on"] = kept
            if not kept:
                service.pop("depends_on")
    out = {key: value for key, value in main.items() if key not in ("name", "services") and not key.startswith("x-")}
    out["services"] = services
    out["volumes"] = merge(main.get("volumes") or {}, override.get("volumes") or {})
    used = {v.split(":", 1)[0] for s in services.values() for v in s.get("volumes", []) if isinstance(v, str)}
    out["volumes"] = {k: v for k, v in out["volumes"].items() if k in used}
    return out


def main(argv: list[str]) -> int:
    env = None
    if len(argv) == 4 and argv[0] == "--env-file":
        env = {**os.environ, **read_env_file(argv[1])}
        argv = argv[2:]
    if len(argv) != 2:
        print(
            "usage: compose_render.py [--env-file FILE] docker-compose.yml OVERRIDE.yml > merged.yml", file=sys.stderr
        )
        return 2
    with open(argv[0]) as fh:
        base = yaml.safe_load(fh)
    with open(argv[1]) as fh:
        override = yaml.safe_load(fh)
    merged = render(base, override)
    if env is not None:
        try:
            merged = substitute_all(merged, env)
        except ValueError as exc:
            print(f"compose_render: {exc}", file=sys.stderr)
            return 1
    yaml.safe_dump(merged, sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
