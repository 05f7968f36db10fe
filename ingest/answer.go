package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"
)

// answer is the JSON body of every webhook response. Belvo logs it, so a
// refused event can be found again by request_id.
type answer struct {
	Status    string `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"request_id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func encodeAnswer(a answer) string {
	b, _ := json.Marshal(a)
	return string(b)
}

// acceptedBody is the answer of every stored event, so it is written
// without encoding/json. A request id is printable ASCII without a quote or
// backslash (requestID), so it needs no escaping; encoding/json would still
// write <, > and & as \u escapes, so such an id goes through it.
func acceptedBody(reqID string, duplicate bool) string {
	if strings.ContainsAny(reqID, "<>&") {
		return encodeAnswer(answer{Status: "accepted", RequestID: reqID, Duplicate: duplicate})
	}
	if duplicate {
		return `{"status":"accepted","request_id":"` + reqID + `","duplicate":true}`
	}
	return `{"status":"accepted","request_id":"` + reqID + `"}`
}

func errorBody(code, field, msg, reqID string) string {
	return encodeAnswer(answer{Error: code, Field: field, Message: msg, RequestID: reqID})
}

func tooLargeBody(limit int, reqID string) string {
	return errorBody("too_large", "", fmt.Sprintf("body exceeds %d bytes", limit), reqID)
}

func badRequestBody(err error, reqID string) (int, string) {
	var br *badRequest
	if errors.As(err, &br) {
		return fasthttp.StatusBadRequest, errorBody(br.Code, br.Field, br.Error(), reqID)
	}
	return fasthttp.StatusBadRequest, errorBody("bad_request", "", err.Error(), reqID)
}
