package records

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// The fetcher must publish 50k transaction records/s and the sink load 150k
// rows/s per replica; these measure this package's share of both paths on
// a full OFDA transaction (nested account with credit and loan data).
func benchTransactions(b *testing.B) (*Converter, []byte) {
	b.Helper()
	r, _ := schemas.ResourceByName("transactions")
	c, err := New(r)
	if err != nil {
		b.Fatal(err)
	}
	raw := readRecords(b, filepath.Join(examplesDir, "openapi-generated-samples/v1.223.0/transactions.detail.json"))[0]
	return c, raw
}

func reportRate(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func BenchmarkToNative(b *testing.B) {
	c, raw := benchTransactions(b)
	l := testLineage()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Native(raw, l); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "records/s")
}

// BenchmarkEncode is the goavro path, which the fetcher took before Append
// and request facts still take: convert, then goavro's BinaryFromNative
// into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	c, raw := benchTransactions(b)
	l := testLineage()
	buf := make([]byte, 0, 8192)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := c.Native(raw, l)
		if err != nil {
			b.Fatal(err)
		}
		if buf, err = c.Codec().BinaryFromNative(buf[:0], n); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "records/s")
}

// BenchmarkAppend is the fetcher's whole per-record cost here, the same
// work as BenchmarkEncode: Append into a reused buffer, without the map and
// without goavro. The example is indented; Belvo sends records compact. The
// fetcher converts a page's records, which the Belvo client has validated,
// with AppendValid.
func BenchmarkAppend(b *testing.B) {
	c, raw := benchTransactions(b)
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		b.Fatal(err)
	}
	l := testLineage()
	buf := make([]byte, 0, 8192)
	for _, text := range []struct {
		name string
		raw  []byte
	}{{"indented", raw}, {"compact", compact.Bytes()}} {
		for _, run := range []struct {
			name   string
			append func([]byte, json.RawMessage, Lineage) ([]byte, error)
		}{{"Append", c.Append}, {"AppendValid", c.AppendValid}} {
			b.Run(text.name+"/"+run.name, func(b *testing.B) {
				b.SetBytes(int64(len(text.raw)))
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if buf, err = run.append(buf[:0], text.raw, l); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, "records/s")
			})
		}
	}
}

// BenchmarkDecodeRow is the sink's per-row cost here: goavro's
// NativeFromBinary, then Row into a reused slice.
func BenchmarkDecodeRow(b *testing.B) {
	c, raw := benchTransactions(b)
	n, err := c.Native(raw, testLineage())
	if err != nil {
		b.Fatal(err)
	}
	bin, err := c.Codec().BinaryFromNative(nil, n)
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, 0, len(c.Resource().InsertColumns()))
	pos := Position{Topic: "belvo.records.transactions", Partition: 1, Offset: 1}
	b.ReportAllocs()
	for b.Loop() {
		back, _, err := c.Codec().NativeFromBinary(bin)
		if err != nil {
			b.Fatal(err)
		}
		if row, err = c.Row(row, back.(map[string]any), pos); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "rows/s")
}
