package schemas

import (
	"fmt"
	"strings"
)

// What is generated from the tables of this package, and by what: one
// `go generate ./...` (make generate) rewrites all of it, and each piece
// has a drift test that fails until the result is committed.
//
//   - avro/<table>.avsc and avro/webhook_event.avsc: the go:generate
//     directive in avro.go (the TestGolden* tests with UPDATE_GOLDEN=1);
//   - the Markdown blocks of docBlocks below (docs/topics.md): the same
//     directive, TestGoldenDocs;
//   - schemas/clickhouse/migrations/*.sql (the record tables, the freshness
//     view, ...): internal/migrate's directive (migrate.GeneratedFiles);
//   - deploy/k8s/base/kafka/topics.yaml: deploy/topics' directive;
//   - docs/configuration.md: cmd/belvo-pipeline's directive.

// docBlock is a generated part of a Markdown file: the lines between
// "<!-- generated: Name -->" and "<!-- end generated: Name -->", which
// Render writes from the tables.
type docBlock struct {
	File, Name string // File is relative to this package
	Render     func() string
}

func docBlocks() []docBlock {
	return []docBlock{
		{"../docs/topics.md", "webhook-topics", webhookTopicsText},
		{"../docs/topics.md", "record-topics", recordTopicsTable},
	}
}

// webhookTopicsText names the webhook topics of the catalogue's types.
func webhookTopicsText() string {
	var names []string
	for _, t := range WebhookTypes() {
		names = append(names, "`"+strings.TrimPrefix(WebhookTopic("", t), ".webhooks.")+"`")
	}
	return "One topic per webhook type of the catalogue (`schemas/catalogue.go`), lower case: " +
		strings.Join(names, ", ") + "."
}

// factSources says, for the docs, where each fact comes from; a fact
// missing here is described from its WebhookType.
var factSources = map[string]string{
	"link_events":     "`LINK` webhooks (fact, no fetch)",
	"consent_events":  "`CONSENT` webhooks (fact)",
	"error_events":    "any webhook whose `data` carries errors (fact)",
	"requests":        "asynchronous requests the fetcher sent (fact)",
	"reconciliations": "one per fetching event with an announced count: announced vs fetched (fact)",
}

// recordTopicsTable is docs/topics.md's table of record topics: one row per
// entry of Tables().
func recordTopicsTable() string {
	var b strings.Builder
	b.WriteString("| topic | announced by | Belvo list endpoint |\n|---|---|---|\n")
	for _, r := range Resources {
		fmt.Fprintf(&b, "| `%s` | `%s` webhooks | `%s` |\n", r.Topic("belvo"), r.WebhookType, r.Path)
	}
	for _, f := range Facts {
		src, ok := factSources[f.Name]
		switch {
		case ok:
		case f.WebhookType != "":
			src = "`" + f.WebhookType + "` webhooks (fact)"
		default:
			src = "made by the pipeline (fact)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | — |\n", f.Topic("belvo"), src)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// replaceBlock returns doc with the block called name replaced by body, or
// an error when its markers are missing.
func replaceBlock(doc, name, body string) (string, error) {
	begin, end := "<!-- generated: "+name+" -->\n", "\n<!-- end generated: "+name+" -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %q ... %q markers", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	return doc[:i+len(begin)] + body + doc[j:], nil
}
