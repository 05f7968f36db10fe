package fetcher

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/privacy"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

const testPrivacyKey = "fetcher-test-key-of-at-least-32-bytes"

func TestPrivacySettingsNamed(t *testing.T) {
	good := map[string]string{"BELVO_URL": "http://127.0.0.1:8090", "BELVO_SECRET_ID": "id", "BELVO_SECRET_PASSWORD": "pw"}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range good {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	cfg, err := parseConfig(t, good)
	if err != nil || cfg.Privacy.Mode != privacy.ModeOff {
		t.Fatalf("default privacy mode %q, %v; want off", cfg.Privacy.Mode, err)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{with(privacy.EnvMode, "protect"), privacy.EnvKey},
		{with(privacy.EnvMode, "hash"), privacy.EnvMode},
		{with(privacy.EnvMode, "protect", privacy.EnvKey, testPrivacyKey, privacy.EnvRules, "owners:email.x=hash"), privacy.EnvRules},
		{with(privacy.EnvRules, "nobody:email=hash"), privacy.EnvRules},
	} {
		if _, err := parseConfig(t, c.env); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error naming %s", c.env, err, c.want)
		}
	}
	if _, err := parseConfig(t, with(privacy.EnvMode, "protect", privacy.EnvKey, testPrivacyKey)); err != nil {
		t.Errorf("the default policy with a key is refused: %v", err)
	}
}

// The outputs step protects the raw JSON before converting it, so the
// typed columns, the derived id and the raw column of every resource's
// example carry no protected value, and a hashed column holds the same
// token as the raw JSON (joins on either work). With privacy off, or for a
// resource the policy leaves alone, no protector is entered at all.
func TestProtectBeforeConvert(t *testing.T) {
	s := privacy.Settings{Mode: privacy.ModeProtect, Key: testPrivacyKey, KeyID: "k1"}
	p, err := s.Protector(privacyPolicy())
	if err != nil {
		t.Fatal(err)
	}
	lineage := records.Lineage{LinkID: "l", WebhookID: "w", FetchedAt: time.Now()}
	convert := func(res schemas.Resource, prot *privacy.Protector, raw []byte) (*output, broker.Message) {
		t.Helper()
		conv, err := records.New(res)
		if err != nil {
			t.Fatal(err)
		}
		out := newOutput(res.Topic("belvo"), conv, &registry.Codec{ID: 1, Avro: conv.Codec()}, prot)
		msgs := make([]broker.Message, 1)
		(&Fetcher{}).convertRange(Event{}, Call{Resource: res}, out, belvo.Page{Records: []json.RawMessage{raw}}, lineage, nil, msgs, 0, 1)
		if msgs[0].Topic != out.topic {
			t.Fatalf("%s: the record went to %s, not its topic", res.Name, msgs[0].Topic)
		}
		return out, msgs[0]
	}
	for name := range schemas.Privacy {
		res, _ := schemas.ResourceByName(name)
		raw, err := os.ReadFile("../internal/emulator/templates/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		plain := protectedStrings(name, raw)
		if len(plain) == 0 {
			t.Fatalf("%s: the example has no protected value to look for", name)
		}
		if out, msg := convert(res, p, raw); out.protect == nil {
			t.Fatalf("%s: the policy covers it, its output protects nothing", name)
		} else {
			for _, v := range plain {
				if bytes.Contains(msg.Value, []byte(v)) {
					t.Errorf("%s: %q in plain text in the record's Avro", name, v)
				}
			}
		}
	}
	owners, _ := schemas.ResourceByName("owners")
	record := []byte(`{"id":"o1","email":"a@b.example"}`)
	out, msg := convert(owners, nil, record)
	if out.protect != nil || !bytes.Contains(msg.Value, record) {
		t.Errorf("protection off: protector %v, the record's raw JSON changed: % x", out.protect, msg.Value)
	}
	for _, r := range schemas.Resources {
		if _, covered := schemas.Privacy[r.Name]; !covered {
			conv, err := records.New(r)
			if err != nil {
				t.Fatal(err)
			}
			if out := newOutput(r.Topic("belvo"), conv, &registry.Codec{ID: 1, Avro: conv.Codec()}, p); out.protect != nil {
				t.Errorf("%s: no rule of the policy, yet its output has a protector", r.Name)
			}
		}
	}
}

// protectedStrings are the example's values at the protected paths, less
// those shorter than 4 bytes and dates (both also occur by chance
// elsewhere in the record).
func protectedStrings(resource string, raw []byte) []string {
	var out []string
	for _, r := range schemas.Privacy[resource] {
		for _, v := range privacy.Values(raw, r.Path) {
			if _, err := time.Parse(time.DateOnly, v); len(v) >= 4 && err != nil {
				out = append(out, v)
			}
		}
	}
	return out
}
