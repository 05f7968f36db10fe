package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

const module = "github.com/finflow/belvo-pipeline"

// Layers, lowest first. A package may depend on its own layer and those
// below; the stages meet only at Kafka topics and package schemas, so a stage
// may not depend on another stage either.
const (
	layerSchemas  = iota // schemas/...: the one description, imports nothing of the module
	layerInternal        // internal/...: clients, codecs, the emulator, test helpers
	layerStage           // ingest, fetcher, sink
	layerCommand         // cmd/... (the binary, run-everything-in-one-process, chaos), deploy/... generators and checks
)

var layerNames = []string{"schemas", "internal", "stage", "command"}

var stages = []string{"ingest", "fetcher", "sink"}

// place returns the layer of a package path relative to the module, and for
// a stage its name.
func place(rel string) (layer int, stage string, ok bool) {
	top, _, _ := strings.Cut(rel, "/")
	switch {
	case top == "schemas":
		return layerSchemas, "", true
	case top == "internal":
		return layerInternal, "", true
	case slices.Contains(stages, top):
		return layerStage, top, true
	case top == "cmd" || top == "deploy":
		return layerCommand, "", true
	}
	return 0, "", false
}

// listed is what `go list -json` says of one package (a test variant too).
type listed struct {
	ImportPath string
	ForTest    string
	Deps       []string
}

// owner is the module-relative path of the package a listing belongs to:
// a package's test variants ("p [p.test]", "p_test [p.test]") count as p,
// so the rules hold for test imports too.
func (l listed) owner() string {
	p := l.ImportPath
	if l.ForTest != "" {
		p = l.ForTest
	}
	p, _, _ = strings.Cut(p, " ")
	return strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
}

// violations returns every dependency of pkgs that breaks the layering, one
// line each, sorted.
func violations(pkgs []listed) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pkgs {
		if strings.HasSuffix(p.ImportPath, ".test") {
			continue // a test binary's generated main
		}
		from := p.owner()
		fl, fs, ok := place(from)
		if !ok {
			out = append(out, fmt.Sprintf("%s is in no layer: put it under cmd/, a stage, internal/ or schemas/ (or name its layer in internal/layout)", from))
			continue
		}
		for _, d := range p.Deps {
			d, _, _ = strings.Cut(d, " ")
			if d != module && !strings.HasPrefix(d, module+"/") {
				continue
			}
			to := strings.TrimPrefix(strings.TrimPrefix(d, module), "/")
			if to == from {
				continue
			}
			tl, ts, ok := place(to)
			var why string
			switch {
			case !ok:
				why = "a package in no layer"
			case tl > fl:
				why = fmt.Sprintf("the %s layer depends on the %s layer above it", layerNames[fl], layerNames[tl])
			case fs != "" && ts != "" && fs != ts:
				why = "one stage depends on another: stages meet only at topics and schemas"
			default:
				continue
			}
			line := fmt.Sprintf("%s → %s: %s", from, to, why)
			if !seen[line] {
				seen[line] = true
				out = append(out, line)
			}
		}
	}
	slices.Sort(out)
	return out
}

// listModule runs `go list -test -json` over the module: every package and
// its test variants with their transitive dependencies. Integration-tagged
// files are included, so no test escapes the rules.
func listModule(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-test", "-tags", "integration", "-json=ImportPath,ForTest,Deps", "./...")
	cmd.Dir = testenv.Root(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages: not the whole module", len(pkgs))
	}
	return pkgs
}

// Dependencies point one way: cmd → stages → internal → schemas; no stage
// depends on another (tests included); internal/... depends on no stage and
// nothing under cmd; schemas on nothing else of the module.
func TestDependenciesPointOneWay(t *testing.T) {
	for _, v := range violations(listModule(t)) {
		t.Error(v)
	}
}

// The rules catch each kind of wrong edge, a test's import included.
func TestViolationsFindsEachWrongEdge(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	pkgs := []listed{
		{ImportPath: m("cmd/belvo-pipeline"), Deps: []string{m("ingest"), m("fetcher"), m("internal/config"), "fmt"}},
		{ImportPath: m("fetcher"), Deps: []string{m("internal/broker"), m("schemas")}},
		{ImportPath: m("fetcher") + " [" + m("fetcher") + ".test]", ForTest: m("fetcher"), Deps: []string{m("ingest") + " [" + m("fetcher") + ".test]"}},
		{ImportPath: m("sink/x"), Deps: []string{m("sink"), m("schemas")}},
		{ImportPath: m("internal/registry_test") + " [" + m("internal/registry") + ".test]", ForTest: m("internal/registry"), Deps: []string{m("sink")}},
		{ImportPath: m("internal/broker"), Deps: []string{m("cmd/internal/pipeline"), m("internal/config")}},
		{ImportPath: m("schemas"), Deps: []string{m("internal/registry")}},
		{ImportPath: m("tools/gen"), Deps: nil},
		{ImportPath: m("fetcher") + ".test", Deps: []string{m("ingest")}},
	}
	got := violations(pkgs)
	want := []string{
		"fetcher → ingest: one stage depends on another: stages meet only at topics and schemas",
		"internal/broker → cmd/internal/pipeline: the internal layer depends on the command layer above it",
		"internal/registry → sink: the internal layer depends on the stage layer above it",
		"schemas → internal/registry: the schemas layer depends on the internal layer above it",
		"tools/gen is in no layer: put it under cmd/, a stage, internal/ or schemas/ (or name its layer in internal/layout)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
