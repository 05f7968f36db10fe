package fetcher

import (
	"encoding/json"

	"github.com/finflow/belvo-pipeline/internal/privacy"
	"github.com/finflow/belvo-pipeline/schemas"
)

// privacyPolicy is schemas.Privacy in the rewriter's terms.
func privacyPolicy() map[string][]privacy.Rule {
	out := map[string][]privacy.Rule{}
	for resource, rules := range schemas.Privacy {
		for _, r := range rules {
			a := privacy.Hash
			if r.Protect == schemas.Drop {
				a = privacy.Drop
			}
			out[resource] = append(out[resource], privacy.Rule{Path: r.Path, Action: a})
		}
	}
	return out
}

// protect rewrites a Belvo record of resource before it is converted, so
// that the raw JSON and every typed field read from it (and the id derived
// from it) carry the protected values only. It returns raw when protection
// is off. A record it cannot read has no protected form: its error
// dead-letters it without its bytes.
func (f *Fetcher) protect(resource string, raw json.RawMessage) (json.RawMessage, error) {
	if !f.privacy.Covers(resource) {
		return raw, nil
	}
	return f.privacy.Record(resource, raw)
}
