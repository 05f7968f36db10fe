package jsontext

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// The functions here take the text and an index into it and return the
// index after what they read, so that a caller keeps its position in a
// local variable: a scanner that stored it in a struct field on every byte
// was measurably slower. On an error the index returned is the error's
// offset.

// isSpace holds JSON's four whitespace bytes: one load per byte instead of
// a switch, in a loop that runs between every two tokens.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace, or len(data).
func SkipSpace(data []byte, i int) int {
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	return i
}

// plain holds the bytes a string runs over without a closer look:
// everything but the quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Masks for looking at eight bytes at once: each byte of ones is 0x01, of
// highs 0x80.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// String validates the string whose opening quote is data[i] and returns
// the index after its closing quote, and whether it holds backslash
// escapes: without them its bytes between the quotes are its value, as
// long as they are valid UTF-8.
func String(data []byte, i int) (int, bool, error) {
	i++ // the opening quote
	escaped := false
	for {
		// Most of a record is the text of its strings, so they are read
		// eight bytes a step: a byte's high bit in m is set where it is a
		// quote, a backslash or below 0x20 (the lowest such flag is exact;
		// a borrow can only set more above it). This loop was a third of
		// the record scan when it read a byte a step.
		for i+8 <= len(data) {
			x := binary.LittleEndian.Uint64(data[i:])
			q, b := x^('"'*ones), x^('\\'*ones)
			m := ((x-0x20*ones)&^x | (q-ones)&^q | (b-ones)&^b) & highs
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				if data[i] == '"' { // the usual end: no escape, no tail
					return i + 1, escaped, nil
				}
				break
			}
			i += 8
		}
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return i, escaped, errAt(i, "unexpected end in a string")
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				return i, escaped, errAt(i, "unexpected end in a string")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || !isHex4(data[i+2:i+6]) {
					return i, escaped, errAt(i, `bad \u escape in a string`)
				}
				i += 6
			default:
				return i, escaped, errAt(i, "bad escape in a string")
			}
		default:
			return i, escaped, errAt(i, "control character in a string")
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Member reads an object member's name, which must begin at data[i], and
// the colon after it. It returns the name's bytes between its quotes,
// whether they hold escapes, and the index of the member's value, past
// whitespace.
func Member(data []byte, i int) (name []byte, escaped bool, value int, err error) {
	if i >= len(data) || data[i] != '"' {
		return nil, false, i, errAt(i, "expected a member name")
	}
	end, escaped, err := String(data, i)
	if err != nil {
		return nil, false, end, err
	}
	j := SkipSpace(data, end)
	if j >= len(data) || data[j] != ':' {
		return nil, false, j, errAt(j, "expected ':' after a member name")
	}
	return data[i+1 : end-1], escaped, SkipSpace(data, j+1), nil
}

// Skip validates the value at data[i], past whitespace, and returns the
// index after it. room is how many objects and arrays may still open: the
// limit less those the caller has open around the value, so that deep text
// fails where encoding/json fails it (MaxDepth-1 for a member of a
// top-level object).
//
// It walks nested values with an explicit stack instead of recursing:
// records are deep enough (account, credit data, loan data) that a call
// per level shows in the profile. The stack is a bit per open container,
// whether it is an object; the innermost 64 live in one word, and only
// deeper text spills to the heap.
func Skip(data []byte, i, room int) (int, error) {
	var top uint64     // bit k%64: container k, from the outermost, is an object
	var spill []uint64 // the bits of containers below the innermost 64
	var n uint         // containers open
	name := false      // a member name comes before the value
	var err error
	for {
		i = SkipSpace(data, i)
		if name {
			// Member's work, without the name it returns: this is the
			// walk over every member of every record.
			if i >= len(data) || data[i] != '"' {
				return i, errAt(i, "expected a member name")
			}
			if i, _, err = String(data, i); err != nil {
				return i, err
			}
			if i = SkipSpace(data, i); i >= len(data) || data[i] != ':' {
				return i, errAt(i, "expected ':' after a member name")
			}
			i = SkipSpace(data, i+1)
			name = false
		}
		// A value is expected at i.
		if i >= len(data) {
			return i, errAt(i, "unexpected end, expected a value")
		}
		switch c := data[i]; {
		case c == '{' || c == '[':
			if int(n) >= room {
				return i, errAt(i, "nested too deeply")
			}
			i++
			// '{'+2 is '}' and '['+2 is ']'.
			if j := SkipSpace(data, i); j < len(data) && data[j] == c+2 {
				i = j + 1
				break
			}
			if n > 0 && n%64 == 0 {
				spill = append(spill, top)
			}
			if c == '{' {
				top |= 1 << (n % 64)
				name = true
			} else {
				top &^= 1 << (n % 64)
			}
			n++
			continue
		case c == '"':
			if i, _, err = String(data, i); err != nil {
				return i, err
			}
		case c == '-' || c >= '0' && c <= '9':
			if i, err = number(data, i); err != nil {
				return i, err
			}
		case c == 't' || c == 'f' || c == 'n':
			if i, err = literal(data, i); err != nil {
				return i, err
			}
		default:
			return i, errAt(i, fmt.Sprintf("unexpected %q, expected a value", c))
		}
		// A value ended: close containers until one goes on.
		for n > 0 {
			i = SkipSpace(data, i)
			object := top&(1<<((n-1)%64)) != 0
			if i >= len(data) {
				if object {
					return i, errAt(i, "unexpected end in an object")
				}
				return i, errAt(i, "unexpected end in an array")
			}
			c := data[i]
			if c == ',' {
				i++
				name = object
				break
			}
			if object && c == '}' || !object && c == ']' {
				i++
				n--
				if n > 0 && n%64 == 0 {
					top, spill = spill[len(spill)-1], spill[:len(spill)-1]
				}
				continue
			}
			if object {
				return i, errAt(i, "expected ',' or '}' in an object")
			}
			return i, errAt(i, "expected ',' or ']' in an array")
		}
		if n == 0 {
			return i, nil
		}
	}
}

// number validates the number at data[i] and returns the index after it.
func number(data []byte, i int) (int, error) {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(data, i+1)
	default:
		return i, errAt(i, "bad number")
	}
	if i < len(data) && data[i] == '.' {
		j := digits(data, i+1)
		if j == i+1 {
			return j, errAt(j, "bad number: no digit after '.'")
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(data, i)
		if j == i {
			return j, errAt(j, "bad number: no digit in the exponent")
		}
		i = j
	}
	return i, nil
}

func digits(data []byte, i int) int {
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i
}

// literal validates true, false or null, by the first byte at data[i].
func literal(data []byte, i int) (int, error) {
	word := "null"
	switch data[i] {
	case 't':
		word = "true"
	case 'f':
		word = "false"
	}
	if len(data)-i < len(word) || string(data[i:i+len(word)]) != word {
		return i, errAt(i, "bad literal, expected "+word)
	}
	return i + len(word), nil
}
