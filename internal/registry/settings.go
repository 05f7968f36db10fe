package registry

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Settings of the registry connection, shared by every role that talks to
// the registry (ingest, fetcher, sink, request, run).
const (
	EnvURL           = "SCHEMA_REGISTRY_URL"
	EnvUserInfo      = "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"
	EnvBearerToken   = "SCHEMA_REGISTRY_BEARER_TOKEN"
	EnvCAFile        = "SCHEMA_REGISTRY_CA_FILE"
	EnvCompatibility = "SCHEMA_REGISTRY_COMPATIBILITY"

	flagURL           = "schema-registry-url"
	flagUserInfo      = "schema-registry-basic-auth-user-info"
	flagBearerToken   = "schema-registry-bearer-token"
	flagCAFile        = "schema-registry-ca-file"
	flagCompatibility = "schema-registry-compatibility"
)

// DefaultURL is the local registry `make up` starts (Apicurio's
// Confluent-compatible API).
const DefaultURL = "http://127.0.0.1:8081/apis/ccompat/v7"

// CompatibilityOff leaves the subjects' compatibility to the registry's
// administrators: the roles neither read nor set it.
const CompatibilityOff = "off"

// Settings is how a process reaches the registry: its URL, credentials
// (basic auth as Confluent's clients take it, user info in the URL or
// `user:password` in SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, or a bearer
// token), the CA that signs its certificate, and the compatibility level
// the roles keep on the subjects they write.
//
// Validate must run before the Settings are used: it parses the URL,
// separates the credentials from it and reads the CA file.
type Settings struct {
	URL           string
	UserInfo      string
	BearerToken   string
	CAFile        string
	Compatibility string

	base       string // URL without user info: the only form that reaches errors and logs
	user, pass string
	basic      bool
	roots      *x509.CertPool
	level      sr.CompatibilityLevel // 0 with CompatibilityOff
}

// Bind registers the settings in s.
func (c *Settings) Bind(s *config.Set) {
	s.String(&c.URL, flagURL, EnvURL, DefaultURL, "base URL of the registry's Confluent-compatible API; https://user:password@host/... carries basic-auth credentials")
	s.String(&c.UserInfo, flagUserInfo, EnvUserInfo, "", "basic-auth credentials as user:password (Confluent's basic.auth.user.info; never logged)")
	s.String(&c.BearerToken, flagBearerToken, EnvBearerToken, "", "bearer token sent as Authorization: Bearer (never logged)")
	s.String(&c.CAFile, flagCAFile, EnvCAFile, "", "PEM file of the CAs that sign the registry's certificate (https); empty: the system pool")
	s.String(&c.Compatibility, flagCompatibility, EnvCompatibility, "BACKWARD",
		"compatibility the roles keep on the subjects they register: BACKWARD, BACKWARD_TRANSITIVE, FULL or FULL_TRANSITIVE (a stricter level already set is kept), or off")
}

// Validate checks the settings and reads the CA file, naming the first bad
// setting. No error repeats a credential.
func (c *Settings) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return config.Invalid(EnvURL, flagURL, "must be an http(s) URL with a host, got %q", redactRaw(c.URL))
	}
	c.user, c.pass, c.basic = "", "", false
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
		c.basic = true
		if c.user == "" {
			return config.Invalid(EnvURL, flagURL, "user info must name a user (https://user:password@host/...)")
		}
		if c.UserInfo != "" {
			return config.Invalid(EnvUserInfo, flagUserInfo, "set the credentials once: %s carries user info already", EnvURL)
		}
		u.User = nil
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return config.Invalid(EnvURL, flagURL, "must be the API's base URL without query or fragment, got %q", redactRaw(c.URL))
	}
	c.base = strings.TrimSuffix(u.String(), "/")
	if c.UserInfo != "" {
		user, pass, ok := strings.Cut(c.UserInfo, ":")
		if !ok || user == "" {
			return config.Invalid(EnvUserInfo, flagUserInfo, "must be user:password")
		}
		c.user, c.pass, c.basic = user, pass, true
	}
	if c.BearerToken != "" && c.basic {
		return config.Invalid(EnvBearerToken, flagBearerToken, "cannot be used with basic-auth credentials (%s or user info in %s): one Authorization header", EnvUserInfo, EnvURL)
	}
	c.roots = nil
	if c.CAFile != "" {
		if u.Scheme != "https" {
			return config.Invalid(EnvCAFile, flagCAFile, "is set but %s is not https (%s)", EnvURL, c.base)
		}
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return config.Invalid(EnvCAFile, flagCAFile, "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return config.Invalid(EnvCAFile, flagCAFile, "%s holds no PEM certificate", c.CAFile)
		}
		c.roots = pool
	}
	c.level = 0
	switch lvl := strings.ToUpper(strings.TrimSpace(c.Compatibility)); lvl {
	case "OFF":
	case "BACKWARD", "BACKWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE":
		if err := c.level.UnmarshalText([]byte(lvl)); err != nil {
			return config.Invalid(EnvCompatibility, flagCompatibility, "%v", err)
		}
	default:
		// NONE and FORWARD would let a new schema stop reading old data:
		// consumers read topics that hold every version.
		return config.Invalid(EnvCompatibility, flagCompatibility, "must be BACKWARD, BACKWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or off, got %q", c.Compatibility)
	}
	return nil
}

// String describes the settings without secrets, for start-up logs.
func (c Settings) String() string {
	base := c.base
	if base == "" {
		base = redactRaw(c.URL)
	}
	auth := "none"
	switch {
	case c.BearerToken != "":
		auth = "bearer"
	case c.basic:
		auth = "basic"
	}
	return fmt.Sprintf("%s auth=%s ca=%q compatibility=%s", base, auth, c.CAFile, c.Compatibility)
}

// tlsConfig is nil when the system pool will do.
func (c *Settings) tlsConfig() *tls.Config {
	if c.roots == nil {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: c.roots}
}

// credentials names the settings the credentials in use came from, for
// the error that reports them refused.
func (c *Settings) credentials() string {
	switch {
	case c.BearerToken != "":
		return EnvBearerToken
	case c.basic && c.UserInfo != "":
		return EnvUserInfo
	case c.basic:
		return "the user info of " + EnvURL
	}
	return fmt.Sprintf("none are set (%s or %s)", EnvUserInfo, EnvBearerToken)
}

// redactRaw hides the user info of a URL that may not even parse; the user
// too, since some registries' user names are API keys.
func redactRaw(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User != nil {
			u.User = url.User("xxxxx")
		}
		return u.String()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		if at := strings.LastIndexByte(raw, '@'); at >= 0 {
			return "xxxxx@" + raw[at+1:]
		}
		return raw
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return scheme + "://xxxxx@" + rest[at+1:]
	}
	return raw
}
