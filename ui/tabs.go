package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// tabSpan is where a tab label sits on the tab line, for mouse clicks.
type tabSpan struct{ from, to int }

// renderTabs draws a tab line ("1 Summary  2 Claims  …") with the active tab marked, and returns
// where each label is. badges adds a count after a label (e.g. findings) when non-empty.
func renderTabs(s *Styles, labels []string, badges []string, active int) (string, []tabSpan) {
	var b strings.Builder
	spans := make([]tabSpan, len(labels))
	x := 1
	b.WriteString(" ")
	for i, l := range labels {
		text := fmt.Sprintf("%d %s", i+1, l)
		if i < len(badges) && badges[i] != "" {
			text += " " + badges[i]
		}
		var r string
		if i == active {
			r = s.TabActive.Render(" " + text + " ")
		} else {
			r = s.TabInactive.Render(" " + text + " ")
		}
		w := lipgloss.Width(r)
		spans[i] = tabSpan{x, x + w}
		b.WriteString(r)
		x += w
		if i < len(labels)-1 {
			b.WriteString(s.Faint.Render("│"))
			x++
		}
	}
	return b.String(), spans
}

// tabAt returns the tab under column x.
func tabAt(spans []tabSpan, x int) (int, bool) {
	for i, sp := range spans {
		if x >= sp.from && x < sp.to {
			return i, true
		}
	}
	return 0, false
}
