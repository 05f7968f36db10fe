package main

import (
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// emulatorArgs are the emulator command's settings.
type emulatorArgs struct {
	cfg      emulator.Config
	scenario bool
	load     int
	rate     float64
}

func (a *emulatorArgs) bind(set *config.Set) {
	a.cfg.Bind(set)
	set.Bool(&a.scenario, "scenario", "EMULATOR_SCENARIO", false, "send one webhook per catalogue row once the API is up")
	set.Int(&a.load, "load", "EMULATOR_LOAD", 0, "send this many webhooks once the API is up (load mode)")
	set.Float(&a.rate, "load-rate", "EMULATOR_LOAD_RATE", 100, "webhooks per second in load mode")
}

// runEmulator serves the emulated Belvo API and, when asked, sends the
// scenario's webhooks once and/or a load of N events, then keeps serving
// until the context ends, so the pipeline can fetch what the events name.
func runEmulator(ctx context.Context, env *runEnv, args []string) error {
	var a emulatorArgs
	set := config.New("emulator")
	a.bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	cfg, scenario, load, rate := a.cfg, a.scenario, a.load, a.rate
	if load < 0 || rate <= 0 {
		return config.Invalid("EMULATOR_LOAD", "load", "want load >= 0 and load-rate > 0, got %d and %g", load, rate)
	}
	if (scenario || load > 0) && cfg.WebhookURL == "" {
		return config.Invalid(emulator.EnvWebhookURL, "webhook-url", "must be set for --scenario or --load")
	}
	emu, err := emulator.New(cfg, env.log)
	if err != nil {
		return err
	}
	// Bind before sending anything: a webhook receiver may fetch what an
	// event names the moment it arrives.
	ln, err := net.Listen("tcp", emu.Config().Addr)
	if err != nil {
		return fmt.Errorf("emulator: listen %s: %w", emu.Config().Addr, err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return emu.Serve(ctx, ln) })
	g.Go(func() error {
		if scenario {
			ds, err := emu.RunScenario(ctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("scenario: %w", err)
			}
			failed := 0
			for _, d := range ds {
				if !d.Delivered {
					failed++
				}
			}
			env.log.Info("scenario sent", "events", len(ds), "undelivered", failed)
		}
		if load > 0 {
			st, err := emu.RunLoad(ctx, load, rate)
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("load: %w", err)
			}
			env.log.Info("load sent", "sent", st.Sent, "delivered", st.Delivered, "failed", st.Failed, "elapsed", st.Elapsed.String())
		}
		return nil
	})
	return g.Wait()
}
