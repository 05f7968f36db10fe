package broker

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

func newFake(t *testing.T) (*kfake.Cluster, *Cluster) {
	t.Helper()
	fake, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake, NewCluster(ClusterConfig{Brokers: fake.ListenAddrs(), Partitions: 3, ReplicationFactor: 1})
}

// readAll reads every record of topic from the start, per partition.
func readAll(t *testing.T, brokers []string, topic string, want int) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, p := range parts {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxWait: 50 * time.Millisecond})
		defer r.Close()
		last, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		end, err := last.ReadLastOffset()
		last.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := int64(0); i < end; i++ {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read %s/%d at %d: %v", topic, p.ID, i, err)
			}
			out = append(out, m)
		}
	}
	if len(out) != want {
		t.Fatalf("topic %s holds %d records, want %d", topic, len(out), want)
	}
	return out
}

func TestProduceAcknowledgesEveryConcurrentRecordOnceInKeyOrder(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{MaxBatch: 64})
	const keys, perKey = 20, 25
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, keys*perKey)
	for k := 0; k < keys; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Sequential per key, concurrent across keys: the order a key's
			// records are acknowledged in must be the order they are stored in.
			for i := 0; i < perKey; i++ {
				errs <- p.Produce(ctx, Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", k), Value: fmt.Appendf(nil, "%d", i)})
			}
		}()
	}
	wg.Wait()
	p.Close()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs := readAll(t, fake.ListenAddrs(), "t", keys*perKey)
	next := map[string]int{}
	for _, m := range msgs {
		if got, want := string(m.Value), fmt.Sprint(next[string(m.Key)]); got != want {
			t.Fatalf("key %s: got value %s, want %s", m.Key, got, want)
		}
		next[string(m.Key)]++
	}
}

func TestProducePartitionsByMurmur2LikeJavaClients(t *testing.T) {
	_, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{})
	defer p.Close()
	// Java's DefaultPartitioner puts "link-1" on partition 1 of 3: toPositive(murmur2) % 3.
	got, err := p.Partition(context.Background(), "t", []byte("link-1"))
	if err != nil {
		t.Fatal(err)
	}
	want := (int(javaMurmur2([]byte("link-1"))) & 0x7fffffff) % 3
	if got != want {
		t.Fatalf("partition %d, want %d", got, want)
	}
}

// javaMurmur2 is Kafka's Utils.murmur2, written out independently of
// kafka-go's copy so the test can catch a change of balancer.
func javaMurmur2(data []byte) int32 {
	const seed, m, r = uint32(0x9747b28c), uint32(0x5bd1e995), 24
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	rest := n % 4
	tail := data[n-rest:]
	switch rest {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

func TestProduceFailsWithinBudgetWhenBrokerIsGone(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{RetryBudget: 300 * time.Millisecond})
	defer p.Close()
	ctx := context.Background()
	if err := p.Produce(ctx, Message{Topic: "t", Key: []byte("a"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	fake.Close()
	// The caller's deadline is far beyond the budget: a failure must come
	// from the producer giving up by its budget, not from the caller.
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := p.Produce(waitCtx, Message{Topic: "t", Key: []byte("a"), Value: []byte("2")})
	if err == nil {
		t.Fatal("produce succeeded with the broker gone")
	}
	if waitCtx.Err() != nil {
		t.Fatal("the producer did not give up within its retry budget: the caller's deadline ended the wait")
	}
}

func TestParseCompressionKnowsKafkasNames(t *testing.T) {
	for name, want := range map[string]kafka.Compression{"none": 0, "gzip": kafka.Gzip, "snappy": kafka.Snappy, "lz4": kafka.Lz4, "zstd": kafka.Zstd} {
		if got, err := ParseCompression(name); err != nil || got != want {
			t.Errorf("ParseCompression(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseCompression("LZ4"); err == nil {
		t.Error("LZ4 accepted: Kafka's names are lower case")
	}
}
