package schemas

import (
	"encoding/json"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
)

func TestAvroName(t *testing.T) {
	for name, want := range map[string]string{
		"accounts":              "Accounts",
		"tax_compliance_status": "TaxComplianceStatus",
		"employment_metrics":    "EmploymentMetrics",
	} {
		if got := (Resource{Name: name}).AvroName(); got != want {
			t.Errorf("AvroName(%s) = %s, want %s", name, got, want)
		}
	}
}

func TestAvroSchemasCompile(t *testing.T) {
	for _, r := range Resources {
		codec, err := goavro.NewCodec(r.AvroSchema())
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		var parsed struct {
			Name, Namespace string
			Fields          []struct {
				Name    string
				Type    any
				Default any
			}
		}
		if err := json.Unmarshal([]byte(codec.Schema()), &parsed); err != nil {
			t.Fatal(err)
		}
		if parsed.Namespace != AvroNamespace || parsed.Name != r.AvroName() {
			t.Errorf("%s: record %s.%s", r.Name, parsed.Namespace, parsed.Name)
		}
		var got []string
		for _, f := range parsed.Fields {
			got = append(got, f.Name)
		}
		want := []string{FieldID, FieldLinkID, FieldDeleted}
		for _, f := range r.Fields {
			want = append(want, f.Name)
		}
		want = append(want, FieldRaw, FieldWebhookID, FieldRequestID, FieldFetchedAt, FieldUnfit)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: fields %v, want %v", r.Name, got, want)
		}
	}
}

// A record holding only id, link_id and fetched_at must encode: every other
// field has a default, so a producer (or a deletion) may leave it out, and
// a consumer reading an older schema version can fill it in.
func TestAvroDefaults(t *testing.T) {
	for _, r := range Resources {
		codec, err := goavro.NewCodec(r.AvroSchema())
		if err != nil {
			t.Fatal(err)
		}
		native := map[string]any{FieldID: "x", FieldLinkID: "l", FieldFetchedAt: time.Unix(0, 0).UTC()}
		bin, err := codec.BinaryFromNative(nil, native)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		back, _, err := codec.NativeFromBinary(bin)
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		m := back.(map[string]any)
		if m[FieldDeleted] != false || m[FieldRaw] != nil {
			t.Errorf("%s: defaults deleted=%v raw=%v", r.Name, m[FieldDeleted], m[FieldRaw])
		}
	}
}

// AvroBranch is what converters wrap values in; a wrong name makes goavro
// refuse every non-null value of that kind.
func TestAvroBranchEncodes(t *testing.T) {
	values := map[Kind]any{
		String:    "x",
		Enum:      "BRL",
		Int:       int64(7),
		Float:     0.5,
		Bool:      true,
		Decimal:   big.NewRat(-1, 100),
		Date:      time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC),
		Timestamp: time.Date(2024, 3, 15, 10, 0, 0, 123456000, time.UTC),
	}
	for k := String; k <= Enum; k++ {
		r := Resource{Name: "probe", Fields: []Field{{Name: "v", Kind: k}}}
		codec, err := goavro.NewCodec(r.AvroSchema())
		if err != nil {
			t.Fatal(err)
		}
		native := map[string]any{FieldID: "x", FieldLinkID: "l", FieldFetchedAt: time.Unix(0, 0).UTC(),
			"v": map[string]any{k.AvroBranch(): values[k]}}
		bin, err := codec.BinaryFromNative(nil, native)
		if err != nil {
			t.Errorf("kind %s: %v", k, err)
			continue
		}
		back, _, err := codec.NativeFromBinary(bin)
		if err != nil {
			t.Fatal(err)
		}
		got := back.(map[string]any)["v"].(map[string]any)[k.AvroBranch()]
		if r, ok := got.(*big.Rat); ok {
			if r.Cmp(values[k].(*big.Rat)) != 0 {
				t.Errorf("kind %s: %v, want %v", k, r, values[k])
			}
		} else if !reflect.DeepEqual(got, values[k]) {
			t.Errorf("kind %s: %#v, want %#v", k, got, values[k])
		}
	}
}
