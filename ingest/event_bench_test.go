package ingest

import (
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

var benchBody = []byte(`{"webhook_id":"0000000100000002000000000000abcd","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",` +
	`"webhook_code":"new_transactions_available","link_id":"00000001-bcbc-4cf7-b815-c500d4204e28",` +
	`"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","external_id":"customer-1-account-reference-0001",` +
	`"data":{"new_transactions":7,"total_transactions":1824,"total_inflow_transactions":911,"total_outflow_transactions":913,` +
	`"first_transaction_date":"2024-01-03","last_transaction_date":"2026-11-22","account_id":"0d3ffb69-f83b-456e-ad8e-208d0998d71d",` +
	`"institution":"erebor_br_retail","note":"synthetic load from loadgen; shaped like Belvo's documented TRANSACTIONS webhook"}}`)

// BenchmarkParseAndEncode is ingest's own CPU per webhook besides HTTP and
// Kafka: envelope checks and the Avro value.
func BenchmarkParseAndEncode(b *testing.B) {
	avro, err := goavro.NewCodec(schemas.WebhookEventSchema)
	if err != nil {
		b.Fatal(err)
	}
	codec := &registry.Codec{ID: 1, Avro: avro}
	now := time.Now()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		w, err := parseWebhook(benchBody, "req-1", now)
		if err != nil {
			b.Fatal(err)
		}
		if buf, err = w.encode(buf[:0], codec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "webhooks/s")
}

func BenchmarkParseOnly(b *testing.B) {
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseWebhook(benchBody, "req-1", now); err != nil {
			b.Fatal(err)
		}
	}
}
