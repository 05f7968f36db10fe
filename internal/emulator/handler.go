package emulator

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
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
	methods := map[string][]string{} // path pattern → the methods it serves
	handle := func(method, path string, h http.HandlerFunc) {
		path += "{$}" // the path itself, not the paths below it
		api.HandleFunc(method+" "+path, h)
		methods[path] = append(methods[path], method)
	}
	handle(http.MethodGet, "/api/links/", e.listLinks)
	handle(http.MethodGet, "/api/links/{id}/", e.getLink)
	handle(http.MethodDelete, "/api/links/{id}/", e.deleteLink)
	handle(http.MethodPost, "/api/links/{id}/refresh/", e.refreshLink)
	for _, r := range schemas.Resources {
		handle(http.MethodGet, r.Path, e.listResource(r))
		if r.AsyncPost {
			handle(http.MethodPost, r.Path, e.postResource(r))
		}
	}
	// A path served with other methods answers 405, as Belvo's API does;
	// a path it does not serve at all, 404. (Method-less patterns beside
	// the method ones would conflict in one router.)
	allowed := http.NewServeMux()
	for path, ms := range methods {
		allowed.HandleFunc(path, methodNotAllowed(ms))
	}
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := allowed.Handler(r); pattern != "" {
			h.ServeHTTP(w, r)
			return
		}
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
		if status, body := e.fault.refusal(r); status != 0 {
			writeJSON(sw, status, body)
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// methodNotAllowed answers 405 with Belvo's error array and the Allow
// header (HEAD goes with GET, as Go's router serves it).
func methodNotAllowed(methods []string) http.HandlerFunc {
	allow := slices.Clone(methods)
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	allow = append(allow, http.MethodOptions)
	slices.Sort(allow)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("Method %q not allowed.", r.Method), "")
	}
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
	linkRequired := slices.Contains(schemas.LinkRequired, res.Name)
	return func(w http.ResponseWriter, r *http.Request) {
		if linkRequired && r.URL.Query().Get("link") == "" {
			writeError(w, http.StatusBadRequest, "required", "This field is required.", "link")
			return
		}
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
// The body is checked against the spec's (schemas.AsyncBodies) first.
func (e *Emulator) postResource(res schemas.Resource) http.HandlerFunc {
	spec, _ := schemas.AsyncBodyOf(res.Name)
	return func(w http.ResponseWriter, r *http.Request) {
		body, bad := e.postBody(spec, r)
		if bad != nil {
			writeError(w, http.StatusBadRequest, bad.code, bad.msg, bad.field)
			return
		}
		l, ok := e.store.liveLink(body.link)
		if !ok {
			writeError(w, http.StatusBadRequest, "invalid_link", "The link does not exist.", "link")
			return
		}
		if !strings.EqualFold(r.Header.Get("X-Belvo-Request-Mode"), "async") {
			recs, err := e.store.list(res, body.selection(res, l))
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
		// The retrieval finds records added at the institution today: only
		// a range reaching today can see them.
		if body.to == "" || body.to >= e.today() {
			flow := body.flow
			if flow == "" {
				flow = "OUTFLOW"
			}
			if _, err := e.store.addFresh(res, l, 2, flow); err != nil {
				writeError(w, http.StatusInternalServerError, "unexpected_error", err.Error(), "")
				return
			}
		}
		reqID := asyncAccepted(w)
		ev, err := e.asyncPostEvent(res, l, reqID, body.flow, body.selection(res, l))
		if err != nil {
			e.log.Error("async post event", "err", err)
			return
		}
		e.deliverAsync([]Event{ev})
	}
}

// postBody is a POST body the spec accepts.
type postBody struct {
	link     string
	from, to string // YYYY-MM-DD, "" when the body has no range
	flow     string // INFLOW or OUTFLOW, "" when the body has no type
}

// fieldError is a 400 of Belvo's naming the member at fault.
type fieldError struct{ code, msg, field string }

// postBody reads and checks r's body as Belvo's serializers do: required
// members present and not null or blank, dates in YYYY-MM-DD with
// date_from not after date_to and date_to not after today, type one of
// its choices. Members the spec does not declare are ignored, as Django
// REST framework ignores them.
func (e *Emulator) postBody(spec schemas.AsyncBody, r *http.Request) (postBody, *fieldError) {
	var m map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil || m == nil {
		return postBody{}, &fieldError{"invalid", "Invalid JSON body.", ""}
	}
	text := func(name string) (string, *fieldError) {
		raw, ok := m[name]
		if !ok || !spec.Takes(name) {
			if spec.Needs(name) {
				return "", &fieldError{"required", "This field is required.", name}
			}
			return "", nil
		}
		if string(raw) == "null" {
			return "", &fieldError{"null", "This field may not be null.", name}
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", &fieldError{"invalid", "Not a valid string.", name}
		}
		if strings.TrimSpace(s) == "" {
			return "", &fieldError{"blank", "This field may not be blank.", name}
		}
		return s, nil
	}
	var b postBody
	var bad *fieldError
	// In the spec's order of required members, so the first one missing is named.
	fields := []struct {
		name string
		dst  *string
	}{{schemas.BodyLink, &b.link}, {schemas.BodyDateFrom, &b.from}, {schemas.BodyDateTo, &b.to}, {schemas.BodyType, &b.flow}}
	for _, f := range fields {
		if *f.dst, bad = text(f.name); bad != nil {
			return postBody{}, bad
		}
	}
	for _, d := range []struct{ name, v string }{{schemas.BodyDateFrom, b.from}, {schemas.BodyDateTo, b.to}} {
		if _, err := time.Parse(dateLayout, d.v); d.v != "" && (err != nil || len(d.v) != len(dateLayout)) {
			return postBody{}, &fieldError{"invalid", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.", d.name}
		}
	}
	switch {
	case (b.from == "") != (b.to == ""):
		missing := schemas.BodyDateTo
		if b.from == "" {
			missing = schemas.BodyDateFrom
		}
		return postBody{}, &fieldError{"required", "This field is required.", missing}
	case b.from > b.to:
		return postBody{}, &fieldError{"invalid", "The value of date_from cannot be greater than date_to.", schemas.BodyDateFrom}
	case b.to > e.today():
		return postBody{}, &fieldError{"invalid", "The value of date_to cannot be greater than today's date.", schemas.BodyDateTo}
	}
	if b.flow != "" && b.flow != "INFLOW" && b.flow != "OUTFLOW" {
		return postBody{}, &fieldError{"invalid_choice", fmt.Sprintf("%q is not a valid choice.", b.flow), schemas.BodyType}
	}
	return b, nil
}

// selection is the filter choosing the records a body asked for: the
// link's, narrowed by its type and by its range on the resource's date.
func (b postBody) selection(res schemas.Resource, l *link) filter {
	f := filter{link: l.id, flow: b.flow}
	if b.from == "" {
		return f
	}
	spec, _ := schemas.AsyncBodyOf(res.Name)
	r := [2]string{b.from, b.to}
	switch spec.RangeFilter {
	case schemas.FilterValueDateRange:
		f.valueDate = r
	case schemas.FilterInvoiceDateRange:
		f.invoiceDate = r
	case schemas.FilterCreatedAtRange:
		f.created = r
	}
	return f
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
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil && err != io.EOF {
		writeError(w, http.StatusBadRequest, "invalid", "Invalid JSON body.", "")
		return
	}
	if unknown := unsupportedResources(body.FetchResources); len(unknown) > 0 {
		writeError(w, http.StatusBadRequest, "invalid", "The institution only supports the following resources: "+
			strings.Join(refreshable(), ", "), schemas.BodyFetchResources)
		return
	}
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

// refreshable lists the resources a refresh can be asked for: the webhook
// types of the resources the emulator serves.
func refreshable() []string {
	var out []string
	for _, r := range schemas.Resources {
		out = append(out, r.WebhookType)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func unsupportedResources(names []string) []string {
	ok := refreshable()
	var out []string
	for _, n := range names {
		if !slices.Contains(ok, n) {
			out = append(out, n)
		}
	}
	return out
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
