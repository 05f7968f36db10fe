package sink

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

func withStatus(t testing.TB, raw, status string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	m["status"] = status
	b, _ := json.Marshal(m)
	return string(b)
}

func linkEvent(t testing.TB, webhookID, link string, errorCode *string, at time.Time) map[string]any {
	t.Helper()
	data := "null"
	if errorCode != nil {
		data = `{"error_code":"` + *errorCode + `","error_message":"failed"}`
	}
	// The fact's id is the event's key: the deletion and a failed one
	// under one webhook_id are two events.
	key := webhookID + ":ok"
	if errorCode != nil {
		key = webhookID + ":" + *errorCode
	}
	raw := `{"webhook_id":"` + webhookID + `","event_key":"` + key + `","webhook_type":"LINK","webhook_code":"link_deleted","process_type":"async_delete","link_id":"` + link + `","external_id":null,"data":` + data + `}`
	return native(t, "link_events", raw, link, at)
}

// transactions_deleted and invoices_cancelled as the fetcher publishes them,
// and a successful link_deleted: the deleted transaction and every row of
// the purged link leave the views (FINAL), the cancelled invoice shows its
// new status, another link and a failed deletion leave data alone, and the
// same link_deleted delivered again inserts nothing.
func TestDeletionsCancellationsAndLinkPurge(t *testing.T) {
	h := newHarness(t)
	run := h.start(nil, nil)
	later := fetchedAt.Add(time.Hour)
	a, b := "link-a-"+h.prefix, "link-b-"+h.prefix

	txA := transactions(t, h.prefix+"a", a, 3, fetchedAt)
	txB := transactions(t, h.prefix+"b", b, 2, fetchedAt)
	invoice := native(t, "invoices", withStatus(t, template(t, "invoices"), "VIGENTE"), a, fetchedAt)
	h.produce("transactions", append(txA, txB...)...)
	h.produce("invoices", invoice)
	h.waitCount(5, 60*time.Second, "SELECT count() FROM DB.current_transactions")

	del, err := converter(t, "transactions").Deletion(txA[0]["id"].(string), records.Lineage{LinkID: a, FetchedAt: later})
	if err != nil {
		t.Fatal(err)
	}
	h.produce("transactions", del)
	cancelled := native(t, "invoices", withStatus(t, template(t, "invoices"), "CANCELADO"), a, later)
	h.produce("invoices", cancelled)
	h.waitCount(4, 60*time.Second, "SELECT count() FROM DB.current_transactions")
	if got := h.count("SELECT count() FROM DB.current_transactions WHERE id = ?", txA[0]["id"]); got != 0 {
		t.Fatal("the deleted transaction is still current")
	}
	h.waitCount(1, 60*time.Second, "SELECT count() FROM DB.invoices FINAL WHERE status = 'CANCELADO'")
	if got := h.count("SELECT count() FROM DB.invoices FINAL"); got != 1 {
		t.Fatalf("%d current invoices, want the one, cancelled", got)
	}
	if got := h.count("SELECT sum(invoices) FROM DB.invoices_monthly WHERE status = 'CANCELADO'"); got != 1 {
		t.Fatalf("invoices_monthly counts %d cancelled", got)
	}

	failed := "link_deletion_failed"
	h.produce("link_events", linkEvent(t, "wh-fail-"+h.prefix, b, &failed, later), linkEvent(t, "wh-del-"+h.prefix, a, nil, later))
	h.waitCount(2, 60*time.Second, "SELECT count() FROM DB.link_events")
	// The purge runs after its fact is inserted: wait for its effect.
	for _, tbl := range []string{"transactions", "invoices"} {
		h.waitCount(0, 60*time.Second, "SELECT count() FROM DB."+tbl+" FINAL WHERE link_id = ?", a)
	}
	if got := h.count("SELECT count() FROM DB.current_transactions WHERE link_id = ?", b); got != 2 {
		t.Errorf("link b (failed deletion) has %d current transactions, want 2", got)
	}
	if got := h.count("SELECT count() FROM DB.transactions WHERE link_id = ? AND is_deleted = 1 AND raw = '' AND amount IS NULL", a); got != 3 {
		// 1 transactions_deleted row + 2 purge rows (the deleted one is not current)
		t.Errorf("%d cleared deletion rows for link a, want 3", got)
	}

	physical := h.count("SELECT count() FROM DB.transactions") + h.count("SELECT count() FROM DB.invoices")
	h.produce("link_events", linkEvent(t, "wh-del-"+h.prefix, a, nil, later))
	h.waitCount(3, 60*time.Second, "SELECT count() FROM DB.link_events")

	// A page of the link's records loaded after its purge (records and facts
	// travel on different topics) is purged too. Flushes run one after the
	// other, so once it is, the repeated purge above has run as well.
	// A late invoice beside them: each table holding the link is purged.
	late := transactions(t, h.prefix+"late", a, 2, fetchedAt)
	lateInvoice := native(t, "invoices", withStatus(t, template(t, "invoices"), "VIGENTE"), a, fetchedAt)
	lateInvoice["id"] = "inv-late-" + h.prefix
	h.produce("invoices", lateInvoice)
	h.produce("transactions", late...)
	ids := []any{late[0]["id"], late[1]["id"]}
	h.waitCount(2, 60*time.Second, "SELECT count() FROM DB.transactions WHERE id IN (?, ?) AND is_deleted = 0", ids...)
	h.waitCount(0, 60*time.Second, "SELECT count() FROM DB.transactions FINAL WHERE id IN (?, ?)", ids...)
	h.waitCount(0, 60*time.Second, "SELECT count() FROM DB.invoices FINAL WHERE id = ?", lateInvoice["id"])
	if got := h.count("SELECT count() FROM DB.invoices WHERE id = ?", lateInvoice["id"]); got != 2 {
		t.Errorf("%d rows of the late invoice, want it and its deletion", got)
	}
	if got := h.count("SELECT count() FROM DB.current_transactions WHERE link_id = ?", a); got != 0 {
		t.Errorf("%d late transactions of the deleted link are current", got)
	}
	// The late rows and their deletions, and nothing from the repeated purge.
	if got := h.count("SELECT count() FROM DB.transactions") + h.count("SELECT count() FROM DB.invoices"); got != physical+6 {
		t.Errorf("%d physical rows, want %d: the repeated purge changed the tables", got, physical+6)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}

// A record that is not Avro and one that decodes but cannot be a row go to
// the dead-letter topic, unchanged, with the reason and their source; the
// records around them are loaded.
func TestPoisonRecordsAreDeadLetteredAndTheRestLoaded(t *testing.T) {
	h := newHarness(t)
	topic := schemas.Resources[len(schemas.Resources)-1].Topic(h.prefix) // transactions
	good := transactions(t, h.prefix, "link-a", 4, fetchedAt)
	h.produce("transactions", good[:2]...)
	h.produceRaw(topic, []byte("link-a"), []byte("not avro at all"))
	noID := transactions(t, h.prefix, "link-a", 1, fetchedAt)[0]
	noID["id"] = ""
	h.produce("transactions", noID)
	h.produce("transactions", good[2:]...)
	run := h.start(nil, nil)
	h.waitCount(4, 60*time.Second, "SELECT count() FROM DB.transactions")

	msgs := testenv.ReadTopic(t, h.brokers, DeadLetterTopic(h.prefix), 2, 60*time.Second)
	reasons := map[string]bool{}
	for _, m := range msgs {
		hdr := map[string]string{}
		for _, x := range m.Headers {
			hdr[x.Key] = string(x.Value)
		}
		if hdr[HeaderTopic] != topic || hdr[HeaderPartition] == "" || hdr[HeaderOffset] == "" {
			t.Errorf("dead letter headers %v", hdr)
		}
		switch {
		case string(m.Value) == "not avro at all" && strings.Contains(hdr[HeaderError], "not Confluent-framed"):
			reasons["framing"] = true
		case strings.Contains(hdr[HeaderError], records.ErrMissingID.Error()):
			reasons["no id"] = true
		default:
			t.Errorf("unexpected dead letter %q: %v", m.Value, hdr)
		}
	}
	if len(reasons) != 2 {
		t.Fatalf("dead letters %v, want one per poison record", reasons)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}

func webhookEvent(id, typ, link string, received time.Time, errs []any) map[string]any {
	var errors any
	if errs != nil {
		errors = map[string]any{"array": errs}
	}
	return map[string]any{
		"webhook_id": id, "webhook_type": typ, "webhook_code": "historical_update",
		"process_type": map[string]any{"string": "historical_update"}, "link_id": link,
		"request_id": nil, "external_id": nil, "data": `{"total_accounts":2}`, "errors": errors, "extra": nil,
		"received_at": received, "ingest_request_id": "req-" + id,
	}
}

// Every webhook is audited once per event (schemas.EventKey): a retried
// delivery of the same event collapses to its first receipt, another event
// under the same webhook_id (Belvo's examples do that) keeps its own row;
// error events keep their codes; institution-status events land in their
// own table.
func TestWebhookEventsAreAuditedOncePerEvent(t *testing.T) {
	h := newHarness(t)
	run := h.start(nil, nil)
	topic := schemas.WebhookTopic(h.prefix, "ACCOUNTS")
	c := h.codec(topic, schemas.WebhookEventSchema)
	first := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	otherData := webhookEvent("wh-1", "ACCOUNTS", "link-a", first.Add(2*time.Minute), nil)
	otherData["data"] = `{"total_accounts":3}`
	for _, ev := range []map[string]any{
		webhookEvent("wh-1", "ACCOUNTS", "link-a", first, nil),
		webhookEvent("wh-2", "ACCOUNTS", "link-a", first, []any{map[string]any{"code": map[string]any{"string": "institution_down"}, "message": nil}}),
		webhookEvent("wh-1", "ACCOUNTS", "link-a", first.Add(time.Minute), nil), // Belvo's retry
		otherData, // another event under the same id
	} {
		v, err := c.Append(nil, ev)
		if err != nil {
			t.Fatal(err)
		}
		h.produceRaw(topic, []byte("link-a"), v)
		// One at a time so each lands in its own part and FINAL has work.
		h.waitCount(h.count("SELECT count() FROM DB.webhook_events")+1, 60*time.Second, "SELECT count() FROM DB.webhook_events")
	}
	if got := h.count("SELECT count() FROM DB.webhook_events FINAL"); got != 3 {
		t.Fatalf("%d audited events, want 3", got)
	}
	if got := h.count("SELECT count() FROM DB.webhook_events FINAL WHERE webhook_id = 'wh-1' AND origin = 'webhook' AND startsWith(event_key, 'wh-1:')"); got != 2 {
		t.Fatalf("%d events of wh-1 with their own keys, want 2", got)
	}
	var received time.Time
	if err := h.ch.QueryRow(context.Background(), "SELECT received_at FROM `"+h.db+"`.webhook_events FINAL WHERE webhook_id = 'wh-1' AND data = '{\"total_accounts\":2}'").Scan(&received); err != nil {
		t.Fatal(err)
	}
	if !received.Equal(first) {
		t.Errorf("kept delivery received at %v, want the first, %v", received, first)
	}
	if got := h.count("SELECT count() FROM DB.webhook_events FINAL WHERE errors_code = ['institution_down']"); got != 1 {
		t.Errorf("error codes not kept")
	}

	st := schemas.WebhookTopic(h.prefix, schemas.InstitutionStatusType)
	sc := h.codec(st, schemas.InstitutionStatusSchema)
	v, err := sc.Append(nil, map[string]any{
		"event_key": "inc-1|2026-11-23T09:00:00Z", "page_id": nil, "incident_id": map[string]any{"string": "inc-1"},
		"incident_name": map[string]any{"string": "Erebor down"}, "incident_status": map[string]any{"string": "investigating"},
		"incident_updated_at": nil,
		"components":          []any{map[string]any{"id": nil, "name": map[string]any{"string": "erebor_mx_retail"}, "status": map[string]any{"string": "major_outage"}}},
		"payload":             `{}`, "received_at": first, "ingest_request_id": "req-s",
	})
	if err != nil {
		t.Fatal(err)
	}
	h.produceRaw(st, []byte("inc-1"), v)
	h.waitCount(1, 60*time.Second, "SELECT count() FROM DB.institution_status WHERE components_status = ['major_outage'] AND components_name = ['erebor_mx_retail']")
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}

// A webhook topic the sink did not know at start (one an operator or a
// newer ingest with a longer catalogue created) is found by a running sink
// and its events audited like any other. Ingest itself sends types the
// catalogue lacks to <prefix>.webhooks.unknown.
func TestWebhookOfANewTypeIsAudited(t *testing.T) {
	h := newHarness(t)
	topic := schemas.WebhookTopic(h.prefix, "BRAND_NEW_PRODUCT")
	t.Cleanup(func() { testenv.CleanupTopics(t, h.brokers, topic) })
	run := h.start(map[string]string{"SINK_DISCOVERY_INTERVAL": "200ms"}, nil)
	// Known topics first, so the new one must be found by a running sink.
	known := schemas.WebhookTopic(h.prefix, "ACCOUNTS")
	first := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, ev := range []struct{ topic, id, typ string }{{known, "wh-known", "ACCOUNTS"}, {topic, "wh-new", "BRAND_NEW_PRODUCT"}} {
		v, err := h.codec(ev.topic, schemas.WebhookEventSchema).Append(nil, webhookEvent(ev.id, ev.typ, "link-a", first, nil))
		if err != nil {
			t.Fatal(err)
		}
		// The harness's producer only knows the sink's topics (a
		// topic-scoped transport); a new one needs a producer of its own.
		p := broker.NewProducer(broker.NewCluster(broker.ClusterConfig{Brokers: h.brokers}), broker.ProducerConfig{})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = p.Produce(ctx, broker.Message{Topic: ev.topic, Key: []byte("link-a"), Value: v})
		cancel()
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		h.waitCount(1, 60*time.Second, "SELECT count() FROM DB.webhook_events FINAL WHERE webhook_id = ? AND webhook_type = ?", ev.id, ev.typ)
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
}
