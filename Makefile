# Every target bootstraps .venv with a Python >= 3.12 found on this machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo lint format bench faults clean venv sample

venv: $(STAMP)

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  PYBIN=""; \
	  for c in python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 python3; do \
	    if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then PYBIN="$$c"; break; fi; \
	  done; \
	  if [ -z "$$PYBIN" ]; then echo "error: no Python >= 3.12 found (tried python3.13, python3.12, ~/.pyenv/versions/3.12+, python3). Install one and retry." >&2; exit 1; fi; \
	  echo "using $$PYBIN ($$("$$PYBIN" --version))"; \
	  "$$PYBIN" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install -q --upgrade pip >/dev/null; \
	$(PY) -m pip install -q -e '.[test]'; \
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q tests

faults: $(STAMP)
	$(PY) -m nautilus_bitget.faults

demo: $(STAMP)
	$(VENV)/bin/bitget-nt demo

# data/sample/: a few minutes of simulated BTCUSDT (committed; see data/sample/README.md)
sample: $(STAMP)
	$(PY) -m nautilus_bitget.sample data/sample --minutes 3

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
