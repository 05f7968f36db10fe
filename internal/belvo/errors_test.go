package belvo_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/belvo"
)

// A 428 token_required (TokenRequiredResponse in the spec) carries what
// resuming the session needs besides code and message: the typed error
// keeps every member, and its text, which the dead letter and the
// error_events fact record, shows them.
func TestErrorKeepsBelvosExtraMembers(t *testing.T) {
	const body = `[{"code":"token_required","message":"A MFA token is required by the institution to login",` +
		`"request_id":"0123456789abcdef0123456789abcdef","session":"2675b703b9d4451f8d4861a3eee54449","expiry":9600,` +
		`"link":"30cb4806-6e00-48a4-91c9-ca55968576c8","token_generation_data":{"instructions":"Use this code to generate the token",` +
		`"type":"numeric","value":"12345","expects_user_input":true}}]`
	srv := httptest.NewServer(&scripted{answers: []func(w http.ResponseWriter, r *http.Request){answer(428, body)}})
	defer srv.Close()
	c := client(t, srv.URL, newFakeClock(), nil)
	err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil })
	var ae *belvo.APIError
	if !errors.As(err, &ae) || ae.Status != 428 || ae.Code() != "token_required" {
		t.Fatalf("err = %v, want a 428 token_required APIError", err)
	}
	d := ae.Details[0]
	if string(d.Extra["session"]) != `"2675b703b9d4451f8d4861a3eee54449"` || string(d.Extra["expiry"]) != "9600" ||
		!strings.Contains(string(d.Extra["token_generation_data"]), `"value":"12345"`) || d.Extra["link"] == nil {
		t.Fatalf("extra members %v", d.Extra)
	}
	for _, want := range []string{`"session":"2675b703b9d4451f8d4861a3eee54449"`, `"expiry":9600`, `"expects_user_input":true`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q lacks %s", err, want)
		}
	}
	// Written back, the entry is the object Belvo sent.
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	json.Unmarshal(out, &got)
	json.Unmarshal([]byte(body[1:len(body)-1]), &want)
	if g, _ := json.Marshal(got); string(g) != mustJSON(want) {
		t.Errorf("re-encoded %s, want %s", g, mustJSON(want))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
