package records

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/schemas"
)

func avscFiles(t testing.TB) []string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(here), "..", "..", "schemas", "avro", "*.avsc"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas/avro/*.avsc: %v", err)
	}
	return files
}

// columnsOf projects every top-level field the fast path can decode, as a
// consumer of that schema would; the others (arrays of records) are
// skipped, which exercises skipping.
func columnsOf(rec *avroType) []projColumn {
	var cols []projColumn
	for _, f := range rec.Fields {
		t, nullable := f.Type, false
		if t.Kind == avroUnion && len(t.Branches) == 2 && t.Branches[0].Kind == avroNull {
			t, nullable = t.Branches[1], true
		}
		for w := asString; w <= asStrings; w++ {
			if accepts(w, t) {
				cols = append(cols, projColumn{Name: f.Name, Want: w, Nullable: nullable})
				break
			}
		}
	}
	return cols
}

// avroGen makes random goavro natives of a schema, edge values first in mind:
// nulls, empty and non-ASCII strings, negative and 38-digit decimals,
// extreme longs and times either side of 1970.
type avroGen struct{ r *rand.Rand }

var edgeStrings = []string{"", "a", "ação ñ 日本語 🙂", "tab\tnew\nline\"quote\\", strings.Repeat("x", 300), "\u0000"}

func (g avroGen) native(t *avroType) any {
	switch t.Kind {
	case avroNull:
		return nil
	case avroBoolean:
		return g.r.IntN(2) == 1
	case avroInt:
		if t.Logical == "date" {
			return time.Unix(int64(g.r.IntN(200_000)-100_000)*86400, 0).UTC()
		}
		return int32(g.r.Int64())
	case avroLong:
		if t.Logical == "timestamp-micros" {
			return time.UnixMicro(g.r.Int64N(1<<52) - 1<<51).UTC()
		}
		return []int64{0, -1, 1, math.MinInt64, math.MaxInt64, g.r.Int64(), -g.r.Int64N(1 << 40)}[g.r.IntN(7)]
	case avroFloat:
		return float32(g.r.NormFloat64())
	case avroDouble:
		return []float64{0, math.Copysign(0, -1), math.Inf(1), math.SmallestNonzeroFloat64, g.r.NormFloat64() * 1e12}[g.r.IntN(5)]
	case avroString:
		if g.r.IntN(2) == 0 {
			return edgeStrings[g.r.IntN(len(edgeStrings))]
		}
		b := make([]rune, g.r.IntN(40))
		for i := range b {
			b[i] = rune(0x20 + g.r.IntN(0x3000))
		}
		return string(b)
	case avroBytes:
		if t.Logical == "decimal" {
			return g.decimal(t.Scale)
		}
		b := make([]byte, g.r.IntN(20))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	case avroRecord:
		m := map[string]any{}
		for _, f := range t.Fields {
			m[f.Name] = g.native(f.Type)
		}
		return m
	case avroArray:
		items := make([]any, g.r.IntN(4))
		for i := range items {
			items[i] = g.native(t.Items)
		}
		return items
	case avroUnion:
		if g.r.IntN(10) < 3 {
			for _, b := range t.Branches {
				if b.Kind == avroNull {
					return nil
				}
			}
		}
		for {
			b := t.Branches[g.r.IntN(len(t.Branches))]
			if b.Kind != avroNull {
				return goavro.Union(branchName(b), g.native(b))
			}
		}
	}
	panic(fmt.Sprintf("avroGen: kind %d", t.Kind))
}

func branchName(t *avroType) string {
	switch {
	case t.Kind == avroRecord:
		return t.Name
	case t.Logical == "decimal":
		return "bytes.decimal"
	case t.Logical != "":
		return map[avroKind]string{avroInt: "int", avroLong: "long"}[t.Kind] + "." + t.Logical
	}
	for name, k := range primitives {
		if k == t.Kind {
			return name
		}
	}
	if t.Kind == avroArray {
		return "array"
	}
	panic("branchName")
}

func (g avroGen) decimal(scale int) *big.Rat {
	var n *big.Int
	switch g.r.IntN(6) {
	case 0:
		n = big.NewInt(0)
	case 1:
		n = big.NewInt(-g.r.Int64N(1_000_000_00))
	case 2: // 38 digits, the column's precision
		n, _ = new(big.Int).SetString("-"+strings.Repeat("9", 38), 10)
	case 3: // around the int64 boundary the fast path switches at
		n = new(big.Int).Add(big.NewInt(math.MaxInt64/pow10[schemas.DecimalScale-scale]), big.NewInt(g.r.Int64N(3)-1))
		if g.r.IntN(2) == 0 {
			n.Neg(n)
		}
	case 4:
		n = new(big.Int).Lsh(big.NewInt(1), uint(g.r.IntN(120)))
		n.Sub(n, big.NewInt(g.r.Int64N(2)))
		if g.r.IntN(2) == 0 {
			n.Neg(n)
		}
	default:
		n = big.NewInt(g.r.Int64() - math.MaxInt64/2)
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

// same reports whether the fast value means exactly what goavro decoded,
// in the form a consumer of goavro would keep it.
func same(w decodeAs, fast, slow any) bool {
	if slow == nil || fast == nil {
		return slow == nil && fast == nil
	}
	if m, ok := slow.(map[string]any); ok {
		for _, v := range m {
			slow = v
		}
	}
	switch w {
	case asDecimal:
		d, ok := fast.(decimal.Decimal)
		return ok && d.Exponent() == -schemas.DecimalScale && d.Rat().Cmp(slow.(*big.Rat)) == 0
	case asDouble:
		f, ok := fast.(float64)
		return ok && math.Float64bits(f) == math.Float64bits(slow.(float64))
	case asStrings:
		f, ok := fast.([]string)
		items, _ := slow.([]any)
		if !ok || len(f) != len(items) {
			return false
		}
		for i := range f {
			if f[i] != items[i] {
				return false
			}
		}
		return true
	case asDate, asTimestamp:
		// == and not Equal: the location must be UTC as goavro's is.
		return fast == slow
	}
	return fast == slow
}

func TestDecodeAgreesWithGoavroOnEverySchema(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, file := range avscFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			codec, err := goavro.NewCodec(string(text))
			if err != nil {
				t.Fatal(err)
			}
			writer, err := parseAvro(string(text))
			if err != nil {
				t.Fatal(err)
			}
			cols := columnsOf(writer)
			p, err := project(writer, cols)
			if err != nil {
				t.Fatal(err)
			}
			g := avroGen{r}
			dst := make([]any, len(cols))
			for i := 0; i < 500; i++ {
				bin, err := codec.BinaryFromNative(nil, g.native(writer))
				if err != nil {
					t.Fatal(err)
				}
				slow, _, err := codec.NativeFromBinary(bin)
				if err != nil {
					t.Fatal(err)
				}
				for _, decode := range []func([]byte, []any) error{p.Decode, p.DecodeShared} {
					if err := decode(bin, dst); err != nil {
						t.Fatalf("record %d: %v", i, err)
					}
					for j, c := range cols {
						if !same(c.Want, dst[j], slow.(map[string]any)[c.Name]) {
							t.Fatalf("record %d field %s: fast %#v, goavro %#v", i, c.Name, dst[j], slow.(map[string]any)[c.Name])
						}
					}
				}
				checkCorruptions(t, r, codec, p, cols, bin)
			}
		})
	}
}

// checkCorruptions damages bin a few ways: whenever the fast path still
// decodes it, goavro must decode it too and to the same values; where the
// fast path refuses, the caller falls back to goavro anyway.
func checkCorruptions(t *testing.T, r *rand.Rand, codec *goavro.Codec, p *projection, cols []projColumn, bin []byte) {
	t.Helper()
	dst := make([]any, len(cols))
	for k := 0; k < 4; k++ {
		bad := append([]byte(nil), bin...)
		switch k {
		case 0:
			bad = bad[:r.IntN(len(bad))]
		case 1:
			bad = append(bad, 0)
		default:
			bad[r.IntN(len(bad))] ^= byte(1 + r.IntN(255))
		}
		if p.Decode(bad, dst) != nil {
			continue
		}
		slow, rest, err := codec.NativeFromBinary(bad)
		if err != nil || len(rest) != 0 {
			t.Fatalf("fast path decoded % x, which goavro refuses (%v, %d trailing)", bad, err, len(rest))
		}
		for j, c := range cols {
			if !same(c.Want, dst[j], slow.(map[string]any)[c.Name]) {
				t.Fatalf("corrupt input, field %s: fast %#v, goavro %#v", c.Name, dst[j], slow.(map[string]any)[c.Name])
			}
		}
	}
}

func TestProjectRefusesWhatItCannotDecodeAsGoavro(t *testing.T) {
	for _, c := range []struct {
		field string
		col   projColumn
	}{
		{`{"name":"a","type":["string","null","long"]}`, projColumn{Name: "a", Want: asString, Nullable: true}},
		{`{"name":"a","type":"string"}`, projColumn{Name: "a", Want: asString, Nullable: true}},
		{`{"name":"a","type":["null","string"]}`, projColumn{Name: "a", Want: asString}},
		{`{"name":"a","type":["null","long"]}`, projColumn{Name: "a", Want: asString, Nullable: true}},
		{`{"name":"a","type":{"type":"string","logicalType":"uuid"}}`, projColumn{Name: "a", Want: asString}},
		{`{"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":40,"scale":12}}`, projColumn{Name: "a", Want: asDecimal}},
		{`{"name":"a","type":{"type":"long","logicalType":"timestamp-millis"}}`, projColumn{Name: "a", Want: asTimestamp}},
		{`{"name":"b","type":"string"}`, projColumn{Name: "a", Want: asString}},
	} {
		w, err := parseAvro(`{"type":"record","name":"R","fields":[` + c.field + `]}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := project(w, []projColumn{c.col}); err == nil {
			t.Errorf("projected %+v from %s", c.col, c.field)
		}
	}
	w, _ := parseAvro(`{"type":"record","name":"R","fields":[{"name":"b","type":"string"}]}`)
	p, err := project(w, []projColumn{{Name: "a", Want: asString, Optional: true}})
	if err != nil {
		t.Fatal(err)
	}
	dst := []any{"stale"}
	if err := p.Decode([]byte{2, 'x'}, dst); err != nil || dst[0] != nil {
		t.Fatalf("absent optional field: %v, %v", dst[0], err)
	}
}

// A writer schema that nests, recurses and uses every kind is skipped
// field by field exactly as goavro reads it.
func TestSkipsEveryKind(t *testing.T) {
	const schema = `{"type":"record","name":"Node","namespace":"t","fields":[
	  {"name":"f","type":"float"},{"name":"fx","type":{"type":"fixed","name":"F4","size":4}},
	  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
	  {"name":"m","type":{"type":"map","values":["null","t.E"]}},
	  {"name":"raw","type":"bytes"},{"name":"i","type":"int"},
	  {"name":"next","type":["null","Node"]},
	  {"name":"want","type":["null","string"]}]}`
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		t.Fatal(err)
	}
	w, err := parseAvro(schema)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project(w, []projColumn{{Name: "want", Want: asString, Nullable: true}})
	if err != nil {
		t.Fatal(err)
	}
	leaf := map[string]any{"f": float32(1.5), "fx": []byte("abcd"), "e": "B", "m": map[string]any{"k": goavro.Union("t.E", "A"), "n": nil},
		"raw": []byte{0, 1}, "i": int32(-7), "next": nil, "want": goavro.Union("string", "deep")}
	top := map[string]any{"f": float32(0), "fx": []byte("wxyz"), "e": "A", "m": map[string]any{}, "raw": []byte{},
		"i": int32(math.MaxInt32), "next": goavro.Union("t.Node", leaf), "want": goavro.Union("string", "top")}
	bin, err := codec.BinaryFromNative(nil, top)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]any, 1)
	if err := p.Decode(bin, dst); err != nil || dst[0] != "top" {
		t.Fatalf("decoded %v, %v; want top", dst[0], err)
	}
}
