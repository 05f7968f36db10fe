package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// ReadAll returns every record topic holds now, all partitions, for a test
// that looks through a topic whatever its count (a value that must appear
// in no message).
func ReadAll(t testing.TB, brokers []string, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return readOnce(t, ctx, brokers, topic)
}
