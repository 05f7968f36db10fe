package emulator

import (
	"math/rand/v2"
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

// burstPage is what Belvo's edge answers above its burst limit: an HTML
// page, not the JSON error array.
const burstPage = `<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>403 Forbidden</h1></center>
</body>
</html>
`
