package fetcher

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/jsontext"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// The sweep is the safety net for webhooks Belvo gave up on (it retries a
// delivery a few times over about an hour, then drops it): every
// FETCHER_SWEEP_INTERVAL one replica lists the links and, for each link
// and each resource Belvo filters by created_at__range, publishes a sweep
// event (origin sweep) to the resource's webhook topic, keyed by the link
// like Belvo's webhooks. The fetchers execute it like any event: its plan
// lists the range from the link's watermark to today, within the shared
// rate limit, and publishes through the same outputs, privacy and lineage
// (the sweep event's webhook_id is the rows' webhook_id).
//
// Knowing what only the sweep found: with the sweep on, every plan that
// publishes records of such a resource raises the link's watermark, the
// newest created_at it published, kept in the state topic. A record a sweep
// event finds above the watermark was announced by no webhook (nor
// backfill) that reached the pipeline: fetcher_sweep_missed_records_total
// counts it. Records created within FETCHER_SWEEP_GRACE of the sweep are
// published but neither counted nor marked, since their webhook may still
// be on its way; the next sweep counts them if none came.

// SweepCode is the webhook_code of sweep events.
const SweepCode = "sweep"

// Kinds of missed records (the kind label).
const (
	missedAbove     = "above_watermark" // newer than what the link's webhooks brought
	missedUnwatched = "no_watermark"    // of a link and resource no webhook ever brought
)

// sweepKeyClaim is the state key of the latest sweep's start: the replica
// whose claim the state topic keeps runs it.
const sweepKeyClaim = "sweep|claim"

// markLayout is a fixed-width UTC time: its text sorts like the time, as
// state.apply compares entries by text.
const markLayout = "2006-01-02T15:04:05.000000Z"

// watermarkKey is the state key of a link and resource's watermark.
func watermarkKey(linkID, resource string) string { return "watermark|" + linkID + "|" + resource }

// sweepable reports a resource the sweep covers: Belvo lists it by
// created_at__range.
func sweepable(r schemas.Resource) bool {
	return slices.Contains(r.Filters, schemas.FilterCreatedAtRange)
}

// sweepData is the data of a sweep event.
type sweepData struct {
	Resource string `json:"resource"`
	From     string `json:"created_at_from"` // YYYY-MM-DD
	To       string `json:"created_at_to"`
	Cutoff   string `json:"cutoff"` // markLayout: records created after it are not counted
}

// sweeper holds the sweep's metrics and what the plans running now have
// seen of the records they publish.
type sweeper struct {
	missed   *prometheus.CounterVec // resource, kind
	events   prometheus.Counter
	runs     *prometheus.CounterVec // outcome
	lastRun  prometheus.Gauge
	lastSeen prometheus.Gauge

	mu     sync.Mutex
	seen   map[string]*planMarks // by webhook id and link
	codecs map[string]*registry.Codec
}

// planMarks is what one event's plan published of one resource so far:
// retried runs add to it, so counts are of distinct records.
type planMarks struct {
	resource string
	newest   time.Time         // newest created_at published (sweeps: up to the cutoff)
	missed   map[string]string // sweep events: id -> kind of records above the watermark
	updated  time.Time         // for dropping the marks of events given up on
}

func newSweeper(reg prometheus.Registerer) *sweeper {
	s := &sweeper{
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_sweep_missed_records_total",
			Help: "Records only the sweep found (no webhook announced them: missed webhooks), by resource and kind (above_watermark: newer than what the link's webhooks brought; no_watermark: of a link and resource no webhook brought since the sweep was enabled)."},
			[]string{"resource", "kind"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_sweep_events_total",
			Help: "Sweep events published (one per link and resource listed by created_at__range)."}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_sweep_runs_total",
			Help: "Sweeps this replica ran, by outcome (done, failed)."}, []string{"outcome"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fetcher_sweep_last_success_timestamp_seconds",
			Help: "When this replica last finished publishing a sweep (Unix time); 0 when it never did."}),
		lastSeen: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fetcher_sweep_links",
			Help: "Links the last sweep of this replica listed."}),
		seen:   map[string]*planMarks{},
		codecs: map[string]*registry.Codec{},
	}
	reg.MustRegister(s.missed, s.events, s.runs, s.lastRun, s.lastSeen)
	return s
}

// sweepLoop runs a sweep whenever the latest one (any replica's) started
// at least FETCHER_SWEEP_INTERVAL ago, until ctx ends.
func (f *Fetcher) sweepLoop(ctx context.Context) error {
	if f.sweep == nil {
		return nil
	}
	poll := min(f.cfg.SweepInterval/10, time.Minute)
	if _, ok := f.state.get(sweepKeyClaim); !ok {
		// The first sweep of a deployment comes one interval after its
		// first start, whatever the restarts: webhooks have set the
		// watermarks of the active links by then.
		if err := f.state.put(ctx, sweepKeyClaim, stateEntry{Date: f.now().UTC().Format(markLayout), WebhookID: "enabled"}); err != nil && ctx.Err() == nil {
			f.log.Warn("sweep: first claim", "err", err.Error())
		}
	}
	for {
		if last, ok := f.state.get(sweepKeyClaim); ok && f.sweepDue(last) {
			if won, err := f.claimSweep(ctx); err != nil {
				f.log.Warn("sweep claim", "err", err.Error())
			} else if won {
				f.sweepWithRetries(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// sweepRetries is how many times a claimed sweep that failed (Belvo or
// Kafka unavailable) is run again, a minute apart, before the claim waits
// for the next interval.
const sweepRetries = 5

func (f *Fetcher) sweepWithRetries(ctx context.Context) {
	for attempt := 1; ; attempt++ {
		_, err := f.Sweep(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		if attempt > sweepRetries {
			f.log.Error("sweep failed; the next one is due in an interval", "attempts", attempt, "err", err.Error())
			return
		}
		f.log.Warn("sweep failed, running it again", "attempt", attempt, "err", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}

func (f *Fetcher) sweepDue(last stateEntry) bool {
	t, err := time.Parse(markLayout, last.Date)
	return err != nil || f.now().Sub(t) >= f.cfg.SweepInterval
}

// claimSweep writes this replica's claim and reports whether the state
// topic kept it once the claims of every replica due at the same time are
// read: state.apply keeps the greatest time (the later write of equal
// ones), the same answer on every replica. A lost race costs one sweep
// more, never a sweep less: sweep events are idempotent downstream.
func (f *Fetcher) claimSweep(ctx context.Context) (bool, error) {
	me := fmt.Sprintf("%p-%d", f, f.now().UnixNano())
	if err := f.state.put(ctx, sweepKeyClaim, stateEntry{Date: f.now().UTC().Format(markLayout), WebhookID: me}); err != nil {
		return false, err
	}
	// A rival's claim written at the same time reaches the tail within a
	// read wait; past it, the entry is settled.
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
	cur, _ := f.state.get(sweepKeyClaim)
	return cur.WebhookID == me, ctx.Err()
}

// SweepStats is what one sweep published.
type SweepStats struct {
	Links  int
	Events int
}

// Sweep lists the links and publishes a sweep event per link and sweepable
// resource, now. The fetchers execute the events like webhooks.
func (f *Fetcher) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if f.sweep == nil {
		return st, fmt.Errorf("the sweep is off (%s=0)", EnvSweepInterval)
	}
	select {
	case <-f.ready:
	case <-ctx.Done():
		return st, ctx.Err()
	}
	err := f.sweepOnce(ctx, &st)
	outcome := "done"
	if err != nil {
		outcome = "failed"
	} else {
		f.sweep.lastRun.SetToCurrentTime()
		f.sweep.lastSeen.Set(float64(st.Links))
	}
	f.sweep.runs.WithLabelValues(outcome).Inc()
	f.log.Info("sweep published", "links", st.Links, "events", st.Events, "err", err)
	return st, err
}

func (f *Fetcher) sweepOnce(ctx context.Context, st *SweepStats) error {
	now := f.now().UTC()
	today := f.today()
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	run := now.Format(markLayout) + "-" + hex.EncodeToString(nonce[:])
	cutoff := now.Add(-f.cfg.SweepGrace).Format(markLayout)
	var resources []schemas.Resource
	for _, r := range schemas.Resources {
		if sweepable(r) {
			resources = append(resources, r)
		}
	}
	listCtx, stopList := context.WithCancel(ctx)
	pages := f.belvo.Prefetch(listCtx, "/api/links/", belvo.Query{}, 1)
	defer func() {
		stopList()
		for range pages { // the listing ends
		}
	}()
	for p := range pages {
		if p.Err != nil {
			return p.Err
		}
		var msgs []broker.Message
		for _, raw := range p.Records {
			var l struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(raw, &l); err != nil || l.ID == "" {
				f.log.Warn("sweep: a link without id skipped", "err", err)
				continue
			}
			// Belvo serves no data of a link that is not valid.
			if l.Status != "" && l.Status != "valid" {
				continue
			}
			st.Links++
			for _, r := range resources {
				from := today.AddDate(0, 0, -f.cfg.LookBackDays)
				if wm, ok := f.state.get(watermarkKey(l.ID, r.Name)); ok {
					if t, err := time.Parse(markLayout, wm.Date); err == nil {
						from = t.UTC().Truncate(24 * time.Hour)
					}
				}
				if from.After(today) {
					from = today
				}
				msg, err := f.sweepEvent(ctx, run, l.ID, r, sweepData{Resource: r.Name,
					From: from.Format(belvo.DateLayout), To: today.Format(belvo.DateLayout), Cutoff: cutoff})
				if err != nil {
					return err
				}
				msgs = append(msgs, msg)
			}
		}
		if err := f.producer.ProduceAll(ctx, msgs); err != nil {
			return fmt.Errorf("publish sweep events: %w", err)
		}
		st.Events += len(msgs)
		f.sweep.events.Add(float64(len(msgs)))
	}
	return nil
}

// sweepEvent is the webhook event of one link and resource of the sweep
// started at run. Its webhook_id is derived from them, so a sweep published
// twice (a retried page) is one event to the sink's audit.
func (f *Fetcher) sweepEvent(ctx context.Context, run, linkID string, r schemas.Resource, d sweepData) (broker.Message, error) {
	topic := schemas.WebhookTopic(f.cfg.TopicPrefix, r.WebhookType)
	codec, err := f.sweepCodec(ctx, topic)
	if err != nil {
		return broker.Message{}, err
	}
	sum := sha256.Sum256([]byte(run + "|" + linkID + "|" + r.Name))
	id := hex.EncodeToString(sum[:16])
	data, _ := json.Marshal(d)
	ev := schemas.WebhookEvent{WebhookID: id, WebhookType: r.WebhookType, WebhookCode: SweepCode, LinkID: linkID,
		Data: string(data), ReceivedAt: f.now().UTC(), IngestRequestID: "sweep-" + run, Origin: schemas.OriginSweep}
	ev.EventKey = schemas.EventKey(&ev)
	v, err := codec.Append(nil, ev.Native())
	if err != nil {
		return broker.Message{}, fmt.Errorf("encode sweep event: %w", err)
	}
	// The headers of the webhook topics' contract (docs/topics.md), as
	// ingest writes them.
	return broker.Message{Topic: topic, Key: []byte(linkID), Value: v, Time: ev.ReceivedAt, Headers: []kafka.Header{
		{Key: "webhook_id", Value: []byte(id)},
		{Key: "request_id", Value: []byte(ev.IngestRequestID)},
		{Key: "received_at", Value: []byte(ev.ReceivedAt.Format(time.RFC3339Nano))},
	}}, nil
}

func (f *Fetcher) sweepCodec(ctx context.Context, topic string) (*registry.Codec, error) {
	f.sweep.mu.Lock()
	c := f.sweep.codecs[topic]
	f.sweep.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := f.registry.Register(ctx, schemas.Subject(topic), schemas.WebhookEventSchema)
	if err != nil {
		return nil, err
	}
	f.sweep.mu.Lock()
	f.sweep.codecs[topic] = c
	f.sweep.mu.Unlock()
	return c, nil
}

// planSweep is the plan of a sweep event: one listing of its resource over
// its created_at range. It announces nothing, so nothing is reconciled.
func planSweep(ev Event) (Plan, error) {
	var d sweepData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return Plan{}, &planError{fmt.Errorf("sweep event data: %w", err)}
	}
	res, ok := schemas.ResourceByName(d.Resource)
	if !ok || !sweepable(res) {
		return Plan{}, &planError{fmt.Errorf("sweep event names resource %q, not one listed by %s", d.Resource, schemas.FilterCreatedAtRange)}
	}
	q := belvo.Query{Link: ev.LinkID}
	if err := q.SetFilter(schemas.FilterCreatedAtRange, d.From+","+d.To); err != nil {
		return Plan{}, &planError{err}
	}
	return Plan{Known: true, Resource: res.Name, Calls: []Call{{Resource: res, Query: q}}}, nil
}

// observePage notes the records of a page a plan is about to publish:
// the newest created_at and, for a sweep event, the records above the
// link's watermark. Only with the sweep on (runPlan asks).
func (f *Fetcher) observePage(ev Event, call Call, p belvo.Page) {
	if !sweepable(call.Resource) {
		return
	}
	var cutoff time.Time
	isSweep := ev.Origin == schemas.OriginSweep
	wmKind, wm := missedUnwatched, time.Time{}
	if isSweep {
		var d sweepData
		_ = json.Unmarshal(ev.Data, &d) // planSweep read it already
		cutoff, _ = time.Parse(markLayout, d.Cutoff)
		if e, ok := f.state.get(watermarkKey(ev.LinkID, call.Resource.Name)); ok {
			if t, err := time.Parse(markLayout, e.Date); err == nil {
				wmKind, wm = missedAbove, t
			}
		}
	}
	s := f.sweep
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.marks(ev, call.Resource.Name)
	for _, raw := range p.Records {
		id, created, ok := idAndCreated(raw)
		if !ok {
			continue
		}
		if isSweep && created.After(cutoff) {
			continue // its webhook may still come: the next sweep decides
		}
		if created.After(m.newest) {
			m.newest = created
		}
		if isSweep && created.After(wm) {
			m.missed[id] = wmKind
		}
	}
}

// marks returns the marks of ev's plan for resource; s.mu is held.
func (s *sweeper) marks(ev Event, resource string) *planMarks {
	key := ev.WebhookID + "|" + ev.LinkID + "|" + resource
	m := s.seen[key]
	now := time.Now()
	if m == nil {
		// Marks of events given up on (parked, dead-lettered, moved to
		// another replica) are dropped once stale.
		for k, old := range s.seen {
			if now.Sub(old.updated) > staleTries {
				delete(s.seen, k)
			}
		}
		m = &planMarks{resource: resource, missed: map[string]string{}}
		s.seen[key] = m
	}
	m.updated = now
	return m
}

// settleMarks runs once ev's plan has published everything: it raises the
// watermarks and counts what a sweep event found above them. The state
// writes are acknowledged before the event is finished, so a crash after
// them only re-runs a plan whose records are then below the watermark.
// Only with the sweep on (runPlan asks).
func (f *Fetcher) settleMarks(ctx context.Context, ev Event) error {
	s := f.sweep
	prefix := ev.WebhookID + "|" + ev.LinkID + "|"
	s.mu.Lock()
	var done []*planMarks
	for k, m := range s.seen {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			done = append(done, m)
		}
	}
	s.mu.Unlock()
	for _, m := range done {
		if m.newest.IsZero() {
			continue
		}
		key := watermarkKey(ev.LinkID, m.resource)
		if cur, ok := f.state.get(key); ok && cur.Date >= m.newest.UTC().Format(markLayout) {
			continue
		}
		if err := f.state.put(ctx, key, stateEntry{Date: m.newest.UTC().Format(markLayout), WebhookID: ev.WebhookID}); err != nil {
			return err
		}
	}
	s.mu.Lock()
	for _, m := range done {
		kinds := map[string]int{}
		for _, kind := range m.missed {
			kinds[kind]++
		}
		for kind, n := range kinds {
			s.missed.WithLabelValues(m.resource, kind).Add(float64(n))
			f.log.Warn("sweep found records no webhook announced", "link_id", ev.LinkID, "resource", m.resource,
				"records", n, "kind", kind, "webhook_id", ev.WebhookID)
		}
		delete(s.seen, prefix+m.resource)
	}
	s.mu.Unlock()
	return nil
}

// idAndCreated reads a record's top-level id and created_at.
func idAndCreated(raw []byte) (string, time.Time, bool) {
	var id, created string
	i := jsontext.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return "", time.Time{}, false
	}
	i = jsontext.SkipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' && (id == "" || created == "") {
		name, _, v, err := jsontext.Member(raw, i)
		if err != nil {
			return "", time.Time{}, false
		}
		end, err := jsontext.Skip(raw, v, maxDepth)
		if err != nil {
			return "", time.Time{}, false
		}
		if raw[v] == '"' {
			switch string(name) {
			case "id":
				id = jsontext.Unquote(raw[v+1 : end-1])
			case "created_at":
				created = jsontext.Unquote(raw[v+1 : end-1])
			}
		}
		i = jsontext.SkipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = jsontext.SkipSpace(raw, i+1)
		}
	}
	t, err := time.Parse(time.RFC3339Nano, created)
	return id, t, err == nil && id != ""
}

// maxDepth is encoding/json's nesting limit, which the Belvo client
// enforced on every page.
const maxDepth = 10000
