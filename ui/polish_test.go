package ui

import (
	"fmt"
	"strings"
	"testing"
)

// selectedRow is the overview's rail row that carries the ▸ marker.
func selectedRow(t *testing.T, m *Model) string {
	t.Helper()
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.HasPrefix(l, " ▸ ") {
			return strings.Join(strings.Fields(l)[:6], " ")
		}
	}
	t.Fatalf("no selected row on the overview:\n%s", screen(m))
	return ""
}

// TestRerunHopKeepsSelection: R re-runs the selected hop and leaves the selection on it; only a
// run of the whole walk (r) jumps to the first error (QA U12).
func TestRerunHopKeepsSelection(t *testing.T) {
	m := sandboxModel(t, "consent-missing", 120, 36)
	d := runWalk(t, m)
	if got, want := selectedRow(t, m), "▸ ✗ 3 OBO exchange failed"; got != want {
		t.Fatalf("after the walk the selection is %q, want %q (the first error)", got, want)
	}
	d.key("down", "R")
	if !m.walk.running || m.walk.runHop != "mcp" {
		t.Fatalf("R did not start a re-run of hop 4: running %v, runHop %q", m.walk.running, m.walk.runHop)
	}
	d.until(func() bool { return !m.walk.running })
	if got, want := selectedRow(t, m), "▸ – 4 MCP call skipped"; got != want {
		t.Fatalf("after R on hop 4 the selection is %q, want %q", got, want)
	}
	mustContain(t, screen(m), "✗ hop 4 re-run complete", "Hop 4 · Call the MCP server")
	d.key("r")
	d.until(d.walkDone)
	if got, want := selectedRow(t, m), "▸ ✗ 3 OBO exchange failed"; got != want {
		t.Fatalf("after r the selection is %q, want %q (the first error)", got, want)
	}
}

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
		fmt.Sprintf("│   ↑ %d more ", above),
		"│ ▸ ● v1-mcp-tokens ",
		"│     "+all[at+1].Name+" ",
		fmt.Sprintf("│ ── ↓ %d more ──", below))
	if strings.Count(view, "▸") != 2 { // the picker's cursor and the rail's, under the overlay
		t.Fatalf("want one ▸ in the picker:\n%s", view)
	}
	press(m, "g")
	view = screen(m)
	mustContain(t, view, "│ ▸   "+all[0].Name+" ", fmt.Sprintf("│ ── ↓ %d more ──", len(all)-10))
	if strings.Contains(view, "↑ ") {
		t.Fatalf("a hint above at the top of the list:\n%s", view)
	}
	press(m, "G")
	view = screen(m)
	mustContain(t, view, "│ ▸   "+all[len(all)-1].Name+" ", fmt.Sprintf("│   ↑ %d more ", len(all)-10))
	if strings.Contains(view, " more ──") {
		t.Fatalf("a hint below at the end of the list:\n%s", view)
	}
}
