package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

const envHelperConfig = "FETCHER_TEST_PROCESS_CONFIG"

// TestFetcherProcess is not a test: it is the fetcher run as a separate
// process by TestKillMidPlanLosesNothing, so that it can be killed with
// SIGKILL, mid-plan, with no chance to clean up.
func TestFetcherProcess(t *testing.T) {
	raw := os.Getenv(envHelperConfig)
	if raw == "" {
		t.Skip("helper process only")
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		t.Fatal(err)
	}
	var cfg Config
	set := config.New("fetcher")
	cfg.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	f, err := New(cfg, quietLog(), prometheus.NewRegistry(), WithClock(testNow))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := f.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// Killing the fetcher (SIGKILL) in the middle of its plans and starting it
// again loses no record, and duplicates only records of events whose
// offsets were not committed when it died.
func TestKillMidPlanLosesNothing(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 3, Records: 200})
	// 10 records a page at 20 requests a second: each plan takes about one
	// second, long enough to be killed in the middle of one.
	env := w.fetcherEnv(map[string]string{"BELVO_RATE_LIMIT": "10", "BELVO_RATE_INTERVAL": "500ms", EnvWorkers: "2"})
	cfgJSON, _ := json.Marshal(env)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFetcherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelperConfig+"="+string(cfgJSON))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	// Six historical updates: accounts and bills of each link.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if st, err := w.emu.RunLoad(ctx, 6, 100); err != nil || st.Delivered != 6 {
		t.Fatalf("load: %+v %v", st, err)
	}
	events := w.webhookEvents(t, []string{"ACCOUNTS", "BILLS"}, 6)
	want := map[string]map[string]bool{} // webhook id -> record ids
	total := 0
	for _, e := range events {
		row, _ := schemas.Lookup(e.ev.Type, e.ev.Code)
		recs, err := w.emu.Records(row.Resource, url.Values{"link": {e.ev.LinkID}})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := schemas.ResourceByName(row.Resource)
		want[e.ev.WebhookID] = map[string]bool{}
		for _, raw := range recs {
			want[e.ev.WebhookID][recordID(t, res, raw)] = true
		}
		total += len(recs)
	}

	// Kill once some events are committed and others are still running,
	// so the test sees both sides of the committed offset.
	testenv.Eventually(t, 3*time.Minute, "a first event committed", func() bool {
		return len(w.committedOffsets(t, env[EnvGroup])) > 0
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true
	atKill := w.countRecords("accounts") + w.countRecords("bills")
	committed := w.committedOffsets(t, env[EnvGroup])
	unfinished := map[string]bool{}
	for _, e := range events {
		if e.offset >= committed[partition{e.topic, e.partition}] {
			unfinished[e.ev.WebhookID] = true
		}
	}
	t.Logf("killed with %d of %d records published, %d of %d events uncommitted", atKill, total, len(unfinished), len(events))
	if atKill >= total || len(unfinished) == 0 || len(unfinished) == len(events) {
		t.Fatalf("the kill did not land mid-plan (%d/%d records, %d unfinished events): the test proves nothing", atKill, total, len(unfinished))
	}

	w.startFetcher(map[string]string{EnvWorkers: "2"})
	got := map[string]map[string]int{}
	testenv.Eventually(t, 90*time.Second, "every record after the restart", func() bool {
		got = map[string]map[string]int{}
		for _, table := range []string{"accounts", "bills"} {
			for _, m := range w.rawRecords(t, table) {
				r := w.decode(t, m)
				wid := r.str(schemas.FieldWebhookID)
				if got[wid] == nil {
					got[wid] = map[string]int{}
				}
				got[wid][r.str(schemas.FieldID)]++
			}
		}
		for wid, ids := range want {
			for id := range ids {
				if got[wid][id] == 0 {
					return false
				}
			}
		}
		return true
	})
	dups := 0
	for wid, ids := range got {
		for id, n := range ids {
			if !want[wid][id] {
				t.Errorf("record %s of webhook %s was not expected", id, wid)
			}
			if n > 1 {
				dups += n - 1
				if !unfinished[wid] {
					t.Errorf("record %s of webhook %s, committed before the kill, stored %d times", id, wid, n)
				}
			}
		}
	}
	t.Logf("%d duplicates, all from uncommitted events", dups)
}

// webhookEvent is an event as stored on a webhook topic.
type webhookEvent struct {
	ev        Event
	topic     string
	partition int
	offset    int64
}

func (w *world) webhookEvents(t testing.TB, types []string, want int) []webhookEvent {
	t.Helper()
	var out []webhookEvent
	testenv.Eventually(t, 30*time.Second, "webhook events on their topics", func() bool {
		out = out[:0]
		for _, typ := range types {
			for _, m := range w.rawTopic(t, schemas.WebhookTopic(w.prefix, typ)) {
				native, _, err := w.reg.Decode(context.Background(), m.Value)
				if err != nil {
					t.Fatal(err)
				}
				ev, err := decodeEvent(native)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, webhookEvent{ev: ev, topic: m.Topic, partition: m.Partition, offset: m.Offset})
			}
		}
		return len(out) >= want
	})
	return out
}

// committedOffsets returns the group's committed offsets (the next offset
// to read) of every partition it has committed.
func (w *world) committedOffsets(t testing.TB, group string) map[partition]int64 {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(w.brokers...), Timeout: 10 * time.Second}
	res, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: group})
	if err != nil {
		t.Fatal(err)
	}
	out := map[partition]int64{}
	for topic, parts := range res.Topics {
		for _, p := range parts {
			if p.CommittedOffset >= 0 {
				out[partition{topic, p.Partition}] = p.CommittedOffset
			}
		}
	}
	return out
}

func (w *world) countRecords(table string) int { return len(w.rawRecords(w.t, table)) }

func (w *world) rawRecords(t testing.TB, table string) []kafka.Message {
	res, _ := schemas.TableByName(table)
	return w.rawTopic(t, res.Topic(w.prefix))
}

// rawTopic reads every message of topic as it is now (none if it does not
// exist yet).
func (w *world) rawTopic(t testing.TB, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(w.brokers...), Timeout: 10 * time.Second}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, tp := range md.Topics {
		if tp.Error != nil {
			return nil
		}
		for _, p := range tp.Partitions {
			offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
				topic: {kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID)}}})
			if err != nil {
				t.Fatal(err)
			}
			po := offs.Topics[topic][0]
			if po.LastOffset <= po.FirstOffset {
				continue
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: w.brokers, Topic: topic, Partition: p.ID, MaxWait: 50 * time.Millisecond})
			if err := r.SetOffset(po.FirstOffset); err != nil {
				t.Fatal(err)
			}
			for off := po.FirstOffset; off < po.LastOffset; off++ {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					r.Close()
					t.Fatal(fmt.Errorf("read %s/%d at %d: %w", topic, p.ID, off, err))
				}
				out = append(out, m)
			}
			r.Close()
		}
	}
	return out
}

func (w *world) decode(t testing.TB, m kafka.Message) record {
	t.Helper()
	native, _, err := w.reg.Decode(context.Background(), m.Value)
	if err != nil {
		t.Fatal(err)
	}
	return native.(map[string]any)
}
