# newsstream — `make help` lists the targets. Everything installs into .venv/ and a jar cache
# outside the repo (~/.cache/newsstream), so a fresh clone needs only `make demo` / `make test`.
# The Python .venv/ is built with: the newest supported one found (3.13, else 3.12), else
# python3. On 3.12+ Lingua 2.2.0 reads its models from its library file, shared by forked
# workers: `make bench` PSS 796 -> 342 MiB a worker, models process included (CHANGELOG).
PYTHON ?= $(or $(PYTHON_NEWEST),$(PYTHON_312),python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KAFKA_VERSION ?= 4.1.x
export KAFKA_VERSION
# Supported Pythons found on PATH or in pyenv: the newest for the suite, the oldest (3.11) for
# `make install-check`, so that both ends of the supported range are exercised.
find_python = $(or $(shell python$(1) -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword $(wildcard $(HOME)/.pyenv/versions/$(1)*/bin/python$(1))))
PYTHON_NEWEST ?= $(call find_python,3.13)
PYTHON_312 ?= $(call find_python,3.12)
PYTHON_OLDEST ?= $(call find_python,3.11)

.DEFAULT_GOAL := help
.PHONY: help install jars test unit integration quality lint deploy-check install-check format demo chaos bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null || { \
	  echo "newsstream needs Python 3.11 to 3.13; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)." >&2; \
	  echo "Run make with PYTHON=python3.11 (or python3.12, python3.13)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3
	$(PY) -m pip install --quiet --no-deps -r requirements.lock -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(STAMP) ## create .venv/ with the pinned runtime and dev dependencies and newsstream itself

jars: install ## fetch the Kafka broker's jars from Maven Central into the cache (once)
	$(PY) -m deploy.broker fetch

lint: install ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check streams agents deploy cli tools tests docs/examples
	$(VENV)/bin/ruff format --check streams agents deploy cli tools tests docs/examples
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy docs/examples

deploy-check: install ## docker-compose.yml (compose-go) and deploy/kubernetes (kustomize + kubeconform) validated offline; the Go tools are built once into the cache
	$(PY) -m tools.deploy_check

install-check: install ## pip install with dependency resolution into a fresh venv of the oldest supported Python (3.11), then newsstream process on the samples
	@test -n "$(PYTHON_OLDEST)" || { echo "install-check: no Python 3.11 found; install it (pyenv install 3.11) or set PYTHON_OLDEST=/path/to/python3.11" >&2; exit 1; }
	$(PY) -m tools.install_check --python $(PYTHON_OLDEST)

format: install ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix streams agents deploy cli tools tests docs/examples
	$(VENV)/bin/ruff format streams agents deploy cli tools tests docs/examples

unit: deploy-check ## unit tests, mirroring the modules (no broker; the deploy checks build the compose loader they use)
	$(PY) -m pytest -q tests/unit

quality: install ## the quality floors: fast subsets of the dev evaluations against tests/quality/floors.json
	$(PY) -m pytest -q -s tests/quality

integration: jars ## integration tests against a real local broker the run starts itself
	$(PY) -m pytest -q -m "not chaos" tests/integration

test: lint deploy-check install-check jars ## everything: lint, the deploy checks, the install check on Python 3.11, unit and integration tests (real broker) on $(PYTHON)
	$(PY) -m pytest -q -m "not chaos" tests

bench: jars ## throughput, latency, memory on a local broker (BENCH_ARGS to override)
	$(VENV)/bin/newsstream bench $(or $(BENCH_ARGS),--articles 20000 --workers 2) --json

chaos: jars ## long fault runs (SIGKILLs, a broker restart, two workers) printing what they counted
	$(PY) -m tools.chaos --guarantee at_least_once kill broker pair

demo: jars ## local broker + worker + bundled samples; prints enriched records and events
	$(VENV)/bin/newsstream demo

clean: ## remove the venv and caches in the repo (not the jar cache)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
