# Tuopin. `make demo` serves the real region tree on http://127.0.0.1:8000 (SQLite, no services
# needed); `make test` runs the test suite (DATABASE_URL, CACHE_URL, CELERY_BROKER_URL as set;
# TEST_WORKERS=2 spreads it over two pytest-xdist workers, each with its own test database and, given
# CACHE_URL_GW1 and CELERY_BROKER_URL_GW1, its own Redis databases; pytest names what is missing).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SHARED_DATA ?= ../shared/data
POVERTY_COUNTIES := $(SHARED_DATA)/poverty_counties/poverty_counties_832.csv
HOST ?= 127.0.0.1:8000
TEST_WORKERS ?= 1

.PHONY: demo demo-data test lint format messages villages-all clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Tuopin needs Python 3.11 (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

demo-data: $(BIN)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) import_divisions
	$(MANAGE) import_boundaries --quiet-lists
	@if [ -f "$(POVERTY_COUNTIES)" ]; then \
		$(MANAGE) import_region_tags --poverty-counties "$(POVERTY_COUNTIES)"; \
	else \
		echo "($(POVERTY_COUNTIES) not found: tagging without the 832 poverty counties)"; \
		$(MANAGE) import_region_tags; \
	fi
	$(MANAGE) generate_demo
	for year in 2016 2017 2018 2019 2020; do $(MANAGE) recompute --period $$year --verbosity 0 || exit 1; done

demo: demo-data
	$(MANAGE) runserver $(HOST)

test: $(BIN)/.installed
	$(BIN)/pytest $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist load --maxschedchunk 1)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(BIN)/.installed
	$(MANAGE) makemessages -l zh_Hans -l en --no-location --ignore=$(VENV) --ignore=staticfiles --ignore=var
	$(BIN)/python locale/fill_zh.py

villages-all: $(BIN)/.installed
	$(MANAGE) import_divisions --villages all

clean:
	rm -rf $(VENV) var staticfiles
