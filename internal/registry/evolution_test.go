package registry_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// The schemas of package schemas are checked here, by the registry client:
// schemas itself imports nothing of the module.

// releasedDir holds the schemas of the last release, as they were: the
// baseline every committed .avsc must stay BACKWARD compatible with;
// avroDir the current ones.
var (
	avroDir     = filepath.Join("..", "..", "schemas", "avro")
	releasedDir = filepath.Join(avroDir, "released")
)

// evolution registers the released schema under a subject of its own and
// asks the real registry whether current could follow it there, at the
// level the roles keep on their subjects.
type evolution struct {
	c      *registry.Client
	prefix string
}

func newEvolution(t *testing.T) *evolution {
	t.Helper()
	c, err := registry.NewClient(registry.Settings{URL: testenv.Registry(t), Compatibility: "BACKWARD"})
	if err != nil {
		t.Fatal(err)
	}
	return &evolution{c: c, prefix: testenv.Prefix(t)}
}

func (e *evolution) check(ctx context.Context, name, released, current string) (ok bool, reason string, err error) {
	subject := e.prefix + ".evolution." + strings.TrimSuffix(name, ".avsc") + "-value"
	if _, err := e.c.Register(ctx, subject, released); err != nil {
		return false, "", err
	}
	return e.c.Compatible(ctx, subject, current)
}

// Every committed schema must be readable-compatible with its released
// version: a consumer on the new schema reads everything the topics hold.
// An incompatible edit fails here, before a registry in production refuses
// it at a role's start.
func TestSchemasStayBackwardCompatibleWithTheReleasedOnes(t *testing.T) {
	e := newEvolution(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	released, err := filepath.Glob(filepath.Join(releasedDir, "*.avsc"))
	if err != nil || len(released) == 0 {
		t.Fatalf("no released schemas in %s (%v)", releasedDir, err)
	}
	current, err := filepath.Glob(filepath.Join(avroDir, "*.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	isCurrent := map[string]bool{}
	for _, p := range current {
		isCurrent[filepath.Base(p)] = true
	}
	for _, p := range released {
		name := filepath.Base(p)
		if !isCurrent[name] {
			t.Errorf("%s was released but %s/%s is gone: its topic still holds records of it. "+
				"Retire a schema deliberately: delete %s in the release that stops its topic", p, avroDir, name, p)
		}
	}
	checked := 0
	for _, p := range current {
		name := filepath.Base(p)
		rel, err := os.ReadFile(filepath.Join(releasedDir, name))
		if os.IsNotExist(err) {
			t.Logf("%s: new since the release, nothing to be compatible with", p)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		cur, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ok, reason, err := e.check(ctx, name, string(rel), string(cur))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !ok {
			t.Errorf("%s is not BACKWARD compatible with %s/%s (registry: %q). Add fields only as nullable with "+
				"default null; never remove, rename or retype one (docs/operations.md, Schema evolution)", p, releasedDir, name, reason)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no schema checked")
	}
}

// The check above must be able to fail: the registry refuses, for real
// schemas of ours, the edits that would break readers, and accepts the one
// that is allowed.
func TestEvolutionCheckRefusesBreakingEdits(t *testing.T) {
	e := newEvolution(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const name = "accounts.avsc"
	rel, err := os.ReadFile(filepath.Join(releasedDir, name))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit string
		ok   bool
		fn   func(fields []any) []any
	}{
		{"new required field", false, func(fs []any) []any {
			return append(fs, map[string]any{"name": "evolution_probe", "type": "string"})
		}},
		{"field type changed", false, func(fs []any) []any {
			fs[0].(map[string]any)["type"] = "long" // id: string in every released version
			return fs
		}},
		{"new nullable field with default null", true, func(fs []any) []any {
			return append(fs, map[string]any{"name": "evolution_probe", "type": []any{"null", "string"}, "default": nil})
		}},
	} {
		var s map[string]any
		if err := json.Unmarshal(rel, &s); err != nil {
			t.Fatal(err)
		}
		s["fields"] = tc.fn(s["fields"].([]any))
		edited, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		ok, reason, err := e.check(ctx, strings.ReplaceAll(tc.edit, " ", "_")+"."+name, string(rel), string(edited))
		if err != nil {
			t.Fatalf("%s: %v", tc.edit, err)
		}
		if ok != tc.ok {
			t.Errorf("%s: registry says compatible=%v (%q), want %v", tc.edit, ok, reason, tc.ok)
		}
	}
}
