package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"syscall"
	"time"
)

// Event is a Belvo webhook as it goes on the wire. ProcessType and
// RequestID are left out when empty, as in some of Belvo's own examples;
// ExternalID nil and Data nil are sent as JSON null.
type Event struct {
	WebhookID   string  `json:"webhook_id"`
	WebhookType string  `json:"webhook_type"`
	ProcessType string  `json:"process_type,omitempty"`
	WebhookCode string  `json:"webhook_code"`
	LinkID      string  `json:"link_id"`
	RequestID   string  `json:"request_id,omitempty"`
	ExternalID  *string `json:"external_id"`
	Data        any     `json:"data"`
}

// maxRetries is Belvo's policy: after the first attempt, five more.
const maxRetries = 5

// Attempt is one POST of a webhook.
type Attempt struct {
	At      time.Time
	Status  int    // 0 when no answer came
	Err     string // transport error or timeout
	Refused bool   // nothing listened: the connection was refused, so nothing was stored
	Elapsed time.Duration
}

// Delivery is one event and what became of it.
type Delivery struct {
	URL       string
	WebhookID string // "" for institution-status events, which have none
	Type      string // webhook_type, or "INSTITUTION_STATUS"
	Code      string // webhook_code, or the incident status
	LinkID    string
	Body      json.RawMessage // the exact bytes sent on every attempt
	Attempts  []Attempt
	Delivered bool
}

// Event decodes the body of a Belvo webhook delivery.
func (d Delivery) Event() (Event, error) {
	var e Event
	err := json.Unmarshal(d.Body, &e)
	return e, err
}

// deliverer POSTs events with Belvo's retry policy.
type deliverer struct {
	client   *http.Client
	auth     string
	interval time.Duration
	sleep    func(context.Context, time.Duration) error
	log      *slog.Logger
}

// deliver sends body to url until a 2XX, retrying five times with linear
// backoff (interval, 2×interval, ...) on a non-2XX answer or a timeout.
// Every attempt carries the same bytes, hence the same webhook_id, so the
// receiver can deduplicate. ctx ends the retries early.
func (d *deliverer) deliver(ctx context.Context, url string, body []byte, out *Delivery) {
	out.URL = url
	out.Body = body
	for n := 0; n <= maxRetries; n++ {
		if n > 0 {
			if err := d.sleep(ctx, time.Duration(n)*d.interval); err != nil {
				return
			}
		}
		a := d.post(ctx, url, body)
		out.Attempts = append(out.Attempts, a)
		if a.Status >= 200 && a.Status < 300 {
			out.Delivered = true
			return
		}
		d.log.Info("webhook not accepted", "url", url, "webhook_id", out.WebhookID, "attempt", n+1, "status", a.Status, "err", a.Err)
	}
}

func (d *deliverer) post(ctx context.Context, url string, body []byte) Attempt {
	a := Attempt{At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "belvo-emulator")
	if d.auth != "" {
		req.Header.Set("Authorization", d.auth)
	}
	res, err := d.client.Do(req)
	a.Elapsed = time.Since(a.At)
	if err != nil {
		a.Err = err.Error()
		a.Refused = errors.Is(err, syscall.ECONNREFUSED)
		return a
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	a.Status = res.StatusCode
	return a
}

// marshalEvent encodes e; an Event always encodes.
func marshalEvent(e Event) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("emulator: event does not encode: %v", err))
	}
	return b
}
