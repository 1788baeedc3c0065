# The README's promises: `make run` starts the whole system locally, `make test` runs every test.
# Both bootstrap what they need on a fresh machine, starting with the virtual environment.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# Bytecode is written (`__pycache__/`, which git ignores) even where the environment says not to
# (PYTHONDONTWRITEBYTECODE, as this workplace's machines set it): every test worker, local stack,
# Lambda environment and `orderhelp invoke` imports the same modules, and each compiled them all
# again (tests/e2e: 180 s -> 158 s of CPU). The artefacts are compiled on their own (functions/
# Makefile drops any __pycache__ it copies) and checked with `-B`.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
# Re-install whenever the project's dependencies change.
INSTALLED := $(VENV)/.installed
# The Lambda lock (see `make lock`): .venv gets the same versions, so what the tests, the local
# stack and the benchmarks run is what deploys.
LOCK := functions/requirements.txt
LOCK_PINS := $(VENV)/lock-pins.txt

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	sed -n 's/^\([A-Za-z0-9._-]*==[^ ;]*\).*/\1/p' $(LOCK) > $(LOCK_PINS)
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]' --constraint $(LOCK_PINS)
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
	$(BIN)/mypy --strict -p lifecycle -p orderhelp -p orderhelp_dev

.PHONY: cfn-lint
cfn-lint: $(INSTALLED) ## lint the SAM template
	$(BIN)/cfn-lint infra/template.yaml

# The browser tests drive Debian's Chromium (never a browser Playwright downloads) and inject
# axe-core, an npm devDependency of web/ installed from web/package-lock.json (never served).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
WEB_DEPS := web/node_modules/.installed

# In parallel on every core (pytest-xdist); each local stack and the browser stay on one worker
# (see tests/conftest.py). Coverage of the code the tests run in-process.
PYTEST_ARGS ?= --numprocesses auto --cov --cov-report term --durations 10
.PHONY: pytest
pytest: $(INSTALLED) chromium $(WEB_DEPS) ## the test suite alone, in parallel, with coverage
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: chromium
chromium: ## install Debian's chromium for the browser tests when it is missing
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  log=$$(mktemp); \
	  { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  } >"$$log" 2>&1 || { cat "$$log"; rm -f "$$log"; exit 1; }; \
	  rm -f "$$log"; }

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: screenshots
screenshots: $(INSTALLED) chromium $(WEB_DEPS) ## screenshots of every page, desktop and phone, in docs/screenshots/
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# AWS SAM CLI lives in a tools environment of its own: it pins exact versions of boto3 and others.
# Its version range is the `sam` dependency group in pyproject.toml.
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_INSTALLED := $(SAM_VENV)/.installed
# No telemetry; a region only because `sam validate` wants one (nothing is deployed).
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-1}

$(SAM_INSTALLED): pyproject.toml
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(SAM_VENV)/bin/python -m pip install --quiet --quiet --group sam
	@touch $@

# Plain `sam validate` and `sam build`, as a user runs them: samconfig.toml names the template.
.PHONY: build
build: $(INSTALLED) $(SAM_INSTALLED) ## sam validate --lint, sam build (arm64, precompiled, no Docker), check the artefacts
	$(SAM_ENV) $(SAM) validate
	$(SAM_ENV) $(SAM) build
	$(BIN)/python -m tests.infra.check_build .aws-sam/build

# Cold starts are measured on the built artefacts, so it builds them first.
.PHONY: bench
bench: build ## benchmark the handlers: DynamoDB requests, latency, cold init (built artefacts), memory
	$(BIN)/python -m tests.bench

# mutmut (the `mutation` dependency group) goes into .venv beside the dev tools.
MUTATION_INSTALLED := $(VENV)/.mutation-installed

$(MUTATION_INSTALLED): $(INSTALLED) pyproject.toml
	$(BIN)/python -m pip install --quiet --quiet --group mutation
	@touch $@

.PHONY: mutation
mutation: $(MUTATION_INSTALLED) ## mutation testing of the rules against the unit tests, score per file (slow)
	$(BIN)/python -m tests.mutation --fail-under 90

# uv in a tools environment of its own, so a lock can be made even when the old one no longer
# fits pyproject.toml (.venv is installed with its versions). Existing pins are kept unless
# pyproject.toml needs others; `make lock LOCK_ARGS=--upgrade` takes the newest allowed.
LOCK_VENV := .tools/lock
LOCK_INSTALLED := $(LOCK_VENV)/.installed
LOCK_ARGS ?=

$(LOCK_INSTALLED): pyproject.toml
	@test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(LOCK_VENV)/bin/python -m pip install --quiet --quiet --group lock
	@touch $@

# Wheels only, as the layer is installed (functions/Makefile): a version whose arm64 wheel needs a
# newer glibc than Lambda's (say pillow-heif after 1.0) is passed over rather than locked.
.PHONY: lock
lock: $(LOCK_INSTALLED) ## the Lambda lock: pyproject.toml's dependencies for arm64 Python 3.11, with hashes
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	  --python-platform aarch64-manylinux2014 --only-binary :all: --custom-compile-command "make lock" \
	  --output-file $(LOCK) $(LOCK_ARGS)

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
