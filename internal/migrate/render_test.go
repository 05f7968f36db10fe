package migrate

import (
	"regexp"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"-- only a comment;\n", nil},
		{"SELECT 'a;b', `c;d` -- e;f\n; SELECT 2", []string{"SELECT 'a;b', `c;d` -- e;f", "SELECT 2"}},
		{"SELECT 'it\\'s;'; /* x; */ SELECT 3", []string{"SELECT 'it\\'s;'", "/* x; */ SELECT 3"}},
		{"-- header\n\nCREATE TABLE t (a Int8);\n\n-- trailer\n", []string{"-- header\n\nCREATE TABLE t (a Int8)"}},
	} {
		got := SplitStatements(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("SplitStatements(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var (
	createStmt = regexp.MustCompile(`(?s)^(?:--[^\n]*\n|\s)*CREATE (?:OR REPLACE )?(TABLE|VIEW|DATABASE)`)
	engineRe   = regexp.MustCompile(`ENGINE = (\w+)`)
	alterStmt  = regexp.MustCompile(`(?s)^(?:--[^\n]*\n|\s)*ALTER TABLE `)
)

// idempotent says whether s may be applied again: a CREATE ... IF NOT
// EXISTS / OR REPLACE, or an ALTER TABLE that only adds columns IF NOT
// EXISTS.
func idempotent(s string) bool {
	if createStmt.MatchString(s) {
		return true
	}
	if !alterStmt.MatchString(s) {
		return false
	}
	for _, clause := range []string{"DROP ", "MODIFY ", "RENAME ", "CLEAR ", "UPDATE ", "DELETE "} {
		if strings.Contains(s, clause) {
			return false
		}
	}
	return strings.Count(s, "ADD COLUMN ") > 0 && strings.Count(s, "ADD COLUMN ") == strings.Count(s, "ADD COLUMN IF NOT EXISTS ")
}

// In cluster mode every statement of every migration runs ON CLUSTER and
// every table is replicated; on one server none is. A migration added
// without the template functions fails here rather than in production.
func TestClusterRendering(t *testing.T) {
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		for _, mode := range []Target{{Database: "belvo"}, {Database: "belvo", Cluster: "{cluster}"}} {
			stmts, err := m.SQL(mode)
			if err != nil {
				t.Fatal(err)
			}
			if len(stmts) == 0 {
				t.Errorf("%04d renders no statement", m.Version)
			}
			for _, s := range stmts {
				if !idempotent(s) {
					t.Errorf("%04d: statement is not an idempotent CREATE or ADD COLUMN: %.80s", m.Version, s)
				}
				hasCluster := strings.Contains(s, " ON CLUSTER '{cluster}'")
				if hasCluster != (mode.Cluster != "") {
					t.Errorf("%04d cluster=%q: ON CLUSTER present=%v in %.120s", m.Version, mode.Cluster, hasCluster, s)
				}
				for _, e := range engineRe.FindAllStringSubmatch(s, -1) {
					if replicated := strings.HasPrefix(e[1], "Replicated"); replicated != (mode.Cluster != "") {
						t.Errorf("%04d cluster=%q: engine %s", m.Version, mode.Cluster, e[1])
					}
				}
				if strings.Contains(s, "CREATE TABLE") && !strings.Contains(s, "deduplication_window = ") {
					t.Errorf("%04d: a table without a dedup window ignores insert_deduplication_token: %.80s", m.Version, s)
				}
			}
		}
	}
}

// The recorded checksum names the migration's text, not where it went: the
// same version migrated into another database or a cluster must not look
// changed.
func TestChecksumsIgnoreTarget(t *testing.T) {
	a, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, m := range a {
		if len(m.Checksum) != 64 || seen[m.Version] {
			t.Errorf("%04d: checksum %q", m.Version, m.Checksum)
		}
		seen[m.Version] = true
		other, _ := m.Text(Target{Database: "elsewhere"})
		if !strings.Contains(other, "`elsewhere`.") || strings.Contains(other, "`belvo`.") {
			t.Errorf("%04d does not move to another database", m.Version)
		}
	}
	for _, v := range []int{1, 2, 3, 4} {
		if !seen[v] {
			t.Errorf("migration %04d missing", v)
		}
	}
}
