package schemas

import (
	"os"
	"strings"
	"testing"
)

// The docs' blocks generated from the tables are committed as generated
// (UPDATE_GOLDEN=1, i.e. go generate ./schemas, rewrites them).
func TestGoldenDocs(t *testing.T) {
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, blk := range docBlocks() {
		b, err := os.ReadFile(blk.File)
		if err != nil {
			t.Fatal(err)
		}
		want, err := replaceBlock(string(b), blk.Name, blk.Render())
		if err != nil {
			t.Fatalf("%s: %v", blk.File, err)
		}
		if update {
			if err := os.WriteFile(blk.File, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if want != string(b) {
			t.Errorf("%s: block %s drifted from the tables (run go generate ./schemas and review the diff)", blk.File, blk.Name)
		}
	}
}

// Every table has a row in the docs' table, and a block without markers is
// refused rather than appended somewhere.
func TestDocBlocksCoverTheTables(t *testing.T) {
	table := recordTopicsTable()
	for _, r := range Tables() {
		if !strings.Contains(table, "| `"+r.Topic("belvo")+"` |") {
			t.Errorf("no row for %s in\n%s", r.Name, table)
		}
	}
	for _, f := range Facts {
		if _, ok := factSources[f.Name]; !ok {
			t.Errorf("fact %s has no entry in factSources: say where it comes from", f.Name)
		}
	}
	if _, err := replaceBlock("no markers here", "record-topics", "x"); err == nil {
		t.Error("replaceBlock accepted a document without markers")
	}
	got, err := replaceBlock("a\n<!-- generated: n -->\nold\n<!-- end generated: n -->\nb", "n", "new")
	if err != nil || got != "a\n<!-- generated: n -->\nnew\n<!-- end generated: n -->\nb" {
		t.Errorf("replaceBlock = %q, %v", got, err)
	}
}
