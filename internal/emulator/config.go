package emulator

import (
	"net/url"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Environment variables of the emulator; each also has a flag.
const (
	EnvAddr                 = "EMULATOR_ADDR"
	EnvSecretID             = "EMULATOR_SECRET_ID"
	EnvSecretPassword       = "EMULATOR_SECRET_PASSWORD"
	EnvWebhookURL           = "EMULATOR_WEBHOOK_URL"
	EnvStatusWebhookURL     = "EMULATOR_STATUS_WEBHOOK_URL"
	EnvWebhookAuthorization = "EMULATOR_WEBHOOK_AUTHORIZATION"
	EnvSeed                 = "EMULATOR_SEED"
	EnvLinks                = "EMULATOR_LINKS"
	EnvRecords              = "EMULATOR_RECORDS"
	EnvRetryInterval        = "EMULATOR_RETRY_INTERVAL"
	EnvDeliveryTimeout      = "EMULATOR_DELIVERY_TIMEOUT"
	EnvCooldown             = "EMULATOR_COOLDOWN"
	EnvFault429             = "EMULATOR_FAULT_429"
	EnvFault500             = "EMULATOR_FAULT_500"
	EnvFault503             = "EMULATOR_FAULT_503"
	EnvFaultSlow            = "EMULATOR_FAULT_SLOW"
	EnvFaultSlowDelay       = "EMULATOR_FAULT_SLOW_DELAY"
	EnvFaultRetryAfter      = "EMULATOR_FAULT_RETRY_AFTER"
	EnvBurstLimit           = "EMULATOR_BURST_LIMIT"
	EnvBurstWindow          = "EMULATOR_BURST_WINDOW"
	EnvForeignNext          = "EMULATOR_FOREIGN_NEXT"
	EnvFaultDenied          = "EMULATOR_FAULT_DENIED"
	EnvFaultMFARequired     = "EMULATOR_FAULT_MFA_REQUIRED"
	EnvFaultUnavailable     = "EMULATOR_FAULT_UNAVAILABLE_PATHS"
	EnvFaultTimeoutPageSize = "EMULATOR_FAULT_TIMEOUT_PAGE_SIZE"
)

// StatusWebhookPath is where institution-status events go on the webhook
// host when StatusWebhookURL is not set.
const StatusWebhookPath = "/webhooks/institution-status"

// Config of an Emulator. A zero field takes the default in its comment.
type Config struct {
	Addr                 string        // EMULATOR_ADDR, default :8090
	SecretID             string        // EMULATOR_SECRET_ID, default "emulator-id"
	SecretPassword       string        // EMULATOR_SECRET_PASSWORD, default "emulator-password"
	WebhookURL           string        // EMULATOR_WEBHOOK_URL: where events go; empty means record only
	StatusWebhookURL     string        // EMULATOR_STATUS_WEBHOOK_URL, default WebhookURL's origin + StatusWebhookPath
	WebhookAuthorization string        // EMULATOR_WEBHOOK_AUTHORIZATION: Authorization header value, e.g. "Bearer x"
	Seed                 int           // EMULATOR_SEED: same seed, same data
	Links                int           // EMULATOR_LINKS: emulated links, default 3 (the scenario needs 2)
	Records              int           // EMULATOR_RECORDS: records per link and resource, default 100 (incomes and risk insights: 1)
	RetryInterval        time.Duration // EMULATOR_RETRY_INTERVAL: linear backoff step of webhook retries, default 1m
	DeliveryTimeout      time.Duration // EMULATOR_DELIVERY_TIMEOUT: one delivery attempt, default 5s (Belvo's)
	Cooldown             time.Duration // EMULATOR_COOLDOWN: refresh cooldown per link, default 10m (Belvo's)
	Faults               Faults
}

// Faults makes the API misbehave like Belvo does on a bad day. Fractions
// are of API requests (admin endpoints are never faulted).
type Faults struct {
	Rate429     float64       // EMULATOR_FAULT_429: fraction answered 429
	Rate500     float64       // EMULATOR_FAULT_500: fraction answered 500
	Rate503     float64       // EMULATOR_FAULT_503: fraction answered 503
	RetryAfter  time.Duration // EMULATOR_FAULT_RETRY_AFTER: Retry-After sent with 429 (whole seconds; 0: none)
	SlowRate    float64       // EMULATOR_FAULT_SLOW: fraction answered after SlowDelay
	SlowDelay   time.Duration // EMULATOR_FAULT_SLOW_DELAY, default 2s
	BurstLimit  int           // EMULATOR_BURST_LIMIT: more requests than this in BurstWindow get 403 HTML; 0: off
	BurstWindow time.Duration // EMULATOR_BURST_WINDOW, default 30s
	ForeignNext string        // EMULATOR_FOREIGN_NEXT: host put in next links (tests the client's refusal); empty: off
	// EMULATOR_FAULT_DENIED: requests answered 403 access_to_resource_denied,
	// Belvo's JSON refusal of a resource to these keys. Each entry is a link
	// id (every request about it: ?link= or /api/links/{id}/...), an API
	// path (/api/incomes/: for every link) or both, "<link id>:<path>".
	Denied []string
	// EMULATOR_FAULT_MFA_REQUIRED: requests answered 428 token_required
	// (TokenRequiredResponse: session, expiry, link, token_generation_data),
	// a link whose institution asks for an MFA token. Entries as in Denied.
	TokenRequired []string
	// EMULATOR_FAULT_UNAVAILABLE_PATHS: API paths (e.g. /api/bills/)
	// answered 503 every time, an institution down for one resource.
	UnavailablePaths []string
	// EMULATOR_FAULT_TIMEOUT_PAGE_SIZE: list requests asking for a larger
	// page_size get 408 request_timeout ("ask for less data"); 0: off.
	TimeoutPageSize int
}

// Defaults returns c with zero fields set; defaults go onto a copy.
func (c Config) Defaults() Config {
	if c.Addr == "" {
		c.Addr = ":8090"
	}
	if c.SecretID == "" {
		c.SecretID = "emulator-id"
	}
	if c.SecretPassword == "" {
		c.SecretPassword = "emulator-password"
	}
	if c.StatusWebhookURL == "" && c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err == nil && u.Host != "" {
			c.StatusWebhookURL = u.Scheme + "://" + u.Host + StatusWebhookPath
		}
	}
	if c.Links == 0 {
		c.Links = 3
	}
	if c.Records == 0 {
		c.Records = 100
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = time.Minute
	}
	if c.DeliveryTimeout == 0 {
		c.DeliveryTimeout = 5 * time.Second
	}
	if c.Cooldown == 0 {
		c.Cooldown = 10 * time.Minute
	}
	if c.Faults.SlowDelay == 0 {
		c.Faults.SlowDelay = 2 * time.Second
	}
	if c.Faults.BurstWindow == 0 {
		c.Faults.BurstWindow = 30 * time.Second
	}
	return c
}

// Validate checks c after defaults; errors name the env var.
func (c Config) Validate() error {
	c = c.Defaults()
	for _, u := range []struct{ env, flag, v string }{
		{EnvWebhookURL, "webhook-url", c.WebhookURL},
		{EnvStatusWebhookURL, "status-webhook-url", c.StatusWebhookURL},
	} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return config.Invalid(u.env, u.flag, "must be an http(s) URL, got %q", u.v)
		}
	}
	f := c.Faults
	switch {
	case c.Links < 1 || c.Links > 10000:
		return config.Invalid(EnvLinks, "links", "must be 1..10000, got %d", c.Links)
	case c.Records < 1 || c.Records > 1000000:
		return config.Invalid(EnvRecords, "records", "must be 1..1000000, got %d", c.Records)
	case c.RetryInterval < 0:
		return config.Invalid(EnvRetryInterval, "retry-interval", "must not be negative")
	case c.DeliveryTimeout < 0:
		return config.Invalid(EnvDeliveryTimeout, "delivery-timeout", "must not be negative")
	case c.Cooldown < 0:
		return config.Invalid(EnvCooldown, "cooldown", "must not be negative")
	case f.Rate429 < 0 || f.Rate500 < 0 || f.Rate503 < 0 || f.Rate429+f.Rate500+f.Rate503 > 1:
		return config.Invalid(EnvFault500, "fault-500", "fault fractions must be >= 0 and add up to at most 1 (429 %g, 500 %g, 503 %g)", f.Rate429, f.Rate500, f.Rate503)
	case f.SlowRate < 0 || f.SlowRate > 1:
		return config.Invalid(EnvFaultSlow, "fault-slow", "must be a fraction 0..1, got %g", f.SlowRate)
	case f.SlowDelay < 0:
		return config.Invalid(EnvFaultSlowDelay, "fault-slow-delay", "must not be negative")
	case f.RetryAfter < 0:
		return config.Invalid(EnvFaultRetryAfter, "fault-retry-after", "must not be negative")
	case f.BurstLimit < 0:
		return config.Invalid(EnvBurstLimit, "burst-limit", "must not be negative")
	case f.BurstWindow < 0:
		return config.Invalid(EnvBurstWindow, "burst-window", "must not be negative")
	case f.TimeoutPageSize < 0:
		return config.Invalid(EnvFaultTimeoutPageSize, "fault-timeout-page-size", "must not be negative, got %d", f.TimeoutPageSize)
	}
	for _, rules := range []struct {
		env, flag string
		list      []string
	}{{EnvFaultDenied, "fault-denied", f.Denied}, {EnvFaultMFARequired, "fault-mfa-required", f.TokenRequired}} {
		for _, d := range rules.list {
			link, path := deniedRule(d)
			if (link == "" && path == "") || (path != "" && !strings.HasPrefix(path, "/api/")) {
				return config.Invalid(rules.env, rules.flag, "entries are <link id>, /api/<path>/ or <link id>:/api/<path>/, got %q", d)
			}
		}
	}
	for _, p := range f.UnavailablePaths {
		if !strings.HasPrefix(p, "/api/") {
			return config.Invalid(EnvFaultUnavailable, "fault-unavailable-paths", "paths must start with /api/, got %q", p)
		}
	}
	return nil
}

// Bind registers every field of c with s as a flag and its env variable.
func (c *Config) Bind(s *config.Set) {
	d := Config{}.Defaults()
	s.String(&c.Addr, "addr", EnvAddr, d.Addr, "listen address of the emulated Belvo API")
	s.String(&c.SecretID, "secret-id", EnvSecretID, d.SecretID, "secret key id the API accepts")
	s.String(&c.SecretPassword, "secret-password", EnvSecretPassword, d.SecretPassword, "secret key password the API accepts")
	s.String(&c.WebhookURL, "webhook-url", EnvWebhookURL, "", "URL webhooks are POSTed to (empty: record only)")
	s.String(&c.StatusWebhookURL, "status-webhook-url", EnvStatusWebhookURL, "", "URL of institution-status events (default: webhook host + "+StatusWebhookPath+")")
	s.String(&c.WebhookAuthorization, "webhook-authorization", EnvWebhookAuthorization, "", "Authorization header sent with webhooks, e.g. 'Bearer token'")
	s.Int(&c.Seed, "seed", EnvSeed, 1, "seed of the emulated data")
	s.Int(&c.Links, "links", EnvLinks, d.Links, "number of emulated links")
	s.Int(&c.Records, "records", EnvRecords, d.Records, "records per link and resource")
	s.Duration(&c.RetryInterval, "retry-interval", EnvRetryInterval, d.RetryInterval, "linear backoff step between webhook retries")
	s.Duration(&c.DeliveryTimeout, "delivery-timeout", EnvDeliveryTimeout, d.DeliveryTimeout, "timeout of one webhook delivery")
	s.Duration(&c.Cooldown, "cooldown", EnvCooldown, d.Cooldown, "historical refresh cooldown per link")
	s.Float(&c.Faults.Rate429, "fault-429", EnvFault429, 0, "fraction of API requests answered 429")
	s.Float(&c.Faults.Rate500, "fault-500", EnvFault500, 0, "fraction of API requests answered 500")
	s.Float(&c.Faults.Rate503, "fault-503", EnvFault503, 0, "fraction of API requests answered 503")
	s.Duration(&c.Faults.RetryAfter, "fault-retry-after", EnvFaultRetryAfter, 0, "Retry-After sent with 429 answers (0: none)")
	s.Float(&c.Faults.SlowRate, "fault-slow", EnvFaultSlow, 0, "fraction of API requests answered slowly")
	s.Duration(&c.Faults.SlowDelay, "fault-slow-delay", EnvFaultSlowDelay, d.Faults.SlowDelay, "delay of slow answers")
	s.Int(&c.Faults.BurstLimit, "burst-limit", EnvBurstLimit, 0, "requests per burst window before 403 HTML, like Belvo's 80 per 30s (0: off)")
	s.Duration(&c.Faults.BurstWindow, "burst-window", EnvBurstWindow, d.Faults.BurstWindow, "window of the burst limit")
	s.String(&c.Faults.ForeignNext, "foreign-next", EnvForeignNext, "", "host to put in next links, to test clients' refusal (empty: off)")
	s.Strings(&c.Faults.Denied, "fault-denied", EnvFaultDenied, "", "requests answered 403 access_to_resource_denied, comma-separated: <link id>, /api/<path>/ or <link id>:/api/<path>/")
	s.Strings(&c.Faults.TokenRequired, "fault-mfa-required", EnvFaultMFARequired, "", "requests answered 428 token_required with a session to resume, comma-separated like --fault-denied")
	s.Strings(&c.Faults.UnavailablePaths, "fault-unavailable-paths", EnvFaultUnavailable, "", "API paths always answered 503, comma-separated (e.g. /api/bills/)")
	s.Int(&c.Faults.TimeoutPageSize, "fault-timeout-page-size", EnvFaultTimeoutPageSize, 0, "list requests with a larger page_size get 408 request_timeout (0: off)")
}
