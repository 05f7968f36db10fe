package fetcher

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the fetcher's Prometheus series; New registers them in the
// registry it is given (no global registry).
type metrics struct {
	events         *prometheus.CounterVec // type, code, outcome
	unknown        *prometheus.CounterVec // type, code
	records        *prometheus.CounterVec // topic
	deadLetters    *prometheus.CounterVec // reason
	retries        prometheus.Counter
	parked         *prometheus.CounterVec // reason of the last error
	reconciled     *prometheus.CounterVec // resource, matched
	drift          *prometheus.GaugeVec   // resource: fetched - announced of the last event
	inFlight       prometheus.GaugeFunc
	commitFailures prometheus.Counter
	readErrors     prometheus.Counter
	members        prometheus.Gauge
	share          prometheus.Gauge

	belvoRequests *prometheus.CounterVec // method, status
	belvoLatency  prometheus.Histogram
	belvoRetries  prometheus.Counter
	belvoWait     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, inFlight func() float64) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_events_total",
			Help: "Webhook events finished, by type, code and outcome (done, dead_letter, parked)."}, []string{"type", "code", "outcome"}),
		unknown: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_unknown_events_total",
			Help: "Events whose type and code the catalogue does not know (recorded as error_events)."}, []string{"type", "code"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_records_published_total",
			Help: "Records acknowledged by Kafka, by topic."}, []string{"topic"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_dead_letters_total",
			Help: "Events and records sent to the dead-letter topic, by reason."}, []string{"reason"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_plan_retries_total",
			Help: "Plans run again after a transient failure."}),
		parked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_events_parked_total",
			Help: "Events whose retry budget (FETCHER_RETRY_MAX_ATTEMPTS, FETCHER_RETRY_MAX_AGE) was spent, sent to the dead-letter topic with an error_events fact so their link's later events go on, by the reason of the last error."}, []string{"reason"}),
		reconciled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_reconciliations_total",
			Help: "Announced counts compared with records fetched, by resource and whether they matched."}, []string{"resource", "matched"}),
		drift: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fetcher_reconciliation_drift",
			Help: "Records fetched minus records announced, for the last reconciled event of each resource."}, []string{"resource"}),
		inFlight: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fetcher_events_in_flight",
			Help: "Events read and not finished."}, inFlight),
		commitFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_commit_failures_total",
			Help: "Offset commits that failed (they are retried)."}),
		members: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fetcher_group_members",
			Help: "Live members of the fetcher's consumer group, among which the Belvo budget is divided."}),
		share: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fetcher_belvo_rate_share",
			Help: "Belvo requests this member may start per BELVO_RATE_INTERVAL: its share of BELVO_RATE_LIMIT, the deployment's budget."}),
		readErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_kafka_read_errors_total",
			Help: "Errors the Kafka reader returned and retried by itself (a burst is normal while new partitions elect leaders)."}),
		belvoRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fetcher_belvo_requests_total",
			Help: "HTTP attempts to Belvo, by method and status (0: transport error)."}, []string{"method", "status"}),
		belvoLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fetcher_belvo_request_seconds",
			Help: "Duration of HTTP attempts to Belvo.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}),
		belvoRetries: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_belvo_retries_total",
			Help: "Belvo requests retried by the client's policy."}),
		belvoWait: prometheus.NewCounter(prometheus.CounterOpts{Name: "fetcher_belvo_throttled_seconds_total",
			Help: "Time requests waited for the rate limiter."}),
	}
	reg.MustRegister(m.members, m.share, m.readErrors, m.events, m.unknown, m.records, m.deadLetters, m.retries, m.parked, m.reconciled, m.drift, m.inFlight,
		m.commitFailures, m.belvoRequests, m.belvoLatency, m.belvoRetries, m.belvoWait)
	return m
}

// belvoMetrics adapts the metrics to belvo.Metrics. Paths are left out of
// the labels: they carry link ids and would explode cardinality.
type belvoMetrics struct{ m *metrics }

func (b belvoMetrics) Request(method, _ string, status int, elapsed time.Duration) {
	b.m.belvoRequests.WithLabelValues(method, strconv.Itoa(status)).Inc()
	b.m.belvoLatency.Observe(elapsed.Seconds())
}

func (b belvoMetrics) Retry(string, string, int, time.Duration) { b.m.belvoRetries.Inc() }

func (b belvoMetrics) Throttled(wait time.Duration) { b.m.belvoWait.Add(wait.Seconds()) }
