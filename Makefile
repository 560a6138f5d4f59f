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

# Extraction quality on three answer-keyed sets: the sample, the project's synthetic dev set and
# the real articles of ../shared/corpus/real (the primary measure). Prints one SUMMARY line each.
SCORER  := ../shared/tools/kgscore.py
SETS    := sample:data/sample:../shared/corpus/gold \
           devset:tests/data/devset/texts:tests/data/devset/gold \
           real:../shared/corpus/real/texts:../shared/corpus/real/gold

score: install
	@test -f $(SCORER) || { echo "make score: $(SCORER) not found (the shared corpus sits beside the repository)"; exit 2; }
	@mkdir -p out/score
	@for set in $(SETS); do \
	    name=$${set%%:*}; rest=$${set#*:}; texts=$${rest%%:*}; gold=$${rest#*:}; \
	    if [ ! -d "$$texts" ]; then echo "$$name: $$texts not found, skipped"; continue; fi; \
	    rm -rf out/score/$$name; \
	    $(BIN)/kg build $$texts --store out/score/$$name >/dev/null 2>out/score/$$name.log || { cat out/score/$$name.log; exit 1; }; \
	    $(BIN)/kg export --store out/score/$$name --format turtle -o out/score/$$name.ttl >/dev/null 2>&1 || exit 1; \
	    printf '%-7s ' $$name; \
	    $(BIN)/python $(SCORER) --graph out/score/$$name.ttl --texts $$texts --gold $$gold \
	        --ontology ontology/kg.ttl | tail -n 1 || exit 1; \
	done

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/mypy kg

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out kg-store .pytest_cache
