package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// TestEveryFixFitsTheFirstErrorBox: at 80×24 the overview leaves the first-error box 10 lines;
// whatever the finding, its fix shows whole there (only what was observed gives way).
func TestEveryFixFitsTheFirstErrorBox(t *testing.T) {
	m := sandboxModel(t, "healthy", 80, 24)
	ws := &m.walk
	for _, r := range inspect.Rules() {
		f := inspect.NewFinding(r.ID, "obo", "the observed values, long enough to wrap over two lines of the box at this width or more", map[string]string{"claim": "aud"})
		box := firstErrorBox(m.c, ws, f, ws.hops[2], 80, 10)
		if len(box) > 10 {
			t.Errorf("%s: the box has %d lines, more than the 10 it has", r.ID, len(box))
		}
		text := strings.Join(box, "\n")
		plain := ansi.Strip(text)
		for _, w := range strings.Fields(r.Fix) {
			if !strings.Contains(plain, w) {
				t.Errorf("%s: the fix is cut (%q missing):\n%s", r.ID, w, plain)
				break
			}
		}
		if obs := strings.Index(plain, "Observed: "); !strings.Contains(plain, "Fix: ") || (obs >= 0 && strings.Index(plain, "Fix: ") > obs) {
			t.Errorf("%s: the fix does not come before what was observed:\n%s", r.ID, plain)
		}
	}
}

// TestFirstErrorBoxFixFirst: the first error's box leads with the title and the fix, then what
// was observed, and links its docs (OSC 8), at both sizes.
func TestFirstErrorBoxFixFirst(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := sandboxModel(t, "consent-missing", sz.w, sz.h)
			runWalk(t, m)
			pinLifetimes(m)
			view := screen(m)
			mustContain(t, view, "First error · hop 3 OBO exchange", "obo.consent-required", "Fix: Consent the middle tier", "Grant admin consent")
			if strings.Index(view, "Fix: ") > strings.Index(view, "Observed: ") {
				t.Fatalf("the observed values come before the fix:\n%s", view)
			}
			if sz.w >= 120 && !strings.Contains(m.render(), "\x1b]8;;https://learn.microsoft.com/") {
				t.Fatal("the docs are not a hyperlink")
			}
			checkFrame(t, view, sz.w, sz.h)
			requireWalkGolden(t, m)
		})
	}
}
