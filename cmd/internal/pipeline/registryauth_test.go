package pipeline

import (
	"crypto/subtle"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// securedRegistry is the real local registry behind a TLS proxy that
// enforces basic auth, as a production registry would (Apicurio's own auth
// needs Keycloak, which does not run here). It returns the settings that
// reach it and counts what it refused and let through.
func securedRegistry(t *testing.T, user, pass string) (env map[string]string, refused, passed *atomic.Int64) {
	t.Helper()
	target, err := url.Parse(testenv.Registry(t))
	if err != nil {
		t.Fatal(err)
	}
	refused, passed = new(atomic.Int64), new(atomic.Int64)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0) // requests the roles cancel at shutdown
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(pass)) != 1 {
			refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error_code":40101,"message":"Unauthorized"}`)
			return
		}
		passed.Add(1)
		r.Header.Del("Authorization")
		rp.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "registry-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		registry.EnvURL:      srv.URL + target.Path,
		registry.EnvUserInfo: user + ":" + pass,
		registry.EnvCAFile:   ca,
	}, refused, passed
}

// The whole scenario with every role reaching the registry only through
// credentials and a CA file: ingest and the fetcher register, the sink
// fetches schemas by id, and the proxy refuses nothing.
func TestScenarioWithRegistryCredentials(t *testing.T) {
	env, refused, passed := securedRegistry(t, "pipeline", "s3cret:pw")
	scenarioEndToEnd(t, env)
	if refused.Load() != 0 || passed.Load() == 0 {
		t.Fatalf("registry proxy refused %d and passed %d requests", refused.Load(), passed.Load())
	}
}

// A wrong registry password stops the pipeline at start, naming the
// setting and without showing the password.
func TestWrongRegistryPasswordStopsAtStart(t *testing.T) {
	env, refused, _ := securedRegistry(t, "pipeline", "s3cret:pw")
	env[registry.EnvUserInfo] = "pipeline:wr0ng-pw"
	err := stopsAtStart(t, testEnv(t, "wrongregistry", env))
	if err == nil || !strings.Contains(err.Error(), registry.EnvUserInfo) || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "wr0ng") {
		t.Fatalf("Run = %v, want an error naming %s and HTTP 401, without the password", err, registry.EnvUserInfo)
	}
	if refused.Load() == 0 {
		t.Fatal("the registry proxy refused nothing")
	}
}
