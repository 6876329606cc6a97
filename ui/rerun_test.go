package ui

import (
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// TestRerunMarksLaterHops: after R on hop 1, hops 2–5 still show what they did with the old
// sign-in token: the rail says "earlier" in their time column and the status line says which
// hops show the earlier run, until r walks the chain again.
func TestRerunMarksLaterHops(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("g", "R")
	d.until(func() bool { return !m.walk.running })
	for n := 2; n <= 5; n++ {
		if row := railRow(t, m, n); !strings.HasSuffix(row, " earlier") {
			t.Fatalf("row %d %q does not say it is from the earlier run", n, row)
		}
	}
	if row := railRow(t, m, 1); strings.HasSuffix(row, " earlier") {
		t.Fatalf("the re-run hop is marked earlier: %q", row)
	}
	status := strings.TrimRight(strings.Split(screen(m), "\n")[34], " ")
	if want := " ✓ hop 1 re-run complete · no error · hops 2–5 show the earlier run (r re-runs the walk)"; status != want {
		t.Fatalf("status %q, want %q", status, want)
	}
	// Re-running hop 3 next leaves it current, but not hops 2, 4 and 5.
	d.key("down", "down", "R")
	d.until(func() bool { return !m.walk.running })
	if got := m.walk.staleText(); got != "hops 2, 4, 5" {
		t.Fatalf("stale after R on hop 3: %q", got)
	}
	d.key("r")
	d.until(d.walkDone)
	if strings.Contains(screen(m), "earlier") {
		t.Fatalf("a whole walk leaves hops marked earlier:\n%s", screen(m))
	}

	ws := walkState{chain: flows.HopsFor(flows.Config{})}
	ws.reset()
	for i := range ws.hops {
		ws.hops[i].Status = flows.StatusOK
	}
	ws.rerunning(3)
	if got := ws.staleText(); got != "hop 5" {
		t.Fatalf("R on hop 4: %q", got)
	}
	ws.rerunning(4)
	if got := ws.staleText(); got != "" {
		t.Fatalf("R on hop 4 then 5: %q", got)
	}
}

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
