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
	for i := range c.fields {
		f := &c.fields[i]
		v, err := unwrap(native[f.name], f.branch)
		if err == nil && v != nil {
			v, err = kinds[f.kind].column(v)
		}
		if err != nil {
			return dst, c.fail(id, f.name, err)
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
	return append(dst, raw, webhook, request, fetched,
		pos.Topic, pos.Partition, pos.Offset,
		// A later fetch of the same record replaces an earlier one, and a
		// deletion learnt later replaces the record.
		uint64(fetched.UnixMicro()), isDeleted), nil
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
	return nil, errors.New(r.RatString() + " has more than 10 decimal places")
}
