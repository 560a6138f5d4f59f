# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  := out/kg-store

.PHONY: install run test lint bench score clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: install
	mkdir -p out
	$(BIN)/kg build data/sample --store $(STORE)
	$(BIN)/kg export --store $(STORE) --format turtle -o out/graph.ttl
	$(BIN)/kg export --store $(STORE) --format trig -o out/graph.trig
	$(BIN)/kg export --store $(STORE) --format graphml -o out/graph.graphml
	$(BIN)/kg export --store $(STORE) --format jsonld -o out/graph.jsonld
	$(BIN)/kg view --store $(STORE) -o out/graph.html
	$(BIN)/kg validate --store $(STORE)
	$(BIN)/kg stats --store $(STORE)

score: run
	$(BIN)/python ../shared/tools/kgscore.py --graph out/graph.ttl --texts data/sample \
	    --gold ../shared/corpus/gold --ontology ontology/kg.ttl

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/mypy kg

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out kg-store .pytest_cache
