package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/schemas"
)

// A fact given as Go values encodes to goavro's bytes of NativeValues, and
// to exactly what the JSON path made of the same values marshalled: the
// fetcher's facts lost their JSON round trip, not a byte of their records.
func TestEncodeValuesMatchesGoavroAndTheJSONPath(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.FixedZone("BRT", -3*3600))
	cases := map[string][]Values{
		"reconciliations": {
			{"event_key": "wh-1|ab12", "webhook_id": "wh-1", "link_id": "l", "resource": "transactions", "webhook_code": "historical_update",
				"announced": 120, "fetched": int64(119), "matched": false, "exact": true},
			{"event_key": "wh-2", "resource": "accounts", "announced": 0, "fetched": 0, "matched": true},
		},
		"requests": {
			{"belvo_request_id": "0d3ffb69f83b456ead8e208d0998d71d", "kind": "async_post", "resource": "invoices",
				"date_from": "2024-01-01", "date_to": at, "sent_at": at},
			{"belvo_request_id": "r2", "kind": "refresh", "sent_at": at, "date_from": nil},
		},
		"error_events": {
			{"event_key": "wh-3:0a1b2c3d4e5f6a7b", "webhook_id": "wh-3", "webhook_type": "ACCOUNTS", "webhook_code": "historical_update", "process_type": nil,
				"error_code": "login_error", "error_message": "Invalid credentials ação", "received_at": at.Format(time.RFC3339Nano)},
		},
	}
	for name, vs := range cases {
		r, _ := schemas.TableByName(name)
		c, err := New(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			for _, l := range lineages() {
				got, key, err := c.EncodeValues(append([]byte(nil), prefix...), v, nil, l)
				native, nerr := c.NativeValues(v, nil, l)
				if err != nil || nerr != nil {
					if err == nil || nerr == nil || err.Error() != nerr.Error() {
						t.Fatalf("%s %v: EncodeValues %v, NativeValues %v", name, v, err, nerr)
					}
					continue
				}
				want, err := c.Codec().BinaryFromNative(append([]byte(nil), prefix...), native)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %v: EncodeValues differs from goavro at byte %d", name, v, firstDiff(got, want))
				}
				if string(key) != native[schemas.FieldID] || cap(key) != len(key) {
					t.Fatalf("%s: key %q, want %q", name, key, native[schemas.FieldID])
				}
				raw, _ := json.Marshal(map[string]any(v))
				viaJSON, jkey, err := c.Encode(append([]byte(nil), prefix...), raw, l, false)
				if err != nil || !bytes.Equal(viaJSON, got) || !bytes.Equal(jkey, key) {
					t.Fatalf("%s %s: the JSON path gives other bytes (%v, at byte %d)", name, raw, err, firstDiff(viaJSON, got))
				}
			}
		}
	}
}

// Values follow the JSON rules: a value the kind cannot hold is unfit, not
// an error; a Go type the kind never takes is the caller's bug, refused.
func TestEncodeValuesUnfitAndRefused(t *testing.T) {
	c := probe(t)
	l := testLineage()
	n, err := c.NativeValues(Values{"id": "r1", "amount": big.NewRat(1, 3), "day": time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), "at": time.Time{},
		"account": Values{"balance": map[string]any{"current": "5874.13"}}}, json.RawMessage(`{"kept":true}`), l)
	if err != nil {
		t.Fatal(err)
	}
	if n["amount"] != nil || n["day"] != nil || n["at"] != nil || n["nested_amount"] == nil {
		t.Errorf("amount %v, day %v, at %v (a zero time is null), nested_amount %v", n["amount"], n["day"], n["at"], n["nested_amount"])
	}
	if u := n[schemas.FieldUnfit].(map[string]any)["array"].([]any); len(u) != 2 || u[0] != "amount" || u[1] != "day" {
		t.Errorf("unfit_fields %v", u)
	}
	if raw := n[schemas.FieldRaw].(map[string]any)["string"]; raw != `{"kept":true}` {
		t.Errorf("raw %v, want the given text", raw)
	}
	for _, v := range []Values{
		{"id": "r1", "amount": 1.5},     // a float is not money
		{"id": "r1", "count": "12"},     // text is not an int here
		{"id": "r1", "day": 20240315},   // nor a number a date
		{"id": 1.5},                     // nor a float an id
		{"key": Values{"a": "x"}},       // a key part missing
		{"id": "r1", "flag": "true"},    // nor text a bool
		{"id": "r1", "text": []byte{1}}, // nor bytes text
	} {
		_, _, err := c.EncodeValues(nil, v, nil, l)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%v: got %v, want a FieldError", v, err)
		}
	}
	if _, key, err := c.EncodeValues(nil, Values{"key": Values{"a": "x", "b": int64(7)}}, nil, l); err != nil || string(key) != "x|7" {
		t.Errorf("key parts: %q, %v", key, err)
	}
}

// Every Go form a kind takes encodes as its JSON text does.
func TestEncodeValuesGoFormsMatchTheirJSON(t *testing.T) {
	c := probe(t)
	l := testLineage()
	for _, tc := range []struct {
		v    any
		json string
	}{
		{big.NewRat(-5, 100), `-0.05`},
		{new(big.Rat).SetFrac(new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil), big.NewInt(7)), `142857142857142857142857142.8571428571428571`}, // unfit both ways
		{decimal.RequireFromString("1234.5600"), `1234.56`},
		{"0.30000000000000004", `0.30000000000000004`},
		{"-12.5", `"-12.5"`},
	} {
		got, _, err := c.EncodeValues(nil, Values{"id": "r1", "amount": tc.v}, json.RawMessage(`{}`), l)
		if err != nil {
			t.Fatalf("%v: %v", tc.v, err)
		}
		n, err := c.Native(json.RawMessage(`{"id": "r1", "amount": `+tc.json+`}`), l)
		if err != nil {
			t.Fatal(err)
		}
		n[schemas.FieldRaw] = map[string]any{"string": "{}"}
		want, err := c.Codec().BinaryFromNative(nil, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%v: EncodeValues differs from the JSON %s at byte %d", tc.v, tc.json, firstDiff(got, want))
		}
	}
}

// FuzzEncodeValuesAgreesWithGoavro holds EncodeValues to goavro's bytes of
// NativeValues, refusals alike, for any values a JSON object decodes to
// (strings, float64s, bools, nested objects, nil) on any fact or resource.
func FuzzEncodeValuesAgreesWithGoavro(f *testing.F) {
	var convs []*Converter
	for _, r := range schemas.Tables() {
		c, err := New(r)
		if err != nil {
			f.Fatal(err)
		}
		convs = append(convs, c)
	}
	f.Add(uint8(len(schemas.Resources)), `{"event_key":"k","resource":"accounts","announced":3,"matched":true}`)
	f.Add(uint8(0), `{"id":"a1","balance":{"current":"12.5"},"created_at":"2024-01-02T03:04:05Z"}`)
	f.Fuzz(func(t *testing.T, which uint8, text string) {
		var v map[string]any
		if json.Unmarshal([]byte(text), &v) != nil {
			return
		}
		c := convs[int(which)%len(convs)]
		l := testLineage()
		got, key, err := c.EncodeValues(nil, v, nil, l)
		native, nerr := c.NativeValues(v, nil, l)
		if err != nil || nerr != nil {
			if err == nil || nerr == nil || err.Error() != nerr.Error() {
				t.Fatalf("%s %s: EncodeValues %v, NativeValues %v", c.res.Name, text, err, nerr)
			}
			return
		}
		want, err := c.Codec().BinaryFromNative(nil, native)
		if err != nil {
			t.Fatalf("%s %s: goavro refuses NativeValues: %v", c.res.Name, text, err)
		}
		if !bytes.Equal(got, want) || string(key) != native[schemas.FieldID] {
			t.Fatalf("%s %s: EncodeValues differs from goavro at byte %d", c.res.Name, text, firstDiff(got, want))
		}
	})
}
