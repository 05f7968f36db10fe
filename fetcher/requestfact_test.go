package fetcher

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

// The requests fact written from its values is, byte for byte, what
// goavro makes of the fact's JSON scanned by the converter (the way it was
// written before), and is keyed by Belvo's request_id.
func TestRequestFactFromValuesIsTheJSONPathsBytes(t *testing.T) {
	res, _ := schemas.TableByName(factRequests)
	conv, err := records.New(res)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(res.AvroSchema())
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2026, 12, 6, 4, 5, 6, 789123456, time.FixedZone("BRT", -3*3600))
	for _, f := range []requestFact{
		{BelvoRequestID: "r-1", Kind: KindAsyncPost, LinkID: "l", Resource: "invoices", DateFrom: "2026-01-01", DateTo: "2026-01-31", Type: "INFLOW"},
		{BelvoRequestID: "r-2", Kind: KindRefresh, LinkID: "l", FetchResources: []string{"ACCOUNTS", "TRANSACTIONS"}},
		{BelvoRequestID: "r-3", Kind: KindDeleteLink, LinkID: "l"},
	} {
		f.SentAt = sent.UTC().Format(time.RFC3339Nano)
		raw, _ := json.Marshal(f)
		l := records.Lineage{LinkID: f.LinkID, RequestID: f.BelvoRequestID, FetchedAt: sent}
		native, err := conv.Native(raw, l)
		if err != nil {
			t.Fatal(err)
		}
		want, err := codec.BinaryFromNative(nil, native)
		if err != nil {
			t.Fatal(err)
		}
		got, key, err := conv.EncodeValues(nil, f.values(sent), raw, l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: values give\n%x\nJSON gave\n%x", f.Kind, got, want)
		}
		if string(key) != f.BelvoRequestID {
			t.Errorf("%s: key %q, want %q", f.Kind, key, f.BelvoRequestID)
		}
	}
}
