package belvo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinels callers branch on with errors.Is; the details are in *APIError.
var (
	// ErrCooldown: 409 link_refreshed, the link was refreshed less than ten
	// minutes ago. Not retried: waiting ten minutes is the caller's choice.
	ErrCooldown = errors.New("belvo: link refreshed recently (cooldown)")
	// ErrBurstLimit: Belvo's edge answered 403 with an HTML page, which it
	// does above 80 requests in 30 s from one IP. Throttling: it clears by
	// itself.
	ErrBurstLimit = errors.New("belvo: burst limit (403 HTML)")
	// ErrAccessDenied: 403 with Belvo's JSON error array
	// (access_to_resource_denied or another code): the API itself refused
	// this resource to these keys, and asking again gets the same answer.
	ErrAccessDenied = errors.New("belvo: access to resource denied")
	// ErrRequestTimeout: 408. Belvo could not gather the data in its time
	// limit and asks for less data; the same request would time out again.
	ErrRequestTimeout = errors.New("belvo: request timeout (ask for less data)")
	// ErrTooManySessions: 400 too_many_sessions. The institution allows one
	// session at a time; Belvo documents it as "try again later".
	ErrTooManySessions = errors.New("belvo: too many sessions (try again later)")
	// ErrNotFound: 404, e.g. an unknown or deleted link.
	ErrNotFound = errors.New("belvo: not found")
	// ErrUnauthorized: 401, the secret key pair was refused.
	ErrUnauthorized = errors.New("belvo: unauthorized")
	// ErrForeignNext: a page's next URL left the configured scheme and host.
	ErrForeignNext = errors.New("belvo: next page URL on a foreign host")
	// ErrRedirect: Belvo's API answered 3XX. The client never follows one,
	// see RedirectError.
	ErrRedirect = errors.New("belvo: redirect refused")
)

// ErrorDetail is one entry of Belvo's error array.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Field     string `json:"field,omitempty"`
	// Extra holds the members beyond these, as Belvo sent them: a 428
	// token_required carries session, expiry, link and
	// token_generation_data, which resuming the session needs.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps every member: the known ones typed, the rest in Extra.
func (d *ErrorDetail) UnmarshalJSON(b []byte) error {
	type known ErrorDetail // without this method
	var k known
	if err := json.Unmarshal(b, &k); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, name := range []string{"code", "message", "request_id", "field"} {
		delete(all, name)
	}
	*d = ErrorDetail(k)
	if len(all) > 0 {
		d.Extra = all
	}
	return nil
}

// MarshalJSON writes the known members and Extra back as one object.
func (d ErrorDetail) MarshalJSON() ([]byte, error) {
	type known ErrorDetail
	b, err := json.Marshal(known(d))
	if err != nil || len(d.Extra) == 0 {
		return b, err
	}
	extra, err := json.Marshal(d.Extra) // keys sorted: a stable text
	if err != nil {
		return nil, err
	}
	if len(b) == 2 { // {}
		return extra, nil
	}
	return append(append(b[:len(b)-1], ','), extra[1:]...), nil
}

// APIError is a non-2XX answer from Belvo.
type APIError struct {
	Method     string
	Path       string // path and query requested (never carries secrets)
	Status     int
	Details    []ErrorDetail // Belvo's error array; empty when the body was not one
	Body       string        // the start of a body that was not Belvo's JSON (e.g. 403 HTML)
	RetryAfter time.Duration // from the Retry-After header, 0 when absent
	Attempts   int           // attempts made before giving up
}

// Code returns the first error code Belvo sent, or "".
func (e *APIError) Code() string {
	if len(e.Details) == 0 {
		return ""
	}
	return e.Details[0].Code
}

// RequestID returns Belvo's request id of the failure, for support tickets.
func (e *APIError) RequestID() string {
	if len(e.Details) == 0 {
		return ""
	}
	return e.Details[0].RequestID
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "belvo %s %s: HTTP %d", e.Method, e.Path, e.Status)
	for _, d := range e.Details {
		fmt.Fprintf(&b, "; %s: %s", d.Code, d.Message)
		if d.Field != "" {
			fmt.Fprintf(&b, " (field %s)", d.Field)
		}
		if d.RequestID != "" {
			fmt.Fprintf(&b, " [request_id %s]", d.RequestID)
		}
		if len(d.Extra) > 0 {
			// The error's text is what the dead letter and the error_events
			// fact record: the members a caller acts on must survive in it.
			extra, _ := json.Marshal(d.Extra)
			fmt.Fprintf(&b, " %s", extra)
		}
	}
	if len(e.Details) == 0 && e.Body != "" {
		fmt.Fprintf(&b, "; body %q", e.Body)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Is maps statuses and codes to the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrCooldown:
		return e.Status == 409 && e.Code() == "link_refreshed"
	case ErrBurstLimit:
		return e.Status == 403 && len(e.Details) == 0
	case ErrAccessDenied:
		return e.Status == 403 && len(e.Details) > 0
	case ErrRequestTimeout:
		return e.Status == 408
	case ErrTooManySessions:
		return e.Status == 400 && e.Code() == "too_many_sessions"
	case ErrNotFound:
		return e.Status == 404
	case ErrUnauthorized:
		return e.Status == 401
	}
	return false
}

// ForeignNextError is a next-page URL the client refused to follow because
// it does not share the configured scheme and host: following it would send
// the secret key pair to whoever wrote the page.
type ForeignNextError struct {
	Next string // the refused URL
	Want string // the configured scheme://host
}

func (e *ForeignNextError) Error() string {
	return fmt.Sprintf("belvo: refusing next page %q: not on %s", e.Next, e.Want)
}

// Is makes errors.Is(err, ErrForeignNext) hold.
func (e *ForeignNextError) Is(target error) bool { return target == ErrForeignNext }

// RedirectError is a 3XX answer, refused: following it would resend the
// secret key pair (the Authorization header) to wherever Location points,
// another port or host included, and accept its body as Belvo's data. No
// API call of the client is answered with a redirect by Belvo, so one means
// a wrong BELVO_URL or someone in the path; asking again gets the same
// answer, so it is not retried.
type RedirectError struct {
	Method   string
	Path     string // path and query requested
	Status   int
	Location string // the refused target, as sent
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("belvo %s %s: HTTP %d redirect to %q refused: the client never follows redirects (check %s)",
		e.Method, e.Path, e.Status, e.Location, EnvURL)
}

// Is makes errors.Is(err, ErrRedirect) hold.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirect }

// maxBodySnippet bounds what an APIError keeps of a body that is not JSON.
const maxBodySnippet = 512

// parseErrorBody fills Details from Belvo's JSON error array, or Body when
// the answer is something else (the 403 HTML of the burst limit, a proxy's
// page). Belvo has also been seen to send a single object; accept it too.
func parseErrorBody(e *APIError, body []byte) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var ds []ErrorDetail
		if json.Unmarshal(trimmed, &ds) == nil && len(ds) > 0 {
			e.Details = ds
			return
		}
	}
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var d ErrorDetail
		if json.Unmarshal(trimmed, &d) == nil && d.Code != "" {
			e.Details = []ErrorDetail{d}
			return
		}
	}
	if len(trimmed) > maxBodySnippet {
		trimmed = trimmed[:maxBodySnippet]
	}
	e.Body = string(trimmed)
}
