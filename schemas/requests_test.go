package schemas

import (
	"slices"
	"testing"
)

// Every asynchronous POST body is the spec's requestBody of its path: the
// same required and optional members, nothing more; the resources marked
// AsyncPost are exactly those with a body; a range narrows the fetch only
// with a filter the resource's list takes.
func TestAsyncBodiesFollowTheSpec(t *testing.T) {
	s := loadSpec(t, "1.223.0")
	paths := s.doc["paths"].(map[string]any)
	seen := map[string]bool{}
	for _, b := range AsyncBodies {
		seen[b.Resource] = true
		res, ok := ResourceByName(b.Resource)
		if !ok || !res.AsyncPost {
			t.Errorf("%s: not a resource with AsyncPost", b.Resource)
			continue
		}
		post, _ := paths[res.Path].(map[string]any)["post"].(map[string]any)
		body := s.resolve(post["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
		var required, all []string
		for _, r := range body["required"].([]any) {
			required = append(required, r.(string))
		}
		for name := range body["properties"].(map[string]any) {
			all = append(all, name)
		}
		slices.Sort(required)
		slices.Sort(all)
		got := slices.Sorted(slices.Values(b.Required))
		if !slices.Equal(got, required) {
			t.Errorf("%s: required %v, the spec says %v", b.Resource, got, required)
		}
		if gotAll := slices.Sorted(slices.Values(append(slices.Clone(b.Required), b.Optional...))); !slices.Equal(gotAll, all) {
			t.Errorf("%s: members %v, the spec says %v", b.Resource, gotAll, all)
		}
		hasRange := b.Takes(BodyDateFrom) && b.Takes(BodyDateTo)
		if hasRange != (b.RangeFilter != "") {
			t.Errorf("%s: takes a range %v but RangeFilter %q", b.Resource, hasRange, b.RangeFilter)
		}
		if b.RangeFilter != "" && !slices.Contains(res.Filters, b.RangeFilter) {
			t.Errorf("%s: RangeFilter %s is not among its filters %v", b.Resource, b.RangeFilter, res.Filters)
		}
	}
	for _, r := range Resources {
		if r.AsyncPost && !seen[r.Name] {
			t.Errorf("%s accepts async POSTs but has no AsyncBody", r.Name)
		}
	}
	// The refresh body's one member.
	refresh := paths["/api/links/{id}/refresh/"].(map[string]any)["post"].(map[string]any)
	props := s.resolve(refresh["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"])["properties"].(map[string]any)
	if _, ok := props[BodyFetchResources]; !ok || len(props) != 1 {
		t.Errorf("refresh body members %v, want only %s", props, BodyFetchResources)
	}
}

// LinkRequired is exactly the resources whose GET declares link required.
func TestLinkRequiredFollowsTheSpec(t *testing.T) {
	s := loadSpec(t, "1.223.0")
	paths := s.doc["paths"].(map[string]any)
	params := s.doc["components"].(map[string]any)["parameters"].(map[string]any)
	var got []string
	for _, r := range Resources {
		get, _ := paths[r.Path].(map[string]any)["get"].(map[string]any)
		for _, p := range get["parameters"].([]any) {
			pm := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				pm = params[ref[len("#/components/parameters/"):]].(map[string]any)
			}
			if pm["name"] == "link" && pm["in"] == "query" && pm["required"] == true {
				got = append(got, r.Name)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, LinkRequired) {
		t.Errorf("the spec requires link on %v, LinkRequired says %v", got, LinkRequired)
	}
}
