package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// answers counts ingest's answers to every delivery attempt.
type answers struct {
	attempts, ok, unavailable, refused, noAnswer, other int
	others                                              map[int]int
}

func countAnswers(ds []emulator.Delivery) answers {
	a := answers{others: map[int]int{}}
	for _, d := range ds {
		for _, at := range d.Attempts {
			a.attempts++
			switch {
			case at.Status >= 200 && at.Status < 300:
				a.ok++
			case at.Status == 503:
				a.unavailable++
			case at.Status == 0 && at.Refused:
				a.refused++
			case at.Status == 0:
				a.noAnswer++ // timeout, reset: the request may have been stored
			default:
				a.other++
				a.others[at.Status]++
			}
		}
	}
	return a
}

// report prints the run's report and returns why it failed, nil when it
// passed: nothing lost, nothing twice after FINAL, nothing unexplained.
func (c *chaos) report(runErr error) error {
	w := c.out
	var problems []string
	if runErr != nil {
		problems = append(problems, runErr.Error())
	}
	fmt.Fprintf(w, "\n== chaos run %s, %v ==\n", c.prefix, time.Since(c.t0).Round(time.Second))

	if len(c.faults) > 0 {
		fmt.Fprintln(w, "faults (at: since the run began; took: until every role answered /readyz 200 again):")
		for _, f := range c.faults {
			fmt.Fprintf(w, "  %-19s at %6.1fs  took %5.1fs  %s", f.name, f.at.Seconds(), f.took.Seconds(), f.note)
			if len(f.notReady) > 0 {
				fmt.Fprintf(w, "; /readyz not 200 (1 s samples): %s", countsText(f.notReady))
			}
			if f.err != nil {
				fmt.Fprintf(w, "; FAILED: %v", f.err)
			}
			fmt.Fprintln(w)
		}
	}
	if c.watch != nil {
		if d, ok := c.watch.firstRowsAfter(); ok {
			fmt.Fprintf(w, "sink's first rows: %.1fs after its fresh topics got their first messages (bound %v)\n", max(d, 0).Seconds(), c.o.firstRows)
		}
		var idle []string
		for n, d := range c.watch.idleMax() {
			idle = append(idle, fmt.Sprintf("%s %v", n, d.Round(time.Second)))
		}
		sort.Strings(idle)
		fmt.Fprintf(w, "longest time with work waiting and no progress: %s (bound %v)\n", strings.Join(idle, ", "), c.o.stall)
	}
	var exits []string
	for _, r := range []*role{c.ingest, c.fetcher, c.sink} {
		if r != nil {
			exits = append(exits, r.unplanned...)
		}
	}
	if len(exits) == 0 {
		fmt.Fprintln(w, "exits nobody asked for: none")
	} else {
		fmt.Fprintf(w, "exits nobody asked for (the role was started again, as Kubernetes would): %d\n  %s\n", len(exits), strings.Join(exits, "\n  "))
	}

	if c.emu != nil {
		ds := c.emu.Deliveries()
		delivered, undelivered := 0, 0
		for _, d := range ds {
			if d.Delivered {
				delivered++
			} else {
				undelivered++
			}
		}
		fmt.Fprintf(w, "webhooks: %d sent (scenario %d, load %d), %d acknowledged, %d given up after Belvo's retries\n",
			len(ds), len(c.scenario), c.load.Sent, delivered, undelivered)
		a := countAnswers(ds)
		fmt.Fprintf(w, "ingest answers to %d attempts: 2xx %d, 503 %d, refused %d, no answer %d, other %d%s\n",
			a.attempts, a.ok, a.unavailable, a.refused, a.noAnswer, a.other, othersText(a.others))
		if undelivered > 0 {
			problems = append(problems, fmt.Sprintf("%d webhooks were never acknowledged within Belvo's retries (lost at the door)", undelivered))
		}
	}
	fmt.Fprintf(w, "dead letters: %.0f; reconciliations that disagree: %d; scenario checks: %d passed, %d failed\n",
		c.deadLetters, c.disagree, c.verified-c.verifyFailed, c.verifyFailed)
	if c.disagree > 0 {
		problems = append(problems, fmt.Sprintf("%d reconciliations disagree", c.disagree))
	}
	for _, ch := range c.failedChecks {
		fmt.Fprintf(w, "  scenario check FAILED: %s\n", ch)
	}
	if c.verifyFailed > 0 {
		problems = append(problems, fmt.Sprintf("%d scenario checks failed", c.verifyFailed))
	}

	if c.figures == nil {
		problems = append(problems, "ClickHouse could not be compared with the emulator")
	} else {
		fmt.Fprintln(w)
		printFigures(w, c.figures)
		t := total(c.figures)
		if t.missing > 0 {
			problems = append(problems, fmt.Sprintf("%d rows missing", t.missing))
		}
		if t.dups > 0 {
			problems = append(problems, fmt.Sprintf("%d duplicates after FINAL", t.dups))
		}
		if t.extra > 0 {
			problems = append(problems, fmt.Sprintf("%d rows no webhook explains", t.extra))
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\nresult: FAILED\n")
		return errors.New(strings.Join(problems, "; "))
	}
	t := total(c.figures)
	fmt.Fprintf(w, "\nresult: PASSED: %d rows expected, 0 missing, 0 duplicates after FINAL, 0 unexpected\n", t.expected)
	return nil
}

func countsText(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func othersText(m map[int]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%d: %d", k, v))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}
