package jsontext_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// unquote reads lit as callers do: String validates it whole, then
// AppendUnquoted and Unquote give its value.
func unquote(t *testing.T, lit []byte) (string, bool) {
	t.Helper()
	if len(lit) == 0 || lit[0] != '"' {
		return "", false
	}
	end, escaped, err := jsontext.String(lit, 0)
	if err != nil || end != len(lit) {
		return "", false
	}
	inner := lit[1 : end-1]
	appended := string(jsontext.AppendUnquoted([]byte("prefix"), inner))[len("prefix"):]
	if got := jsontext.Unquote(inner); got != appended {
		t.Fatalf("%q: Unquote %q, AppendUnquoted %q", lit, got, appended)
	}
	if !escaped && json.Valid(lit) && appended != string(inner) && utf8.Valid(inner) {
		t.Fatalf("%q: no escapes, yet the value %q differs from the bytes", lit, appended)
	}
	return appended, true
}

// TestUnquoteDecodesAsEncodingJSON pins the values encoding/json gives for
// the escapes and the bytes it repairs.
func TestUnquoteDecodesAsEncodingJSON(t *testing.T) {
	cases := map[string]string{
		`""`:                          "",
		`"plain"`:                     "plain",
		`"a\"b\\c\/d"`:                `a"b\c/d`,
		`"\b\f\n\r\t"`:                "\b\f\n\r\t",
		`"caf\u00e9 \u00E9"`:          "café é",
		`"\ud83d\ude00"`:              "😀",
		`"\ud800x"`:                   "\uFFFDx",
		`"\ude00\ud83d"`:              "\uFFFD\uFFFD",
		`"\ud83d\u0041"`:              "\uFFFDA",
		`"\ud83d\ud83d\ude00"`:        "\uFFFD😀",
		"\"caf\xe9\"":                 "caf\uFFFD",
		"\"\xed\xa0\x80\"":            "\uFFFD\uFFFD\uFFFD",
		"\"\xef\xbf\xbd ok ñ\"":       "\uFFFD ok ñ",
		"\"\xff\\n\"":                 "\uFFFD\n",
		`"\u0000"`:                    "\x00",
		`"https:\/\/h\/?q=caf\u00e9"`: "https://h/?q=café",
	}
	for lit, want := range cases {
		got, ok := unquote(t, []byte(lit))
		var ref string
		if err := json.Unmarshal([]byte(lit), &ref); !ok || err != nil || got != want || ref != want {
			t.Errorf("%s: %q (valid %v), encoding/json %q (%v); want %q", lit, got, ok, ref, err, want)
		}
	}
}

func FuzzUnquote(f *testing.F) {
	for _, s := range []string{
		`plain`, `a\"b\\c\/d\b\f\n\r\t`, `caf\u00e9`, `\ud83d\ude00`, `\ud800x`, `\ud83d\u0041`,
		"caf\xe9", "\xed\xa0\x80", `\u12`, `\x`, "a\nb", `a"b`, `\`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, inner []byte) {
		lit := append(append([]byte{'"'}, inner...), '"')
		got, ok := unquote(t, lit)
		var want string
		err := json.Unmarshal(lit, &want)
		if ok != (err == nil) {
			t.Fatalf("%q: String accepts %v, encoding/json %v", lit, ok, err)
		}
		if ok && got != want {
			t.Fatalf("%q: %q, encoding/json %q", lit, got, want)
		}
	})
}
