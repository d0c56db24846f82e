# Two entry points: `make run` (check the bundled programs, then settle a year of sample data) and `make test`.
# `make serve` runs the decision service over the bundled programs (see README).
# `make bench` measures quotes, settlement, load time and the service under load (bench/RESULTS.md); `make bench-quick` in under a minute.
# `make fuzz` runs every fuzz target (tests/fuzz) for FUZZ_SECONDS each (default 600) and exits non-zero on a
# finding, written to tests/fuzz/findings/; `make fuzz FUZZ_TARGETS=ruleset FUZZ_SECONDS=60` runs one briefly.
# `make test` runs the same targets for a few dozen examples each.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=

.PHONY: run serve test lint docs clean bench bench-quick fuzz

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ppl check programs/
	@echo
	$(BIN)/ppl settle programs/ad_agency.yaml --transactions examples/data/transactions.csv \
		--partners examples/data/partners.csv --period FY2026 --out out/

# The decision service over the bundled programs: compiled into out/serve/bundle (the agency program with its
# sample partners), one vendor key made for the demo (its secret in out/serve/demo.key, only its hash in
# out/serve/keys.json), decisions logged to out/serve/decisions.jsonl. Stop it with Ctrl-C.
SERVE := out/serve
serve: $(STAMP)
	rm -rf $(SERVE) && mkdir -p $(SERVE)/bundle
	for p in ad_agency saas_reseller regional_trading; do \
		$(BIN)/ppl compile programs/$$p.yaml -o $(SERVE)/bundle/$$p.ruleset.json || exit 2; done
	cp examples/data/partners.csv $(SERVE)/bundle/ad_agency.partners.csv
	$(BIN)/ppl serve keys add --keys $(SERVE)/keys.json --role vendor --id demo | head -n 1 > $(SERVE)/demo.key
	@echo "serving on http://127.0.0.1:8080 (the vendor key is in $(SERVE)/demo.key)"
	$(BIN)/ppl serve $(SERVE)/bundle --keys $(SERVE)/keys.json --decision-log $(SERVE)/decisions.jsonl \
		--registry $(SERVE)/registry.db --port 8080

test: $(STAMP)
	@# The guide browser test drives Debian's Chromium; install it when it is missing and apt-get is there.
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ) >/dev/null 2>&1 \
			|| echo "make test: could not install chromium; the browser test will be skipped (it fails when CI is set)" >&2; \
	fi
	@# The PostgreSQL tests start a throwaway server from Debian's binaries; install them when missing.
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql ) >/dev/null 2>&1 \
			|| echo "make test: could not install postgresql; the PostgreSQL tests will be skipped (they fail when CI is set)" >&2; \
	fi
	$(BIN)/ruff check policy_lang compiler runtime program_tests ppl tests bench docs/hooks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --quick

fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

docs: $(STAMP)
	$(BIN)/mkdocs serve

clean:
	rm -rf $(VENV) .site .pytest_cache .mypy_cache .ruff_cache
