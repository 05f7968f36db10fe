package emulator

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faults decides, per API request, whether to misbehave.
type faults struct {
	cfg Faults

	mu     sync.Mutex
	rng    *rand.Rand
	recent []time.Time // arrival times inside the burst window
}

func newFaults(cfg Faults, seed int) *faults {
	return &faults{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(seed), 0xfa017))}
}

// burst reports whether a request arriving at now is over the burst limit.
// Every arrival counts, refused ones too, as at Belvo's edge.
func (f *faults) burst(now time.Time) bool {
	if f.cfg.BurstLimit <= 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cut := now.Add(-f.cfg.BurstWindow)
	i := 0
	for i < len(f.recent) && !f.recent[i].After(cut) {
		i++
	}
	f.recent = append(f.recent[i:], now)
	return len(f.recent) > f.cfg.BurstLimit
}

// status returns an error status to answer with (429, 500, 503), or 0,
// and whether the answer should be slow.
func (f *faults) status() (int, bool) {
	c := f.cfg
	if c.Rate429+c.Rate500+c.Rate503 == 0 && c.SlowRate == 0 {
		return 0, false
	}
	f.mu.Lock()
	x, y := f.rng.Float64(), f.rng.Float64()
	f.mu.Unlock()
	slow := y < c.SlowRate
	switch {
	case x < c.Rate429:
		return 429, slow
	case x < c.Rate429+c.Rate500:
		return 500, slow
	case x < c.Rate429+c.Rate500+c.Rate503:
		return 503, slow
	}
	return 0, slow
}

// refusal is what the API answers r after authentication, when a fault
// applies: a status and Belvo's error array; status 0 means none. Belvo's
// API checks the keys first, so these come after a 401, unlike the edge's
// faults.
func (f *faults) refusal(r *http.Request) (status int, body any) {
	c := f.cfg
	refuse := func(status int, code, message string) (int, any) {
		return status, []apiError{{Code: code, Message: message, RequestID: newHexID()}}
	}
	if matches(c.Denied, r) {
		return refuse(http.StatusForbidden, "access_to_resource_denied", "You don't have access to this resource.")
	}
	if matches(c.TokenRequired, r) {
		// The spec's TokenRequiredResponse: besides code and message, what
		// resuming the login needs, which the pipeline must keep.
		return http.StatusPreconditionRequired, []tokenRequired{{
			apiError: apiError{Code: "token_required", Message: "A MFA token is required by the institution to login", RequestID: newHexID()},
			Session:  newHexID(), Expiry: 9600, Link: requestLink(r),
			TokenGenerationData: tokenGeneration{Instructions: "Use this code to generate the token", Type: "numeric", Value: "12345", ExpectsUserInput: true},
		}}
	}
	if slices.Contains(c.UnavailablePaths, r.URL.Path) {
		return refuse(http.StatusServiceUnavailable, "service_unavailable", "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution")
	}
	if c.TimeoutPageSize > 0 && r.Method == http.MethodGet {
		if n, err := strconv.Atoi(r.URL.Query().Get("page_size")); err == nil && n > c.TimeoutPageSize {
			return refuse(http.StatusRequestTimeout, "request_timeout", "The request timed out, you can retry asking for less data by changing your query parameters")
		}
	}
	return 0, nil
}

// tokenRequired is the entry of a 428 answer (TokenRequiredResponse).
type tokenRequired struct {
	apiError
	Session             string          `json:"session"`
	Expiry              int             `json:"expiry"`
	Link                string          `json:"link,omitempty"`
	TokenGenerationData tokenGeneration `json:"token_generation_data"`
}

type tokenGeneration struct {
	Instructions     string `json:"instructions"`
	Type             string `json:"type"`
	Value            string `json:"value"`
	ExpectsUserInput bool   `json:"expects_user_input"`
}

// matches reports whether a rule of Faults.Denied's form selects r.
func matches(rules []string, r *http.Request) bool {
	for _, d := range rules {
		link, path := deniedRule(d)
		if (link == "" || link == requestLink(r)) && (path == "" || path == r.URL.Path) {
			return true
		}
	}
	return false
}

// deniedRule splits an entry of Faults.Denied into its link and path.
func deniedRule(d string) (link, path string) {
	if strings.HasPrefix(d, "/") {
		return "", d
	}
	link, path, _ = strings.Cut(d, ":")
	return link, path
}

// requestLink is the link a request is about: its link filter, or the id
// of a /api/links/{id}/... path.
func requestLink(r *http.Request) string {
	if l := r.URL.Query().Get("link"); l != "" {
		return l
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/links/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	return ""
}

// burstPage is what Belvo's edge answers above its burst limit: an HTML
// page, not the JSON error array.
const burstPage = `<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>403 Forbidden</h1></center>
</body>
</html>
`
