package pipeline

import (
	"context"
	"fmt"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Progress is the pipeline's state as its metrics tell it.
type Progress struct {
	Acked     float64 // webhooks ingest stored in Kafka
	Fetched   float64 // records the fetcher published
	Loaded    float64 // rows the sink inserted
	InFlight  float64 // events the fetcher read and has not finished
	Pending   float64 // rows the sink read and has not inserted
	Unread    float64 // messages the fetcher's and the sink's groups have not committed
	DeadLetrs float64 // records sent to a dead-letter topic by fetcher or sink
}

// Lag is the work downstream of ingest not yet done: read and in progress,
// or still waiting in Kafka. Without the second, a sink that had not yet
// joined its group looked idle (nothing read, counters still), and the run
// was judged settled before anything was loaded.
func (p Progress) Lag() float64 { return p.InFlight + p.Pending + p.Unread }

func (p Progress) String() string {
	return fmt.Sprintf("webhooks acked %-7.0f records fetched %-8.0f rows loaded %-8.0f lag %-6.0f dead letters %.0f",
		p.Acked, p.Fetched, p.Loaded, p.Lag(), p.DeadLetrs)
}

// Progress sums the roles' counters. Each role's registry is gathered once:
// a gather of the fetcher's or the sink's also measures its consumer lag,
// three requests to Kafka.
func (p *Pipeline) Progress() Progress {
	ingest, fetcher, sink := p.gather("ingest"), p.gather("fetcher"), p.gather("sink")
	return Progress{
		Acked:     ingest.sum("ingest_events_total"),
		Fetched:   fetcher.sum("fetcher_records_published_total"),
		Loaded:    sink.sum("sink_rows_loaded_total"),
		InFlight:  fetcher.sum("fetcher_events_in_flight"),
		Pending:   sink.sum("sink_pending_rows"),
		Unread:    fetcher.sum("belvo_consumer_lag_messages") + sink.sum("belvo_consumer_lag_messages"),
		DeadLetrs: fetcher.sum("fetcher_dead_letters_total") + sink.sum("sink_dead_letters_total"),
	}
}

// gathered is one gather of a role's registry, empty when it failed.
type gathered []*dto.MetricFamily

func (p *Pipeline) gather(role string) gathered {
	mfs, err := p.regs[role].Gather()
	if err != nil {
		return nil
	}
	return mfs
}

// sum adds up the counters or gauges of the metric name.
func (g gathered) sum(name string) float64 {
	total := 0.0
	for _, mf := range g {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.Counter != nil:
				total += m.Counter.GetValue()
			case m.Gauge != nil:
				total += m.Gauge.GetValue()
			}
		}
	}
	return total
}

// WaitSettled waits until the emulator has no webhook in flight and the
// pipeline has been idle, with nothing in flight and its counters still,
// for quiet; it returns the progress it settled at.
func (p *Pipeline) WaitSettled(ctx context.Context, quiet time.Duration) (Progress, error) {
	if p.Emulator != nil {
		if err := p.Emulator.Quiesce(ctx); err != nil {
			return Progress{}, err
		}
	}
	last := p.Progress()
	since := time.Now()
	for {
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("pipeline did not settle (%v): %w", last, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
		now := p.Progress()
		if now != last || now.Lag() > 0 {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return now, nil
		}
	}
}
