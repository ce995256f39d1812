# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install browser schema lint bench clean supergraph gateway playground

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Padu needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

install: $(STAMP)

## Serve on 127.0.0.1:$${PORT:-8000} with the embedded PostgreSQL and demo data (first run seeds it),
## and beside it the e-Puskesmas demo web service (demo/e_puskesmas, its own SQLite database
## under .padu/) on 127.0.0.1:$${EPUSKESMAS_PORT:-8701}; stopping Padu stops it too.
EPUSKESMAS_PORT ?= 8701
EPUSKESMAS_API_KEY ?= development-only-e-puskesmas-key
export EPUSKESMAS_API_KEY
run: $(STAMP)
	@mkdir -p .padu
	@$(BIN)/python demo/e_puskesmas/service.py --host 127.0.0.1 --port $(EPUSKESMAS_PORT) \
	    --database .padu/e_puskesmas.sqlite3 & service=$$!; \
	  trap 'kill $$service 2>/dev/null' EXIT INT TERM; \
	  PADU_EPUSKESMAS_URL=$${PADU_EPUSKESMAS_URL:-http://127.0.0.1:$(EPUSKESMAS_PORT)} $(BIN)/padu serve

## The gateways' npm packages (pinned in gateway/package-lock.json), for the supergraph and its tests.
GATEWAY_STAMP := gateway/node_modules/.installed
$(GATEWAY_STAMP): gateway/package.json gateway/package-lock.json
	npm ci --prefix gateway --no-audit --no-fund
	@touch $@

gateway: $(GATEWAY_STAMP)

## Refresh the playground's vendored GraphiQL, React and their licences in padu/static/graphiql/vendor/
## from the versions pinned in playground/package-lock.json (commit the result; Padu needs no npm to run).
playground:
	npm ci --prefix playground --no-audit --no-fund
	node playground/vendor.mjs

## The client libraries the tests drive Padu with (pinned in clients/package-lock.json).
CLIENTS_STAMP := clients/node_modules/.installed
$(CLIENTS_STAMP): clients/package.json clients/package-lock.json
	npm ci --prefix clients --no-audit --no-fund
	@touch $@

## Every subgraph in its own process over the embedded demo data, composed, behind Hive Gateway
## (GATEWAY=apollo for Apollo Gateway) on 127.0.0.1:$${GATEWAY_PORT:-4000}/graphql; the
## e-Puskesmas demo service beside it, as for `make run`.
GATEWAY ?= hive
GATEWAY_PORT ?= 4000
supergraph: $(STAMP) $(GATEWAY_STAMP)
	@mkdir -p .padu
	@$(BIN)/python demo/e_puskesmas/service.py --host 127.0.0.1 --port $(EPUSKESMAS_PORT) \
	    --database .padu/e_puskesmas.sqlite3 & service=$$!; \
	  trap 'kill $$service 2>/dev/null' EXIT INT TERM; \
	  PADU_EPUSKESMAS_URL=$${PADU_EPUSKESMAS_URL:-http://127.0.0.1:$(EPUSKESMAS_PORT)} \
	  $(BIN)/padu supergraph --gateway $(GATEWAY) --port $(GATEWAY_PORT)

## Run the whole test suite against a real PostgreSQL (embedded unless PADU_TEST_DSN is set).
## The /dashboard page is tested in Debian's chromium, installed here when missing.
test: $(STAMP) browser $(GATEWAY_STAMP) $(CLIENTS_STAMP)
	$(BIN)/pytest

browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "make: no chromium and no way to install it; the /dashboard browser test will be skipped"

## Regenerate schema.graphql from the code.
schema: $(STAMP)
	$(BIN)/padu export-schema > schema.graphql
	@for name in $$($(BIN)/python -c 'from padu.config import load_config; from padu.schema.federation import names; print(" ".join(names(load_config().applications)))'); do \
	  $(BIN)/padu export-schema --subgraph $$name > subgraphs/$$name.graphql; done

## Benchmark Padu against PostGraphile and a hand-written baseline (needs the PADU_*_DSN of seeded databases).
bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@test -x bench/node_modules/.bin/postgraphile || npm ci --prefix bench --no-audit --no-fund
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/pip install --quiet ruff mypy
	$(BIN)/ruff check padu tests bench demo
	$(BIN)/mypy padu demo

clean:
	rm -rf $(VENV) .padu
