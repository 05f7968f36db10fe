package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEmulatorCommandRunsTheScenarioFromEnvAndFlags pins the subcommand's
// wiring: env and flags reach the emulator, --scenario sends its events
// (the institution-status one last) to EMULATOR_WEBHOOK_URL, and the
// command returns nil once its context ends.
func TestEmulatorCommandRunsTheScenarioFromEnvAndFlags(t *testing.T) {
	statusSeen := make(chan struct{}, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/webhooks/institution-status" && r.Header.Get("Authorization") == "Bearer t0k" {
			statusSeen <- struct{}{}
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hook.Close()
	env := map[string]string{
		"EMULATOR_WEBHOOK_URL":           hook.URL + "/webhooks/belvo",
		"EMULATOR_WEBHOOK_AUTHORIZATION": "Bearer t0k",
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runEmulator(ctx, &runEnv{getenv: func(k string) string { return env[k] }, stdout: io.Discard, log: slog.New(slog.DiscardHandler)},
			[]string{"--addr", "127.0.0.1:0", "--records", "5", "--scenario"})
	}()
	select {
	case <-statusSeen:
	case err := <-done:
		t.Fatalf("emulator stopped early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no institution-status webhook within 30s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("emulator returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulator still running 10s after cancel")
	}
}

// TestEmulatorCommandRefusesScenarioWithoutWebhookURL pins the early,
// named error.
func TestEmulatorCommandRefusesScenarioWithoutWebhookURL(t *testing.T) {
	err := runEmulator(t.Context(), &runEnv{getenv: func(string) string { return "" }, stdout: io.Discard, log: slog.New(slog.DiscardHandler)},
		[]string{"--scenario"})
	if err == nil || !strings.Contains(err.Error(), "EMULATOR_WEBHOOK_URL") {
		t.Fatalf("err = %v", err)
	}
}
