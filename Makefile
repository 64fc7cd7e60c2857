# Jiuzhu: `make run` serves the platform on 127.0.0.1:8000, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes per backend (pytest-xdist); each has its own database. 0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: run test install font lint typecheck test-sqlite test-postgres test-miniprogram console browser bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The CJK font the procedures' PDFs are set in (Debian's fonts-wqy-microhei, as root, when
# missing; JIUZHU_CJK_FONT points at another).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

install: $(STAMP) font

font:
	@if [ ! -f $(CJK_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends fonts-wqy-microhei >/dev/null \
	    || { apt-get update -qq && apt-get install -y --no-install-recommends fonts-wqy-microhei >/dev/null; }; \
	  else echo "the procedures' PDFs need: sudo apt-get install fonts-wqy-microhei"; fi; fi

run: $(STAMP) font
	@if [ ! -f console/dist/index.html ] && command -v npm >/dev/null 2>&1; then $(MAKE) console; fi
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

# The staff console (console/): installed from its lock file and built by Vite into console/dist,
# which the server answers at /console.
console:
	cd console && npm ci --no-audit --no-fund --silent && npx vite build --logLevel warn

# Headless Chromium and a CJK font for the console's browser tests, from Debian's packages (as
# root, when missing); Playwright's own browser download is never used.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends chromium fonts-wqy-microhei >/dev/null \
	    || { apt-get update -qq && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei >/dev/null; }; \
	  else echo "browser tests need: sudo apt-get install chromium fonts-wqy-microhei"; fi; fi

test: lint typecheck console browser font test-sqlite test-postgres test-miniprogram

bench: $(STAMP)
	$(PY) bench/intake.py
	$(PY) bench/registry.py
	$(PY) bench/monitoring.py
	$(PY) bench/stats.py
	$(PY) bench/matching.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
