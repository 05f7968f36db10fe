package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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
	Brokers     []string        // KAFKA_BROKERS
	Kafka       broker.Security // KAFKA_TLS*, KAFKA_SASL_*: TLS and SASL, see internal/broker/security.go
	TopicPrefix string          // TOPIC_PREFIX, default belvo
	Partitions  int             // TOPIC_PARTITIONS of the requests topic if it must be created, default 6
	Replication int             // TOPIC_REPLICATION_FACTOR, default 1
	Belvo       belvo.Config

	// SCHEMA_REGISTRY_*: the registry's URL, credentials, CA and the
	// compatibility kept on the subjects (package registry).
	Registry registry.Settings

	Kind     string // async_post, refresh or delete_link
	Link     string // --link: the link id
	Resource string // --resource: a resource accepting async POSTs (async-post only)
	DateFrom string // --date-from YYYY-MM-DD (async-post)
	DateTo   string // --date-to YYYY-MM-DD (async-post)
	Type     string // --type INFLOW or OUTFLOW (async-post of invoices)
}

// Bind registers the settings in s.
func (c *RequestConfig) Bind(s *config.Set) {
	s.Strings(&c.Brokers, "kafka-brokers", "KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	c.Kafka.Bind(s)
	c.Registry.Bind(s)
	s.String(&c.TopicPrefix, "topic-prefix", "TOPIC_PREFIX", "belvo", "prefix of every topic")
	s.Int(&c.Partitions, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of the requests topic if it must be created")
	s.Int(&c.Replication, "topic-replication-factor", "TOPIC_REPLICATION_FACTOR", 1, "replication factor of the requests topic if it must be created")
	s.String(&c.Link, "link", "", "", "link id")
	s.String(&c.Resource, "resource", "", "", "resource to retrieve (async-post): "+strings.Join(asyncResources(), ", "))
	s.String(&c.DateFrom, "date-from", "", "", "first day to retrieve, YYYY-MM-DD (async-post)")
	s.String(&c.DateTo, "date-to", "", "", "last day to retrieve, YYYY-MM-DD (async-post)")
	s.String(&c.Type, "type", "", "", "INFLOW or OUTFLOW (async-post of invoices)")
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

// Validate checks the request before anything is sent.
func (c *RequestConfig) Validate() error {
	if err := config.ValidateKafka(c.Brokers, c.TopicPrefix); err != nil {
		return err
	}
	if err := c.Registry.Validate(); err != nil {
		return err
	}
	if err := c.Kafka.Validate(); err != nil {
		return err
	}
	if c.Link == "" {
		return config.Invalid("", "link", "is required")
	}
	switch c.Kind {
	case KindRefresh, KindDeleteLink:
	case KindAsyncPost:
		r, ok := schemas.ResourceByName(c.Resource)
		if !ok || !r.AsyncPost {
			return config.Invalid("", "resource", "must be one of %s, got %q", strings.Join(asyncResources(), ", "), c.Resource)
		}
		if _, err := belvo.Days(c.DateFrom, c.DateTo); err != nil {
			return config.Invalid("", "date-from", "%v", err)
		}
		if c.Type != "" && c.Type != string(belvo.Inflow) && c.Type != string(belvo.Outflow) {
			return config.Invalid("", "type", "must be INFLOW or OUTFLOW, got %q", c.Type)
		}
	default:
		return fmt.Errorf("unknown request kind %q: want %s, %s or %s", c.Kind, KindAsyncPost, KindRefresh, KindDeleteLink)
	}
	return c.Belvo.Defaults().Validate()
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
	rc, err := registry.NewClient(cfg.Registry)
	if err != nil {
		return nil, err
	}
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Brokers, Partitions: cfg.Partitions,
		ReplicationFactor: cfg.Replication, ClientID: "belvo-request", Security: cfg.Kafka})
	return &Requester{cfg: cfg, log: log, belvo: bc, registry: rc, cluster: cluster, now: time.Now}, nil
}

// requestFact is the raw JSON of a requests fact.
type requestFact struct {
	BelvoRequestID string `json:"belvo_request_id"`
	Kind           string `json:"kind"`
	LinkID         string `json:"link_id"`
	Resource       string `json:"resource,omitempty"`
	DateFrom       string `json:"date_from,omitempty"`
	DateTo         string `json:"date_to,omitempty"`
	Type           string `json:"type,omitempty"`
	SentAt         string `json:"sent_at"`
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
	sent := r.now()
	fact := requestFact{Kind: r.cfg.Kind, LinkID: r.cfg.Link, SentAt: sent.UTC().Format(time.RFC3339Nano)}
	switch r.cfg.Kind {
	case KindAsyncPost:
		res, _ := schemas.ResourceByName(r.cfg.Resource)
		body := map[string]string{"link": r.cfg.Link, "date_from": r.cfg.DateFrom, "date_to": r.cfg.DateTo}
		if r.cfg.Type != "" {
			body["type"] = r.cfg.Type
		}
		fact.Resource, fact.DateFrom, fact.DateTo, fact.Type = res.Name, r.cfg.DateFrom, r.cfg.DateTo, r.cfg.Type
		fact.BelvoRequestID, err = r.belvo.AsyncPost(ctx, res.Path, body)
	case KindRefresh:
		fact.BelvoRequestID, err = r.belvo.Refresh(ctx, r.cfg.Link)
	case KindDeleteLink:
		fact.BelvoRequestID, err = r.belvo.DeleteLink(ctx, r.cfg.Link)
	}
	if err != nil {
		return "", fmt.Errorf("%s request for link %s: %w", r.cfg.Kind, r.cfg.Link, err)
	}
	raw, _ := json.Marshal(fact)
	native, err := conv.Native(raw, records.Lineage{LinkID: r.cfg.Link, RequestID: fact.BelvoRequestID, FetchedAt: sent})
	if err != nil {
		return fact.BelvoRequestID, err
	}
	value, err := codec.Append(nil, native)
	if err != nil {
		return fact.BelvoRequestID, err
	}
	p := broker.NewProducer(r.cluster, broker.ProducerConfig{})
	defer p.Close()
	if err := p.Produce(ctx, broker.Message{Topic: topic, Key: []byte(fact.BelvoRequestID), Value: value}); err != nil {
		return fact.BelvoRequestID, fmt.Errorf("record request %s: %w", fact.BelvoRequestID, err)
	}
	r.log.Info("request sent and recorded", "kind", r.cfg.Kind, "link_id", r.cfg.Link, "request_id", fact.BelvoRequestID)
	return fact.BelvoRequestID, nil
}
