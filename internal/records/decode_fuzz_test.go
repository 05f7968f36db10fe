package records

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkedin/goavro/v2"
)

// fuzzSchema is one schemas/avro/*.avsc compiled both ways.
type fuzzSchema struct {
	name  string
	codec *goavro.Codec
	p     *projection
	cols  []projColumn
}

func fuzzSchemas(f *testing.F) []fuzzSchema {
	var out []fuzzSchema
	for _, file := range avscFiles(f) {
		text, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		codec, err := goavro.NewCodec(string(text))
		if err != nil {
			f.Fatal(err)
		}
		writer, err := parseAvro(string(text))
		if err != nil {
			f.Fatal(err)
		}
		cols := columnsOf(writer)
		p, err := project(writer, cols)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, fuzzSchema{filepath.Base(file), codec, p, cols})
	}
	return out
}

// FuzzDecode feeds arbitrary bytes, as a record of any schema in
// schemas/avro, to the fast decoder and to goavro, the reference. The fast
// path must never panic, and whenever it accepts the bytes goavro must
// accept all of them too and decode the same values: the sink trusts a
// fast decode without asking goavro. Where the fast path refuses, the sink
// falls back to goavro, so a refusal of bytes goavro takes is allowed.
func FuzzDecode(f *testing.F) {
	schemas := fuzzSchemas(f)
	r := rand.New(rand.NewPCG(3, 4))
	for i, s := range schemas {
		writer, _ := parseAvro(string(s.codec.Schema()))
		for range 3 {
			bin, err := s.codec.BinaryFromNative(nil, avroGen{r}.native(writer))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), bin)
		}
	}
	f.Add(uint8(0), []byte{})
	f.Add(uint8(1), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, which uint8, bin []byte) {
		s := schemas[int(which)%len(schemas)]
		dst := make([]any, len(s.cols))
		shared := make([]any, len(s.cols))
		errFast := s.p.Decode(bin, dst)
		errShared := s.p.DecodeShared(bin, shared)
		if (errFast == nil) != (errShared == nil) {
			t.Fatalf("%s: Decode says %v, DecodeShared %v", s.name, errFast, errShared)
		}
		if errFast != nil {
			return
		}
		// goavro only on bytes the fast path took: then their lengths are
		// bounded by the input, and goavro allocates nothing absurd.
		slow, rest, err := s.codec.NativeFromBinary(bin)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%s: fast path decoded % x, which goavro refuses (%v, %d bytes left)", s.name, bin, err, len(rest))
		}
		m := slow.(map[string]any)
		for j, c := range s.cols {
			if !same(c.Want, dst[j], m[c.Name]) || !same(c.Want, shared[j], m[c.Name]) {
				t.Fatalf("%s field %s: fast %#v (shared %#v), goavro %#v", s.name, c.Name, dst[j], shared[j], m[c.Name])
			}
		}
	})
}
