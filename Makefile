# The README's promises: `make run` starts the whole system locally, `make test` runs every test.
# Both bootstrap what they need on a fresh machine, starting with the virtual environment.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Re-install whenever the project's dependencies change.
INSTALLED := $(VENV)/.installed

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'
	@touch $@

.PHONY: venv
venv: $(INSTALLED) ## create .venv and install the project with its dev tools

.PHONY: test
test: lint typecheck cfn-lint pytest ## run every check: ruff, mypy, cfn-lint and the test suite

.PHONY: lint
lint: $(INSTALLED) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: fmt
fmt: $(INSTALLED) ## format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: typecheck
typecheck: $(INSTALLED) ## mypy, strict, on the rules and the Lambda code
	$(BIN)/mypy --strict -p lifecycle -p orderhelp

.PHONY: cfn-lint
cfn-lint: $(INSTALLED) ## lint the SAM template
	$(BIN)/cfn-lint infra/template.yaml

.PHONY: pytest
pytest: $(INSTALLED) ## the test suite alone
	$(BIN)/pytest

.PHONY: diagram
diagram: $(INSTALLED) ## regenerate the lifecycle diagram in the README
	$(BIN)/orderhelp diagram

.PHONY: openapi
openapi: $(INSTALLED) ## regenerate docs/openapi.json from the handlers
	$(BIN)/orderhelp openapi --output docs/openapi.json

# Flags for `orderhelp serve`, e.g. make run RUN_ARGS="--port 3001 --no-demo".
RUN_ARGS ?=

.PHONY: run
run: $(INSTALLED) ## start the whole system locally with demo data (Ctrl-C stops it)
	@exec $(BIN)/orderhelp serve $(RUN_ARGS)
