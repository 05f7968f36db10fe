package pipeline

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Webhooks of types the catalogue lacks, even one spelt as a path, go
// through ingest's one unknown-type topic: the sink audits each in
// webhook_events with its webhook_type intact, the fetcher records each as
// an unknown_webhook error event, and no topic is named after them.
func TestUnknownWebhookTypesAreAuditedAndRecorded(t *testing.T) {
	env := testEnv(t, "unknown", nil)
	prefix := env["TOPIC_PREFIX"]
	p, ctx := startPipeline(t, env, 300, 4*time.Minute)

	types := map[string]string{"wh-path": "../../etc", "wh-new": "SOMETHING_NEW"}
	for id, typ := range types {
		body := fmt.Sprintf(`{"webhook_id":%q,"webhook_type":%q,"webhook_code":"historical_update","link_id":"link-u","data":{}}`, id, typ)
		res, err := http.Post("http://"+loopback(p.Ingest.Addr())+"/webhooks/belvo", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("ingest answered %d to %s", res.StatusCode, typ)
		}
	}

	conn, db, err := p.open()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows := func(query string) map[string]string {
		out := map[string]string{}
		rs, err := conn.Query(ctx, query, []string{"wh-path", "wh-new"})
		if err != nil {
			t.Logf("%s: %v", query, err)
			return out
		}
		defer rs.Close()
		for rs.Next() {
			var id, v string
			if err := rs.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			out[id] = v
		}
		return out
	}
	var audit, facts map[string]string
	testenv.Eventually(t, 3*time.Minute, "the audit row and the unknown_webhook fact of both webhooks", func() bool {
		audit = rows("SELECT webhook_id, webhook_type FROM " + table(db, "webhook_events") + " FINAL WHERE webhook_id IN (?)")
		facts = rows("SELECT webhook_id, concat(webhook_type, ' ', error_code) FROM " + table(db, "error_events") + " FINAL WHERE webhook_id IN (?)")
		return len(audit) == len(types) && len(facts) == len(types)
	})
	for id, typ := range types {
		if audit[id] != typ || facts[id] != typ+" unknown_webhook" {
			t.Errorf("%s: audited as %q, recorded as %q; want type %q and unknown_webhook", id, audit[id], facts[id], typ)
		}
	}
	layout, err := broker.NewCluster(broker.ClusterConfig{Brokers: testenv.Kafka(t)}).TopicsWithPrefix(ctx, schemas.WebhookTopicPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	want := append(schemas.WebhookTopics(prefix), schemas.WebhookTopic(prefix, schemas.InstitutionStatusType))
	if len(layout) != len(want) {
		t.Errorf("webhook topics %v, want exactly %v", layout.Names(), want)
	}
	for _, tp := range want {
		if layout[tp] == 0 {
			t.Errorf("webhook topic %s missing", tp)
		}
	}
}
