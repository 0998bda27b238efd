# One entry point for a newcomer: `make run` and `make test` need nothing but python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres bench bench-claims migrate demo clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# The whole suite: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.
test: $(STAMP)
	$(BIN)/python -m pytest -q -rs tests

bench: $(STAMP)
	$(BIN)/python bench/redeem.py

# National scale (4,000 partners, 1,000,000 redemptions) on PostgreSQL: loads bench_claims, ~4 min.
bench-claims: $(STAMP)
	$(BIN)/python bench/claims.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
