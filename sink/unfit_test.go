package sink

import (
	"context"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// A value its column cannot hold costs the column, never the record: a
// money value with 17 decimals (0.1 + 0.2 as Belvo's float format may send
// it), flagged by the fetcher's encoder, and one of 31 integer digits in
// the Avro itself, which only the sink finds beyond Decimal(38, 10), are
// loaded with the column null, the field named in unfit_fields and raw
// byte for byte; nothing is dead-lettered, and the metric counts both.
func TestUnfitValuesAreLoadedNullAndFlagged(t *testing.T) {
	h := newHarness(t)
	r, _ := schemas.TableByName("transactions")
	topic := r.Topic(h.prefix)
	codec := h.codec(topic, r.AvroSchema())

	raw := strings.Replace(compactTransaction(1), `"amount":"1.01"`, `"amount":0.30000000000000004`, 1)
	if raw == compactTransaction(1) {
		t.Fatal("the compact transaction has no amount to replace")
	}
	raw = strings.Replace(raw, `"id":"tx-1"`, `"id":"tx-unfit-float"`, 1)
	conv := converter(t, "transactions")
	v, err := conv.Append(codec.AppendHeader(nil), []byte(raw), records.Lineage{LinkID: "link-u", FetchedAt: fetchedAt})
	if err != nil {
		t.Fatalf("the fetcher's encoder refused the record: %v", err)
	}
	h.produceRaw(topic, []byte("link-u"), v)

	huge := native(t, "transactions", compactTransaction(2), "link-u", fetchedAt)
	huge[schemas.FieldID] = "tx-unfit-huge"
	huge["amount"] = map[string]any{"bytes.decimal": new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil))}
	hugeRaw := huge[schemas.FieldRaw].(map[string]any)["string"].(string)
	ok := native(t, "transactions", compactTransaction(3), "link-u", fetchedAt)
	h.produce("transactions", huge, ok)

	run := h.start(nil, nil)
	h.waitCount(3, 60*time.Second, "SELECT count() FROM DB.transactions")
	for id, wantRaw := range map[string]string{"tx-unfit-float": raw, "tx-unfit-huge": hugeRaw} {
		var (
			amount  *string
			unfit   []string
			gotRaw  string
			deleted uint8
		)
		q := "SELECT toString(amount), unfit_fields, raw, is_deleted FROM `" + h.db + "`.transactions WHERE id = ?"
		if err := h.ch.QueryRow(context.Background(), q, id).Scan(&amount, &unfit, &gotRaw, &deleted); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if amount != nil || !slices.Equal(unfit, []string{"amount"}) || gotRaw != wantRaw || deleted != 0 {
			t.Errorf("%s: amount %v, unfit_fields %v, raw intact %v, is_deleted %d; want null, [amount], true, 0", id, amount, unfit, gotRaw == wantRaw, deleted)
		}
	}
	var fine []string
	if err := h.ch.QueryRow(context.Background(), "SELECT unfit_fields FROM `"+h.db+"`.transactions WHERE id = 'tx-3'").Scan(&fine); err != nil || len(fine) != 0 {
		t.Errorf("a record whose values fit: unfit_fields %v (%v), want empty", fine, err)
	}
	var m dto.Metric
	if err := run.s.metrics.unfit.WithLabelValues("transactions", "amount").Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetCounter().GetValue(); got != 2 {
		t.Errorf("sink_unfit_values_total{transactions,amount} = %v, want 2", got)
	}
	if n := len(testenv.ReadTopic(t, h.brokers, DeadLetterTopic(h.prefix), 0, time.Second)); n != 0 {
		t.Errorf("%d records dead-lettered", n)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}
