# One entry point for a newcomer: `make run` and `make test` need nothing but python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: venv vendor run run-https test test-fast test-js check-migrations test-sqlite test-postgres bench bench-claims page-weight migrate demo clean

# Front-end code comes from npm (package-lock.json); its built files are committed under
# static/vendor/ with their licences, so a server needs no Node.js. `make vendor` refreshes them
# after a version change in package.json; tests/test_vendor.py checks they are npm's files.
VENDOR_JSQR := static/vendor/jsqr/jsQR.js
# jsQR ships unminified (257 KB): minified by terser (a pinned dev dependency), 9 KB less on a phone's
# first load once compressed (46 KB -> 38 KB with brotli). tests/test_vendor.py runs the same command.
MINIFY_JSQR = node_modules/.bin/terser node_modules/jsqr/dist/jsQR.js --compress --mangle --comments false \
	--output $(VENDOR_JSQR)
# Ed25519 for browsers whose WebCrypto lacks it (an ES module, loaded only there).
VENDOR_NOBLE := static/vendor/noble-ed25519/index.js

$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: static/vendor/ is used as committed (tests/test_vendor.py cannot compare it)"; fi
	touch $(STAMP)

venv: $(STAMP)

vendor:
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/jsqr
	$(MINIFY_JSQR)
	cp node_modules/jsqr/LICENSE static/vendor/jsqr/LICENSE
	mkdir -p static/vendor/noble-ed25519
	cp node_modules/@noble/ed25519/index.js $(VENDOR_NOBLE)
	cp node_modules/@noble/ed25519/LICENSE static/vendor/noble-ed25519/LICENSE

migrate: $(STAMP)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

# The background-jobs worker (long prints, mailings) runs beside gunicorn and stops with it.
WITH_WORKER = trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; $(FLASK) jobs worker & worker=$$!;

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ with the background-jobs worker (Ctrl+C stops both)"
	$(WITH_WORKER) $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# The demo over HTTPS on every interface, so a phone on the same network can open the camera.
# The certificate is self-signed (the phone asks once to accept it); the demo's passwords are
# public: use a trusted network only. HTTPS_HOSTS adds names or addresses to the certificate.
HTTPS_PORT ?= 8443
TLS_DIR := instance/tls
run-https: demo
	$(BIN)/python -m partner_site.cli.devcert $(TLS_DIR) $(HTTPS_HOSTS)
	@echo "On a phone on the same network, open https://<an address above>:$(HTTPS_PORT)/ (Ctrl+C to stop)"
	$(WITH_WORKER) SESSION_COOKIE_SECURE=1 $(BIN)/gunicorn --bind 0.0.0.0:$(HTTPS_PORT) --workers 2 \
		--certfile $(TLS_DIR)/cert.pem --keyfile $(TLS_DIR)/key.pem --access-logfile - wsgi:app

# The whole suite: the JavaScript unit tests, then SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.
test: $(STAMP) test-js check-migrations
	$(BIN)/python -m pytest -q -rs tests

# The quick loop while coding: no browser, no server start, SQLite only, on every core (pytest-xdist).
# The PostgreSQL half, the browsers and the slow tests run in `make test`.
test-fast: $(STAMP)
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider -n auto -m "not browser and not slow" tests

# The models and the migrations describe the same schema: `flask db check` on a scratch SQLite
# database built by the migrations (tests/test_migrations.py checks the same on both databases).
CHECK_DIR := $(shell mktemp -u /tmp/pass-numerique-check.XXXXXX)
check-migrations: $(STAMP)
	mkdir -p $(CHECK_DIR)
	DATABASE_URL=sqlite:///$(CHECK_DIR)/check.sqlite3 INSTANCE_PATH=$(CHECK_DIR) $(FLASK) db upgrade
	DATABASE_URL=sqlite:///$(CHECK_DIR)/check.sqlite3 INSTANCE_PATH=$(CHECK_DIR) $(FLASK) db check
	rm -rf $(CHECK_DIR)

# The scan page's logic (offline judge, codes, queue, API client) under Node's own test runner: no browser.
test-js:
	node --test --test-reporter=spec tests/js/*.test.mjs

# Every script under bench/, one table (a few minutes); BENCH_FLAGS=--national for the claims at national scale.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_FLAGS)

# National scale (4,000 partners, 1,000,000 redemptions) on PostgreSQL: loads bench_claims, ~4 min.
bench-claims: $(STAMP)
	$(BIN)/python bench/claims.py

# Bytes on the wire for the scan page and one scan (Chromium, gunicorn alone); figures in test-artifacts/.
page-weight: $(STAMP)
	$(BIN)/python -m pytest -q -s -rs tests/test_page_weight.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
