package fetcher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
)

// maxRetryBackoff caps the wait between runs of a plan that keeps failing.
const maxRetryBackoff = 5 * time.Minute

// job is one event handed to the pool.
type job struct {
	msg      kafka.Message
	attempts int
	release  func(finished bool)
}

// abandon gives the event up without committing it: it is read again after
// a restart or rebalance.
func (j job) abandon() { j.release(false) }

// handle runs one event's plan. It returns a positive wait when the plan
// failed transiently and must run again (the pool keeps the link's later
// events behind it).
func (f *Fetcher) handle(ctx context.Context, j *job) time.Duration {
	ev, err := f.process(ctx, j.msg)
	switch {
	case err == nil:
		f.metrics.events.WithLabelValues(ev.Type, ev.Code, "done").Inc()
		j.release(true)
		return 0
	case ctx.Err() != nil:
		j.abandon()
		return 0
	case permanent(err):
		if derr := f.deadLetterEvent(ctx, j.msg, ev, err); derr != nil {
			err = derr
			break
		}
		f.metrics.events.WithLabelValues(ev.Type, ev.Code, "dead_letter").Inc()
		j.release(true)
		return 0
	}
	j.attempts++
	wait := min(f.cfg.RetryBackoff<<min(j.attempts-1, 16), maxRetryBackoff)
	f.metrics.retries.Inc()
	f.log.Warn("plan failed, will run again", "webhook_id", ev.WebhookID, "type", ev.Type, "code", ev.Code,
		"link_id", ev.LinkID, "attempt", j.attempts, "in", wait, "err", err.Error())
	return wait
}

// process decodes, plans and runs one event.
func (f *Fetcher) process(ctx context.Context, m kafka.Message) (Event, error) {
	ev, err := f.decode(ctx, m)
	if err != nil {
		return ev, err
	}
	pl, err := f.planner.plan(ev, f.today())
	if err != nil {
		return ev, err
	}
	return ev, f.runPlan(ctx, ev, pl)
}

func (f *Fetcher) today() time.Time {
	y, mo, d := f.now().UTC().Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// decodeError is a message that is not a WebhookEvent: permanent.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "decode webhook event: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func (f *Fetcher) decode(ctx context.Context, m kafka.Message) (Event, error) {
	if len(m.Value) < 5 || m.Value[0] != 0 {
		return Event{}, &decodeError{errors.New("not Confluent-framed Avro")}
	}
	native, _, err := f.registry.Decode(ctx, m.Value)
	if err != nil {
		// A registry that does not answer is transient; one that answers
		// and still cannot decode the bytes means they are bad.
		if perr := f.registry.Ping(ctx); perr != nil {
			return Event{}, fmt.Errorf("decode webhook event: %w", err)
		}
		return Event{}, &decodeError{err}
	}
	ev, err := decodeEvent(native)
	if err != nil {
		return ev, &decodeError{err}
	}
	return ev, nil
}

// runPlan publishes everything pl produces and returns once Kafka has
// acknowledged all of it; only then may the event's offset be committed.
func (f *Fetcher) runPlan(ctx context.Context, ev Event, pl Plan) error {
	lineage := records.Lineage{LinkID: ev.LinkID, WebhookID: ev.WebhookID, RequestID: ev.RequestID, FetchedAt: f.now()}
	if pl.Fact != "" {
		if pl.ErrCode == unknownEventCode {
			f.metrics.unknown.WithLabelValues(ev.Type, ev.Code).Inc()
			f.log.Warn("unknown webhook recorded as error_events", "type", ev.Type, "code", ev.Code, "webhook_id", ev.WebhookID)
		}
		return f.publishFact(ctx, pl.Fact, ev.envelope(pl.ErrCode, pl.ErrMsg), lineage)
	}
	published := 0
	if len(pl.Deletions) > 0 {
		out := f.outputs[pl.Resource]
		msgs := make([]broker.Message, 0, len(pl.Deletions))
		for _, id := range pl.Deletions {
			msg, err := out.deletion(id, lineage)
			if err != nil {
				return &planError{err}
			}
			msgs = append(msgs, msg)
		}
		if err := f.produce(ctx, msgs); err != nil {
			return err
		}
		published = len(msgs)
	}
	for _, call := range pl.Calls {
		n, err := f.fetch(ctx, ev, call, lineage)
		published += n
		if err != nil {
			return err
		}
	}
	if pl.HasCount {
		if err := f.reconcile(ctx, ev, pl, published, lineage); err != nil {
			return err
		}
	}
	if pl.State != nil {
		return f.state.put(ctx, pl.State.Key, pl.State.Entry)
	}
	return nil
}

// fetch lists one call and publishes its records, and returns how many
// records the listing served. Three pages overlap: the next one is being
// fetched while this one is converted and the previous one is waiting for
// Kafka's acknowledgement; the listing is serial, so this is where a single
// link's throughput comes from. Memory holds those three pages whatever
// the size of a link's history.
func (f *Fetcher) fetch(ctx context.Context, ev Event, call Call, lineage records.Lineage) (int, error) {
	out := f.outputs[call.Resource.Name]
	listCtx, stopList := context.WithCancel(ctx)
	defer stopList()
	pages := make(chan belvo.Page, 1)
	listErr := make(chan error, 1)
	go func() {
		defer close(pages)
		listErr <- f.belvo.List(listCtx, call.Resource.Path, call.Query, func(p belvo.Page) error {
			select {
			case pages <- p:
				return nil
			case <-listCtx.Done():
				return listCtx.Err()
			}
		})
	}()
	served := 0
	var acked chan error // the previous page's produce, nil before the first
	fail := func(err error) (int, error) {
		stopList()
		for range pages { // let the listing goroutine end
		}
		if acked != nil {
			<-acked
		}
		return served, err
	}
	for p := range pages {
		lineage.FetchedAt = f.now()
		msgs, arenas := f.convertPage(ev, call, out, p, lineage)
		served += len(p.Records)
		if acked != nil {
			if err := <-acked; err != nil {
				acked = nil
				return fail(err)
			}
		}
		acked = make(chan error, 1)
		go func(done chan<- error) {
			err := f.produce(ctx, msgs)
			if err == nil {
				// Every record is acknowledged, so no request holds the
				// values or, in dead letters, the page's own bytes.
				for _, a := range arenas {
					a.release()
				}
				p.Release()
			}
			done <- err
		}(acked)
	}
	if acked != nil {
		if err := <-acked; err != nil {
			return served, err
		}
	}
	return served, <-listErr
}

// minPerPart is the fewest records worth a goroutine of their own.
const minPerPart = 128

// convertPage converts and encodes the records of a page into messages in
// page order. Converting is most of the fetcher's CPU and a link's pages
// come one after another: with fewer pages being converted than cores (one
// link's history, the usual backfill), one goroutine per page left cores
// idle while the listing and Kafka waited for it, so the page is split over
// the cores the other pages leave. Splitting when every core already has a
// page cost 10-25% at 16 workers (bench-fetcher), hence the count.
//
// The messages' values live in the returned arenas, to be released once
// Kafka has acknowledged them all.
func (f *Fetcher) convertPage(ev Event, call Call, out *output, p belvo.Page, lineage records.Lineage) ([]broker.Message, []*pageArena) {
	busy := int(f.converting.Add(1))
	defer f.converting.Add(-1)
	msgs := make([]broker.Message, len(p.Records))
	parts := min(runtime.GOMAXPROCS(0)/busy, len(p.Records)/minPerPart)
	if parts <= 1 {
		arena := newPageArena(p.Records)
		f.convertRange(ev, call, out, p, lineage, arena, msgs, 0, len(p.Records))
		return msgs, []*pageArena{arena}
	}
	size := (len(p.Records) + parts - 1) / parts
	arenas := make([]*pageArena, 0, parts)
	var wg sync.WaitGroup
	for start := 0; start < len(p.Records); start += size {
		end := min(start+size, len(p.Records))
		arena := newPageArena(p.Records[start:end])
		arenas = append(arenas, arena)
		wg.Go(func() { f.convertRange(ev, call, out, p, lineage, arena, msgs, start, end) })
	}
	wg.Wait()
	return msgs, arenas
}

// convertRange fills msgs[start:end] from the page's records of the same
// indexes into arena, which is the range's own: it is not safe to share.
func (f *Fetcher) convertRange(ev Event, call Call, out *output, p belvo.Page, lineage records.Lineage, arena *pageArena, msgs []broker.Message, start, end int) {
	for i := start; i < end; i++ {
		raw := p.Records[i]
		var err error
		if msgs[i], err = out.pageRecord(arena, raw, lineage); err != nil {
			// One bad record must not hold back its page or its link.
			msgs[i] = f.deadLetterRecord(ev, call, p.Number, i, raw, err)
		}
	}
}

func (f *Fetcher) produce(ctx context.Context, msgs []broker.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := f.producer.ProduceAll(ctx, msgs); err != nil {
		return err
	}
	for _, m := range msgs {
		f.metrics.records.WithLabelValues(m.Topic).Inc()
	}
	return nil
}

func (f *Fetcher) publishFact(ctx context.Context, table string, raw []byte, lineage records.Lineage) error {
	msg, err := f.outputs[table].record(nil, raw, lineage)
	if err != nil {
		return &planError{err}
	}
	return f.produce(ctx, []broker.Message{msg})
}

// reconciliation is the raw JSON of a reconciliations fact.
type reconciliation struct {
	WebhookID   string `json:"webhook_id"`
	LinkID      string `json:"link_id"`
	Resource    string `json:"resource"`
	WebhookCode string `json:"webhook_code"`
	Announced   int    `json:"announced"`
	Fetched     int    `json:"fetched"`
	Matched     bool   `json:"matched"`
	Exact       bool   `json:"exact"` // false: the fetch selects a superset, matched means fetched >= announced
}

func (f *Fetcher) reconcile(ctx context.Context, ev Event, pl Plan, fetched int, lineage records.Lineage) error {
	matched := fetched == pl.Announced
	if !pl.Exact {
		matched = fetched >= pl.Announced
	}
	r := reconciliation{WebhookID: ev.WebhookID, LinkID: ev.LinkID, Resource: pl.Resource, WebhookCode: ev.Code,
		Announced: pl.Announced, Fetched: fetched, Matched: matched, Exact: pl.Exact}
	raw, _ := json.Marshal(r)
	if err := f.publishFact(ctx, factReconciliations, raw, lineage); err != nil {
		return err
	}
	f.metrics.reconciled.WithLabelValues(pl.Resource, strconv.FormatBool(matched)).Inc()
	f.metrics.drift.WithLabelValues(pl.Resource).Set(float64(fetched - pl.Announced))
	if !matched {
		f.log.Warn("reconciliation mismatch", "webhook_id", ev.WebhookID, "resource", pl.Resource,
			"code", ev.Code, "announced", pl.Announced, "fetched", fetched)
	}
	return nil
}

// permanent is the one place deciding dead letter versus retry: failures
// no retry can fix are dead-lettered, everything else is retried. The Belvo
// client has already applied its own retry policy (429, 50x, burst limit)
// before an error reaches here.
func permanent(err error) bool {
	var pe *planError
	var de *decodeError
	var fe *belvo.ForeignNextError
	var ae *belvo.APIError
	switch {
	case errors.As(err, &pe), errors.As(err, &de), errors.As(err, &fe):
		return true
	case errors.Is(err, kafka.MessageSizeTooLarge):
		// A record larger than the broker accepts fails the same way on
		// every run; the event goes aside instead of blocking its link.
		return true
	case errors.As(err, &ae):
		switch {
		case ae.Status == http.StatusBadRequest && ae.Code() == "too_many_sessions":
			return false
		case ae.Status == http.StatusUnauthorized, ae.Status == http.StatusForbidden,
			ae.Status == http.StatusRequestTimeout, ae.Status == http.StatusTooManyRequests:
			// Credentials or throttling: about the fetcher, not the event;
			// dead-lettering would empty the topic into the DLQ.
			return false
		case ae.Status == http.StatusConflict:
			return false
		case ae.Status >= 400 && ae.Status < 500:
			return true
		}
	}
	return false
}

// Dead-letter headers.
const (
	headerReason    = "reason"
	headerError     = "error"
	headerTopic     = "source_topic"
	headerPartition = "source_partition"
	headerOffset    = "source_offset"
	headerWebhookID = "webhook_id"
	headerResource  = "resource"
	headerLinkID    = "link_id"
)

// reason names the class of a permanent failure for the dead-letter header.
func reason(err error) string {
	var pe *planError
	var de *decodeError
	var fe *belvo.ForeignNextError
	var ae *belvo.APIError
	var re *records.FieldError
	switch {
	case errors.As(err, &re):
		return "convert"
	case errors.As(err, &pe):
		return "plan"
	case errors.As(err, &de):
		return "decode"
	case errors.As(err, &fe):
		return "foreign_next"
	case errors.Is(err, belvo.ErrNotFound):
		return "not_found"
	case errors.Is(err, kafka.MessageSizeTooLarge):
		return "too_large"
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		return "bad_request"
	case errors.As(err, &ae):
		return "http_" + strconv.Itoa(ae.Status)
	}
	return "other"
}

// deadLetterEvent stores the event as read, with why it failed.
func (f *Fetcher) deadLetterEvent(ctx context.Context, m kafka.Message, ev Event, cause error) error {
	r := reason(cause)
	msg := broker.Message{Topic: deadLetterTopic(f.cfg.TopicPrefix), Key: m.Key, Value: m.Value, Headers: []kafka.Header{
		{Key: headerReason, Value: []byte(r)},
		{Key: headerError, Value: []byte(cause.Error())},
		{Key: headerTopic, Value: []byte(m.Topic)},
		{Key: headerPartition, Value: []byte(strconv.Itoa(m.Partition))},
		{Key: headerOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
		{Key: headerWebhookID, Value: []byte(ev.WebhookID)},
		{Key: headerLinkID, Value: []byte(ev.LinkID)},
	}}
	if err := f.producer.Produce(ctx, msg); err != nil {
		return fmt.Errorf("dead-letter event %s: %w", ev.WebhookID, err)
	}
	f.metrics.deadLetters.WithLabelValues(r).Inc()
	f.log.Warn("event dead-lettered", "reason", r, "webhook_id", ev.WebhookID, "type", ev.Type, "code", ev.Code,
		"link_id", ev.LinkID, "err", cause.Error())
	return nil
}

// deadLetterRecord is the dead-letter message of a record that cannot be
// converted; it is published with its page.
func (f *Fetcher) deadLetterRecord(ev Event, call Call, page, index int, raw []byte, cause error) broker.Message {
	f.metrics.deadLetters.WithLabelValues("convert").Inc()
	f.log.Warn("record dead-lettered", "resource", call.Resource.Name, "webhook_id", ev.WebhookID, "page", page, "index", index, "err", cause.Error())
	return broker.Message{Topic: deadLetterTopic(f.cfg.TopicPrefix), Key: []byte(ev.LinkID), Value: raw, Headers: []kafka.Header{
		{Key: headerReason, Value: []byte(reason(cause))},
		{Key: headerError, Value: []byte(cause.Error())},
		{Key: headerResource, Value: []byte(call.Resource.Name)},
		{Key: headerWebhookID, Value: []byte(ev.WebhookID)},
		{Key: headerLinkID, Value: []byte(ev.LinkID)},
	}}
}
