package belvo_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
)

// seen is an HTTP server that logs every request it gets, with whether it
// carried credentials, and answers with a page of data: what a redirect's
// target would like the client to accept.
type seen struct {
	mu   sync.Mutex
	reqs []string
}

func (s *seen) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _, basic := r.BasicAuth()
	s.mu.Lock()
	s.reqs = append(s.reqs, fmt.Sprintf("%s %s%s authorization=%v basic=%v", r.Method, r.Host, r.URL.RequestURI(), r.Header.Get("Authorization") != "", basic))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"count":1,"next":null,"previous":null,"results":[{"id":"planted"}]}`)
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// redirector is a Belvo whose answers to paths under /api/ are a redirect
// to target + the same path, after the first `good` requests, which get a
// page of one record whose next link stays on Belvo's own host.
type redirector struct {
	status int
	target string
	good   int

	mu    sync.Mutex
	calls int
}

func (b *redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.calls++
	n := b.calls
	b.mu.Unlock()
	if n <= b.good {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"count":2,"next":"http://%s%s?page=%d","previous":null,"results":[{"id":"real-%d"}]}`, r.Host, r.URL.Path, n+1, n)
		return
	}
	w.Header().Set("Location", b.target+r.URL.RequestURI())
	w.WriteHeader(b.status)
	fmt.Fprint(w, `{"count":1,"next":null,"previous":null,"results":[{"id":"from-the-redirect-body"}]}`)
}

func (b *redirector) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// TestRedirectsAreRefused pins that a 3XX from Belvo is never followed:
// not to another port of the same host (where net/http would resend the
// Basic credentials), not to another host name, not on a later page, and
// not with an http.Client of the caller's that would follow. The target
// gets no request at all, nothing of the redirect is handed out as data,
// and the error is typed, names the Location and is not retried.
func TestRedirectsAreRefused(t *testing.T) {
	target := &seen{}
	evil := httptest.NewServer(target) // 127.0.0.1, a port of its own
	defer evil.Close()
	_, port, err := net.SplitHostPort(evil.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	anotherPort := "http://127.0.0.1:" + port // Belvo's host, another port
	otherHost := "http://localhost:" + port   // another host name, same machine

	cases := []struct {
		name   string
		status int
		target string
		good   int // pages Belvo serves before redirecting
		http   *http.Client
	}{
		{"302 to another port of the same host", http.StatusFound, anotherPort, 0, nil},
		{"302 to another host name", http.StatusFound, otherHost, 0, nil},
		{"301 to another port", http.StatusMovedPermanently, anotherPort, 0, nil},
		{"303 to another host name", http.StatusSeeOther, otherHost, 0, nil},
		{"307 to another port", http.StatusTemporaryRedirect, anotherPort, 0, nil},
		{"308 to another host name", http.StatusPermanentRedirect, otherHost, 0, nil},
		{"302 on the second page", http.StatusFound, anotherPort, 1, nil},
		{"302 with a caller's client that follows redirects", http.StatusFound, anotherPort, 0, &http.Client{Timeout: 10 * time.Second}},
		{"302 to the same origin is refused too", http.StatusFound, "", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(target.all())
			b := &redirector{status: tc.status, target: tc.target, good: tc.good}
			srv := httptest.NewServer(b)
			defer srv.Close()
			if tc.target == "" {
				b.target = srv.URL
			}
			cfg := belvo.Config{URL: srv.URL, SecretID: "id", SecretPassword: "secret-password", RateLimit: 100000, RateInterval: time.Second}
			opts := []belvo.Option{belvo.WithClock(newFakeClock())}
			if tc.http != nil {
				opts = append(opts, belvo.WithHTTPClient(tc.http))
			}
			c, err := belvo.New(cfg, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			err = c.List(t.Context(), "/api/accounts/", belvo.Query{Link: "L"}, func(p belvo.Page) error {
				for _, r := range p.Records {
					got = append(got, string(r))
				}
				return nil
			})

			if reqs := target.all()[before:]; len(reqs) != 0 {
				t.Fatalf("the redirect's target got requests: %v", reqs)
			}
			var re *belvo.RedirectError
			if !errors.As(err, &re) || !errors.Is(err, belvo.ErrRedirect) {
				t.Fatalf("err = %v, want a *belvo.RedirectError", err)
			}
			if re.Status != tc.status || !strings.HasPrefix(re.Location, b.target+"/api/accounts/") || !strings.Contains(err.Error(), re.Location) {
				t.Fatalf("error %q (status %d, location %q): want status %d naming the Location", err, re.Status, re.Location, tc.status)
			}
			if strings.Contains(err.Error(), "secret-password") {
				t.Fatalf("error carries the password: %v", err)
			}
			if b.count() != tc.good+1 {
				t.Fatalf("Belvo got %d requests, want %d: a redirect is not retried", b.count(), tc.good+1)
			}
			if len(got) != tc.good {
				t.Fatalf("records handed out %v, want only Belvo's own %d", got, tc.good)
			}
			for _, r := range got {
				if strings.Contains(r, "redirect") || strings.Contains(r, "planted") {
					t.Fatalf("a redirect's record was accepted as data: %s", r)
				}
			}
		})
	}
}

// TestCallersHTTPClientIsNotChanged pins that refusing redirects does not
// change an http.Client the caller passed and may use elsewhere.
func TestCallersHTTPClientIsNotChanged(t *testing.T) {
	h := &http.Client{Timeout: 3 * time.Second}
	if _, err := belvo.New(belvo.Config{URL: "http://127.0.0.1:1", SecretID: "id", SecretPassword: "pw"}, belvo.WithHTTPClient(h)); err != nil {
		t.Fatal(err)
	}
	if h.CheckRedirect != nil || h.Timeout != 3*time.Second {
		t.Fatalf("the caller's http.Client was changed: %+v", h)
	}
}
