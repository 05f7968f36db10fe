package belvo

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBodyWhateverTheHint pins that the size hint only sizes the
// buffer: the body comes back whole when the hint is exact, too small, too
// large or absent, with or without a Content-Length, and a cut body is an
// error.
func TestReadBodyWhateverTheHint(t *testing.T) {
	body := strings.Repeat(`{"id":"0d3ffb69"},`, 1000)
	for _, tc := range []struct {
		name          string
		contentLength int64
		hint          int
	}{
		{"no hint", -1, 0},
		{"exact hint", -1, len(body)},
		{"hint too small", -1, 100},
		{"hint too large", -1, 10 * len(body)},
		{"content length", int64(len(body)), 0},
		{"content length beats the hint", int64(len(body)), 7},
		{"absurd content length", 1 << 40, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte per Read: the buffer must cope with short reads.
			res := &http.Response{ContentLength: tc.contentLength, Body: io.NopCloser(iotest.OneByteReader(strings.NewReader(body)))}
			got, err := readBody(res, tc.hint)
			if err != nil || !bytes.Equal(got, []byte(body)) {
				t.Fatalf("got %d bytes, err %v; want the %d-byte body", len(got), err, len(body))
			}
		})
	}
	cut := errors.New("connection reset")
	res := &http.Response{ContentLength: -1, Body: io.NopCloser(io.MultiReader(strings.NewReader(body[:100]), iotest.ErrReader(cut)))}
	if _, err := readBody(res, len(body)); !errors.Is(err, cut) {
		t.Fatalf("cut body: err %v, want %v", err, cut)
	}
}
