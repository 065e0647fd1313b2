# attrition — the two commands a new user needs: `make up` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .local/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
PYTEST_ARGS ?=
# pytest-xdist: tests spread over PYTEST_WORKERS processes (each with its own PostgreSQL and Airflow home);
# test files that share one heavy resource are one work unit each (tests/helpers.py XDIST_GROUPS) on one worker
# 3 on the 2-core machine: the suite waits on Airflow, subprocesses and polls much of the time (with 2
# workers the cores were 55% busy: 10.5 CPU minutes in 9.6); 3 took the suite from 8 min 23 s to 7 min 15 s
# (one run each; 4 workers: 7 min 44 s)
PYTEST_WORKERS ?= 3
PYTEST := $(VENV)/bin/pytest
XDIST := -n $(PYTEST_WORKERS) --dist loadgroup
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
# trust the system certificate store too (TLS-intercepting proxies install their CA there)
export UV_SYSTEM_CERTS ?= true

.PHONY: help install up down status lint test test-fast bench bench-politeness bench-freshness lock compose-check compose-test clean browser-deps

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# uv, when the machine has none: installed with pip into .local/tools (nothing system-wide)
$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: every module of the venv compiled once here (about 10 s), so no process compiles
# them again; where PYTHONDONTWRITEBYTECODE is set (as on these machines) Python never writes the .pyc
# files itself and each process compiled what it imported (Airflow's CLI 3.1 s -> 1.4 s, GX 6.6 -> 2.9 s).
# `make install` compiles the project's own code the same way (only what changed since).
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	@touch $@

install: $(VENV)/.synced  ## create .venv from uv.lock
	@$(VENV)/bin/python -m compileall -q -j 0 etl scrapers dags tests benchmarks >/dev/null

up: install  ## start the warehouse and Airflow standalone (UI on 127.0.0.1:8080), print logins, return
	$(VENV)/bin/attrition up

down:  ## stop everything `make up` started
	@if [ -x $(VENV)/bin/attrition ]; then $(VENV)/bin/attrition down; else echo "nothing to stop"; fi

status: install  ## is the embedded warehouse running?
	-$(VENV)/bin/attrition db status

test: install browser-deps lint  ## lint, then the whole suite: xdist workers (PYTEST_WORKERS, default 3), then the Compose test on its own
	@status=0; start=$$(date +%s); \
	$(PYTEST) $(XDIST) --durations=25 -m "not compose" $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	[ -n "$(PYTEST_ARGS)" ] || $(VENV)/bin/python benchmarks/recorded.py make-test $$(( $$(date +%s) - start )) $$status; \
	$(PYTEST) -m compose $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	exit $$status

# Debian's chromium for tests/test_browser.py (Playwright drives it; nothing downloads a browser)
browser-deps:  ## install Debian's chromium for the browser test (apt, when missing and run as root)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser test (apt-get install chromium) ..."; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	    || echo "warning: could not install chromium; tests/test_browser.py will fail (CI) or be skipped"; \
	else \
	  echo "note: /usr/bin/chromium is missing: tests/test_browser.py is skipped (fails when CI is set); install it with: sudo apt-get install chromium"; \
	fi

lint: install  ## ruff check and ruff format --check (configured in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-fast: install  ## the suite without the slower real-Airflow tests (xdist workers, as `make test`)
	$(PYTEST) $(XDIST) -m "not airflow and not compose" $(PYTEST_ARGS)

bench: install  ## benchmarks: backfill over replay, quality gate, rebuild, DAG imports; news claims scoring
	$(VENV)/bin/python benchmarks/bench.py
	-$(VENV)/bin/python -m etl.news.score  # prints the scores; below target it exits 1, which make reports but bench goes on

compose-check: install  ## validate docker-compose.yml against the compose specification
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

compose-test: install  ## build the images on a local Debian base, run the Compose stack (Celery, 2 workers) for real, bring it down
	$(VENV)/bin/pytest -m compose -s -v tests/test_compose_stack.py $(PYTEST_ARGS)

bench-politeness: install  ## minutes: a 120-day backfill over the replay with live politeness and 200 ms latency
	$(VENV)/bin/python benchmarks/bench.py --live-politeness

bench-freshness: install  ## minutes: the replay holds the newest day, publishes it; seconds until mart.latest shows it (2-minute poll)
	$(VENV)/bin/python benchmarks/bench.py --freshness

lock: | $(UV)  ## re-resolve uv.lock after editing pyproject.toml
	$(UV) lock

clean: down  ## remove .venv and runtime state (.local and the embedded warehouse's data)
	@if [ -x $(VENV)/bin/attrition ]; then $(VENV)/bin/attrition db destroy --yes; fi
	rm -rf $(VENV) .local .pytest_cache
