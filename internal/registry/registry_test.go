package registry

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Pins the trap found in Apicurio's canonical-hash mode, which hands back a
// schema with its fields sorted: a reader that resolves the writer's id must
// get the writer's field order, or every value decodes as garbage.
func TestRoundTripThroughRegistryKeepsFieldOrder(t *testing.T) {
	url := testenv.Registry(t)
	ctx := context.Background()
	writer, err := New(url)
	if err != nil {
		t.Fatal(err)
	}
	subject := testenv.Prefix(t) + "-value"
	const schema = `{"type":"record","name":"R","namespace":"test","fields":[` +
		`{"name":"zeta","type":"string"},{"name":"alpha","type":["null","long"],"default":null},{"name":"mid","type":"boolean"}]}`
	codec, err := writer.Register(ctx, subject, schema)
	if err != nil {
		t.Fatal(err)
	}
	again, err := writer.Register(ctx, subject, schema)
	if err != nil || again.ID != codec.ID {
		t.Fatalf("re-registering the same schema: id %v, err %v; want id %d", again, err, codec.ID)
	}
	in := map[string]any{"zeta": "z", "alpha": map[string]any{"long": int64(7)}, "mid": true}
	msg, err := codec.Append(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if msg[0] != 0 || int(msg[1])<<24|int(msg[2])<<16|int(msg[3])<<8|int(msg[4]) != codec.ID {
		t.Fatalf("not Confluent framing: % x", msg[:5])
	}
	reader, err := New(url) // a fresh client: the schema must come from the registry
	if err != nil {
		t.Fatal(err)
	}
	out, id, err := reader.Decode(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	if id != codec.ID || !reflect.DeepEqual(out, in) {
		t.Fatalf("decoded id %d %v, want id %d %v", id, out, codec.ID, in)
	}
}

func TestDecodeRefusesUnframedBytes(t *testing.T) {
	c, err := New("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Decode(context.Background(), []byte("plain")); err == nil {
		t.Fatal("decoded bytes without the magic byte")
	}
}

// Every stage registers its ~20 subjects at start, and a deployment starts
// several stages and replicas at once. Against Apicurio's SQL storage, 114
// such registrations in parallel all failed (lock timeouts, duplicate
// content ids) before Register serialized its writes behind a lookup.
func TestConcurrentRegistrationsAllSucceed(t *testing.T) {
	url := testenv.Registry(t)
	prefix := testenv.Prefix(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type result struct {
		resource string
		id       int
		err      error
	}
	results := make(chan result, 4*len(schemas.Resources))
	var wg sync.WaitGroup
	for c := range 4 {
		client, err := New(url)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range schemas.Resources {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Two clients per subject: the same first registration raced twice.
				subject := fmt.Sprintf("%s.%d.%s-value", prefix, c%2, r.Name)
				codec, err := client.Register(ctx, subject, r.AvroSchema())
				res := result{resource: r.Name, err: err}
				if err == nil {
					res.id = codec.ID
				}
				results <- res
			}()
		}
	}
	wg.Wait()
	close(results)
	ids := map[string]int{}
	for res := range results {
		if res.err != nil {
			t.Errorf("%s: %v", res.resource, res.err)
			continue
		}
		// Ids are content ids: one schema text, one id, whatever the subject.
		if id, ok := ids[res.resource]; ok && id != res.id {
			t.Errorf("%s: ids %d and %d for the same schema", res.resource, id, res.id)
		}
		ids[res.resource] = res.id
	}
}
