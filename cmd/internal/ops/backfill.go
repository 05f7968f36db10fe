package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// BackfillConfig is what `belvo-pipeline backfill` needs: where the
// fetcher reads its events (Kafka, the registry), Belvo to list the links
// (--all-links only), ClickHouse to show what was loaded, and what to
// backfill.
type BackfillConfig struct {
	broker.Settings // KAFKA_*, SCHEMA_REGISTRY_*, TOPIC_PREFIX
	Belvo           belvo.Config
	DSN             string // CLICKHOUSE_DSN, for progress only

	Links     []string      // --link
	AllLinks  bool          // --all-links
	Resources []string      // --resource; default every resource
	Since     string        // --since YYYY-MM-DD
	Until     string        // --until YYYY-MM-DD
	Wait      time.Duration // --wait: how long to watch ClickHouse for the loads
	Settle    time.Duration // --settle: loads unchanged this long end the watch

	since, until time.Time
}

// Bind registers the settings in s.
func (c *BackfillConfig) Bind(s *config.Set) {
	c.Settings.Bind(s)
	s.String(&c.DSN, "clickhouse-dsn", migrate.DSNEnv, migrate.DefaultDSN, "ClickHouse server, only to show the rows loaded: clickhouse://host:9000/db (native) or http(s)://host:8123/db")
	s.Strings(&c.Links, "link", "", "", "links to backfill: comma-separated, or the flag repeated")
	s.Bool(&c.AllLinks, "all-links", "", false, "backfill every link Belvo lists (GET /api/links/, BELVO_* settings)")
	s.Strings(&c.Resources, "resource", "", "", "resources to backfill: comma-separated, or the flag repeated (--resource R --resource S); default all of them ("+strings.Join(resourceNames(), ", ")+")")
	s.String(&c.Since, "since", "", "", "first day of the records to backfill, YYYY-MM-DD (with --until): created_at, invoice_date for invoices, the fiscal year for tax returns")
	s.String(&c.Until, "until", "", "", "last day of the records to backfill, YYYY-MM-DD (with --since)")
	s.Duration(&c.Wait, "wait", "", 10*time.Minute, "after publishing, show the rows loaded for the backfill's events for at most this long (0: do not watch)")
	s.Duration(&c.Settle, "settle", "", 15*time.Second, "stop watching once every event is audited and the rows loaded have not changed for this long")
	c.Belvo.Bind(s)
}

func resourceNames() []string {
	names := make([]string, len(schemas.Resources))
	for i, r := range schemas.Resources {
		names[i] = r.Name
	}
	return names
}

// distinct drops the repeats of a list flag, keeping the first order: a
// resource named twice is backfilled or replayed once, not published or
// read twice.
func distinct(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// Validate checks the settings before anything is opened.
func (c *BackfillConfig) Validate() error {
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	c.Links, c.Resources = distinct(c.Links), distinct(c.Resources)
	if len(c.Links) == 0 && !c.AllLinks {
		return config.Invalid("", "link", "required: the links to backfill, or --all-links")
	}
	if len(c.Links) > 0 && c.AllLinks {
		return config.Invalid("", "all-links", "--link and --all-links exclude each other")
	}
	for _, r := range c.Resources {
		if _, ok := schemas.ResourceByName(r); !ok {
			return config.Invalid("", "resource", "%q is not a resource: want %s", r, strings.Join(resourceNames(), ", "))
		}
	}
	if (c.Since == "") != (c.Until == "") {
		return config.Invalid("", "since", "--since and --until go together")
	}
	if c.Since != "" {
		r, err := belvo.Days(c.Since, c.Until)
		if err != nil {
			return config.Invalid("", "since", "%v", err)
		}
		c.since, c.until = r.From, r.To
	}
	if c.Wait < 0 || c.Settle <= 0 {
		return config.Invalid("", "wait", "--wait must not be negative and --settle must be positive")
	}
	if c.AllLinks {
		return c.Belvo.Defaults().Validate()
	}
	return nil
}

// backfillEvent is one event a backfill publishes: a catalogue row that
// lists a whole resource of a link, with the range of the backfill.
type backfillEvent struct {
	row  schemas.Event
	link string
	data map[string]any
}

// backfillRows returns, for each resource, the catalogue rows that fetch
// its whole history: its historical events (invoices have one per
// direction), never one whose range comes from the fetcher's state.
func backfillRows(resource string) []schemas.Event {
	var out []schemas.Event
	for _, e := range schemas.Catalogue {
		if e.Resource != resource || e.Action != schemas.Fetch || !strings.HasPrefix(e.Code, "historical") {
			continue
		}
		since := false
		for _, p := range e.Query {
			since = since || p.Since
		}
		if !since {
			out = append(out, e)
		}
	}
	return out
}

// plan returns the events of one link: per resource, its historical rows
// with data narrowing them to [since, until]. A resource whose listing
// cannot be narrowed is an error when it was asked for by name and left
// out otherwise (skipped says so).
func (c *BackfillConfig) plan(link string) (evs []backfillEvent, skipped []string, err error) {
	names := c.Resources
	explicit := len(names) > 0
	if !explicit {
		names = resourceNames()
	}
	for _, name := range names {
		res, _ := schemas.ResourceByName(name)
		rows := backfillRows(name)
		if len(rows) == 0 {
			return nil, nil, fmt.Errorf("resource %s has no historical event in the catalogue to backfill with", name)
		}
		for _, row := range rows {
			data, ok := c.rangeData(row, res)
			if !ok {
				if explicit {
					return nil, nil, config.Invalid("", "resource", "%s cannot be listed by date: backfill it without --since/--until", name)
				}
				skipped = append(skipped, name)
				break
			}
			evs = append(evs, backfillEvent{row: row, link: link, data: data})
		}
	}
	return evs, skipped, nil
}

// rangeData is the data of a backfill event of row: the range in the
// members the row reads its range from (invoice_date, fiscal years), or
// else as a created_at__range member, which the fetcher applies to events
// it did not get from Belvo. Without a range the range members are null,
// which lists the whole link. ok is false when the resource takes no range.
func (c *BackfillConfig) rangeData(row schemas.Event, res schemas.Resource) (map[string]any, bool) {
	data := map[string]any{}
	ranged := false
	for _, p := range row.Query {
		if p.From == "" || p.To == "" {
			continue
		}
		data[p.From], data[p.To] = nil, nil
		if c.since.IsZero() {
			continue
		}
		if p.Filter == schemas.FilterEjercicioRange {
			data[p.From], data[p.To] = c.since.Year(), c.until.Year()
		} else {
			data[p.From], data[p.To] = c.since.Format(belvo.DateLayout), c.until.Format(belvo.DateLayout)
		}
		ranged = true
	}
	if c.since.IsZero() || ranged {
		return data, true
	}
	if !slices.Contains(res.Filters, schemas.FilterCreatedAtRange) {
		return nil, false
	}
	data[schemas.FilterCreatedAtRange] = c.since.Format(belvo.DateLayout) + "," + c.until.Format(belvo.DateLayout)
	return data, true
}

// BackfillStats is what a backfill did.
type BackfillStats struct {
	ID       string   // the backfill's id: the ingest_request_id of its events
	Events   []string // webhook ids of the events published
	Links    int
	Skipped  []string // resources left out: not listable by date
	Rows     uint64   // rows loaded for the events when the watch ended
	Audited  int      // events the sink had audited when the watch ended
	Watched  bool     // whether ClickHouse answered
	Complete bool     // every event audited and the rows settled
}

// Backfill publishes, for every link and resource asked for, the events
// the fetcher executes for a historical update, marked with origin
// backfill: the fetcher fetches them through its plans, its share of the
// rate limit and its lineage, exactly as a webhook's, and nothing is
// fetched here. It then watches ClickHouse for the rows loaded for those
// events, when it can reach it.
//
// A backfill's records are the same records a webhook's fetch loads, so a
// second backfill of the same range leaves every row's data as it was:
// only the lineage (webhook_id, fetched_at, offsets) moves to the newer
// fetch, as for any re-fetch.
func Backfill(ctx context.Context, cfg BackfillConfig, log *slog.Logger, out io.Writer) (BackfillStats, error) {
	st := BackfillStats{ID: newID("backfill-")}
	if err := cfg.Validate(); err != nil {
		return st, err
	}
	links := cfg.Links
	if cfg.AllLinks {
		var err error
		if links, err = listLinks(ctx, cfg.Belvo); err != nil {
			return st, err
		}
		fmt.Fprintf(out, "Belvo lists %d links\n", len(links))
	}
	st.Links = len(links)
	var evs []backfillEvent
	for _, l := range links {
		e, skipped, err := cfg.plan(l)
		if err != nil {
			return st, err
		}
		evs = append(evs, e...)
		st.Skipped = skipped
	}
	if len(st.Skipped) > 0 {
		fmt.Fprintf(out, "not listable by date, left out: %s\n", strings.Join(st.Skipped, ", "))
	}
	ids, err := publishBackfill(ctx, cfg, st.ID, evs, out)
	st.Events = ids
	if err != nil {
		return st, err
	}
	log.Info("backfill published", "backfill_id", st.ID, "events", len(ids), "links", len(links))
	if cfg.Wait == 0 || len(ids) == 0 {
		return st, nil
	}
	return watchBackfill(ctx, cfg, st, out)
}

// listLinks returns the id of every link Belvo lists, page after page.
func listLinks(ctx context.Context, cfg belvo.Config) ([]string, error) {
	client, err := belvo.New(cfg.Defaults())
	if err != nil {
		return nil, err
	}
	var ids []string
	err = client.List(ctx, "/api/links/", belvo.Query{}, func(p belvo.Page) error {
		for _, raw := range p.Records {
			var l struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(raw, &l); err != nil || l.ID == "" {
				return fmt.Errorf("list links: a link without id: %.200s", raw)
			}
			ids = append(ids, l.ID)
		}
		return nil
	})
	return ids, err
}

// publishBackfill writes evs to their webhook topics as ingest writes
// Belvo's (same schema, key and headers), and returns their webhook ids.
func publishBackfill(ctx context.Context, cfg BackfillConfig, backfillID string, evs []backfillEvent, out io.Writer) ([]string, error) {
	rc, err := registry.NewClient(cfg.Registry)
	if err != nil {
		return nil, err
	}
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Brokers, ClientID: "belvo-backfill", Security: cfg.Kafka})
	if err := cluster.Ping(ctx); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	producer := broker.NewProducer(cluster, broker.ProducerConfig{})
	defer producer.Close()
	codecs := map[string]*registry.Codec{}
	received := time.Now().UTC()
	msgs := make([]broker.Message, 0, len(evs))
	ids := make([]string, 0, len(evs))
	for i, ev := range evs {
		// Only catalogue types are backfilled, and each has its topic,
		// which ingest and the fetcher create at start.
		topic := schemas.WebhookTopic(cfg.TopicPrefix, ev.row.Type)
		codec := codecs[topic]
		if codec == nil {
			if codec, err = rc.Register(ctx, schemas.Subject(topic), schemas.WebhookEventSchema); err != nil {
				return nil, fmt.Errorf("schema registry: %w", err)
			}
			codecs[topic] = codec
		}
		data, err := json.Marshal(ev.data)
		if err != nil {
			return nil, err
		}
		id := backfillID + "-" + strconv.Itoa(i+1)
		e := schemas.WebhookEvent{
			WebhookID: id, WebhookType: ev.row.Type, WebhookCode: ev.row.Code, LinkID: ev.link,
			Data: string(data), ReceivedAt: received, IngestRequestID: backfillID, Origin: schemas.OriginBackfill,
		}
		if ev.row.ProcessType != "" {
			e.ProcessType = &ev.row.ProcessType
		}
		e.EventKey = schemas.EventKey(&e)
		value, err := codec.Append(make([]byte, 0, 256), e.Native())
		if err != nil {
			return nil, fmt.Errorf("encode backfill event %s: %w", id, err)
		}
		msgs = append(msgs, broker.Message{
			Topic: topic, Key: []byte(ev.link), Value: value, Time: received,
			Headers: []kafka.Header{
				{Key: "webhook_id", Value: []byte(id)},
				{Key: "request_id", Value: []byte(backfillID)},
				{Key: "received_at", Value: []byte(received.Format(time.RFC3339Nano))},
			},
		})
		ids = append(ids, id)
	}
	if err := producer.ProduceAll(ctx, msgs); err != nil {
		return nil, fmt.Errorf("publish %d backfill events: %w", len(msgs), err)
	}
	fmt.Fprintf(out, "backfill %s: published %d events\n", backfillID, len(msgs))
	return ids, nil
}

// watchBackfill polls ClickHouse for the backfill's events in
// webhook_events and the rows loaded for them, printing each change, until
// every event is audited and the rows have settled, or cfg.Wait passes. An
// unreachable ClickHouse ends the watch, not the backfill.
func watchBackfill(ctx context.Context, cfg BackfillConfig, st BackfillStats, out io.Writer) (BackfillStats, error) {
	conn, db, err := migrate.Open(cfg.DSN)
	if err != nil {
		fmt.Fprintf(out, "not watching the loads: %v\n", err)
		return st, nil
	}
	defer conn.Close()
	tables := cfg.Resources
	if len(tables) == 0 {
		tables = resourceNames()
	}
	deadline := time.Now().Add(cfg.Wait)
	var lastChange time.Time
	first := true
	for {
		audited, rows, err := backfillLoaded(ctx, conn, db, st.ID, tables)
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			fmt.Fprintf(out, "not watching the loads: %v\n", err)
			return st, nil
		}
		st.Watched = true
		if first || audited != st.Audited || rows != st.Rows {
			fmt.Fprintf(out, "events audited %d/%d, rows loaded %d\n", audited, len(st.Events), rows)
			st.Audited, st.Rows, lastChange, first = audited, rows, time.Now(), false
		}
		if st.Audited == len(st.Events) && time.Since(lastChange) >= cfg.Settle {
			st.Complete = true
			fmt.Fprintf(out, "backfill %s settled: %d rows loaded\n", st.ID, st.Rows)
			return st, nil
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "stopped watching after %s; the fetcher and sink go on with what is left\n", cfg.Wait)
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// backfillLoaded counts the backfill's events in webhook_events and the
// rows loaded for them (every version, deletions included).
func backfillLoaded(ctx context.Context, conn clickhouse.Conn, db, backfillID string, tables []string) (int, uint64, error) {
	n, err := count(ctx, conn, db, webhookEventsTable, "`ingest_request_id` = ?", backfillID)
	if err != nil {
		return 0, 0, err
	}
	var parts []string
	for _, t := range tables {
		parts = append(parts, "SELECT count() AS n FROM "+qualified(db, t)+" WHERE startsWith(`webhook_id`, ?)")
	}
	args := make([]any, len(tables))
	for i := range args {
		args[i] = backfillID + "-"
	}
	var rows uint64
	if err := conn.QueryRow(ctx, "SELECT sum(n) FROM ("+strings.Join(parts, " UNION ALL ")+")", args...).Scan(&rows); err != nil {
		return 0, 0, fmt.Errorf("count backfilled rows: %w", err)
	}
	return int(n), rows, nil
}
