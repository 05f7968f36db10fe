package registry

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

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

// AppendHeader and an Avro body written elsewhere must frame a value
// exactly as Append does, or consumers would read another schema id.
func TestAppendHeaderFramesAsAppend(t *testing.T) {
	avro, err := goavro.NewCodec(`{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{1, 0x7f, 0x0102_0304, 1<<31 - 1} {
		c := &Codec{ID: id, Avro: avro}
		native := map[string]any{"a": "x"}
		want, err := c.Append([]byte("p"), native)
		if err != nil {
			t.Fatal(err)
		}
		got, err := avro.BinaryFromNative(c.AppendHeader([]byte("p")), native)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("id %d: AppendHeader then body % x, Append % x", id, got, want)
		}
		var h sr.ConfluentHeader
		if gotID, body, err := h.DecodeID(got[1:]); err != nil || gotID != id || !bytes.Equal(body, want[6:]) {
			t.Fatalf("id %d: header decodes as %d, %v", id, gotID, err)
		}
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
