package jsontext_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// valid is the verdict the callers rely on: one value, and nothing after it
// but whitespace.
func valid(data []byte) (bool, error) {
	end, err := jsontext.Skip(data, 0, jsontext.MaxDepth)
	if err != nil {
		return false, err
	}
	return jsontext.SkipSpace(data, end) == len(data), nil
}

// TestSkipEndsAfterTheValue pins what Skip measures: the value's bytes,
// without the whitespace after it.
func TestSkipEndsAfterTheValue(t *testing.T) {
	cases := []struct{ in, value string }{
		{`0`, `0`},
		{` -0.5e+3 ,`, `-0.5e+3`},
		{"\t\r\n\"a\\\"b\" ]", `"a\"b"`},
		{`true}`, `true`},
		{`false,`, `false`},
		{`null `, `null`},
		{`{} {}`, `{}`},
		{`[ ] ]`, `[ ]`},
		{`{"a" : [1, {"b":"]}"}], "c":{}} ,1`, `{"a" : [1, {"b":"]}"}], "c":{}}`},
		{`[[[]],[{}]]]`, `[[[]],[{}]]`},
	}
	for _, c := range cases {
		start := strings.Index(c.in, c.value)
		end, err := jsontext.Skip([]byte(c.in), 0, jsontext.MaxDepth)
		if err != nil || c.in[start:end] != c.value {
			t.Errorf("Skip(%q) = %q, %v; want %q", c.in, c.in[start:end], err, c.value)
		}
	}
}

// TestSkipSaysWhatAndWhere pins each grammar error's message and offset:
// callers restate both in their own errors, and tests of theirs match them.
func TestSkipSaysWhatAndWhere(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "unexpected end, expected a value"},
		{`  `, 2, "unexpected end, expected a value"},
		{`[1,]`, 3, "unexpected ']', expected a value"},
		{`'a'`, 0, `unexpected '\'', expected a value`},
		{`{"a":1,}`, 7, "expected a member name"},
		{`{a:1}`, 1, "expected a member name"},
		{`{"a" 1}`, 5, "expected ':' after a member name"},
		{`{"a":1]`, 6, "expected ',' or '}' in an object"},
		{`[1}`, 2, "expected ',' or ']' in an array"},
		{`[1 2]`, 3, "expected ',' or ']' in an array"},
		{`{"a":1`, 6, "unexpected end in an object"},
		{`[1, [2] `, 8, "unexpected end in an array"},
		{`"abc`, 4, "unexpected end in a string"},
		{`"abc\`, 4, "unexpected end in a string"},
		{`"a\x"`, 2, "bad escape in a string"},
		{`"a\u12"`, 2, `bad \u escape in a string`},
		{`"a\u12G4"`, 2, `bad \u escape in a string`},
		{"\"a\nb\"", 2, "control character in a string"},
		{`-`, 1, "bad number"},
		{`-a`, 1, "bad number"},
		{`1.`, 2, "bad number: no digit after '.'"},
		{`1.e5`, 2, "bad number: no digit after '.'"},
		{`1e`, 2, "bad number: no digit in the exponent"},
		{`1E+`, 3, "bad number: no digit in the exponent"},
		{`tru`, 0, "bad literal, expected true"},
		{`fals`, 0, "bad literal, expected false"},
		{`nul]`, 0, "bad literal, expected null"},
		{`[` + strings.Repeat(`[`, 3) + `]]]]`, 3, "nested too deeply"},
	}
	for _, c := range cases {
		room := jsontext.MaxDepth
		if strings.HasPrefix(c.in, "[[[[") {
			room = 3
		}
		_, err := jsontext.Skip([]byte(c.in), 0, room)
		var se *jsontext.SyntaxError
		if !errors.As(err, &se) || se.Offset != c.offset || se.Msg != c.msg {
			t.Errorf("Skip(%q): %v; want byte %d: %s", c.in, err, c.offset, c.msg)
		}
	}
}

// TestSkipNestsAsDeepAsEncodingJSON pins the depth limit at encoding/json's,
// counting empty containers too: an earlier splitter let one more empty
// level through than json.Valid.
func TestSkipNestsAsDeepAsEncodingJSON(t *testing.T) {
	for _, object := range []bool{false, true} {
		for _, depth := range []int{1, 63, 64, 65, 129, jsontext.MaxDepth - 1, jsontext.MaxDepth, jsontext.MaxDepth + 1} {
			for _, inner := range []string{"", "1", "[]"} {
				body := []byte(nest(depth, object, inner))
				got, err := valid(body)
				if want := json.Valid(body); got != want {
					t.Errorf("%d levels (objects %v) around %q: valid %v (%v), json.Valid %v", depth, object, inner, got, err, want)
				}
			}
		}
	}
}

// TestSkipRemembersEachContainerAcrossWords pins the stack past its first
// word of bits: objects and arrays alternate, and each takes a sibling
// after its child closes, so a kind restored wrong from the spill fails.
func TestSkipRemembersEachContainerAcrossWords(t *testing.T) {
	for _, depth := range []int{63, 64, 65, 127, 128, 129, 300} {
		var open, close strings.Builder
		for k := range depth {
			if k%3 == 0 {
				open.WriteString(`{"a":`)
			} else {
				open.WriteString(`[0,`)
			}
		}
		for k := depth - 1; k >= 0; k-- {
			if k%3 == 0 {
				close.WriteString(`,"b":{}}`)
			} else {
				close.WriteString(`,[]]`)
			}
		}
		body := []byte(open.String() + "1" + close.String())
		got, err := valid(body)
		if !got || !json.Valid(body) {
			t.Errorf("depth %d: valid %v (%v), json.Valid %v", depth, got, err, json.Valid(body))
		}
		// The outermost array, in the first word, closed by a '}' must
		// fail.
		bad := bytes.Clone(body)
		bad[bytes.LastIndex(bad, []byte(`,[]]`))+3] = '}'
		if got, _ := valid(bad); got || json.Valid(bad) {
			t.Errorf("depth %d: a '}' closing the outermost array accepted", depth)
		}
	}
}

// nest puts inner, if any, in depth arrays or objects.
func nest(depth int, object bool, inner string) string {
	if !object {
		return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
	}
	if inner != "" {
		inner = `"a":` + inner
	}
	return strings.Repeat(`{"a":`, depth-1) + "{" + inner + strings.Repeat("}", depth)
}

// TestSkipLeavesRoomForTheCaller pins room: a member of a top-level object
// has MaxDepth-1 levels left, as encoding/json counts them.
func TestSkipLeavesRoomForTheCaller(t *testing.T) {
	value := []byte(strings.Repeat("[", jsontext.MaxDepth-1) + strings.Repeat("]", jsontext.MaxDepth-1))
	if _, err := jsontext.Skip(value, 0, jsontext.MaxDepth-1); err != nil {
		t.Fatalf("deepest member value: %v", err)
	}
	if !json.Valid([]byte(`{"a":` + string(value) + `}`)) {
		t.Fatal("encoding/json refuses the deepest member value")
	}
	deeper := append([]byte("["), append(value, ']')...)
	if _, err := jsontext.Skip(deeper, 0, jsontext.MaxDepth-1); err == nil {
		t.Fatal("one level deeper accepted")
	}
}

func FuzzSkip(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"x\"\u00e9\ud83d\ude00"],"b":{}}`,
		` [ ] `, `{"a" 1}`, `[1,]`, `"\u12"`, `01`, `1.`, `-`, `tru`, "\"\xff\"",
		`{"a":1}{}`, `[[[[[[]]]]]]`, "\"a\tb\"", `{"a":{"b":[{"c":"d"}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := valid(data)
		if want := json.Valid(data); got != want {
			t.Fatalf("%q: Skip says valid %v (%v), json.Valid %v", data, got, err, want)
		}
	})
}
