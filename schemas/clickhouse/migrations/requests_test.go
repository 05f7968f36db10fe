package migrations

import (
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// The views joining requests to their rows are hand-written: each must
// read every resource table, or a resource added later would be missing
// from what a request produced.
func TestRequestViewsReadEveryResource(t *testing.T) {
	b, err := Templates.ReadFile("0006_request_rows.sql.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, r := range schemas.Resources {
		if n := strings.Count(text, "{{.DB}}.`"+r.Name+"`"); n != 2 {
			t.Errorf("%s is read %d times, want once by request_records and once by request_totals", r.Name, n)
		}
	}
}
