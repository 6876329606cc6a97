package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
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

// TestFitSections: the overview's hop box keeps whole items, never shows a heading without one
// of its items, and ends with a line that names what it left out by kind (QA U2).
func TestFitSections(t *testing.T) {
	s := NewStyles(true)
	story := summarySection{hidden: "the rest of the story", items: [][]string{{"   story 1"}, {"   story 2"}}}
	finds := summarySection{head: []string{" Findings"}, noun: "finding", items: [][]string{{"   ERROR a", "     Fix: x", "          y"}, {"   WARN b", "     Fix: z"}}}
	toks := summarySection{head: []string{" Tokens"}, noun: "token", items: [][]string{{"   user token", "     verified"}}}
	http := summarySection{head: []string{" HTTP"}, noun: "HTTP exchange", items: [][]string{{"   GET 1"}, {"   POST 2"}, {"   POST 3"}}}
	tests := []struct {
		name string
		secs []summarySection
		n, w int
		want []string
	}{
		{"all fits", []summarySection{story, http}, 7, 60,
			[]string{"   story 1", "   story 2", "", " HTTP", "   GET 1", "   POST 2", "   POST 3"}},
		{"cut inside a section counts its items", []summarySection{story, http}, 6, 60,
			[]string{"   story 1", "   story 2", "", " HTTP", "   GET 1", "   … 2 more HTTP exchanges; enter opens the hop"}},
		{"a heading without an item is dropped", []summarySection{story, toks, http}, 5, 60,
			[]string{"   story 1", "   story 2", "   … 1 token, 3 HTTP exchanges; enter opens the hop"}},
		{"a finding with its fix shows whole or not at all", []summarySection{finds, http}, 6, 60,
			[]string{" Findings", "   ERROR a", "     Fix: x", "          y", "   … 1 more finding, 3 HTTP exchanges; enter opens the hop"}},
		{"story cut", []summarySection{story, toks}, 2, 60,
			[]string{"   story 1", "   … the rest of the story, 1 token; enter opens the hop"}},
		{"too narrow to name them", []summarySection{story, toks, http}, 3, 40,
			[]string{"   story 1", "   story 2", "   … more: enter opens the hop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitSections(s, tt.secs, tt.n, tt.w)
			for i := range got {
				got[i] = ansi.Strip(got[i])
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(got) > tt.n {
				t.Fatalf("%d lines for %d", len(got), tt.n)
			}
		})
	}
}
