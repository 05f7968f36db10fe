package sink

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

func recordsPos(prefix string, off int64) records.Position {
	return records.Position{Topic: prefix + ".records.transactions", Partition: 0, Offset: off}
}

// transactions returns n transaction records of link, ids tx-<prefix>-i.
func transactions(t testing.TB, prefix, link string, n int, at time.Time) []map[string]any {
	raw := template(t, "transactions")
	out := make([]map[string]any, n)
	for i := range out {
		rec := native(t, "transactions", raw, link, at)
		rec["id"] = fmt.Sprintf("tx-%s-%d", prefix, i)
		out[i] = rec
	}
	return out
}

// The same records delivered twice (a re-fetch: new offsets, same ids and
// versions) are one row to FINAL at once and one physical row after the
// engine merges; and a consumer group that replays every offset from the
// start inserts nothing, skipping each record as already loaded, without
// FINAL or a merge.
func TestSameRecordsTwiceAreOneRow(t *testing.T) {
	h := newHarness(t)
	const n = 50
	recs := transactions(t, h.prefix, "link-a", n, fetchedAt)
	run := h.start(nil, nil)
	h.produce("transactions", recs...)
	h.waitCount(n, 60*time.Second, "SELECT count() FROM DB.transactions")
	// Delivered again after the first copy is loaded, so the copies sit in
	// separate parts (within one inserted block the engine already
	// collapses equal keys: optimize_on_insert).
	h.produce("transactions", recs...)
	h.waitCount(2*n, 60*time.Second, "SELECT count() FROM DB.transactions")
	if got := h.count("SELECT count() FROM DB.transactions FINAL"); got != n {
		t.Fatalf("FINAL: %d rows, want %d", got, n)
	}
	if err := h.ch.Exec(context.Background(), "OPTIMIZE TABLE `"+h.db+"`.transactions FINAL"); err != nil {
		t.Fatal(err)
	}
	if got := h.count("SELECT count() FROM DB.transactions"); got != n {
		t.Fatalf("after the merge: %d physical rows, want %d", got, n)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}

	replay := h.start(map[string]string{"SINK_GROUP": h.prefix + "-replay"}, nil)
	testenv.Eventually(t, 60*time.Second, "replay skipped every record", func() bool { return replay.skipped("transactions") == 2*n })
	if got := h.count("SELECT count() FROM DB.transactions"); got != n {
		t.Fatalf("after a replay: %d physical rows, want %d", got, n)
	}
}

var errCrash = errors.New("crash between insert and commit")

// A sink that dies after its insert and before its offset commit leaves
// the rows in ClickHouse and the offsets uncommitted; the next run reads
// the same records again and must not store them twice, counted without
// FINAL and without a merge.
func TestCrashBetweenInsertAndCommitLoadsOnce(t *testing.T) {
	h := newHarness(t)
	const n = 200
	h.produce("transactions", transactions(t, h.prefix, "link-a", n, fetchedAt)...)
	var inserted atomic.Int32
	crashed := h.start(map[string]string{"SINK_FLUSH_INTERVAL": "2s"}, func() error {
		inserted.Add(1)
		return errCrash
	})
	select {
	case err := <-crashed.done:
		crashed.done <- err
		if !errors.Is(err, errCrash) {
			t.Fatalf("Run: %v, want the crash", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the sink never inserted")
	}
	// Stop merges so only the sink's own behaviour can keep the count right.
	if err := h.ch.Exec(context.Background(), "SYSTEM STOP MERGES `"+h.db+"`.transactions"); err != nil {
		t.Fatal(err)
	}
	loaded := h.count("SELECT count() FROM DB.transactions")
	if loaded == 0 {
		t.Fatal("nothing was inserted before the crash")
	}

	restarted := h.start(nil, nil)
	testenv.Eventually(t, 60*time.Second, "the re-read records skipped", func() bool {
		return restarted.skipped("transactions") == float64(loaded)
	})
	h.waitCount(n, 60*time.Second, "SELECT count() FROM DB.transactions")
	if got := h.count("SELECT count() FROM DB.transactions"); got != n {
		t.Fatalf("%d physical rows, want %d", got, n)
	}
	if got := h.count("SELECT uniqExact(id) FROM DB.transactions"); got != n {
		t.Fatalf("%d distinct ids, want %d", got, n)
	}
}

// A batch retried with the same rows carries the same token, and the engine
// stores it once: the answer to an insert lost on the wire.
func TestRetriedInsertIsDroppedByToken(t *testing.T) {
	h := newHarness(t)
	run := h.start(map[string]string{"SINK_FLUSH_INTERVAL": "1h"}, nil)
	tbl := run.s.byTopic[h.prefix+".records.transactions"]
	b := &tableBatch{}
	for i, rec := range transactions(t, h.prefix, "link-a", 10, fetchedAt) {
		row, err := tbl.row(nil, rec, recordsPos(h.prefix, int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		addRow(b, tbl, topicPartition{h.prefix + ".records.transactions", 0}, row)
	}
	for attempt := 0; attempt < 2; attempt++ {
		if err := run.s.insert(context.Background(), tbl, b); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.count("SELECT count() FROM DB.transactions"); got != 10 {
		t.Fatalf("%d rows after a retried insert, want 10", got)
	}
}
