# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: setup run test test-fast lint format typecheck contracts bench bench-e2e clean

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv

.venv/.synced: $(UV) pyproject.toml uv.lock shared/pyproject.toml gateway/pyproject.toml services/*/pyproject.toml tools/pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: .venv/.synced ## create the virtual environment from the lock file

run: setup ## start the embedded platform: broker, four services and the gateway
	$(UV) run --frozen --no-sync cbec up

test: setup ## run the whole test suite (unit, contract, integration, end-to-end)
	$(UV) run --frozen --no-sync pytest $(PYTEST_ARGS)

test-fast: setup ## unit and contract tests only
	$(UV) run --frozen --no-sync pytest tests/unit tests/contract $(PYTEST_ARGS)

lint: setup ## ruff lint and format check
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .

format: setup
	$(UV) run --frozen --no-sync ruff check --fix .
	$(UV) run --frozen --no-sync ruff format .

typecheck: setup
	$(UV) run --frozen --no-sync mypy shared/src
	$(UV) run --frozen --no-sync mypy tools/src

contracts: setup ## regenerate the event contracts (JSON Schema, AsyncAPI) under contracts/
	$(UV) run --frozen --no-sync cbec contracts generate

bench: setup ## outbox -> Kafka -> inbox against raw aiokafka
	$(UV) run --frozen --no-sync cbec bench bus

bench-e2e: setup ## lists released per second through the whole platform at a ramp of rates
	$(UV) run --frozen --no-sync cbec bench e2e --profile auto $(BENCH_ARGS)

clean:
	rm -rf .venv data bench-results
