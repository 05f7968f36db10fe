package sink

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/migrate"
)

// The sink posts its own blocks only where clickhouse-go would have sent
// the same request: plain HTTP(S) to one host. Anything else in the DSN
// (native protocol, compression, a second host) keeps clickhouse-go.
func TestBlockPosterOnlyForPlainHTTP(t *testing.T) {
	for dsn, want := range map[string]string{
		"http://127.0.0.1:8123/belvo":                    "http://127.0.0.1:8123/",
		"https://ch.example:8443/belvo?skip_verify=true": "https://ch.example:8443/",
		"http://u:p@127.0.0.1:8123/belvo?http_path=/ch":  "http://127.0.0.1:8123/ch",
		"clickhouse://127.0.0.1:9000/belvo":              "",
		"http://127.0.0.1:8123/belvo?compress=gzip":      "",
		"http://127.0.0.1:8123,127.0.0.2:8123/belvo":     "",
		"http://127.0.0.1:8123/belvo?dial_timeout=5s":    "http://127.0.0.1:8123/",
	} {
		opts, _, err := migrate.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		p := newBlockPoster(opts)
		got := ""
		if p != nil {
			got = p.url
		}
		if got != want {
			t.Errorf("%s: poster URL %q, want %q", dsn, got, want)
		}
		if p != nil && dsn == "http://u:p@127.0.0.1:8123/belvo?http_path=/ch" && (p.user != "u" || p.pass != "p") {
			t.Errorf("%s: credentials %q/%q, want u/p", dsn, p.user, p.pass)
		}
	}
}

// The engine's exception carries its code to refusal() whether it comes
// in the header or only in the body.
func TestHTTPExceptionKeepsTheCode(t *testing.T) {
	for _, c := range []struct {
		header, body string
		code         int32 // 0: no exception
	}{
		{"469", "Code: 469. DB::Exception: Constraint amount_floor is violated", 469},
		{"", "Code: 252. DB::Exception: Too many parts", 252},
		{"", "Bad Gateway", 0},
	} {
		res := &http.Response{Status: "500 Internal Server Error", Header: http.Header{}}
		if c.header != "" {
			res.Header.Set("X-ClickHouse-Exception-Code", c.header)
		}
		err := httpException(res, []byte(c.body))
		var ex *clickhouse.Exception
		got := int32(0)
		if errors.As(err, &ex) {
			got = ex.Code
		}
		if got != c.code || err == nil {
			t.Errorf("header %q body %q: %v (code %d), want code %d", c.header, c.body, err, got, c.code)
		}
	}
}

// Every table whose column types the sink knows gets a block of exactly
// those columns (blockPoster.get panics on a type clickhouse-go lacks).
func TestEveryTableHasABlock(t *testing.T) {
	opts, db, err := migrate.ParseDSN(migrate.DefaultDSN)
	if err != nil {
		t.Fatal(err)
	}
	p := newBlockPoster(opts)
	_, order, err := routes(db, "belvo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range order {
		b := p.get(tbl)
		if tbl.types == nil {
			if b != nil {
				t.Errorf("%s: a block without known column types", tbl.name)
			}
			continue
		}
		if got := b.Names(); len(got) != len(tbl.columns) {
			t.Errorf("%s: block columns %v, want %v", tbl.name, got, tbl.columns)
		}
	}
}

// The token names each partition's offset range, whatever the order in
// which the partitions' rows interleave in the batch.
func TestTokenIsTheRangesOnly(t *testing.T) {
	_, order, err := routes("belvo", "belvo")
	if err != nil {
		t.Fatal(err)
	}
	tbl := order[0]
	batch := func(rows ...[2]int64) *tableBatch {
		b := &tableBatch{}
		for _, r := range rows {
			row := make([]any, len(tbl.columns))
			row[tbl.offsetCol] = r[1]
			addRow(b, tbl, topicPartition{"topic", int(r[0])}, row)
		}
		return b
	}
	runs := batch([2]int64{0, 5}, [2]int64{0, 6}, [2]int64{1, 9}, [2]int64{0, 7}, [2]int64{1, 10})
	sorted := batch([2]int64{1, 9}, [2]int64{1, 10}, [2]int64{0, 5}, [2]int64{0, 6}, [2]int64{0, 7})
	if runs.token(tbl) != sorted.token(tbl) {
		t.Error("the same ranges in another order give another token")
	}
	if other := batch([2]int64{0, 5}, [2]int64{0, 6}, [2]int64{1, 9}, [2]int64{0, 8}, [2]int64{1, 10}); other.token(tbl) == runs.token(tbl) {
		t.Error("partition 0 ending at 8 instead of 7 gives the same token")
	}
	if other := batch([2]int64{0, 5}, [2]int64{0, 6}, [2]int64{1, 9}, [2]int64{0, 7}); other.token(tbl) == runs.token(tbl) {
		t.Error("partition 1 ending at 9 instead of 10 gives the same token")
	}
}
