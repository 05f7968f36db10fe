package jsontext

import (
	"encoding/binary"
	"math/bits"
)

// Text that has already been validated need not be validated again to be
// walked: the fetcher's page splitter checks every record of a page with
// Skip, and the record converter then skipped most of each record (the
// members no column reads) with Skip a second time, at about a sixth of the
// fetcher's CPU. SkipValid finds the same end by structure alone.

// structural marks the bytes SkipValid stops at outside strings.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// scalarEnd marks the bytes that can follow a number or a literal.
var scalarEnd = [256]bool{',': true, ']': true, '}': true, ' ': true, '\t': true, '\n': true, '\r': true}

// SkipValid is Skip for text known to be valid JSON (text Skip accepted,
// or that json.Valid accepts): it returns what Skip would, the nesting
// error included, but looks only at quotes, backslashes and brackets. On
// text that is not valid JSON its answer is meaningless, though it still
// returns an index within data and never panics.
func SkipValid(data []byte, i, room int) (int, error) {
	i = SkipSpace(data, i)
	if i >= len(data) {
		return i, nil
	}
	switch data[i] {
	case '"':
		end, _ := validString(data, i)
		return end, nil
	case '{', '[':
	default:
		for i < len(data) && !scalarEnd[data[i]] {
			i++
		}
		return i, nil
	}
	depth := 0
	for i < len(data) {
		for i < len(data) && !structural[data[i]] {
			i++
		}
		if i >= len(data) {
			break
		}
		switch data[i] {
		case '"':
			i, _ = validString(data, i)
			continue
		case '{', '[':
			if depth >= room {
				return i, errAt(i, "nested too deeply")
			}
			depth++
		default: // '}' or ']'
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
		i++
	}
	return len(data), nil
}

// validString returns the index after the closing quote of the valid
// string whose opening quote is data[i], and whether it holds escapes.
// Only quotes and backslashes matter here: String has already refused
// control characters and bad escapes.
func validString(data []byte, i int) (int, bool) {
	i++
	escaped := false
	for {
		for i+8 <= len(data) {
			x := binary.LittleEndian.Uint64(data[i:])
			q, b := x^('"'*ones), x^('\\'*ones)
			if m := ((q-ones)&^q | (b-ones)&^b) & highs; m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(data) && data[i] != '"' && data[i] != '\\' {
			i++
		}
		if i >= len(data) {
			return len(data), escaped
		}
		if data[i] == '"' {
			return i + 1, escaped
		}
		// The escaped byte cannot end the string; \uXXXX's hex digits are
		// plain bytes the loop passes over.
		escaped = true
		i = min(i+2, len(data))
	}
}
