package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// TestPickerCursorAndScrollHints: the scenario picker marks its cursor row with ▸ (visible
// without colour) and says how many scenarios are scrolled away above and below (QA U5, U10).
func TestPickerCursorAndScrollHints(t *testing.T) {
	all := sandboxScenarios()
	at := -1
	for i, sc := range all {
		if sc.Name == "v1-mcp-tokens" {
			at = i
		}
	}
	if at < 10 || len(all)-at < 11 {
		t.Fatalf("v1-mcp-tokens is scenario %d of %d: the test needs it below the first page and not last", at, len(all))
	}
	m := sandboxModel(t, "v1-mcp-tokens", 80, 24)
	press(m, "s")
	if m.picker.list.height != 10 {
		t.Fatalf("the picker shows %d rows at 80×24, want 10", m.picker.list.height)
	}
	// The cursor starts on the running scenario, the first row of the window.
	above, below := at, len(all)-at-10
	view := screen(m)
	checkFrame(t, view, 80, 24)
	mustContain(t, view,
		fmt.Sprintf("   type to filter%s↑ %d more │", strings.Repeat(" ", 47), above),
		"│ ▸ ● v1-mcp-tokens ",
		"│     "+all[at+1].Name+" ",
		fmt.Sprintf("│ ── ↓ %d more ──", below))
	if strings.Count(view, "▸") != 2 { // the picker's cursor and the rail's, under the overlay
		t.Fatalf("want one ▸ in the picker:\n%s", view)
	}
	press(m, "home")
	view = screen(m)
	mustContain(t, view, "│ ▸   "+all[0].Name+" ", fmt.Sprintf("│ ── ↓ %d more ──", len(all)-10))
	if strings.Contains(view, "↑ ") {
		t.Fatalf("a hint above at the top of the list:\n%s", view)
	}
	press(m, "end")
	view = screen(m)
	mustContain(t, view, "│ ▸   "+all[len(all)-1].Name+" ", fmt.Sprintf("↑ %d more │", len(all)-10))
	if strings.Contains(view, " more ──") {
		t.Fatalf("a hint below at the end of the list:\n%s", view)
	}
}

// TestScenarioSwitch chooses another scenario in the picker: the sandbox restarts on it and the
// walk runs again, live.
func TestScenarioSwitch(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("s")
	for i, sc := range m.picker.scenarios {
		if sc.Name == "passthrough" {
			m.picker.list.to(i)
		}
	}
	d.key("enter")
	d.until(func() bool { return m.walk.scenario == "passthrough" && d.walkDone() })
	view := screen(m)
	mustContain(t, view, "scenario passthrough", "First error", "mcp.aud-mismatch")
}

// TestSwitchWhileWalking switches scenarios before the first walk ends: the old walk's events
// are dropped and only the last scenario's results show.
func TestSwitchWhileWalking(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(func() bool { return m.walk.hops[0].Status == flows.StatusRunning })
	_, cmd := m.Update(scenarioChosenMsg{name: "wrong-audience"})
	d.exec(cmd)
	_, cmd = m.Update(scenarioChosenMsg{name: "missing-scope"})
	d.exec(cmd)
	d.until(func() bool { return m.walk.scenario == "missing-scope" && d.walkDone() })
	view := screen(m)
	mustContain(t, view, "scenario missing-scope", "agent.missing-scope")
	if strings.Contains(view, "agent.aud-mismatch") {
		t.Fatalf("a replaced walk's finding shows:\n%s", view)
	}
}
