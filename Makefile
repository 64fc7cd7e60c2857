# Jiuzhu: `make run` serves the platform on 127.0.0.1:8000, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes per backend (pytest-xdist); each has its own database. 0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: run test install lint typecheck test-sqlite test-postgres test-miniprogram bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m app migrate
	$(PY) -m app seed-demo
	$(PY) -m app serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(PY) -m ruff check $(wildcard app tests bench migrations)
	$(PY) -m ruff format --check $(wildcard app tests bench migrations)
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(PY) -m mypy app

test-sqlite: $(STAMP)
	$(PY) -m pytest --db=sqlite -n $(TEST_WORKERS)

test-postgres: $(STAMP)
	$(PY) -m pytest --db=postgres -n $(TEST_WORKERS)

test-miniprogram:
	@if [ -f miniprogram/package.json ]; then cd miniprogram && npm ci --no-audit --no-fund --silent && npm test; \
	else echo "miniprogram: no package.json yet"; fi

test: lint typecheck test-sqlite test-postgres test-miniprogram

bench: $(STAMP)
	$(PY) bench/intake.py
	$(PY) bench/registry.py
	$(PY) bench/monitoring.py
	$(PY) bench/matching.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
