// Package pipeline runs every role in one process: migrate, then ingest,
// fetcher and sink, and (unless a real Belvo is configured) the Belvo
// emulator pointed at ingest. It serves `belvo-pipeline run` (demos, small
// installations, `make run`) and the end-to-end test, and it can tell when
// the pipeline has settled and whether ClickHouse holds what the emulator's
// webhooks announced.
//
// The roles still meet only at Kafka topics: running them in one process
// shares nothing but the process.
package pipeline
