package records

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/shopspring/decimal"
)

// Position is where the sink read a record on Kafka.
type Position struct {
	Topic     string
	Partition int32
	Offset    int64
}

// Row appends to dst[:0] the values of one decoded Avro record in the order
// of the resource's schemas.InsertColumns, as Go types clickhouse-go accepts
// for those columns: string, int64, float64, bool, time.Time,
// decimal.Decimal, and nil for a null. Reusing dst across rows spares an
// allocation per row; batch Append copies the values.
//
// A field missing from native is null: a record written with an older
// schema version, decoded with its writer schema, lacks newer fields.
func (c *Converter) Row(dst []any, native map[string]any, pos Position) ([]any, error) {
	dst = dst[:0]
	id, ok := native[schemas.FieldID].(string)
	if !ok || id == "" {
		return dst, c.fail("", schemas.FieldID, ErrMissingID)
	}
	link, ok := native[schemas.FieldLinkID].(string)
	if !ok {
		return dst, c.fail(id, schemas.FieldLinkID, fmt.Errorf("is %T, not a string", native[schemas.FieldLinkID]))
	}
	dst = append(dst, id, link)
	unfit, err := unfitOf(native[schemas.FieldUnfit])
	if err != nil {
		return dst, c.fail(id, schemas.FieldUnfit, err)
	}
	for i := range c.fields {
		f := &c.fields[i]
		v, err := unwrap(native[f.name], f.branch)
		if err != nil {
			return dst, c.fail(id, f.name, err)
		}
		if v != nil {
			// A value the column cannot hold (more decimals than its
			// scale, a date it would clamp) loses its column, not its
			// record.
			fits := kinds[f.kind].fits
			v, err = kinds[f.kind].column(v)
			if err != nil && !errors.Is(err, errUnfit) {
				return dst, c.fail(id, f.name, err)
			}
			if err != nil || fits != nil && !fits(v) {
				v = nil
				unfit = append(unfit, f.name)
			}
		}
		dst = append(dst, v)
	}
	raw, err := unwrap(native[schemas.FieldRaw], "string")
	if err != nil {
		return dst, c.fail(id, schemas.FieldRaw, err)
	}
	if raw == nil {
		raw = "" // the column is not Nullable: see schemas.ClickHouseColumns
	}
	webhook, err := unwrap(native[schemas.FieldWebhookID], "string")
	if err != nil {
		return dst, c.fail(id, schemas.FieldWebhookID, err)
	}
	request, err := unwrap(native[schemas.FieldRequestID], "string")
	if err != nil {
		return dst, c.fail(id, schemas.FieldRequestID, err)
	}
	fetched, ok := native[schemas.FieldFetchedAt].(time.Time)
	if !ok || fetched.Before(time.Unix(0, 0)) {
		return dst, c.fail(id, schemas.FieldFetchedAt, fmt.Errorf("%v is not a time after 1970", native[schemas.FieldFetchedAt]))
	}
	deleted, _ := native[schemas.FieldDeleted].(bool)
	var isDeleted uint8
	if deleted {
		isDeleted = 1
	}
	unfitValue := noneUnfit
	if unfit != nil {
		unfitValue = unfit
	}
	return append(dst, raw, webhook, request, fetched, unfitValue,
		pos.Topic, pos.Partition, pos.Offset,
		// A later fetch of the same record replaces an earlier one, and a
		// deletion learnt later replaces the record.
		uint64(fetched.UnixMicro()), isDeleted), nil
}

// noneUnfit is the unfit_fields value of a row whose every value fit: the
// column is an Array, which takes an empty one, not nil. Boxed once (a
// slice put in an interface is an allocation per row) and shared: never
// appended to, it has no spare capacity.
var noneUnfit any = []string{}

// unfitOf reads goavro's native unfit_fields: nil, or a union of an array
// of field names. A record written before the field existed lacks it.
func unfitOf(native any) ([]string, error) {
	v, err := unwrap(native, "array")
	if err != nil || v == nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("is %T, not an array", v)
	}
	out := make([]string, len(items))
	for i, it := range items {
		if out[i], ok = it.(string); !ok {
			return nil, fmt.Errorf("item %d is %T, not a string", i, it)
		}
	}
	return out, nil
}

// unwrap takes the value out of goavro's union form {branch: value}.
func unwrap(v any, branch string) (any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is %T, not a union", v)
	}
	inner, ok := m[branch]
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("union %v has no %s branch", m, branch)
	}
	return inner, nil
}

// errUnfit is a decoded value of the right type that its column cannot
// hold: the row is loaded with the column null and the field listed.
var errUnfit = errors.New("does not fit its column")

// tenPow10 is 10^DecimalScale: every decoded decimal is n/10^10 reduced, so
// its denominator divides it.
const tenPow10 = 10_000_000_000

// toDecimal converts goavro's *big.Rat into the exact decimal.Decimal that
// clickhouse-go writes into Decimal(38,10).
func toDecimal(v any) (any, error) {
	r, ok := v.(*big.Rat)
	if !ok {
		return nil, fmt.Errorf("is %T, not *big.Rat", v)
	}
	num, den := r.Num(), r.Denom()
	if den.IsInt64() && tenPow10%den.Int64() == 0 {
		mul := tenPow10 / den.Int64()
		if num.IsInt64() {
			n := num.Int64()
			if p := n * mul; p/mul == n {
				return decimal.New(p, -schemas.DecimalScale), nil
			}
		}
		scaled := new(big.Int).Mul(num, big.NewInt(mul))
		return decimal.NewFromBigInt(scaled, -schemas.DecimalScale), nil
	}
	return nil, fmt.Errorf("%w: %s has more than %d decimal places", errUnfit, r.RatString(), schemas.DecimalScale)
}
