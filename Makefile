# The two commands: `make run` and `make test`. Everything else is their plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := approvals

.PHONY: run test setup system-deps bench worker clean

run: setup
	$(BIN)/flask --app approvals up

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run_all.py

setup: system-deps $(VENV)/.stamp-installed node_modules/.stamp-installed

system-deps:
	@bash scripts/system-deps.sh

$(VENV)/.stamp-installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

node_modules/.stamp-installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

package-lock.json: package.json
	npm install --package-lock-only --no-audit --no-fund --loglevel=error

clean:
	rm -rf $(VENV) node_modules instance/*.db instance/mail .pytest_cache
