package sink

import (
	"context"
	"strconv"
	"sync"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
)

// deadLetter publishes records that cannot be loaded, unchanged, with the
// reason and their source in headers. It returns only when Kafka has them
// all (acks=all), so their offsets may be committed; a record dead-lettered
// twice after a crash is possible, a lost one is not.
func (s *Sink) deadLetter(ctx context.Context, dead []deadLetter) error {
	if len(dead) == 0 {
		return nil
	}
	topic := DeadLetterTopic(s.cfg.TopicPrefix)
	return s.retry(ctx, "dead-letter", func(ctx context.Context) error {
		errs := make([]error, len(dead))
		var wg sync.WaitGroup
		for i, d := range dead {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.producer.Produce(ctx, broker.Message{
					Topic: topic,
					Key:   d.msg.Key,
					Value: d.msg.Value,
					Headers: []kafka.Header{
						{Key: HeaderError, Value: []byte(d.reason.Error())},
						{Key: HeaderTopic, Value: []byte(d.msg.Topic)},
						{Key: HeaderPartition, Value: []byte(strconv.Itoa(d.msg.Partition))},
						{Key: HeaderOffset, Value: []byte(strconv.FormatInt(d.msg.Offset, 10))},
					},
				})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		for _, d := range dead {
			s.metrics.deadLetters.WithLabelValues(d.table).Inc()
			s.log.Warn("dead-lettered", "topic", d.msg.Topic, "partition", d.msg.Partition, "offset", d.msg.Offset, "err", d.reason.Error())
		}
		return nil
	})
}
