package records

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Why a scanner of our own: decoding a 7 KB OFDA transaction (its account
// embedded with credit and loan data) into map[string]any with
// encoding/json took 113 µs and 686 allocations, a tenth of the fetcher's
// 50k records/s. We need a dozen members of it. The scanner validates the
// whole record against the JSON grammar in one pass, skips what no path
// needs, and records where each planned leaf is in the record without
// copying or boxing it: the converters read a leaf as the value
// json.Decoder.UseNumber would give (string, json.Number, bool, nil), and
// Append writes its bytes straight into Avro. Keys match exactly, unlike
// encoding/json's case-insensitive struct matching; on a repeated key the
// last one wins, as there, subtree included.

// node is one object level of a resource's paths.
type node struct {
	leaf     int              // index into the values slice, -1 when no path ends here
	path     string           // dotted path from the record, for errors
	children map[string]*node // members some path goes through
	// below are the leaves under this node, which a repeated member name
	// must clear: its last value alone decides them.
	below []int
}

func newNode(path string) *node { return &node{leaf: -1, path: path} }

// add registers path and returns its leaf index; equal paths share one.
func (n *node) add(path []string, next *int) int {
	for _, seg := range path {
		if n.children == nil {
			n.children = map[string]*node{}
		}
		child, ok := n.children[seg]
		if !ok {
			child = newNode(strings.TrimPrefix(n.path+"."+seg, "."))
			n.children[seg] = child
		}
		n = child
	}
	if n.leaf < 0 {
		n.leaf = *next
		*next++
	}
	return n.leaf
}

// seal fills below on n and every node under it, once all paths are added;
// it returns n's leaves, its own included.
func (n *node) seal() []int {
	n.below = n.below[:0]
	for _, c := range n.children {
		n.below = append(n.below, c.seal()...)
	}
	if n.leaf >= 0 {
		return append([]int{n.leaf}, n.below...)
	}
	return n.below
}

// jsonKind is the type of a scanned value. The zero value is null, which is
// also how a member the record lacks reads.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonTrue
	jsonFalse
	jsonObject
	jsonArray
)

// String names the type as errors do ("is a JSON boolean").
func (k jsonKind) String() string {
	switch k {
	case jsonString:
		return "string"
	case jsonNumber:
		return "number"
	case jsonTrue, jsonFalse:
		return "boolean"
	case jsonObject:
		return "object"
	case jsonArray:
		return "array"
	}
	return "null"
}

// leaf is the value scanned at a planned path. text aliases the record, so
// whatever outlives the record is copied from it by the converter.
type leaf struct {
	kind    jsonKind
	escaped bool   // text holds backslash escapes
	text    []byte // a string's bytes between its quotes, or a number as written
}

// str is the value of a string leaf, or the text of a number, in a new
// string.
func (l *leaf) str() string {
	if l.escaped {
		return string(appendUnquoted(make([]byte, 0, len(l.text)), l.text))
	}
	return string(l.text)
}

// view is str without the copy when there is no escape to undo: the string
// shares the record's bytes, so it is only for reading during the call
// (parsing, or formatting an error, which copies).
func (l *leaf) view() string {
	if l.escaped || len(l.text) == 0 {
		return l.str()
	}
	return unsafe.String(&l.text[0], len(l.text))
}

// appendText appends what str returns.
func (l *leaf) appendText(dst []byte) []byte {
	if l.escaped {
		return appendUnquoted(dst, l.text)
	}
	return append(dst, l.text...)
}

// maxDepth bounds nesting so a hostile record cannot exhaust the stack.
const maxDepth = 512

type scanner struct {
	data    []byte
	pos     int
	values  []leaf
	pathErr *pathError // first mismatch; reported only if the JSON is valid
}

// scanError is a malformed record; pathError is a path whose parent is not
// an object, which means the field table no longer matches Belvo.
type scanError struct {
	pos int
	msg string
}

func (e *scanError) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.pos, e.msg) }

type pathError struct{ path, got string }

func (e *pathError) Error() string { return e.path + " is a " + e.got + ", not an object" }

// scan fills values (one per leaf of root, all null) from data, which must
// be one JSON object and nothing else but whitespace.
func scan(data []byte, root *node, values []leaf) error {
	s := scanner{data: data, values: values}
	// Avro strings must be UTF-8 (a Python consumer refuses anything else),
	// and so must JSON between systems (RFC 8259); checking the whole record
	// once also covers raw and every extracted string.
	if !utf8.Valid(data) {
		return s.fail("not UTF-8")
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return s.fail("not a JSON object")
	}
	if err := s.object(root, 0); err != nil {
		return err
	}
	s.space()
	if s.pos != len(s.data) {
		return s.fail("data after the JSON object")
	}
	if s.pathErr != nil {
		return s.pathErr
	}
	return nil
}

func (s *scanner) mismatch(n *node, got string) {
	if s.pathErr == nil {
		s.pathErr = &pathError{path: n.path, got: got}
	}
}

func (s *scanner) fail(msg string) error { return &scanError{pos: s.pos, msg: msg} }

func (s *scanner) space() {
	// A local index: stepping s.pos itself stored it on every byte.
	i, data := s.pos, s.data
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	s.pos = i
}

// isSpace holds JSON's four whitespace bytes: one load per byte instead of
// a switch, in a loop that runs between every two tokens.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// value reads one value at plan node n (nil: not needed, only validated).
func (s *scanner) value(n *node, depth int) error {
	if depth > maxDepth {
		return s.fail("nested too deeply")
	}
	s.space()
	if s.pos >= len(s.data) {
		return s.fail("unexpected end")
	}
	if n != nil {
		// A repeated member replaces the earlier one's whole subtree, as
		// in encoding/json: what the earlier one set must not survive.
		for _, i := range n.below {
			s.values[i] = leaf{}
		}
	}
	c := s.data[s.pos]
	switch {
	case c == '{':
		if n != nil && n.leaf >= 0 {
			s.values[n.leaf] = leaf{kind: jsonObject}
		}
		return s.object(n, depth)
	case c == '[':
		if n != nil && n.leaf >= 0 {
			s.values[n.leaf] = leaf{kind: jsonArray}
		}
		if n != nil && n.children != nil {
			s.mismatch(n, "array")
		}
		return s.array(depth)
	}
	var v leaf
	var err error
	switch {
	case c == '"':
		v.kind = jsonString
		v.text, v.escaped, err = s.str()
	case c == '-' || c >= '0' && c <= '9':
		v.kind = jsonNumber
		v.text, err = s.number()
	case c == 't':
		v.kind, err = jsonTrue, s.literal("true")
	case c == 'f':
		v.kind, err = jsonFalse, s.literal("false")
	case c == 'n':
		v.kind, err = jsonNull, s.literal("null")
	default:
		return s.fail(fmt.Sprintf("unexpected %q", c))
	}
	if err != nil || n == nil {
		return err
	}
	if n.children != nil && v.kind != jsonNull {
		s.mismatch(n, v.kind.String())
	}
	if n.leaf >= 0 {
		s.values[n.leaf] = v
	}
	return nil
}

func (s *scanner) object(n *node, depth int) error {
	s.pos++ // '{'
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.fail("expected a member name")
		}
		key, escaped, err := s.str()
		if err != nil {
			return err
		}
		var child *node
		if n != nil && n.children != nil {
			if escaped {
				var buf [64]byte
				key = appendUnquoted(buf[:0], key)
			}
			child = n.children[string(key)] // no allocation: map index by converted bytes
		}
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail("expected ':'")
		}
		s.pos++
		if err := s.value(child, depth+1); err != nil {
			return err
		}
		s.space()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end in object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

func (s *scanner) array(depth int) error {
	s.pos++ // '['
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if err := s.value(nil, depth+1); err != nil {
			return err
		}
		s.space()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end in array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// str validates a string at s.pos and returns its bytes between the quotes,
// and whether they hold escapes.
func (s *scanner) str() ([]byte, bool, error) {
	start := s.pos
	s.pos++ // '"'
	escaped := false
	data := s.data
	for s.pos < len(data) {
		// Most of a record is the text of its strings: skip eight plain
		// bytes per step, then one at a time up to the next byte that
		// needs a look. This loop was a third of the scan.
		i := s.pos
		for i+8 <= len(data) && plain[data[i]] && plain[data[i+1]] && plain[data[i+2]] && plain[data[i+3]] &&
			plain[data[i+4]] && plain[data[i+5]] && plain[data[i+6]] && plain[data[i+7]] {
			i += 8
		}
		for i < len(data) && plain[data[i]] {
			i++
		}
		s.pos = i
		if i >= len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			s.pos++
			return data[start+1 : s.pos-1], escaped, nil
		case c == '\\':
			escaped = true
			if s.pos+1 >= len(s.data) {
				return nil, false, s.fail("unexpected end in string")
			}
			switch s.data[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.data) || !isHex4(s.data[s.pos+2:s.pos+6]) {
					return nil, false, s.fail("bad \\u escape")
				}
				s.pos += 6
			default:
				return nil, false, s.fail("bad escape")
			}
		default: // c < 0x20
			return nil, false, s.fail("control character in string")
		}
	}
	return nil, false, s.fail("unexpected end in string")
}

// plain holds the bytes a string runs over without a closer look:
// everything but the quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// appendUnquoted appends the value of a validated JSON string, given
// without its quotes. A lone UTF-16 surrogate becomes U+FFFD, as
// encoding/json does.
func appendUnquoted(dst, in []byte) []byte {
	for i := 0; i < len(in); {
		c := in[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch in[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexRune(in[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(in) && in[i] == '\\' && in[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hexRune(in[i+2:i+6])); pair != utf8.RuneError {
						dst = utf8.AppendRune(dst, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/': the character itself
			dst = append(dst, in[i+1])
		}
		i += 2
	}
	return dst
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// number validates a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return nil, s.fail("bad number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return nil, s.fail("bad number")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return nil, s.fail("bad number")
		}
	}
	return s.data[start:s.pos], nil
}

func (s *scanner) digits() int {
	i, data := s.pos, s.data
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	n := i - s.pos
	s.pos = i
	return n
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("bad literal")
	}
	s.pos += len(word)
	return nil
}
