package belvo_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
)

// TestConfigValidateNamesTheEnvVar pins that each bad setting is reported
// by the variable an operator has to fix.
func TestConfigValidateNamesTheEnvVar(t *testing.T) {
	good := belvo.Config{URL: belvo.SandboxURL, SecretID: "id", SecretPassword: "pw"}
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	cases := []struct {
		mod  func(*belvo.Config)
		want string
	}{
		{func(c *belvo.Config) { c.URL = "" }, "BELVO_URL"},
		{func(c *belvo.Config) { c.URL = "sandbox.belvo.com" }, "BELVO_URL"},
		{func(c *belvo.Config) { c.SecretID = "" }, "BELVO_SECRET_ID"},
		{func(c *belvo.Config) { c.SecretPassword = "" }, "BELVO_SECRET_PASSWORD"},
		{func(c *belvo.Config) { c.PageSize = 1001 }, "BELVO_PAGE_SIZE"},
		{func(c *belvo.Config) { c.MaxTries = -1 }, "BELVO_MAX_TRIES"},
		{func(c *belvo.Config) { c.RateLimit = -5 }, "BELVO_RATE_LIMIT"},
		{func(c *belvo.Config) { c.RateInterval = -time.Second }, "BELVO_RATE_INTERVAL"},
		{func(c *belvo.Config) { c.Timeout = -time.Second }, "BELVO_TIMEOUT"},
	}
	for _, tc := range cases {
		c := good
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want it to name %s", c, err, tc.want)
		}
	}
	d := belvo.Config{}.Defaults()
	if d.PageSize != 1000 || d.MaxTries != 5 || d.BaseBackoff != 3*time.Second || d.RateLimit != 60 || d.RateInterval != 30*time.Second {
		t.Fatalf("defaults %+v", d)
	}
}

// TestConfigNeverPrintsThePassword pins the redaction in every way a
// Config is commonly printed or logged.
func TestConfigNeverPrintsThePassword(t *testing.T) {
	c := belvo.Config{URL: belvo.SandboxURL, SecretID: "id", SecretPassword: "hunter2-secret"}
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("config", "belvo", c)
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), log.String()} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "REDACTED") {
			t.Fatalf("printed %q", s)
		}
	}
}
