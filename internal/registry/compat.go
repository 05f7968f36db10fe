package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
)

// enforce makes sure the compatibility of subject is at least the
// Settings' level before anything is registered under it, once per subject
// and client. Reads come first, so restarts and replicas only write when
// the level is missing or weaker; a stricter level (FULL where BACKWARD is
// wanted) is left in place.
//
// Why the roles do it rather than the registry's global default: the
// global level belongs to whoever runs the registry (Apicurio's own default
// is NONE), and a subject-level setting keeps our topics checked whatever
// it is, so that an incompatible schema is refused at registration, before
// a record is written with it.
func (c *Client) enforce(ctx context.Context, subject string) error {
	want := c.settings.level
	if want == 0 {
		return nil
	}
	c.mu.RLock()
	done := c.enforced[subject]
	c.mu.RUnlock()
	if done {
		return nil
	}
	have, err := c.compatibility(ctx, subject)
	if err != nil {
		return fmt.Errorf("read the compatibility of subject %s: %w", subject, err)
	}
	if !satisfies(have, want) {
		writeMu.Lock()
		res := c.sr.SetCompatibility(ctx, sr.SetCompatibility{Level: want}, subject)[0]
		writeMu.Unlock()
		if res.Err != nil {
			return fmt.Errorf("set the compatibility of subject %s to %s (%s=off leaves it to the registry's administrators): %w",
				subject, want, EnvCompatibility, c.classify(res.Err))
		}
	}
	c.mu.Lock()
	c.enforced[subject] = true
	c.mu.Unlock()
	return nil
}

// compatibility is the subject's own level; 0 when it has none (Confluent
// answers 404 then; Apicurio answers NONE).
func (c *Client) compatibility(ctx context.Context, subject string) (sr.CompatibilityLevel, error) {
	res := c.sr.Compatibility(ctx, subject)[0]
	if res.Err != nil {
		if isNotFound(res.Err) {
			return 0, nil
		}
		return 0, c.classify(res.Err)
	}
	return res.Level, nil
}

// Compatibility returns the compatibility level set on subject itself
// ("" when none is), as the registry reports it.
func (c *Client) Compatibility(ctx context.Context, subject string) (string, error) {
	lvl, err := c.compatibility(ctx, subject)
	if err != nil || lvl == 0 {
		return "", err
	}
	return lvl.String(), nil
}

// satisfies reports whether a subject at level have is checked at least as
// strictly as want asks: every level that includes backward checks against
// the versions want covers.
func satisfies(have, want sr.CompatibilityLevel) bool {
	switch want {
	case sr.CompatBackward:
		return have == sr.CompatBackward || have == sr.CompatBackwardTransitive || have == sr.CompatFull || have == sr.CompatFullTransitive
	case sr.CompatBackwardTransitive:
		return have == sr.CompatBackwardTransitive || have == sr.CompatFullTransitive
	case sr.CompatFull:
		return have == sr.CompatFull || have == sr.CompatFullTransitive
	}
	return have == want
}

// Compatible asks the registry whether schema could be registered as the
// next version of subject under the subject's compatibility level
// (POST /compatibility/subjects/{subject}/versions/latest). When it could
// not, reason holds the registry's explanation, if it gives one.
func (c *Client) Compatible(ctx context.Context, subject, schema string) (ok bool, reason string, err error) {
	var out struct {
		Is       bool     `json:"is_compatible"`
		Messages []string `json:"messages"` // Confluent, with verbose=true
		Reason   *string  `json:"reason"`   // Apicurio
	}
	path := "/compatibility/subjects/" + url.PathEscape(subject) + "/versions/latest"
	err = c.sr.Do(sr.WithParams(ctx, sr.Verbose), http.MethodPost, path, sr.Schema{Schema: schema, Type: sr.TypeAvro}, &out)
	if err != nil {
		return false, "", fmt.Errorf("check compatibility of subject %s: %w", subject, c.classify(err))
	}
	msgs := out.Messages
	if out.Reason != nil && *out.Reason != "" {
		msgs = append(msgs, *out.Reason)
	}
	return out.Is, strings.Join(msgs, "; "), nil
}
