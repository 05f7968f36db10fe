package belvo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// Why a splitter of our own: json.Unmarshal of a page of 1000 OFDA
// transactions (7 MB) into a struct with []json.RawMessage results was
// the fetcher's largest cost per record, because encoding/json validates every byte
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

// maxNesting is encoding/json's own limit, empty containers counted: a
// page it accepts is accepted here, one too deep for it is refused, and a
// hostile body cannot grow the stack without bound.
const maxNesting = jsontext.MaxDepth

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

// splitPage decodes a list answer's envelope. The body must be one JSON
// object and nothing else but whitespace. A malformed body is reported in
// preference to a member of the wrong type, as json.Unmarshal does.
func splitPage(body []byte) (envelope, error) {
	var env envelope
	var typeErr error
	typeFail := func(pos int, format string, args ...any) {
		if typeErr == nil {
			typeErr = &pageError{offset: pos, msg: fmt.Sprintf(format, args...)}
		}
	}
	i := jsontext.SkipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return env, &pageError{offset: i, msg: "the page is not a JSON object"}
	}
	i = jsontext.SkipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			name, _, at, err := jsontext.Member(body, i)
			if err != nil {
				return env, pageErr(err)
			}
			if at >= len(body) {
				return env, &pageError{offset: at, msg: "unexpected end of the page"}
			}
			// The page object is one level open around each member.
			const room = maxNesting - 1
			switch name := jsontext.Unquote(name); name {
			case "results":
				if body[at] == '[' {
					if env.records, i, err = results(body, at); err != nil {
						return env, err
					}
					break
				}
				if i, err = jsontext.Skip(body, at, room); err != nil {
					return env, pageErr(err)
				}
				if kind := kind(body[at]); kind == "null" {
					env.records = nil
				} else {
					typeFail(at, "results is a %s, not an array", kind)
				}
			case "count", "next", "previous":
				if i, err = jsontext.Skip(body, at, room); err != nil {
					return env, pageErr(err)
				}
				if msg := env.set(name, body[at:i], kind(body[at])); msg != "" {
					typeFail(at, "%s", msg)
				}
			default:
				if i, err = jsontext.Skip(body, at, room); err != nil {
					return env, pageErr(err)
				}
			}
			i = jsontext.SkipSpace(body, i)
			if i >= len(body) {
				return env, &pageError{offset: i, msg: "unexpected end of the page"}
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return env, &pageError{offset: i, msg: "expected ',' or '}' after a page member"}
			}
			i = jsontext.SkipSpace(body, i+1)
		}
	}
	if i = jsontext.SkipSpace(body, i); i != len(body) {
		return env, &pageError{offset: i, msg: "data after the page object"}
	}
	return env, typeErr
}

// pageErr restates a grammar error as a page error at the same byte.
func pageErr(err error) error {
	var se *jsontext.SyntaxError
	if errors.As(err, &se) {
		return &pageError{offset: se.Offset, msg: se.Msg}
	}
	return err
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
			env.next = jsontext.Unquote(text[1 : len(text)-1])
		}
	}
	return ""
}

// kind names the JSON type of a valid value by its first byte.
func kind(c byte) string {
	switch {
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

// results returns each element of the array at body[i] as a sub-slice of
// the body, exactly the element's bytes without the space around them, and
// the index after the array.
func results(body []byte, i int) ([]json.RawMessage, int, error) {
	i = jsontext.SkipSpace(body, i+1)
	if i < len(body) && body[i] == ']' {
		// An empty array is an empty page, not an absent member.
		return []json.RawMessage{}, i + 1, nil
	}
	// The page object and results are open around each record.
	const room = maxNesting - 2
	var dst []json.RawMessage
	for {
		end, err := jsontext.Skip(body, i, room)
		if err != nil {
			return nil, end, pageErr(err)
		}
		dst = append(dst, body[i:end:end])
		i = jsontext.SkipSpace(body, end)
		if i >= len(body) {
			return nil, i, &pageError{offset: i, msg: "unexpected end in results"}
		}
		switch body[i] {
		case ',':
			i = jsontext.SkipSpace(body, i+1)
		case ']':
			return dst, i + 1, nil
		default:
			return nil, i, &pageError{offset: i, msg: "expected ',' or ']' between results"}
		}
	}
}
