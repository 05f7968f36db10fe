package registry

import (
	"context"
	"reflect"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/testenv"
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
