package records

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// Why a scanner of our own: decoding a 7 KB OFDA transaction (its account
// embedded with credit and loan data) into map[string]any with
// encoding/json allocated for every member and cost more than the rest of
// the fetcher's work on the record. We need a dozen members of it. The scanner validates the
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
		return string(jsontext.AppendUnquoted(make([]byte, 0, len(l.text)), l.text))
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
		return jsontext.AppendUnquoted(dst, l.text)
	}
	return append(dst, l.text...)
}

// maxDepth bounds nesting so a hostile record cannot exhaust the stack:
// objects and arrays may nest this deep inside the record object.
const maxDepth = 512

type scanner struct {
	data    []byte
	values  []leaf
	pathErr *pathError // mismatches; reported only if the JSON is valid
	// valid says data is known to be valid JSON: what no path needs is
	// then skipped by structure alone, not validated again.
	valid bool
}

// skip returns the index after the value at data[i] that no path needs.
func (s *scanner) skip(i, room int) (int, error) {
	if s.valid {
		return jsontext.SkipValid(s.data, i, room)
	}
	return jsontext.Skip(s.data, i, room)
}

// pathError lists the paths where a record holds a scalar or array where
// the field table expects an object: the fields below them cannot be read
// (the converter loads them null, as unfit). A malformed record is a
// *jsontext.SyntaxError.
type pathError struct{ paths, gots []string }

func (e *pathError) Error() string { return e.paths[0] + " is a " + e.gots[0] + ", not an object" }

// below reports whether path runs through one of the mismatched paths.
func (e *pathError) below(path string) bool {
	for _, p := range e.paths {
		if len(path) > len(p) && path[len(p)] == '.' && path[:len(p)] == p {
			return true
		}
	}
	return false
}

// scan fills values (one per leaf of root, all null) from data, which must
// be one JSON object and nothing else but whitespace. valid says data is
// known to be valid JSON (json.Valid): the answer is then the same, for
// less work, and meaningless if it is not.
func scan(data []byte, root *node, values []leaf, valid bool) error {
	s := scanner{data: data, values: values, valid: valid}
	// Avro strings must be UTF-8 (a Python consumer refuses anything else),
	// and so must JSON between systems (RFC 8259); checking the whole record
	// once also covers raw and every extracted string.
	if !utf8.Valid(data) {
		return &jsontext.SyntaxError{Offset: 0, Msg: "not UTF-8"}
	}
	i := jsontext.SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return &jsontext.SyntaxError{Offset: i, Msg: "not a JSON object"}
	}
	i, err := s.object(root, i, 0)
	if err != nil {
		return err
	}
	if i = jsontext.SkipSpace(data, i); i != len(data) {
		return &jsontext.SyntaxError{Offset: i, Msg: "data after the JSON object"}
	}
	if s.pathErr != nil {
		return s.pathErr
	}
	return nil
}

func (s *scanner) mismatch(n *node, got string) {
	if s.pathErr == nil {
		s.pathErr = &pathError{}
	}
	s.pathErr.paths = append(s.pathErr.paths, n.path)
	s.pathErr.gots = append(s.pathErr.gots, got)
}

// room is how many containers may open in a value with depth containers
// open around it, the record object included.
func room(depth int) int { return maxDepth + 1 - depth }

// object reads the object at data[i], at plan node n, and returns the
// index after it. depth counts the containers around it.
func (s *scanner) object(n *node, i, depth int) (int, error) {
	data := s.data
	if room(depth) <= 0 {
		return i, &jsontext.SyntaxError{Offset: i, Msg: "nested too deeply"}
	}
	i = jsontext.SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		key, escaped, at, err := jsontext.Member(data, i)
		if err != nil {
			return at, err
		}
		var child *node
		if n.children != nil {
			if escaped {
				var buf [64]byte
				key = jsontext.AppendUnquoted(buf[:0], key)
			}
			child = n.children[string(key)] // no allocation: map index by converted bytes
		}
		if child != nil {
			i, err = s.value(child, at, depth+1)
		} else {
			i, err = s.skip(at, room(depth+1))
		}
		if err != nil {
			return i, err
		}
		i = jsontext.SkipSpace(data, i)
		if i >= len(data) {
			return i, &jsontext.SyntaxError{Offset: i, Msg: "unexpected end in an object"}
		}
		switch data[i] {
		case ',':
			i = jsontext.SkipSpace(data, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, &jsontext.SyntaxError{Offset: i, Msg: "expected ',' or '}' in an object"}
		}
	}
}

// value reads the value at data[i] at plan node n and returns the index
// after it. depth counts the containers around it.
func (s *scanner) value(n *node, i, depth int) (int, error) {
	// A repeated member replaces the earlier one's whole subtree, as in
	// encoding/json: what the earlier one set must not survive.
	for _, k := range n.below {
		s.values[k] = leaf{}
	}
	data := s.data
	if i < len(data) {
		switch data[i] {
		case '{':
			if n.leaf >= 0 {
				s.values[n.leaf] = leaf{kind: jsonObject}
			}
			return s.object(n, i, depth)
		case '"':
			end, escaped, err := jsontext.String(data, i)
			if err != nil {
				return end, err
			}
			s.set(n, leaf{kind: jsonString, escaped: escaped, text: data[i+1 : end-1]})
			return end, nil
		}
	}
	// The rest has no part a path needs: skip validates it, and its first
	// byte tells its kind.
	end, err := s.skip(i, room(depth))
	if err != nil {
		return end, err
	}
	switch data[i] {
	case '[':
		s.set(n, leaf{kind: jsonArray})
	case 't':
		s.set(n, leaf{kind: jsonTrue})
	case 'f':
		s.set(n, leaf{kind: jsonFalse})
	case 'n':
		s.set(n, leaf{})
	default:
		s.set(n, leaf{kind: jsonNumber, text: data[i:end]})
	}
	return end, nil
}

// set stores a scanned value that is not an object at n.
func (s *scanner) set(n *node, v leaf) {
	if n.children != nil && v.kind != jsonNull {
		s.mismatch(n, v.kind.String())
	}
	if n.leaf >= 0 {
		s.values[n.leaf] = v
	}
}
