# The two commands of the README: `make demo` and `make test`. Each does all of its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output

.PHONY: demo test lint bench clean venv dev-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# A stamp per install, so a second run does not reinstall.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,spark]'
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# The main job, step by step as a user would run it: simulate a small archive (SIMULATED names), import it
# into a SQLite store, link the records into persons, score the links against the simulation's truth.
DEMO_DB := $(DEMO_DIR)/kartoteka.sqlite
KT := $(BIN)/kartoteka --database $(DEMO_DB)
demo: $(VENV)/.installed
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(KT) simulate $(DEMO_DIR)/archive --persons 2000 --seed 1 --profile realistic
	$(KT) --quiet import $(DEMO_DIR)/archive
	$(KT) status
	$(KT) names compare "Ямада Отозоо" "山田乙三"
	$(KT) link --runs-dir $(DEMO_DIR)/runs
	$(KT) evaluate $(DEMO_DIR)/archive/truth.csv
	@echo "Done. The store is $(DEMO_DB) (SIMULATED). Try: $(KT) review"

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
