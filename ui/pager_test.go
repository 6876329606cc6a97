package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestPagerMarkerOwnLine: when the content does not fit, the position marker takes a line of its
// own under the text and never covers any of it; scrolling reaches the last line.
func TestPagerMarkerOwnLine(t *testing.T) {
	c := &common{styles: NewStyles(true)}
	var p pager
	p.setHeight(4)
	var lines []string
	for i := 1; i <= 10; i++ {
		lines = append(lines, fmt.Sprintf("line %d is long enough to reach the edge", i))
	}
	p.setLines(lines)
	view := func() []string {
		out := strings.Split(ansi.Strip(p.view(c, 40)), "\n")
		for i := range out {
			out[i] = strings.TrimRight(out[i], " ")
		}
		return out
	}
	want := []string{"line 1 is long enough to reach the edge", "line 2 is long enough to reach the edge", "line 3 is long enough to reach the edge", "                              1–3 of 10"}
	if got := view(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("top\n got %q\nwant %q", got, want)
	}
	p.scroll(100)
	if got := view(); got[2] != "line 10 is long enough to reach the edge" || got[3] != "                             8–10 of 10" {
		t.Fatalf("bottom %q", got)
	}
	p.setLines(lines[:4])
	if got := view(); got[3] != "line 4 is long enough to reach the edge" {
		t.Fatalf("content that fits gets a marker: %q", got)
	}
}

// TestExplainScrollMarker: the explain overlay's position marker sits alone on its line at 80×24
// (it once covered "…knownClientApplicatio…").
func TestExplainScrollMarker(t *testing.T) {
	m := sandboxModel(t, "consent-missing", 80, 24)
	d := runWalk(t, m)
	d.key("x")
	marker := regexp.MustCompile(`│ +\d+–\d+ of \d+ +│`)
	view := screen(m)
	if !marker.MatchString(view) {
		t.Fatalf("no position marker on a line of its own:\n%s", view)
	}
	d.key("G")
	view = screen(m)
	if !marker.MatchString(view) {
		t.Fatalf("no position marker on a line of its own at the end:\n%s", view)
	}
	mustContain(t, view, "knownClientApplications")
}
