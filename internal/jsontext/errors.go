package jsontext

import "fmt"

// MaxDepth is encoding/json's nesting limit: at most this many objects and
// arrays may be open at once, empty ones included. Sharing it means text
// encoding/json accepts is accepted here, and a hostile body cannot grow
// the scan without bound.
const MaxDepth = 10000

// SyntaxError is text that breaks the JSON grammar. Offset is the byte
// where the problem was seen, so that whoever reads a log can find it in a
// body of megabytes; callers with their own error type restate Msg there.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

func errAt(i int, msg string) error { return &SyntaxError{Offset: i, Msg: msg} }
