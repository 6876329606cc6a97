package ui

import (
	"context"
	"regexp"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// fixedSandbox starts real sandboxes on the tests' fixed clock, so tokens, times and goldens
// are the same on every run.
func fixedSandbox(t testing.TB) SandboxStarter {
	return func(ctx context.Context, scenario string) (flows.Config, func(), error) {
		s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true, Now: fixedNow})
		if err != nil {
			return flows.Config{}, nil, err
		}
		return s.Config(""), func() { _ = s.Close() }, nil
	}
}

// sandboxModel is a walk-mode model on a real sandbox, not yet started.
func sandboxModel(t testing.TB, scenario string, w, h int) *Model {
	t.Helper()
	mc := modelConfig{
		mode:         "sandbox",
		ctx:          context.Background(),
		scenario:     scenario,
		startSandbox: fixedSandbox(t),
		walkOpts:     flows.WalkOptions{Now: fixedNow},
		scenarios:    sandboxScenarios(),
		exportDir:    t.TempDir(),
	}
	m := newTestModel(t, mc, w, h)
	t.Cleanup(m.shutdown)
	return m
}

// driver runs a model's commands for real (sandbox, walk, clipboard, export) and feeds their
// messages back one at a time, the way bubbletea's loop does.
type driver struct {
	t    testing.TB
	m    *Model
	msgs chan tea.Msg
}

func newDriver(t testing.TB, m *Model) *driver {
	return &driver{t: t, m: m, msgs: make(chan tea.Msg, 256)}
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// until feeds messages until cond holds, failing after a timeout.
func (d *driver) until(cond func() bool) {
	d.t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					d.exec(c)
				}
				continue
			}
			_, cmd := d.m.Update(msg)
			d.exec(cmd)
		case <-deadline:
			d.t.Fatalf("timed out; screen:\n%s", screen(d.m))
		}
	}
}

// key presses k and runs what it asks for.
func (d *driver) key(keys ...string) {
	for _, k := range keys {
		_, cmd := d.m.Update(keyMsg(k))
		d.exec(cmd)
	}
}

// walkDone reports whether the last walk ended.
func (d *driver) walkDone() bool {
	return !d.m.walk.running && !d.m.walk.starting && d.m.walk.report != nil
}

// runWalk starts the model and waits for the walk to end.
func runWalk(t testing.TB, m *Model) *driver {
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(d.walkDone)
	return d
}

// volatile are the parts of a screen that change from run to run even on a fixed clock: the
// sandbox's port and the random device code.
var volatile = []*regexp.Regexp{
	regexp.MustCompile(`127\.0\.0\.1:\d+`),
}

func TestWalkHealthy(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	t.Log("\n" + screen(m))
	for i := range flows.Hops {
		m.openHop(i, hopTabSummary)
		t.Log("\n" + screen(m))
	}
}
