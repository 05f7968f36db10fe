package ingest

import (
	"bytes"
	"errors"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// Why not json.Unmarshal into a map: it copies and re-scans every member and
// made parsing cost 12 µs and 78 allocations per webhook, most of ingest's
// CPU. Ingest needs the raw bytes of each top-level member (data must be
// kept byte for byte anyway) and a few strings, so one pass validates the
// body as json.Valid would and finds the member boundaries.

var errNotObject = errors.New("the body must be a JSON object")

// eachMember calls fn with every top-level member of a JSON object: its key
// (unescaped; the body's own bytes when it has no escape, so fn must copy
// what it keeps past the body) and the exact bytes of its value. It accepts what json.Valid
// accepts; a body it refuses fails with a *jsontext.SyntaxError, valid JSON
// other than an object with errNotObject. The walk is one pass, so fn may
// have seen the members before a syntax error.
func eachMember(body []byte, fn func(key, raw []byte) error) error {
	i := jsontext.SkipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		end, err := jsontext.Skip(body, i, jsontext.MaxDepth)
		if err == nil {
			err = trailing(body, end)
		}
		if err != nil {
			return err
		}
		return errNotObject
	}
	i = jsontext.SkipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return trailing(body, i+1)
	}
	for {
		name, escaped, at, err := jsontext.Member(body, i)
		if err != nil {
			return err
		}
		// The object is open around each value.
		end, err := jsontext.Skip(body, at, jsontext.MaxDepth-1)
		if err != nil {
			return err
		}
		key := name
		if escaped {
			key = jsontext.AppendUnquoted(make([]byte, 0, len(name)), name)
		}
		if err := fn(key, body[at:end]); err != nil {
			return err
		}
		i = jsontext.SkipSpace(body, end)
		if i >= len(body) {
			return &jsontext.SyntaxError{Offset: i, Msg: "unexpected end in an object"}
		}
		switch body[i] {
		case ',':
			i = jsontext.SkipSpace(body, i+1)
		case '}':
			return trailing(body, i+1)
		default:
			return &jsontext.SyntaxError{Offset: i, Msg: "expected ',' or '}' in an object"}
		}
	}
}

// trailing refuses anything but whitespace after the body's value at i,
// as json.Valid does.
func trailing(body []byte, i int) error {
	if i = jsontext.SkipSpace(body, i); i != len(body) {
		return &jsontext.SyntaxError{Offset: i, Msg: "data after the JSON value"}
	}
	return nil
}

// stringValue unescapes a JSON string literal; the common unescaped case
// costs one copy.
func stringValue(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", errNotString
	}
	inner := lit[1 : len(lit)-1]
	return unquote(inner, bytes.IndexByte(inner, '\\') >= 0), nil
}

// unquote is the value of a string given between its quotes. One without
// escapes is kept byte for byte, invalid UTF-8 included, as ingest always
// has; an escaped one is decoded as json.Unmarshal would.
func unquote(s []byte, escaped bool) string {
	if !escaped {
		return string(s)
	}
	return string(jsontext.AppendUnquoted(make([]byte, 0, len(s)), s))
}

var errNotString = errors.New("not a string")
