package migrate

import (
	"strconv"
	"strings"
	"text/template"

	"github.com/finflow/belvo-pipeline/schemas"
)

// renderTemplate executes a hand-written migration. Besides .DB (the quoted
// database) and .OnCluster (" ON CLUSTER 'name'" or nothing), a template
// calls:
//
//	{{replacing "`version`"}}  ReplacingMergeTree(args), or its Replicated form
//	{{dedupWindow}}           the SETTINGS line that makes insert_deduplication_token work
//
// so that one text serves a single server and a cluster, with the same
// engine path and dedup window as schemas.Resource.CreateTable.
func renderTemplate(name, text string, t Target) (string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"replacing":   func(args string) string { return replacing(t.Cluster, args) },
		"dedupWindow": func() string { return dedupWindow(t.Cluster) },
	}).Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tmpl.Execute(&b, struct{ DB, OnCluster string }{schemas.QuoteIdent(t.Database), onCluster(t.Cluster)})
	return b.String(), err
}

// replacing is the ReplacingMergeTree engine with args, or its Replicated
// form on a cluster.
func replacing(cluster, args string) string {
	if cluster == "" {
		return "ReplacingMergeTree(" + args + ")"
	}
	return "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', " + args + ")"
}

// dedupWindow is the SETTINGS line that makes insert_deduplication_token
// work on a table of a single server or a cluster.
func dedupWindow(cluster string) string {
	if cluster == "" {
		return "SETTINGS non_replicated_deduplication_window = " + strconv.Itoa(schemas.DedupWindow)
	}
	return "SETTINGS replicated_deduplication_window = " + strconv.Itoa(schemas.DedupWindow)
}

func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " ON CLUSTER '" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(cluster) + "'"
}

// SplitStatements cuts a script at the semicolons that end statements:
// those outside quotes, backquotes and comments. Pieces holding only
// comments and blanks are dropped; comments inside a statement stay.
func SplitStatements(script string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(script[start:end]); !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(script); i++ {
		switch c := script[i]; {
		case c == '\'' || c == '"' || c == '`':
			for i++; i < len(script) && script[i] != c; i++ {
				if script[i] == '\\' {
					i++
				}
			}
		case c == '-' && strings.HasPrefix(script[i:], "--"):
			for i < len(script) && script[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			end := strings.Index(script[i+2:], "*/")
			if end < 0 {
				i = len(script)
			} else {
				i += end + 3
			}
		case c == ';':
			emit(i)
			start = i + 1
		}
	}
	emit(len(script))
	return out
}

func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}
