package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

// BenchmarkKafkaToClickHouse loads the same BENCH_SINK_RECORDS (default
// 1,000,000) compact transaction records, already in Kafka, into three fresh
// copies of the transactions table of the local engine, one after the other:
//
//   - ours: the sink, default batch settings, from its start (group join
//     included) to the last row loaded;
//   - ceiling: the engine's own ceiling, the same rows inserted directly
//     with no Kafka and no client work: ours' rows exported as Native
//     blocks of SINK_BATCH_ROWS rows, each POSTed with a dedup token as the
//     sink sends its batches;
//   - peer: ClickHouse's own decoding of the same records (AvroConfluent,
//     the same registry), their raw values read from Kafka by a bare
//     kafka-go reader and POSTed batchRows at a time (see peer).
//
// For each: rows/s (wall, and over the span of loaded_at), the fraction of
// the ceiling, and CPU µs per row of this process (the sink; the client of
// the other two), the engine and the broker. BENCH_SINK_REPORT names a file
// the table is written to (make bench-sink prints it); BENCH_SINK_CPUPROFILE
// a CPU profile of ours' load alone. Nothing is asserted on time.
func BenchmarkKafkaToClickHouse(b *testing.B) {
	total := envInt(b, "BENCH_SINK_RECORDS", 1_000_000)
	batchRows := envInt(b, "SINK_BATCH_ROWS", 100_000)
	h := newHarness(b)
	if !strings.HasPrefix(h.dsn, "http") {
		b.Skip("the ceiling POSTs Native blocks: needs an http(s) CLICKHOUSE_DSN")
	}
	r, _ := schemas.TableByName("transactions")
	topic := r.Topic(h.prefix)
	produceStart := time.Now()
	produceCompact(b, h, r, topic, total)
	b.Logf("produced %d records in %v", total, time.Since(produceStart).Round(time.Millisecond))
	bench := &sideBySide{h: h, res: r, total: total, batchRows: batchRows, meter: newCPUMeter(b, h.dsn, h.brokers)}
	machine := machineLine(h)

	b.ResetTimer()
	ours := bench.ours(b)
	ceiling := bench.ceiling(b)
	peer := bench.peer(b, topic)
	b.StopTimer()

	b.ReportMetric(ours.rate(), "rows/s")
	b.ReportMetric(ours.cpuPerRow(ours.cpu.self), "cpu-us/row")
	b.ReportMetric(ours.rate()/ceiling.rate(), "of-ceiling")
	table := report(machine, total, batchRows, ceiling, []loadResult{ceiling, ours, peer})
	if path := os.Getenv("BENCH_SINK_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			b.Fatal(err)
		}
	} else {
		b.Log("\n" + table)
	}
}

// produceCompact writes total compact transactions to topic, spread over
// its partitions in chunks as the fetcher's pages would be.
func produceCompact(b *testing.B, h *harness, r schemas.Resource, topic string, total int) {
	codec := h.codec(topic, r.AvroSchema())
	conv := converter(b, "transactions")
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: h.brokers, Partitions: 2})
	cluster.Client = adminClient(cluster, []string{topic})
	parts, err := cluster.Partitions(context.Background(), topic)
	if err != nil {
		b.Fatal(err)
	}
	// A compact transaction (the fields analysts query): the wide OFDA
	// sample would make this a benchmark of moving 2.5 GB of raw JSON.
	const chunk = 1_000
	values := make([][]byte, 0, chunk)
	for i := 0; i < total; i++ {
		n, err := conv.Native([]byte(compactTransaction(i)), records.Lineage{LinkID: fmt.Sprintf("link-%d", i%1000), FetchedAt: fetchedAt})
		if err != nil {
			b.Fatal(err)
		}
		v, err := codec.Append(nil, n)
		if err != nil {
			b.Fatal(err)
		}
		values = append(values, v)
		if len(values) == chunk || i == total-1 {
			produceChunk(b, cluster, topic, parts[(i/chunk)%len(parts)], values)
			values = values[:0]
		}
	}
}

// produceChunk writes values to one partition, waiting out a leader not
// yet elected or not yet known: the topic was created a moment ago. Each
// attempt makes its records afresh: a kafka.Bytes is read once, and a retry
// with the same ones sent empty values (the sink dead-lettered them).
func produceChunk(b *testing.B, cluster *broker.Cluster, topic string, partition int, values [][]byte) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wait := backoff.New(50*time.Millisecond, time.Second)
	recs := make([]kafka.Record, len(values))
	for {
		for i, v := range values {
			recs[i] = kafka.Record{Value: kafka.NewBytes(v)}
		}
		res, err := cluster.Client.Produce(ctx, &kafka.ProduceRequest{
			Topic: topic, Partition: partition, RequiredAcks: kafka.RequireAll,
			Records: kafka.NewRecordReader(recs...),
		})
		if err == nil && res.Error == nil {
			return
		}
		if err == nil && !errors.Is(res.Error, kafka.NotLeaderForPartition) && !errors.Is(res.Error, kafka.LeaderNotAvailable) {
			err = res.Error
		}
		if err != nil || wait.Wait(ctx) != nil {
			b.Fatalf("produce to %s/%d: %v %v", topic, partition, err, res)
		}
	}
}

type sideBySide struct {
	h         *harness
	res       schemas.Resource
	total     int
	batchRows int
	meter     *cpuMeter
}

// loadResult is one system's load of the records.
type loadResult struct {
	system string
	rows   int
	wall   time.Duration // start to the last row loaded (its loaded_at)
	span   time.Duration // first to last loaded_at
	cpu    cpuSample
	note   string
}

func (l loadResult) rate() float64 {
	if l.wall <= 0 {
		return 0
	}
	return float64(l.rows) / l.wall.Seconds()
}

func (l loadResult) cpuPerRow(d time.Duration) float64 {
	if l.rows == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(l.rows)
}

// ours runs the sink over the topic into the migrated transactions table.
func (s *sideBySide) ours(b *testing.B) loadResult {
	s.settle(b)
	stopProfile := startProfile(b)
	runtime.GC() // the producer's garbage is not the sink's heap
	if os.Getenv("GOGC") == "" {
		// As cmd/belvo-pipeline runs the sink.
		defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	}
	peak := watchHeap()
	start, cpu0 := time.Now(), s.meter.sample()
	run := s.h.start(map[string]string{"SINK_FLUSH_INTERVAL": "1s", "SINK_BATCH_ROWS": strconv.Itoa(s.batchRows)}, nil)
	s.waitRows(b, "transactions", 30*time.Minute)
	res := s.result(b, "ours (sink, Kafka → ClickHouse)", "transactions", start, s.meter.sample().sub(cpu0))
	res.note = fmt.Sprintf("Go heap peak %d MiB", peak()>>20)
	stopProfile()
	if err := run.stop(b); err != nil {
		b.Fatal(err)
	}
	return res
}

// ceiling POSTs ours' rows, exported as Native blocks of batchRows rows
// beforehand, into a fresh copy of the table: what the engine takes with
// no Kafka, no decoding and no client encoding in the way.
func (s *sideBySide) ceiling(b *testing.B) loadResult {
	s.exec(b, "CREATE TABLE DB.ceiling AS DB.transactions")
	cols := s.columns()
	dir := b.TempDir()
	var files []string
	for off := 0; off < s.total; off += s.batchRows {
		q := fmt.Sprintf("SELECT %s FROM %s.transactions ORDER BY `partition`, `offset` LIMIT %d OFFSET %d FORMAT Native",
			cols, s.db(), s.batchRows, off)
		f := filepath.Join(dir, fmt.Sprintf("block-%d.native", off))
		out, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		err = s.post(q, nil, nil, out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatalf("export block at %d: %v", off, err)
		}
		files = append(files, f)
	}
	s.settle(b)
	insert := fmt.Sprintf("INSERT INTO %s.ceiling (%s) FORMAT Native", s.db(), cols)
	start, cpu0 := time.Now(), s.meter.sample()
	for i, f := range files {
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		err = s.post(insert, in, map[string]string{
			"insert_deduplication_token": fmt.Sprintf("bench-ceiling-%d", i), "insert_deduplicate": "1",
		}, io.Discard)
		in.Close()
		if err != nil {
			b.Fatalf("insert block %d: %v", i, err)
		}
	}
	s.waitRows(b, "ceiling", time.Minute)
	return s.result(b, "engine ceiling (Native blocks POSTed, no Kafka)", "ceiling", start, s.meter.sample().sub(cpu0))
}

// peer is ClickHouse's own ingestion of the same records: the engine
// decodes the Confluent Avro itself (AvroConfluent, the same registry), fed
// by the thinnest client there is, a kafka-go reader per partition that
// POSTs the raw values of batchRows records at a time into a Null table
// whose materialized view fills a fresh copy of the table's columns as the
// sink does. ClickHouse's Kafka table engine would be the canonical peer, but
// chDB refuses to create one ("Shutdown was called"); Bento's sql_insert
// gets Avro decimals as legacy byte strings its mapping cannot turn into
// numbers. The view has no per-request value for the lineage columns, so
// partition and offset hold the row's place in its block: the same work per
// row, not the record's position. It has none of the sink's per-value
// checks, dead letters, link purges or exactly-once.
func (s *sideBySide) peer(b *testing.B, topic string) loadResult {
	s.exec(b, "CREATE TABLE DB.peer AS DB.transactions")
	var src, sel []string
	for _, c := range s.res.InsertColumns() {
		q := schemas.QuoteIdent(c.Name)
		switch c.Name {
		case schemas.ColumnTopic:
			sel = append(sel, "'"+topic+"'")
		case schemas.ColumnPartition:
			sel = append(sel, "toInt32(0)")
		case schemas.ColumnOffset:
			sel = append(sel, "toInt64(rowNumberInBlock())")
		case schemas.ColumnVersion:
			sel = append(sel, "toUInt64(toUnixTimestamp64Micro(`fetched_at`))")
		case schemas.ColumnIsDeleted:
			src = append(src, "`deleted` Bool")
			sel = append(sel, "toUInt8(`deleted`)")
		case schemas.FieldRaw:
			src = append(src, q+" Nullable(String)")
			sel = append(sel, "ifNull("+q+", '')")
		case schemas.FieldUnfit:
			src = append(src, q+" Array(String)") // Avro null reads as []
			sel = append(sel, q)
		default:
			src = append(src, q+" "+c.Type)
			sel = append(sel, q)
		}
	}
	s.exec(b, fmt.Sprintf("CREATE TABLE DB.peer_in (%s) ENGINE = Null", strings.Join(src, ", ")))
	s.exec(b, fmt.Sprintf("CREATE MATERIALIZED VIEW DB.peer_mv TO DB.peer (%s) AS SELECT %s FROM DB.peer_in",
		s.columns(), strings.Join(sel, ", ")))
	parts, err := s.partitions(topic)
	if err != nil {
		b.Fatal(err)
	}
	s.settle(b)
	start, cpu0 := time.Now(), s.meter.sample()
	var failed error
	for _, p := range parts {
		if failed = s.forward(topic, p); failed != nil {
			break
		}
	}
	cpu := s.meter.sample().sub(cpu0)
	res := s.result(b, "peer (ClickHouse decodes AvroConfluent, raw values POSTed)", "peer", start, cpu)
	if failed != nil {
		res.note = "failed: " + failed.Error()
		b.Logf("peer: %v", failed)
	}
	return res
}

func (s *sideBySide) partitions(topic string) ([]int, error) {
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: s.h.brokers})
	cluster.Client = adminClient(cluster, []string{topic})
	return cluster.Partitions(context.Background(), topic)
}

// forward reads partition p of topic from its start to its end and POSTs
// the values, batchRows at a time, to the peer's Null table.
func (s *sideBySide) forward(topic string, p int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: s.h.brokers, Topic: topic, Partition: p, MinBytes: 1, MaxBytes: 16 << 20, QueueCapacity: 10_000})
	defer r.Close()
	insert := "INSERT INTO " + s.db() + ".peer_in FORMAT AvroConfluent"
	settings := map[string]string{"format_avro_schema_registry_url": s.h.regURL}
	var body bytes.Buffer
	n := 0
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s/%d: %w", topic, p, err)
		}
		body.Write(m.Value)
		n++
		last := m.Offset+1 >= m.HighWaterMark
		if n == s.batchRows || last {
			if err := s.post(insert, bytes.NewReader(body.Bytes()), settings, io.Discard); err != nil {
				return fmt.Errorf("insert %d records of %s/%d: %w", n, topic, p, err)
			}
			body.Reset()
			n = 0
		}
		if last {
			return nil
		}
	}
}

func (s *sideBySide) db() string { return schemas.QuoteIdent(s.h.db) }

func (s *sideBySide) columns() string {
	var cols []string
	for _, c := range s.res.InsertColumns() {
		cols = append(cols, schemas.QuoteIdent(c.Name))
	}
	return strings.Join(cols, ", ")
}

func (s *sideBySide) exec(b *testing.B, q string) {
	b.Helper()
	if err := s.h.ch.Exec(context.Background(), strings.ReplaceAll(q, "DB.", s.db()+".")); err != nil {
		b.Fatalf("%s: %v", q, err)
	}
}

// post sends query (and body, when given) to the engine's HTTP interface
// with plain parameters, as curl would: no client protocol, so Native is
// the engine's own block layout both ways.
func (s *sideBySide) post(query string, body io.Reader, settings map[string]string, out io.Writer) error {
	u, err := url.Parse(s.h.dsn)
	if err != nil {
		return err
	}
	params := url.Values{"query": {query}}
	for k, v := range settings {
		params.Set(k, v)
	}
	u.Path, u.RawQuery = "/", params.Encode()
	if body == nil {
		body = http.NoBody
	}
	res, err := http.Post(u.String(), "application/octet-stream", body)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return fmt.Errorf("%s: %s", res.Status, bytes.TrimSpace(msg))
	}
	_, err = io.Copy(out, res.Body)
	return err
}

// waitRows polls, every half second (each poll is a query the engine
// serialises with the inserts), until table holds every record.
func (s *sideBySide) waitRows(b *testing.B, table string, within time.Duration) {
	b.Helper()
	if !s.waitRowsOrStall(b, table, within) {
		b.Fatalf("%s: %d of %d rows after %v", table, s.count(b, table), s.total, within)
	}
}

// waitRowsOrStall is waitRows that gives up, reporting false, when the
// count did not move for a minute or within passed.
func (s *sideBySide) waitRowsOrStall(b *testing.B, table string, within time.Duration) bool {
	b.Helper()
	deadline := time.Now().Add(within)
	last, moved := uint64(0), time.Now()
	for {
		n := s.count(b, table)
		switch {
		case n >= uint64(s.total):
			return true
		case n != last:
			last, moved = n, time.Now()
		case time.Since(moved) > time.Minute || time.Now().After(deadline):
			return false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (s *sideBySide) count(b *testing.B, table string) uint64 {
	return s.h.count("SELECT count() FROM DB." + schemas.QuoteIdent(table))
}

// settle waits (a minute at most) until no merge of the benchmark's
// database runs: a merge of the previous load's parts would be billed to
// the next one's engine CPU.
func (s *sideBySide) settle(b *testing.B) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && s.h.count("SELECT count() FROM system.merges WHERE database = ?", s.h.db) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
}

// result reads table's rows and loaded_at span; the wall time ends at the
// last loaded_at (the engine's clock is this machine's), not at the poll
// that saw it.
func (s *sideBySide) result(b *testing.B, system, table string, start time.Time, cpu cpuSample) loadResult {
	b.Helper()
	var (
		n          uint64
		first, end time.Time
	)
	q := "SELECT count(), min(loaded_at), max(loaded_at) FROM " + s.db() + "." + schemas.QuoteIdent(table)
	if err := s.h.ch.QueryRow(context.Background(), q).Scan(&n, &first, &end); err != nil {
		b.Fatal(err)
	}
	wall := end.Sub(start)
	if n == 0 || wall <= 0 {
		wall = 0
	}
	return loadResult{system: system, rows: int(n), wall: wall, span: end.Sub(first), cpu: cpu}
}

// watchHeap samples the Go heap (live and not yet collected objects) every
// 50 ms until the returned function is called, which returns the peak: the
// whole backlog waiting in Kafka is a burst, and this is what the sink holds
// while draining it.
func watchHeap() (peak func() uint64) {
	sample := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var max atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			rtmetrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return max.Load()
	}
}

func startProfile(b *testing.B) func() {
	path := os.Getenv("BENCH_SINK_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// machineLine says what the figures were measured on.
func machineLine(h *harness) string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	var version string
	_ = h.ch.QueryRow(context.Background(), "SELECT version()").Scan(&version)
	return fmt.Sprintf("%d cores (%s), %s, ClickHouse engine %s (chDB over HTTP); load average at start %s",
		runtime.NumCPU(), model, runtime.Version(), version, strings.Join(strings.Fields(string(load))[:3], " "))
}

// report is the side-by-side table, in Markdown.
func report(machine string, total, batchRows int, ceiling loadResult, rows []loadResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Sink side by side: %d compact transaction records (one topic, 2 partitions), %d-row batches\n", total, batchRows)
	fmt.Fprintf(&b, "machine: %s\n\n", machine)
	b.WriteString("| system | rows | wall s | rows/s | of ceiling | rows/s over loaded_at span | CPU µs/row: this process | engine | broker | total |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		frac := "-"
		if ceiling.rate() > 0 {
			frac = fmt.Sprintf("%.2f", r.rate()/ceiling.rate())
		}
		spanRate := "-"
		if r.span > 0 {
			spanRate = fmt.Sprintf("%.0f", float64(r.rows)/r.span.Seconds())
		}
		name := r.system
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.0f | %s | %s | %.2f | %.2f | %.2f | %.2f |\n",
			name, r.rows, r.wall.Seconds(), r.rate(), frac, spanRate,
			r.cpuPerRow(r.cpu.self), r.cpuPerRow(r.cpu.engine), r.cpuPerRow(r.cpu.broker),
			r.cpuPerRow(r.cpu.self+r.cpu.engine+r.cpu.broker))
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&b, "\nload average at the end: %s. The machine is shared: compare rows of one run, not runs.\n",
		strings.Join(strings.Fields(string(load))[:3], " "))
	b.WriteString("Engine and broker CPU are their whole processes' in each window: other clients' queries count too.\n")
	return b.String()
}
