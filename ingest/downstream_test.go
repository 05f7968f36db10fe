package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// TestConfluentPythonClientReadsTheTopics proves the topics follow the
// usual Avro wire conventions: Confluent's own Python client, with its
// AvroDeserializer resolving the schema id through the registry, reads back
// what ingest stored.
func TestConfluentPythonClientReadsTheTopics(t *testing.T) {
	h := startIngest(t, nil)
	root := testenv.Root(t)
	out, err := exec.Command(root + "/scripts/pyclients.sh").Output()
	if err != nil {
		t.Fatalf("scripts/pyclients.sh: %v", err)
	}
	python := strings.TrimSpace(string(out))
	body := webhookJSON("py-1", "INVOICES", "new_invoices_available", "link-py")
	if r := h.post("/webhooks/belvo", body, nil); r.status != 202 {
		t.Fatalf("%d %+v", r.status, r.body)
	}
	topic := schemas.WebhookTopic(h.prefix, "INVOICES")
	cmd := exec.Command(python, root+"/scripts/avro-consume.py", "--brokers", strings.Join(h.brokers, ","),
		"--registry", testenv.Registry(t), "--topic", topic, "--count", "1", "--timeout", "60")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python consumer: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(res))
	if !sc.Scan() {
		t.Fatalf("python consumer printed nothing:\n%s", stderr.String())
	}
	var rec struct {
		Key   string         `json:"key"`
		Value map[string]any `json:"value"`
	}
	if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	var sent map[string]json.RawMessage
	_ = json.Unmarshal(body, &sent)
	if rec.Key != "link-py" || rec.Value["webhook_id"] != "py-1" || rec.Value["webhook_code"] != "new_invoices_available" ||
		rec.Value["data"] != string(sent["data"]) || rec.Value["process_type"] != "historical_update" || rec.Value["request_id"] != nil {
		t.Fatalf("python read %+v", rec)
	}
}
