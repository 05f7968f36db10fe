package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/rules"
)

const ruleFile = "../../k8s/base/monitoring/prometheusrule.yaml"

func shippedRules(t *testing.T) map[string]alertRule {
	t.Helper()
	b, err := os.ReadFile(ruleFile)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parseObjects(b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]alertRule{}
	for _, r := range alertRules(objs) {
		out[r.name] = r
	}
	if len(out) == 0 {
		t.Fatalf("%s has no alert", ruleFile)
	}
	return out
}

// evaluate runs the shipped alert name every 30 s (Prometheus' default
// evaluation interval) from time 0 to end over the series (promqltest's
// `load 30s` notation) and returns the label sets firing at end.
func evaluate(t *testing.T, name, series string, end time.Duration) []string {
	t.Helper()
	r, ok := shippedRules(t)[name]
	if !ok {
		t.Fatalf("no alert %s in %s", name, ruleFile)
	}
	expr, err := promParser.ParseExpr(r.expr)
	if err != nil {
		t.Fatal(err)
	}
	var hold time.Duration
	if r.forDur != "" {
		d, err := model.ParseDuration(r.forDur)
		if err != nil {
			t.Fatal(err)
		}
		hold = time.Duration(d)
	}
	ll, err := promqltest.NewLazyLoader("load 30s\n"+series, promqltest.LazyLoaderOpts{})
	if err != nil {
		t.Fatal(err)
	}
	defer ll.Close()
	rule := rules.NewAlertingRule(name, expr, hold, 0, labels.EmptyLabels(), labels.EmptyLabels(), labels.EmptyLabels(), "", true,
		slog.New(slog.DiscardHandler))
	query := rules.EngineQueryFunc(ll.QueryEngine(), ll.Storage())
	for ts := time.Duration(0); ts <= end; ts += 30 * time.Second {
		at := time.Unix(0, 0).UTC().Add(ts)
		ll.WithSamplesTill(at, func(err error) {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rule.Eval(context.Background(), 0, at, query, nil, 0); err != nil {
				t.Fatalf("%s at %v: %v", name, ts, err)
			}
		})
	}
	var out []string
	for _, a := range rule.ActiveAlerts() {
		if a.State == rules.StateFiring {
			out = append(out, a.Labels.String())
		}
	}
	return out
}

// An ingest that is gone must page: no target at all (Deployment deleted,
// no endpoints), every target down, and one namespace down while another
// is up. One replica up is enough to stay quiet.
func TestIngestDownFiresWhenIngestIsAbsentOrDown(t *testing.T) {
	cases := []struct {
		name, series string
		fire         bool
		want         string
	}{
		{"no target at all", `up{job="belvo-fetcher", namespace="belvo", pod="f"} 1x20`, true, ""},
		{"every replica down", `up{job="belvo-ingest", namespace="belvo", pod="a"} 0x20
up{job="belvo-ingest", namespace="belvo", pod="b"} 0x20`, true, ""},
		{"one namespace down", `up{job="belvo-ingest", namespace="belvo", pod="a"} 0x20
up{job="belvo-ingest", namespace="belvo-dev", pod="d"} 1x20`, true, `namespace="belvo"`},
		{"one replica up", `up{job="belvo-ingest", namespace="belvo", pod="a"} 0x20
up{job="belvo-ingest", namespace="belvo", pod="b"} 1x20`, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := evaluate(t, "IngestDown", c.series, 5*time.Minute)
			if (len(got) > 0) != c.fire {
				t.Fatalf("firing %v, want firing=%v", got, c.fire)
			}
			if c.want != "" && !strings.Contains(strings.Join(got, " "), c.want) {
				t.Fatalf("firing %v, want %s", got, c.want)
			}
		})
	}
}

// The threshold is twice the default *_STALL_TIMEOUT (60 s): past it the
// consumer's /readyz already fails.
func TestConsumerStalledFiresPerGroup(t *testing.T) {
	got := evaluate(t, "ConsumerStalled", `belvo_consumer_stalled_seconds{group="belvo-sink", pod="s1"} 0+30x20
belvo_consumer_stalled_seconds{group="belvo-fetcher", pod="f1"} 0x20`, 10*time.Minute)
	if len(got) != 1 || !strings.Contains(got[0], `group="belvo-sink"`) {
		t.Fatalf("firing %v, want the sink's group only", got)
	}
	if got := evaluate(t, "ConsumerStalled", `belvo_consumer_stalled_seconds{group="belvo-sink", pod="s1"} 0+30x4 0x16`, 10*time.Minute); len(got) != 0 {
		t.Fatalf("a consumer that made progress again still fires: %v", got)
	}
}

// Parked events have their own alert; the dead-letter alert leaves them
// out so one parked event does not raise two alerts.
func TestParkedEventsAlertApart(t *testing.T) {
	parked := `fetcher_events_parked_total{reason="http_503", pod="f1"} 0 0 0 1x17
fetcher_dead_letters_total{reason="parked", pod="f1"} 0 0 0 1x17`
	if got := evaluate(t, "FetcherParkedEvents", parked, 5*time.Minute); len(got) != 1 {
		t.Fatalf("FetcherParkedEvents firing %v, want one", got)
	}
	if got := evaluate(t, "FetcherDeadLetters", parked, 5*time.Minute); len(got) != 0 {
		t.Fatalf("FetcherDeadLetters fires on a parked event: %v", got)
	}
	invalid := `fetcher_dead_letters_total{reason="record_invalid", pod="f1"} 0 0 0 1x17`
	if got := evaluate(t, "FetcherDeadLetters", invalid, 5*time.Minute); len(got) != 1 {
		t.Fatalf("FetcherDeadLetters firing %v on an invalid record, want one", got)
	}
}

func TestIngestRejectingWebhooks(t *testing.T) {
	// 10 requests a second, one of which is a 503: 10% for ten minutes.
	series := `ingest_requests_total{route="belvo", status="202", pod="a"} 0+270x40
ingest_requests_total{route="belvo", status="503", pod="a"} 0+30x40`
	if got := evaluate(t, "IngestRejectingWebhooks", series, 15*time.Minute); len(got) != 1 {
		t.Fatalf("firing %v, want one", got)
	}
	healthy := `ingest_requests_total{route="belvo", status="202", pod="a"} 0+300x40`
	if got := evaluate(t, "IngestRejectingWebhooks", healthy, 15*time.Minute); len(got) != 0 {
		t.Fatalf("firing %v without 503s", got)
	}
}

// An idle, healthy pipeline raises nothing: every rule evaluates without
// error over the series a quiet deployment exports.
func TestQuietPipelineRaisesNothing(t *testing.T) {
	quiet := `up{job="belvo-ingest", namespace="belvo", pod="a"} 1x40
up{job="belvo-fetcher", namespace="belvo", pod="f"} 1x40
up{job="belvo-sink", namespace="belvo", pod="s"} 1x40
ingest_requests_total{route="belvo", status="202", pod="a"} 0+30x40
ingest_request_duration_seconds_bucket{route="belvo", le="0.1", pod="a"} 0+30x40
ingest_request_duration_seconds_bucket{route="belvo", le="+Inf", pod="a"} 0+30x40
belvo_consumer_lag_messages{group="belvo-fetcher", topic="belvo.webhooks.link", pod="f"} 0x40
belvo_consumer_lag_messages{group="belvo-sink", topic="belvo.records.accounts", pod="s"} 3x40
belvo_consumer_stalled_seconds{group="belvo-sink", pod="s"} 0x40
fetcher_belvo_requests_total{method="GET", status="200", pod="f"} 0+10x40
fetcher_belvo_throttled_seconds_total{pod="f"} 0+1x40
kube_deployment_status_replicas_ready{deployment="belvo-ingest", namespace="belvo"} 2x40
kube_deployment_spec_replicas{deployment="belvo-ingest", namespace="belvo"} 2x40`
	for name := range shippedRules(t) {
		if got := evaluate(t, name, quiet, 20*time.Minute); len(got) != 0 {
			t.Errorf("%s fires on a quiet pipeline: %v", name, got)
		}
	}
}

// One record the sweep found is one missed webhook: the alert fires at
// once and keeps firing for a day; sweeps that find nothing stay quiet.
func TestSweepFoundMissedRecords(t *testing.T) {
	missed := `fetcher_sweep_missed_records_total{resource="transactions", kind="above_watermark", pod="f1"} 0 0 0 3x40`
	if got := evaluate(t, "SweepFoundMissedRecords", missed, 20*time.Minute); len(got) != 1 {
		t.Fatalf("firing %v, want one", got)
	}
	clean := `fetcher_sweep_missed_records_total{resource="transactions", kind="above_watermark", pod="f1"} 0x40
fetcher_sweep_events_total{pod="f1"} 0 0 0 10x40`
	if got := evaluate(t, "SweepFoundMissedRecords", clean, 20*time.Minute); len(got) != 0 {
		t.Fatalf("firing %v although the sweep found nothing", got)
	}
}
