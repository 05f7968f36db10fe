package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

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
	if e.cfg.WebhookURL == "" {
		return LoadStats{}, errNoWebhookURL
	}
	if n < 0 || rate <= 0 {
		return LoadStats{}, fmt.Errorf("emulator load: want n >= 0 and rate > 0, got %d and %g", n, rate)
	}
	var rows []schemas.Event
	for _, r := range schemas.Catalogue {
		if r.Action == schemas.Fetch && (r.Code == "historical_update" || strings.HasPrefix(r.Code, "initial_")) {
			rows = append(rows, r)
		}
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
		if err := sleepCtx(ctx, time.Until(start.Add(time.Duration(i)*step))); err != nil {
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

// mustJSON encodes values built from maps, slices and strings only.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: %v", err))
	}
	return b
}
