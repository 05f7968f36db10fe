package privacy

import (
	"fmt"
	"strings"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Settings of the protection, as the fetcher (and `run`) take them.
const (
	EnvMode  = "PRIVACY_MODE"
	EnvKey   = "PRIVACY_KEY"
	EnvKeyID = "PRIVACY_KEY_ID"
	EnvRules = "PRIVACY_RULES"

	flagMode = "privacy-mode"
	// The flag spells "secret" so that internal/config redacts the key in
	// logs and docs, as it does every credential.
	flagKey   = "privacy-secret-key"
	flagKeyID = "privacy-key-id"
	flagRules = "privacy-rules"
)

// Modes of PRIVACY_MODE.
const (
	ModeOff     = "off"
	ModeProtect = "protect"
)

// Settings choose whether records are protected, with which key, and how
// the policy (schemas.Privacy) is overridden. Validate must run before
// Protector.
type Settings struct {
	Mode  string
	Key   string
	KeyID string
	Rules string

	overrides map[string][]Rule
}

// Bind registers the settings in s.
func (c *Settings) Bind(s *config.Set) {
	s.String(&c.Mode, flagMode, EnvMode, ModeOff,
		"personal data in records: protect (hash or drop the paths of the policy before anything is published, docs/privacy.md) or off (records as Belvo sends them)")
	s.String(&c.Key, flagKey, EnvKey, "",
		"HMAC-SHA-256 key of the protected values, at least 32 bytes (e.g. `openssl rand -hex 32`), from a Secret; required with PRIVACY_MODE=protect (never logged)")
	s.String(&c.KeyID, flagKeyID, EnvKeyID, "k1",
		"id of PRIVACY_KEY, prefixed to every hash (<id>:<hex>) so that values of an old and a new key are told apart after a rotation")
	s.String(&c.Rules, flagRules, EnvRules, "",
		"overrides of the policy, comma-separated resource:dotted.path=hash|drop|keep (e.g. transactions:description=drop)")
}

// Validate checks the settings against policy (rules by resource), naming
// the first bad one; known says whether a resource name exists. The key
// never appears in an error.
func (c *Settings) Validate(policy map[string][]Rule, known func(resource string) bool) error {
	switch c.Mode {
	case ModeOff, ModeProtect:
	default:
		return config.Invalid(EnvMode, flagMode, "must be off or protect, got %q", c.Mode)
	}
	c.overrides = map[string][]Rule{}
	for _, item := range config.SplitList(c.Rules) {
		target, action, ok := strings.Cut(item, "=")
		resource, path, ok2 := strings.Cut(target, ":")
		if !ok || !ok2 || resource == "" || path == "" {
			return config.Invalid(EnvRules, flagRules, "%q: want resource:dotted.path=hash|drop|keep", item)
		}
		a, err := ParseAction(strings.TrimSpace(action))
		if err != nil {
			return config.Invalid(EnvRules, flagRules, "%q: %v", item, err)
		}
		resource, path = strings.TrimSpace(resource), strings.TrimSpace(path)
		if !known(resource) {
			return config.Invalid(EnvRules, flagRules, "%q: unknown resource %q", item, resource)
		}
		c.overrides[resource] = append(c.overrides[resource], Rule{Path: path, Action: a})
	}
	if c.Mode == ModeOff {
		return nil
	}
	if len(c.Key) < MinKeyBytes {
		return config.Invalid(EnvKey, flagKey, "must hold at least %d bytes with PRIVACY_MODE=protect, got %d (e.g. openssl rand -hex 32, kept in a Secret)", MinKeyBytes, len(c.Key))
	}
	if !KeyIDPattern.MatchString(c.KeyID) {
		return config.Invalid(EnvKeyID, flagKeyID, "must be 1-16 of a-z, 0-9, _ and -, got %q", c.KeyID)
	}
	if _, err := c.Protector(policy); err != nil {
		return config.Invalid(EnvRules, flagRules, "%v", err)
	}
	return nil
}

// Protector builds the protector of policy (rules by resource) with the
// overrides applied, or nil when the mode is off. An override replaces a
// rule of the same path and may add paths.
func (c *Settings) Protector(policy map[string][]Rule) (*Protector, error) {
	if c.Mode != ModeProtect {
		return nil, nil
	}
	merged := map[string][]Rule{}
	for resource, rules := range policy {
		merged[resource] = append([]Rule(nil), rules...)
	}
	for resource, rules := range c.overrides {
		for _, o := range rules {
			replaced := false
			for i, r := range merged[resource] {
				if r.Path == o.Path {
					merged[resource][i], replaced = o, true
				}
			}
			if !replaced {
				merged[resource] = append(merged[resource], o)
			}
		}
	}
	p, err := New([]byte(c.Key), c.KeyID, merged)
	if err != nil {
		return nil, fmt.Errorf("privacy policy: %w", err)
	}
	return p, nil
}
