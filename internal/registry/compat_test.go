package registry

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

const (
	compatV1 = `{"type":"record","name":"Evo","namespace":"test","fields":[{"name":"a","type":"string"}]}`
	// v2 adds a nullable field with a default: BACKWARD compatible.
	compatV2 = `{"type":"record","name":"Evo","namespace":"test","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","string"],"default":null}]}`
	// v3 adds a field without a default: a reader with v3 cannot read v1 data.
	compatV3 = `{"type":"record","name":"Evo","namespace":"test","fields":[{"name":"a","type":"string"},{"name":"c","type":"string"}]}`
)

// putCompatibility sets a subject's level behind the client's back, as an
// administrator would.
func putCompatibility(t *testing.T, base, subject, level string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"/config/"+subject, bytes.NewReader([]byte(`{"compatibility":"`+level+`"}`)))
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /config/%s: %s", subject, resp.Status)
	}
}

func TestRegisterSetsBackwardOnTheSubjectAndKeepsStricterLevels(t *testing.T) {
	base := testenv.Registry(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	prefix := testenv.Prefix(t)
	c, err := NewClient(Settings{URL: base, Compatibility: "BACKWARD"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, preset, want string
	}{
		// Apicurio reports a subject without a level of its own as NONE,
		// Confluent answers 404: both are set.
		{"fresh subject", "", "BACKWARD"},
		{"weaker level set by hand", "FORWARD", "BACKWARD"},
		{"stricter level set by hand", "FULL", "FULL"},
		{"transitive level set by hand", "BACKWARD_TRANSITIVE", "BACKWARD_TRANSITIVE"},
	} {
		subject := prefix + "." + strings.ReplaceAll(tc.name, " ", "_") + "-value"
		if tc.preset != "" {
			putCompatibility(t, base, subject, tc.preset)
		}
		if _, err := c.Register(ctx, subject, compatV1); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := c.Compatibility(ctx, subject)
		if err != nil || got != tc.want {
			t.Errorf("%s: compatibility %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}

	// off: the client neither reads nor writes the subject's level.
	off, err := NewClient(Settings{URL: base, Compatibility: CompatibilityOff})
	if err != nil {
		t.Fatal(err)
	}
	subject := prefix + ".off-value"
	putCompatibility(t, base, subject, "FORWARD")
	if _, err := off.Register(ctx, subject, compatV1); err != nil {
		t.Fatal(err)
	}
	if got, err := off.Compatibility(ctx, subject); err != nil || got != "FORWARD" {
		t.Errorf("off: compatibility %q (%v), want FORWARD left alone", got, err)
	}
}

// The level the roles set is what refuses a breaking change: with the
// subject at FORWARD (a hand-made mistake), the role's client puts it back
// to BACKWARD before registering, and the registry then refuses a new
// required field, at once and naming the subject.
func TestRegisterRefusesAnIncompatibleSchema(t *testing.T) {
	base := testenv.Registry(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := NewClient(Settings{URL: base, Compatibility: "BACKWARD"})
	if err != nil {
		t.Fatal(err)
	}
	subject := testenv.Prefix(t) + ".evo-value"
	putCompatibility(t, base, subject, "FORWARD") // FORWARD accepts v3 after v1
	if _, err := c.Register(ctx, subject, compatV1); err != nil {
		t.Fatal(err)
	}
	if ok, reason, err := c.Compatible(ctx, subject, compatV2); err != nil || !ok {
		t.Fatalf("v2 (new nullable field with default): compatible %v %q %v, want true", ok, reason, err)
	}
	if ok, reason, err := c.Compatible(ctx, subject, compatV3); err != nil || ok {
		t.Fatalf("v3 (new required field): compatible %v %q %v, want false", ok, reason, err)
	}
	_, err = c.Register(ctx, subject, compatV3)
	var ie *IncompatibleError
	if !errors.As(err, &ie) || ie.Subject != subject || !strings.Contains(err.Error(), "incompatible") {
		t.Fatalf("register v3: %v, want an IncompatibleError for %s", err, subject)
	}
	if _, err := c.Register(ctx, subject, compatV2); err != nil {
		t.Fatalf("register v2 after the refusal: %v", err)
	}
	vs, err := c.sr.SubjectVersions(ctx, subject)
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions %v (%v), want v1 and v2 only", vs, err)
	}
}

func TestSatisfies(t *testing.T) {
	levels := []sr.CompatibilityLevel{0, sr.CompatNone, sr.CompatBackward, sr.CompatBackwardTransitive, sr.CompatForward, sr.CompatForwardTransitive, sr.CompatFull, sr.CompatFullTransitive}
	want := map[sr.CompatibilityLevel]map[sr.CompatibilityLevel]bool{
		sr.CompatBackward:           {sr.CompatBackward: true, sr.CompatBackwardTransitive: true, sr.CompatFull: true, sr.CompatFullTransitive: true},
		sr.CompatBackwardTransitive: {sr.CompatBackwardTransitive: true, sr.CompatFullTransitive: true},
		sr.CompatFull:               {sr.CompatFull: true, sr.CompatFullTransitive: true},
		sr.CompatFullTransitive:     {sr.CompatFullTransitive: true},
	}
	for w, ok := range want {
		for _, have := range levels {
			if satisfies(have, w) != ok[have] {
				t.Errorf("satisfies(%v, %v) = %v", have, w, !ok[have])
			}
		}
	}
}
