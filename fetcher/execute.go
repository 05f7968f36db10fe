package fetcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
)

// maxRetryBackoff caps the wait between runs of a plan that keeps failing.
const maxRetryBackoff = 5 * time.Minute

// minPageSize is the smallest page_size a 408 shrinks a listing to: Belvo
// timing out on ten records is not about the page any more, and much
// smaller pages would only multiply the requests against the rate limit.
const minPageSize = 10

// parkedErrorCode is the error_code of the error_events fact of a parked
// event.
const parkedErrorCode = "fetch_retries_exhausted"

// job is one event handed to the pool.
type job struct {
	msg     kafka.Message
	release func(finished bool)
}

// abandon gives the event up without committing it: it is read again after
// a restart or rebalance.
func (j job) abandon() { j.release(false) }

// outcome is what becomes of an event whose plan failed.
type outcome int

const (
	retry      outcome = iota // run the plan again after a backoff
	retrySmall                // run it again asking Belvo for smaller pages
	deadLetter                // permanent: to the dead-letter topic
	refused                   // Belvo refused the resource: dead letter + error_events fact
	park                      // still failing, retry budget spent: dead letter + error_events fact
)

// budget is how long, in runs and in time since its first failure, an
// event may keep failing before it is parked.
type budget struct {
	attempts int
	age      time.Duration
}

// decide is the one place deciding what becomes of an event whose plan
// failed, from the error's type (never its text) and what the event has
// already cost. The Belvo client has applied its own retry policy (5XX,
// 429, the burst page, transport errors; belvo.retryable) before an error
// reaches here, so what arrives has already failed a few times.
//
// Permanent failures, which no run can fix, leave at once:
//   - the event itself is bad: not our Avro (decodeError), values no
//     request can be built from (planError), a record larger than the
//     broker takes (kafka.MessageSizeTooLarge);
//   - Belvo's answer cannot be trusted: a next page or a redirect off its
//     host (never followed: it would carry the secret keys elsewhere);
//   - Belvo refused the request for this event's data: 403 with its JSON
//     error array (access_to_resource_denied or another code) is refused,
//     recorded as an error_events fact as well, since analysts miss data
//     they were denied; so is 428 token_required (the link waits for its
//     user's MFA token; the fact keeps the session and token_generation_data
//     Belvo sent); any other 4XX (404 unknown link, 400 invalid, ...) is
//     dead-lettered.
//
// Everything else may heal and is retried with backoff: 5XX, transport
// errors, Kafka and the registry, and answers about the fetcher rather
// than the event (401 keys, 409, 400 too_many_sessions). Throttling is
// retried the same way: 429 and Belvo's 403 burst page (HTML, not JSON:
// more than 80 requests in 30 s from one IP) clear by themselves. A 408
// is Belvo asking for less data: the next run asks for smaller pages.
//
// Every retried event has a budget (attempts counts the runs so far,
// this failed one included; first is the first failure): once spent, the
// event is parked so that its link's later events, which wait behind it,
// go on. A fetcher-wide outage longer than the budget therefore parks the
// events it holds up instead of stalling them; they are kept whole in the
// dead-letter topic for replay, and fetcher_events_parked_total says so.
func decide(err error, attempts int, first, now time.Time, b budget) outcome {
	var pe *planError
	var de *decodeError
	var ae *belvo.APIError
	switch {
	case errors.As(err, &pe), errors.As(err, &de), errors.Is(err, belvo.ErrForeignNext), errors.Is(err, belvo.ErrRedirect):
		return deadLetter
	case errors.Is(err, kafka.MessageSizeTooLarge):
		return deadLetter
	case errors.Is(err, belvo.ErrAccessDenied), errors.As(err, &ae) && ae.Status == http.StatusPreconditionRequired:
		return refused
	case errors.As(err, &ae) && permanentStatus(ae):
		return deadLetter
	}
	if attempts >= b.attempts || now.Sub(first) >= b.age {
		return park
	}
	if errors.Is(err, belvo.ErrRequestTimeout) {
		return retrySmall
	}
	return retry
}

// permanent reports whether decide gives an event failing with err up at
// its first failure, whatever its budget.
func permanent(err error) bool {
	now := time.Now()
	o := decide(err, 1, now, now, budget{attempts: math.MaxInt, age: math.MaxInt64})
	return o == deadLetter || o == refused
}

// permanentStatus reports a Belvo 4XX that says the request is wrong for
// good. 401, 403, 408, 409 and 429 are not: they are about the keys, the
// rate or the amount of data, and decide sorts them out first or retries.
func permanentStatus(ae *belvo.APIError) bool {
	switch s := ae.Status; {
	case errors.Is(ae, belvo.ErrTooManySessions):
		return false
	case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusRequestTimeout,
		s == http.StatusConflict, s == http.StatusTooManyRequests:
		return false
	default:
		return s >= 400 && s < 500
	}
}

// smallerPage is the page_size after a 408 at size: half, not below
// minPageSize (nor above size when it is already smaller).
func smallerPage(size int) int { return max(min(size, minPageSize), size/2) }

// handle runs one event's plan. It returns a positive wait when the plan
// failed transiently and must run again (the pool keeps the link's later
// events behind it).
func (f *Fetcher) handle(ctx context.Context, j *job) time.Duration {
	key := eventKeyOf(j.msg)
	tr := f.retries.get(key)
	ev, err := f.process(ctx, j.msg, tr.pageSize)
	if err == nil {
		f.retries.forget(key)
		f.metrics.events.WithLabelValues(ev.Type, ev.Code, "done").Inc()
		j.release(true)
		return 0
	}
	if ctx.Err() != nil {
		// Shutdown or a new session: the event is read again, here or by
		// another replica; its tries stay for the former, see retryBook.
		j.abandon()
		return 0
	}
	now := time.Now() // the budget is real time, whatever the planning clock says
	tr = f.retries.failed(key, now)
	switch decide(err, tr.attempts, tr.first, now, budget{f.cfg.RetryMaxTries, f.cfg.RetryMaxAge}) {
	case deadLetter:
		if derr := f.deadLetterEvent(ctx, j.msg, ev, err, reason(err), nil); derr != nil {
			return f.retryAfter(ev, tr, derr)
		}
		return f.finishFailed(key, j, ev, "dead_letter")
	case refused:
		var ae *belvo.APIError
		errors.As(err, &ae) // decide found one
		fact := &errorFact{code: ae.Code(), message: err.Error()}
		if derr := f.deadLetterEvent(ctx, j.msg, ev, err, reason(err), fact); derr != nil {
			return f.retryAfter(ev, tr, derr)
		}
		return f.finishFailed(key, j, ev, "dead_letter")
	case park:
		age := now.Sub(tr.first).Round(time.Millisecond)
		fact := &errorFact{code: parkedErrorCode,
			message: fmt.Sprintf("parked after %d attempts over %s; last error (%s): %v", tr.attempts, age, reason(err), err)}
		headers := []kafka.Header{
			{Key: headerLastReason, Value: []byte(reason(err))},
			{Key: headerAttempts, Value: []byte(strconv.Itoa(tr.attempts))},
			{Key: headerFirstFailed, Value: []byte(tr.first.UTC().Format(time.RFC3339Nano))},
		}
		if derr := f.deadLetterEvent(ctx, j.msg, ev, err, reasonParked, fact, headers...); derr != nil {
			return f.retryAfter(ev, tr, derr)
		}
		f.metrics.parked.WithLabelValues(reason(err)).Inc()
		f.log.Error("event parked: retry budget spent, the link's later events go on", "webhook_id", ev.WebhookID,
			"type", ev.Type, "code", ev.Code, "link_id", ev.LinkID, "attempts", tr.attempts, "age", age, "err", err.Error())
		return f.finishFailed(key, j, ev, "parked")
	case retrySmall:
		size := tr.pageSize
		if size == 0 {
			size = f.belvo.Config().PageSize
		}
		tr.pageSize = smallerPage(size)
		f.retries.setPageSize(key, tr.pageSize)
		f.log.Warn("Belvo timed out on the amount of data: asking for smaller pages", "webhook_id", ev.WebhookID,
			"link_id", ev.LinkID, "page_size", tr.pageSize, "attempt", tr.attempts)
		f.metrics.retries.Inc()
		// Belvo asks for less data, not for patience: no doubling.
		return f.cfg.RetryBackoff
	}
	return f.retryAfter(ev, tr, err)
}

// retryAfter logs and counts a run to repeat, and returns the wait before
// it: RetryBackoff doubled with each failed run, up to maxRetryBackoff.
func (f *Fetcher) retryAfter(ev Event, tr tries, err error) time.Duration {
	wait := backoff.Policy{First: f.cfg.RetryBackoff, Max: maxRetryBackoff}.Delay(max(tr.attempts, 1))
	f.metrics.retries.Inc()
	f.log.Warn("plan failed, will run again", "webhook_id", ev.WebhookID, "type", ev.Type, "code", ev.Code,
		"link_id", ev.LinkID, "attempt", tr.attempts, "in", wait, "err", err.Error())
	return wait
}

// finishFailed ends an event given up on (its messages are acknowledged):
// its offset may be committed and its link's next event runs.
func (f *Fetcher) finishFailed(key eventKey, j *job, ev Event, outcome string) time.Duration {
	f.retries.forget(key)
	f.metrics.events.WithLabelValues(ev.Type, ev.Code, outcome).Inc()
	j.release(true)
	return 0
}

// eventKey names one event: where it was read.
type eventKey struct {
	topic     string
	partition int
	offset    int64
}

func eventKeyOf(m kafka.Message) eventKey { return eventKey{m.Topic, m.Partition, m.Offset} }

// tries is what the fetcher remembers of an event whose plan failed.
type tries struct {
	attempts int       // failed runs
	first    time.Time // first failure
	last     time.Time // latest failure
	pageSize int       // page_size after a 408; 0: BELVO_PAGE_SIZE
}

// staleTries is how long after its latest failure an event's tries are
// forgotten if it never came back: a live event fails again within
// maxRetryBackoff plus one run of its plan.
const staleTries = 2 * time.Hour

// retryBook holds the tries of the events that failed, by event. It lives
// in this process only: after a crash or restart an event starts a fresh
// budget, which delays parking by at most one budget and keeps the
// fetcher free of another durable store. Within the process the tries
// survive a rebalance or a new consumer session (the event read again
// here continues its budget); those of an event another replica took are
// dropped after staleTries. The zero value is ready.
type retryBook struct {
	mu    sync.Mutex
	byKey map[eventKey]*tries
	swept time.Time
}

// get returns the event's tries, zero when it never failed.
func (b *retryBook) get(k eventKey) tries {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.byKey[k]; t != nil {
		return *t
	}
	return tries{}
}

// failed counts a failed run of the event at now and returns its tries.
func (b *retryBook) failed(k eventKey, now time.Time) tries {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byKey == nil {
		b.byKey = map[eventKey]*tries{}
	}
	t := b.byKey[k]
	if t == nil {
		b.sweep(now)
		t = &tries{first: now}
		b.byKey[k] = t
	}
	t.attempts++
	t.last = now
	return *t
}

// sweep drops tries not updated for staleTries, at most once a minute.
func (b *retryBook) sweep(now time.Time) {
	if now.Sub(b.swept) < time.Minute {
		return
	}
	b.swept = now
	for k, t := range b.byKey {
		if now.Sub(t.last) > staleTries {
			delete(b.byKey, k)
		}
	}
}

func (b *retryBook) setPageSize(k eventKey, size int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.byKey[k]; t != nil {
		t.pageSize = size
	}
}

func (b *retryBook) forget(k eventKey) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.byKey, k)
}

// size is how many events have tries, for tests.
func (b *retryBook) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byKey)
}

// process decodes, plans and runs one event; pageSize, when positive,
// replaces BELVO_PAGE_SIZE in its list calls.
func (f *Fetcher) process(ctx context.Context, m kafka.Message, pageSize int) (Event, error) {
	ev, err := f.decode(ctx, m)
	if err != nil {
		return ev, err
	}
	pl, err := f.planner.plan(ev, f.today())
	if err != nil {
		return ev, err
	}
	if pageSize > 0 {
		for i := range pl.Calls {
			pl.Calls[i].Query.PageSize = pageSize
		}
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
		if pl.Fact == factErrors {
			msg, err := f.errorEvent(ev, pl.ErrCode, pl.ErrMsg, lineage)
			if err != nil {
				return &planError{err}
			}
			return f.produce(ctx, []broker.Message{msg})
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
	if f.sweep != nil {
		if err := f.settleMarks(ctx, ev); err != nil {
			return err
		}
	}
	return f.summarise(ctx, ev, pl, published, lineage)
}

// pagesAhead is how many pages a listing reads before the plan takes them
// (belvo.Client.Prefetch). With the page being converted and the one
// waiting for Kafka's acknowledgement, a plan holds at most four pages and
// their encoded values, whatever the size of a link's history. Two keep
// Belvo's answers coming while a page's produce is slow.
const pagesAhead = 2

// fetch lists one call and publishes its records, and returns how many
// records the listing served. Three stages overlap: the listing reads
// ahead, this page is converted, and the previous one waits for Kafka's
// acknowledgement. The listing of one call is serial (each page names the
// next), so this is where a single link's throughput comes from.
func (f *Fetcher) fetch(ctx context.Context, ev Event, call Call, lineage records.Lineage) (int, error) {
	out := f.outputs[call.Resource.Name]
	listCtx, stopList := context.WithCancel(ctx)
	defer stopList()
	pages := f.belvo.Prefetch(listCtx, call.Resource.Path, call.Query, pagesAhead)
	served := 0
	var acked chan error // the previous page's produce, nil before the first
	fail := func(err error) (int, error) {
		stopList()
		for l := range pages { // the listing ends; what it read ahead is dropped
			l.Release()
		}
		if acked != nil {
			<-acked
		}
		return served, err
	}
	for l := range pages {
		if l.Err != nil {
			return fail(l.Err)
		}
		p := l.Page
		lineage.FetchedAt = f.now()
		msgs, arenas := f.convertPage(ev, call, out, p, lineage)
		if f.sweep != nil {
			f.observePage(ev, call, p)
		}
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
	return served, nil
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

	// Of parked events: the class of the last error (as reason), the runs
	// made and when the first one failed.
	headerLastReason  = "last_reason"
	headerAttempts    = "attempts"
	headerFirstFailed = "first_failed_at"
)

// reasonParked is the dead-letter reason of an event whose retry budget
// was spent.
const reasonParked = "parked"

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
	case errors.Is(err, belvo.ErrRedirect):
		return "redirect"
	case errors.Is(err, belvo.ErrNotFound):
		return "not_found"
	case errors.Is(err, belvo.ErrAccessDenied):
		return "access_denied"
	case errors.Is(err, belvo.ErrBurstLimit):
		return "burst_limit"
	case errors.Is(err, belvo.ErrRequestTimeout):
		return "request_timeout"
	case errors.Is(err, kafka.MessageSizeTooLarge):
		return "too_large"
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		return "bad_request"
	case errors.As(err, &ae):
		return "http_" + strconv.Itoa(ae.Status)
	}
	return "other"
}

// errorFact is the error_events fact published with a dead-lettered event.
type errorFact struct{ code, message string }

// deadLetterEvent stores the event as read, with why it failed (reason r
// and extra headers). With a fact, the event's error_events record goes in
// the same produce, so the event is not finished until both are acked.
// An event that could not be decoded has no webhook_id to key a fact by:
// it gets the dead letter only.
func (f *Fetcher) deadLetterEvent(ctx context.Context, m kafka.Message, ev Event, cause error, r string, fact *errorFact, extra ...kafka.Header) error {
	msg := broker.Message{Topic: deadLetterTopic(f.cfg.TopicPrefix), Key: m.Key, Value: m.Value, Headers: append([]kafka.Header{
		{Key: headerReason, Value: []byte(r)},
		{Key: headerError, Value: []byte(cause.Error())},
		{Key: headerTopic, Value: []byte(m.Topic)},
		{Key: headerPartition, Value: []byte(strconv.Itoa(m.Partition))},
		{Key: headerOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
		{Key: headerWebhookID, Value: []byte(ev.WebhookID)},
		{Key: headerLinkID, Value: []byte(ev.LinkID)},
	}, extra...)}
	msgs := []broker.Message{msg}
	if fact != nil && ev.WebhookID != "" {
		lineage := records.Lineage{LinkID: ev.LinkID, WebhookID: ev.WebhookID, RequestID: ev.RequestID, FetchedAt: f.now()}
		fm, err := f.errorEvent(ev, fact.code, fact.message, lineage)
		if err != nil {
			f.log.Warn("error_events fact of a dead-lettered event not built", "webhook_id", ev.WebhookID, "err", err.Error())
		} else {
			msgs = append(msgs, fm)
		}
	}
	if err := f.produce(ctx, msgs); err != nil {
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
