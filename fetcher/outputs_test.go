package fetcher

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestPageArenaKeepsEveryValue pins that values appended through the arena
// stay intact whether they fit the block or spill out of it, and that none
// can grow into its neighbour.
func TestPageArenaKeepsEveryValue(t *testing.T) {
	a := newPageArena([]json.RawMessage{json.RawMessage(`{}`)}) // room for about 260 bytes
	var vals [][]byte
	for i, n := range []int{100, 100, 100, 10, 500} {
		v := a.took(append(a.free(), bytes.Repeat([]byte{byte('a' + i)}, n)...))
		if cap(v) != len(v) {
			t.Fatalf("value %d has spare capacity %d", i, cap(v)-len(v))
		}
		vals = append(vals, v)
	}
	_ = append(vals[0], 'X') // must not reach value 1
	for i, v := range vals {
		if want := bytes.Repeat([]byte{byte('a' + i)}, len(v)); !bytes.Equal(v, want) {
			t.Fatalf("value %d changed: %q", i, v)
		}
	}
	// 258 bytes of room: 100 and 100 fit, the third 100 spills, 10 fits
	// in what is left, 500 spills.
	if len(a.buf) != 210 {
		t.Fatalf("block holds %d bytes, want the values that fit (210)", len(a.buf))
	}
	var none *pageArena
	if v := none.took(append(none.free(), 'z')); string(v) != "z" {
		t.Fatalf("nil arena: %q", v)
	}
}
