# Two commands on a fresh machine: `make demo` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Into ./archive, the folder every newsarchive command reads by default.
demo: $(STAMP)
	$(BIN)/newsarchive demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The fault campaigns: crawls killed 20 times over, then checked (several minutes).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow tests/test_faults.py

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

# archive/ is left alone: it holds the demo's crawl and your own.
clean:
	rm -rf $(VENV)
