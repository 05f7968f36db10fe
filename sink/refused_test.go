package sink

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"
	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// committed sums the group's committed offsets on topic: with every record
// of the test on one partition, the number of records settled.
func (h *harness) committed(topic string) int64 {
	h.t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(h.brokers...), Timeout: 10 * time.Second}
	res, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: h.prefix + "-sink", Topics: map[string][]int{topic: {0, 1}}})
	if err != nil {
		h.t.Fatal(err)
	}
	var sum int64
	for _, p := range res.Topics[topic] {
		if p.CommittedOffset > 0 {
			sum += p.CommittedOffset
		}
	}
	return sum
}

// One batch holding rows the server refuses (a CHECK constraint, the
// engine's VIOLATED_CONSTRAINT): they go to the dead-letter topic with the
// reason, the other rows are loaded, and the offsets are committed. (A
// value beyond the column's Decimal(38, 10), which the client would refuse,
// is loaded null and flagged instead: TestUnfitValuesAreLoadedNullAndFlagged.) A crash after the
// load and before the commit changes nothing: the replay skips what the
// sub-batches loaded and dead-letters nothing twice.
func TestRowsClickHouseRefusesAreDeadLetteredAndTheRestLoaded(t *testing.T) {
	bothInserts(t, testRowsClickHouseRefuses)
}

// bothInserts runs test with the sink inserting through blockPoster (every
// http(s) DSN) and through clickhouse-go's batches (the native protocol):
// refusals must read alike on both.
func bothInserts(t *testing.T, test func(*testing.T, *harness)) {
	for _, viaBatches := range []bool{false, true} {
		name := "blockPoster"
		if viaBatches {
			name = "clickhouse-go batches"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.viaBatches = viaBatches
			test(t, h)
		})
	}
}

func testRowsClickHouseRefuses(t *testing.T, h *harness) {
	if err := h.ch.Exec(context.Background(), "ALTER TABLE `"+h.db+"`.transactions ADD CONSTRAINT amount_floor CHECK amount IS NULL OR amount > -1000000"); err != nil {
		t.Fatal(err)
	}
	const n, constrained, alsoConstrained = 40, 7, 23
	recs := transactions(t, h.prefix, "link-a", n, fetchedAt)
	recs[constrained]["amount"] = map[string]any{"bytes.decimal": big.NewRat(-5_000_000, 1)}
	recs[alsoConstrained]["amount"] = map[string]any{"bytes.decimal": big.NewRat(-7_000_000, 1)}
	h.produce("transactions", recs...)
	topic := h.prefix + ".records.transactions"

	// One flush of the whole batch, then a crash before its commit.
	env := map[string]string{"SINK_BATCH_ROWS": strconv.Itoa(n), "SINK_FLUSH_INTERVAL": "1h"}
	crashed := h.start(env, func() error { return errCrash })
	select {
	case err := <-crashed.done:
		crashed.done <- err
		if !errors.Is(err, errCrash) {
			t.Fatalf("Run: %v, want the crash after the load", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("the batch was never loaded: the refused rows still block it")
	}
	if got := h.count("SELECT count() FROM DB.transactions"); got != n-2 {
		t.Fatalf("%d rows loaded before the crash, want %d", got, n-2)
	}

	run := h.start(nil, nil)
	testenv.Eventually(t, 60*time.Second, "every offset committed", func() bool { return h.committed(topic) == n })
	if got := h.count("SELECT count() FROM DB.transactions"); got != n-2 {
		t.Fatalf("%d physical rows after the replay, want %d", got, n-2)
	}
	for _, i := range []int{constrained, alsoConstrained} {
		id := fmt.Sprintf("tx-%s-%d", h.prefix, i)
		if got := h.count("SELECT count() FROM DB.transactions WHERE id = ?", id); got != 0 {
			t.Errorf("refused row %s was loaded", id)
		}
	}
	if got := h.count("SELECT uniqExact(id) FROM DB.transactions"); got != n-2 {
		t.Fatalf("%d distinct ids, want %d", got, n-2)
	}

	reasons := map[string]string{}
	for _, m := range testenv.ReadTopic(t, h.brokers, DeadLetterTopic(h.prefix), 2, 60*time.Second) {
		hdr := map[string]string{}
		for _, x := range m.Headers {
			hdr[x.Key] = string(x.Value)
		}
		if hdr[HeaderTopic] != topic || hdr[HeaderPartition] == "" {
			t.Errorf("dead letter headers %v", hdr)
		}
		reasons[hdr[HeaderOffset]] = hdr[HeaderError]
	}
	for i, want := range map[int]string{constrained: "VIOLATED_CONSTRAINT", alsoConstrained: "VIOLATED_CONSTRAINT"} {
		if got := reasons[strconv.Itoa(i)]; !strings.Contains(got, want) {
			t.Errorf("dead letter of offset %d: reason %q, want it to name %s (all: %v)", i, got, want, reasons)
		}
	}
	testenv.Eventually(t, 30*time.Second, "ready", run.ready)
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}

// Only errors about the values are refusals; an unknown table or a lost
// connection must be waited out with the offsets held.
func TestRefusalIsOnlyAboutData(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&clickhouse.Exception{Code: 469, Message: "Constraint violated"}, true},
		{fmt.Errorf("insert: %w", &clickhouse.HTTPError{StatusCode: 400, Err: &clickhouse.Exception{Code: 407}}), true},
		{&refused{row: 3, err: errors.New("append")}, true},
		{&clickhouse.Exception{Code: 60, Message: "Unknown table"}, false},
		{&clickhouse.Exception{Code: 252, Message: "Too many parts"}, false},
		{fmt.Errorf("insert: %w", &clickhouse.HTTPError{StatusCode: 503, Err: errors.New("unavailable")}), false},
		{errors.New("dial tcp 127.0.0.1:8123: connect: connection refused"), false},
		{context.DeadlineExceeded, false},
	} {
		if got := refusal(c.err) != nil; got != c.want {
			t.Errorf("refusal(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// A value the client cannot encode for its column is the row's refusal, at
// its index; a Go type the column never takes is the sink's own bug and
// must be held and retried rather than dead-letter every such row.
func TestAppendFailuresAreRefusalsOnlyForValues(t *testing.T) {
	bothInserts(t, testAppendFailures)
}

func testAppendFailures(t *testing.T, h *harness) {
	run := h.start(map[string]string{"SINK_FLUSH_INTERVAL": "1h"}, nil)
	tbl := run.s.byTopic[h.prefix+".records.transactions"]
	amount := -1
	for i, c := range tbl.columns {
		if c == "amount" {
			amount = i
		}
	}
	batch := func(bad any) *tableBatch {
		b := &tableBatch{}
		for i, rec := range transactions(t, h.prefix, "link-a", 3, fetchedAt) {
			row, err := tbl.row(nil, rec, recordsPos(h.prefix, int64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				row[amount] = bad
			}
			addRow(b, tbl, topicPartition{h.prefix + ".records.transactions", 0}, row)
		}
		return b
	}
	huge, _ := new(big.Int).SetString("1"+strings.Repeat("0", 40), 10)
	err := run.s.insert(context.Background(), tbl, batch(decimal.NewFromBigInt(huge, -10)))
	var ref *refused
	if !errors.As(err, &ref) || ref.row != 1 {
		t.Fatalf("decimal beyond Decimal128: %v, want a refusal of row 1", err)
	}
	err = run.s.insert(context.Background(), tbl, batch(struct{}{}))
	if err == nil || refusal(err) != nil {
		t.Fatalf("a Go type the column does not take: %v, want an error that is not a refusal", err)
	}
	if got := h.count("SELECT count() FROM DB.transactions"); got != 0 {
		t.Fatalf("%d rows inserted by failed batches", got)
	}
}
