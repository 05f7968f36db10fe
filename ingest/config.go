package ingest

import (
	"net"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
)

// Config is everything ingest needs. Bind fills it from flags and env,
// Validate checks it before anything is opened.
type Config struct {
	Addr            string        // INGEST_ADDR, default :8080
	BelvoPath       string        // INGEST_BELVO_PATH, default /webhooks/belvo
	StatusPath      string        // INGEST_STATUS_PATH, default /webhooks/institution-status
	broker.Settings               // KAFKA_*, SCHEMA_REGISTRY_*, TOPIC_PREFIX
	Auth            string        // WEBHOOK_AUTHORIZATION: exact Authorization value; empty = no auth
	AllowedCIDRs    []string      // WEBHOOK_ALLOWED_CIDRS: empty = every address
	Proxies         []string      // WEBHOOK_TRUSTED_PROXIES: CIDRs whose X-Forwarded-For is believed
	Partitions      int           // TOPIC_PARTITIONS of topics ingest creates, default 6
	Replication     int           // TOPIC_REPLICATION_FACTOR, default 1 (3 in production)
	MaxBody         int           // INGEST_MAX_BODY_BYTES, default 900 KiB (under Kafka's 1 MiB message limit)
	Budget          time.Duration // INGEST_PUBLISH_TIMEOUT: how long Kafka may take before 503, default 4s
	DedupWindow     time.Duration // INGEST_DEDUP_WINDOW: a webhook_id seen within it is not published again, default 10m
	DedupMax        int           // INGEST_DEDUP_MAX_IDS: bound on remembered ids, default 1,000,000
	DrainTimeout    time.Duration // INGEST_SHUTDOWN_TIMEOUT: how long SIGTERM waits for in-flight requests, default 10s
	Pprof           bool          // INGEST_PPROF: serve /debug/pprof/ for profiling, default off
	MemoryLimitMiB  int           // INGEST_MEMORY_LIMIT_MIB: Go's soft memory limit; 0 = from the container's limit, else 60 MiB
	MaxProcs        int           // INGEST_MAX_PROCS: cap on GOMAXPROCS, default 1; 0 = Go's own choice

	allowed, proxies []*net.IPNet
}

// Bind registers the settings in s.
func (c *Config) Bind(s *config.Set) {
	s.String(&c.Addr, "addr", "INGEST_ADDR", ":8080", "listen address")
	s.String(&c.BelvoPath, "belvo-path", "INGEST_BELVO_PATH", "/webhooks/belvo", "path of Belvo data webhooks")
	s.String(&c.StatusPath, "status-path", "INGEST_STATUS_PATH", "/webhooks/institution-status", "path of institution-status webhooks")
	c.Settings.Bind(s)
	s.String(&c.Auth, "webhook-authorization", "WEBHOOK_AUTHORIZATION", "", "exact Authorization header value expected (Basic ... or Bearer ...); empty disables auth")
	s.Strings(&c.AllowedCIDRs, "webhook-allowed-cidrs", "WEBHOOK_ALLOWED_CIDRS", "", "client CIDRs allowed to post, e.g. Belvo's 3.130.254.46/32,18.220.61.186/32,18.223.45.212/32; empty allows all")
	s.Strings(&c.Proxies, "webhook-trusted-proxies", "WEBHOOK_TRUSTED_PROXIES", "", "CIDRs of proxies whose X-Forwarded-For is trusted; empty trusts none")
	s.Int(&c.Partitions, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of topics created by ingest")
	s.Int(&c.Replication, "topic-replication-factor", "TOPIC_REPLICATION_FACTOR", 1, "replication factor of topics created by ingest")
	s.Int(&c.MaxBody, "max-body-bytes", "INGEST_MAX_BODY_BYTES", 900<<10, "largest accepted request body (keep the Avro record under the broker's max.message.bytes, 1 MiB by default)")
	s.Duration(&c.Budget, "publish-timeout", "INGEST_PUBLISH_TIMEOUT", 4*time.Second, "how long Kafka may take to acknowledge before ingest answers 503 (keep under Belvo's 5s)")
	s.Duration(&c.DedupWindow, "dedup-window", "INGEST_DEDUP_WINDOW", 10*time.Minute, "a webhook_id acknowledged within this window is not published again; 0 disables")
	s.Int(&c.DedupMax, "dedup-max-ids", "INGEST_DEDUP_MAX_IDS", 1_000_000, "most webhook ids remembered for dedup, 24 bytes each; above this many per INGEST_DEDUP_WINDOW it, not the window, bounds how long a retry is recognised")
	s.Bool(&c.Pprof, "pprof", "INGEST_PPROF", false, "serve Go profiles under /debug/pprof/ (keep off where the port is public)")
	s.Int(&c.MemoryLimitMiB, "memory-limit-mib", "INGEST_MEMORY_LIMIT_MIB", 0, "soft limit of the Go heap and runtime in MiB, below which the collector keeps them by collecting more often (GOMEMLIMIT wins); 0 takes 90% of the container's memory limit, or 60 MiB without one")
	s.Int(&c.MaxProcs, "max-procs", "INGEST_MAX_PROCS", 1, "most threads running Go code at once (caps GOMAXPROCS; the GOMAXPROCS variable wins); 0 leaves Go's choice, the cores or the container's CPU limit. One thread answers tens of thousands of webhooks a second; on a shared host a second one costs more CPU per webhook than it adds")
	s.Duration(&c.DrainTimeout, "shutdown-timeout", "INGEST_SHUTDOWN_TIMEOUT", 10*time.Second, "how long shutdown waits for in-flight requests")
}

// Validate checks every setting and names the first bad one.
func (c *Config) Validate() error {
	if c.Addr == "" {
		return config.Invalid("INGEST_ADDR", "addr", "must not be empty")
	}
	for _, p := range []struct{ env, flag, v string }{
		{"INGEST_BELVO_PATH", "belvo-path", c.BelvoPath},
		{"INGEST_STATUS_PATH", "status-path", c.StatusPath},
	} {
		if !strings.HasPrefix(p.v, "/") {
			return config.Invalid(p.env, p.flag, "must start with /, got %q", p.v)
		}
	}
	if c.BelvoPath == c.StatusPath {
		return config.Invalid("INGEST_STATUS_PATH", "status-path", "must differ from INGEST_BELVO_PATH (%q)", c.BelvoPath)
	}
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	if c.Auth != "" && !strings.HasPrefix(c.Auth, "Basic ") && !strings.HasPrefix(c.Auth, "Bearer ") {
		return config.Invalid("WEBHOOK_AUTHORIZATION", "webhook-authorization", "must start with \"Basic \" or \"Bearer \" as Belvo sends it")
	}
	var err error
	if c.allowed, err = parseCIDRs(c.AllowedCIDRs); err != nil {
		return config.Invalid("WEBHOOK_ALLOWED_CIDRS", "webhook-allowed-cidrs", "%v", err)
	}
	if c.proxies, err = parseCIDRs(c.Proxies); err != nil {
		return config.Invalid("WEBHOOK_TRUSTED_PROXIES", "webhook-trusted-proxies", "%v", err)
	}
	if c.Partitions < 1 {
		return config.Invalid("TOPIC_PARTITIONS", "topic-partitions", "must be at least 1, got %d", c.Partitions)
	}
	if c.Replication < 1 {
		return config.Invalid("TOPIC_REPLICATION_FACTOR", "topic-replication-factor", "must be at least 1, got %d", c.Replication)
	}
	if c.MaxBody < 1024 {
		return config.Invalid("INGEST_MAX_BODY_BYTES", "max-body-bytes", "must be at least 1024, got %d", c.MaxBody)
	}
	if c.Budget <= 0 || c.Budget >= 5*time.Second {
		return config.Invalid("INGEST_PUBLISH_TIMEOUT", "publish-timeout", "must be above 0 and below Belvo's 5s answer limit, got %v", c.Budget)
	}
	if c.DedupWindow < 0 {
		return config.Invalid("INGEST_DEDUP_WINDOW", "dedup-window", "must not be negative, got %v", c.DedupWindow)
	}
	if c.DedupMax < 1 {
		return config.Invalid("INGEST_DEDUP_MAX_IDS", "dedup-max-ids", "must be at least 1, got %d", c.DedupMax)
	}
	if c.MemoryLimitMiB < 0 {
		return config.Invalid("INGEST_MEMORY_LIMIT_MIB", "memory-limit-mib", "must not be negative, got %d", c.MemoryLimitMiB)
	}
	if c.MaxProcs < 0 {
		return config.Invalid("INGEST_MAX_PROCS", "max-procs", "must not be negative, got %d", c.MaxProcs)
	}
	if c.DrainTimeout <= 0 {
		return config.Invalid("INGEST_SHUTDOWN_TIMEOUT", "shutdown-timeout", "must be positive, got %v", c.DrainTimeout)
	}
	return nil
}

// parseCIDRs accepts CIDRs and bare addresses (taken as /32 or /128).
func parseCIDRs(items []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range items {
		if !strings.Contains(s, "/") {
			ip := net.ParseIP(s)
			if ip == nil {
				return nil, &net.ParseError{Type: "IP address or CIDR", Text: s}
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
