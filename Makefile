# trueup: compile a customer-master spec into a Snowflake pipeline, and run
# the same pipeline locally on DuckDB.

GO      ?= go
BIN     := bin/trueup
DEMO    := .landing/demo

.PHONY: all build deps pg-deps kms-deps browser-deps test-deps test test-short rule-tests check-generated generate demo bench bench-key bench-quick bench-go clean

all: build

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/trueup

# Node dependencies of the Snowflake SQL parser used by the tests.
deps: tests/sqlparser/node_modules/.package-lock.json

tests/sqlparser/node_modules/.package-lock.json: tests/sqlparser/package.json tests/sqlparser/package-lock.json
	npm ci --prefix tests/sqlparser --no-audit --no-fund --loglevel=error

# The wal2json plugin for the real PostgreSQL test (Debian's package).
pg-deps:
	bash tests/postgres/install.sh

# local-kms, a KMS-compatible server, for the KMS master key's test
# (internal/crypt), built from source into .bin/.
LOCAL_KMS := github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6

kms-deps:
	GOBIN=$(CURDIR)/.bin $(GO) install $(LOCAL_KMS)

# Debian's Chromium for the headless-browser test of trueup docs
# (internal/docs), driven through chromedp; apt-get, so as root.
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# gotestsum runs go test and prints each test as it ends, then a summary
# line (DONE n tests, ... in T), so that a long run shows its progress.
GOTESTSUM := gotest.tools/gotestsum@v1.13.0

test-deps:
	GOBIN=$(CURDIR)/.bin $(GO) install $(GOTESTSUM)

# Every test: the rule tests of models/, golden SQL, the Snowflake parser,
# end-to-end runs on DuckDB, a real PostgreSQL server's WAL, a
# KMS-compatible server, the documentation site in a headless Chromium.
test: rule-tests deps pg-deps kms-deps browser-deps test-deps
	$(GO) vet ./...
	CI=$${CI:-true} $(CURDIR)/.bin/gotestsum --format testname -- -count=1 -timeout 60m ./...

test-short:
	$(GO) test -short ./...

# The rule tests of the company spec (models/tests/*.yaml) through the
# pipeline on an in-memory DuckDB database; fails when one fails.
rule-tests:
	$(GO) run ./cmd/trueup test --models models

# Fails, printing a unified diff, when sql/ is not what models/ generates.
check-generated:
	$(GO) run ./cmd/trueup generate --check

generate:
	$(GO) run ./cmd/trueup generate

# The main job on the embedded default: sample files from the three
# producers, through the local pipeline, ending with a summary of gold.
# PII is sealed with a master key (README, Security): the demo makes one,
# readable by its owner only, unless TRUEUP_MASTER_KEY(_FILE) is set.
DEMO_KEY := .landing/master.key

demo: build
	rm -rf $(DEMO)
	@mkdir -p .landing && test -s $(DEMO_KEY) || (umask 077 && head -c 32 /dev/urandom | base64 > $(DEMO_KEY))
	$(BIN) sample --out $(DEMO)/landing --customers 200 --seed 7
	TRUEUP_MASTER_KEY_FILE=$${TRUEUP_MASTER_KEY_FILE:-$(DEMO_KEY)} $(BIN) run --local --once --settle 0 --db $(DEMO)/trueup.duckdb --landing $(DEMO)/landing

# The benchmark program: states of 100K and 1M customers, a peak and a
# small batch on each, beside the bare load of the same files; writes
# BENCHMARKS.md. Landing files and state databases are kept in
# $(BENCH_WORK) and reused. bench-quick is a small configuration.
BENCH_WORK ?= $(or $(TMPDIR),/tmp)/trueup-bench
BENCH_ARGS ?=

BENCH_KEY := $(BENCH_WORK)/master.key

bench-key:
	@mkdir -p $(BENCH_WORK) && test -s $(BENCH_KEY) || (umask 077 && head -c 32 /dev/urandom | base64 > $(BENCH_KEY))

bench: bench-key
	TRUEUP_MASTER_KEY_FILE=$${TRUEUP_MASTER_KEY_FILE:-$(BENCH_KEY)} $(GO) run ./cmd/trueup-bench -work $(BENCH_WORK) $(BENCH_ARGS)

bench-quick: bench-key
	TRUEUP_MASTER_KEY_FILE=$${TRUEUP_MASTER_KEY_FILE:-$(BENCH_KEY)} $(GO) run ./cmd/trueup-bench -quick -work $(BENCH_WORK) $(BENCH_ARGS)

# The Go benchmarks (go test -bench).
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin .landing
