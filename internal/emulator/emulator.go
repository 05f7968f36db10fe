package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Emulator is an emulated Belvo: API, data and webhook sender.
type Emulator struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	store *store
	send  *deliverer
	flows map[string]bool // resources whose records have INFLOW/OUTFLOW
	fault *faults

	mu         sync.Mutex
	requests   []Request
	deliveries []Delivery
	inflight   int
	idle       chan struct{} // closed when inflight drops to zero
	bg         context.Context
	stopBG     context.CancelFunc
}

// Option changes a dependency of an Emulator, for tests.
type Option func(*Emulator)

// WithClock fixes the emulator's notion of now (and so of "today").
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithHTTPClient replaces the client that delivers webhooks.
func WithHTTPClient(c *http.Client) Option { return func(e *Emulator) { e.send.client = c } }

// New validates cfg and builds the emulator's data; nothing listens yet.
func New(cfg Config, log *slog.Logger, opts ...Option) (*Emulator, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		cfg: cfg, log: log, now: time.Now,
		send: &deliverer{
			client:   &http.Client{Timeout: cfg.DeliveryTimeout},
			auth:     cfg.WebhookAuthorization,
			interval: cfg.RetryInterval,
			sleep:    backoff.Sleep,
			log:      log,
		},
		flows: map[string]bool{},
		fault: newFaults(cfg.Faults, cfg.Seed),
	}
	e.bg, e.stopBG = context.WithCancel(context.Background())
	for _, o := range opts {
		o(e)
	}
	gen, err := newGenerator(cfg.Seed, e.now(), tmpl)
	if err != nil {
		return nil, err
	}
	for _, r := range schemas.Resources {
		e.flows[r.Name] = gen.hasFlow(r)
	}
	e.store = newStore(gen, cfg.Links, cfg.Records)
	return e, nil
}

// Config returns the configuration in force, defaults applied.
func (e *Emulator) Config() Config { return e.cfg }

// Run serves the API on cfg.Addr until ctx ends, then shuts down
// gracefully: it stops accepting, drains requests for up to five seconds
// and stops retrying webhooks.
func (e *Emulator) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("emulator listen %s: %w", e.cfg.Addr, err)
	}
	return e.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened (e.g. on port 0).
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	e.log.Info("emulator listening", "addr", ln.Addr().String(), "links", e.cfg.Links, "records", e.cfg.Records)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		e.stopBG()
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shut)
	// Webhooks still being retried are abandoned: the process is stopping.
	e.stopBG()
	if werr := e.Quiesce(shut); err == nil {
		err = werr
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Links returns the emulated links that are not deleted.
func (e *Emulator) Links() []Link { return e.store.Links() }

// Records returns every record the API serves for resource (a
// schemas.Resources name) under query (link and filters; paging ignored),
// as the exact bytes it would send: the expected data of a test.
func (e *Emulator) Records(resource string, query url.Values) ([]json.RawMessage, error) {
	res, ok := schemas.ResourceByName(resource)
	if !ok {
		return nil, fmt.Errorf("unknown resource %q", resource)
	}
	f, err := parseFilter(res, e.flows[res.Name], query)
	if err != nil {
		return nil, err
	}
	recs, err := e.store.list(res, f)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(recs))
	for i, r := range recs {
		out[i] = r.raw
	}
	return out, nil
}

// Request is one API request the emulator received.
type Request struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	RawQuery string    `json:"raw_query"`
	Status   int       `json:"status"`
}

// maxLog bounds the request log and the delivery log of a long-running
// emulator (make run, staging): past it the oldest half is dropped.
const maxLog = 100_000

// trim drops the oldest half of a log that outgrew maxLog.
func trim[T any](log []T) []T {
	if len(log) <= maxLog {
		return log
	}
	return append([]T(nil), log[len(log)-maxLog/2:]...)
}

// Requests returns the API requests received so far (the last 50,000 to
// 100,000 in a long run), oldest first.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// Deliveries returns the webhooks finished so far (scenario, load and
// those triggered by API calls; bounded like Requests), in order of
// completion.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// Quiesce waits until no webhook triggered by an API call is in flight.
func (e *Emulator) Quiesce(ctx context.Context) error {
	e.mu.Lock()
	if e.inflight == 0 {
		e.mu.Unlock()
		return nil
	}
	idle := e.idle
	e.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Emulator) record(r Request) {
	e.mu.Lock()
	e.requests = trim(append(e.requests, r))
	e.mu.Unlock()
}

// deliverAsync sends events in the background, in order, as Belvo does
// after answering 202.
func (e *Emulator) deliverAsync(events []Event) {
	e.mu.Lock()
	if e.inflight == 0 {
		e.idle = make(chan struct{})
	}
	e.inflight++
	e.mu.Unlock()
	go func() {
		defer func() {
			e.mu.Lock()
			e.inflight--
			if e.inflight == 0 {
				close(e.idle)
			}
			e.mu.Unlock()
		}()
		for _, ev := range events {
			if e.bg.Err() != nil {
				return
			}
			e.deliverEvent(e.bg, ev)
		}
	}()
}

// deliverEvent sends one data/link event to the webhook URL and records it.
func (e *Emulator) deliverEvent(ctx context.Context, ev Event) Delivery {
	d := Delivery{WebhookID: ev.WebhookID, Type: ev.WebhookType, Code: ev.WebhookCode, LinkID: ev.LinkID}
	body := marshalEvent(ev)
	if e.cfg.WebhookURL == "" {
		d.Body = body
	} else {
		e.send.deliver(ctx, e.cfg.WebhookURL, body, &d)
	}
	e.mu.Lock()
	e.deliveries = trim(append(e.deliveries, d))
	e.mu.Unlock()
	return d
}

// newHexID is Belvo's 32-lowercase-hex id of webhooks and requests.
func newHexID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
