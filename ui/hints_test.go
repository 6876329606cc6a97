package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestOverviewHintsOneMeaningPerKey: on the overview enter opens the hop and x explains the
// first error, and the hints say so; the hop's Findings tab keeps "x/enter explain finding"
// (QA U6).
func TestOverviewHintsOneMeaningPerKey(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	runWalk(t, m)
	lines := strings.Split(screen(m), "\n")
	if got, want := lines[35], " ? help • ↑/k up • enter open hop • x explain first error • y copy fix • c copy token • s scenarios • r re-run walk …"; got != want {
		t.Fatalf("overview hints\n%q\nwant\n%q", got, want)
	}
	press(m, "?")
	mustContain(t, screen(m), "enter      open hop", "x    explain first error")
	if strings.Contains(screen(m), "x/enter") {
		t.Fatalf("the overview's help gives enter two meanings:\n%s", screen(m))
	}
	press(m, "esc", "enter", "3")
	mustContain(t, screen(m), "x/enter explain finding")
}

// TestHintsOfferXOnlyWithAProblem: the overview's short help offers x only when the walk has a
// first error or failure, and at every width the hint line fits (bubbles' help would let an
// item overflow when its "…" does not fit).
func TestHintsOfferXOnlyWithAProblem(t *testing.T) {
	for _, c := range []struct {
		scenario string
		wantX    bool
	}{{"healthy", false}, {"wrong-audience", true}} {
		m := sandboxModel(t, c.scenario, 120, 36)
		runWalk(t, m)
		for w := 80; w <= 130; w++ {
			m.Update(tea.WindowSizeMsg{Width: w, Height: 36})
			lines := strings.Split(screen(m), "\n")
			hint := lines[len(lines)-1]
			if ansi.StringWidth(hint) > w {
				t.Fatalf("%s at width %d: hint line is %d cells: %q", c.scenario, w, ansi.StringWidth(hint), hint)
			}
			if w == 130 && strings.Contains(hint, "x explain") != c.wantX {
				t.Fatalf("%s: hint line %q, want x offered %v", c.scenario, hint, c.wantX)
			}
		}
	}
}
