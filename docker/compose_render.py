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
- a service with `x-test-extends: OTHER` starts as a copy of the merged OTHER (the second Celery worker).

    python docker/compose_render.py docker-compose.yml docker-compose.test.yml > merged.yml
"""
from __future__ import annotations

import copy
import sys

import yaml


def merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


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
    out = {key: value for key, value in main.items()
           if key not in ("name", "services") and not key.startswith("x-")}
    out["services"] = services
    out["volumes"] = merge(main.get("volumes") or {}, override.get("volumes") or {})
    used = {v.split(":", 1)[0] for s in services.values() for v in s.get("volumes", []) if isinstance(v, str)}
    out["volumes"] = {k: v for k, v in out["volumes"].items() if k in used}
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: compose_render.py docker-compose.yml OVERRIDE.yml > merged.yml", file=sys.stderr)
        return 2
    with open(argv[0]) as fh:
        base = yaml.safe_load(fh)
    with open(argv[1]) as fh:
        override = yaml.safe_load(fh)
    yaml.safe_dump(render(base, override), sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
