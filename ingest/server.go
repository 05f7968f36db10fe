package ingest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
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

	codecMu sync.Mutex
	codecs  map[string]*registry.Codec // by topic

	seed     maphash.Seed
	idPrefix string
	idSeq    atomic.Uint64
	draining atomic.Bool
	ready    readiness
}

// New checks cfg, binds the listen address (a busy port fails here, not
// later) and prepares the Kafka and registry clients. Nothing is published
// until Run.
func New(cfg Config, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rc, err := registry.New(cfg.RegistryURL)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("INGEST_ADDR: listen on %s: %w", cfg.Addr, err)
	}
	cluster := broker.NewCluster(broker.ClusterConfig{
		Brokers: cfg.Brokers, Partitions: cfg.Partitions, ReplicationFactor: cfg.Replication, ClientID: "belvo-ingest",
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
		codecs:   make(map[string]*registry.Codec),
		idPrefix: hex.EncodeToString(prefix[:]),
		seed:     maphash.MakeSeed(),
		admin:    fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})),
	}
	s.ready.check = s.checkDependencies
	s.http = &fasthttp.Server{
		Handler:            s.handle,
		Name:               "belvo-ingest",
		ReadTimeout:        10 * time.Second,
		WriteTimeout:       10 * time.Second,
		IdleTimeout:        60 * time.Second,
		MaxRequestBodySize: 2 * cfg.MaxBody, // bodies between MaxBody and this get our own 413 with a request id
		NoDefaultDate:      true,
		Logger:             slogPrinter{log},
	}
	return s, nil
}

// Addr is the bound listen address (useful with port 0 in tests).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run registers the schemas and creates the topics of the known webhook
// types, serves until ctx ends, then drains: it stops accepting, lets
// in-flight requests finish, flushes Kafka and returns.
func (s *Server) Run(ctx context.Context) error {
	if err := s.prepare(ctx); err != nil {
		s.ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	s.log.Info("ingest listening", "addr", s.Addr(), "belvo_path", s.cfg.BelvoPath, "status_path", s.cfg.StatusPath,
		"auth", s.cfg.Auth != "", "allowlist", len(s.cfg.allowed))
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
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

// prepare creates the topic and registers the subject of every catalogue
// type, so the first webhook of a type pays no set-up latency. It retries
// until ctx ends: at start-up Kafka or the registry may still be starting.
func (s *Server) prepare(ctx context.Context) error {
	topics := map[string]string{schemas.WebhookTopic(s.cfg.TopicPrefix, schemas.InstitutionStatusType): schemas.InstitutionStatusSchema}
	for _, e := range schemas.Catalogue {
		topics[schemas.WebhookTopic(s.cfg.TopicPrefix, e.Type)] = schemas.WebhookEventSchema
	}
	backoff := 200 * time.Millisecond
	for {
		var err error
		for topic, schema := range topics {
			if _, err = s.codec(ctx, topic, schema); err != nil {
				break
			}
		}
		if err == nil {
			return nil
		}
		s.log.Warn("ingest not ready yet", "err", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("prepare topics and schemas: %w", err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// codec returns the codec of topic, creating the topic and registering its
// subject on first use; unknown webhook types take this path at request time.
func (s *Server) codec(ctx context.Context, topic, schema string) (*registry.Codec, error) {
	s.codecMu.Lock()
	c := s.codecs[topic]
	s.codecMu.Unlock()
	if c != nil {
		return c, nil
	}
	if err := s.cluster.EnsureTopics(ctx, topic); err != nil {
		return nil, err
	}
	c, err := s.registry.Register(ctx, schemas.Subject(topic), schema)
	if err != nil {
		return nil, err
	}
	s.codecMu.Lock()
	s.codecs[topic] = c
	s.codecMu.Unlock()
	return c, nil
}

func (s *Server) handle(rc *fasthttp.RequestCtx) {
	path := string(rc.Path())
	switch path {
	case "/healthz":
		rc.SetStatusCode(fasthttp.StatusOK)
		rc.SetBodyString("ok\n")
		return
	case "/readyz":
		if err := s.ready.get(); err != nil || s.draining.Load() {
			rc.SetStatusCode(fasthttp.StatusServiceUnavailable)
			if err == nil {
				err = errors.New("draining")
			}
			rc.SetBodyString("not ready: " + err.Error() + "\n")
			return
		}
		rc.SetBodyString("ready\n")
		return
	case "/metrics":
		s.admin(rc)
		return
	case s.cfg.BelvoPath:
		s.serveWebhook(rc, "belvo", s.publishWebhook)
	case s.cfg.StatusPath:
		s.serveWebhook(rc, "institution_status", s.publishStatus)
	default:
		if s.cfg.Pprof && strings.HasPrefix(path, "/debug/pprof/") {
			pprofhandler.PprofHandler(rc)
			return
		}
		rc.SetStatusCode(fasthttp.StatusNotFound)
		rc.SetBodyString("not found\n")
	}
}

// serveWebhook runs the checks common to both webhook routes, in the order
// that reveals least to a stranger: origin, then credentials, then content.
func (s *Server) serveWebhook(rc *fasthttp.RequestCtx, route string, publish func(*fasthttp.RequestCtx, string) (int, string)) {
	s.metrics.inflight.Inc()
	defer s.metrics.inflight.Dec()
	start := rc.Time()
	reqID := s.requestID(rc)
	rc.Response.Header.Set("X-Request-Id", reqID)
	status, body := s.check(rc, reqID)
	if status == 0 {
		status, body = publish(rc, reqID)
	}
	rc.SetStatusCode(status)
	rc.SetContentType("application/json")
	rc.SetBodyString(body)
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

func (s *Server) check(rc *fasthttp.RequestCtx, reqID string) (int, string) {
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
	if len(rc.PostBody()) > s.cfg.MaxBody {
		return fasthttp.StatusRequestEntityTooLarge, errorBody("too_large", "", fmt.Sprintf("body exceeds %d bytes", s.cfg.MaxBody), reqID)
	}
	return 0, ""
}

func (s *Server) publishWebhook(rc *fasthttp.RequestCtx, reqID string) (int, string) {
	received := rc.Time()
	w, err := parseWebhook(rc.PostBody(), reqID, received)
	if err != nil {
		return badRequestBody(err, reqID)
	}
	typ, code := s.metrics.eventLabels(w.Type, w.Code)
	topic := schemas.WebhookTopic(s.cfg.TopicPrefix, w.Type)
	// Belvo retries with the same webhook_id and the same body. The body (a
	// hash of it, which covers the id) is the key because documentation examples (and some senders) reuse
	// one id for different events: those must not be taken for retries.
	status, body := s.publishOnce(rc, reqID, maphash.Bytes(s.seed, rc.PostBody()), topic, schemas.WebhookEventSchema, w.LinkID, w.native, received)
	if status == fasthttp.StatusAccepted {
		s.metrics.events.WithLabelValues(typ, code).Inc()
	}
	return status, body
}

func (s *Server) publishStatus(rc *fasthttp.RequestCtx, reqID string) (int, string) {
	received := rc.Time()
	ev, err := parseStatus(rc.PostBody(), reqID, received)
	if err != nil {
		return badRequestBody(err, reqID)
	}
	topic := schemas.WebhookTopic(s.cfg.TopicPrefix, schemas.InstitutionStatusType)
	status, body := s.publishOnce(rc, reqID, maphash.String(s.seed, "institution_status\x00"+ev.Key), topic, schemas.InstitutionStatusSchema, ev.Key, ev.native, received)
	if status == fasthttp.StatusAccepted {
		s.metrics.events.WithLabelValues(schemas.InstitutionStatusType, "status").Inc()
	}
	return status, body
}

// publishOnce stores one event unless this replica stored the same id within
// the dedup window, and answers 202 only once Kafka acknowledged it.
func (s *Server) publishOnce(rc *fasthttp.RequestCtx, reqID string, dedupKey uint64, topic, schema, key string, native map[string]any, received time.Time) (int, string) {
	ctx, cancel := context.WithDeadline(context.Background(), received.Add(s.cfg.Budget))
	defer cancel()
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
	err := s.publish(ctx, reqID, topic, schema, key, native, received)
	s.dedup.finish(dedupKey, f, err, time.Now())
	if err != nil {
		var enc *encodeError
		if errors.As(err, &enc) {
			// Our schema refused a value: no retry can fix it, and Belvo
			// should hear it was a bad request, not an outage.
			return fasthttp.StatusBadRequest, errorBody("invalid_field", "", enc.Error(), reqID)
		}
		s.log.Warn("event not stored", "request_id", reqID, "topic", topic, "err", err.Error())
		return fasthttp.StatusServiceUnavailable, errorBody("unavailable", "", "event not stored; retry", reqID)
	}
	return fasthttp.StatusAccepted, acceptedBody(reqID, false)
}

type encodeError struct{ err error }

func (e *encodeError) Error() string { return "encode event: " + e.err.Error() }

func (s *Server) publish(ctx context.Context, reqID, topic, schema, key string, native map[string]any, received time.Time) error {
	codec, err := s.codec(ctx, topic, schema)
	if err != nil {
		return err
	}
	value, err := codec.Append(make([]byte, 0, 512), native)
	if err != nil {
		return &encodeError{err}
	}
	id, _ := native["webhook_id"].(string)
	if id == "" {
		id, _ = native["event_key"].(string)
	}
	start := time.Now()
	err = s.producer.Produce(ctx, broker.Message{
		Topic: topic,
		Key:   []byte(key),
		Value: value,
		Time:  received,
		Headers: []kafka.Header{
			{Key: "webhook_id", Value: []byte(id)},
			{Key: "request_id", Value: []byte(reqID)},
			{Key: "received_at", Value: []byte(received.UTC().Format(time.RFC3339Nano))},
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
