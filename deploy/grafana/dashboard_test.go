package grafana

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// exported finds the metric names the roles register: Name: "ingest_...",
// "fetcher_...", "sink_..." in non-test Go files of the module.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	re := regexp.MustCompile(`Name:\s*"((?:ingest|fetcher|sink)_[a-z0-9_]+)"`)
	names := map[string]bool{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "../.." || d.Name() == "deploy" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestDashboardMetricsExist fails when the dashboard queries a metric the
// code does not export (a rename), and lists exported metrics the
// dashboard does not show yet.
func TestDashboardMetricsExist(t *testing.T) {
	b, err := os.ReadFile("belvo-pipeline.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("belvo-pipeline.json: %v", err)
	}
	code := exported(t)
	if len(code) == 0 {
		t.Fatal("found no exported metric in the code")
	}
	re := regexp.MustCompile(`(?:^|[^$\w])((?:ingest|fetcher|sink)_[a-z0-9_]+)`) // not $variables
	used := map[string]bool{}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range re.FindAllStringSubmatch(tg.Expr, -1) {
				name := m[1]
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if base := strings.TrimSuffix(name, suffix); base != name && code[base] {
						name = base
					}
				}
				used[name] = true
				if !code[name] {
					t.Errorf("panel %q queries %s, which no role exports", p.Title, name)
				}
			}
		}
	}
	var missing []string
	for n := range code {
		if !used[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Logf("exported but not on the dashboard yet: %s", strings.Join(missing, ", "))
	}
}
