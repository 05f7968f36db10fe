package fetcher

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// output is one record topic: its converter and its registered codec.
type output struct {
	topic string
	conv  *records.Converter
	codec *registry.Codec
}

// outputs are the record topics of every resource and fact, built from
// schemas.Tables() and registered before the first event is read.
type outputs map[string]*output

// deadLetterTopic is where events and records that can never succeed go.
func deadLetterTopic(prefix string) string { return prefix + ".deadletter.fetcher" }

// prepareOutputs compiles a converter and registers the value schema of
// every table's topic, and creates the topics. The ~25 registrations and
// creations run concurrently: one by one they make start-up take seconds.
func prepareOutputs(ctx context.Context, reg *registry.Client, cluster *broker.Cluster, prefix string) (outputs, error) {
	tables := schemas.Tables()
	outs := make([]*output, len(tables))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, t := range tables {
		g.Go(func() error {
			conv, err := records.New(t)
			if err != nil {
				return err
			}
			topic := t.Topic(prefix)
			codec, err := reg.Register(gctx, schemas.Subject(topic), t.AvroSchema())
			if err != nil {
				return err
			}
			if err := cluster.EnsureTopics(gctx, topic); err != nil {
				return err
			}
			outs[i] = &output{topic: topic, conv: conv, codec: codec}
			return nil
		})
	}
	g.Go(func() error { return cluster.EnsureTopics(gctx, deadLetterTopic(prefix)) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := outputs{}
	for i, t := range tables {
		out[t.Name] = outs[i]
	}
	return out, nil
}

// encode converts one native value into a message keyed by the record id.
func (o *output) encode(native map[string]any) (broker.Message, error) {
	v, err := o.codec.Append(nil, native)
	if err != nil {
		return broker.Message{}, fmt.Errorf("encode %s record %v: %w", o.topic, native[schemas.FieldID], err)
	}
	id, _ := native[schemas.FieldID].(string)
	return broker.Message{Topic: o.topic, Key: []byte(id), Value: v}, nil
}
