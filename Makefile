# Two set-up commands that work on a fresh machine with only Python 3.11 and pip.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint typecheck pytest docs bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.demo: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e '.[sim]'
	touch $@

$(VENV)/.dev: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.demo

# Five strategies on one helpdesk's Monday: a table, demo-output/helpdesk.json and .png.
demo: $(VENV)/.demo
	$(VENV)/bin/agentroute simulate examples/scenarios/helpdesk.toml \
		--strategies least_busy,round_robin,priority,most_busy,random \
		--json demo-output/helpdesk.json --plot demo-output/helpdesk.png

test: $(VENV)/.dev
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m ruff format --check src tests benchmarks examples
	$(PY) -m mypy --strict
	$(PY) -m pytest -q --cov=agentroute --cov-report=term-missing:skip-covered --cov-fail-under=100
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet --site-dir $(VENV)/site

docs: $(VENV)/.dev
	$(PY) -m mkdocs serve

bench: $(VENV)/.dev
	$(PY) benchmarks/throughput.py

clean:
	rm -rf $(VENV) site demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
