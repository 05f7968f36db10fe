package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// external are the metrics the alerts use that other exporters provide:
// Prometheus itself (up) and kube-state-metrics.
var external = map[string]bool{
	"up":                                    true,
	"kube_deployment_status_replicas_ready": true,
	"kube_deployment_spec_replicas":         true,
}

// alertRule is one alerting rule of a PrometheusRule.
type alertRule struct {
	name, expr, forDur, severity string
}

func alertRules(objs []object) []alertRule {
	var out []alertRule
	for _, pr := range byKind(objs, "PrometheusRule") {
		for _, g := range list(pr, "spec", "groups") {
			for _, r := range list(g, "rules") {
				if str(r, "alert") == "" {
					continue
				}
				out = append(out, alertRule{name: str(r, "alert"), expr: str(r, "expr"), forDur: str(r, "for"), severity: str(r, "labels", "severity")})
			}
		}
	}
	return out
}

var promParser = parser.NewParser(parser.Options{})

// metricNames returns the metric names an expression selects.
func metricNames(expr string) ([]string, error) {
	e, err := promParser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names, nil
}

func checkRules(root string, objs []object) []string {
	var p problems
	rules := alertRules(objs)
	if len(rules) == 0 {
		return nil // checkRendered reports a missing PrometheusRule
	}
	code, err := exportedMetrics(root)
	if err != nil {
		return []string{err.Error()}
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.name] {
			p.add("alert %s defined twice", r.name)
		}
		seen[r.name] = true
		names, err := metricNames(r.expr)
		if err != nil {
			p.add("alert %s: %v", r.name, err)
			continue
		}
		for _, n := range names {
			if !code[n] && !external[n] {
				p.add("alert %s: metric %s is exported by no role (code) and no known exporter", r.name, n)
			}
		}
		if r.forDur != "" {
			if _, err := model.ParseDuration(r.forDur); err != nil {
				p.add("alert %s: for %q: %v", r.name, r.forDur, err)
			}
		}
		if r.severity != "critical" && r.severity != "warning" {
			p.add("alert %s: severity %q, want critical or warning", r.name, r.severity)
		}
	}
	table, err := alertTable(filepath.Join(root, "docs", "operations.md"))
	if err != nil {
		return append(p, err.Error())
	}
	for _, msg := range compareAlerts(rules, table) {
		p.add("%s", msg)
	}
	return p
}

// docAlert is a row of the alert table in docs/operations.md.
type docAlert struct {
	name, expr, forDur string
	page, promQL       bool
}

// alertTable reads the table under "| alert | expression | for | why |".
func alertTable(file string) ([]docAlert, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []docAlert
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "| alert | expression | for |") {
			in = true
			continue
		}
		if !in {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		if strings.HasPrefix(line, "|---") {
			continue
		}
		cells := splitRow(line)
		if len(cells) < 3 {
			return nil, fmt.Errorf("%s: alert row %q has %d cells", file, line, len(cells))
		}
		name, _, _ := strings.Cut(cells[0], " ")
		a := docAlert{name: name, page: strings.Contains(cells[0], "(page)"), forDur: cells[2]}
		if a.forDur == "—" || a.forDur == "-" {
			a.forDur = ""
		}
		expr := cells[1]
		if strings.Count(expr, "`") == 2 && strings.HasPrefix(expr, "`") && strings.HasSuffix(expr, "`") {
			a.expr, a.promQL = strings.Trim(expr, "`"), true
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no alert table (| alert | expression | for | why |)", file)
	}
	return out, nil
}

// splitRow splits a Markdown table row on the pipes that are not escaped
// (\| stands for | inside a cell) and unescapes them.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// compareAlerts: the table documents exactly the rules, expression for
// expression (compared as parsed), with the same for and the pages marked.
func compareAlerts(rules []alertRule, table []docAlert) []string {
	var out []string
	doc := map[string]docAlert{}
	for _, a := range table {
		doc[a.name] = a
	}
	inRules := map[string]bool{}
	for _, r := range rules {
		inRules[r.name] = true
		a, ok := doc[r.name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("alert %s is not in docs/operations.md's alert table", r.name))
			continue
		case !a.promQL:
			out = append(out, fmt.Sprintf("alert %s: its docs/operations.md row has no PromQL expression (one `code span`)", r.name))
			continue
		}
		if !sameExpr(r.expr, a.expr) {
			out = append(out, fmt.Sprintf("alert %s: expression differs from docs/operations.md:\n  rule: %s\n  docs: %s", r.name, r.expr, a.expr))
		}
		if r.forDur != a.forDur {
			out = append(out, fmt.Sprintf("alert %s: for %q, docs/operations.md says %q", r.name, r.forDur, a.forDur))
		}
		if (r.severity == "critical") != a.page {
			out = append(out, fmt.Sprintf("alert %s: severity %s, but docs/operations.md marks it page=%v", r.name, r.severity, a.page))
		}
	}
	for _, a := range table {
		if a.promQL && !inRules[a.name] {
			out = append(out, fmt.Sprintf("docs/operations.md documents alert %s, the PrometheusRule has no such rule", a.name))
		}
	}
	return out
}

func sameExpr(a, b string) bool {
	ea, err1 := promParser.ParseExpr(a)
	eb, err2 := promParser.ParseExpr(b)
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return ea.String() == eb.String()
}

var (
	metricName = regexp.MustCompile(`(?:Name:\s*|NewDesc\(\s*)"([a-zA-Z_:][a-zA-Z0-9_:]*)"`)
)

// exportedMetrics collects the metric names the module's Go code declares
// (Name: "..." of prometheus.*Opts, prometheus.NewDesc("...")), with the
// series a histogram or summary adds.
func exportedMetrics(root string) (map[string]bool, error) {
	names := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "deploy" || d.Name() == "bin" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range metricName.FindAllSubmatch(b, -1) {
			n := string(m[1])
			names[n] = true
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[n+s] = true
			}
		}
		return nil
	})
	if len(names) == 0 && err == nil {
		err = fmt.Errorf("no metric found in the Go code under %s", root)
	}
	return names, err
}
