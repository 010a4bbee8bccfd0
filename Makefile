# make run: install, index the seed articles, serve the search page.
# make test: install with test extras, run the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
NEWSFACET_INDEX ?= instance/index
export NEWSFACET_INDEX

.PHONY: run test install install-test index benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'

index: install
	$(BIN)/newsfacet index seeds

run: index
	$(BIN)/newsfacet serve --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

benchmark: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	scripts/benchmark $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) instance build *.egg-info test-artifacts
