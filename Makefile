# FitConnect: `make run` starts everything offline, `make test` runs the suite.
SHELL := /bin/bash
# Python 3.11: python3.11 when installed under that name, else python3 (checked below).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve loadtest test test-fast test-money-property chaos lint fmt bench lock install clean screenshots

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || { $(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "FitConnect needs Python 3.11, got " + sys.version' && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) scripts/run.py

# The production profile (Procfile) with DEBUG=false on PostgreSQL and Redis: README, Production.
serve: $(STAMP)
	$(PY) scripts/serve.py

test: $(STAMP)
	PY=$(PY) bash scripts/install_browser_deps.sh
	$(PY) -m pytest $(PYTEST_ARGS)

# The money property test (payments/tests/test_money_invariants.py) with 300 interleavings
# instead of make test's 12: a longer hunt, a few minutes.
test-money-property: $(STAMP)
	MONEY_PROPERTY_EXAMPLES=300 $(PY) -m pytest -q payments/tests/test_money_invariants.py

# The chaos test (payments/tests/test_chaos.py) as a long random search: CHAOS_EXAMPLES state
# machine runs (make test runs 3); prints how many it tried and the time. On PostgreSQL:
# DATABASE_URL=postgres://... make chaos.
CHAOS_EXAMPLES ?= 5000
chaos: $(STAMP)
	CHAOS_EXAMPLES=$(CHAOS_EXAMPLES) $(PY) -m pytest -q -s -p no:cacheprovider payments/tests/test_chaos.py

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: $(STAMP)
	PY=$(PY) bash scripts/install_browser_deps.sh
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q -m browser

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy payments/stripe_client.py

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Locust in a virtualenv of its own: gevent's monkey-patching stays out of the app's processes,
# and its dependencies (brotli, which WhiteNoise would then use) out of the app's.
LOCUST_STAMP := var/locust-venv/.installed
$(LOCUST_STAMP): deploy/locust.lock
	$(PYTHON) -m venv var/locust-venv
	var/locust-venv/bin/pip install --quiet -r deploy/locust.lock
	@touch $(LOCUST_STAMP)

# The production profile under load, then with faults under load: docs/benchmarks.md.
loadtest: $(STAMP) $(LOCUST_STAMP)
	$(PY) -m deploy.loadtest $(LOADTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

lock:
	$(PY) -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
