package sink

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Partitions an operator adds to a topic while the sink runs are read after
// its next topic discovery, without a restart: the group re-joins with the
// new layout.
func TestAddedPartitionsAreRead(t *testing.T) {
	h := newHarness(t)
	run := h.start(map[string]string{"SINK_DISCOVERY_INTERVAL": "200ms"}, nil)
	testenv.Eventually(t, 60*time.Second, "sink ready", run.ready)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := h.prefix + ".records.transactions"
	client := &kafka.Client{Addr: kafka.TCP(h.brokers...), Timeout: 30 * time.Second}
	res, err := client.CreatePartitions(ctx, &kafka.CreatePartitionsRequest{
		Topics: []kafka.TopicPartitionsConfig{{Name: topic, Count: 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Errors[topic]; err != nil {
		t.Fatal(err)
	}

	const n = 20
	r, _ := schemas.TableByName("transactions")
	codec := h.codec(topic, r.AvroSchema())
	msgs := make([]kafka.Message, n)
	for i, rec := range transactions(t, h.prefix, "link-new-partition", n, fetchedAt) {
		v, err := codec.Append(nil, rec)
		if err != nil {
			t.Fatal(err)
		}
		msgs[i] = kafka.Message{Key: []byte("link-new-partition"), Value: v}
	}
	// Straight to the new partition: a keyed producer might pick an old one.
	var conn *kafka.Conn
	testenv.Eventually(t, 60*time.Second, "leader of the new partition", func() bool {
		conn, err = kafka.DialLeader(ctx, "tcp", h.brokers[0], topic, 2)
		return err == nil
	})
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.WriteMessages(msgs...); err != nil {
		t.Fatal(err)
	}
	h.waitCount(n, 60*time.Second, "SELECT count() FROM DB.transactions WHERE `partition` = 2")
}
