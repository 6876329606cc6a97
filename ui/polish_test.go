package ui

import (
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
