package ingest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/segmentio/kafka-go"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"github.com/valyala/fasthttp/pprofhandler"

	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Server is the ingest service.
type Server struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	cluster  *broker.Cluster
	producer *broker.Producer
	registry *registry.Client
	dedup    *dedup
	ln       net.Listener
	http     *fasthttp.Server
	admin    fasthttp.RequestHandler

	// routes is nil until every topic exists and every subject is
	// registered; webhooks are answered 503 until then.
	routes    atomic.Pointer[routes]
	preparing atomic.Pointer[string] // why prepare has not finished yet, for /readyz

	seed     maphash.Seed
	idPrefix string
	idSeq    atomic.Uint64
	draining atomic.Bool
	ready    readiness

	// deadlines bound each request's publishing by the budget.
	deadlines deadlines
}

// route is where events go: a topic and the codec of its subject.
type route struct {
	topic string
	codec *registry.Codec
}

// routes is the fixed set of topics ingest writes: one per catalogue type,
// one for every other type, one for institution status. No request can add
// to it, so no request can create a topic.
type routes struct {
	byType  map[string]route // catalogue webhook_type, spelt as Belvo does
	unknown route
	status  route
}

func (r *routes) webhook(webhookType string) route {
	if rt, ok := r.byType[webhookType]; ok {
		return rt
	}
	return r.unknown
}

// New checks cfg, binds the listen address (a busy port fails here, not
// later) and builds the Kafka and registry clients without contacting them.
// Nothing is served or published until Run.
func New(cfg Config, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rc, err := cfg.RegistryClient()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("INGEST_ADDR: listen on %s: %w", cfg.Addr, err)
	}
	ln = lingerListener{ln}
	cluster := broker.NewCluster(broker.ClusterConfig{
		Brokers: cfg.Brokers, Partitions: cfg.Partitions, ReplicationFactor: cfg.Replication, ClientID: "belvo-ingest",
		Security: cfg.Kafka,
	})
	var prefix [6]byte
	_, _ = rand.Read(prefix[:])
	s := &Server{
		cfg:      cfg,
		log:      log,
		metrics:  newMetrics(reg),
		cluster:  cluster,
		producer: broker.NewProducer(cluster, broker.ProducerConfig{RetryBudget: cfg.Budget}),
		registry: rc,
		dedup:    newDedup(cfg.DedupWindow, cfg.DedupMax),
		ln:       ln,
		idPrefix: hex.EncodeToString(prefix[:]),
		seed:     maphash.MakeSeed(),
		admin:    fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})),
	}
	s.deadlines.budget = cfg.Budget
	s.ready.check = s.checkDependencies
	why := "creating topics and registering schemas"
	s.preparing.Store(&why)
	s.http = &fasthttp.Server{
		Handler:      s.handle,
		ErrorHandler: s.handleError,
		Name:         "belvo-ingest",
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
		IdleTimeout:  60 * time.Second,
		// fasthttp stops reading a body at this size (before reading any of
		// it when Content-Length says so) and hands the request to
		// handleError, which answers our 413.
		MaxRequestBodySize: cfg.MaxBody,
		NoDefaultDate:      true,
		Logger:             slogPrinter{log},
	}
	return s, nil
}

// Addr is the bound listen address (useful with port 0 in tests).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// RegistryClient is the schema registry client ingest uses: its own, or
// the process's (broker.Settings.ShareRegistry).
func (s *Server) RegistryClient() *registry.Client { return s.registry }

// Run serves at once and, meanwhile, creates the topics and registers the
// subjects of every route; until that is done /healthz answers 200, /readyz
// and the webhooks 503. A Kafka or registry outage at start therefore keeps
// the pod unready, not restarting. Run serves until ctx ends, then drains: it
// stops accepting, lets in-flight requests finish, flushes Kafka and returns.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	s.log.Info("ingest listening", "addr", s.Addr(), "belvo_path", s.cfg.BelvoPath, "status_path", s.cfg.StatusPath,
		"auth", s.cfg.Auth != "", "allowlist", len(s.cfg.allowed))
	prepCtx, stopPreparing := context.WithCancel(ctx)
	defer stopPreparing()
	prepared := make(chan struct{})
	var fatal error
	go func() {
		defer close(prepared)
		fatal = s.prepare(prepCtx)
	}()
	select {
	case err := <-errc:
		stopPreparing()
		<-prepared
		return fmt.Errorf("serve: %w", err)
	case <-prepared:
		if fatal != nil {
			_ = s.http.Shutdown()
			s.producer.Close()
			return fatal
		}
		<-ctx.Done()
	case <-ctx.Done():
	}
	<-prepared
	s.draining.Store(true)
	drain, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel()
	err := s.http.ShutdownWithContext(drain)
	// Only now that no handler runs can the producer be closed: its Close
	// waits for the batches those handlers were waiting on.
	s.producer.Close()
	s.log.Info("ingest stopped", "drain_error", err)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// prepare creates the topics and registers the subjects of every route, so
// the first webhook of a type pays no set-up latency and the fetcher finds
// every topic at its first discovery. It retries until it succeeds or ctx
// ends: at start-up Kafka or the registry may still be starting. Kafka or
// the registry refusing the credentials or the certificate, and the
// registry refusing a schema as incompatible, are returned: waiting would
// only hide a wrong setting behind a pod that never turns ready.
func (s *Server) prepare(ctx context.Context) error {
	wait := backoff.New(200*time.Millisecond, 5*time.Second)
	for {
		rs, err := s.prepareOnce(ctx)
		if err == nil {
			s.routes.Store(rs)
			s.log.Info("ingest ready", "topics", len(rs.byType)+2)
			return nil
		}
		var insecure *broker.SecurityError
		if errors.As(err, &insecure) || registry.Final(err) {
			return err
		}
		why := err.Error()
		s.preparing.Store(&why)
		if ctx.Err() != nil {
			return nil
		}
		d := wait.Next()
		s.log.Warn("ingest not ready yet", "err", why, "retry_in", d)
		if wait.Sleep(ctx, d) != nil {
			return nil
		}
	}
}

func (s *Server) prepareOnce(ctx context.Context) (*routes, error) {
	prefix := s.cfg.TopicPrefix
	status := schemas.WebhookTopic(prefix, schemas.InstitutionStatusType)
	topics := append(schemas.WebhookTopics(prefix), status)
	if err := s.cluster.Ping(ctx); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if err := s.cluster.EnsureTopics(ctx, topics...); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	register := func(topic, schema string) (route, error) {
		c, err := s.registry.Register(ctx, schemas.Subject(topic), schema)
		if err != nil {
			return route{}, fmt.Errorf("schema registry: %w", err)
		}
		return route{topic: topic, codec: c}, nil
	}
	rs := &routes{byType: map[string]route{}}
	var err error
	for _, typ := range schemas.WebhookTypes() {
		if rs.byType[typ], err = register(schemas.WebhookTopic(prefix, typ), schemas.WebhookEventSchema); err != nil {
			return nil, err
		}
	}
	if rs.unknown, err = register(schemas.UnknownWebhookTopic(prefix), schemas.WebhookEventSchema); err != nil {
		return nil, err
	}
	if rs.status, err = register(status, schemas.InstitutionStatusSchema); err != nil {
		return nil, err
	}
	return rs, nil
}

func (s *Server) handle(rc *fasthttp.RequestCtx) {
	path := string(rc.Path())
	switch path {
	case "/healthz":
		rc.SetStatusCode(fasthttp.StatusOK)
		rc.SetBodyString("ok\n")
		return
	case "/readyz":
		if err := s.readiness(); err != nil {
			rc.SetStatusCode(fasthttp.StatusServiceUnavailable)
			rc.SetBodyString("not ready: " + err.Error() + "\n")
			return
		}
		rc.SetBodyString("ready\n")
		return
	case "/metrics":
		s.admin(rc)
		return
	case s.cfg.BelvoPath:
		s.serveWebhook(rc, routeBelvo, s.publishWebhook)
	case s.cfg.StatusPath:
		s.serveWebhook(rc, routeStatus, s.publishStatus)
	default:
		if s.cfg.Pprof && strings.HasPrefix(path, "/debug/pprof/") {
			pprofhandler.PprofHandler(rc)
			return
		}
		rc.SetStatusCode(fasthttp.StatusNotFound)
		rc.SetBodyString("not found\n")
	}
}

// Route labels of the request metrics.
const (
	routeBelvo  = "belvo"
	routeStatus = "institution_status"
	routeOther  = "other" // a request fasthttp refused before its path was known
)

// readiness is nil when webhooks can be stored now: prepared, not draining,
// and Kafka and the registry answer.
func (s *Server) readiness() error {
	if s.draining.Load() {
		return errors.New("draining")
	}
	if s.routes.Load() == nil {
		return errors.New(*s.preparing.Load())
	}
	return s.ready.get()
}

// serveWebhook runs the checks common to both webhook routes, in the order
// that reveals least to a stranger: origin, then credentials, then content.
func (s *Server) serveWebhook(rc *fasthttp.RequestCtx, route string, publish func(*fasthttp.RequestCtx, string, *routes) (int, string)) {
	s.metrics.inflight.Inc()
	defer s.metrics.inflight.Dec()
	start := rc.Time()
	reqID := s.requestID(rc)
	rc.Response.Header.Set("X-Request-Id", reqID)
	status, body := s.check(rc, reqID, false)
	if status == 0 {
		if rs := s.routes.Load(); rs == nil {
			status, body = fasthttp.StatusServiceUnavailable, errorBody("not_ready", "", "ingest is starting: Kafka or the schema registry is not ready yet; retry", reqID)
		} else {
			status, body = publish(rc, reqID, rs)
		}
	}
	s.answer(rc, route, start, status, body)
}

func (s *Server) answer(rc *fasthttp.RequestCtx, route string, start time.Time, status int, body string) {
	rc.SetStatusCode(status)
	rc.SetContentType("application/json")
	rc.SetBodyString(body)
	s.metrics.answered(route, status, time.Since(start))
}

// handleError answers the requests fasthttp refused while reading them:
// above all a body larger than INGEST_MAX_BODY_BYTES, which gets the
// documented 413 with a request id. When the body had a Content-Length,
// fasthttp refused it from the headers alone and those are still here, so
// origin and credentials are checked first as for any webhook; a chunked
// body is found too large only while reading it, after fasthttp cleared the
// request: its 413 carries a request id of ours and is answered whatever the
// origin or credentials, which went with the headers.
func (s *Server) handleError(rc *fasthttp.RequestCtx, err error) {
	start := time.Now()
	if !errors.Is(err, fasthttp.ErrBodyTooLarge) {
		status, code, msg := fasthttp.StatusBadRequest, "bad_request", "malformed HTTP request"
		var small *fasthttp.ErrSmallBuffer
		var netErr net.Error
		switch {
		case errors.As(err, &small):
			status, code, msg = fasthttp.StatusRequestHeaderFieldsTooLarge, "headers_too_large", "request headers too large"
		case errors.As(err, &netErr) && netErr.Timeout():
			status, code, msg = fasthttp.StatusRequestTimeout, "timeout", "request not received in time"
		}
		reqID := s.requestID(rc)
		rc.Response.Header.Set("X-Request-Id", reqID)
		s.answer(rc, routeOther, start, status, errorBody(code, "", msg, reqID))
		return
	}
	// The client is still sending the body. Closing a socket with unread
	// data makes the kernel reset the connection, which can destroy our
	// answer before the client reads it: read the rest away after answering.
	if c, ok := rc.Conn().(*lingerConn); ok {
		c.lingerOnClose()
	}
	reqID := s.requestID(rc)
	rc.Response.Header.Set("X-Request-Id", reqID)
	if rc.Request.Header.ContentLength() <= s.cfg.MaxBody {
		// Chunked: the headers are gone with the request fasthttp cleared.
		s.answer(rc, routeOther, start, fasthttp.StatusRequestEntityTooLarge, tooLargeBody(s.cfg.MaxBody, reqID))
		return
	}
	route := routeOther
	switch string(rc.Path()) {
	case s.cfg.BelvoPath:
		route = routeBelvo
	case s.cfg.StatusPath:
		route = routeStatus
	}
	status, body := s.check(rc, reqID, true)
	s.answer(rc, route, start, status, body)
}

// check refuses a request that must not be published; tooLarge says
// fasthttp already found the body too large.
func (s *Server) check(rc *fasthttp.RequestCtx, reqID string, tooLarge bool) (int, string) {
	if s.draining.Load() {
		return fasthttp.StatusServiceUnavailable, errorBody("shutting_down", "", "ingest is shutting down; retry", reqID)
	}
	if len(s.cfg.allowed) > 0 && !containsIP(s.cfg.allowed, s.clientIP(rc)) {
		return fasthttp.StatusForbidden, errorBody("forbidden", "", "client address not allowed", reqID)
	}
	if s.cfg.Auth != "" && subtle.ConstantTimeCompare(rc.Request.Header.Peek("Authorization"), []byte(s.cfg.Auth)) != 1 {
		rc.Response.Header.Set("WWW-Authenticate", strings.Fields(s.cfg.Auth)[0])
		return fasthttp.StatusUnauthorized, errorBody("unauthorized", "", "missing or wrong Authorization", reqID)
	}
	if !rc.IsPost() {
		rc.Response.Header.Set("Allow", "POST")
		return fasthttp.StatusMethodNotAllowed, errorBody("method_not_allowed", "", "use POST", reqID)
	}
	if tooLarge || len(rc.PostBody()) > s.cfg.MaxBody {
		return fasthttp.StatusRequestEntityTooLarge, tooLargeBody(s.cfg.MaxBody, reqID)
	}
	return 0, ""
}

func (s *Server) publishWebhook(rc *fasthttp.RequestCtx, reqID string, rs *routes) (int, string) {
	received := rc.Time()
	w, err := parseWebhook(rc.PostBody(), reqID, received)
	if err != nil {
		return badRequestBody(err, reqID)
	}
	events := s.metrics.eventCounter(w.Type, w.Code)
	rt := rs.webhook(w.Type)
	value, err := w.encode(make([]byte, 0, len(rc.PostBody())+256), rt.codec)
	if err != nil {
		return encodeRefused(err, reqID)
	}
	// Belvo retries with the same webhook_id and the same body. The body (a
	// hash of it, which covers the id) is the key because documentation examples (and some senders) reuse
	// one id for different events: those must not be taken for retries.
	status, body := s.publishOnce(reqID, maphash.Bytes(s.seed, rc.PostBody()), rt, w.LinkID, w.ID, value, received)
	if status == fasthttp.StatusAccepted {
		events.Inc()
	}
	return status, body
}

func (s *Server) publishStatus(rc *fasthttp.RequestCtx, reqID string, rs *routes) (int, string) {
	received := rc.Time()
	ev, err := parseStatus(rc.PostBody(), reqID, received)
	if err != nil {
		return badRequestBody(err, reqID)
	}
	value, err := rs.status.codec.Append(make([]byte, 0, len(rc.PostBody())+256), ev.native)
	if err != nil {
		return encodeRefused(err, reqID)
	}
	status, body := s.publishOnce(reqID, maphash.String(s.seed, "institution_status\x00"+ev.Key), rs.status, ev.Key, ev.Key, value, received)
	if status == fasthttp.StatusAccepted {
		s.metrics.events.WithLabelValues(schemas.InstitutionStatusType, "status").Inc()
	}
	return status, body
}

// encodeRefused answers an event our schema refused a value of: no retry
// can fix it, and Belvo should hear it was a bad request, not an outage.
func encodeRefused(err error, reqID string) (int, string) {
	return fasthttp.StatusBadRequest, errorBody("invalid_field", "", "encode event: "+err.Error(), reqID)
}

// publishOnce stores one event (value, the Avro record of event id) unless
// this replica stored the same one within the dedup window, and answers 202
// only once Kafka acknowledged it.
func (s *Server) publishOnce(reqID string, dedupKey uint64, rt route, key, id string, value []byte, received time.Time) (int, string) {
	deadline := s.deadlines.until(received)
	defer s.deadlines.done(deadline)
	ctx := deadline.ctx
	f, lead := s.dedup.begin(dedupKey, time.Now())
	if !lead && f == nil {
		s.metrics.duplicates.Inc()
		return fasthttp.StatusAccepted, acceptedBody(reqID, true)
	}
	if !lead {
		select {
		case <-f.done:
		case <-ctx.Done():
			return fasthttp.StatusServiceUnavailable, errorBody("unavailable", "", "an earlier delivery of this event is still being stored; retry", reqID)
		}
		if f.err == nil {
			s.metrics.duplicates.Inc()
			return fasthttp.StatusAccepted, acceptedBody(reqID, true)
		}
		return fasthttp.StatusServiceUnavailable, errorBody("unavailable", "", "event not stored; retry", reqID)
	}
	err := s.publish(ctx, reqID, rt, key, id, value, received)
	s.dedup.finish(dedupKey, f, err, time.Now())
	if err != nil {
		s.log.Warn("event not stored", "request_id", reqID, "topic", rt.topic, "err", err.Error())
		return fasthttp.StatusServiceUnavailable, errorBody("unavailable", "", "event not stored; retry", reqID)
	}
	return fasthttp.StatusAccepted, acceptedBody(reqID, false)
}

func (s *Server) publish(ctx context.Context, reqID string, rt route, key, id string, value []byte, received time.Time) error {
	start := time.Now()
	// The key and the header values share one allocation.
	b := make([]byte, 0, len(key)+len(id)+len(reqID)+len(time.RFC3339Nano))
	b = append(b, key...)
	b = append(b, id...)
	b = append(b, reqID...)
	b = received.UTC().AppendFormat(b, time.RFC3339Nano)
	k, idEnd, reqEnd := len(key), len(key)+len(id), len(key)+len(id)+len(reqID)
	err := s.producer.Produce(ctx, broker.Message{
		Topic: rt.topic,
		Key:   b[:k:k],
		Value: value,
		Time:  received,
		Headers: []kafka.Header{
			{Key: "webhook_id", Value: b[k:idEnd:idEnd]},
			{Key: "request_id", Value: b[idEnd:reqEnd:reqEnd]},
			{Key: "received_at", Value: b[reqEnd:]},
		},
	})
	if err == nil {
		s.metrics.publish.Observe(time.Since(start).Seconds())
	}
	return err
}

// requestID takes the sender's X-Request-Id when it is a sane token, or
// makes one.
func (s *Server) requestID(rc *fasthttp.RequestCtx) string {
	if v := rc.Request.Header.Peek("X-Request-Id"); len(v) > 0 && len(v) <= 128 && printable(v) {
		return string(v)
	}
	return s.idPrefix + strconv.FormatUint(s.idSeq.Add(1), 16)
}

func printable(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// clientIP is the peer address, or, when the peer is a trusted proxy, the
// right-most X-Forwarded-For entry that is not itself a trusted proxy.
func (s *Server) clientIP(rc *fasthttp.RequestCtx) net.IP {
	ip := rc.RemoteIP()
	if len(s.cfg.proxies) == 0 || !containsIP(s.cfg.proxies, ip) {
		return ip
	}
	hops := strings.Split(string(rc.Request.Header.Peek("X-Forwarded-For")), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := net.ParseIP(strings.TrimSpace(hops[i]))
		if hop == nil {
			return ip
		}
		if !containsIP(s.cfg.proxies, hop) {
			return hop
		}
	}
	return ip
}

func containsIP(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Server) checkDependencies(ctx context.Context) error {
	if err := s.cluster.Ping(ctx); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	if err := s.registry.Ping(ctx); err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	return nil
}

// readiness caches the dependency check for a second, so a burst of probes
// does not become a burst of metadata requests.
type readiness struct {
	check func(context.Context) error
	mu    sync.Mutex
	at    time.Time
	err   error
}

func (r *readiness) get() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.at) < time.Second {
		return r.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.err, r.at = r.check(ctx), time.Now()
	return r.err
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, args ...any) { p.log.Warn(fmt.Sprintf(format, args...)) }

// answer is the JSON body of every webhook response. Belvo logs it, so a
// refused event can be found again by request_id.
type answer struct {
	Status    string `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"request_id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func encodeAnswer(a answer) string {
	b, _ := json.Marshal(a)
	return string(b)
}

// acceptedBody is the answer of every stored event, so it is written
// without encoding/json. A request id is printable ASCII without a quote or
// backslash (requestID), so it needs no escaping; encoding/json would still
// write <, > and & as \u escapes, so such an id goes through it.
func acceptedBody(reqID string, duplicate bool) string {
	if strings.ContainsAny(reqID, "<>&") {
		return encodeAnswer(answer{Status: "accepted", RequestID: reqID, Duplicate: duplicate})
	}
	if duplicate {
		return `{"status":"accepted","request_id":"` + reqID + `","duplicate":true}`
	}
	return `{"status":"accepted","request_id":"` + reqID + `"}`
}

func errorBody(code, field, msg, reqID string) string {
	return encodeAnswer(answer{Error: code, Field: field, Message: msg, RequestID: reqID})
}

func tooLargeBody(limit int, reqID string) string {
	return errorBody("too_large", "", fmt.Sprintf("body exceeds %d bytes", limit), reqID)
}

func badRequestBody(err error, reqID string) (int, string) {
	var br *badRequest
	if errors.As(err, &br) {
		return fasthttp.StatusBadRequest, errorBody(br.Code, br.Field, br.Error(), reqID)
	}
	return fasthttp.StatusBadRequest, errorBody("bad_request", "", err.Error(), reqID)
}

// deadlineGrain is how far past its budget a request's deadline may be
// rounded so that it can share a context with its neighbours.
const deadlineGrain = time.Millisecond

// deadlines hands out the contexts that bound publishing: each ends when
// the budget of a request runs out, rounded up to the next grain, and the
// requests whose budgets end in one grain share it. A context of its own
// per request cost a timer, its cancellation and a Done channel each, a
// visible share of ingest's CPU in a profile, against a grain of a
// millisecond on a budget of seconds.
//
// Requests reach publishing a little out of the order they were received
// in, so the contexts of the last few grains are kept, each in the slot of
// its grain, rather than only the newest. A context is released once it
// left its slot and its last request is done, not when its deadline comes:
// a budget's worth of contexts and timers would otherwise stay live.
type deadlines struct {
	budget time.Duration

	mu    sync.Mutex
	slots [16]*sharedDeadline
}

// sharedDeadline is the context of the requests of one grain.
type sharedDeadline struct {
	ctx   context.Context
	stop  context.CancelFunc
	end   int64 // unix nanoseconds
	users int   // requests between until and done
	slot  bool  // still in its slot, where more requests may take it
}

// until returns the context of a request received then; call done with it
// when the request no longer needs it.
func (d *deadlines) until(received time.Time) *sharedDeadline {
	end := received.Add(d.budget).Truncate(deadlineGrain).Add(deadlineGrain)
	grain := end.UnixNano() / int64(deadlineGrain)
	d.mu.Lock()
	defer d.mu.Unlock()
	slot := &d.slots[grain%int64(len(d.slots))]
	s := *slot
	if s == nil || s.end != end.UnixNano() {
		if s != nil {
			s.slot = false
			if s.users == 0 {
				s.stop()
			}
		}
		s = &sharedDeadline{end: end.UnixNano(), slot: true}
		s.ctx, s.stop = context.WithDeadline(context.Background(), end)
		*slot = s
	}
	s.users++
	return s
}

// done returns a context taken by until.
func (d *deadlines) done(s *sharedDeadline) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s.users--
	if s.users == 0 && !s.slot {
		s.stop()
	}
}
