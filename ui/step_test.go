package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// stepModel is a sandbox model in step mode, not yet started.
func stepModel(t testing.TB, scenario string, w, h int) *Model {
	m := sandboxModel(t, scenario, w, h)
	m.step.on = true
	m.screen = m.home()
	return m
}

// nextPage presses space and waits for the page it leads to: the answer of a request sent, or
// the next page once the walk has made it.
func nextPage(d *driver) {
	d.t.Helper()
	m := d.m
	pg, _ := m.step.page()
	if pg.plan != nil && !pg.sent {
		d.key("space")
		d.until(func() bool { p, _ := m.step.page(); return p.plan == nil && p.hop == pg.hop })
		return
	}
	d.until(func() bool { return len(m.step.pages) > m.step.at+1 || d.walkDone() })
	d.key("space")
}

// TestStepScreens walks every hop of healthy and consent-missing in step mode: before each hop
// the screen says what it is about to do and shows the request, redacted, and nothing is sent
// until space; then what came back, the token handed on and the findings.
func TestStepScreens(t *testing.T) {
	for _, sc := range []struct {
		scenario string
		golden   map[string]bool // the pages kept as goldens ("" = all)
	}{
		{"healthy", nil},
		{"consent-missing", map[string]bool{"3_obo_before": true, "3_obo_after": true, "5_downstream_after": true}},
	} {
		for _, sz := range sizes {
			m := stepModel(t, sc.scenario, sz.w, sz.h)
			d := newDriver(t, m)
			d.exec(m.Init())
			d.until(func() bool { return len(m.step.pages) > 0 })
			seen := map[flows.HopID]bool{}
			for !d.walkDone() || m.step.at < len(m.step.pages)-1 {
				pg, _ := m.step.page()
				hop := m.walk.hops[pg.hop]
				name := fmt.Sprintf("%d_%s_after", pg.hop+1, hop.ID)
				if pg.plan != nil {
					name = fmt.Sprintf("%d_%s_before", pg.hop+1, hop.ID)
					// Held: the hop has sent nothing of its own yet.
					for _, x := range hop.Exchanges {
						if x.Label == pg.plan.Request.Label {
							t.Fatalf("%s: %s was sent before space", name, x.Label)
						}
					}
				}
				seen[hop.ID] = true
				t.Run(fmt.Sprintf("%s/%s_%dx%d", sc.scenario, name, sz.w, sz.h), func(t *testing.T) {
					pinLifetimes(m)
					view := screen(m)
					checkFrame(t, view, sz.w, sz.h)
					want := []string{fmt.Sprintf("Step %d of 5 · %s", pg.hop+1, hop.Title), "step mode"}
					if pg.plan != nil {
						want = append(want, "The request it will send", pg.plan.Request.Method+" ", "space send it")
						if strings.Contains(view, "client_secret") && !strings.Contains(view, "client_secret = [redacted]") {
							t.Fatalf("the secret is not redacted:\n%s", view)
						}
					} else {
						want = append(want, "Answer", "Handed on", "Findings")
					}
					mustContain(t, view, want...)
					if sc.golden == nil || sc.golden[name] {
						requireWalkGolden(t, m)
					}
				})
				nextPage(d)
			}
			if len(seen) != len(m.walk.hops) {
				t.Fatalf("%s %dx%d: the steps showed hops %v, not all %d", sc.scenario, sz.w, sz.h, seen, len(m.walk.hops))
			}
			// Past the last page, space leaves the steps for the overview.
			d.key("space")
			if m.screen != screenOverview || m.step.active() {
				t.Fatalf("space on the last page left screen %d (steps active %v)", m.screen, m.step.active())
			}
		}
	}
}

// TestStepBackAndOpen: b goes back over the pages seen, enter opens the page's hop, esc from it
// returns to the steps.
func TestStepBackAndOpen(t *testing.T) {
	m := stepModel(t, "healthy", 120, 36)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(func() bool { return len(m.step.pages) > 0 })
	nextPage(d) // the answer of the sign-in
	nextPage(d) // before the agent call
	if pg, _ := m.step.page(); pg.hop != 1 || pg.plan == nil {
		t.Fatalf("not before the agent call: %+v", pg)
	}
	d.key("b", "b")
	if pg, _ := m.step.page(); pg.hop != 0 || pg.plan == nil || m.step.at != 0 {
		t.Fatalf("b b did not return to the first page: at %d %+v", m.step.at, pg)
	}
	mustContain(t, screen(m), "Step 1 of 5 · User sign-in", "The request it sent", "page 1 of 3")
	d.key("enter")
	if m.screen != screenHop || m.hop.shown() != 0 {
		t.Fatalf("enter opened screen %d hop %d", m.screen, m.hop.shown())
	}
	d.key("esc")
	if m.screen != screenStep {
		t.Fatalf("esc from the hop went to screen %d, not the steps", m.screen)
	}
	// The walk still waits on the agent call: nothing was sent while the person looked back.
	if m.walk.hops[1].Status != flows.StatusRunning || m.walk.held != flows.HopAgent {
		t.Fatalf("the agent call is %s (held %q)", m.walk.hops[1].Status, m.walk.held)
	}
	d.key("S")
	if m.step.on || m.screen != screenOverview {
		t.Fatal("S did not turn step mode off")
	}
	d.until(d.walkDone)
	mustContain(t, screen(m), "walk complete")
}
