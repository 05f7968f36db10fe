package registry

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"

	"github.com/twmb/franz-go/pkg/sr"
)

// AuthError is the registry refusing the credentials (401) or what they
// may do (403). It is a deployment's problem, never a message's: it does
// not unwrap to the *sr.ResponseError, so callers that sort registry
// answers by status code into "retry" and "this message is bad" do not
// dead-letter records because a password was rotated.
type AuthError struct {
	Status      int
	Method, URL string // the URL without user info
	Credentials string // the setting the credentials came from
	Message     string // the registry's own words
}

func (e *AuthError) Error() string {
	what := "refused the credentials"
	if e.Status == http.StatusForbidden {
		what = "refused the request: the credentials lack the permission"
	}
	msg := fmt.Sprintf("schema registry %s (%s %s: HTTP %d): credentials: %s", what, e.Method, e.URL, e.Status, e.Credentials)
	if e.Message != "" {
		msg += "; registry says: " + e.Message
	}
	return msg
}

// IncompatibleError is the registry refusing a schema as incompatible with
// the subject's latest version.
type IncompatibleError struct {
	Subject string
	Level   string // the level the roles keep (SCHEMA_REGISTRY_COMPATIBILITY)
	Reason  string // the registry's words
}

func (e *IncompatibleError) Error() string {
	return fmt.Sprintf("schema registry refused the schema of subject %s as incompatible with its latest version (compatibility %s; see docs/operations.md, Schema evolution): %s",
		e.Subject, e.Level, e.Reason)
}

// SchemaFetchError is the registry not giving the schema of an id: it did
// not answer, refused the credentials, or answered an error status (the
// *sr.ResponseError it wraps says which). Of a decode's failures it is the
// only one that is not the message's bytes.
type SchemaFetchError struct {
	ID  int
	Err error
}

func (e *SchemaFetchError) Error() string { return fmt.Sprintf("fetch schema %d: %v", e.ID, e.Err) }

func (e *SchemaFetchError) Unwrap() error { return e.Err }

// classify turns a refusal of the credentials into an AuthError and names
// the setting that fixes an untrusted certificate; other errors pass as
// they are. No error here holds a credential: the client's URL has no user
// info and headers never reach error texts.
func (c *Client) classify(err error) error {
	if err == nil {
		return nil
	}
	var re *sr.ResponseError
	if errors.As(err, &re) && (re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden) {
		msg := re.Message
		if msg == "" || msg == "no response" {
			msg = string(re.Raw)
		}
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		return &AuthError{Status: re.StatusCode, Method: re.Method, URL: re.URL, Credentials: c.settings.credentials(), Message: msg}
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		hint := "the system pool"
		if c.settings.CAFile != "" {
			hint = c.settings.CAFile
		}
		return fmt.Errorf("%w (the registry's certificate is not trusted by %s: set %s to the PEM of the CA that signs it)", err, hint, EnvCAFile)
	}
	return err
}

// Final reports the errors no retry mends: the registry refused the
// credentials, its certificate is not trusted, or it refused a schema as
// incompatible. A setting or the schema must change; a role that keeps
// retrying at start would only hide that behind a pod never ready.
func Final(err error) bool {
	var ae *AuthError
	var ie *IncompatibleError
	var cve *tls.CertificateVerificationError
	return errors.As(err, &ae) || errors.As(err, &ie) || errors.As(err, &cve)
}
