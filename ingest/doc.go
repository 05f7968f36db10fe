// Package ingest is the pipeline's front door: a fasthttp service that
// receives Belvo webhooks and institution-status webhooks, checks their
// origin, authorization and JSON, and publishes each one as an Avro record to
// Kafka, answering 202 only after the broker acknowledged it with acks=all.
//
// The answer is the whole durability contract with Belvo: a 2XX tells Belvo
// to forget the event, so ingest never sends one for an event it did not
// store, and answers 503 (Belvo retries) when Kafka cannot take the event
// within the budget that keeps the answer under Belvo's 5 s limit.
package ingest
