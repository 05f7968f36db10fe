package testenv

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// A .local/env left behind by stopped services must stop a test at once,
// not leave its clients retrying until the test's deadline.
func TestStoppedServiceStopsTheTest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	t.Setenv("BELVO_REQUIRE_SERVICES", "")
	t.Setenv("KAFKA_BROKERS", closed)
	t.Setenv("SCHEMA_REGISTRY_URL", "http://"+closed+"/apis/ccompat/v7")
	for name, need := range map[string]func(testing.TB){
		"kafka":    func(t testing.TB) { Kafka(t) },
		"registry": func(t testing.TB) { Registry(t) },
	} {
		reached := false
		t.Run(name, func(t *testing.T) {
			need(t)
			reached = true
		})
		if reached {
			t.Errorf("%s: the test went on with nothing listening on %s", name, closed)
		}
	}
}

// The tag alone decides: without it a test needing a service skips even
// when the service answers, and says how to run it (it fails instead when
// BELVO_REQUIRE_SERVICES asks for integration tests); with it the test runs.
func TestTheTagSelectsIntegrationTests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("KAFKA_BROKERS", ln.Addr().String())
	for _, require := range []string{"", "1"} {
		t.Setenv("BELVO_REQUIRE_SERVICES", require)
		rec := &stopRecorder{}
		reached := false
		t.Run("require="+require, func(t *testing.T) {
			rec.T = t
			Kafka(rec)
			reached = true
		})
		if reached != Integration {
			t.Errorf("require=%q: with Integration=%v the test went on: %v", require, Integration, reached)
		}
		if Integration {
			continue
		}
		if require == "" && (len(rec.skipped) != 1 || len(rec.failed) != 0 || !strings.Contains(rec.skipped[0], "-tags integration")) {
			t.Errorf("skips %q, failures %q: want one skip naming -tags integration", rec.skipped, rec.failed)
		}
		if require != "" && (len(rec.failed) != 1 || !strings.Contains(rec.failed[0], "-tags integration")) {
			t.Errorf("BELVO_REQUIRE_SERVICES=1 without the tag: failures %q, want one naming -tags integration", rec.failed)
		}
	}
}

// stopRecorder keeps what a test was skipped or failed with; a failure is
// recorded, then the test is stopped as skipped so the check above decides.
type stopRecorder struct {
	*testing.T
	skipped, failed []string
}

func (r *stopRecorder) Skipf(format string, args ...any) {
	r.skipped = append(r.skipped, fmt.Sprintf(format, args...))
	r.T.Skipf(format, args...)
}

func (r *stopRecorder) Fatalf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
	r.T.SkipNow()
}
