package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func newFakeBrokers(t *testing.T, brokers, partitions int) (*kfake.Cluster, *Cluster) {
	t.Helper()
	fake, err := kfake.NewCluster(kfake.NumBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake, NewCluster(ClusterConfig{Brokers: fake.ListenAddrs(), Partitions: partitions, ReplicationFactor: 1})
}

// produceLog records the partitions of every produce request a fake
// cluster handles, with the broker that handled it.
type produceLog struct {
	mu   sync.Mutex
	reqs []producedRequest
}

type producedRequest struct {
	node  int32
	parts map[topicPartition]int // records per partition
}

func (l *produceLog) watch(fake *kfake.Cluster) {
	fake.ControlKey(int16(kmsg.Produce), func(r kmsg.Request) (kmsg.Response, error, bool) {
		req := r.(*kmsg.ProduceRequest)
		pr := producedRequest{node: fake.CurrentNode(), parts: map[topicPartition]int{}}
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				var rb kmsg.RecordBatch
				if err := rb.ReadFrom(p.Records); err == nil {
					pr.parts[topicPartition{t.Topic, int(p.Partition)}] = int(rb.NumRecords)
				}
			}
		}
		l.mu.Lock()
		l.reqs = append(l.reqs, pr)
		l.mu.Unlock()
		return nil, nil, false
	})
}

func (l *produceLog) requests() []producedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]producedRequest(nil), l.reqs...)
}

// holdProduce makes the fake cluster hold the next produce request until
// release is called: what callers enqueue meanwhile waits for the next
// request, as under load.
func holdProduce(fake *kfake.Cluster) (release func()) {
	ch := make(chan struct{})
	fake.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		<-ch
		fake.DropControl()
		return nil, nil, false
	})
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// waitBusy polls until n partitions are in a request.
func waitBusy(t *testing.T, p *Producer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		got := 0
		for _, q := range p.queues {
			if q.busy {
				got++
			}
		}
		p.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d partitions in requests, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitPending polls until n records wait in p's open batches.
func waitPending(t *testing.T, p *Producer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		got := 0
		for _, q := range p.queues {
			if q.open != nil {
				got += len(q.open.msgs)
			}
		}
		p.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d records pending, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Everything that waits for one broker, whatever its topic and partition,
// goes in that broker's next produce request, and each partition's records
// in it are stored in order.
func TestProduceSendsEveryPartitionOfABrokerInOneRequest(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 1, 6)
	var log produceLog
	release := holdProduce(fake)
	defer release()
	log.watch(fake)
	p := NewProducer(cluster, ProducerConfig{})
	ctx := context.Background()
	if err := cluster.EnsureTopics(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- p.Produce(ctx, Message{Topic: "a", Key: []byte("first"), Value: []byte("0")}) }()
	var msgs []Message
	for i := range 30 {
		for _, topic := range []string{"a", "b"} {
			msgs = append(msgs, Message{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%12), Value: fmt.Appendf(nil, "%d", i/12)})
		}
	}
	// The first request is held; wait until it carries the first record
	// and the others are all enqueued behind it.
	all := make(chan error, 1)
	waitBusy(t, p, 1)
	go func() { all <- p.ProduceAll(ctx, msgs) }()
	waitPending(t, p, len(msgs))
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-all; err != nil {
		t.Fatal(err)
	}
	p.Close()
	reqs := log.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d produce requests, want 2 (the held one, then everything else): %v", len(reqs), reqs)
	}
	want := map[topicPartition]int{}
	for _, m := range msgs {
		part, _ := p.Partition(ctx, m.Topic, m.Key)
		want[topicPartition{m.Topic, part}]++
	}
	if fmt.Sprint(reqs[1].parts) != fmt.Sprint(want) {
		t.Fatalf("second request carried %v, want %v", reqs[1].parts, want)
	}
	for _, topic := range []string{"a", "b"} {
		n := len(msgs) / 2
		if topic == "a" {
			n++
		}
		next := map[string]int{}
		for _, m := range readAll(t, fake.ListenAddrs(), topic, n) {
			if string(m.Key) == "first" {
				continue
			}
			if got, want := string(m.Value), fmt.Sprint(next[string(m.Key)]); got != want {
				t.Fatalf("%s key %s: got value %s, want %s", topic, m.Key, got, want)
			}
			next[string(m.Key)]++
		}
	}
}

// With several brokers, each request goes to the leader of every partition
// it carries, and every record is stored once, in key order.
func TestProduceGroupsPartitionsByLeader(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 3, 6)
	var log produceLog
	log.watch(fake)
	p := NewProducer(cluster, ProducerConfig{MaxBatch: 16})
	ctx := context.Background()
	var msgs []Message
	for i := range 400 {
		topic := []string{"x", "y"}[i%2]
		msgs = append(msgs, Message{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%20), Value: fmt.Appendf(nil, "%d", i/20)})
	}
	errc := make(chan error, 4)
	for i := range 4 {
		go func() { errc <- p.ProduceAll(ctx, msgs[i*100:(i+1)*100]) }()
	}
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	stored := 0
	for _, r := range log.requests() {
		for tp, n := range r.parts {
			if leader := fake.LeaderFor(tp.topic, int32(tp.partition)); leader != r.node {
				t.Fatalf("%s/%d (led by %d) sent to broker %d", tp.topic, tp.partition, leader, r.node)
			}
			if n > 16 {
				t.Fatalf("%s/%d: %d records in one request, MaxBatch 16", tp.topic, tp.partition, n)
			}
			stored += n
		}
	}
	if stored != len(msgs) {
		t.Fatalf("requests carried %d records, want %d", stored, len(msgs))
	}
	// Calls run concurrently, so only the order within one call is
	// promised: call c gave each key the values 5c to 5c+4.
	for _, topic := range []string{"x", "y"} {
		last := map[string]int{}
		for _, m := range readAll(t, fake.ListenAddrs(), topic, len(msgs)/2) {
			var v int
			fmt.Sscan(string(m.Value), &v)
			k := fmt.Sprintf("%s/%d", m.Key, v/5)
			if prev, ok := last[k]; (ok && v != prev+1) || (!ok && v%5 != 0) {
				t.Fatalf("%s key %s: value %d after %d", topic, m.Key, v, prev)
			}
			last[k] = v
		}
	}
}

// A partition the broker refuses fails only its own callers; the other
// partitions of the same request are stored and acknowledged.
func TestProducePartitionErrorReachesOnlyItsWaiters(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 1, 2)
	ctx := context.Background()
	// "small" refuses any record batch over 200 bytes.
	small := NewCluster(ClusterConfig{Brokers: fake.ListenAddrs(), Partitions: 2, ReplicationFactor: 1, TopicConfigs: map[string]string{"max.message.bytes": "200"}})
	if err := small.EnsureTopics(ctx, "small"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.EnsureTopics(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
	var log produceLog
	release := holdProduce(fake)
	defer release()
	log.watch(fake)
	p := NewProducer(cluster, ProducerConfig{RetryBudget: time.Second})
	first := make(chan error, 1)
	go func() { first <- p.Produce(ctx, Message{Topic: "ok", Key: []byte("first"), Value: []byte("0")}) }()
	waitBusy(t, p, 1)
	big := make([]byte, 400)
	type result struct {
		topic string
		err   error
	}
	results := make(chan result, 20)
	for i := range 10 {
		for _, topic := range []string{"ok", "small"} {
			go func() {
				results <- result{topic, p.Produce(ctx, Message{Topic: topic, Key: fmt.Appendf(nil, "k%d", i), Value: big})}
			}()
		}
	}
	waitPending(t, p, 20)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 20 {
		r := <-results
		switch {
		case r.topic == "ok" && r.err != nil:
			t.Fatalf("record of ok failed: %v", r.err)
		case r.topic == "small" && !errors.Is(r.err, kafka.MessageSizeTooLarge):
			t.Fatalf("record of small: %v, want MessageSizeTooLarge", r.err)
		}
	}
	p.Close()
	reqs := log.requests()
	mixed := false
	for _, r := range reqs {
		topics := map[string]bool{}
		for tp := range r.parts {
			topics[tp.topic] = true
		}
		mixed = mixed || len(topics) == 2
	}
	if !mixed {
		t.Fatalf("no request carried both topics: %v", reqs)
	}
	readAll(t, fake.ListenAddrs(), "ok", 11)
	readAll(t, fake.ListenAddrs(), "small", 0)
}

// A partition answered NotLeaderForPartition is sent again after a pause,
// and stored once.
func TestProduceRetriesAPartitionTheBrokerDoesNotLead(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 1, 3)
	ctx := context.Background()
	if err := cluster.EnsureTopics(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32
	fake.ControlKey(int16(kmsg.Produce), func(r kmsg.Request) (kmsg.Response, error, bool) {
		refused.Add(1)
		req := r.(*kmsg.ProduceRequest)
		res := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition = p.Partition
				rp.ErrorCode = kerr.NotLeaderForPartition.Code
				rt.Partitions = append(rt.Partitions, rp)
			}
			res.Topics = append(res.Topics, rt)
		}
		return res, nil, true
	})
	p := NewProducer(cluster, ProducerConfig{})
	if err := p.Produce(ctx, Message{Topic: "t", Key: []byte("a"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if n := refused.Load(); n != 1 {
		t.Fatalf("control ran %d times, want 1", n)
	}
	readAll(t, fake.ListenAddrs(), "t", 1)
}

// When partitions move to other brokers, produce requests follow them
// within the retry budget: nothing is lost, nothing stored twice, and each
// key keeps its order.
func TestProduceFollowsMovedLeaders(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 3, 6)
	p := NewProducer(cluster, ProducerConfig{RetryBudget: 20 * time.Second})
	ctx := context.Background()
	page := func(round int) []Message {
		var msgs []Message
		for k := range 30 {
			msgs = append(msgs, Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", k), Value: fmt.Appendf(nil, "%d", round)})
		}
		return msgs
	}
	if err := p.ProduceAll(ctx, page(0)); err != nil {
		t.Fatal(err)
	}
	for part := range 6 {
		leader := fake.LeaderFor("t", int32(part))
		if err := fake.MoveTopicPartition("t", int32(part), (leader+1)%3); err != nil {
			t.Fatal(err)
		}
	}
	for round := 1; round <= 3; round++ {
		if err := p.ProduceAll(ctx, page(round)); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	next := map[string]int{}
	for _, m := range readAll(t, fake.ListenAddrs(), "t", 4*30) {
		if got, want := string(m.Value), fmt.Sprint(next[string(m.Key)]); got != want {
			t.Fatalf("key %s: got value %s, want %s", m.Key, got, want)
		}
		next[string(m.Key)]++
	}
}

// Callers that gave up before their records were sent are answered "not
// stored" and their records left out; Close waits for what is in flight.
func TestProduceLeavesOutCallersThatGaveUpAndCloseDrains(t *testing.T) {
	fake, cluster := newFakeBrokers(t, 1, 1)
	ctx := context.Background()
	if err := cluster.EnsureTopics(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	release := holdProduce(fake)
	defer release()
	p := NewProducer(cluster, ProducerConfig{})
	first := make(chan error, 1)
	go func() { first <- p.Produce(ctx, Message{Topic: "t", Key: []byte("k"), Value: []byte("first")}) }()
	waitBusy(t, p, 1)
	gone, giveUp := context.WithCancel(ctx)
	left := make(chan error, 1)
	go func() { left <- p.Produce(gone, Message{Topic: "t", Key: []byte("k"), Value: []byte("gone")}) }()
	kept := make(chan error, 1)
	go func() { kept <- p.Produce(ctx, Message{Topic: "t", Key: []byte("k"), Value: []byte("kept")}) }()
	waitPending(t, p, 2)
	giveUp()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("caller that gave up: %v, want context.Canceled", err)
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with a request in flight")
	case <-first:
		t.Fatal("the held request was answered")
	default:
	}
	release()
	<-closed
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-kept; err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, m := range readAll(t, fake.ListenAddrs(), "t", 2) {
		values = append(values, string(m.Value))
	}
	if fmt.Sprint(values) != "[first kept]" {
		t.Fatalf("stored %v, want [first kept]", values)
	}
}

// BenchmarkProduceConcurrent is ingest's use of the producer: many callers
// of one record each, against an in-process broker (whose own cost is
// included).
func BenchmarkProduceConcurrent(b *testing.B) {
	fake, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	cluster := NewCluster(ClusterConfig{Brokers: fake.ListenAddrs(), Partitions: 6, ReplicationFactor: 1})
	p := NewProducer(cluster, ProducerConfig{})
	defer p.Close()
	ctx := context.Background()
	value := make([]byte, 600)
	if err := p.Produce(ctx, Message{Topic: "t", Key: []byte("warm"), Value: value}); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(32) // 64 callers on 2 cores, as bench-ingest's connections
	b.ReportAllocs()
	b.ResetTimer()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Appendf(nil, "link-%d", n.Add(1)%5000)
			if err := p.Produce(ctx, Message{Topic: "t", Key: key, Value: value}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
