package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fixedNow is the emulator's clock in tests: mid-day, so records created
// "today" have room before and after them.
var fixedNow = func() time.Time { return time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC) }

// start runs an emulator behind an httptest server on 127.0.0.1.
func start(t *testing.T, cfg Config) (*Emulator, *httptest.Server) {
	t.Helper()
	e, err := New(cfg, nil, WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return e, srv
}

// get sends an authenticated GET and decodes nothing.
func get(t *testing.T, e *Emulator, srv *httptest.Server, path string, q url.Values) (int, []byte) {
	t.Helper()
	u := srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.SetBasicAuth(e.cfg.SecretID, e.cfg.SecretPassword)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

type page struct {
	Count    int               `json:"count"`
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []json.RawMessage `json:"results"`
}

// receiver is a webhook endpoint that answers with statuses in turn (the
// last one repeats) and records every request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	Path string
	Auth string
	Body []byte
	At   time.Time
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusAccepted
		if n := len(rc.got); len(rc.statuses) > 0 {
			status = rc.statuses[min(n, len(rc.statuses)-1)]
		}
		rc.got = append(rc.got, received{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: b, At: time.Now()})
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// newTestServer serves e on 127.0.0.1 for the length of the test.
func newTestServer(t *testing.T, e *Emulator) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return srv
}
