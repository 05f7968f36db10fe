package jsontext_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// agree fails unless SkipValid answers as Skip does at every room on text
// Skip accepts at full depth.
func agree(t *testing.T, data []byte) {
	t.Helper()
	if _, err := jsontext.Skip(data, 0, jsontext.MaxDepth); err != nil {
		return
	}
	for _, room := range []int{jsontext.MaxDepth, 3, 2, 1, 0} {
		wantEnd, wantErr := jsontext.Skip(data, 0, room)
		end, err := jsontext.SkipValid(data, 0, room)
		if end != wantEnd || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%q at room %d: SkipValid = %d, %v; Skip = %d, %v", data, room, end, err, wantEnd, wantErr)
		}
	}
}

func TestSkipValidEndsWhereSkipEnds(t *testing.T) {
	for _, s := range []string{
		`0`, ` -0.5e+3 ,`, "\t\r\n\"a\\\"b\" ]", `true}`, `false,`, `null `, `{} {}`, `[ ] ]`,
		`{"a" : [1, {"b":"]}"}], "c":{}} ,1`, `[[[]],[{}]]]`, `"\\"`, `"\\\""]`, `"a\u0022b"`,
		`{"k\"}":"v\\","l":["[","{"]}`, `"abcdefghijklmnopqrstuvwxyz\"0123456789"`, `[{"a":[[]]},{}]`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70),
	} {
		agree(t, []byte(s))
	}
}

// TestSkipValidRefusesWhatIsTooDeep pins the one error SkipValid keeps:
// the record converter's nesting limit is smaller than the page's, so text
// the page accepted can still be too deep for a record.
func TestSkipValidRefusesWhatIsTooDeep(t *testing.T) {
	value := []byte(`{"a":[{}]}`)
	if _, err := jsontext.SkipValid(value, 0, 3); err != nil {
		t.Fatalf("three levels in room for three: %v", err)
	}
	end, err := jsontext.SkipValid(value, 0, 2)
	if err == nil || end != 6 || !strings.Contains(err.Error(), "byte 6: nested too deeply") {
		t.Fatalf("three levels in room for two: %d, %v; want the error at byte 6", end, err)
	}
}

func FuzzSkipValid(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"x\"\u00e9\ud83d\ude00"],"b":{}}`,
		` [ ] `, `{"a":{"b":[{"c":"d\\"}]}}`, `"\\\\\""`, `[[[[[[]]]]]]`, `"unterminated\`, `{"a":"b`, `]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if json.Valid(data) {
			agree(t, data)
			return
		}
		// Meaningless answers on invalid text, but within it and without
		// a panic.
		if end, _ := jsontext.SkipValid(data, 0, jsontext.MaxDepth); end < 0 || end > len(data) {
			t.Fatalf("%q: end %d outside the text", data, end)
		}
	})
}
