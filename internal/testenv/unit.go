//go:build !integration

package testenv

// Integration is false without -tags integration: every service accessor
// skips its test, so `go test ./...` after `make up` stays a unit run.
const Integration = false
