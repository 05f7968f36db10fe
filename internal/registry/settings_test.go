package registry

import (
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/config"
)

const (
	secret    = "s3cr#t:pw"
	urlSecret = "s3cr%23t%3Apw" // secret as user info in a URL
)

// bind parses env into Settings as a role does.
func bind(t *testing.T, env map[string]string, args ...string) Settings {
	t.Helper()
	var s Settings
	set := config.New("x")
	s.Bind(set)
	if _, err := set.Parse(args, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSettingsDefaultsAreTheLocalRegistry(t *testing.T) {
	s := bind(t, nil)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.base != DefaultURL || s.basic || s.BearerToken != "" || s.roots != nil || s.level.String() != "BACKWARD" {
		t.Fatalf("defaults: %+v", s)
	}
}

func TestSettingsTakeCredentialsFromTheURLOrUserInfo(t *testing.T) {
	// The password is percent-encoded in the URL as Confluent's clients
	// expect; the client must send it decoded and never show it.
	s := bind(t, map[string]string{EnvURL: "https://key:s3cr%23t:pw@registry.example:8081/apis/ccompat/v7/"})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if !s.basic || s.user != "key" || s.pass != secret || s.base != "https://registry.example:8081/apis/ccompat/v7" {
		t.Fatalf("from URL: basic=%v user=%q pass=%q base=%q", s.basic, s.user, s.pass, s.base)
	}
	if strings.Contains(s.String(), "s3cr") || strings.Contains(s.String(), "key") {
		t.Fatalf("String shows a credential: %s", s)
	}

	s = bind(t, map[string]string{EnvURL: "https://registry.example", EnvUserInfo: "key:" + secret})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if !s.basic || s.user != "key" || s.pass != secret || s.base != "https://registry.example" {
		t.Fatalf("from user info: basic=%v user=%q pass=%q base=%q", s.basic, s.user, s.pass, s.base)
	}

	s = bind(t, nil, "--schema-registry-bearer-token", "tok"+secret)
	if err := s.Validate(); err != nil || s.basic || s.BearerToken != "tok"+secret {
		t.Fatalf("bearer by flag: %v %+v", err, s)
	}
}

func TestSettingsErrorsNameTheSettingAndHideSecrets(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvURL: "127.0.0.1:8081"}, EnvURL + " (--schema-registry-url): must be an http(s) URL"},
		{map[string]string{EnvURL: "ftp://u:" + urlSecret + "@h/x"}, EnvURL + " (--schema-registry-url): must be an http(s) URL"},
		{map[string]string{EnvURL: "http://u:pa ss" + secret + "@h/x"}, EnvURL + " (--schema-registry-url): must be an http(s) URL"},
		{map[string]string{EnvURL: "http://:" + urlSecret + "@h/x"}, EnvURL + " (--schema-registry-url): user info must name a user"},
		{map[string]string{EnvURL: "http://u:" + urlSecret + "@h/x?token=1"}, EnvURL + " (--schema-registry-url): must be the API's base URL"},
		{map[string]string{EnvURL: "http://u:" + urlSecret + "@h/x", EnvUserInfo: "u:" + secret}, EnvUserInfo + " (--schema-registry-basic-auth-user-info): set the credentials once"},
		{map[string]string{EnvUserInfo: secret[:4]}, EnvUserInfo + " (--schema-registry-basic-auth-user-info): must be user:password"},
		{map[string]string{EnvUserInfo: ":" + secret}, EnvUserInfo + " (--schema-registry-basic-auth-user-info): must be user:password"},
		{map[string]string{EnvUserInfo: "u:" + secret, EnvBearerToken: secret}, EnvBearerToken + " (--schema-registry-bearer-token): cannot be used with basic-auth"},
		{map[string]string{EnvCAFile: notPEM}, EnvCAFile + " (--schema-registry-ca-file): is set but " + EnvURL + " is not https"},
		{map[string]string{EnvURL: "https://h", EnvCAFile: filepath.Join(dir, "missing.pem")}, EnvCAFile + " (--schema-registry-ca-file): open"},
		{map[string]string{EnvURL: "https://h", EnvCAFile: notPEM}, EnvCAFile + " (--schema-registry-ca-file): " + notPEM + " holds no PEM certificate"},
		{map[string]string{EnvCompatibility: "NONE"}, EnvCompatibility + " (--schema-registry-compatibility): must be BACKWARD"},
		{map[string]string{EnvCompatibility: "FORWARD"}, EnvCompatibility + " (--schema-registry-compatibility): must be BACKWARD"},
	} {
		s := bind(t, tc.env)
		err := s.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to start with %q", tc.env, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3cr") {
			t.Errorf("%v: error shows the secret: %v", tc.env, err)
		}
	}
}

func TestSettingsAcceptCompatibilityLevelsAndOff(t *testing.T) {
	for in, want := range map[string]string{"backward": "BACKWARD", "FULL_TRANSITIVE": "FULL_TRANSITIVE", "off": "", "OFF": ""} {
		s := bind(t, map[string]string{EnvCompatibility: in})
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := ""
		if s.level != 0 {
			got = s.level.String()
		}
		if got != want {
			t.Errorf("%s: level %q, want %q", in, got, want)
		}
	}
}

func TestSettingsReadTheCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	ca := writeCA(t, srv.Certificate())
	s := bind(t, map[string]string{EnvURL: "https://127.0.0.1:1/apis/ccompat/v7", EnvCAFile: ca})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Certificate().Verify(x509.VerifyOptions{Roots: s.tlsConfig().RootCAs}); err != nil {
		t.Fatalf("the pool read from %s does not trust the certificate written there: %v", ca, err)
	}
}

// writeCA writes cert as a PEM file and returns its path.
func writeCA(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
