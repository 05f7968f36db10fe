package fetcher

import (
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/config"
)

func parseConfig(t *testing.T, env map[string]string) (Config, error) {
	t.Helper()
	var cfg Config
	set := config.New("fetcher")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Defaults are valid once Belvo's credentials are given, and every bad
// setting is refused before anything opens, naming its env variable.
func TestConfigValidateNamesTheBadSetting(t *testing.T) {
	good := map[string]string{"BELVO_URL": "http://127.0.0.1:8090", "BELVO_SECRET_ID": "id", "BELVO_SECRET_PASSWORD": "pw"}
	cfg, err := parseConfig(t, good)
	if err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	if cfg.AdminAddr != ":9101" || cfg.TopicPrefix != "belvo" || cfg.Workers != 16 || cfg.IDChunk != 100 || cfg.LookBackDays != 30 || cfg.Compression != "lz4" ||
		cfg.RetryMaxTries != 20 || cfg.RetryMaxAge != time.Hour {
		t.Fatalf("defaults %+v", cfg)
	}
	for _, c := range []struct{ env, value string }{
		{"KAFKA_BROKERS", "no-port"},
		{"SCHEMA_REGISTRY_URL", "ftp://x"},
		{"TOPIC_PREFIX", "a b"},
		{EnvWorkers, "0"},
		{EnvMaxPending, "0"},
		{EnvLookBackDays, "-1"},
		{EnvIDChunk, "0"},
		{EnvIDChunk, "500"},
		{EnvDiscovery, "0s"},
		{EnvRetryBackoff, "-1s"},
		{EnvRetryMaxTries, "0"},
		{EnvRetryMaxTries, "many"},
		{EnvRetryMaxAge, "0s"},
		{EnvRetryMaxAge, "-5m"},
		{EnvShutdownTimeout, "-1s"},
		{EnvAdminAddr, "9101"},
		{EnvCompression, "lz77"},
		{EnvGroup, ""},
		{"BELVO_PAGE_SIZE", "5000"},
		{"BELVO_SECRET_PASSWORD", ""},
	} {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range good {
				env[k] = v
			}
			env[c.env] = c.value
			if c.env == EnvGroup || c.env == "BELVO_SECRET_PASSWORD" {
				// An empty env value means "unset": set the flag instead.
				var cfg Config
				set := config.New("fetcher")
				cfg.Bind(set)
				flag := map[string]string{EnvGroup: "--group=", "BELVO_SECRET_PASSWORD": "--belvo-secret-password="}[c.env]
				if _, err := set.Parse([]string{flag}, func(k string) string { return env[k] }); err != nil {
					t.Fatal(err)
				}
				err = cfg.Validate()
			} else {
				_, err = parseConfig(t, env)
			}
			if err == nil || !strings.Contains(err.Error(), c.env) {
				t.Fatalf("err %v, want one naming %s", err, c.env)
			}
		})
	}
}

// The request command refuses what Belvo would refuse, before sending.
func TestRequestConfigValidate(t *testing.T) {
	base := func() RequestConfig {
		var c RequestConfig
		set := config.New("request")
		c.Bind(set)
		_, _ = set.Parse(nil, func(k string) string {
			return map[string]string{"BELVO_URL": "http://127.0.0.1:8090", "BELVO_SECRET_ID": "id", "BELVO_SECRET_PASSWORD": "pw"}[k]
		})
		c.Kind, c.Link = KindAsyncPost, "L"
		c.Resource, c.DateFrom, c.DateTo, c.Type = "invoices", "2026-01-01", "2026-02-01", "INFLOW"
		return c
	}
	if c := base(); c.Validate() != nil {
		t.Fatalf("valid request refused: %v", c.Validate())
	}
	for name, mutate := range map[string]func(*RequestConfig){
		"transactions with a range": func(c *RequestConfig) { c.Resource, c.Type = "transactions", "" },
		"employments without range": func(c *RequestConfig) { c.Resource, c.Type, c.DateFrom, c.DateTo = "employments", "", "", "" },
		"financial statements":      func(c *RequestConfig) { c.Resource, c.Type, c.DateFrom, c.DateTo = "financial_statements", "", "", "" },
		"refresh of two resources": func(c *RequestConfig) {
			c.Kind, c.Resource, c.DateFrom, c.DateTo, c.Type, c.FetchResources = KindRefresh, "", "", "", "", []string{"ACCOUNTS", "TRANSACTIONS"}
		},
	} {
		c := base()
		mutate(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}
	// The body sent holds only the members the endpoint takes.
	c := base()
	c.Resource, c.Type, c.DateFrom, c.DateTo = "financial_statements", "", "", ""
	if b := c.asyncBody(); len(b) != 1 || b["link"] != "L" {
		t.Errorf("financial statements body %v, want only link", b)
	}
	if b := base().asyncBody(); len(b) != 4 || b["type"] != "INFLOW" || b["date_from"] != "2026-01-01" || b["date_to"] != "2026-02-01" {
		t.Errorf("invoices body %v", b)
	}
	for name, mutate := range map[string]func(*RequestConfig){
		"no link":                  func(c *RequestConfig) { c.Link = "" },
		"resource without async":   func(c *RequestConfig) { c.Resource = "accounts" },
		"dates reversed":           func(c *RequestConfig) { c.DateFrom, c.DateTo = c.DateTo, c.DateFrom },
		"bad type":                 func(c *RequestConfig) { c.Type = "SIDEWAYS" },
		"unknown kind":             func(c *RequestConfig) { c.Kind = "explode" },
		"refresh needs a link too": func(c *RequestConfig) { c.Kind, c.Link = KindRefresh, "" },
		// Each endpoint's body, as the spec declares it (schemas.AsyncBodies).
		"invoices without type":               func(c *RequestConfig) { c.Type = "" },
		"transactions without dates":          func(c *RequestConfig) { c.Resource, c.Type, c.DateFrom, c.DateTo = "transactions", "", "", "" },
		"transactions take no type":           func(c *RequestConfig) { c.Resource = "transactions" },
		"financial statements take no range":  func(c *RequestConfig) { c.Resource, c.Type = "financial_statements", "" },
		"employment records take no range":    func(c *RequestConfig) { c.Resource, c.Type = "employment_records", "" },
		"employments take both dates or none": func(c *RequestConfig) { c.Resource, c.Type, c.DateTo = "employments", "", "" },
		"refresh of an unknown resource": func(c *RequestConfig) {
			c.Kind, c.Resource, c.DateFrom, c.DateTo, c.Type, c.FetchResources = KindRefresh, "", "", "", "", []string{"PAYMENTS"}
		},
		"fetch resources on an async post": func(c *RequestConfig) { c.FetchResources = []string{"ACCOUNTS"} },
		"dates on a refresh":               func(c *RequestConfig) { c.Kind, c.Resource, c.Type = KindRefresh, "", "" },
	} {
		c := base()
		mutate(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
