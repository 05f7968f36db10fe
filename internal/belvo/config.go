package belvo

import (
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Environment variables (and, lower-cased with dashes, the flags) a client
// reads. They are constants so the cmd, docs and tests spell them once.
const (
	EnvURL            = "BELVO_URL"
	EnvSecretID       = "BELVO_SECRET_ID"
	EnvSecretPassword = "BELVO_SECRET_PASSWORD"
	EnvPageSize       = "BELVO_PAGE_SIZE"
	EnvMaxTries       = "BELVO_MAX_TRIES"
	EnvBaseBackoff    = "BELVO_BASE_BACKOFF"
	EnvRateLimit      = "BELVO_RATE_LIMIT"
	EnvRateInterval   = "BELVO_RATE_INTERVAL"
	EnvTimeout        = "BELVO_TIMEOUT"
)

// Base URLs of Belvo's environments; the emulator is any other URL.
const (
	SandboxURL    = "https://sandbox.belvo.com"
	ProductionURL = "https://api.belvo.com"
)

// MaxPageSize is the largest page Belvo serves; larger requests are clamped.
const MaxPageSize = 1000

// Config of a Client. A zero field takes the default named in its comment.
type Config struct {
	URL            string        // BELVO_URL: scheme and host, e.g. https://api.belvo.com
	SecretID       string        // BELVO_SECRET_ID
	SecretPassword string        // BELVO_SECRET_PASSWORD: never logged, see String
	PageSize       int           // BELVO_PAGE_SIZE: records per page, default and max 1000
	MaxTries       int           // BELVO_MAX_TRIES: attempts per request, default 5
	BaseBackoff    time.Duration // BELVO_BASE_BACKOFF: first retry wait, doubled each retry, default 3s
	RateLimit      int           // BELVO_RATE_LIMIT: requests per RateInterval, default 60; the fetchers divide it among their group's members
	RateInterval   time.Duration // BELVO_RATE_INTERVAL: default 30s (Belvo answers 403 above 80 per 30s per IP)
	Timeout        time.Duration // BELVO_TIMEOUT: one HTTP attempt, default 60s
}

// Defaults returns c with every zero field set to its default. Defaults go
// onto a copy so a caller's Config is never changed behind its back.
func (c Config) Defaults() Config {
	if c.PageSize == 0 {
		c.PageSize = MaxPageSize
	}
	if c.MaxTries == 0 {
		c.MaxTries = 5
	}
	if c.BaseBackoff == 0 {
		c.BaseBackoff = 3 * time.Second
	}
	if c.RateLimit == 0 {
		c.RateLimit = 60
	}
	if c.RateInterval == 0 {
		c.RateInterval = 30 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	return c
}

// Validate checks c after defaults; each error names the env var to fix.
func (c Config) Validate() error {
	c = c.Defaults()
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return config.Invalid(EnvURL, "belvo-url", "must be set (e.g. %s)", SandboxURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return config.Invalid(EnvURL, "belvo-url", "must be an http(s) URL with a host, got %q", c.URL)
	case c.SecretID == "":
		return config.Invalid(EnvSecretID, "belvo-secret-id", "must be set")
	case c.SecretPassword == "":
		return config.Invalid(EnvSecretPassword, "belvo-secret-password", "must be set")
	case c.PageSize < 1 || c.PageSize > MaxPageSize:
		return config.Invalid(EnvPageSize, "belvo-page-size", "must be 1..%d, got %d", MaxPageSize, c.PageSize)
	case c.MaxTries < 1:
		return config.Invalid(EnvMaxTries, "belvo-max-tries", "must be at least 1, got %d", c.MaxTries)
	case c.BaseBackoff < 0:
		return config.Invalid(EnvBaseBackoff, "belvo-base-backoff", "must not be negative")
	case c.RateLimit < 1:
		return config.Invalid(EnvRateLimit, "belvo-rate-limit", "must be at least 1, got %d", c.RateLimit)
	case c.RateInterval <= 0:
		return config.Invalid(EnvRateInterval, "belvo-rate-interval", "must be positive")
	case c.Timeout <= 0:
		return config.Invalid(EnvTimeout, "belvo-timeout", "must be positive")
	}
	return nil
}

// Bind registers every field of c with s as a flag and its env variable.
func (c *Config) Bind(s *config.Set) {
	d := Config{}.Defaults()
	s.String(&c.URL, "belvo-url", EnvURL, "", "Belvo base URL ("+SandboxURL+", "+ProductionURL+" or an emulator)")
	s.String(&c.SecretID, "belvo-secret-id", EnvSecretID, "", "Belvo secret key id")
	s.String(&c.SecretPassword, "belvo-secret-password", EnvSecretPassword, "", "Belvo secret key password")
	s.Int(&c.PageSize, "belvo-page-size", EnvPageSize, d.PageSize, "records per page (max 1000)")
	s.Int(&c.MaxTries, "belvo-max-tries", EnvMaxTries, d.MaxTries, "attempts per request")
	s.Duration(&c.BaseBackoff, "belvo-base-backoff", EnvBaseBackoff, d.BaseBackoff, "first retry wait, doubled on each retry")
	s.Int(&c.RateLimit, "belvo-rate-limit", EnvRateLimit, d.RateLimit, "requests allowed per rate interval: the budget of the whole fetcher deployment (divided among its consumer group's live members), or of this process for other roles")
	s.Duration(&c.RateInterval, "belvo-rate-interval", EnvRateInterval, d.RateInterval, "window of the rate limit")
	s.Duration(&c.Timeout, "belvo-timeout", EnvTimeout, d.Timeout, "timeout of one HTTP attempt")
}

// String describes c with the password redacted, so a Config can be logged
// or printed in an error without leaking the secret.
func (c Config) String() string {
	pw := ""
	if c.SecretPassword != "" {
		pw = "[REDACTED]"
	}
	return fmt.Sprintf("belvo.Config{URL:%q SecretID:%q SecretPassword:%q PageSize:%d MaxTries:%d BaseBackoff:%s RateLimit:%d RateInterval:%s Timeout:%s}",
		c.URL, c.SecretID, pw, c.PageSize, c.MaxTries, c.BaseBackoff, c.RateLimit, c.RateInterval, c.Timeout)
}

// GoString keeps %#v from printing the password either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog from printing the password.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
