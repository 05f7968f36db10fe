package ingest

import (
	"strconv"
	"time"

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

	// Children resolved once: looking one up by its label values hashes
	// them on every request.
	byType       map[string]eventCounters // catalogue webhook_type → its events
	otherType    prometheus.Counter       // events{other, other}
	unknownType  prometheus.Counter       // unknown{type}
	unknownCode  prometheus.Counter       // unknown{code}
	routeLatency map[string]prometheus.Observer
	accepted     map[string]prometheus.Counter // requests{route, 202}
}

// eventCounters are the ingest_events_total children of one catalogue type.
type eventCounters struct {
	byCode map[string]prometheus.Counter // catalogue codes and their aliases
	other  prometheus.Counter
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
	m.byType = map[string]eventCounters{}
	for _, e := range schemas.Catalogue {
		t, ok := m.byType[e.Type]
		if !ok {
			t = eventCounters{byCode: map[string]prometheus.Counter{}, other: m.events.WithLabelValues(e.Type, "other")}
			m.byType[e.Type] = t
		}
		for _, code := range []string{e.Code, e.Alias} {
			if code != "" {
				t.byCode[code] = m.events.WithLabelValues(e.Type, code)
			}
		}
	}
	m.otherType = m.events.WithLabelValues("other", "other")
	m.unknownType, m.unknownCode = m.unknown.WithLabelValues("type"), m.unknown.WithLabelValues("code")
	m.routeLatency, m.accepted = map[string]prometheus.Observer{}, map[string]prometheus.Counter{}
	for _, route := range []string{routeBelvo, routeStatus, routeOther} {
		m.routeLatency[route] = m.latency.WithLabelValues(route)
		m.accepted[route] = m.requests.WithLabelValues(route, "202")
	}
	return m
}

// answered counts one answer of route.
func (m *metrics) answered(route string, status int, took time.Duration) {
	if c, ok := m.accepted[route]; ok && status == 202 {
		c.Inc()
	} else {
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	}
	if o, ok := m.routeLatency[route]; ok {
		o.Observe(took.Seconds())
	} else {
		m.latency.WithLabelValues(route).Observe(took.Seconds())
	}
}

// eventCounter is the ingest_events_total child an event of this type and
// code counts in. Label cardinality stays bounded: only catalogue values
// become label values, anything else is counted as "other".
func (m *metrics) eventCounter(webhookType, code string) prometheus.Counter {
	t, ok := m.byType[webhookType]
	if !ok {
		m.unknownType.Inc()
		return m.otherType
	}
	if c, ok := t.byCode[code]; ok {
		return c
	}
	m.unknownCode.Inc()
	return t.other
}
