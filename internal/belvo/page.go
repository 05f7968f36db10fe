package belvo

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Why a splitter of our own: json.Unmarshal of a page of 1000 OFDA
// transactions (7 MB) into a struct with []json.RawMessage results cost
// about 100 µs per record, because encoding/json validates every byte
// through reflection and then copies each record out of the body. The
// fetcher only needs the four members of the envelope and each record's
// exact bytes, so one pass validates the whole body against the JSON
// grammar and hands every record out as a sub-slice of it.
//
// What it accepts is what encoding/json's Valid accepts (strings are not
// checked for UTF-8: a record with bad bytes is the converter's to refuse,
// alone, rather than its whole page's), and a page decodes to what
// json.Unmarshal into map[string]json.RawMessage and then each member would
// give: member names match exactly, the last of a repeated name wins, null
// leaves a member at its zero value.

// maxNesting is encoding/json's own limit: a page it accepts is accepted
// here, and a hostile body cannot grow the stack without bound.
const maxNesting = 10000

// envelope is the decoded page object. Records alias the body.
type envelope struct {
	count   int
	next    string
	records []json.RawMessage
}

// pageError is a list answer that is not a well-formed page: invalid
// JSON, or a member of the wrong type. The offset lets whoever reads the
// log find the spot in a 7 MB body.
type pageError struct {
	offset int
	msg    string
}

func (e *pageError) Error() string {
	return fmt.Sprintf("invalid page at byte %d: %s", e.offset, e.msg)
}

// pageScanner walks one body. open holds, per open container, whether it
// is an object; it is reused across the records of a page.
type pageScanner struct {
	data []byte
	pos  int
	open []bool
}

// splitPage decodes a list answer's envelope. The body must be one JSON
// object and nothing else but whitespace. A malformed body is reported in
// preference to a member of the wrong type, as json.Unmarshal does.
func splitPage(body []byte) (envelope, error) {
	s := pageScanner{data: body}
	var env envelope
	var typeErr error
	typeFail := func(pos int, format string, args ...any) {
		if typeErr == nil {
			typeErr = &pageError{offset: pos, msg: fmt.Sprintf(format, args...)}
		}
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return env, s.fail("the page is not a JSON object")
	}
	s.pos++
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
	} else {
		for {
			if s.pos >= len(s.data) || s.data[s.pos] != '"' {
				return env, s.fail("expected a member name")
			}
			start := s.pos
			if err := s.str(); err != nil {
				return env, err
			}
			name, err := stringValue(s.data[start:s.pos])
			if err != nil {
				return env, &pageError{offset: start, msg: err.Error()}
			}
			s.space()
			if s.pos >= len(s.data) || s.data[s.pos] != ':' {
				return env, s.fail("expected ':' after a member name")
			}
			s.pos++
			s.space()
			if s.pos >= len(s.data) {
				return env, s.fail("unexpected end of the page")
			}
			at := s.pos
			switch name {
			case "results":
				if s.data[s.pos] == '[' {
					if env.records, err = s.results(); err != nil {
						return env, err
					}
					break
				}
				if err := s.skip(1); err != nil {
					return env, err
				}
				if kind := s.kind(at); kind == "null" {
					env.records = nil
				} else {
					typeFail(at, "results is a %s, not an array", kind)
				}
			case "count", "next", "previous":
				if err := s.skip(1); err != nil {
					return env, err
				}
				if msg := env.set(name, s.data[at:s.pos], s.kind(at)); msg != "" {
					typeFail(at, "%s", msg)
				}
			default:
				if err := s.skip(1); err != nil {
					return env, err
				}
			}
			s.space()
			if s.pos >= len(s.data) {
				return env, s.fail("unexpected end of the page")
			}
			if s.data[s.pos] == '}' {
				s.pos++
				break
			}
			if s.data[s.pos] != ',' {
				return env, s.fail("expected ',' or '}' after a page member")
			}
			s.pos++
			s.space()
		}
	}
	s.space()
	if s.pos != len(s.data) {
		return env, s.fail("data after the page object")
	}
	return env, typeErr
}

// set stores count, next or previous from a scalar's text; it returns why
// the value does not fit, or "".
func (env *envelope) set(name string, text []byte, kind string) string {
	if kind == "null" {
		switch name {
		case "count":
			env.count = 0
		case "next":
			env.next = ""
		}
		return ""
	}
	switch name {
	case "count":
		if kind != "number" {
			return "count is a " + kind + ", not an integer"
		}
		// The grammar already holds, so what ParseInt refuses is exactly
		// what json.Unmarshal into an int refuses: fractions, exponents,
		// overflow.
		n, err := strconv.ParseInt(string(text), 10, strconv.IntSize)
		if err != nil {
			return "count " + string(text) + " is not an integer"
		}
		env.count = int(n)
	case "next", "previous":
		if kind != "string" {
			return name + " is a " + kind + ", not a URL string"
		}
		if name == "next" {
			s, err := stringValue(text)
			if err != nil {
				return "next: " + err.Error()
			}
			env.next = s
		}
	}
	return ""
}

// kind names the JSON type of the validated value starting at i.
func (s *pageScanner) kind(i int) string {
	switch c := s.data[i]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	}
	return "number"
}

// results appends each element of the array at s.pos to dst as a sub-slice
// of the body, exactly the element's bytes without the space around them.
func (s *pageScanner) results() ([]json.RawMessage, error) {
	s.pos++ // '['
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		// An empty array is an empty page, not an absent member.
		return []json.RawMessage{}, nil
	}
	var dst []json.RawMessage
	for {
		start := s.pos
		if err := s.skip(2); err != nil {
			return nil, err
		}
		dst = append(dst, s.data[start:s.pos:s.pos])
		s.space()
		if s.pos >= len(s.data) {
			return nil, s.fail("unexpected end in results")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.space()
		case ']':
			s.pos++
			return dst, nil
		default:
			return nil, s.fail("expected ',' or ']' between results")
		}
	}
}

func (s *pageScanner) fail(msg string) error {
	return &pageError{offset: s.pos, msg: msg}
}

// isSpace holds JSON's four whitespace bytes.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func (s *pageScanner) space() {
	for s.pos < len(s.data) && isSpace[s.data[s.pos]] {
		s.pos++
	}
}

// skip validates the value at s.pos and leaves s.pos after it. It walks
// nested values with an explicit stack instead of recursing: records are
// deep enough (account, credit data, loan data) that a call per level
// shows in the profile, and the stack is shared by a page's records.
// depth is how many containers around the value are open already, so that
// the limit counts as encoding/json counts it, from the page object.
func (s *pageScanner) skip(depth int) error {
	open := s.open[:0]
	defer func() { s.open = open[:0] }()
	for {
		// A value is expected at s.pos.
		s.space()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end, expected a value")
		}
		switch c := s.data[s.pos]; {
		case c == '{':
			s.pos++
			s.space()
			if s.pos < len(s.data) && s.data[s.pos] == '}' {
				s.pos++
				break
			}
			if depth+len(open) >= maxNesting {
				return s.fail("nested too deeply")
			}
			open = append(open, true)
			if err := s.memberName(); err != nil {
				return err
			}
			continue
		case c == '[':
			s.pos++
			s.space()
			if s.pos < len(s.data) && s.data[s.pos] == ']' {
				s.pos++
				break
			}
			if depth+len(open) >= maxNesting {
				return s.fail("nested too deeply")
			}
			open = append(open, false)
			continue
		case c == '"':
			if err := s.str(); err != nil {
				return err
			}
		case c == '-' || c >= '0' && c <= '9':
			if err := s.number(); err != nil {
				return err
			}
		case c == 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		default:
			return s.fail(fmt.Sprintf("unexpected %q, expected a value", c))
		}
		// A value ended: close containers until one continues.
		for {
			if len(open) == 0 {
				return nil
			}
			s.space()
			if s.pos >= len(s.data) {
				return s.fail("unexpected end in a record")
			}
			c := s.data[s.pos]
			object := open[len(open)-1]
			if c == ',' {
				s.pos++
				if object {
					s.space()
					if err := s.memberName(); err != nil {
						return err
					}
				}
				break
			}
			if object && c == '}' || !object && c == ']' {
				s.pos++
				open = open[:len(open)-1]
				continue
			}
			if object {
				return s.fail("expected ',' or '}' in an object")
			}
			return s.fail("expected ',' or ']' in an array")
		}
	}
}

// memberName reads `"name" :` at s.pos.
func (s *pageScanner) memberName() error {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return s.fail("expected a member name")
	}
	if err := s.str(); err != nil {
		return err
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.fail("expected ':' after a member name")
	}
	s.pos++
	return nil
}

// plainString holds the bytes a string runs over without a closer look:
// everything but the quote, the backslash and control characters.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str validates the string at s.pos and leaves s.pos after its quote.
func (s *pageScanner) str() error {
	s.pos++ // '"'
	data := s.data
	for {
		i := s.pos
		// Eight bytes per step while none needs a look: most of a record
		// is the text of its strings.
		for i+8 <= len(data) && plainString[data[i]] && plainString[data[i+1]] &&
			plainString[data[i+2]] && plainString[data[i+3]] && plainString[data[i+4]] &&
			plainString[data[i+5]] && plainString[data[i+6]] && plainString[data[i+7]] {
			i += 8
		}
		for i < len(data) && plainString[data[i]] {
			i++
		}
		s.pos = i
		if i >= len(data) {
			return s.fail("unexpected end in a string")
		}
		switch c := data[i]; {
		case c == '"':
			s.pos++
			return nil
		case c == '\\':
			if i+1 >= len(data) {
				return s.fail("unexpected end in a string")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if i+6 > len(data) || !isHex4(data[i+2:i+6]) {
					return s.fail(`bad \u escape in a string`)
				}
				s.pos += 6
			default:
				return s.fail("bad escape in a string")
			}
		default:
			return s.fail("control character in a string")
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

// number validates a JSON number at s.pos.
func (s *pageScanner) number() error {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return s.fail("bad number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.fail("bad number: no digit after '.'")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail("bad number: no digit in the exponent")
		}
	}
	return nil
}

func (s *pageScanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

func (s *pageScanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("bad literal, expected " + word)
	}
	s.pos += len(word)
	return nil
}

// stringValue unescapes a validated string literal, quotes included. Member
// names and next URLs are plain ASCII in practice and cost one copy; the
// rare escaped or non-ASCII one goes through encoding/json, once per page,
// for its exact rules (surrogate pairs, invalid UTF-8 as U+FFFD).
func stringValue(lit []byte) (string, error) {
	inner := lit[1 : len(lit)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(inner), nil
	}
	var v string
	if err := json.Unmarshal(lit, &v); err != nil {
		return "", err
	}
	return v, nil
}
