package sink

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/registry"
)

// Retry versus dead letter is decided on the error's type: only the
// registry not giving a schema is waited for, and then not when it says
// the id does not exist. A message's text decides nothing.
func TestTransientDecodeDecidesOnTypes(t *testing.T) {
	fetch := func(err error) error {
		return fmt.Errorf("decode: %w", &registry.SchemaFetchError{ID: 7, Err: err})
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"registry unreachable", fetch(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), true},
		{"registry 503", fetch(&sr.ResponseError{StatusCode: 503}), true},
		{"registry 429", fetch(&sr.ResponseError{StatusCode: 429}), true},
		{"credentials refused", fetch(&registry.AuthError{Status: 401}), true},
		{"unknown schema id (404)", fetch(&sr.ResponseError{StatusCode: 404}), false},
		{"not Confluent-framed", errors.New("not Confluent-framed Avro: short"), false},
		{"bytes the schema cannot read", errors.New("decode schema 7: short buffer"), false},
		{"a message that only reads like a fetch failure", errors.New("fetch schema 7: connection refused"), false},
	} {
		if got := transientDecode(tc.err); got != tc.want {
			t.Errorf("%s: transientDecode(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
