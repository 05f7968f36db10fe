// Package jsontext owns the JSON grammar (RFC 8259, as encoding/json reads
// it) for the hand-written scanners that find their way through a body
// without decoding it: the Belvo page splitter, the record scanner and
// ingest's webhook envelope. It validates and measures JSON text in place:
// positions in, positions out, errors with the byte offset. What a caller
// does with the members it finds is the caller's.
//
// It accepts exactly what json.Valid accepts, nesting limit included, and
// unquotes a string exactly as json.Unmarshal does. Like json.Valid it does
// not check that strings are UTF-8: a caller that needs UTF-8 checks the
// whole text once, with utf8.Valid.
package jsontext
