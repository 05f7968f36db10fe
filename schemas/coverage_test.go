package schemas

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Coverage targets: the share of a resource's response fields an analyst
// finds as typed columns (or child views) instead of digging in raw.
const (
	coverageTopTarget = 0.90 // top-level members of the record
	coverageTwoTarget = 0.75 // members up to two levels deep
)

// references are members that embed another resource's record. They count
// as one field, covered by their id column: an analyst joins the other
// resource's table (transactions.account_id = accounts.id) rather than read
// a copy of it taken at fetch time.
var references = map[string]string{
	"transactions.account":               "accounts",
	"bills.account":                      "accounts",
	"recurring_expenses.account":         "accounts",
	"investment_transactions.investment": "investments",
}

// coverage measures one resource against the component its row names.
//
// How members count:
//   - level one: every member of the record (allOf merged, oneOf/anyOf
//     alternatives merged); level two: every scalar or array at the top,
//     and every member of a top-level object in its place;
//   - a scalar is covered by a Field with its exact path; id and link by
//     the id and link_id columns every table has;
//   - an object (declared members or free-form, as tax returns' sections)
//     is covered by any Field or Child under it; at level two its members
//     are counted one by one, a free-form object counts once;
//   - an array (of objects or of scalars) is covered by a Child view over
//     it, at either level;
//   - a member embedding another resource's record (references) counts once,
//     covered by its id column;
//   - a file (format binary: base64 PDFs) is a document, not a field: it is
//     kept in raw and not counted.
type coverage struct {
	topCovered, top, twoCovered, two int
	missingTop, missingTwo           []string
}

func (c coverage) share(covered, total int) float64 {
	if total == 0 {
		return 1
	}
	return float64(covered) / float64(total)
}

// members lists an object schema's properties, through $ref, allOf and
// (for a schema that is only alternatives) oneOf/anyOf.
func (s spec) members(node any) map[string]map[string]any {
	m := s.resolve(node)
	out := map[string]map[string]any{}
	if m == nil {
		return out
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for k, v := range props {
			if r := s.resolve(v); r != nil {
				out[k] = r
			}
		}
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		if key != "allOf" && (m["properties"] != nil || m["allOf"] != nil) {
			continue
		}
		parts, _ := m[key].([]any)
		for _, p := range parts {
			for k, v := range s.members(p) {
				out[k] = v
			}
		}
	}
	return out
}

// shapeOf says whether a member schema is an array, an object or a scalar.
func (s spec) shapeOf(m map[string]any) string {
	if m["type"] == "array" {
		return "array"
	}
	if m["type"] == "object" || m["properties"] != nil || len(s.members(m)) > 0 {
		return "object"
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		parts, _ := m[key].([]any)
		for _, p := range parts {
			if sh := s.shapeOf(s.resolve(p)); sh != "scalar" {
				return sh
			}
		}
	}
	return "scalar"
}

func measure(s spec, r Resource) coverage {
	typed := map[string]bool{FieldID: true, "link": true}
	var prefixes []string
	for _, f := range r.Fields {
		typed[f.Path()] = true
		prefixes = append(prefixes, f.Path())
	}
	children := map[string]bool{}
	for _, ch := range r.Children {
		children[ch.Path] = true
		prefixes = append(prefixes, ch.Path)
	}
	under := func(path string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(p, path+".") {
				return true
			}
		}
		return false
	}
	covered := func(path string, m map[string]any) bool {
		if to, ok := references[r.Name+"."+path]; ok && to != "" {
			return typed[path+".id"]
		}
		switch s.shapeOf(m) {
		case "array":
			return children[path]
		case "object":
			return under(path)
		}
		return typed[path]
	}
	var c coverage
	count := func(level int, path string, m map[string]any) {
		ok := covered(path, m)
		if level == 1 {
			c.top++
			if ok {
				c.topCovered++
			} else {
				c.missingTop = append(c.missingTop, path)
			}
			return
		}
		c.two++
		if ok {
			c.twoCovered++
		} else {
			c.missingTwo = append(c.missingTwo, path)
		}
	}
	for name, m := range s.members(s.schemas[r.Component]) {
		if m["format"] == "binary" {
			continue
		}
		count(1, name, m)
		inner := s.members(m)
		if _, ref := references[r.Name+"."+name]; ref || s.shapeOf(m) != "object" || len(inner) == 0 {
			count(2, name, m)
			continue
		}
		for sub, sm := range inner {
			if sm["format"] != "binary" {
				count(2, name+"."+sub, sm)
			}
		}
	}
	sort.Strings(c.missingTop)
	sort.Strings(c.missingTwo)
	return c
}

// TestTypedCoverage prints, per resource and in total, how many of the
// response fields of its spec component are typed, and fails a resource
// below the targets. The figures go to the README.
func TestTypedCoverage(t *testing.T) {
	specs := map[string]spec{}
	var total coverage
	for _, r := range Resources {
		if _, ok := specs[r.Spec]; !ok {
			specs[r.Spec] = loadSpec(t, r.Spec)
		}
		c := measure(specs[r.Spec], r)
		total.top += c.top
		total.topCovered += c.topCovered
		total.two += c.two
		total.twoCovered += c.twoCovered
		line := fmt.Sprintf("%-24s top %3d/%3d %5.1f%%   two levels %3d/%3d %5.1f%%   (%d columns, %d child views)",
			r.Name, c.topCovered, c.top, 100*c.share(c.topCovered, c.top), c.twoCovered, c.two, 100*c.share(c.twoCovered, c.two), len(r.Fields), len(r.Children))
		t.Log(line)
		if c.share(c.topCovered, c.top) < coverageTopTarget {
			t.Errorf("%s: top-level coverage %d/%d below %.0f%%; untyped: %v", r.Name, c.topCovered, c.top, 100*coverageTopTarget, c.missingTop)
		}
		if c.share(c.twoCovered, c.two) < coverageTwoTarget {
			t.Errorf("%s: two-level coverage %d/%d below %.0f%%; untyped: %v", r.Name, c.twoCovered, c.two, 100*coverageTwoTarget, c.missingTwo)
		}
	}
	t.Logf("%-24s top %3d/%3d %5.1f%%   two levels %3d/%3d %5.1f%%", "total",
		total.topCovered, total.top, 100*total.share(total.topCovered, total.top), total.twoCovered, total.two, 100*total.share(total.twoCovered, total.two))
}

// The measure must be able to fail: a resource stripped of its columns and
// children is far below target, and each counting rule moves the figure.
func TestCoverageMeasureCounts(t *testing.T) {
	s := loadSpec(t, "1.223.0")
	inv, _ := ResourceByName("invoices")
	full := measure(s, inv)
	bare := inv
	bare.Fields, bare.Children = nil, nil
	none := measure(s, bare)
	if none.topCovered != 2 || none.top != full.top { // id and link only
		t.Errorf("bare invoices: %d/%d top covered, want 2/%d", none.topCovered, none.top, full.top)
	}
	noChildren := inv
	noChildren.Children = nil
	if got := measure(s, noChildren); got.topCovered >= full.topCovered || !contains(got.missingTop, "invoice_details") {
		t.Errorf("without child views invoice_details must be uncovered: %v", got.missingTop)
	}
	tx, _ := ResourceByName("transactions")
	noAccount := tx
	noAccount.Fields = nil
	for _, f := range tx.Fields {
		if f.Path() != "account.id" {
			noAccount.Fields = append(noAccount.Fields, f)
		}
	}
	if got := measure(s, noAccount); !contains(got.missingTwo, "account") {
		t.Errorf("transactions without account_id must leave account uncovered: %v", got.missingTwo)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
