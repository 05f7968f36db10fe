package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
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
// webhooks to a stand-in for ingest (startFront), which writes the webhook
// topics of a prefix no other test uses, on the real broker and registry.
type world struct {
	t         testing.TB
	brokers   []string
	regURL    string
	prefix    string
	emu       *emulator.Emulator
	emuURL    string
	ingestURL string // where webhooks are posted: the stand-in for ingest
	reg       *registry.Client
	log       *slog.Logger
}

func newWorld(t testing.TB, emu emulator.Config) *world {
	t.Helper()
	w := &world{t: t, brokers: testenv.Kafka(t), regURL: testenv.Registry(t), prefix: testenv.Prefix(t)}
	w.log = testLog(t)
	t.Cleanup(w.deleteTopics)
	w.startFront()
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

// startFront stands in for ingest: it takes webhooks over HTTP (the
// emulator's deliveries, the tests' own posts) and writes each to its
// webhook topic as ingest stores it (schemas.WebhookEventSchema, Confluent
// framing, key link_id, acks=all) before answering 202. The fetcher is fed
// through its topics only, so its tests never import another stage.
func (w *world) startFront() {
	t := w.t
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: w.brokers, Partitions: 3, ClientID: w.prefix + "-front"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cluster.EnsureTopics(ctx, schemas.WebhookTopics(w.prefix)...); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(w.regURL)
	if err != nil {
		t.Fatal(err)
	}
	f := &front{prefix: w.prefix, reg: reg, producer: broker.NewProducer(cluster, broker.ProducerConfig{}), codecs: map[string]*registry.Codec{}}
	t.Cleanup(f.producer.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/belvo", f.webhook)
	// The fetcher does not read institution status: accepted and dropped.
	mux.HandleFunc("POST /webhooks/institution-status", func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusAccepted) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	w.ingestURL = srv.URL
}

type front struct {
	prefix   string
	reg      *registry.Client
	producer *broker.Producer
	seq      atomic.Int64

	mu     sync.Mutex
	codecs map[string]*registry.Codec // topic → its subject's codec
}

func (f *front) codec(ctx context.Context, topic string) (*registry.Codec, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.codecs[topic]; ok {
		return c, nil
	}
	c, err := f.reg.Register(ctx, schemas.Subject(topic), schemas.WebhookEventSchema)
	if err == nil {
		f.codecs[topic] = c
	}
	return c, err
}

// webhook answers 400 to a body that is not a Belvo webhook, 503 when Kafka
// or the registry did not take it (the emulator retries, as Belvo does).
func (f *front) webhook(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	native, err := webhookNative(body, fmt.Sprintf("front-%d", f.seq.Add(1)))
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	typ := native["webhook_type"].(string)
	topic := schemas.UnknownWebhookTopic(f.prefix)
	if schemas.IsCatalogueType(typ) {
		topic = schemas.WebhookTopic(f.prefix, typ)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	c, err := f.codec(ctx, topic)
	if err == nil {
		var value []byte
		if value, err = c.Append(nil, native); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		err = f.producer.Produce(ctx, broker.Message{Topic: topic, Key: []byte(native["link_id"].(string)), Value: value})
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusServiceUnavailable)
		return
	}
	rw.WriteHeader(http.StatusAccepted)
}

// webhookNative is the Avro native value of a webhook body: the envelope's
// strings, data as its exact text, data.errors typed, other members in
// extra. Fields the schema defaults (origin) are left to their default.
func webhookNative(body []byte, requestID string) (map[string]any, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, err
	}
	native := map[string]any{"received_at": time.Now(), "ingest_request_id": requestID}
	for _, name := range []string{"webhook_id", "webhook_type", "webhook_code", "link_id"} {
		var s string
		if err := json.Unmarshal(members[name], &s); err != nil || s == "" {
			return nil, fmt.Errorf("%s must be a non-empty string", name)
		}
		native[name] = s
		delete(members, name)
	}
	for _, name := range []string{"process_type", "request_id", "external_id"} {
		var s *string
		if err := json.Unmarshal(members[name], &s); err != nil && members[name] != nil {
			return nil, fmt.Errorf("%s must be a string or null", name)
		}
		native[name] = nil
		if s != nil {
			native[name] = goavro.Union("string", *s)
		}
		delete(members, name)
	}
	data := members["data"]
	delete(members, "data")
	if data == nil {
		data = json.RawMessage("null")
	}
	native["data"] = string(data)
	native["errors"] = nil
	var withErrors struct {
		Errors []struct{ Code, Message *string }
	}
	if json.Unmarshal(data, &withErrors) == nil && len(withErrors.Errors) > 0 {
		items := make([]any, len(withErrors.Errors))
		for i, e := range withErrors.Errors {
			items[i] = map[string]any{"code": optionalUnion(e.Code), "message": optionalUnion(e.Message)}
		}
		native["errors"] = goavro.Union("array", items)
	}
	native["extra"] = nil
	if len(members) > 0 {
		extra, _ := json.Marshal(members) // raw messages re-emitted as sent
		native["extra"] = goavro.Union("string", string(extra))
	}
	return native, nil
}

func optionalUnion(s *string) any {
	if s == nil {
		return nil
	}
	return goavro.Union("string", *s)
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
