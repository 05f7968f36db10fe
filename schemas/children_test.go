package schemas

import (
	"strings"
	"testing"
)

// A child view shares the database with every table and view: a name used
// twice would make one CREATE OR REPLACE VIEW replace another object.
func TestChildViewNamesAreUnique(t *testing.T) {
	names := map[string]string{}
	for _, r := range Tables() {
		names[r.Name] = "table"
	}
	for _, r := range Resources {
		for _, c := range r.Children {
			if owner, ok := names[c.Name]; ok {
				t.Errorf("%s child %s: name already used by %s", r.Name, c.Name, owner)
			}
			names[c.Name] = r.Name + " child"
		}
	}
}

func TestValidateRejectsBadChildren(t *testing.T) {
	base := Resource{Name: "things", Path: "/api/things/", Spec: "1.223.0", Component: "Thing", Fields: []Field{{Name: "x", Kind: String}}}
	cases := []struct {
		name  string
		child Child
		want  string
	}{
		{"no fields", Child{Name: "thing_parts", Path: "parts", ParentID: "thing_id"}, "no fields"},
		{"bad path", Child{Name: "thing_parts", Path: "parts.", ParentID: "thing_id", Fields: []Field{{Name: "a"}}}, "malformed JSON path"},
		{"shadows parent id", Child{Name: "thing_parts", Path: "parts", ParentID: "thing_id", Fields: []Field{{Name: "thing_id"}}}, "reserved"},
		{"shadows position", Child{Name: "thing_parts", Path: "parts", ParentID: "thing_id", Fields: []Field{{Name: "position"}}}, "reserved"},
	}
	for _, c := range cases {
		r := base
		r.Children = []Child{c.child}
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}
