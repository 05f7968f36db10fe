package fetcher

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/ingest"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// testNow is the clock of the emulator and the fetcher in integration
// tests: mid-day, so "today" is the same for both whatever the hour.
var testNow = func() time.Time { return time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC) }

const testToday = "2026-11-20"

// world is one test's pipeline front: the emulator (Belvo) delivering its
// webhooks to an in-process ingest, which writes the webhook topics of a
// prefix no other test uses, on the real broker and registry. The test
// imports ingest only to produce realistic input; the stages still meet only
// at topics.
type world struct {
	t         testing.TB
	brokers   []string
	regURL    string
	prefix    string
	emu       *emulator.Emulator
	emuURL    string
	ingestURL string
	reg       *registry.Client
	log       *slog.Logger
}

func newWorld(t testing.TB, emu emulator.Config) *world {
	t.Helper()
	w := &world{t: t, brokers: testenv.Kafka(t), regURL: testenv.Registry(t), prefix: testenv.Prefix(t)}
	w.log = testLog(t)
	t.Cleanup(w.deleteTopics)
	w.startIngest()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	emu.WebhookURL = w.ingestURL + "/webhooks/belvo"
	emu.StatusWebhookURL = w.ingestURL + "/webhooks/institution-status"
	if emu.RetryInterval == 0 {
		emu.RetryInterval = 50 * time.Millisecond
	}
	if emu.Seed == 0 {
		emu.Seed = 7
	}
	if w.emu, err = emulator.New(emu, w.log, emulator.WithClock(testNow)); err != nil {
		t.Fatal(err)
	}
	w.emuURL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.emu.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	if w.reg, err = registry.New(w.regURL); err != nil {
		t.Fatal(err)
	}
	return w
}

// testLog sends warnings and errors to the test's log (shown when it
// fails), everything with FETCHER_TEST_LOG set. It goes quiet once the test
// is over: background goroutines may still log while stopping.
func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("FETCHER_TEST_LOG") != "" {
		return quietLog()
	}
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

func quietLog() *slog.Logger {
	if os.Getenv("FETCHER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// deleteTopics removes the test's topics: the broker is shared, and
// thousands of leftover test topics slow down every test's topic creation.
func (w *world) deleteTopics() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(w.brokers...), Timeout: 20 * time.Second}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return
	}
	var mine []string
	for _, t := range md.Topics {
		if strings.HasPrefix(t.Name, w.prefix+".") {
			mine = append(mine, t.Name)
		}
	}
	if len(mine) > 0 {
		_, _ = client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: mine})
	}
}

func (w *world) startIngest() {
	t := w.t
	env := map[string]string{"INGEST_ADDR": "127.0.0.1:0", "KAFKA_BROKERS": strings.Join(w.brokers, ","),
		"SCHEMA_REGISTRY_URL": w.regURL, "TOPIC_PREFIX": w.prefix, "TOPIC_PARTITIONS": "3"}
	var cfg ingest.Config
	set := config.New("ingest")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	srv, err := ingest.New(cfg, w.log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w.ingestURL = "http://" + srv.Addr()
	// Ingest registers 23 subjects (each with its compatibility level) before
	// it is ready: on a loaded two-core host under -race that passed a minute.
	testenv.Eventually(t, 3*time.Minute, "ingest ready", func() bool { return httpOK(w.ingestURL + "/readyz") })
}

func httpOK(u string) bool {
	res, err := http.Get(u)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// fetcherEnv is the fetcher's configuration in tests; overrides win.
func (w *world) fetcherEnv(overrides map[string]string) map[string]string {
	cfg := w.emu.Config()
	env := map[string]string{
		"KAFKA_BROKERS": strings.Join(w.brokers, ","), "SCHEMA_REGISTRY_URL": w.regURL, "TOPIC_PREFIX": w.prefix,
		"TOPIC_PARTITIONS": "3", EnvGroup: w.prefix + "-fetcher", EnvWorkers: "4", EnvLookBackDays: "0", EnvIDChunk: "2",
		EnvDiscovery: "300ms", EnvRetryBackoff: "100ms", EnvShutdownTimeout: "10s", EnvAdminAddr: "127.0.0.1:0",
		"BELVO_URL": w.emuURL, "BELVO_SECRET_ID": cfg.SecretID, "BELVO_SECRET_PASSWORD": cfg.SecretPassword,
		"BELVO_PAGE_SIZE": "10", "BELVO_RATE_LIMIT": "1000", "BELVO_RATE_INTERVAL": "1s", "BELVO_BASE_BACKOFF": "10ms",
		"BELVO_MAX_TRIES": "8",
	}
	for k, v := range overrides {
		env[k] = v
	}
	return env
}

// running is a fetcher started in-process.
type running struct {
	f      *Fetcher
	cancel context.CancelFunc
	done   chan error
}

func (w *world) startFetcher(overrides map[string]string, opts ...Option) *running {
	t := w.t
	t.Helper()
	env := w.fetcherEnv(overrides)
	var cfg Config
	set := config.New("fetcher")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	f, err := New(cfg, w.log, prometheus.NewRegistry(), append([]Option{WithClock(testNow)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{f: f, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	testenv.Eventually(t, 120*time.Second, "fetcher ready", func() bool { return httpOK("http://" + f.AdminAddr() + "/readyz") })
	return r
}

func (r *running) stop(t testing.TB) error {
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("fetcher did not stop within 60s")
		return nil
	}
}

// record is one decoded record of a records topic, unions unwrapped.
type record map[string]any

func (r record) str(name string) string {
	switch v := unwrap(r[name]).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return ""
	}
}

func unwrap(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

// records reads exactly want records of table's topic (waiting for them)
// and decodes them through the registry.
func (w *world) records(table string, want int, within time.Duration) []record {
	w.t.Helper()
	res, ok := schemas.TableByName(table)
	if !ok {
		w.t.Fatalf("no table %s", table)
	}
	msgs := testenv.ReadTopic(w.t, w.brokers, res.Topic(w.prefix), want, within)
	out := make([]record, len(msgs))
	for i, m := range msgs {
		native, _, err := w.reg.Decode(context.Background(), m.Value)
		if err != nil {
			w.t.Fatal(err)
		}
		out[i] = native.(map[string]any)
		if string(m.Key) != out[i].str(schemas.FieldID) {
			w.t.Fatalf("%s record key %q, id %q: the key must be the record id", table, m.Key, out[i].str(schemas.FieldID))
		}
	}
	return out
}
