package pipeline

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/fetcher"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// An async POST of transactions over a range, sent by the request command
// and answered by the emulator's webhook, loads exactly the records of that
// range (none from outside it, though the link has them), its
// reconciliation agrees, and the requests fact joins to the rows it loaded
// through the request_records and request_totals views.
func TestRangedAsyncPostLoadsOnlyItsRange(t *testing.T) {
	env := testEnv(t, "asyncrange", map[string]string{"EMULATOR_RECORDS": "60", "EMULATOR_LINKS": "2"})
	p, ctx := startPipeline(t, env, 500, 5*time.Minute)
	link := p.Emulator.Links()[0].ID
	today := time.Now().UTC()
	from, to := today.AddDate(0, 0, -150).Format("2006-01-02"), today.AddDate(0, 0, -30).Format("2006-01-02")

	emuCfg := p.Emulator.Config()
	reqEnv := map[string]string{
		"KAFKA_BROKERS": env["KAFKA_BROKERS"], "SCHEMA_REGISTRY_URL": env["SCHEMA_REGISTRY_URL"], "TOPIC_PREFIX": env["TOPIC_PREFIX"],
		"TOPIC_PARTITIONS": env["TOPIC_PARTITIONS"], "BELVO_URL": "http://" + loopback(p.emuLn.Addr().String()),
		"BELVO_SECRET_ID": emuCfg.SecretID, "BELVO_SECRET_PASSWORD": emuCfg.SecretPassword,
	}
	cfg := fetcher.RequestConfig{Kind: fetcher.KindAsyncPost}
	set := config.New("request async-post")
	cfg.Bind(set)
	if _, err := set.Parse([]string{"--link", link, "--resource", "transactions", "--date-from", from, "--date-to", to},
		func(k string) string { return reqEnv[k] }); err != nil {
		t.Fatal(err)
	}
	r, err := fetcher.NewRequester(cfg, testenv.Logger(t, 100))
	if err != nil {
		t.Fatal(err)
	}
	reqCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	requestID, err := r.Run(reqCtx)
	if err != nil {
		t.Fatal(err)
	}

	inRange, err := p.Emulator.Records("transactions", url.Values{"link": {link}, "value_date__range": {from + "," + to}})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := p.Emulator.Records("transactions", url.Values{"link": {link}})
	if len(inRange) == 0 || len(inRange) == len(all) {
		t.Fatalf("the range holds %d of the link's %d transactions: the test proves nothing", len(inRange), len(all))
	}

	conn, db, err := p.open()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func(query string, args ...any) uint64 {
		var n uint64
		if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Logf("%s: %v", query, err)
			return 0
		}
		return n
	}
	reconciled := "SELECT count() FROM " + table(db, "reconciliations") + " FINAL WHERE request_id = ?"
	testenv.Eventually(t, 3*time.Minute, "the answering webhook's reconciliation and the request's records", func() bool {
		return count(reconciled, requestID) == 1 &&
			count("SELECT uniqExact(id) FROM "+table(db, "transactions")+" WHERE link_id = ?", link) >= uint64(len(inRange))
	})
	if n := count("SELECT count() FROM "+table(db, "reconciliations")+" FINAL WHERE request_id = ? AND matched", requestID); n != 1 {
		t.Errorf("the answering webhook's reconciliation did not match")
	}
	if n := count("SELECT uniqExact(id) FROM "+table(db, "transactions")+" WHERE link_id = ?", link); n != uint64(len(inRange)) {
		t.Errorf("%d transactions loaded for the link, want the %d of the range (the link has %d)", n, len(inRange), len(all))
	}
	if n := count("SELECT count() FROM "+table(db, "transactions")+" WHERE link_id = ? AND (value_date < toDate32(?) OR value_date > toDate32(?))", link, from, to); n != 0 {
		t.Errorf("%d loaded transactions lie outside %s..%s", n, from, to)
	}
	if n := count("SELECT count() FROM "+table(db, "transactions")+" WHERE link_id = ? AND ifNull(request_id, '') != ?", link, requestID); n != 0 {
		t.Errorf("%d transactions without the request's lineage", n)
	}

	// The request's range, used, is deleted from the fetcher's state: the
	// last record of its key is a tombstone.
	stateKey := "request|" + requestID
	testenv.Eventually(t, time.Minute, "a tombstone of the request's state entry", func() bool {
		var last *kafka.Message
		for _, m := range testenv.ReadAll(t, strings.Split(env["KAFKA_BROKERS"], ","), fetcher.StateTopic(env["TOPIC_PREFIX"])) {
			if string(m.Key) == stateKey {
				last = &m
			}
		}
		return last != nil && last.Value == nil
	})

	// The views join the request to what it loaded.
	if n := count("SELECT count() FROM "+table(db, "request_records")+" WHERE belvo_request_id = ? AND table = 'transactions'", requestID); n != uint64(len(inRange)) {
		t.Errorf("request_records: %d transactions for the request, want %d", n, len(inRange))
	}
	var records, webhooks uint64
	var tables []string
	var kind string
	if err := conn.QueryRow(ctx, "SELECT records, webhooks, tables, kind FROM "+table(db, "request_totals")+" WHERE belvo_request_id = ?", requestID).
		Scan(&records, &webhooks, &tables, &kind); err != nil {
		t.Fatal(err)
	}
	if records != uint64(len(inRange)) || webhooks != 1 || strings.Join(tables, ",") != "transactions" || kind != fetcher.KindAsyncPost {
		t.Errorf("request_totals: %d records from %d webhooks in %v (%s), want %d from 1 in [transactions] (async_post)",
			records, webhooks, tables, kind, len(inRange))
	}
}
