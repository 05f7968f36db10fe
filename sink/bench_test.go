package sink

import (
	"context"
	"fmt"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// compactTransaction is a transaction with the fields analysts query and
// little else: the shape of most Belvo transactions outside OFDA's full
// credit-card detail.
func compactTransaction(i int) string {
	return fmt.Sprintf(`{"id":"tx-%d","value_date":"2026-11-%02d","amount":"%d.%02d","currency":"BRL","type":"%s","status":"PROCESSED","category":"Food & Groceries","description":"PIX %d","account":{"id":"acc-%d","category":"CHECKING_ACCOUNT","institution":{"name":"ofmockbank_br_retail"}}}`,
		i, 1+i%28, i%5000, i%100, []string{"INFLOW", "OUTFLOW"}[i%2], i, i%100)
}

// decodeBatch is how many records one op of BenchmarkDecodeRow turns into
// rows: a batch kept until its end, as the sink keeps rows until a flush,
// and enough work per op that make bench-sink's -benchtime 1x measures the
// steady state rather than one record's cache misses.
const decodeBatch = 10_000

// BenchmarkDecodeRow is the sink's own per-record cost on one core: a
// Confluent-framed transaction (schema cached after the first) to the row
// of ClickHouse column values, "goavro" through the registry's goavro
// decode and records.Row, "fast" through writerSchemas (records.RowDecoder,
// the plan compiled once per schema id) into cells appended to the block
// sent, as consume does. "full" is the emulator's complete OFDA
// transaction (about 7 KB of Avro, mostly raw JSON), "compact" a
// transaction of the analysed fields. An op is decodeBatch records; B/op
// and allocs/op are per batch. Target: 150,000 rows/s.
func BenchmarkDecodeRow(b *testing.B) {
	reg, err := registry.New(testenv.Registry(b))
	if err != nil {
		b.Fatal(err)
	}
	fast, err := newWriterSchemas(reg)
	if err != nil {
		b.Fatal(err)
	}
	r, _ := schemas.TableByName("transactions")
	topic := r.Topic(testenv.Prefix(b))
	codec, err := reg.Register(context.Background(), schemas.Subject(topic), r.AvroSchema())
	if err != nil {
		b.Fatal(err)
	}
	byTopic, _, err := routes("belvo", "bench")
	if err != nil {
		b.Fatal(err)
	}
	tbl := byTopic["bench.records.transactions"]
	pos := records.Position{Topic: topic, Partition: 0, Offset: 1}
	ctx := context.Background()
	rows := make([][]any, 0, decodeBatch)
	for _, shape := range []struct{ name, raw string }{{"full", template(b, "transactions")}, {"compact", compactTransaction(7)}} {
		msg, err := codec.Append(nil, native(b, "transactions", shape.raw, "link-a", fetchedAt))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(shape.name+"/goavro", func(b *testing.B) {
			b.SetBytes(int64(len(msg)) * decodeBatch)
			b.ReportAllocs()
			for b.Loop() {
				rows = rows[:0]
				for range decodeBatch {
					n, _, err := reg.Decode(ctx, msg)
					if err != nil {
						b.Fatal(err)
					}
					row, err := tbl.row(nil, n.(map[string]any), pos)
					if err != nil {
						b.Fatal(err)
					}
					rows = append(rows, row)
				}
			}
			b.ReportMetric(float64(b.N)*decodeBatch/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(shape.name+"/fast", func(b *testing.B) {
			dec, body := fast.decoder(ctx, tbl, msg)
			if dec == nil {
				b.Fatal("the fast path does not serve transactions")
			}
			block := (&blockPoster{free: map[*table][]*chblock.Block{}}).get(tbl)
			cells := make([]chblock.Cell, dec.Width())
			b.SetBytes(int64(len(msg)) * decodeBatch)
			b.ReportAllocs()
			for b.Loop() {
				block.Reset() // as consume fills a batch's block
				for range decodeBatch {
					if dec, body = fast.decoder(ctx, tbl, msg); !dec.CellsIn(cells, body, pos) {
						b.Fatal("fast path gave up")
					}
					if err := block.AppendCells(cells); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N)*decodeBatch/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
