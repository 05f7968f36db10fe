package sink

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

var fetchedAt = time.Date(2026, 11, 23, 10, 0, 0, 123456000, time.UTC)

// text is how the engine's toString prints a value of each Go type the
// converter produces; the test compares on the engine's side of the wire.
func text(v any) *string {
	var s string
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		s = v
	case int64:
		s = strconv.FormatInt(v, 10)
	case int32:
		s = strconv.FormatInt(int64(v), 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case uint8:
		s = strconv.FormatUint(uint64(v), 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	case decimal.Decimal:
		s = v.String()
	case time.Time:
		// Date32 columns are read as midnight DateTime64 (see the query).
		s = v.UTC().Format("2006-01-02 15:04:05.000000")
	default:
		s = fmt.Sprintf("%v", v)
	}
	return &s
}

// Every resource's emulator record (Belvo's own example shapes), through
// Kafka as Avro, the sink and the engine, comes back value for value: each
// typed column as the converter read it from Belvo's JSON (decimals to the
// last digit, dates as the calendar day, nulls as NULL), raw byte for byte,
// and the lineage of where it was read.
func TestEveryResourceLoadsTypedRow(t *testing.T) {
	h := newHarness(t)
	link := "link-" + h.prefix
	want := map[string][]any{}
	for _, r := range schemas.Resources {
		n := native(t, r.Name, template(t, r.Name), link, fetchedAt)
		h.produce(r.Name, n)
		row, err := converter(t, r.Name).Row(nil, n, records.Position{})
		if err != nil {
			t.Fatal(err)
		}
		want[r.Name] = row
	}
	run := h.start(nil, nil)
	for _, r := range schemas.Resources {
		h.waitCount(1, 60*time.Second, "SELECT count() FROM DB."+r.Name)
	}
	typedNonNull := 0
	for _, r := range schemas.Resources {
		cols := r.InsertColumns()
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = "toString(" + schemas.QuoteIdent(c.Name) + ")"
			if c.Type == "Nullable(Date32)" {
				exprs[i] = "toString(toDateTime64(" + schemas.QuoteIdent(c.Name) + ", 6, 'UTC'))"
			}
		}
		got := make([]*string, len(cols))
		dest := make([]any, len(cols))
		for i := range got {
			dest[i] = &got[i]
		}
		q := "SELECT " + strings.Join(exprs, ", ") + " FROM `" + h.db + "`." + schemas.QuoteIdent(r.Name)
		if err := h.ch.QueryRow(context.Background(), q).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		for i, c := range cols {
			w := text(want[r.Name][i])
			switch c.Name {
			case schemas.ColumnTopic:
				w = text(r.Topic(h.prefix))
			case schemas.ColumnPartition, schemas.ColumnOffset:
				continue // where the producer put it; checked by the dedup tests
			}
			if (w == nil) != (got[i] == nil) || (w != nil && *w != *got[i]) {
				t.Errorf("%s.%s: got %s, want %s", r.Name, c.Name, show(got[i]), show(w))
			}
			if i >= 2 && i < 2+len(r.Fields) && w != nil {
				typedNonNull++
			}
		}
	}
	// The comparison above would pass on all-NULL rows; the templates fill
	// most typed fields.
	if typedNonNull < 100 {
		t.Fatalf("only %d typed values were non-null", typedNonNull)
	}
	// Spot values an analyst would query, against the engine's own types.
	var amount decimal.Decimal
	var day time.Time
	if err := h.ch.QueryRow(context.Background(), "SELECT amount, value_date FROM `"+h.db+"`.transactions").Scan(&amount, &day); err != nil {
		t.Fatal(err)
	}
	t.Logf("transactions: amount %s value_date %s", amount, day.Format(time.DateOnly))
	if err := run.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strconv.Quote(*s)
}
