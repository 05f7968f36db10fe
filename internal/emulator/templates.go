package emulator

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/finflow/belvo-pipeline/schemas"
)

// templateFiles holds one Belvo example record per resource (see
// templates/SOURCES.md). go:embed needs a package-level variable; it is
// read-only data, never state.
//
//go:embed templates/*.json
var templateFiles embed.FS

// linkTemplate is the template name of GET /api/links/ records.
const linkTemplate = "links"

// loadTemplates reads the template of every schemas.Resources row and of
// links, failing on a missing or malformed one so a new resource row
// cannot be served with an invented shape.
func loadTemplates() (map[string][]byte, error) {
	out := map[string][]byte{}
	names := []string{linkTemplate}
	for _, r := range schemas.Resources {
		names = append(names, r.Name)
	}
	for _, n := range names {
		b, err := templateFiles.ReadFile("templates/" + n + ".json")
		if err != nil {
			return nil, fmt.Errorf("template of %s: %w", n, err)
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf("template of %s: %w", n, err)
		}
		out[n] = b
	}
	return out, nil
}
