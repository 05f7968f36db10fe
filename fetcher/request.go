package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Kinds of asynchronous requests, as recorded in the requests fact.
const (
	KindAsyncPost  = "async_post"
	KindRefresh    = "refresh"
	KindDeleteLink = "delete_link"
)

// RequestConfig is one asynchronous request to Belvo and where to record
// it. Kind comes from the subcommand (async-post, refresh, delete-link).
type RequestConfig struct {
	broker.Settings     // KAFKA_*, SCHEMA_REGISTRY_*, TOPIC_PREFIX
	Partitions      int // TOPIC_PARTITIONS of the requests topic if it must be created, default 6
	Replication     int // TOPIC_REPLICATION_FACTOR, default 1
	Belvo           belvo.Config

	Kind     string // async_post, refresh or delete_link
	Link     string // --link: the link id
	Resource string // --resource: a resource accepting async POSTs (async-post only)
	DateFrom string // --date-from YYYY-MM-DD (async-post)
	DateTo   string // --date-to YYYY-MM-DD (async-post)
	Type     string // --type INFLOW or OUTFLOW (async-post of invoices)

	FetchResources []string // --fetch-resources: webhook types a refresh is limited to (refresh)
}

// Bind registers the settings in s.
func (c *RequestConfig) Bind(s *config.Set) {
	c.Settings.Bind(s)
	s.Int(&c.Partitions, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of the requests topic if it must be created")
	s.Int(&c.Replication, "topic-replication-factor", "TOPIC_REPLICATION_FACTOR", 1, "replication factor of the requests topic if it must be created")
	s.String(&c.Link, "link", "", "", "link id")
	s.String(&c.Resource, "resource", "", "", "resource to retrieve (async-post): "+strings.Join(asyncResources(), ", "))
	s.String(&c.DateFrom, "date-from", "", "", "first day to retrieve, YYYY-MM-DD (async-post)")
	s.String(&c.DateTo, "date-to", "", "", "last day to retrieve, YYYY-MM-DD (async-post)")
	s.String(&c.Type, "type", "", "", "INFLOW or OUTFLOW (async-post of invoices)")
	s.Strings(&c.FetchResources, "fetch-resources", "", "", "resources a refresh is limited to, comma-separated webhook types (refresh): "+
		strings.Join(refreshResources(), ", "))
	c.Belvo.Bind(s)
}

func asyncResources() []string {
	var out []string
	for _, r := range schemas.Resources {
		if r.AsyncPost {
			out = append(out, r.Name)
		}
	}
	return out
}

// refreshResources are the names fetch_resources takes: the webhook types
// of the resources.
func refreshResources() []string {
	var out []string
	for _, r := range schemas.Resources {
		if !slices.Contains(out, r.WebhookType) {
			out = append(out, r.WebhookType)
		}
	}
	slices.Sort(out)
	return out
}

// Validate checks the request before anything is sent.
func (c *RequestConfig) Validate() error {
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	if c.Link == "" {
		return config.Invalid("", "link", "is required")
	}
	if c.Kind != KindAsyncPost {
		for name, v := range map[string]string{"resource": c.Resource, "date-from": c.DateFrom, "date-to": c.DateTo, "type": c.Type} {
			if v != "" {
				return config.Invalid("", name, "is for async-post only")
			}
		}
	}
	if c.Kind != KindRefresh && len(c.FetchResources) > 0 {
		return config.Invalid("", "fetch-resources", "is for refresh only")
	}
	switch c.Kind {
	case KindDeleteLink:
	case KindRefresh:
		for _, name := range c.FetchResources {
			if !slices.Contains(refreshResources(), name) {
				return config.Invalid("", "fetch-resources", "must name resources among %s, got %q", strings.Join(refreshResources(), ", "), name)
			}
		}
	case KindAsyncPost:
		body, ok := schemas.AsyncBodyOf(c.Resource)
		if !ok {
			return config.Invalid("", "resource", "must be one of %s, got %q", strings.Join(asyncResources(), ", "), c.Resource)
		}
		if err := c.validateBody(body); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown request kind %q: want %s, %s or %s", c.Kind, KindAsyncPost, KindRefresh, KindDeleteLink)
	}
	return c.Belvo.Defaults().Validate()
}

// validateBody checks the async-post flags against what the resource's
// POST body takes (schemas.AsyncBodies): a member it requires must be
// given, one it does not take must not be.
func (c *RequestConfig) validateBody(body schemas.AsyncBody) error {
	for _, m := range []struct{ member, flag, value string }{
		{schemas.BodyDateFrom, "date-from", c.DateFrom}, {schemas.BodyDateTo, "date-to", c.DateTo}, {schemas.BodyType, "type", c.Type},
	} {
		switch {
		case m.value == "" && body.Needs(m.member):
			return config.Invalid("", m.flag, "is required for %s", body.Resource)
		case m.value != "" && !body.Takes(m.member):
			return config.Invalid("", m.flag, "is not taken by %s's POST", body.Resource)
		}
	}
	if c.DateFrom != "" || c.DateTo != "" {
		if _, err := belvo.Days(c.DateFrom, c.DateTo); err != nil {
			return config.Invalid("", "date-from", "%v", err)
		}
	}
	if c.Type != "" && c.Type != string(belvo.Inflow) && c.Type != string(belvo.Outflow) {
		return config.Invalid("", "type", "must be INFLOW or OUTFLOW, got %q", c.Type)
	}
	return nil
}

// asyncBody is the POST body of an async-post request: the members the
// resource takes, as the spec names them.
func (c RequestConfig) asyncBody() map[string]string {
	body := map[string]string{schemas.BodyLink: c.Link}
	for member, v := range map[string]string{schemas.BodyDateFrom: c.DateFrom, schemas.BodyDateTo: c.DateTo, schemas.BodyType: c.Type} {
		if v != "" {
			body[member] = v
		}
	}
	return body
}

// Requester sends one asynchronous request and records it.
type Requester struct {
	cfg      RequestConfig
	log      *slog.Logger
	belvo    *belvo.Client
	registry *registry.Client
	cluster  *broker.Cluster
	now      func() time.Time
}

// NewRequester checks cfg and builds the clients.
func NewRequester(cfg RequestConfig, log *slog.Logger, opts ...belvo.Option) (*Requester, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bc, err := belvo.New(cfg.Belvo, append([]belvo.Option{belvo.WithLogger(log)}, opts...)...)
	if err != nil {
		return nil, err
	}
	rc, err := cfg.RegistryClient()
	if err != nil {
		return nil, err
	}
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Brokers, Partitions: cfg.Partitions,
		ReplicationFactor: cfg.Replication, ClientID: "belvo-request", Security: cfg.Kafka})
	return &Requester{cfg: cfg, log: log, belvo: bc, registry: rc, cluster: cluster, now: time.Now}, nil
}

// requestFact is the raw JSON of a requests fact.
type requestFact struct {
	BelvoRequestID string   `json:"belvo_request_id"`
	Kind           string   `json:"kind"`
	LinkID         string   `json:"link_id"`
	Resource       string   `json:"resource,omitempty"`
	DateFrom       string   `json:"date_from,omitempty"`
	DateTo         string   `json:"date_to,omitempty"`
	Type           string   `json:"type,omitempty"`
	FetchResources []string `json:"fetch_resources,omitempty"`
	SentAt         string   `json:"sent_at"`
}

// values are the fact's typed fields; sent is SentAt as a time.
func (f requestFact) values(sent time.Time) records.Values {
	v := records.Values{"belvo_request_id": f.BelvoRequestID, "kind": f.Kind, "resource": optional(f.Resource), "sent_at": sent}
	// A date is text or absent: an empty one is null, as omitempty left it.
	for member, d := range map[string]string{"date_from": f.DateFrom, "date_to": f.DateTo} {
		if d != "" {
			v[member] = d
		}
	}
	return v
}

// Run sends the request, then records it on the requests topic, keyed by
// Belvo's request_id: the webhook answering it carries the same id, and so
// do the records fetched for that webhook (their request_id lineage).
// It returns the request_id. The schema and topic are prepared first, so a
// request Belvo accepted is not left unrecorded for want of a topic.
func (r *Requester) Run(ctx context.Context) (string, error) {
	res, _ := schemas.TableByName(factRequests)
	conv, err := records.New(res)
	if err != nil {
		return "", err
	}
	topic := res.Topic(r.cfg.TopicPrefix)
	codec, err := r.registry.Register(ctx, schemas.Subject(topic), res.AvroSchema())
	if err != nil {
		return "", err
	}
	if err := r.cluster.EnsureTopics(ctx, topic); err != nil {
		return "", err
	}
	// The fetcher's state topic, compacted and of one partition as the
	// fetcher makes it: the range is written there for the webhook answering
	// the request, whichever role starts first.
	stTopic := StateTopic(r.cfg.TopicPrefix)
	compact := broker.NewCluster(broker.ClusterConfig{Brokers: r.cfg.Brokers, Partitions: 1, ReplicationFactor: r.cfg.Replication,
		TopicConfigs: map[string]string{"cleanup.policy": "compact"}, ClientID: "belvo-request", Security: r.cfg.Kafka})
	if err := compact.EnsureTopics(ctx, stTopic); err != nil {
		return "", err
	}
	sent := r.now()
	fact := requestFact{Kind: r.cfg.Kind, LinkID: r.cfg.Link, SentAt: sent.UTC().Format(time.RFC3339Nano)}
	switch r.cfg.Kind {
	case KindAsyncPost:
		res, _ := schemas.ResourceByName(r.cfg.Resource)
		fact.Resource, fact.DateFrom, fact.DateTo, fact.Type = res.Name, r.cfg.DateFrom, r.cfg.DateTo, r.cfg.Type
		fact.BelvoRequestID, err = r.belvo.AsyncPost(ctx, res.Path, r.cfg.asyncBody())
	case KindRefresh:
		fact.FetchResources = r.cfg.FetchResources
		fact.BelvoRequestID, err = r.belvo.Refresh(ctx, r.cfg.Link, r.cfg.FetchResources...)
	case KindDeleteLink:
		fact.BelvoRequestID, err = r.belvo.DeleteLink(ctx, r.cfg.Link)
	}
	if err != nil {
		return "", fmt.Errorf("%s request for link %s: %w", r.cfg.Kind, r.cfg.Link, err)
	}
	// The typed fields are written from the values; raw keeps the fact's
	// JSON as the struct writes it (members in its order, empty ones left
	// out), which the values' own JSON would not.
	raw, _ := json.Marshal(fact)
	value, key, err := conv.EncodeValues(codec.AppendHeader(nil), fact.values(sent), raw,
		records.Lineage{LinkID: r.cfg.Link, RequestID: fact.BelvoRequestID, FetchedAt: sent})
	if err != nil {
		return fact.BelvoRequestID, err
	}
	msgs := []broker.Message{{Topic: topic, Key: key, Value: value}}
	if fact.DateFrom != "" {
		st, _ := json.Marshal(stateEntry{Date: sent.UTC().Format(belvo.DateLayout), Resource: fact.Resource,
			From: fact.DateFrom, To: fact.DateTo, Type: fact.Type})
		msgs = append(msgs, broker.Message{Topic: stTopic, Key: []byte(requestKey(fact.BelvoRequestID)), Value: st})
	}
	p := broker.NewProducer(r.cluster, broker.ProducerConfig{})
	defer p.Close()
	if err := p.ProduceAll(ctx, msgs); err != nil {
		return fact.BelvoRequestID, fmt.Errorf("record request %s: %w", fact.BelvoRequestID, err)
	}
	r.log.Info("request sent and recorded", "kind", r.cfg.Kind, "link_id", r.cfg.Link, "request_id", fact.BelvoRequestID)
	return fact.BelvoRequestID, nil
}

// requestKey is the state key of an asynchronous request of ours, by
// Belvo's request_id.
func requestKey(requestID string) string { return "request|" + requestID }

// requestWait bounds how long an event answering a ranged async POST
// waits for the request's state entry: the request command writes it
// right after Belvo's 202, and the webhook may overtake it. Past this, the
// request is taken for someone else's (or its entry for lost) and the
// event fetches the whole link, a superset that loses nothing.
const requestWait = 30 * time.Second

// pendingRequestError is an answer to a request whose range is not known
// yet: transient, the event runs again after a backoff.
type pendingRequestError struct{ requestID string }

func (e *pendingRequestError) Error() string {
	return fmt.Sprintf("the request %s this event answers is not in the state yet", e.requestID)
}

// processAsyncPost is the process_type of a webhook answering an async POST.
const processAsyncPost = "async_post"

// requestRange narrows q to the range and type the async POST answered by
// ev asked for (Belvo's webhook says what it found, not what was asked:
// fetching the whole link would load records outside the request). The
// request's range replaces a created_at__range from the previous
// notification (seed 001 answers with new_transactions_updated), and such
// an answer leaves that notification state alone: the link's next
// new_*_available must still cover everything created since.
func (p *planner) requestRange(ev Event, res schemas.Resource, q *belvo.Query, pl *Plan) error {
	body, ok := schemas.AsyncBodyOf(res.Name)
	if ev.RequestID == "" || !ok || body.RangeFilter == "" {
		return nil
	}
	st, ok := p.previous(requestKey(ev.RequestID))
	if !ok {
		if ev.ProcessType == processAsyncPost && time.Since(ev.ReceivedAt) < requestWait {
			return &pendingRequestError{ev.RequestID}
		}
		return nil
	}
	if st.Resource != res.Name || st.From == "" {
		return nil
	}
	q.CreatedAt, pl.State = belvo.DateRange{}, nil
	// Belvo answers a request once: its range is then deleted, or the
	// state topic (and each replica's copy of it) would keep every range
	// ever requested. A replay of this event after the deletion fetches
	// the whole link, a superset.
	pl.Forget = requestKey(ev.RequestID)
	if err := q.SetFilter(body.RangeFilter, st.From+","+st.To); err != nil {
		return &planError{err}
	}
	if st.Type != "" {
		if err := q.SetFilter(schemas.FilterType, st.Type); err != nil {
			return &planError{err}
		}
	}
	return nil
}

// nullRange reports whether row takes a range from data whose bounds are
// both null or absent.
func nullRange(row schemas.Event, data map[string]json.RawMessage) bool {
	for _, param := range row.Query {
		if param.From == "" {
			continue
		}
		_, okF, _ := scalarMember(data, param.From)
		_, okT, _ := scalarMember(data, param.To)
		if !okF && !okT {
			return true
		}
	}
	return false
}
