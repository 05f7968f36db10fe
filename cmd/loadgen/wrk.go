package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// webhookScript makes wrk send the bodies of idRange.body.
//
//go:embed webhook.lua
var webhookScript []byte

// wrkThreads is wrk's threads: one per core of the machine the benchmarks
// were written for, beside the receiver and the broker.
const wrkThreads = 2

// wrkLoad posts for dur with wrk, a C load generator cheaper per request
// than loadgen's own client, so that more of the shared cores go to the
// receiver. Latencies are wrk's, measured by its threads.
func wrkLoad(ctx context.Context, target string, conns int, dur time.Duration, ids *idRange) (result, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return result{}, fmt.Errorf("-tool wrk: %w (Debian: apt-get install wrk)", err)
	}
	script, err := os.CreateTemp("", "loadgen-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(script.Name())
	if _, err := script.Write(webhookScript); err != nil {
		return result{}, err
	}
	if err := script.Close(); err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(wrkThreads), "-c", strconv.Itoa(conns),
		"-d", strconv.Itoa(max(1, int(dur.Seconds())))+"s", "--timeout", "10s", "-s", script.Name(), target,
		"--", fmt.Sprintf("%016x", ids.base))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	_, line, ok := bytes.Cut(out, []byte("WRKRESULT "))
	if !ok {
		return result{}, fmt.Errorf("wrk printed no result: %s", out)
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	var w struct {
		Requests     int     `json:"requests"`
		StatusErrors int     `json:"status_errors"`
		SocketErrors int     `json:"socket_errors"`
		Seconds      float64 `json:"seconds"`
		P50          float64 `json:"p50_us"`
		P99          float64 `json:"p99_us"`
		P999         float64 `json:"p999_us"`
		Max          float64 `json:"max_us"`
		Threads      int     `json:"threads"`
		MostPer      uint64  `json:"most_per_thread"`
	}
	if err := json.Unmarshal(line, &w); err != nil {
		return result{}, fmt.Errorf("wrk result %q: %w", line, err)
	}
	// wrk counts an answer of 400 or above as a status error and everything
	// else as a response; a transport error is no response at all.
	r := result{Load: "max", Seconds: w.Seconds, OK: w.Requests - w.StatusErrors, NotOK: w.StatusErrors + w.SocketErrors,
		Answers: map[string]int{"2xx/3xx": w.Requests - w.StatusErrors}}
	if w.StatusErrors > 0 {
		r.Answers[">=400"] = w.StatusErrors
	}
	if w.SocketErrors > 0 {
		r.Answers["error"] = w.SocketErrors
	}
	r.IDs = fmt.Sprintf("%016x%04x%012x..%016x%04x%012x", ids.base, 0, 0, ids.base, max(w.Threads, 1)-1, max(w.MostPer, 1)-1)
	if w.Seconds > 0 {
		r.Rate = float64(r.OK) / w.Seconds
	}
	r.P50, r.P99, r.P999, r.Max = w.P50/1000, w.P99/1000, w.P999/1000, w.Max/1000
	return r, nil
}
