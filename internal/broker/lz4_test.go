package broker

import (
	"bytes"
	"io"
	"testing"

	"github.com/segmentio/kafka-go/compress"
)

// TestLZ4FramesHaveNoContentChecksum pins the codec the process produces
// with: standard LZ4 frames without the content checksum (FLG bit 2), as
// Kafka's Java producer writes them, that kafka-go's reader decodes, from
// a new writer and from a pooled one alike.
func TestLZ4FramesHaveNoContentChecksum(t *testing.T) {
	codec := compress.Lz4.Codec()
	if _, ok := codec.(*lz4Codec); !ok {
		t.Fatalf("lz4 codec in kafka-go's table is %T, not ours", codec)
	}
	in := bytes.Repeat([]byte(`{"id":"3e38330e","amount":125.5,"currency":"BRL"},`), 20000)
	for round := range 3 {
		var frame bytes.Buffer
		w := codec.NewWriter(&frame)
		if _, err := w.Write(in); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b := frame.Bytes()
		if len(b) < 5 || !bytes.Equal(b[:4], []byte{0x04, 0x22, 0x4d, 0x18}) {
			t.Fatalf("round %d: not an LZ4 frame: % x", round, b[:min(len(b), 8)])
		}
		if flg := b[4]; flg&0x04 != 0 {
			t.Fatalf("round %d: FLG %08b has the content checksum bit", round, flg)
		}
		r := codec.NewReader(bytes.NewReader(b))
		out, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round %d: read back %d bytes, %v; want the %d written", round, len(out), err, len(in))
		}
	}
}
