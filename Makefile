# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

# What the strict checks cover: every package's source (migrations are excluded in pyproject).
SRC_DIRS := shared/src gateway/src $(wildcard services/*/src) $(wildcard tools/src)
TYPED_DIRS ?= $(SRC_DIRS)
STRUCTURED_DIRS ?= scripts $(SRC_DIRS)
# Test processes: one per core; a test module stays on one process (its fixtures are shared).
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
XDIST := -n $(WORKERS) --dist loadfile
DRILL_ORDERS ?= 600

.PHONY: setup run test test-fast test-postgres lint format typecheck structure contracts bench bench-bus bench-e2e drills clean

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv

.venv/.synced: $(UV) pyproject.toml uv.lock shared/pyproject.toml gateway/pyproject.toml services/*/pyproject.toml tools/pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: .venv/.synced ## create the virtual environment from the lock file

run: setup ## start the embedded platform: broker, four services and the gateway
	$(UV) run --frozen --no-sync cbec up

test: setup lint typecheck structure ## the whole gate: checks, then unit, contract, integration, e2e, fault drills
	$(UV) run --frozen --no-sync pytest $(XDIST) -m "not bench" $(PYTEST_ARGS)

test-fast: setup ## unit and contract tests only
	$(UV) run --frozen --no-sync pytest $(XDIST) tests/unit tests/contract $(PYTEST_ARGS)

test-postgres: setup ## every database test against PostgreSQL too (TEST_DATABASE_URL), not only the dialect-sensitive ones
	CBEC_TEST_POSTGRES=all $(UV) run --frozen --no-sync pytest $(XDIST) -m "not bench" tests/integration $(PYTEST_ARGS)

lint: setup ## ruff lint and format check
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .

structure: setup ## size limits: no module over 500 lines, no function over 80
	$(UV) run --frozen --no-sync python scripts/check_structure.py $(STRUCTURED_DIRS)

format: setup
	$(UV) run --frozen --no-sync ruff check --fix .
	$(UV) run --frozen --no-sync ruff format .

typecheck: setup ## mypy --strict over the source
	$(UV) run --frozen --no-sync mypy $(TYPED_DIRS)

contracts: setup ## regenerate the event contracts (JSON Schema, AsyncAPI) under contracts/
	$(UV) run --frozen --no-sync cbec contracts generate

bench: setup bench-bus ## the benchmarks' tests (the e2e ramp, the volume cases) and the bus benchmark
	$(UV) run --frozen --no-sync pytest -m bench $(PYTEST_ARGS)

bench-bus: setup ## outbox -> Kafka -> inbox against raw aiokafka
	$(UV) run --frozen --no-sync cbec bench bus

bench-e2e: setup ## lists released per second through the whole platform at a ramp of rates
	$(UV) run --frozen --no-sync cbec bench e2e --profile auto $(BENCH_ARGS)

drills: setup ## the fault drills at full size (DRILL_ORDERS orders per run)
	CBEC_FAULT_ORDERS=$(DRILL_ORDERS) $(UV) run --frozen --no-sync pytest tests/faults -s $(PYTEST_ARGS)

clean:
	rm -rf .venv data bench-results
