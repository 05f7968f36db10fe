//go:build integration

package testenv

// Integration is true in builds with -tags integration: the tests that need
// Kafka, the registry or ClickHouse run (make test); without the tag they
// skip, whatever .local/env holds (make test-unit).
const Integration = true
