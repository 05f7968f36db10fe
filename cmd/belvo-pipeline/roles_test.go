package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/fetcher"
	"github.com/finflow/belvo-pipeline/ingest"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/sink"
)

// Every role that talks to the registry takes all of its settings, and
// validates them before it starts: a role left with the URL alone would
// reach a secured registry without credentials.
func TestEveryRoleTakesTheRegistrySettings(t *testing.T) {
	roles := map[string]interface {
		Bind(*config.Set)
		Validate() error
	}{
		"ingest":  &ingest.Config{},
		"fetcher": &fetcher.Config{},
		"request": &fetcher.RequestConfig{Kind: fetcher.KindRefresh, Link: "l"},
		"sink":    &sink.Config{},
	}
	for name, cfg := range roles {
		set := config.New(name)
		cfg.Bind(set)
		var usage bytes.Buffer
		set.Usage(&usage)
		for _, env := range []string{registry.EnvURL, registry.EnvUserInfo, registry.EnvBearerToken, registry.EnvCAFile, registry.EnvCompatibility} {
			if !strings.Contains(usage.String(), "(env "+env+")") {
				t.Errorf("%s does not take %s", name, env)
			}
		}
		env := map[string]string{registry.EnvUserInfo: "u:hunter2", registry.EnvBearerToken: "hunter3"}
		if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), registry.EnvBearerToken) || strings.Contains(err.Error(), "hunter") {
			t.Errorf("%s: Validate with basic auth and a bearer token: %v, want an error naming %s without the secrets", name, err, registry.EnvBearerToken)
		}
	}
}
