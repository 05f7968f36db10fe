package registry

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// The local registry (Apicurio 2.4.2) enforces no authentication: its own
// needs Keycloak. authProxy stands in front of it and enforces what a
// secured registry does, so the client's credentials are checked for real
// and everything else is the real registry's answer.
type authProxy struct {
	srv                *httptest.Server
	user, pass, bearer string
	refused, passed    atomic.Int64
}

func newAuthProxy(t *testing.T, tlsOn bool) *authProxy {
	t.Helper()
	target, err := url.Parse(testenv.Registry(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &authProxy{user: "pipeline", pass: "p@ss:w0rd#1", bearer: "tok-" + testenv.Prefix(t)}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.allowed(r) {
			p.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":40101,"message":"Unauthorized"}`))
			return
		}
		p.passed.Add(1)
		r.Header.Del("Authorization")
		rp.ServeHTTP(w, r)
	})
	p.srv = httptest.NewUnstartedServer(h)
	// The refused handshakes of the untrusted-certificate cases are expected.
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsOn {
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	t.Cleanup(p.srv.Close)
	return p
}

func (p *authProxy) allowed(r *http.Request) bool {
	if user, pass, ok := r.BasicAuth(); ok {
		return subtle.ConstantTimeCompare([]byte(user), []byte(p.user)) == 1 && subtle.ConstantTimeCompare([]byte(pass), []byte(p.pass)) == 1
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(p.bearer)) == 1
}

// base is the proxy's URL with the registry's API path.
func (p *authProxy) base(t *testing.T) string {
	u, _ := url.Parse(testenv.Registry(t))
	return p.srv.URL + u.Path
}

const authSchema = `{"type":"record","name":"Auth","namespace":"test","fields":[{"name":"a","type":"string"}]}`

// roundTrip registers a schema with one client and decodes with another,
// which must fetch the schema by id through the proxy.
func roundTrip(t *testing.T, s Settings) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	writer, err := NewClient(s)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := writer.Register(ctx, testenv.Prefix(t)+".auth-value", authSchema)
	if err != nil {
		t.Fatalf("register through the proxy: %v", err)
	}
	msg, err := codec.Append(nil, map[string]any{"a": "x"})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := NewClient(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, id, err := reader.Decode(ctx, msg); err != nil || id != codec.ID {
		t.Fatalf("decode (fetch by id) through the proxy: id %d, %v", id, err)
	}
	if err := reader.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRightCredentialsRegisterAndFetch(t *testing.T) {
	p := newAuthProxy(t, false)
	hostPath := strings.TrimPrefix(p.base(t), "http://")
	for name, s := range map[string]Settings{
		"user info in the URL": {URL: "http://" + url.UserPassword(p.user, p.pass).String() + "@" + hostPath},
		"user info setting":    {URL: p.base(t), UserInfo: p.user + ":" + p.pass},
		"bearer token":         {URL: p.base(t), BearerToken: p.bearer},
	} {
		t.Run(name, func(t *testing.T) {
			s.Compatibility = "BACKWARD"
			before := p.passed.Load()
			roundTrip(t, s)
			if p.refused.Load() != 0 || p.passed.Load() == before {
				t.Fatalf("proxy refused %d, passed %d requests", p.refused.Load(), p.passed.Load()-before)
			}
		})
	}
}

// Wrong or missing credentials end Register at the first answer, with an
// error that names the setting and shows no secret: no retries, no wait.
func TestWrongCredentialsFailAtOnceNamingTheSetting(t *testing.T) {
	p := newAuthProxy(t, false)
	hostPath := strings.TrimPrefix(p.base(t), "http://")
	const wrong = "wr0ng-s3cret"
	for _, tc := range []struct {
		name string
		s    Settings
		want string
	}{
		{"wrong password in the URL", Settings{URL: "http://" + p.user + ":" + wrong + "@" + hostPath}, "credentials: the user info of " + EnvURL},
		{"wrong user info", Settings{URL: p.base(t), UserInfo: p.user + ":" + wrong}, "credentials: " + EnvUserInfo},
		{"wrong bearer token", Settings{URL: p.base(t), BearerToken: wrong}, "credentials: " + EnvBearerToken},
		{"no credentials", Settings{URL: p.base(t)}, "credentials: none are set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, compat := range []string{"BACKWARD", CompatibilityOff} {
				tc.s.Compatibility = compat
				c, err := NewClient(tc.s)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				before := p.refused.Load()
				_, err = c.Register(ctx, testenv.Prefix(t)+".auth-value", authSchema)
				cancel()
				var ae *AuthError
				if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
					t.Fatalf("compatibility %s: Register error %v, want an AuthError", compat, err)
				}
				if n := p.refused.Load() - before; n != 1 {
					t.Errorf("compatibility %s: %d requests refused, want 1 (no retry of refused credentials)", compat, n)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "HTTP 401") || strings.Contains(msg, wrong) {
					t.Errorf("compatibility %s: error %q: want it to name %q and HTTP 401, without the secret", compat, msg, tc.want)
				}
			}
		})
	}
}

// A sink decoding with refused credentials must not take the record for a
// bad one: the error is not the registry's 4xx ResponseError that callers
// sort into "dead letter".
func TestRefusedCredentialsAreNotAMessageError(t *testing.T) {
	p := newAuthProxy(t, false)
	good, err := NewClient(Settings{URL: p.base(t), BearerToken: p.bearer, Compatibility: CompatibilityOff})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	codec, err := good.Register(ctx, testenv.Prefix(t)+".auth-value", authSchema)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := codec.Append(nil, map[string]any{"a": "x"})
	bad, err := NewClient(Settings{URL: p.base(t), BearerToken: "expired", Compatibility: CompatibilityOff})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = bad.Decode(ctx, msg)
	var ae *AuthError
	var re *sr.ResponseError
	if !errors.As(err, &ae) || errors.As(err, &re) || !strings.HasPrefix(err.Error(), "fetch schema") {
		t.Fatalf("Decode with refused credentials: %v (AuthError %v, ResponseError %v)", err, ae != nil, re != nil)
	}
	if err := bad.Ping(ctx); !errors.As(err, &ae) {
		t.Fatalf("Ping with refused credentials: %v", err)
	}
}

func TestCAFileTrustsTheRegistrysCertificate(t *testing.T) {
	p := newAuthProxy(t, true)
	ca := writeCA(t, p.srv.Certificate())
	roundTrip(t, Settings{URL: p.base(t), UserInfo: p.user + ":" + p.pass, CAFile: ca, Compatibility: "BACKWARD"})

	// httptest's servers all share one certificate: make another CA.
	for name, caFile := range map[string]string{"system pool": "", "another CA": writeCA(t, selfSigned(t))} {
		c, err := NewClient(Settings{URL: p.base(t), UserInfo: p.user + ":" + p.pass, CAFile: caFile, Compatibility: "BACKWARD"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err = c.Register(ctx, testenv.Prefix(t)+".auth-value", authSchema)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "x509") || !strings.Contains(err.Error(), EnvCAFile) {
			t.Errorf("%s: error %v, want an x509 error naming %s", name, err, EnvCAFile)
		}
		t.Logf("%s: %v", name, err)
	}
}

// selfSigned is a CA certificate no server here is signed by.
func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
