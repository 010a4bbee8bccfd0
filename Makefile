# make run: install, index the seed articles, serve the search page.
# make test: install with test extras, check lint and format, run the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
NEWSFACET_INDEX ?= instance/index
export NEWSFACET_INDEX

.PHONY: run test lint install install-test index benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench,cluster]'

index: install
	$(BIN)/newsfacet index seeds

run: index
	$(BIN)/newsfacet serve --host 127.0.0.1 --port $(PORT)

test: install-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

benchmark: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	scripts/benchmark $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) instance build *.egg-info test-artifacts
