package emulator

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Page sizes of Belvo's lists.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Handler serves the emulated API and the admin endpoints under /_emulator/.
func (e *Emulator) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/links/", e.listLinks)
	api.HandleFunc("GET /api/links/{id}/", e.getLink)
	api.HandleFunc("DELETE /api/links/{id}/", e.deleteLink)
	api.HandleFunc("POST /api/links/{id}/refresh/", e.refreshLink)
	for _, r := range schemas.Resources {
		api.HandleFunc("GET "+r.Path, e.listResource(r))
		if r.AsyncPost {
			api.HandleFunc("POST "+r.Path, e.postResource(r))
		}
	}
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "Not found.", "")
	})

	root := http.NewServeMux()
	root.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Requests())
	})
	root.HandleFunc("GET /_emulator/events", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Deliveries())
	})
	root.HandleFunc("GET /_emulator/links", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Links())
	})
	root.Handle("/", e.edge(api))
	return root
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status  int
	settled func(status int) // called once, before any byte of the answer leaves
}

func (s *statusWriter) settle(code int) {
	if s.status == 0 {
		s.status = code
		s.settled(code)
	}
}

func (s *statusWriter) WriteHeader(code int) {
	s.settle(code)
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.settle(http.StatusOK)
	return s.ResponseWriter.Write(b)
}

// edge does what happens before Belvo's API code runs: the request log,
// the burst limit, injected faults and Basic authentication, in the order
// Belvo's edge and API apply them.
func (e *Emulator) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		record := func(status int) {
			e.record(Request{Time: arrived, Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Status: status})
		}
		// Logged as soon as the status is settled, before the answer leaves:
		// a client that has read a whole page (sent with its length, it may
		// finish before this handler returns) finds its request logged.
		sw := &statusWriter{ResponseWriter: w, settled: record}
		defer func() {
			if sw.status == 0 {
				record(0) // nothing written, e.g. a client gone during a slow answer
			}
		}()
		if e.fault.burst(arrived) {
			sw.Header().Set("Content-Type", "text/html")
			sw.WriteHeader(http.StatusForbidden)
			io.WriteString(sw, burstPage)
			return
		}
		status, slow := e.fault.status()
		if slow {
			t := time.NewTimer(e.cfg.Faults.SlowDelay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch status {
		case http.StatusTooManyRequests:
			if ra := e.cfg.Faults.RetryAfter; ra > 0 {
				sw.Header().Set("Retry-After", strconv.Itoa(int(ra.Round(time.Second)/time.Second)))
			}
			writeError(sw, status, "too_many_requests", "Request was throttled.", "")
			return
		case http.StatusInternalServerError:
			writeError(sw, status, "unexpected_error", "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution", "")
			return
		case http.StatusServiceUnavailable:
			writeError(sw, status, "service_unavailable", "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution", "")
			return
		}
		id, pw, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(e.cfg.SecretID)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pw), []byte(e.cfg.SecretPassword)) != 1 {
			writeError(sw, http.StatusUnauthorized, "authentication_failed", "Credentials provided are not valid", "")
			return
		}
		if status, code, msg := e.fault.refusal(r); status != 0 {
			writeError(sw, status, code, msg, "")
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// apiError is one entry of Belvo's error array.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Field     string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, []apiError{{Code: code, Message: msg, RequestID: newHexID(), Field: field}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// paging reads page and page_size as Belvo does: page 1-based, page_size
// defaulting to 100 and clamped to 1000.
func paging(v url.Values) (page, size int, err error) {
	page, size = 1, defaultPageSize
	if s := v.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			return 0, 0, fmt.Errorf("invalid page %q", s)
		}
	}
	if s := v.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("invalid page_size %q", s)
		}
		size = min(n, maxPageSize)
	}
	return page, size, nil
}

// pageURL is the URL of another page of the same query, filters kept.
func (e *Emulator) pageURL(r *http.Request, page int) string {
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if e.cfg.Faults.ForeignNext != "" {
		host = e.cfg.Faults.ForeignNext
	}
	return scheme + "://" + host + r.URL.Path + "?" + q.Encode()
}

// writePage writes Belvo's envelope around raw records without decoding
// them again: serving thousands of records stays cheap.
func (e *Emulator) writePage(w http.ResponseWriter, r *http.Request, raws [][]byte) {
	page, size, err := paging(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid", err.Error(), "page")
		return
	}
	start := (page - 1) * size
	if start > 0 && start >= len(raws) {
		writeError(w, http.StatusNotFound, "not_found", "Invalid page.", "")
		return
	}
	end := min(start+size, len(raws))
	var head strings.Builder
	fmt.Fprintf(&head, `{"count":%d,"next":`, len(raws))
	if end < len(raws) {
		writeString(&head, e.pageURL(r, page+1))
	} else {
		head.WriteString("null")
	}
	head.WriteString(`,"previous":`)
	if page > 1 {
		writeString(&head, e.pageURL(r, page-1))
	} else {
		head.WriteString("null")
	}
	head.WriteString(`,"results":[`)
	const tail = "]}"
	n := head.Len() + len(tail)
	for i, raw := range raws[start:end] {
		n += len(raw)
		if i > 0 {
			n++
		}
	}
	// A known length lets the client read the page into one buffer of the
	// right size, and the records go out as they are stored, not copied
	// into a page first.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	// The response's own buffer is 4 kB: a 7 kB record would be one write
	// system call each.
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString(head.String())
	for i, raw := range raws[start:end] {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(raw)
	}
	bw.WriteString(tail)
	bw.Flush()
}

func writeString(b *strings.Builder, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

func (e *Emulator) listResource(res schemas.Resource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := parseFilter(res, e.flows[res.Name], r.URL.Query())
		if err != nil {
			bf := err.(*badFilter)
			writeError(w, http.StatusBadRequest, "invalid", bf.msg, bf.field)
			return
		}
		recs, err := e.store.list(res, f)
		if _, unknown := err.(errUnknownLink); unknown {
			writeError(w, http.StatusNotFound, "not_found", "Not found.", "")
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
			return
		}
		raws := make([][]byte, len(recs))
		for i, rec := range recs {
			raws[i] = rec.raw
		}
		e.writePage(w, r, raws)
	}
}

func (e *Emulator) listLinks(w http.ResponseWriter, r *http.Request) {
	var raws [][]byte
	for _, l := range e.store.Links() {
		lk, _ := e.store.liveLink(l.ID)
		raw, err := e.store.gen.renderLink(lk)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
			return
		}
		raws = append(raws, raw)
	}
	e.writePage(w, r, raws)
}

func (e *Emulator) getLink(w http.ResponseWriter, r *http.Request) {
	l, ok := e.store.liveLink(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "Not found.", "")
		return
	}
	raw, err := e.store.gen.renderLink(l)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

// asyncAccepted answers Belvo's 202 with a fresh request_id.
func asyncAccepted(w http.ResponseWriter) string {
	id := newHexID()
	writeJSON(w, http.StatusAccepted, map[string]string{"request_id": id})
	return id
}

// postResource is POST on a list path. With X-Belvo-Request-Mode: async it
// answers 202 and later sends the webhook of the retrieval; otherwise it
// answers 201 with the link's records, as Belvo's synchronous mode does.
func (e *Emulator) postResource(res schemas.Resource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Link     string `json:"link"`
			DateFrom string `json:"date_from"`
			DateTo   string `json:"date_to"`
			Type     string `json:"type"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "invalid", "Invalid JSON body.", "")
			return
		}
		if body.Link == "" {
			writeError(w, http.StatusBadRequest, "required", "This field is required.", "link")
			return
		}
		l, ok := e.store.liveLink(body.Link)
		if !ok {
			writeError(w, http.StatusBadRequest, "invalid_link", "The link does not exist.", "link")
			return
		}
		if !strings.EqualFold(r.Header.Get("X-Belvo-Request-Mode"), "async") {
			recs, err := e.store.list(res, filter{link: l.id})
			if err != nil {
				writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
				return
			}
			out := make([]json.RawMessage, 0, min(len(recs), maxPageSize))
			for _, rec := range recs[:min(len(recs), maxPageSize)] {
				out = append(out, rec.raw)
			}
			writeJSON(w, http.StatusCreated, out)
			return
		}
		flow := strings.ToUpper(body.Type)
		if flow != "INFLOW" && flow != "OUTFLOW" {
			flow = "OUTFLOW"
		}
		if _, err := e.store.addFresh(res, l, 2, flow); err != nil {
			writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
			return
		}
		reqID := asyncAccepted(w)
		ev, err := e.asyncPostEvent(res, l, reqID, flow)
		if err != nil {
			e.log.Error("async post event", "err", err)
			return
		}
		e.deliverAsync([]Event{ev})
	}
}

func (e *Emulator) refreshLink(w http.ResponseWriter, r *http.Request) {
	l, ok := e.store.liveLink(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "Not found.", "")
		return
	}
	var body struct {
		FetchResources []string `json:"fetch_resources"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	if left, ok := e.store.refresh(l, e.now(), e.cfg.Cooldown); !ok {
		mins := int(left/time.Minute) + 1
		writeError(w, http.StatusConflict, "link_refreshed",
			fmt.Sprintf("The link has already been refreshed. Please wait %d minutes before trying again.", mins), "")
		return
	}
	reqID := asyncAccepted(w)
	evs, err := e.refreshEvents(l, reqID, body.FetchResources)
	if err != nil {
		e.log.Error("refresh events", "err", err)
		return
	}
	e.deliverAsync(evs)
}

// deleteLink deletes a link; with X-Belvo-Request-Mode: async it answers
// 202 and sends link_deleted (data null) afterwards, else 204.
func (e *Emulator) deleteLink(w http.ResponseWriter, r *http.Request) {
	l, ok := e.store.liveLink(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "Not found.", "")
		return
	}
	e.store.deleteLink(l)
	if !strings.EqualFold(r.Header.Get("X-Belvo-Request-Mode"), "async") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	reqID := asyncAccepted(w)
	e.deliverAsync([]Event{e.linkDeletedEvent(l, reqID, true)})
}
