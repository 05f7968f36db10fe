package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/finflow/belvo-pipeline/internal/broker"
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
	h := launchIngest(t, env)
	testenv.Eventually(t, 3*time.Minute, "ingest ready", func() bool {
		res, err := http.Get(h.url + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	return h
}

// launchIngest runs ingest without waiting for it to be ready.
func launchIngest(t *testing.T, env map[string]string) *harness {
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
	return h.send(req, headers)
}

// postChunked sends body without a Content-Length, in chunks.
func (h *harness) postChunked(path string, body []byte, headers map[string]string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url+path, struct{ io.Reader }{bytes.NewReader(body)})
	req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	return h.send(req, headers)
}

func (h *harness) send(req *http.Request, headers map[string]string) reply {
	h.t.Helper()
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
	if err := json.Unmarshal(raw, &a); err != nil {
		h.t.Fatalf("answer %d is not JSON: %q", res.StatusCode, raw)
	}
	return reply{res.StatusCode, a, res.Header}
}

// topicOf is the topic ingest routes a webhook of typ to.
func topicOf(prefix, typ string) string {
	if schemas.IsCatalogueType(typ) {
		return schemas.WebhookTopic(prefix, typ)
	}
	return schemas.UnknownWebhookTopic(prefix)
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
		topic := topicOf(h.prefix, typ)
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

// Every topic ingest writes exists once it is ready, and no webhook adds
// one: a type the catalogue lacks, however it is spelt, lands in the one
// unknown-type topic with its webhook_type intact.
func TestUnknownTypesAndCodesAreRoutedNotDropped(t *testing.T) {
	h := startIngest(t, nil)
	want := append(schemas.WebhookTopics(h.prefix), schemas.WebhookTopic(h.prefix, schemas.InstitutionStatusType))
	slices.Sort(want)
	// Right after start, before any webhook: the fetcher must find them all.
	if got := h.topics(); !slices.Equal(got, want) {
		t.Fatalf("topics after start:\n%v\nwant\n%v", got, want)
	}
	unknownTypes := []string{"PAYMENT_INTENTS", "../../etc", "SOMETHING_NEW", "accounts", "UNKNOWN", strings.Repeat("X", 300)}
	for i, typ := range unknownTypes {
		if r := h.post("/webhooks/belvo", webhookJSON(fmt.Sprint("u", i), typ, "succeeded", "L1"), nil); r.status != 202 {
			t.Fatalf("unknown type %q: %d %+v", typ, r.status, r.body)
		}
	}
	if r := h.post("/webhooks/belvo", webhookJSON("k1", "ACCOUNTS", "brand_new_code", "L1"), nil); r.status != 202 {
		t.Fatalf("unknown code: %d %+v", r.status, r.body)
	}
	recs := h.records(schemas.UnknownWebhookTopic(h.prefix), len(unknownTypes))
	got := map[string]string{}
	for _, rec := range recs {
		got[rec["webhook_id"].(string)] = rec["webhook_type"].(string)
	}
	for i, typ := range unknownTypes {
		if id := fmt.Sprint("u", i); got[id] != typ {
			t.Errorf("%s stored with webhook_type %q, want %q", id, got[id], typ)
		}
	}
	// An unknown code of a known type stays in its type's topic: the
	// fetcher records it as unknown all the same.
	if rec := h.records(schemas.WebhookTopic(h.prefix, "ACCOUNTS"), 1)[0]; rec["webhook_id"] != "k1" {
		t.Fatalf("accounts topic holds %v", rec["webhook_id"])
	}
	if got := h.topics(); !slices.Equal(got, want) {
		t.Fatalf("topics after unknown webhooks:\n%v\nwant\n%v", got, want)
	}
	res, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m, _ := io.ReadAll(res.Body)
	for _, want := range []string{fmt.Sprintf(`ingest_unknown_events_total{kind="type"} %d`, len(unknownTypes)), `ingest_unknown_events_total{kind="code"} 1`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// topics lists the topics under the harness's prefix, sorted.
func (h *harness) topics() []string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	layout, err := broker.NewCluster(broker.ClusterConfig{Brokers: h.brokers}).TopicsWithPrefix(ctx, h.prefix+".")
	if err != nil {
		h.t.Fatal(err)
	}
	return layout.Names()
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

// A body far above INGEST_MAX_BODY_BYTES (fasthttp refuses it before the
// handler runs) gets the documented 413 with a request id, announced by its
// Content-Length or not, and reliably: the answer goes out while the client
// is still sending.
func TestOversizeBodiesGet413WithARequestID(t *testing.T) {
	const auth = "Bearer s3cret"
	h := startIngest(t, map[string]string{"WEBHOOK_AUTHORIZATION": auth}) // default limit, 900 KiB
	big := bytes.Repeat([]byte("x"), 3<<20)
	const rounds = 10
	for i := range rounds {
		id := fmt.Sprint("big-", i)
		for _, r := range []struct {
			how string
			reply
		}{
			{"with Content-Length", h.post("/webhooks/belvo", big, map[string]string{"Authorization": auth, "X-Request-Id": id})},
			{"chunked", h.postChunked("/webhooks/belvo", big, map[string]string{"Authorization": auth, "X-Request-Id": id})},
		} {
			hdr := r.header.Get("X-Request-Id")
			if r.status != http.StatusRequestEntityTooLarge || r.body.Error != "too_large" || hdr == "" || r.body.RequestID != hdr {
				t.Fatalf("%s: %d %+v, X-Request-Id %q", r.how, r.status, r.body, hdr)
			}
			// The sender's id is echoed when the headers survived.
			if r.how == "with Content-Length" && hdr != id {
				t.Fatalf("%s: request id %q, want the sender's %q", r.how, hdr, id)
			}
		}
	}
	// Credentials are checked before the size the headers announce.
	if r := h.post("/webhooks/belvo", big, nil); r.status != http.StatusUnauthorized || r.body.RequestID == "" {
		t.Fatalf("oversize without credentials: %d %+v", r.status, r.body)
	}
	// A body of exactly the limit is still read and judged on its content.
	exact := webhookJSON("exact", "ACCOUNTS", "historical_update", "L1")
	exact = append(exact[:len(exact)-1], `,"pad":"`...)
	exact = append(exact, bytes.Repeat([]byte("y"), 900<<10-len(exact)-2)...)
	exact = append(exact, `"}`...)
	if r := h.post("/webhooks/belvo", exact, map[string]string{"Authorization": auth}); r.status != http.StatusAccepted {
		t.Fatalf("body of exactly the limit: %d %+v", r.status, r.body)
	}
	res, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		fmt.Sprintf(`ingest_requests_total{route="belvo",status="413"} %d`, rounds),
		fmt.Sprintf(`ingest_requests_total{route="other",status="413"} %d`, rounds),
	} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Liveness answers from process start; readiness and the webhooks wait for
// Kafka, without a restart: a Kafka outage during a rollout must leave the
// new pods unready, not restarting.
func TestLiveAtOnceReadyOnlyOnceKafkaAnswers(t *testing.T) {
	real := testenv.Kafka(t)
	addr := unusedAddr(t)
	h := launchIngest(t, map[string]string{"KAFKA_BROKERS": addr})
	testenv.CleanupTopics(t, real, h.prefix+".")
	expectUnready(t, h, "kafka")

	// Kafka becomes reachable at the address ingest was given.
	forward(t, addr, real[0])
	testenv.Eventually(t, 60*time.Second, "ready once Kafka answers", func() bool {
		status, _ := get(h.url + "/readyz")
		return status == http.StatusOK
	})
	if r := h.post("/webhooks/belvo", webhookJSON("late", "ACCOUNTS", "historical_update", "L1"), nil); r.status != http.StatusAccepted {
		t.Fatalf("once ready: %d %+v", r.status, r.body)
	}
	h.brokers = real
	h.records(schemas.WebhookTopic(h.prefix, "ACCOUNTS"), 1)
}

func TestNotReadyWhileTheRegistryIsUnreachable(t *testing.T) {
	h := launchIngest(t, map[string]string{"SCHEMA_REGISTRY_URL": "http://" + unusedAddr(t) + "/apis/ccompat/v7"})
	expectUnready(t, h, "schema registry")
}

// expectUnready checks a started ingest that cannot reach a dependency:
// alive, not ready (and saying why), every webhook answered 503.
func expectUnready(t *testing.T, h *harness, why string) {
	t.Helper()
	if status, body := get(h.url + "/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz %d %q while %s is unreachable", status, body, why)
	}
	var body string
	testenv.Eventually(t, 30*time.Second, "/readyz to name "+why, func() bool {
		var status int
		status, body = get(h.url + "/readyz")
		if status != http.StatusServiceUnavailable {
			t.Fatalf("/readyz %d %q while %s is unreachable", status, body, why)
		}
		return strings.Contains(body, why)
	})
	for _, c := range []struct{ path, body string }{
		{"/webhooks/belvo", string(webhookJSON("early", "ACCOUNTS", "historical_update", "L1"))},
		{"/webhooks/institution-status", `{"incident":{"id":"i","updated_at":"2026-11-20T10:00:00Z","status":"identified"}}`},
	} {
		r := h.post(c.path, []byte(c.body), map[string]string{"X-Request-Id": "early-1"})
		if r.status != http.StatusServiceUnavailable || r.body.Error != "not_ready" || r.body.RequestID != "early-1" {
			t.Fatalf("%s while %s is unreachable: %d %+v", c.path, why, r.status, r.body)
		}
	}
	if status, _ := get(h.url + "/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz %d after the refused webhooks", status)
	}
}

func get(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// unusedAddr returns a loopback address nothing listens on.
func unusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// forward listens on addr and relays every connection to to.
func forward(t *testing.T, addr, to string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", to)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { _, _ = io.Copy(u, c); u.Close() }()
				_, _ = io.Copy(c, u)
			}()
		}
	}()
}
