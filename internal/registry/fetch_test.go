package registry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
)

// A schema the registry does not give comes back as *SchemaFetchError,
// wrapping the registry's answer, so callers decide on types.
func TestSchemaTextFailsWithASchemaFetchError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error_code":50301,"message":"down"}`))
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SchemaText(context.Background(), 42)
	var fe *SchemaFetchError
	var re *sr.ResponseError
	if !errors.As(err, &fe) || fe.ID != 42 || !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("SchemaText: %v (%T), want a *SchemaFetchError for id 42 wrapping the 503", err, err)
	}
	if _, _, err := c.Decode(context.Background(), []byte{0, 0, 0, 0, 42, 2}); !errors.As(err, &fe) {
		t.Errorf("Decode of an id the registry does not give: %v (%T), want a *SchemaFetchError", err, err)
	}
}
