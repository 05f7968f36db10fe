package belvo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

const htmlBurst = "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center></body></html>"

func belvoError(code, msg string) string {
	return `[{"code":"` + code + `","message":"` + msg + `","request_id":"0123456789abcdef0123456789abcdef"}]`
}

// TestErrorClassesAndRetryPolicy pins, for every class of answer, whether
// the client retries, after how long, and which typed error it returns.
func TestErrorClassesAndRetryPolicy(t *testing.T) {
	cases := []struct {
		name     string
		answers  []func(http.ResponseWriter, *http.Request)
		ok       bool // the listing ends well after the scripted answers
		attempts int  // requests made in all
		sleeps   []time.Duration
		is       error  // errors.Is target when !ok
		code     string // APIError code when !ok
	}{
		{name: "500 then success: retried after 3s", answers: []func(http.ResponseWriter, *http.Request){answer(500, belvoError("unexpected_error", "x"))},
			ok: true, attempts: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "502 503 504 then success: 3s 6s 12s", answers: []func(http.ResponseWriter, *http.Request){answer(502, "bad gateway"), answer(503, belvoError("service_unavailable", "x")), answer(504, "")},
			ok: true, attempts: 4, sleeps: []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second}},
		{name: "408 request_timeout not retried: ask for less data", answers: []func(http.ResponseWriter, *http.Request){answer(408, belvoError("request_timeout", "x"))},
			attempts: 1, is: belvo.ErrRequestTimeout, code: "request_timeout"},
		{name: "429 honours Retry-After", answers: []func(http.ResponseWriter, *http.Request){answer(429, belvoError("too_many_requests", "x"), "Retry-After", "7")},
			ok: true, attempts: 2, sleeps: []time.Duration{7 * time.Second}},
		{name: "429 without Retry-After backs off", answers: []func(http.ResponseWriter, *http.Request){answer(429, "")},
			ok: true, attempts: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "400 too_many_sessions retried", answers: []func(http.ResponseWriter, *http.Request){answer(400, belvoError("too_many_sessions", "x"))},
			ok: true, attempts: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "403 HTML burst limit retried", answers: []func(http.ResponseWriter, *http.Request){answer(403, htmlBurst, "Content-Type", "text/html")},
			ok: true, attempts: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "network error retried", answers: []func(http.ResponseWriter, *http.Request){hangUp},
			ok: true, attempts: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "400 invalid not retried", answers: []func(http.ResponseWriter, *http.Request){answer(400, belvoError("invalid", "Enter a valid date."))},
			attempts: 1, code: "invalid"},
		{name: "403 JSON access denied not retried", answers: []func(http.ResponseWriter, *http.Request){answer(403, belvoError("access_to_resource_denied", "x"))},
			attempts: 1, is: belvo.ErrAccessDenied, code: "access_to_resource_denied"},
		{name: "409 link_refreshed is the cooldown", answers: []func(http.ResponseWriter, *http.Request){answer(409, belvoError("link_refreshed", "wait"))},
			attempts: 1, is: belvo.ErrCooldown, code: "link_refreshed"},
		{name: "428 token_required not retried", answers: []func(http.ResponseWriter, *http.Request){answer(428, belvoError("token_required", "x"))},
			attempts: 1, code: "token_required"},
		{name: "503 five times gives up: 3s 6s 12s 24s", answers: slices.Repeat([]func(http.ResponseWriter, *http.Request){answer(503, belvoError("service_unavailable", "x"))}, 5),
			attempts: 5, sleeps: []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second}, code: "service_unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := emulator.New(emulator.Config{Links: 1, Records: 3}, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := &scripted{answers: tc.answers, next: e.Handler()}
			srv := httptest.NewServer(s)
			defer srv.Close()
			clk := newFakeClock()
			c := client(t, srv.URL, clk, nil)
			err = c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
			if s.count() != tc.attempts {
				t.Errorf("%d requests, want %d", s.count(), tc.attempts)
			}
			if got := clk.slept(); !slices.Equal(got, tc.sleeps) {
				t.Errorf("slept %v, want %v", got, tc.sleeps)
			}
			if tc.ok {
				if err != nil {
					t.Fatalf("err = %v, want success after retries", err)
				}
				return
			}
			var apiErr *belvo.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *belvo.APIError", err)
			}
			if apiErr.Code() != tc.code || apiErr.Attempts != tc.attempts {
				t.Errorf("code %q attempts %d, want %q and %d", apiErr.Code(), apiErr.Attempts, tc.code, tc.attempts)
			}
			if apiErr.RequestID() != "0123456789abcdef0123456789abcdef" {
				t.Errorf("request_id %q not carried", apiErr.RequestID())
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
			}
		})
	}
}

// TestEmulatorErrorsAreTyped pins the errors the emulator itself produces
// (wrong keys, unknown link, 403 HTML burst limit) as the client sees them.
func TestEmulatorErrorsAreTyped(t *testing.T) {
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	t.Run("401 wrong password", func(t *testing.T) {
		_, srv := emu(t, emulator.Config{Links: 1, Records: 1})
		c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.SecretPassword = "wrong" })
		err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
		var apiErr *belvo.APIError
		if !errors.Is(err, belvo.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Code() != "authentication_failed" || !hex32.MatchString(apiErr.RequestID()) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("404 unknown link", func(t *testing.T) {
		_, srv := emu(t, emulator.Config{Links: 1, Records: 1})
		c := client(t, srv.URL, newFakeClock(), nil)
		err := c.List(t.Context(), "/api/transactions/", belvo.Query{Link: "0284557b-df47-450a-po09e-7875195c2259"}, func(belvo.Page) error { return nil })
		if !errors.Is(err, belvo.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("403 HTML burst limit exhausts the tries", func(t *testing.T) {
		e, srv := emu(t, emulator.Config{Links: 1, Records: 1, Faults: emulator.Faults{BurstLimit: 1, BurstWindow: time.Hour}})
		clk := newFakeClock()
		c := client(t, srv.URL, clk, nil)
		if err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil }); err != nil {
			t.Fatalf("first request within the limit: %v", err)
		}
		err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
		var apiErr *belvo.APIError
		if !errors.Is(err, belvo.ErrBurstLimit) || !errors.As(err, &apiErr) || apiErr.Attempts != 5 || apiErr.Body == "" {
			t.Fatalf("err = %v, want ErrBurstLimit after 5 attempts with the HTML kept", err)
		}
		if n := len(e.Requests()); n != 6 {
			t.Fatalf("%d requests, want 1 + 5", n)
		}
	})
}

// TestContextBoundsEverything pins that a cancelled context stops a
// request before it is sent and interrupts a backoff wait at once.
func TestContextBoundsEverything(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		e, srv := emu(t, emulator.Config{Links: 1, Records: 1})
		c := client(t, srv.URL, nil, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := c.List(ctx, "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
		if !errors.Is(err, context.Canceled) || len(e.Requests()) != 0 {
			t.Fatalf("err %v after %d requests; want context.Canceled and none", err, len(e.Requests()))
		}
	})
	t.Run("cancelled during an hour-long backoff", func(t *testing.T) {
		failed := make(chan struct{}, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			failed <- struct{}{}
		}))
		defer srv.Close()
		c := client(t, srv.URL, nil, func(cfg *belvo.Config) { cfg.BaseBackoff = time.Hour })
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- c.List(ctx, "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
		}()
		<-failed
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("List still waiting 10s after its context was cancelled")
		}
	})
}

// TestAsyncRequestsRefreshCooldownAndDeletion pins the requests that start
// work at Belvo: async POST and refresh return a 32-hex request_id, a
// second refresh is the typed cooldown, and a deleted link is then 404.
func TestAsyncRequestsRefreshCooldownAndDeletion(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 2, Records: 5})
	c := client(t, srv.URL, newFakeClock(), nil)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	link := e.Links()[0].ID

	id, err := c.AsyncPost(t.Context(), "/api/transactions/", map[string]string{"link": link, "date_from": "2026-01-01", "date_to": "2026-02-01"})
	if err != nil || !hex32.MatchString(id) {
		t.Fatalf("AsyncPost: %q, %v", id, err)
	}
	last := e.Requests()[len(e.Requests())-1]
	if last.Method != http.MethodPost || last.Status != http.StatusAccepted {
		t.Fatalf("last request %+v", last)
	}
	var ae *belvo.APIError
	if _, err = c.Refresh(t.Context(), link, "PAYMENTS"); !errors.As(err, &ae) || ae.Status != 400 || ae.Details[0].Field != "fetch_resources" {
		t.Fatalf("Refresh of an unknown resource: %v, want 400 on fetch_resources", err)
	}
	if id, err = c.Refresh(t.Context(), link, "ACCOUNTS", "TRANSACTIONS"); err != nil || !hex32.MatchString(id) {
		t.Fatalf("Refresh: %q, %v", id, err)
	}
	if _, err = c.Refresh(t.Context(), link); !errors.Is(err, belvo.ErrCooldown) {
		t.Fatalf("second Refresh: %v, want ErrCooldown", err)
	}
	if id, err = c.DeleteLink(t.Context(), link); err != nil || !hex32.MatchString(id) {
		t.Fatalf("DeleteLink: %q, %v", id, err)
	}
	err = c.List(t.Context(), "/api/accounts/", belvo.Query{Link: link}, func(belvo.Page) error { return nil })
	if !errors.Is(err, belvo.ErrNotFound) {
		t.Fatalf("list of a deleted link: %v, want ErrNotFound", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.Quiesce(ctx); err != nil {
		t.Fatal(err)
	}
}
