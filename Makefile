# The two commands of the README: `make demo` and `make test`. Each does all of its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output
DEMO_SERVE ?= 1
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

.PHONY: demo serve-demo test lint bench clean venv dev-venv chromium screenshots

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
	@if [ "$(DEMO_SERVE)" != 0 ]; then $(MAKE) --no-print-directory serve-demo; fi

# The portal of the demo's store, until Ctrl-C. `make demo DEMO_SERVE=0` stops before this step (for scripts).
serve-demo: $(VENV)/.installed
	@echo "The portal of the SIMULATED archive: http://$(DEMO_HOST):$(DEMO_PORT)/  (Ctrl-C stops it)"
	@$(KT) serve --host $(DEMO_HOST) --port $(DEMO_PORT) || [ $$? -eq 130 ]

# The browser tests drive Debian's chromium (never a browser download), with Noto CJK so that the pages and the
# screenshots show every kanji of a name (old and variant forms too: 﨑, 𠮷). Installed through apt where missing and where this user may (root,
# apt-get); elsewhere a message says so and tests/browser skips (and fails under CI=true).
BROWSER_PACKAGES := chromium fonts-noto-cjk
chromium:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing $(BROWSER_PACKAGES) for the browser tests (apt-get, a minute)..."; \
	  log=$$(mktemp); \
	  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(BROWSER_PACKAGES)) >$$log 2>&1; then echo "installed: $$(command -v chromium)"; rm -f $$log; \
	  else tail -n 5 $$log; echo "Could not install $(BROWSER_PACKAGES) (log: $$log): the browser tests will skip."; fi; \
	else echo "chromium or Noto CJK is missing and this user cannot apt-get install $(BROWSER_PACKAGES): the browser tests will skip."; fi

test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=25

# The portal's screenshots in README and docs (docs/img/portal-*.png), taken by the browser tests.
screenshots: $(VENV)/.installed-dev chromium
	KARTOTEKA_SCREENSHOTS=docs/img $(BIN)/python -m pytest tests/browser/test_portal_journeys.py -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
