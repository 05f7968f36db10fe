package ops

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/cmd/internal/pipeline"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// lineageColumns are what a re-fetch of the same record changes: the rest
// of a row is the record.
const lineageColumns = "loaded_at, webhook_id, request_id, fetched_at, topic, partition, offset, version"

// fingerprint is an order-free digest of what FINAL shows of table (of one
// link when link is set), leaving out the columns named in except.
func fingerprint(t *testing.T, ctx context.Context, conn clickhouse.Conn, db, table, link, except string) string {
	t.Helper()
	where := ""
	var args []any
	if link != "" {
		where, args = " WHERE `link_id` = ?", []any{link}
	}
	var (
		n   uint64
		sum uint64
	)
	// Hashed as text: the hash of a NULL column would be NULL, and sum skips it.
	q := "SELECT count(), sum(cityHash64(toString(tuple(* EXCEPT (" + except + "))))) FROM " + qualified(db, table) + " FINAL" + where
	if err := conn.QueryRow(ctx, q, args...).Scan(&n, &sum); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return fmt.Sprintf("%d rows, digest %x", n, sum)
}

// After the emulator's whole scenario went through a real pipeline:
//   - a truncated table comes back whole with replay, and a second replay
//     changes nothing under FINAL;
//   - a link's rows deleted by hand come back with backfill, fetched by
//     the pipeline's fetcher for events marked backfill (the lineage view
//     says so), and a second backfill leaves every record as it was: only
//     the lineage moves to the newer fetch.
func TestBackfillAndReplayAfterARun(t *testing.T) {
	env := testenv.PipelineEnv(t, "ops")
	env["EMULATOR_RECORDS"] = "40"
	// Registered first, run last: once the pipeline stopped.
	conn, db, err := migrate.Open(env["CLICKHOUSE_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schemas.QuoteIdent(db))
		conn.Close()
	})
	getenv := func(k string) string { return env[k] }
	log := testenv.Logger(t, 1000)
	p, err := pipeline.New(getenv, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	stop, err := p.Start(ctx)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("pipeline stopped with %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute)
	if _, err := p.RunScenario(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitSettled(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	link := p.Emulator.Links()[0].ID // the scenario's data link (the last one it deleted)

	t.Run("replay", func(t *testing.T) {
		replay := func(extra ...string) ReplayStats {
			var cfg ReplayConfig
			set := config.New("replay")
			cfg.Bind(set)
			args := append([]string{"--resource", "transactions", "--from", started.UTC().Format(time.RFC3339)}, extra...)
			if _, err := set.Parse(args, getenv); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			st, err := Replay(ctx, cfg, log, &out)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("replay: %s", out.String())
			return st
		}
		before := fingerprint(t, ctx, conn, db, "transactions", "", "loaded_at")
		if strings.HasPrefix(before, "0 rows") {
			t.Fatal("the scenario loaded no transaction")
		}
		if err := conn.Exec(ctx, "TRUNCATE TABLE "+qualified(db, "transactions")); err != nil {
			t.Fatal(err)
		}
		// Ending before the scenario started: nothing of it.
		if st := replay("--from", started.Add(-time.Hour).UTC().Format(time.RFC3339), "--to", started.UTC().Format(time.RFC3339)); st.Messages != 0 {
			t.Errorf("a replay ending before the records were written read %d", st.Messages)
		}
		st := replay()
		if st.Messages == 0 || st.Rows != st.Messages || st.Dead != 0 {
			t.Errorf("replay read %d records, loaded %d rows, dead-lettered %d", st.Messages, st.Rows, st.Dead)
		}
		if got := fingerprint(t, ctx, conn, db, "transactions", "", "loaded_at"); got != before {
			t.Errorf("after the replay transactions hold %s, before the truncation %s", got, before)
		}
		replay()
		if got := fingerprint(t, ctx, conn, db, "transactions", "", "loaded_at"); got != before {
			t.Errorf("a second replay changed transactions under FINAL: %s, was %s", got, before)
		}
	})

	t.Run("backfill", func(t *testing.T) {
		tables := []string{"transactions", "accounts", "invoices"}
		backfill := func() BackfillStats {
			var cfg BackfillConfig
			set := config.New("backfill")
			cfg.Bind(set)
			args := []string{"--link", link, "--resource", strings.Join(tables, ","), "--wait", "5m", "--settle", "5s"}
			if _, err := set.Parse(args, getenv); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			st, err := Backfill(ctx, cfg, log, &out)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("backfill: %s", out.String())
			if !st.Complete || st.Audited != len(st.Events) || st.Rows == 0 {
				t.Fatalf("backfill %s did not settle: %+v", st.ID, st)
			}
			return st
		}
		before := map[string]string{}
		for _, tbl := range tables {
			before[tbl] = fingerprint(t, ctx, conn, db, tbl, link, lineageColumns)
			if strings.HasPrefix(before[tbl], "0 rows") {
				t.Fatalf("the scenario loaded no %s for link %s", tbl, link)
			}
			if err := conn.Exec(ctx, "DELETE FROM "+qualified(db, tbl)+" WHERE `link_id` = ?", link); err != nil {
				t.Fatal(err)
			}
			if got := fingerprint(t, ctx, conn, db, tbl, link, lineageColumns); !strings.HasPrefix(got, "0 rows") {
				t.Fatalf("%s after deleting the link's rows: %s", tbl, got)
			}
		}
		first := backfill()
		for _, tbl := range tables {
			if got := fingerprint(t, ctx, conn, db, tbl, link, lineageColumns); got != before[tbl] {
				t.Errorf("%s after the backfill: %s, before the deletion %s", tbl, got, before[tbl])
			}
		}
		// Every current row of the link was fetched for a backfill event.
		var origins []string
		if err := conn.QueryRow(ctx, "SELECT groupUniqArray(ifNull(`origin`, 'none')) FROM (SELECT argMax(`origin`, `version`) AS `origin` FROM "+
			qualified(db, "lineage")+" WHERE `link_id` = ? AND `table` IN (?) GROUP BY `table`, `id` HAVING argMax(`is_deleted`, `version`) = 0)",
			link, tables).Scan(&origins); err != nil {
			t.Fatal(err)
		}
		if strings.Join(origins, ",") != schemas.OriginBackfill {
			t.Errorf("origins of the link's current rows in the lineage view: %v, want only backfill", origins)
		}

		second := backfill()
		if second.Rows == 0 || second.ID == first.ID {
			t.Fatalf("the second backfill fetched nothing: %+v", second)
		}
		for _, tbl := range tables {
			if got := fingerprint(t, ctx, conn, db, tbl, link, lineageColumns); got != before[tbl] {
				t.Errorf("a second backfill changed %s under FINAL: %s, was %s", tbl, got, before[tbl])
			}
		}
	})
}
