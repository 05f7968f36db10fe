package ingest

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/finflow/belvo-pipeline/schemas"
)

type metrics struct {
	requests   *prometheus.CounterVec   // by route and status
	events     *prometheus.CounterVec   // by webhook type and code, "other" for unknown ones
	unknown    *prometheus.CounterVec   // events whose type/code the catalogue lacks, by kind
	duplicates prometheus.Counter       // retries answered from the dedup window
	latency    *prometheus.HistogramVec // request duration by route
	publish    prometheus.Histogram     // time until Kafka acknowledged
	inflight   prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ingest_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "status"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ingest_events_total", Help: "Webhooks stored in Kafka, by webhook type and code (\"other\" for values the catalogue lacks).",
		}, []string{"type", "code"}),
		unknown: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ingest_unknown_events_total", Help: "Webhooks with a type or code missing from the catalogue (routed, never dropped).",
		}, []string{"kind"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_duplicates_total", Help: "Retried webhooks answered from the dedup window without publishing again.",
		}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ingest_request_duration_seconds", Help: "Time to answer a webhook.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		publish: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ingest_publish_duration_seconds", Help: "Time until Kafka acknowledged an event (acks=all).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ingest_inflight_requests", Help: "Requests being handled.",
		}),
	}
	reg.MustRegister(m.requests, m.events, m.unknown, m.duplicates, m.latency, m.publish, m.inflight)
	return m
}

// eventLabels keeps label cardinality bounded: only catalogue values become
// label values, anything else is counted as "other".
func (m *metrics) eventLabels(webhookType, code string) (string, string) {
	known := false
	for _, e := range schemas.Catalogue {
		if e.Type == webhookType {
			known = true
			if e.Code == code || e.Alias == code {
				return webhookType, code
			}
		}
	}
	if !known {
		m.unknown.WithLabelValues("type").Inc()
		return "other", "other"
	}
	m.unknown.WithLabelValues("code").Inc()
	return webhookType, "other"
}
