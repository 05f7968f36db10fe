package ingest

import "testing"

// The accepted answer is written by hand; it must read as encoding/json
// would write it, for every request id requestID lets through.
func TestAcceptedBodyIsEncodingJSONs(t *testing.T) {
	for _, id := range []string{"a1b2c3", "belvo-req-42", "x<y>&z", "~!#$%'()*+,-./:;=?@[]^_`{|}"} {
		for _, dup := range []bool{false, true} {
			if got, want := acceptedBody(id, dup), encodeAnswer(answer{Status: "accepted", RequestID: id, Duplicate: dup}); got != want {
				t.Errorf("id %q duplicate %v: got %s, want %s", id, dup, got, want)
			}
		}
	}
}
