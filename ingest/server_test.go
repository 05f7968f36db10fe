package ingest

import (
	"testing"
	"time"
)

// The accepted answer is written by hand; it must read as encoding/json
// would write it, for every request id requestID lets through.
func TestAcceptedBodyIsEncodingJSONs(t *testing.T) {
	for _, id := range []string{"a1b2c3", "belvo-req-42", "x<y>&z", "~!#$%'()*+,-./:;=?@[]^_`{|}"} {
		for _, dup := range []bool{false, true} {
			if got, want := acceptedBody(id, dup), encodeAnswer(answer{Status: "accepted", RequestID: id, Duplicate: dup}); got != want {
				t.Errorf("id %q duplicate %v: got %s, want %s", id, dup, got, want)
			}
		}
	}
}

// A request's context never ends before its budget runs out, at most a
// grain after, and requests whose budgets end in the same grain share one.
func TestDeadlinesEndWithinAGrainAfterTheBudget(t *testing.T) {
	d := deadlines{budget: 4 * time.Second}
	// An hour ahead, so that no context ends by its deadline during the test.
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	for _, offset := range []time.Duration{0, 1, 999_999, 1_000_000, 1_500_000, 7 * time.Second} {
		received := base.Add(offset)
		end, ok := d.until(received).ctx.Deadline()
		if !ok {
			t.Fatal("no deadline")
		}
		if budget := received.Add(d.budget); end.Before(budget) || end.Sub(budget) > deadlineGrain {
			t.Fatalf("received at +%v: ends %v after the budget", offset, end.Sub(budget))
		}
	}
	d = deadlines{budget: 4 * time.Second}
	a, b := d.until(base.Add(100_000)), d.until(base.Add(900_000))
	if a != b {
		t.Fatal("requests within one grain got contexts of their own")
	}
	c := d.until(base.Add(1_100_000))
	if c == a {
		t.Fatal("the next grain's request shares the previous grain's context")
	}
	// A request received a little earlier than the last one still finds
	// its grain's context.
	if d.until(base.Add(500_000)) != a {
		t.Fatal("a request of the previous grain, arriving late, got a context of its own")
	}
	// Sixteen grains on, a's slot goes to another grain; a ends once its
	// three requests are done, not before.
	if d.until(base.Add(16*deadlineGrain+100_000)) == a {
		t.Fatal("a grain sixteen grains on shares a's context")
	}
	for range 3 {
		if a.ctx.Err() != nil {
			t.Fatal("a context ended while a request still used it")
		}
		d.done(a)
	}
	if a.ctx.Err() == nil {
		t.Fatal("a context out of its slot outlived its last request")
	}
	if c.ctx.Err() != nil {
		t.Fatal("a context in its slot ended without reaching its deadline")
	}
}
