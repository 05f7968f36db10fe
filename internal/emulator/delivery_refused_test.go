package emulator

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A delivery nothing listened for is marked Refused (the chaos report counts
// those apart: nothing can have been stored), on the error's type; one that
// got an answer is not.
func TestDeliveryMarksARefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/webhooks/belvo"
	ln.Close()
	d := &deliverer{client: &http.Client{}}
	if a := d.post(context.Background(), closed, []byte(`{}`)); !a.Refused || a.Status != 0 || a.Err == "" {
		t.Errorf("closed port: %+v, want Refused with an error", a)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer srv.Close()
	if a := d.post(context.Background(), srv.URL, []byte(`{}`)); a.Refused || a.Status != http.StatusServiceUnavailable {
		t.Errorf("answered 503: %+v, want Status 503 and not Refused", a)
	}
}
