package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Why not json.Unmarshal into a map: it copies and re-scans every member and
// made parsing cost 12 µs and 78 allocations per webhook, most of ingest's
// CPU. Ingest needs the raw bytes of each top-level member (data must be
// kept byte for byte anyway) and a few strings, so it validates once with
// json.Valid and then only finds member boundaries.

var errNotObject = errors.New("the body must be a JSON object")

// eachMember calls fn with every top-level member of a JSON object: its key
// (unescaped) and the exact bytes of its value. body must be valid JSON
// (json.Valid), which lets the walk skip nested values by bracket counting.
func eachMember(body []byte, fn func(key string, raw []byte) error) error {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return errNotObject
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return nil
	}
	for i < len(body) {
		end := stringEnd(body, i)
		key, err := stringValue(body[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(body, end)
		i = skipSpace(body, i+1) // ':'
		vend := valueEnd(body, i)
		if err := fn(key, body[i:vend]); err != nil {
			return err
		}
		i = skipSpace(body, vend)
		if i >= len(body) || body[i] == '}' {
			return nil
		}
		i = skipSpace(body, i+1) // ','
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index after the value starting at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
			j++
		}
		return j
	}
}

// stringValue unescapes a JSON string literal; the common unescaped case
// costs one copy.
func stringValue(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", errNotString
	}
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

var errNotString = errors.New("not a string")
