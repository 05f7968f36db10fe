package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/seeds"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// harness runs one ingest Server against the real broker and registry, with
// topics under a prefix of its own.
type harness struct {
	t       *testing.T
	url     string
	prefix  string
	brokers []string
	reg     *registry.Client
	cancel  context.CancelFunc
	done    chan error
}

func startIngest(t *testing.T, env map[string]string) *harness {
	t.Helper()
	brokers := testenv.Kafka(t)
	regURL := testenv.Registry(t)
	prefix := testenv.Prefix(t)
	all := map[string]string{
		"INGEST_ADDR": "127.0.0.1:0", "KAFKA_BROKERS": strings.Join(brokers, ","), "SCHEMA_REGISTRY_URL": regURL,
		"TOPIC_PREFIX": prefix, "TOPIC_PARTITIONS": "3",
	}
	for k, v := range env {
		all[k] = v
	}
	brokers = strings.Split(all["KAFKA_BROKERS"], ",")
	var cfg Config
	set := config.New("ingest")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return all[k] }); err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, testenv.Logger(t, 400), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, url: "http://" + srv.Addr(), prefix: prefix, brokers: brokers, cancel: cancel, done: make(chan error, 1)}
	testenv.CleanupTopics(t, brokers, prefix+".")
	go func() { h.done <- srv.Run(ctx) }()
	if h.reg, err = registry.New(regURL); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "ingest ready", func() bool {
		res, err := http.Get(h.url + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	t.Cleanup(func() { h.stop() })
	return h
}

func (h *harness) stop() error {
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(30 * time.Second):
		h.t.Fatal("ingest did not stop within 30s")
		return nil
	}
}

type reply struct {
	status int
	body   answer
	header http.Header
}

func (h *harness) post(path string, body []byte, headers map[string]string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	var a answer
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			h.t.Fatalf("answer %d is not JSON: %q", res.StatusCode, raw)
		}
	}
	return reply{res.StatusCode, a, res.Header}
}

// records reads want records of topic and decodes them through the registry.
func (h *harness) records(topic string, want int) []map[string]any {
	h.t.Helper()
	msgs := testenv.ReadTopic(h.t, h.brokers, topic, want, 30*time.Second)
	out := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		native, _, err := h.reg.Decode(context.Background(), m.Value)
		if err != nil {
			h.t.Fatal(err)
		}
		rec := native.(map[string]any)
		rec["_key"] = string(m.Key)
		hdr := map[string]string{}
		for _, x := range m.Headers {
			hdr[x.Key] = string(x.Value)
		}
		rec["_headers"] = hdr
		out[i] = rec
	}
	return out
}

func unwrap(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

func TestSeedWebhooksAreStoredExactlyAsPosted(t *testing.T) {
	h := startIngest(t, nil)
	exs, err := seeds.Webhooks(testenv.Root(t)+"/../shared/seeds", "000_", "002_")
	if err != nil {
		t.Fatal(err)
	}
	perTopic := map[string][]map[string]json.RawMessage{}
	for _, ex := range exs {
		r := h.post("/webhooks/belvo", ex.JSON, nil)
		if r.status != http.StatusAccepted || r.body.Status != "accepted" || r.body.Duplicate {
			t.Fatalf("%s example %d: %d %+v", ex.File, ex.Index, r.status, r.body)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(ex.JSON, &top); err != nil {
			t.Fatal(err)
		}
		var typ string
		_ = json.Unmarshal(top["webhook_type"], &typ)
		topic := schemas.WebhookTopic(h.prefix, typ)
		perTopic[topic] = append(perTopic[topic], top)
	}
	for topic, sent := range perTopic {
		got := h.records(topic, len(sent))
		// One partition per link keeps per-link order, but records of one
		// topic come back partition by partition: match by webhook_id+data.
		for _, top := range sent {
			if !containsRecord(got, top) {
				t.Errorf("%s: no stored record equals the posted %s", topic, top["webhook_id"])
			}
		}
	}
}

// containsRecord reports whether a stored record carries every envelope
// member of the posted webhook, data byte for byte.
func containsRecord(got []map[string]any, top map[string]json.RawMessage) bool {
	for _, rec := range got {
		if rec["data"] != string(orNull(top["data"])) {
			continue
		}
		same := true
		for _, f := range []string{"webhook_id", "webhook_type", "webhook_code", "link_id", "process_type", "request_id", "external_id"} {
			var want any
			if raw, ok := top[f]; ok {
				_ = json.Unmarshal(raw, &want)
			}
			if unwrap(rec[f]) != want {
				same = false
			}
		}
		if same && rec["_key"] == unwrap(rec["link_id"]) && rec["_headers"].(map[string]string)["webhook_id"] == rec["webhook_id"] {
			return true
		}
	}
	return false
}

func orNull(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return json.RawMessage("null")
	}
	return raw
}

func webhookJSON(id, typ, code, link string) []byte {
	return fmt.Appendf(nil, `{"webhook_id":%q,"webhook_type":%q,"process_type":"historical_update","webhook_code":%q,"link_id":%q,"request_id":null,"external_id":null,"data":{"total_accounts":3}}`, id, typ, code, link)
}

func TestRefusedWebhooksAnswerWithTheProblemAndPublishNothing(t *testing.T) {
	const auth = "Bearer s3cret"
	h := startIngest(t, map[string]string{
		"WEBHOOK_AUTHORIZATION":   auth,
		"WEBHOOK_ALLOWED_CIDRS":   "3.130.254.46,18.220.61.186,18.223.45.212,127.0.0.1",
		"WEBHOOK_TRUSTED_PROXIES": "127.0.0.1/32",
		"INGEST_MAX_BODY_BYTES":   "2048",
	})
	ok := map[string]string{"Authorization": auth}
	good := webhookJSON("a1", "ACCOUNTS", "historical_update", "L1")
	cases := []struct {
		name    string
		body    []byte
		headers map[string]string
		status  int
		field   string
	}{
		{"bad JSON", []byte(`{"webhook_id": "x",`), ok, 400, ""},
		{"not an object", []byte(`[1,2]`), ok, 400, ""},
		// Valid JSON to encoding/json, but no Avro consumer could decode it.
		{"not UTF-8", webhookJSON("u8", "ACCOUNTS", "historical_update", "L\xff1"), ok, 400, ""},
		{"empty body", nil, ok, 400, ""},
		{"missing webhook_id", []byte(`{"webhook_type":"ACCOUNTS","webhook_code":"historical_update","link_id":"L","data":{}}`), ok, 400, "webhook_id"},
		{"missing link_id", []byte(`{"webhook_id":"x","webhook_type":"ACCOUNTS","webhook_code":"historical_update","data":{}}`), ok, 400, "link_id"},
		{"numeric webhook_type", []byte(`{"webhook_id":"x","webhook_type":7,"webhook_code":"c","link_id":"L","data":{}}`), ok, 400, "webhook_type"},
		{"data is a string", []byte(`{"webhook_id":"x","webhook_type":"ACCOUNTS","webhook_code":"c","link_id":"L","data":"no"}`), ok, 400, "data"},
		{"oversize", append(good[:len(good)-1], []byte(`,"pad":"`+strings.Repeat("x", 3000)+`"}`)...), ok, 413, ""},
		{"no auth", good, nil, 401, ""},
		{"wrong auth", good, map[string]string{"Authorization": "Bearer wrong"}, 401, ""},
		{"disallowed address behind the trusted proxy", good, map[string]string{"Authorization": auth, "X-Forwarded-For": "203.0.113.9"}, 403, ""},
	}
	for _, c := range cases {
		r := h.post("/webhooks/belvo", c.body, c.headers)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d (%+v)", c.name, r.status, c.status, r.body)
			continue
		}
		if id := r.header.Get("X-Request-Id"); id == "" || (r.body.RequestID != "" && r.body.RequestID != id) {
			t.Errorf("%s: request id header %q, body %q", c.name, id, r.body.RequestID)
		}
		if c.status == 400 && (r.body.RequestID == "" || r.body.Error == "" || r.body.Field != c.field) {
			t.Errorf("%s: 400 body %+v, want request_id, error and field %q", c.name, r.body, c.field)
		}
	}
	// The sender's own request id is echoed.
	if r := h.post("/webhooks/belvo", []byte("{"), map[string]string{"Authorization": auth, "X-Request-Id": "belvo-req-42"}); r.body.RequestID != "belvo-req-42" {
		t.Errorf("request id %q, want the sender's", r.body.RequestID)
	}
	// Belvo's egress address forwarded by the trusted proxy is let in. Then
	// the topic must hold exactly that one record: nothing refused leaked.
	if r := h.post("/webhooks/belvo", good, map[string]string{"Authorization": auth, "X-Forwarded-For": "18.220.61.186"}); r.status != 202 {
		t.Fatalf("allowed webhook: %d %+v", r.status, r.body)
	}
	h.records(schemas.WebhookTopic(h.prefix, "ACCOUNTS"), 1)
}

func TestRetriedWebhookIsStoredOnce(t *testing.T) {
	h := startIngest(t, nil)
	body := webhookJSON("retry-1", "TRANSACTIONS", "historical_update", "L1")
	first := h.post("/webhooks/belvo", body, nil)
	second := h.post("/webhooks/belvo", body, nil)
	if first.status != 202 || first.body.Duplicate || second.status != 202 || !second.body.Duplicate {
		t.Fatalf("first %d %+v, second %d %+v", first.status, first.body, second.status, second.body)
	}
	h.records(schemas.WebhookTopic(h.prefix, "TRANSACTIONS"), 1)
}

func TestUnknownTypesAndCodesAreRoutedNotDropped(t *testing.T) {
	h := startIngest(t, nil)
	if r := h.post("/webhooks/belvo", webhookJSON("u1", "PAYMENT_INTENTS", "succeeded", "L1"), nil); r.status != 202 {
		t.Fatalf("unknown type: %d %+v", r.status, r.body)
	}
	if r := h.post("/webhooks/belvo", webhookJSON("u2", "ACCOUNTS", "brand_new_code", "L1"), nil); r.status != 202 {
		t.Fatalf("unknown code: %d %+v", r.status, r.body)
	}
	h.records(schemas.WebhookTopic(h.prefix, "PAYMENT_INTENTS"), 1)
	h.records(schemas.WebhookTopic(h.prefix, "ACCOUNTS"), 1)
	res, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m, _ := io.ReadAll(res.Body)
	for _, want := range []string{`ingest_unknown_events_total{kind="type"} 1`, `ingest_unknown_events_total{kind="code"} 1`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestInstitutionStatusIsStoredKeyedByIncidentUpdate(t *testing.T) {
	h := startIngest(t, nil)
	body := []byte(`{"meta":{"unsubscribe":"u","documentation":"d"},"page":{"id":"pg1","status_indicator":"major","status_description":"Partial outage"},` +
		`"incident":{"id":"inc9","name":"Banco Inter unavailable","status":"identified","updated_at":"2026-11-20T10:00:00.000Z",` +
		`"components":[{"id":"c1","name":"Banco Inter","status":"major_outage"}]}}`)
	if r := h.post("/webhooks/institution-status", body, nil); r.status != 202 {
		t.Fatalf("%d %+v", r.status, r.body)
	}
	if r := h.post("/webhooks/institution-status", body, nil); r.status != 202 || !r.body.Duplicate {
		t.Fatalf("retry: %d %+v", r.status, r.body)
	}
	if r := h.post("/webhooks/institution-status", []byte(`{"page":{"id":"pg1"}}`), nil); r.status != 400 || r.body.Field != "incident" {
		t.Fatalf("no incident: %d %+v", r.status, r.body)
	}
	notUTF8 := bytes.Replace(body, []byte("inc9"), []byte("inc\xff"), 1)
	if r := h.post("/webhooks/institution-status", notUTF8, nil); r.status != 400 || !strings.Contains(r.body.Message, "not UTF-8") {
		t.Fatalf("not UTF-8: %d %+v", r.status, r.body)
	}
	recs := h.records(schemas.WebhookTopic(h.prefix, schemas.InstitutionStatusType), 1)
	rec := recs[0]
	if rec["_key"] != "inc9@2026-11-20T10:00:00.000Z" || rec["payload"] != string(body) || unwrap(rec["incident_status"]) != "identified" {
		t.Fatalf("stored %+v", rec)
	}
	comps := rec["components"].([]any)
	if len(comps) != 1 || unwrap(comps[0].(map[string]any)["status"]) != "major_outage" {
		t.Fatalf("components %+v", comps)
	}
}

func TestConcurrentLoadStoresEveryAcknowledgedWebhookExactlyOnce(t *testing.T) {
	h := startIngest(t, nil)
	const clients, each = 16, 100
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("w-%d-%d", c, i)
				body := webhookJSON(id, "TRANSACTIONS", "new_transactions_available", fmt.Sprintf("link-%d", i%7))
				// Every tenth webhook is delivered twice, as a Belvo retry.
				for n := 0; n < 1+btoi(i%10 == 0); n++ {
					if r := h.post("/webhooks/belvo", body, nil); r.status == 202 {
						mu.Lock()
						acked[id]++
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(acked) != clients*each {
		t.Fatalf("%d webhooks acknowledged, want %d", len(acked), clients*each)
	}
	recs := h.records(schemas.WebhookTopic(h.prefix, "TRANSACTIONS"), clients*each)
	stored := map[string]int{}
	for _, r := range recs {
		stored[r["webhook_id"].(string)]++
	}
	for id := range acked {
		if stored[id] != 1 {
			t.Fatalf("webhook %s stored %d times", id, stored[id])
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestShutdownFinishesInFlightRequestsAndExitsCleanly(t *testing.T) {
	h := startIngest(t, nil)
	var wg sync.WaitGroup
	statuses := make(chan int, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, h.url+"/webhooks/belvo", bytes.NewReader(webhookJSON(fmt.Sprintf("s-%d", i), "OWNERS", "historical_update", "L")))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return // refused after the listener closed: never acknowledged
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
		if i == 100 {
			go h.stop()
		}
	}
	wg.Wait()
	close(statuses)
	if err := h.stop(); err != nil {
		t.Fatalf("Run returned %v", err)
	}
	accepted := 0
	for s := range statuses {
		switch s {
		case 202:
			accepted++
		case 503:
		default:
			t.Errorf("status %d during shutdown", s)
		}
	}
	// Every 202 must be in Kafka, even those answered while draining.
	h.records(schemas.WebhookTopic(h.prefix, "OWNERS"), accepted)
}

// Avro decoding of the envelope through a generic, registry-free codec
// proves the committed schema is what the topics carry.
func TestEnvelopeSchemaCompiles(t *testing.T) {
	for _, s := range []string{schemas.WebhookEventSchema, schemas.InstitutionStatusSchema} {
		if _, err := goavro.NewCodec(s); err != nil {
			t.Fatal(err)
		}
	}
}
