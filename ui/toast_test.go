package ui

import (
	"strings"
	"testing"
)

// TestRunToastEndsWithTheRun: "Walking scenario X" shows while the walk runs and goes when it
// completes, so it never sits next to "walk complete" (QA U4).
func TestRunToastEndsWithTheRun(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	m.cfg.exportDir = t.TempDir()
	d := runWalk(t, m)
	d.key("s", "down", "enter")
	d.until(func() bool { return m.walk.scenario == "wrong-audience" })
	status := func() string { return strings.Split(screen(m), "\n")[34] }
	if !strings.HasSuffix(strings.TrimRight(status(), " "), "Walking scenario wrong-audience") {
		t.Fatalf("while walking, the status line is %q", status())
	}
	d.until(d.walkDone)
	if got := strings.TrimRight(status(), " "); got != " ✗ walk complete · first error at hop 2 Agent call" {
		t.Fatalf("after the walk, the status line is %q", got)
	}
	// A toast that is not about a run stays its few seconds.
	d.key("e")
	d.until(func() bool { return strings.Contains(status(), "Report written to ") })
	if m.walk.running || !strings.Contains(status(), "walk complete") {
		t.Fatalf("status line %q", status())
	}
}

// TestToastKeepsFileName: a report path too long for the status line loses its start, never
// its file name.
func TestToastKeepsFileName(t *testing.T) {
	path := "/home/someone/projects/contoso/reports/oboscope-report-consent-missing-20261126-014907.md"
	tt := toast{text: "Report written to " + path, path: path}
	for _, c := range []struct {
		w    int
		want string
	}{
		{200, tt.text},
		{80, "Report written to …/reports/oboscope-report-consent-missing-20261126-014907.md"},
		{61, "Saved oboscope-report-consent-missing-20261126-014907.md"},
		{30, "Report written to /home/someo…"},
	} {
		if got := fitToast(tt, c.w); got != c.want {
			t.Errorf("fitToast(%d) = %q, want %q", c.w, got, c.want)
		}
	}
}
