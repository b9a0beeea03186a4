# impactoost: every target CI and the quick start use. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the browser tests' accessibility checks, installed once, never at test time.
AXE_VERSION := 4.14.1
AXE := var/npm/.axe-core-$(AXE_VERSION)

.DEFAULT_GOAL := help

# The last full run's report, kept in the repository: the README's table is generated from it.
BENCH_REPORT := docs/benchmarks/last-run.json

.PHONY: help install system-deps demo up test test-unit bench lint format asyncapi lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	uv venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	uv pip sync --quiet --python $(BIN)/python requirements.lock
	uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create .venv with the locked dependencies and the impactoost command

system-deps: ## Install the system packages the tests and benchmarks need (PostgreSQL, Chromium, npm, wrk), when missing
	@scripts/ensure-system-deps.sh

$(AXE): | system-deps
	npm install --prefix var/npm --no-audit --no-fund --no-save --silent axe-core@$(AXE_VERSION)
	@touch $@

demo: install ## Run the whole platform locally on embedded defaults (Ctrl-C stops it)
	$(BIN)/impactoost demo

up: install ## Run the platform against the configured real label registries
	$(BIN)/impactoost up

test: install system-deps $(AXE) ## Run the whole test suite, starting every server it needs
	$(BIN)/pytest

test-unit: install ## Run only the unit tests (no sockets)
	$(BIN)/pytest -m unit

bench: install system-deps ## Run the benchmarks on their own servers; the README's table from the run
	$(BIN)/impactoost bench --copy-to $(BENCH_REPORT)
	$(BIN)/impactoost bench-table $(BENCH_REPORT) --readme README.md

lint: install ## ruff, mypy and the import-linter contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy contracts services

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

asyncapi: install ## Regenerate the checked-in AsyncAPI documents in docs/asyncapi/
	$(BIN)/impactoost asyncapi --write docs/asyncapi

lock: ## Re-resolve requirements.lock from pyproject.toml
	uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 -o requirements.lock

clean: ## Remove the virtual environment and the local data directory
	rm -rf $(VENV) var
