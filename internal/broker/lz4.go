package broker

import (
	"io"
	"sync"

	"github.com/pierrec/lz4/v4"
	"github.com/segmentio/kafka-go/compress"
	kafkalz4 "github.com/segmentio/kafka-go/compress/lz4"
)

// kafka-go's lz4 codec writes frames with pierrec/lz4's defaults, which
// end with an xxHash32 of the whole content: a third of the compression
// time of a page of records (bench-fetcher), for a check nobody makes. The
// record batch's CRC-32C already covers the compressed bytes, and Kafka's
// own Java producer writes its LZ4 frames without a content checksum.
// Codecs is kafka-go's table of the codecs every request and reader in the
// process uses, there to be configured; reading is unchanged.
func init() { compress.Codecs[compress.Lz4] = &lz4Codec{} }

type lz4Codec struct{ kafkalz4.Codec } // Code, Name and NewReader are kafka-go's

var lz4Writers sync.Pool // of *lz4.Writer, each with the options below

func (c *lz4Codec) NewWriter(w io.Writer) io.WriteCloser {
	z, _ := lz4Writers.Get().(*lz4.Writer)
	if z == nil {
		z = lz4.NewWriter(w)
		// A new writer takes options; they outlive Reset.
		if err := z.Apply(lz4.ChecksumOption(false)); err != nil {
			panic("lz4 options: " + err.Error())
		}
	} else {
		z.Reset(w)
	}
	return &lz4Writer{z}
}

type lz4Writer struct{ *lz4.Writer }

// Close ends the frame and returns the writer to the pool; a second Close
// does nothing.
func (w *lz4Writer) Close() error {
	z := w.Writer
	if z == nil {
		return nil
	}
	w.Writer = nil
	err := z.Close()
	z.Reset(nil)
	lz4Writers.Put(z)
	return err
}
