package records

import (
	"encoding/binary"
	"encoding/json"
	"math/big"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Why a second output: goavro's BinaryFromNative needs the map Native
// builds, a map per union value and a *big.Rat per decimal, and walks them
// generically; for a 7 KB transaction that was three quarters of the
// fetcher's cost per record. Append writes the same bytes from the scanned
// record directly: the schema is fixed by schemas.AvroSchema, so the field
// order and each field's type are known here, and tests hold every table
// to goavro's bytes for the same record.
//
// The layout, per AvroSchema: id and link_id as strings, deleted as a
// boolean, each typed field as the union ["null", T] (branch 0 null, 1 the
// value), raw, webhook_id and request_id as ["null", "string"], fetched_at
// as a long of timestamp-micros, and unfit_fields as ["null", array of
// string].

// Encode appends the Avro binary encoding of one Belvo record, in the
// resource's schema, to dst: the bytes goavro's BinaryFromNative writes for
// what Native returns. It returns the record's Kafka key too, its id,
// sharing the record's bytes (every record schema starts with it, so the
// key costs no copy); the key has no spare capacity, so appending to it
// cannot overwrite the record. trusted says raw is known to be valid JSON,
// as json.Valid judges it (the records of a page the Belvo client handed
// out): the answer is the same, errors included (UTF-8 and nesting are
// still checked), for less work; on text that is not valid JSON it is
// meaningless.
//
// It refuses what Native refuses, with the same *FieldError, and then
// returns dst unchanged; bytes past len(dst) may have been written.
func (c *Converter) Encode(dst []byte, raw json.RawMessage, l Lineage, trusted bool) (record, key []byte, err error) {
	return c.append(dst, raw, l, trusted)
}

// Append is Encode of an untrusted record, without its key.
func (c *Converter) Append(dst []byte, raw json.RawMessage, l Lineage) ([]byte, error) {
	out, _, err := c.append(dst, raw, l, false)
	return out, err
}

// AppendValid is Encode of a trusted record, without its key.
func (c *Converter) AppendValid(dst []byte, raw json.RawMessage, l Lineage) ([]byte, error) {
	out, _, err := c.append(dst, raw, l, true)
	return out, err
}

func (c *Converter) append(dst []byte, raw json.RawMessage, l Lineage, valid bool) ([]byte, []byte, error) {
	p, mismatch, err := c.scanRecord(raw, l, valid)
	if err != nil {
		return dst, nil, err
	}
	defer c.release(p)
	values := *p
	out, err := c.appendID(dst, values)
	if err != nil {
		return dst, nil, c.fail("", schemas.FieldID, err)
	}
	idLen := len(out) - len(dst)
	out = prefixLength(out, len(dst))
	idEnd := len(out)
	out = appendString(out, l.LinkID)
	out = append(out, 0) // deleted: false
	// The indexes of the unfit fields, written last; a record has few.
	var unfitBuf [8]int
	unfit := unfitBuf[:0]
	for i := range c.fields {
		f := &c.fields[i]
		v, ok := c.field(f, values, mismatch)
		if !ok {
			unfit = append(unfit, i)
		}
		if v.null {
			out = append(out, unionNull)
			continue
		}
		out = kinds[f.kind].encode(append(out, unionValue), v)
	}
	out = appendString(append(out, unionValue), raw)
	out = c.appendUnfit(appendLineage(out, l), unfit)
	return out, out[idEnd-idLen : idEnd : idEnd], nil
}

// appendUnfit writes unfit_fields: null when every value fit, else the
// array of their names, as one block as goavro writes it.
func (c *Converter) appendUnfit(dst []byte, unfit []int) []byte {
	if len(unfit) == 0 {
		return append(dst, unionNull)
	}
	dst = appendLong(append(dst, unionValue), int64(len(unfit)))
	for _, i := range unfit {
		dst = appendString(dst, c.fields[i].name)
	}
	return append(dst, 0)
}

// EncodeDeletion appends the Avro binary encoding of the deletion fact
// Deletion returns, refusing what it refuses, and returns its key as
// Encode does.
func (c *Converter) EncodeDeletion(dst []byte, id string, l Lineage) (record, key []byte, err error) {
	if id == "" {
		return dst, nil, c.fail("", schemas.FieldID, ErrMissingID)
	}
	if err := c.checkLineage(l); err != nil {
		return dst, nil, err
	}
	out := appendString(dst, id)
	idEnd := len(out)
	out = appendString(out, l.LinkID)
	out = append(out, 1) // deleted: true
	for range c.fields {
		out = append(out, unionNull)
	}
	out = append(out, unionNull)                   // raw
	out = append(appendLineage(out, l), unionNull) // no unfit field
	return out, out[idEnd-len(id) : idEnd : idEnd], nil
}

// AppendDeletion is EncodeDeletion without the key.
func (c *Converter) AppendDeletion(dst []byte, id string, l Lineage) ([]byte, error) {
	out, _, err := c.EncodeDeletion(dst, id, l)
	return out, err
}

// The branches of every ["null", T] union in the record schemas, as the
// varints Avro writes for 0 and 1.
const (
	unionNull  = 0
	unionValue = 2
)

func appendLineage(dst []byte, l Lineage) []byte {
	dst = appendOptional(dst, l.WebhookID)
	dst = appendOptional(dst, l.RequestID)
	return appendLong(dst, timestampMicros(fetchedAt(l)))
}

// appendOptional writes what optionalString gives goavro: null for "".
func appendOptional(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, unionNull)
	}
	return appendString(append(dst, unionValue), s)
}

// timestampMicros is goavro's timestamp-micros of a time.Time, overflow
// included, so that a lineage time far outside the tables' range still
// encodes alike.
func timestampMicros(t time.Time) int64 {
	return t.Unix()*1e6 + int64(t.Nanosecond()/1e3)
}

// appendLong writes Avro's zigzag varint of an int or long.
func appendLong(dst []byte, n int64) []byte {
	return binary.AppendUvarint(dst, uint64(n<<1)^uint64(n>>63))
}

// appendString writes an Avro string or bytes, from either Go type
// without converting it (a conversion would copy).
func appendString[T ~string | ~[]byte](dst []byte, s T) []byte {
	return append(appendLong(dst, int64(len(s))), s...)
}

// prefixLength turns the bytes written after start into an Avro string by
// putting their length in front: for text whose length is only known once
// it is unescaped or joined.
func prefixLength(dst []byte, start int) []byte {
	n := len(dst) - start
	var hdr [binary.MaxVarintLen64]byte
	h := appendLong(hdr[:0], int64(n))
	dst = append(dst, h...)
	copy(dst[start+len(h):], dst[start:start+n])
	copy(dst[start:], h)
	return dst
}

// appendAvro writes the decimal as Avro bytes: the unscaled value in
// big-endian two's complement, in as few bytes as hold it, zero as one
// byte, as goavro writes it.
func (u unscaled) appendAvro(dst []byte) []byte {
	if u.big != nil {
		return appendBigDecimal(dst, u.big)
	}
	n := 1
	for n < 8 && (u.small < -1<<(8*n-1) || u.small >= 1<<(8*n-1)) {
		n++
	}
	dst = appendLong(dst, int64(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(u.small>>(8*i)))
	}
	return dst
}

func appendBigDecimal(dst []byte, n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return appendString(dst, b)
	}
	// -n-1 has the bits of n inverted: its bytes, inverted, are n's two's
	// complement, with a sign byte when their top bit does not say so.
	m := new(big.Int).Not(n).Bytes()
	if len(m) == 0 || m[0]&0x80 != 0 {
		m = append([]byte{0}, m...)
	}
	for i := range m {
		m[i] = ^m[i]
	}
	return appendString(dst, m)
}
