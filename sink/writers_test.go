package sink

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Both decoders share one fetch of a schema id through the sink's one
// registry client: the fast path, the goavro path and a second table of
// the same id ask the registry once; an id the registry does not know is
// asked once too, and is the message's fault, not a retry.
func TestWriterSchemasFetchEachIDOnce(t *testing.T) {
	r, _ := schemas.TableByName("transactions")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hits.Add(1)
		if !strings.HasSuffix(req.URL.Path, "/schemas/ids/7") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"schema": r.AvroSchema()})
	}))
	defer srv.Close()
	reg, err := registry.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := newWriterSchemas(reg)
	if err != nil {
		t.Fatal(err)
	}
	byTopic, _, err := routes("belvo", "belvo")
	if err != nil {
		t.Fatal(err)
	}
	tbl := byTopic[r.Topic("belvo")]
	conv := converter(t, "transactions")
	body, err := conv.Append(nil, []byte(compactTransaction(1)), records.Lineage{LinkID: "l", FetchedAt: fetchedAt})
	if err != nil {
		t.Fatal(err)
	}
	msg := append([]byte{0, 0, 0, 0, 7}, body...)
	ctx := context.Background()
	for range 3 {
		if dec, body := ws.decoder(ctx, tbl, msg); dec == nil || !dec.CellsIn(make([]chblock.Cell, dec.Width()), body, records.Position{}) {
			t.Fatal("the fast path gave up on a transaction")
		}
		if _, err := ws.decode(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the registry was asked %d times for one id", n)
	}
	unknown := append([]byte{0, 0, 0, 0, 9}, body...)
	for range 3 {
		if dec, _ := ws.decoder(ctx, tbl, unknown); dec != nil {
			t.Fatal("a decoder for an unknown schema id")
		}
		if _, err := ws.decode(ctx, unknown); err == nil || transientDecode(err) {
			t.Fatalf("unknown id: %v, want a permanent error", err)
		}
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("the registry was asked %d times for two ids", n)
	}
}
