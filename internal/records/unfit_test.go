package records

import (
	"errors"
	"math/big"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Belvo's own examples fit their columns: a field flagged unfit on them
// means its Kind is wrong for what Belvo sends, not that the value is odd.
func TestNoExampleValueIsUnfit(t *testing.T) {
	files := exampleFiles()
	refusals := refused()
	checked := 0
	for _, r := range schemas.Resources {
		c, err := New(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range files[r.Name] {
			matches, _ := filepath.Glob(filepath.Join(examplesDir, g))
			for _, file := range matches {
				rel, _ := filepath.Rel(examplesDir, file)
				if _, ok := refusals[rel]; ok {
					continue
				}
				for _, raw := range readRecords(t, file) {
					n, err := c.Native(raw, testLineage())
					if err != nil {
						t.Errorf("%s: %v", rel, err)
						continue
					}
					if u := n[schemas.FieldUnfit]; u != nil {
						t.Errorf("%s: %s unfit in a Belvo example", rel, u)
					}
					checked++
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d example records checked", checked)
	}
	t.Logf("%d example records, every value fits", checked)
}

// A record written by another producer may hold a value the column cannot
// take although its Avro type can: more decimals than the column's scale,
// 29 integer digits, a date ClickHouse would clamp. Both decoders load it
// null and flagged, after the fields the writer flagged itself.
func TestDecodedValuesThatDoNotFitAreFlagged(t *testing.T) {
	c := probe(t)
	wide := `{"type":"bytes","logicalType":"decimal","precision":60,"scale":12}`
	writer := c.Resource().AvroSchema()
	// The same record with amount at scale 12: the column holds 10.
	wideSchema := replaceOnce(t, writer, `{
          "type": "bytes",
          "logicalType": "decimal",
          "precision": 38,
          "scale": 10
        }
      ],
      "default": null
    },
    {
      "name": "day"`, wide+`],"default":null},{"name":"day"`)
	for _, tc := range []struct {
		name   string
		schema string
		set    map[string]any
		unfit  []string
	}{
		{"12 decimals", wideSchema, map[string]any{"amount": goavro.Union("bytes.decimal", big.NewRat(3, 1000_000_000_000))}, []string{"amount"}},
		{"29 integer digits", writer, map[string]any{"nested_amount": goavro.Union("bytes.decimal", new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(28), nil)))}, []string{"nested_amount"}},
		{"year 2300", writer, map[string]any{"day": goavro.Union("int.date", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))}, []string{"day"}},
		{"year 1800 after a writer's own", writer, map[string]any{
			"at":               goavro.Union("long.timestamp-micros", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)),
			schemas.FieldUnfit: goavro.Union("array", []any{"count"}),
		}, []string{"count", "at"}},
		{"fits", writer, map[string]any{"amount": goavro.Union("bytes.decimal", big.NewRat(-5, 100))}, []string{}},
	} {
		codec, err := goavro.NewCodec(tc.schema)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n := map[string]any{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0).UTC()}
		for k, v := range tc.set {
			n[k] = v
		}
		bin, err := codec.BinaryFromNative(nil, n)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		native, _, err := codec.NativeFromBinary(bin)
		if err != nil {
			t.Fatal(err)
		}
		pos := Position{Topic: "t", Partition: 1, Offset: 2}
		slow, err := c.Row(nil, native.(map[string]any), pos)
		if err != nil {
			t.Fatalf("%s: goavro row: %v", tc.name, err)
		}
		rows := [][]any{slow}
		// A writer scale above the column's is goavro's alone.
		dec, err := c.RowDecoder(tc.schema)
		if err != nil && tc.schema == writer {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err == nil {
			fast, ok := dec.Row(bin, pos)
			if !ok {
				t.Fatalf("%s: the row decoder gave up", tc.name)
			}
			rows = append(rows, fast)
		}
		for _, row := range rows {
			if got := row[columnIndex(t, c.Resource(), schemas.FieldUnfit)]; !reflect.DeepEqual(got, tc.unfit) {
				t.Errorf("%s: unfit_fields %#v, want %#v", tc.name, got, tc.unfit)
			}
			for _, f := range tc.unfit {
				if v := row[columnIndex(t, c.Resource(), f)]; v != nil {
					t.Errorf("%s: %s = %v, want null", tc.name, f, v)
				}
			}
		}
		if tc.name == "fits" {
			for _, row := range rows {
				if v, _ := row[columnIndex(t, c.Resource(), "amount")].(decimal.Decimal); !decimal.RequireFromString("-0.05").Equal(v) {
					t.Errorf("fits: amount %v", v)
				}
			}
		}
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	i := strings.Index(s, old)
	if i < 0 {
		t.Fatalf("schema text changed: %q not found", old)
	}
	return s[:i] + new + s[i+len(old):]
}

// A value that does not fit is never an error of the record, but a value of
// the wrong Go type still is: goavro never decodes one, so it means a
// broken producer, not an odd value.
func TestRowRefusesWrongTypesStill(t *testing.T) {
	c := probe(t)
	_, err := c.Row(nil, map[string]any{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0).UTC(),
		"amount": map[string]any{"bytes.decimal": 1.5}}, Position{})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "amount" {
		t.Fatalf("got %v, want a FieldError on amount", err)
	}
}
