package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// testEnv is the settings of a test's pipeline (testenv.PipelineEnv);
// overrides win.
func testEnv(t *testing.T, db string, overrides map[string]string) map[string]string {
	t.Helper()
	env := testenv.PipelineEnv(t, db)
	for k, v := range overrides {
		env[k] = v
	}
	return env
}

// settleScenario sends the emulator's scenario through p, and returns the
// pipeline's progress once it settled.
func settleScenario(t *testing.T, ctx context.Context, p *Pipeline) Progress {
	t.Helper()
	if _, err := p.RunScenario(ctx); err != nil {
		t.Fatal(err)
	}
	pr, err := p.WaitSettled(ctx, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// newPipeline builds the pipeline of env, its logs kept for a failure.
func newPipeline(t *testing.T, env map[string]string, logLines int) *Pipeline {
	t.Helper()
	p, err := New(func(k string) string { return env[k] }, testenv.Logger(t, logLines))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startPipeline runs the pipeline of env until the test ends (it must then
// stop without an error) and returns it ready, with a context bounded by
// within for the test's own waits.
func startPipeline(t *testing.T, env map[string]string, logLines int, within time.Duration) (*Pipeline, context.Context) {
	t.Helper()
	p := newPipeline(t, env, logLines)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	stop, err := p.Start(ctx)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("pipeline stopped with %v", err)
		}
		cancel()
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, ctx
}

// stopsAtStart runs the pipeline of env, which must stop by itself within
// two minutes, and returns the error it stopped with.
func stopsAtStart(t *testing.T, env map[string]string) error {
	t.Helper()
	p := newPipeline(t, env, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := p.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("still running after two minutes")
	}
	return err
}
