# Entry points. `make run` and `make test` work on a fresh machine: they
# install and start what they need (Kafka, the schema registry, the
# ClickHouse engine) under the git-ignored .local/ folder.

SHELL := /bin/bash
GO    ?= go
BIN   := bin/belvo-pipeline
ENV   := set -a; [ -f .local/env ] && . .local/env; set +a;

.PHONY: all build up down test test-unit vet run bench bench-ingest bench-belvo bench-fetcher bench-sink bench-freshness clean chaos fuzz

all: build

# The release a build reports (belvo-pipeline --version, belvo_build_info):
# the nearest tag, commits since and the commit, -dirty with local changes.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   = -X main.version=$(VERSION) -X main.revision=$(REVISION)

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/belvo-pipeline

## generate: rewrite everything generated from the code: the Avro schemas (schemas/avro), the
## ClickHouse migrations generated from schemas, deploy/k8s/base/kafka/topics.yaml,
## docs/configuration.md and the docs' generated tables (schemas/generate.go lists them all);
## the drift tests fail until the result is committed
.PHONY: generate
generate:
	$(GO) generate ./...

## up: start Kafka, the registry and ClickHouse on 127.0.0.1 and write .local/env
up:
	scripts/up.sh

## down: stop everything `make up` started
down:
	scripts/down.sh

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

## test: set up the services, then run every test (unit and integration: -tags integration) with
## the race detector, then every fuzz target for TEST_FUZZTIME each (new inputs, beyond the seeds
## `go test` runs). BELVO_REQUIRE_SERVICES=1 makes a missing service fail its test, not skip it.
## The tests run at a lower CPU priority than the services they share two cores with: a
## starved Kafka controller fences its only broker (scripts/kafka.sh).
TEST_FUZZTIME ?= 5s
test: up vet k8s-validate
	$(ENV) BELVO_REQUIRE_SERVICES=1 nice -n 5 $(GO) test -tags integration -race -count=1 -timeout 40m ./...
	FUZZTIME=$(TEST_FUZZTIME) GO=$(GO) nice -n 5 scripts/fuzz.sh

## fuzz: every fuzz target of the module for FUZZTIME each (default 10s), one after another
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) nice -n 5 scripts/fuzz.sh

## chaos: the roles as separate processes against the local Kafka, registry and ClickHouse,
## thousands of webhooks, kill -9 of each role, a broker and a ClickHouse restart, a sink
## started on fresh topics; prints every table against the emulator and fails on any loss or
## duplicate after FINAL. Not part of `make test`: it restarts the shared services. Settings
## are CHAOS_* variables (go run ./cmd/chaos --help), e.g. make chaos CHAOS_FAULTS=safe.
chaos: up build
	$(ENV) $(GO) run ./cmd/chaos

## test-unit: the tests that need no service. Without -tags integration every test that needs
## Kafka, the registry or ClickHouse skips (internal/testenv), whether or not `make up` ran.
test-unit:
	$(GO) test -race -count=1 ./...

## k8s-validate: render deploy/k8s (base and every overlay) and check each object with kubeconform
.PHONY: k8s-validate
k8s-validate:
	scripts/k8s-validate.sh

## run: set up everything and run the pipeline end to end (ONCE=1: exit after the summary)
run: up build
	@mkdir -p .local/logs
	@echo "logs: .local/logs/run.log"
	$(ENV) LOG_LEVEL=$${LOG_LEVEL:-info} $(BIN) run $(if $(ONCE),--once) 2>>.local/logs/run.log

## bench: every benchmark in one run (ingest beside Bento, sink beside the engine's ceiling and a
## peer, freshness, fetcher, Belvo client), then ONE markdown table of their headline numbers
## against issue 13's targets, headed by the machine; also written to .local/bench/summary-*.md,
## each piece's full output to .local/bench/<piece>-*.log (scripts/bench.sh; BENCH_PIECES picks)
bench: up build
	$(ENV) scripts/bench.sh

bench-ingest: up build
	$(ENV) scripts/bench-ingest.sh

bench-belvo:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/belvo/

bench-fetcher: up
	$(ENV) $(GO) test -tags integration -run '^$$' -bench . -benchtime 5x ./fetcher/

bench-sink: up
	$(ENV) scripts/bench-sink.sh

## bench-freshness: webhook received -> row loaded under `run`'s roles: steady ~5,000 records/s,
## a 30,000-record burst, a webhook of a type not seen before (scripts/bench-freshness.sh)
bench-freshness: up
	$(ENV) scripts/bench-freshness.sh

clean: down
	rm -rf bin .local/kafka .local/registry .local/clickhouse .local/run
