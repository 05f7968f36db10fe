package sink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// refusedCodes are ClickHouse exception codes about the values of the rows
// sent, checked against the engine's errorCodeToName: the same rows can
// never be taken, so waiting for them would block their partitions for
// good. Every other code (unknown table or column, too many parts, memory,
// timeouts, read-only replicas) and every error without a code (network,
// a 5xx from a proxy) may pass, and is retried with the offsets held.
var refusedCodes = map[int32]string{
	6:   "CANNOT_PARSE_TEXT",
	25:  "CANNOT_PARSE_ESCAPE_SEQUENCE",
	26:  "CANNOT_PARSE_QUOTED_STRING",
	27:  "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
	38:  "CANNOT_PARSE_DATE",
	41:  "CANNOT_PARSE_DATETIME",
	53:  "TYPE_MISMATCH",
	69:  "ARGUMENT_OUT_OF_BOUND",
	70:  "CANNOT_CONVERT_TYPE",
	72:  "CANNOT_PARSE_NUMBER",
	117: "INCORRECT_DATA",
	128: "TOO_LARGE_ARRAY_SIZE",
	130: "CANNOT_READ_ARRAY_FROM_TEXT",
	131: "TOO_LARGE_STRING_SIZE",
	321: "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
	349: "CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN",
	376: "CANNOT_PARSE_UUID",
	395: "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO",
	407: "DECIMAL_OVERFLOW",
	441: "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
	467: "CANNOT_PARSE_BOOL",
	469: "VIOLATED_CONSTRAINT",
	675: "CANNOT_PARSE_IPV4",
	676: "CANNOT_PARSE_IPV6",
}

// refused is an insert ClickHouse will never take because of the values in
// it. row is the index, within the batch sent, of the row the client could
// not encode for its column; -1 when the server refused the block and the
// culprit is unknown.
type refused struct {
	row int
	err error
}

func (r *refused) Error() string { return r.err.Error() }
func (r *refused) Unwrap() error { return r.err }

// refusal returns err as a *refused when it is about the data, else nil.
// Over HTTP clickhouse-go wraps the server's exception in an HTTPError; the
// exception code comes from the X-ClickHouse-Exception-Code header or the
// "Code: N." body, both parsed by the client.
func refusal(err error) *refused {
	var r *refused
	if errors.As(err, &r) {
		return r
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		if _, ok := refusedCodes[ex.Code]; ok {
			return &refused{row: -1, err: err}
		}
	}
	return nil
}

// load inserts a table's batch. When ClickHouse refuses it for its data it
// isolates the refused rows by bisection, dead-letters each with the reason
// and loads the rest; it returns how many rows were refused.
//
// Exactly-once holds because the sub-batches keep the properties the whole
// batch had (doc.go): each is a contiguous run of the batch's rows, so its
// token (table and per-partition offset range) is deterministic and the
// same after a crash and replay that cuts the batch the same way; and they
// are sent in row order, which is offset order within a partition, with a
// refused row dead-lettered (acks=all) before any later row is inserted.
// Whatever a replay finds at or below a partition's loaded offset is
// therefore either in ClickHouse or in the dead-letter topic.
func (s *Sink) load(ctx context.Context, t *table, b *tableBatch) (int, error) {
	return s.loadRange(ctx, t, b, 0, len(b.rows))
}

func (s *Sink) loadRange(ctx context.Context, t *table, b *tableBatch, lo, hi int) (int, error) {
	if lo >= hi {
		return 0, nil
	}
	sub := b.slice(lo, hi)
	var ref *refused
	err := s.retry(ctx, "insert", func(ctx context.Context) error {
		start := time.Now()
		err := s.insert(ctx, t, sub)
		if ref = refusal(err); ref != nil {
			return permanent{err}
		}
		if err == nil {
			s.metrics.insert.WithLabelValues(t.name).Observe(time.Since(start).Seconds())
		}
		return err
	})
	if ref == nil || err == nil {
		return 0, err
	}
	if ref.row >= 0 || hi-lo == 1 {
		bad := lo + max(ref.row, 0)
		before, err := s.loadRange(ctx, t, b, lo, bad)
		if err != nil {
			return before, err
		}
		if err := s.deadLetterRow(ctx, t, b, bad, ref.err); err != nil {
			return before, err
		}
		after, err := s.loadRange(ctx, t, b, bad+1, hi)
		return before + 1 + after, err
	}
	mid := lo + (hi-lo)/2
	left, err := s.loadRange(ctx, t, b, lo, mid)
	if err != nil {
		return left, err
	}
	right, err := s.loadRange(ctx, t, b, mid, hi)
	return left + right, err
}

func (s *Sink) deadLetterRow(ctx context.Context, t *table, b *tableBatch, i int, reason error) error {
	if i >= len(b.msgs) {
		// Only a batch built without its messages (a test) lacks them; a
		// row dropped without a trace would break exactly-once.
		return fmt.Errorf("ClickHouse refused row %d of %s and its record is unknown: %w", i, t.name, reason)
	}
	return s.deadLetter(ctx, []deadLetter{{msg: b.msgs[i], table: t.name, reason: fmt.Errorf("ClickHouse refused the row: %w", reason)}})
}
