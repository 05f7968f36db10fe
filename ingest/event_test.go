package ingest

import "testing"

// typedErrors skips data without an "errors" member quickly; an escaped
// spelling of the name must still be found.
func TestTypedErrorsFindsTheListHoweverItsNameIsWritten(t *testing.T) {
	for data, want := range map[string]int{
		`{"errors":[{"code":"a"},{"code":"b"}]}`:           2,
		`{"err\u006frs":[{"code":"a"}]}`:                   1,
		`{"note":"\"quoted\"","errors":[{"message":"m"}]}`: 1,
		`{"new_transactions":3}`:                           0,
		`{"note":"no errors here"}`:                        0,
	} {
		if got := len(typedErrors([]byte(data))); got != want {
			t.Errorf("%s: %d errors, want %d", data, got, want)
		}
	}
}
