package sink

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	rows        *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	deadLetters *prometheus.CounterVec
	insert      *prometheus.HistogramVec
	retries     *prometheus.CounterVec
	purges      prometheus.Counter
	latePurges  prometheus.Counter
	pending     prometheus.Gauge
	commits     prometheus.Counter
	readErrors  prometheus.Counter
	unfit       *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_rows_loaded_total", Help: "Rows inserted into ClickHouse, by table.",
		}, []string{"table"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_records_skipped_total", Help: "Records read again that ClickHouse already holds (at or below the loaded offset), by table.",
		}, []string{"table"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_dead_letters_total", Help: "Records sent to the dead-letter topic, by source table.",
		}, []string{"table"}),
		insert: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sink_insert_seconds", Help: "Latency of one successful batch insert, by table.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"table"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_retries_total", Help: "Failed attempts that were retried, by operation.",
		}, []string{"op"}),
		purges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sink_link_purges_total", Help: "link_deleted events applied to every resource table.",
		}),
		latePurges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sink_late_purges_total", Help: "Purges applied again to records of a deleted link loaded after its purge, per table batch.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sink_pending_rows", Help: "Rows read and not yet inserted.",
		}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sink_offset_commits_total", Help: "Offset commits after a flush.",
		}),
		readErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sink_kafka_read_errors_total", Help: "Errors the Kafka reader returned and retried by itself (a burst is normal while new partitions elect leaders).",
		}),
		unfit: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sink_unfit_values_total", Help: "Values loaded null because their column cannot hold them (listed in the row's unfit_fields, exact in raw), by table and field.",
		}, []string{"table", "field"}),
	}
	reg.MustRegister(m.unfit, m.readErrors, m.rows, m.skipped, m.deadLetters, m.insert, m.retries, m.purges, m.latePurges, m.pending, m.commits)
	return m
}
