package sink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// offsetQueries counts the sink's statements that read loaded offsets.
type offsetQueries struct {
	clickhouse.Conn
	n atomic.Int32
}

func (c *offsetQueries) QueryRow(ctx context.Context, q string, args ...any) driver.Row {
	if strings.Contains(q, "max(`offset`)") {
		c.n.Add(1)
	}
	return c.Conn.QueryRow(ctx, q, args...)
}

func (c *offsetQueries) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	if strings.Contains(q, "max(`offset`)") {
		c.n.Add(1)
	}
	return c.Conn.Query(ctx, q, args...)
}

// After a crash between insert and commit, a run over many partitions
// skips exactly what each partition holds, and learns it with a statement
// per table rather than one per partition: the engine runs statements one
// at a time, so per-partition look-ups held a session's first rows back.
func TestLoadedOffsetsAreReadPerTableNotPerPartition(t *testing.T) {
	h := newHarness(t)
	const partitions = 8
	topic := h.prefix + ".records.transactions"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Created here with more partitions than the harness gives a topic.
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: h.brokers, Partitions: partitions})
	cluster.Client = adminClient(cluster, []string{topic})
	if err := cluster.EnsureTopics(ctx, topic); err != nil {
		t.Fatal(err)
	}
	const n = 160
	for i := range 32 {
		link := fmt.Sprintf("link-%d", i)
		recs := transactions(t, h.prefix+link, link, n/32, fetchedAt)
		h.produce("transactions", recs...)
	}

	crashed := h.start(map[string]string{"SINK_FLUSH_INTERVAL": "2s"}, func() error { return errCrash })
	select {
	case err := <-crashed.done:
		crashed.done <- err
		if !errors.Is(err, errCrash) {
			t.Fatalf("Run: %v, want the crash", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the sink never inserted")
	}
	if err := h.ch.Exec(context.Background(), "SYSTEM STOP MERGES `"+h.db+"`.transactions"); err != nil {
		t.Fatal(err)
	}
	loaded := h.count("SELECT count() FROM DB.transactions")
	read := h.count("SELECT uniqExact(`partition`) FROM DB.transactions")
	if read < 4 {
		t.Fatalf("the records landed in %d partitions: the test needs several", read)
	}

	s, err := New(h.config(nil), testenv.Logger(t, 400), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	counted := &offsetQueries{Conn: s.ch}
	s.ch = counted
	runCtx, stop := context.WithCancel(context.Background())
	r := &running{s: s, cancel: stop, done: make(chan error, 1), admin: "http://" + s.AdminAddr()}
	go func() { r.done <- s.Run(runCtx) }()
	t.Cleanup(func() { r.stop(t) })

	testenv.Eventually(t, 60*time.Second, "the re-read records skipped", func() bool {
		return r.skipped("transactions") == float64(loaded)
	})
	h.waitCount(n, 60*time.Second, "SELECT count() FROM DB.transactions")
	if got := h.count("SELECT uniqExact(id) FROM DB.transactions"); got != n {
		t.Fatalf("%d distinct ids, want %d", got, n)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if got := h.count("SELECT count() FROM DB.transactions"); got != n {
		t.Fatalf("%d physical rows, want %d", got, n)
	}
	// The session's first read, and the re-read after the group's join
	// (kafka-go counts it as a rebalance): a few, whatever the partitions.
	t.Logf("%d of %d records loaded before the crash, in %d partitions; %d loaded-offset statements after", loaded, n, read, counted.n.Load())
	if got := counted.n.Load(); got >= int32(read) {
		t.Fatalf("%d loaded-offset statements for %d partitions of one table", got, read)
	}
}
