package migrate

import (
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct {
		dsn      string
		db       string
		protocol clickhouse.Protocol
		err      string
	}{
		{dsn: "http://127.0.0.1:8123/belvo", db: "belvo", protocol: clickhouse.HTTP},
		{dsn: "http://127.0.0.1:8123", db: "belvo", protocol: clickhouse.HTTP},
		{dsn: "clickhouse://u:p@ch1:9000,ch2:9000/analytics?dial_timeout=5s&max_open_conns=4", db: "analytics", protocol: clickhouse.Native},
		{dsn: "https://ch:8443/belvo?secure=true", db: "belvo", protocol: clickhouse.HTTP},
		// A typo must not become a server setting sent with every query.
		{dsn: "clickhouse://ch:9000/belvo?dial_timout=5s", err: "CLICKHOUSE_DSN: unknown key(s) dial_timout"},
		{dsn: "http://127.0.0.1:8123/belvo?async_insert=1&wait_for_async_insert=0", err: "unknown key(s) async_insert, wait_for_async_insert"},
		{dsn: "mysql://h:3306/belvo", err: "CLICKHOUSE_DSN: scheme"},
		{dsn: "http://127.0.0.1:8123/belvo;drop", err: "not a plain identifier"},
		{dsn: "", err: "CLICKHOUSE_DSN: empty"},
	} {
		opts, db, err := ParseDSN(tc.dsn)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.dsn, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.dsn, err)
			continue
		}
		if db != tc.db || opts.Protocol != tc.protocol || opts.Auth.Database != "" {
			t.Errorf("%s: db %q protocol %v conn database %q", tc.dsn, db, opts.Protocol, opts.Auth.Database)
		}
	}
}

func TestConfigValidateNamesTheSetting(t *testing.T) {
	c := Config{DSN: "http://h:8123/belvo?bogus=1", Timeout: 1}
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "CLICKHOUSE_DSN (--clickhouse-dsn):") {
		t.Fatalf("Validate: %v", err)
	}
}
