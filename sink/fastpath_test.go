package sink

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

// randomNative is a record of r as the fetcher encodes it, with edge values
// in every typed field: nulls, empty and non-ASCII strings, negative,
// zero, 38-digit and int64-boundary decimals, times around 1970.
func randomNative(rnd *rand.Rand, r schemas.Resource, i int) map[string]any {
	strs := []string{"", "ação ñ 日本語 🙂", "x", strings.Repeat("é", 100), "line\nbreak\"q\\"}
	n := map[string]any{
		schemas.FieldID:        fmt.Sprintf("id-%d-%s", i, strs[rnd.IntN(len(strs))]),
		schemas.FieldLinkID:    strs[rnd.IntN(len(strs))],
		schemas.FieldDeleted:   rnd.IntN(4) == 0,
		schemas.FieldRaw:       nil,
		schemas.FieldWebhookID: nil,
		schemas.FieldRequestID: goavro.Union("string", "req"),
		schemas.FieldFetchedAt: time.UnixMicro(rnd.Int64N(1 << 52)).UTC(),
	}
	if rnd.IntN(3) > 0 {
		n[schemas.FieldRaw] = goavro.Union("string", `{"id":"`+strs[rnd.IntN(len(strs))]+`"}`)
	}
	if rnd.IntN(4) == 0 && len(r.Fields) > 0 {
		// A field the writer found unfit, after which the sink lists its own.
		n[schemas.FieldUnfit] = goavro.Union("array", []any{r.Fields[0].Name})
	}
	for _, f := range r.Fields {
		if rnd.IntN(4) == 0 {
			n[f.Name] = nil
			continue
		}
		var v any
		switch f.Kind {
		case schemas.String, schemas.Enum:
			v = strs[rnd.IntN(len(strs))]
		case schemas.Int:
			v = []int64{0, -1, math.MaxInt64, math.MinInt64, rnd.Int64()}[rnd.IntN(5)]
		case schemas.Float:
			v = []float64{0, -0.5, 1e300, rnd.NormFloat64()}[rnd.IntN(4)]
		case schemas.Bool:
			v = rnd.IntN(2) == 0
		case schemas.Decimal:
			digits := []string{"0", "-0.0000000001", "-1234.56", strings.Repeat("9", 28) + "." + strings.Repeat("9", 10),
				"-" + strings.Repeat("9", 28), "922337203.6854775807", "-922337203.6854775808", "922337203.6854775808"}
			v, _ = new(big.Rat).SetString(digits[rnd.IntN(len(digits))])
		case schemas.Date:
			v = time.Unix(int64(rnd.IntN(100_000)-30_000)*86400, 0).UTC()
		case schemas.Timestamp:
			v = time.UnixMicro(rnd.Int64N(1<<52) - 1<<50).UTC()
		}
		n[f.Name] = goavro.Union(f.Kind.AvroBranch(), v)
	}
	return n
}

func sameValue(a, b any) bool {
	if sa, ok := a.([]string); ok {
		sb, ok := b.([]string)
		return ok && slices.Equal(sa, sb)
	}
	if da, ok := a.(decimal.Decimal); ok {
		db, ok := b.(decimal.Decimal)
		return ok && da.Equal(db) && da.Exponent() == db.Exponent()
	}
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return a == b // times too: same instant and the same (UTC) location
}

// checkRows decodes bin both ways and wants the same row, value for value.
func checkRows(t *testing.T, tbl *table, plan *records.RowDecoder, codec *goavro.Codec, bin []byte, pos records.Position) {
	t.Helper()
	native, _, err := codec.NativeFromBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tbl.row(nil, native.(map[string]any), pos)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := plan.Row(bin, pos)
	if !ok {
		t.Fatalf("fast path gave up on a record goavro decodes: %v", native)
	}
	if len(got) != len(want) {
		t.Fatalf("%d values, goavro %d", len(got), len(want))
	}
	for i := range want {
		if !sameValue(got[i], want[i]) {
			t.Fatalf("column %s: fast %#v, goavro %#v", tbl.columns[i], got[i], want[i])
		}
	}
}

// Every table the fast path serves gives the rows the goavro path gives,
// for random and edge values, with the committed writer schema.
func TestFastRowsAgreeWithGoavroOnEveryTable(t *testing.T) {
	byTopic, _, err := routes("belvo", "belvo")
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	served := 0
	for _, r := range schemas.Tables() {
		tbl := byTopic[r.Topic("belvo")]
		if tbl.resource == nil {
			continue
		}
		served++
		t.Run(r.Name, func(t *testing.T) {
			plan, err := newDecoder(tbl, r.AvroSchema())
			if err != nil {
				t.Fatal(err)
			}
			codec := converter(t, r.Name).Codec()
			for i := 0; i < 300; i++ {
				bin, err := codec.BinaryFromNative(nil, randomNative(rnd, r, i))
				if err != nil {
					t.Fatal(err)
				}
				checkRows(t, tbl, plan, codec, bin, records.Position{Topic: "belvo.records." + r.Name, Partition: int32(i % 3), Offset: int64(i)})
			}
		})
	}
	if served < len(schemas.Tables())-1 {
		t.Fatalf("the fast path serves %d of %d tables", served, len(schemas.Tables()))
	}
}

// A record written with another version of the schema decodes with its
// own: fields it lacks are null, fields it adds are skipped, a moved field
// is still found, as goavro with the writer schema would have it.
func TestFastRowsReadOtherSchemaVersions(t *testing.T) {
	byTopic, _, err := routes("belvo", "belvo")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := schemas.TableByName("transactions")
	tbl := byTopic[r.Topic("belvo")]
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.AvroSchema()), &doc); err != nil {
		t.Fatal(err)
	}
	fields := doc["fields"].([]any)
	// Older: without amount; newer: an extra map field first; and the
	// lineage moved to the front.
	var older []any
	for _, f := range fields {
		if f.(map[string]any)["name"] != "amount" {
			older = append(older, f)
		}
	}
	extra := map[string]any{"name": "tags", "type": map[string]any{"type": "map", "values": []any{"null", "long"}}, "default": map[string]any{}}
	newer := append([]any{extra}, fields...)
	moved := append(append([]any{}, fields[len(fields)-4:]...), fields[:len(fields)-4]...)
	rnd := rand.New(rand.NewPCG(5, 6))
	for name, fs := range map[string][]any{"older": older, "newer": newer, "moved": moved} {
		t.Run(name, func(t *testing.T) {
			doc["fields"] = fs
			text, _ := json.Marshal(doc)
			codec, err := goavro.NewCodec(string(text))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := newDecoder(tbl, string(text))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 100; i++ {
				n := randomNative(rnd, r, i)
				n["tags"] = map[string]any{"a": goavro.Union("long", int64(i)), "b": nil}
				bin, err := codec.BinaryFromNative(nil, n)
				if err != nil {
					t.Fatal(err)
				}
				checkRows(t, tbl, plan, codec, bin, records.Position{Topic: "t", Offset: int64(i)})
			}
		})
	}
}

// What the goavro path refuses or reports on is left to it, so dead
// letters keep their reasons: an empty id, a fetch time before 1970, a
// typed field written as another type, and bytes that are not the record.
func TestFastRowsLeaveErrorsToGoavro(t *testing.T) {
	byTopic, _, err := routes("belvo", "belvo")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := schemas.TableByName("transactions")
	tbl := byTopic[r.Topic("belvo")]
	plan, err := newDecoder(tbl, r.AvroSchema())
	if err != nil {
		t.Fatal(err)
	}
	codec := converter(t, r.Name).Codec()
	rnd := rand.New(rand.NewPCG(7, 8))
	for name, change := range map[string]func(map[string]any){
		"empty id":    func(n map[string]any) { n[schemas.FieldID] = "" },
		"before 1970": func(n map[string]any) { n[schemas.FieldFetchedAt] = time.Unix(-1, 0).UTC() },
	} {
		n := randomNative(rnd, r, 0)
		change(n)
		bin, err := codec.BinaryFromNative(nil, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := plan.Row(bin, records.Position{}); ok {
			t.Errorf("%s: fast path made a row", name)
		}
	}
	bin, _ := codec.BinaryFromNative(nil, randomNative(rnd, r, 1))
	if _, ok := plan.Row(bin[:len(bin)-1], records.Position{}); ok {
		t.Error("truncated record: fast path made a row")
	}
	if _, ok := plan.Row(append(bin, 0), records.Position{}); ok {
		t.Error("trailing byte: fast path made a row")
	}
	wrong := strings.Replace(r.AvroSchema(), `"logicalType": "decimal"`, `"logicalType": "decimal-ish"`, 1)
	if _, err := newDecoder(tbl, wrong); err == nil {
		t.Error("planned a decimal field written as plain bytes")
	}
	events := byTopic[schemas.WebhookTopic("belvo", schemas.Catalogue[0].Type)]
	if _, err := newDecoder(events, r.AvroSchema()); err == nil {
		t.Error("planned webhook_events, whose rows need goavro")
	}
}
