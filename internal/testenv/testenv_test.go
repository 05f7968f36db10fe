package testenv

import (
	"net"
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
