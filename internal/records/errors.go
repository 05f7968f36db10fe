package records

import (
	"errors"
	"fmt"
)

// ErrMissingID is wrapped when a record has no id and its resource declares
// no Key, or a Key value is null.
var ErrMissingID = errors.New("record has no id")

// ErrDecimalRange is why a money value does not fit Decimal(38,10); such a
// value is unfit (see doc.go), not an error of the record.
var ErrDecimalRange = errors.New("decimal does not fit Decimal(38,10)")

// FieldError is a record that cannot be converted. The fetcher dead-letters
// it with this message; callers branch on the wrapped sentinel.
type FieldError struct {
	Resource string
	ID       string // empty when the id itself is what failed
	Field    string // schema field name, or "id" / "raw" / "link_id"
	Err      error
}

func (e *FieldError) Error() string {
	id := e.ID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("records: %s record %s: field %s: %v", e.Resource, id, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }
