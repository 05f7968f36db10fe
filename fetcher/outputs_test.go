package fetcher

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// TestPageArenaKeepsEveryValue pins that values appended through the arena
// stay intact whether they fit the block or spill out of it, and that none
// can grow into its neighbour.
func TestPageArenaKeepsEveryValue(t *testing.T) {
	// Its own block: newPageArena may hand out a larger one that an earlier
	// test released to the pool, which the sizes below do not expect.
	a := &pageArena{buf: make([]byte, 0, 258)}
	var vals [][]byte
	for i, n := range []int{100, 100, 100, 10, 500} {
		v := a.took(append(a.free(), bytes.Repeat([]byte{byte('a' + i)}, n)...))
		if cap(v) != len(v) {
			t.Fatalf("value %d has spare capacity %d", i, cap(v)-len(v))
		}
		vals = append(vals, v)
	}
	_ = append(vals[0], 'X') // must not reach value 1
	for i, v := range vals {
		if want := bytes.Repeat([]byte{byte('a' + i)}, len(v)); !bytes.Equal(v, want) {
			t.Fatalf("value %d changed: %q", i, v)
		}
	}
	// 258 bytes of room: 100 and 100 fit, the third 100 spills, 10 fits
	// in what is left, 500 spills.
	if len(a.buf) != 210 {
		t.Fatalf("block holds %d bytes, want the values that fit (210)", len(a.buf))
	}
	var none *pageArena
	if v := none.took(append(none.free(), 'z')); string(v) != "z" {
		t.Fatalf("nil arena: %q", v)
	}
}

// The fetcher publishes records through Converter.Encode behind the
// registry header; it must publish what it did through Native and the
// registry codec (goavro), byte for byte and with the same key, and refuse
// the same records with the same error, which the dead letter carries.
func TestOutputMessagesMatchTheGoavroPath(t *testing.T) {
	tmpl, err := os.ReadFile("../internal/emulator/templates/transactions.json")
	if err != nil {
		t.Fatal(err)
	}
	raws := map[string][]json.RawMessage{"transactions": {
		tmpl,
		json.RawMessage(`{"id": "t1", "amount": "1.5", "value_date": "2024-03-15", "description": "caf\u00e9"}`),
		json.RawMessage(`{"id": "t2", "amount": "abc"}`),         // unfit: not a number
		json.RawMessage(`{"id": "t3", "amount": 0.12345678901}`), // unfit: 11 decimals
		json.RawMessage(`{"amount": 1}`),                         // refused: no id
		json.RawMessage(`{"id": "t4"`),                           // refused: not JSON
	}}
	lineage := records.Lineage{LinkID: "L", WebhookID: "wh", FetchedAt: time.Date(2026, 11, 23, 10, 0, 0, 123_456_789, time.UTC)}
	for i, table := range schemas.Tables() {
		conv, err := records.New(table)
		if err != nil {
			t.Fatal(err)
		}
		codec := &registry.Codec{ID: 100 + i, Avro: conv.Codec()}
		out := newOutput(table.Topic("belvo"), conv, codec, nil)
		arena := newPageArena(raws[table.Name])
		for _, raw := range append(raws[table.Name], json.RawMessage(`{"id": "r1"}`)) {
			got, gotErr := out.record(arena, raw, lineage)
			native, wantErr := conv.Native(raw, lineage)
			if wantErr != nil || gotErr != nil {
				if wantErr == nil || gotErr == nil || gotErr.Error() != wantErr.Error() {
					t.Fatalf("%s %s: error %v, Native's %v", table.Name, raw, gotErr, wantErr)
				}
				continue
			}
			want, err := codec.Append(nil, native)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Value, want) || string(got.Key) != native[schemas.FieldID] || got.Topic != out.topic {
				t.Fatalf("%s %s: message %q % x, want key %q % x", table.Name, raw, got.Key, got.Value, native[schemas.FieldID], want)
			}
			_ = append(got.Key, 'X') // must not reach into the value
			if !bytes.Equal(got.Value, want) {
				t.Fatalf("%s: appending to the key changed the value", table.Name)
			}
		}
		del, err := out.deletion("d1", lineage)
		if err != nil {
			t.Fatal(err)
		}
		native, err := conv.Deletion("d1", lineage)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := codec.Append(nil, native); !bytes.Equal(del.Value, want) || string(del.Key) != "d1" {
			t.Fatalf("%s deletion: %q % x, want % x", table.Name, del.Key, del.Value, want)
		}
		if _, err := out.deletion("", lineage); err == nil {
			t.Fatalf("%s: deletion without id accepted", table.Name)
		}
	}
}

// An error_events fact written from the event's values is the record the
// envelope made when it was scanned back, byte for byte and keyed alike.
func TestErrorEventFromValuesIsTheEnvelopeRecord(t *testing.T) {
	table, _ := schemas.TableByName(factErrors)
	conv, err := records.New(table)
	if err != nil {
		t.Fatal(err)
	}
	out := newOutput(table.Topic("belvo"), conv, &registry.Codec{ID: 7, Avro: conv.Codec()}, nil)
	f := &Fetcher{outputs: outputs{factErrors: out}}
	lineage := records.Lineage{LinkID: "L", WebhookID: "wh", FetchedAt: time.Date(2026, 11, 23, 10, 0, 0, 123_456_789, time.UTC)}
	received := time.Date(2026, 11, 23, 9, 59, 58, 987_654_321, time.FixedZone("BRT", -3*3600))
	for _, ev := range []Event{
		{WebhookID: "wh-1", Type: "ACCOUNTS", Code: "historical_update", ProcessType: "historical", LinkID: "L", ReceivedAt: received,
			Data: json.RawMessage(`{"errors":[{"code":"login_error","message":"x"}]}`)},
		{WebhookID: "wh-2", Type: "CRYPTO", Code: "new", LinkID: "L", ReceivedAt: received},
	} {
		for _, e := range [][2]string{{"login_error", "Invalid credentials \u00e7"}, {unknownEventCode, ""}, {"", ""}} {
			got, err := f.errorEvent(ev, e[0], e[1], lineage)
			if err != nil {
				t.Fatal(err)
			}
			want, err := out.record(nil, ev.envelope(e[0], e[1]), lineage)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Value, want.Value) || !bytes.Equal(got.Key, want.Key) {
				t.Fatalf("%s %v: values give % x, the envelope % x", ev.WebhookID, e, got.Value, want.Value)
			}
		}
	}
}
