package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/schemas"
)

// maxLoadInFlight bounds concurrent deliveries in load mode, so a slow
// receiver costs waiting, not unbounded goroutines.
const maxLoadInFlight = 32

// LoadStats is the outcome of RunLoad.
type LoadStats struct {
	Sent      int
	Delivered int
	Failed    int
	Elapsed   time.Duration
}

// RunLoad sends n historical-update events, cycling over the live links
// and resources, at rate events per second. Each event describes the data
// served, as in the scenario. It stops early when ctx ends.
func (e *Emulator) RunLoad(ctx context.Context, n int, rate float64) (LoadStats, error) {
	return e.RunLoadExcept(ctx, n, rate)
}

// RunLoadExcept is RunLoad without the webhook types skip, which a
// freshness bench keeps back to send later as types the run never saw.
func (e *Emulator) RunLoadExcept(ctx context.Context, n int, rate float64, skip ...string) (LoadStats, error) {
	if e.cfg.WebhookURL == "" {
		return LoadStats{}, errNoWebhookURL
	}
	if n < 0 || rate <= 0 {
		return LoadStats{}, fmt.Errorf("emulator load: want n >= 0 and rate > 0, got %d and %g", n, rate)
	}
	var rows []schemas.Event
	for _, r := range loadRows() {
		if !slices.Contains(skip, r.Type) {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return LoadStats{}, fmt.Errorf("emulator load: every webhook type is skipped")
	}
	links := e.store.Links()
	if len(links) == 0 {
		return LoadStats{}, fmt.Errorf("emulator load: no live links")
	}
	var (
		st  LoadStats
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, maxLoadInFlight)
	)
	start := time.Now()
	step := time.Duration(float64(time.Second) / rate)
	for i := range n {
		if err := backoff.Sleep(ctx, time.Until(start.Add(time.Duration(i)*step))); err != nil {
			break
		}
		l, ok := e.store.liveLink(links[i%len(links)].ID)
		if !ok {
			continue
		}
		ev, err := e.historicalEvent(rows[(i/len(links))%len(rows)], l, processHistorical, newHexID())
		if err != nil {
			return st, err
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		st.Sent++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d := e.deliverEvent(ctx, ev)
			mu.Lock()
			if d.Delivered {
				st.Delivered++
			} else {
				st.Failed++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	return st, ctx.Err()
}

// loadRows are the catalogue rows a load sends: the historical updates,
// each of which describes every record of a link and resource.
func loadRows() []schemas.Event {
	var rows []schemas.Event
	for _, r := range schemas.Catalogue {
		if r.Action == schemas.Fetch && (r.Code == "historical_update" || strings.HasPrefix(r.Code, "initial_")) {
			rows = append(rows, r)
		}
	}
	return rows
}

// SendHistorical delivers one historical update of webhookType (the
// first load row of that type) for the first live link, and waits for
// ingest's answer.
func (e *Emulator) SendHistorical(ctx context.Context, webhookType string) (Delivery, error) {
	if e.cfg.WebhookURL == "" {
		return Delivery{}, errNoWebhookURL
	}
	links := e.store.Links()
	if len(links) == 0 {
		return Delivery{}, fmt.Errorf("emulator: no live links")
	}
	l, ok := e.store.liveLink(links[0].ID)
	if !ok {
		return Delivery{}, fmt.Errorf("emulator: link %s is gone", links[0].ID)
	}
	for _, r := range loadRows() {
		if r.Type != webhookType {
			continue
		}
		ev, err := e.historicalEvent(r, l, processHistorical, newHexID())
		if err != nil {
			return Delivery{}, err
		}
		return e.deliverEvent(ctx, ev), nil
	}
	return Delivery{}, fmt.Errorf("emulator: no historical update of webhook type %q", webhookType)
}

// mustJSON encodes values built from maps, slices and strings only.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: %v", err))
	}
	return b
}
