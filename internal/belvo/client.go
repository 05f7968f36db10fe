package belvo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to one Belvo environment. It is safe for concurrent use, and
// all its users share its rate limiter.
type Client struct {
	cfg     Config
	base    *url.URL
	http    *http.Client
	clock   Clock
	limiter *Limiter
	metrics Metrics
	log     *slog.Logger
}

// Option changes a dependency of a Client.
type Option func(*Client)

// WithHTTPClient replaces the default http.Client (whose Timeout is
// Config.Timeout). Its Timeout is left as given; its CheckRedirect is not:
// the client works on a copy that refuses every redirect.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithClock replaces the real clock used for backoff and rate limiting.
func WithClock(clk Clock) Option { return func(c *Client) { c.clock = clk } }

// WithLimiter shares one Limiter between several Clients of a process. By
// default each Client has its own, built from RateLimit and RateInterval.
func WithLimiter(l *Limiter) Option { return func(c *Client) { c.limiter = l } }

// WithMetrics reports requests, retries and throttling to m.
func WithMetrics(m Metrics) Option { return func(c *Client) { c.metrics = m } }

// WithLogger logs retries at Info and attempts at Debug. Secrets never
// reach it: URLs carry no credentials and Config redacts its password.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New validates cfg and returns a Client.
func New(cfg Config, opts ...Option) (*Client, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, _ := url.Parse(strings.TrimRight(cfg.URL, "/"))
	c := &Client{cfg: cfg, base: base, clock: realClock{}, metrics: nopMetrics{}, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		// Workers share one client: keep a connection per worker alive
		// instead of net/http's default of two idle ones per host.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		c.http = &http.Client{Timeout: cfg.Timeout, Transport: tr}
	}
	// Redirects are never followed, whoever built the http.Client: net/http
	// would resend the Authorization header to a redirect on the same host
	// name (another port included) and hand back the target's body as if
	// Belvo had sent it. The 3XX itself comes back and becomes a
	// RedirectError in attempt. A copy, so a caller's client is untouched.
	h := *c.http
	h.CheckRedirect = refuseRedirects
	c.http = &h
	if c.limiter == nil {
		c.limiter = NewLimiter(cfg.RateLimit, cfg.RateInterval, c.clock)
	}
	return c, nil
}

// refuseRedirects makes http.Client.Do return a 3XX as it is, unfollowed.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Config returns the client's configuration, defaults applied.
func (c *Client) Config() Config { return c.cfg }

// response is a successful answer: status and body.
type response struct {
	status int
	body   []byte
}

// do sends one logical request with retries. target is an absolute URL on
// the configured host. Only 2XX answers return without error; any other is
// an *APIError after the retry policy gave up.
// sizeHint, when positive, is the expected size of the answer's body.
func (c *Client) do(ctx context.Context, method, target string, body []byte, header http.Header, sizeHint int) (response, error) {
	var last error
	for attempt := 1; ; attempt++ {
		resp, apiErr, err := c.attempt(ctx, method, target, body, header, sizeHint)
		if err == nil && apiErr == nil {
			return resp, nil
		}
		var redirect *RedirectError
		if errors.As(err, &redirect) {
			return response{}, redirect
		}
		if apiErr != nil {
			apiErr.Attempts = attempt
			last = apiErr
		} else {
			last = fmt.Errorf("belvo %s %s: attempt %d: %w", method, pathOf(target), attempt, err)
		}
		if attempt >= c.cfg.MaxTries || !retryable(ctx, err, apiErr) {
			return response{}, last
		}
		var ra time.Duration
		if apiErr != nil {
			ra = apiErr.RetryAfter
		}
		wait := retryWait(c.cfg.BaseBackoff, attempt, ra)
		c.metrics.Retry(method, pathOf(target), attempt, wait)
		c.log.Info("belvo retry", "method", method, "path", pathOf(target), "attempt", attempt, "wait", wait, "err", last.Error())
		if err := c.clock.SleepUntil(ctx, c.clock.Now().Add(wait)); err != nil {
			return response{}, fmt.Errorf("%w (while retrying: %v)", err, last)
		}
	}
}

type admittedKey struct{}

// AdmittedAt returns when the rate limiter admitted the request whose
// context this is. A transport (a test's, a tracing one) can tell the
// limiter's decision from the scheduling delay that follows it, which on a
// busy machine can be tens of milliseconds and is outside our control.
func AdmittedAt(ctx context.Context) (time.Time, bool) {
	at, ok := ctx.Value(admittedKey{}).(time.Time)
	return at, ok
}

// attempt is one HTTP exchange after the rate limiter admitted it.
func (c *Client) attempt(ctx context.Context, method, target string, body []byte, header http.Header, sizeHint int) (response, *APIError, error) {
	before := c.clock.Now()
	at, err := c.limiter.Wait(ctx)
	if err != nil {
		return response{}, nil, err
	}
	if wait := at.Sub(before); wait > 0 {
		c.metrics.Throttled(wait)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, admittedKey{}, at), method, target, rd)
	if err != nil {
		return response{}, nil, err
	}
	req.SetBasicAuth(c.cfg.SecretID, c.cfg.SecretPassword)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		c.metrics.Request(method, pathOf(target), 0, time.Since(start))
		return response{}, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		// Not followed (refuseRedirects) and its body is not read: nothing
		// of a redirect's answer is taken as data.
		c.metrics.Request(method, pathOf(target), res.StatusCode, time.Since(start))
		loc := res.Header.Get("Location")
		if len(loc) > maxBodySnippet {
			loc = loc[:maxBodySnippet]
		}
		return response{}, nil, &RedirectError{Method: method, Path: pathOf(target), Status: res.StatusCode, Location: loc}
	}
	data, err := readBody(res, sizeHint)
	c.metrics.Request(method, pathOf(target), res.StatusCode, time.Since(start))
	if err != nil {
		// A body cut mid-way is a transport failure: retried like one.
		return response{}, nil, fmt.Errorf("read body: %w", err)
	}
	c.log.Debug("belvo request", "method", method, "path", pathOf(target), "status", res.StatusCode, "elapsed", time.Since(start))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return response{status: res.StatusCode, body: data}, nil, nil
	}
	apiErr := &APIError{Method: method, Path: pathOf(target), Status: res.StatusCode,
		RetryAfter: parseRetryAfter(res.Header.Get("Retry-After"), c.clock.Now())}
	parseErrorBody(apiErr, data)
	return response{}, apiErr, nil
}

// maxBodyHint bounds the buffer a Content-Length or hint may reserve
// before a byte arrives: a wrong header must not allocate gigabytes. A
// page of 1000 large records is under 10 MB.
const maxBodyHint = 64 << 20

// readBody reads the whole body into one buffer of the announced or
// expected size. io.ReadAll grows through chunks of 1.5 times the last and
// copies them into a final slice: for a 5.5 MB page that allocated and
// zeroed about three times the page and copied it once more, which was
// half of the listing's CPU after decoding became cheap.
func readBody(res *http.Response, hint int) ([]byte, error) {
	if res.ContentLength > 0 && res.ContentLength <= maxBodyHint {
		hint = int(res.ContentLength)
	}
	if hint <= 0 {
		return io.ReadAll(res.Body)
	}
	// bytes.Buffer reads only into at least MinRead free bytes: the extra
	// room lets a body of exactly the hint end without growing the buffer.
	need := min(hint, maxBodyHint) + bytes.MinRead
	var b []byte
	if need >= minPooledBody {
		if p, _ := bodies.Get().(*[]byte); p != nil && cap(*p) >= need {
			b = (*p)[:0]
		}
	}
	if b == nil {
		b = make([]byte, 0, need)
	}
	buf := bytes.NewBuffer(b)
	_, err := buf.ReadFrom(res.Body)
	return buf.Bytes(), err
}

// bodies holds page bodies handed back by Page.Release, for later pages:
// a new buffer per page was zeroed by the runtime and faulted in by the
// kernel, megabytes at a time. Small answers are not worth a pooled
// buffer.
var bodies sync.Pool // of *[]byte

const minPooledBody = 64 << 10

// pathOf returns the path and query of an absolute URL, for errors and logs.
func pathOf(target string) string {
	if u, err := url.Parse(target); err == nil {
		return u.RequestURI()
	}
	return target
}

// resolve turns an API path into an absolute URL on the configured host.
func (c *Client) resolve(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// sameOrigin reports whether next shares the configured scheme and host.
func (c *Client) sameOrigin(next string) bool {
	u, err := url.Parse(next)
	return err == nil && strings.EqualFold(u.Scheme, c.base.Scheme) && strings.EqualFold(u.Host, c.base.Host)
}

// requestID sends body as JSON (with the async header when asked) and decodes Belvo's
// {"request_id": ...} answer of an asynchronous request.
func (c *Client) requestID(ctx context.Context, method, path string, body any, async bool) (string, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return "", fmt.Errorf("belvo %s %s: encode body: %w", method, path, err)
		}
	}
	h := http.Header{}
	if async {
		h.Set("X-Belvo-Request-Mode", "async")
	}
	resp, err := c.do(ctx, method, c.resolve(path, nil), raw, h, 0)
	if err != nil {
		return "", err
	}
	if resp.status != http.StatusAccepted {
		return "", fmt.Errorf("belvo %s %s: want 202 Accepted, got %d", method, path, resp.status)
	}
	var out struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(resp.body, &out); err != nil || out.RequestID == "" {
		return "", fmt.Errorf("belvo %s %s: 202 without a request_id: %q", method, path, truncate(resp.body))
	}
	return out.RequestID, nil
}

// AsyncPost asks Belvo to retrieve a resource in the background (POST with
// X-Belvo-Request-Mode: async) and returns the request_id that the
// resulting webhook will carry. body is e.g. {"link": L, "date_from":
// "2022-12-17", "date_to": "2023-01-16"}.
func (c *Client) AsyncPost(ctx context.Context, path string, body any) (string, error) {
	return c.requestID(ctx, http.MethodPost, path, body, true)
}

// Refresh triggers a historical update of a link and returns its
// request_id; fetchResources (webhook types such as TRANSACTIONS), when
// given, limit it to those resources. Within Belvo's ten-minute cooldown it
// returns an error for which errors.Is(err, ErrCooldown) holds.
func (c *Client) Refresh(ctx context.Context, linkID string, fetchResources ...string) (string, error) {
	var body struct {
		FetchResources []string `json:"fetch_resources,omitempty"`
	}
	body.FetchResources = fetchResources
	return c.requestID(ctx, http.MethodPost, "/api/links/"+url.PathEscape(linkID)+"/refresh/", body, false)
}

// DeleteLink deletes a link asynchronously; a link_deleted webhook carrying
// the returned request_id reports the outcome.
func (c *Client) DeleteLink(ctx context.Context, linkID string) (string, error) {
	return c.requestID(ctx, http.MethodDelete, "/api/links/"+url.PathEscape(linkID)+"/", nil, true)
}

func truncate(b []byte) string {
	if len(b) > maxBodySnippet {
		b = b[:maxBodySnippet]
	}
	return string(b)
}
