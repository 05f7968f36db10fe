package schemas

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
)

// fixedYearlyHash is sha256sum of the NUL-joined content, computed outside Go.
const fixedYearlyHash = "922e475d64a98925"

func TestWebhookTopicsAreTheCatalogueTypesAndTheUnknownTopic(t *testing.T) {
	topics := WebhookTopics("p")
	types := WebhookTypes()
	if len(topics) != len(types)+1 || len(types) < 10 {
		t.Fatalf("%d topics for %d catalogue types", len(topics), len(types))
	}
	if topics[len(topics)-1] != "p.webhooks.unknown" || UnknownWebhookTopic("p") != "p.webhooks.unknown" {
		t.Fatalf("unknown topic %q", topics[len(topics)-1])
	}
	if slices.Contains(topics, WebhookTopic("p", InstitutionStatusType)) {
		t.Fatal("institution status is not a topic the fetcher reads")
	}
	seen := map[string]bool{}
	for i, tp := range topics {
		if seen[tp] || !strings.HasPrefix(tp, WebhookTopicPrefix("p")) {
			t.Errorf("topic %q repeated or outside the webhook prefix", tp)
		}
		seen[tp] = true
		if i < len(types) && tp != WebhookTopic("p", types[i]) {
			t.Errorf("topic %d is %q, want that of %s", i, tp, types[i])
		}
	}
	for _, e := range Catalogue {
		if !IsCatalogueType(e.Type) || !slices.Contains(types, e.Type) {
			t.Errorf("catalogue type %s not known", e.Type)
		}
	}
	// A type is matched as Belvo spells it: anything else is unknown, and
	// the name of the unknown topic itself is no catalogue type.
	for _, typ := range []string{"accounts", "UNKNOWN", "unknown", "../../etc", "", InstitutionStatusType, "SOMETHING_NEW"} {
		if IsCatalogueType(typ) {
			t.Errorf("%q taken for a catalogue type", typ)
		}
	}
}

// The committed envelope schema is the one Envelope generates
// (UPDATE_GOLDEN=1, i.e. go generate ./schemas, rewrites it).
func TestGoldenEnvelope(t *testing.T) {
	const name = "avro/webhook_event.avsc"
	want := EnvelopeAvroSchema()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if WebhookEventSchema != want {
		t.Errorf("%s drifted from Envelope (run go generate ./schemas and review the diff)", name)
	}
	if _, err := goavro.NewCodec(want); err != nil {
		t.Fatal(err)
	}
}

func sp(s string) *string { return &s }

// An event goes through goavro and back unchanged, and a record written
// with the first released schema (no origin, no event key) reads as a
// webhook with its key computed from its content.
func TestEnvelopeRoundTripsAndReadsReleasedRecords(t *testing.T) {
	ev := WebhookEvent{WebhookID: "w1", WebhookType: "TAX_RETURNS", WebhookCode: "historical_update", ProcessType: sp("historical_update"),
		LinkID: "l1", RequestID: sp("r1"), Data: `{"type":"yearly","total_tax_returns":2}`,
		Errors:     []WebhookError{{Code: sp("e"), Message: nil}},
		ReceivedAt: time.UnixMicro(1_700_000_000_123_456).UTC(), IngestRequestID: "i1", Origin: OriginBackfill}
	ev.EventKey = EventKey(&ev)
	codec, err := goavro.NewCodec(WebhookEventSchema)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := codec.BinaryFromNative(nil, ev.Native())
	if err != nil {
		t.Fatal(err)
	}
	native, _, err := codec.NativeFromBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeWebhookEvent(native)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ev) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, ev)
	}
	if n := len(ev.Values(nil)); n != len(EnvelopeColumns())-5 {
		t.Fatalf("%d values for %d envelope columns", n, len(EnvelopeColumns())-5)
	}

	released, err := os.ReadFile("avro/released/webhook_event.avsc")
	if err != nil {
		t.Fatal(err)
	}
	old, err := goavro.NewCodec(string(released))
	if err != nil {
		t.Fatal(err)
	}
	n := ev.Native()
	delete(n, "origin")
	delete(n, "event_key")
	if bin, err = old.BinaryFromNative(nil, n); err != nil {
		t.Fatal(err)
	}
	if native, _, err = old.NativeFromBinary(bin); err != nil {
		t.Fatal(err)
	}
	if got, err = DecodeWebhookEvent(native); err != nil {
		t.Fatal(err)
	}
	if got.Origin != OriginWebhook || got.EventKey != ev.EventKey {
		t.Fatalf("released record read with origin %q and key %q, want webhook and %q", got.Origin, got.EventKey, ev.EventKey)
	}
}

// Belvo's examples send one webhook_id for a yearly and a monthly event:
// their keys differ; the same content keeps its key, whatever the origin
// or the time it was received.
func TestEventKeyTellsEventsApartAndKeepsRetriesTogether(t *testing.T) {
	yearly := WebhookEvent{WebhookID: "same", WebhookType: "TAX_RETURNS", WebhookCode: "new_tax_returns_available", LinkID: "l",
		Data: `{"type":"yearly","new_tax_returns":1}`}
	monthly := yearly
	monthly.Data = `{"type":"monthly","new_tax_returns":1}`
	retry := yearly
	retry.ReceivedAt, retry.IngestRequestID, retry.Origin = time.Now(), "other", OriginSweep
	ky, km := EventKey(&yearly), EventKey(&monthly)
	if ky == km || EventKey(&retry) != ky {
		t.Fatalf("keys yearly %s monthly %s retry %s", ky, km, EventKey(&retry))
	}
	if !strings.HasPrefix(ky, "same:") || len(ky) != len("same:")+16 {
		t.Fatalf("key %q is not the id, a colon and 16 hex digits", ky)
	}
	// Null and absent optional members hash alike; a request id does not.
	withRequest := yearly
	withRequest.RequestID = sp("r")
	if EventKey(&withRequest) == ky {
		t.Fatal("request_id is part of the content")
	}
	// Fixed value: migration 0005 computes the same key in SQL.
	if ky != "same:"+fixedYearlyHash {
		t.Fatalf("key %s changed: migration 0005's SQL must change with it", ky)
	}
}
