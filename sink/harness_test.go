package sink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// harness is one test's world: its own topic prefix on the real broker, its
// own database on the real ClickHouse engine (migrated), the real registry,
// and a producer of records as the fetcher and ingest write them.
type harness struct {
	t        testing.TB
	prefix   string
	db       string
	dsn      string
	brokers  []string
	regURL   string
	reg      *registry.Client
	producer *broker.Producer
	ch       clickhouse.Conn
	// viaBatches makes the sinks it starts insert with clickhouse-go's
	// PrepareBatch, as over the native protocol, rather than blockPoster.
	viaBatches bool

	mu     sync.Mutex
	codecs map[string]*registry.Codec
}

func newHarness(t testing.TB) *harness { return newHarnessOn(t, testenv.ClickHouse(t)) }

func newHarnessOn(t testing.TB, baseDSN string) *harness {
	t.Helper()
	h := &harness{t: t, prefix: testenv.Prefix(t), brokers: testenv.Kafka(t), regURL: testenv.Registry(t), codecs: map[string]*registry.Codec{}}
	var b [4]byte
	_, _ = rand.Read(b[:])
	h.db = "test_sink_" + hex.EncodeToString(b[:])
	u, err := url.Parse(baseDSN)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + h.db
	h.dsn = u.String()
	if h.ch, _, err = migrate.Open(h.dsn); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := migrate.Apply(ctx, h.ch, migrate.Target{Database: h.db}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = h.ch.Exec(ctx, "DROP DATABASE IF EXISTS "+h.db+" SYNC")
		h.ch.Close()
	})
	if h.reg, err = registry.New(h.regURL); err != nil {
		t.Fatal(err)
	}
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: h.brokers, Partitions: 2})
	cluster.Client = adminClient(cluster, h.topics())
	h.producer = broker.NewProducer(cluster, broker.ProducerConfig{})
	t.Cleanup(h.producer.Close)
	t.Cleanup(func() { h.deleteTopics(cluster) })
	return h
}

// deleteTopics removes the test's topics: the sink subscribes to some
// forty, and a shared single broker slows down under tens of thousands of
// partitions left behind by test runs. The names are known, so no listing
// of every topic on the broker is needed.
func (h *harness) deleteTopics(cluster *broker.Cluster) {
	names := h.topics()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Topics the test never created answer UNKNOWN_TOPIC_OR_PARTITION: fine.
	if _, err := cluster.Client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names}); err != nil {
		h.t.Logf("delete %d topics: %v", len(names), err)
	}
}

// topics are every topic the test's sink reads or writes.
func (h *harness) topics() []string {
	byTopic, _, err := routes(h.db, h.prefix)
	if err != nil {
		h.t.Fatal(err)
	}
	names := []string{DeadLetterTopic(h.prefix)}
	for t := range byTopic {
		names = append(names, t)
	}
	return names
}

// running is one started Sink.
type running struct {
	s      *Sink
	cancel context.CancelFunc
	done   chan error
	admin  string
}

func (h *harness) config(env map[string]string) Config {
	h.t.Helper()
	all := map[string]string{
		"KAFKA_BROKERS": strings.Join(h.brokers, ","), "SCHEMA_REGISTRY_URL": h.regURL, "CLICKHOUSE_DSN": h.dsn,
		"TOPIC_PREFIX": h.prefix, "TOPIC_PARTITIONS": "1", "SINK_GROUP": h.prefix + "-sink",
		"SINK_ADMIN_ADDR": "127.0.0.1:0", "SINK_FLUSH_INTERVAL": "200ms", "SINK_MAX_BACKOFF": "500ms",
	}
	for k, v := range env {
		all[k] = v
	}
	var cfg Config
	set := config.New("sink")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return all[k] }); err != nil {
		h.t.Fatal(err)
	}
	return cfg
}

func (h *harness) start(env map[string]string, hook func() error) *running {
	h.t.Helper()
	return h.startWith(prometheus.NewRegistry(), env, hook)
}

// startWith starts a sink whose metrics go to reg.
func (h *harness) startWith(reg *prometheus.Registry, env map[string]string, hook func() error) *running {
	h.t.Helper()
	s, err := New(h.config(env), testenv.Logger(h.t, 400), reg)
	if err != nil {
		h.t.Fatal(err)
	}
	s.afterInsert = hook
	if h.viaBatches {
		s.blocks = nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, cancel: cancel, done: make(chan error, 1), admin: "http://" + s.AdminAddr()}
	go func() { r.done <- s.Run(ctx) }()
	h.t.Cleanup(func() { r.stop(h.t) })
	return r
}

// stop is SIGTERM: it returns Run's error.
func (r *running) stop(t testing.TB) error {
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // a second stop returns the same
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("sink did not stop within 60s")
		return nil
	}
}

func (r *running) ready() bool {
	res, err := http.Get(r.admin + "/readyz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func (r *running) skipped(table string) float64 {
	var m dto.Metric
	if err := r.s.metrics.skipped.WithLabelValues(table).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func (h *harness) codec(topic, schema string) *registry.Codec {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if c := h.codecs[topic]; c != nil {
		return c
	}
	c, err := h.reg.Register(context.Background(), schemas.Subject(topic), schema)
	if err != nil {
		h.t.Fatal(err)
	}
	h.codecs[topic] = c
	return c
}

// produce publishes native values of resource as the fetcher does.
func (h *harness) produce(resource string, natives ...map[string]any) {
	h.t.Helper()
	r, ok := schemas.TableByName(resource)
	if !ok {
		h.t.Fatalf("no table %s", resource)
	}
	topic := r.Topic(h.prefix)
	c := h.codec(topic, r.AvroSchema())
	for _, n := range natives {
		v, err := c.Append(nil, n)
		if err != nil {
			h.t.Fatal(err)
		}
		h.produceRaw(topic, []byte(n[schemas.FieldLinkID].(string)), v)
	}
}

func (h *harness) produceRaw(topic string, key, value []byte) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.producer.Produce(ctx, broker.Message{Topic: topic, Key: key, Value: value}); err != nil {
		h.t.Fatal(err)
	}
}

func converter(t testing.TB, resource string) *records.Converter {
	t.Helper()
	r, ok := schemas.TableByName(resource)
	if !ok {
		t.Fatalf("no table %s", resource)
	}
	c, err := records.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// native converts one Belvo record JSON for link at fetch time at.
func native(t testing.TB, resource, raw, link string, at time.Time) map[string]any {
	t.Helper()
	n, err := converter(t, resource).Native([]byte(raw), records.Lineage{LinkID: link, WebhookID: "wh-" + link, FetchedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func template(t testing.TB, resource string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Root(t), "internal", "emulator", "templates", resource+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (h *harness) count(query string, args ...any) uint64 {
	h.t.Helper()
	var n uint64
	if err := h.ch.QueryRow(context.Background(), strings.ReplaceAll(query, "DB.", "`"+h.db+"`."), args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (h *harness) waitCount(want uint64, within time.Duration, query string, args ...any) {
	h.t.Helper()
	testenv.Eventually(h.t, within, query, func() bool { return h.count(query, args...) == want })
}

// addRow adds a row made already to b, as consume adds one read from tp.
func addRow(b *tableBatch, t *table, tp topicPartition, row []any) {
	b.rows = append(b.rows, row)
	b.info = append(b.info, infoOf(t, row))
	b.from = append(b.from, tp)
}
