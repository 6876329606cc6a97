package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/oboscope/oboscope/inspect"
)

// TestWordingMatchesReports: counts use the severity names the reports use ("1 info", never
// "1 note" or "0 infos") and lengths of time are inspect.HumanDuration's (QA U4).
func TestWordingMatchesReports(t *testing.T) {
	counts := []struct {
		n    int
		sev  inspect.Severity
		want string
	}{
		{1, inspect.SeverityError, "1 error"},
		{2, inspect.SeverityError, "2 errors"},
		{0, inspect.SeverityWarning, "0 warnings"},
		{1, inspect.SeverityWarning, "1 warning"},
		{0, inspect.SeverityInfo, "0 info"},
		{1, inspect.SeverityInfo, "1 info"},
		{3, inspect.SeverityInfo, "3 info"},
	}
	for _, c := range counts {
		if got := severityCount(c.n, c.sev); got != c.want {
			t.Errorf("severityCount(%d, %s) = %q, want %q", c.n, c.sev, got, c.want)
		}
	}
	times := []struct {
		claim string
		d     time.Duration
		want  string
	}{
		// The screens tick, so under a day they count the seconds; beyond, the reports' words.
		{"exp", 63*time.Minute + 20*time.Second, "expires in 1h 3m 20s"},
		{"exp", -(2*time.Hour + 35*time.Minute), "expired 2h 35m 0s ago"},
		{"exp", 4*time.Minute + 30*time.Second, "expires in 4m 30s"},
		{"exp", 9 * time.Second, "expires in 9s"},
		{"iat", -6 * time.Minute, "6m 0s ago"},
		{"nbf", 2 * time.Minute, "not valid for another 2m 0s"},
		{"nbf", -(26 * time.Hour), "valid since 1d 2h"},
	}
	for _, c := range times {
		if got := relative(c.claim, testNow.Add(c.d), testNow); got != c.want {
			t.Errorf("relative(%s, %v) = %q, want %q", c.claim, c.d, got, c.want)
		}
	}

	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	view := screen(m)
	title := strings.SplitN(view, "\n", 2)[0]
	if !strings.HasSuffix(strings.TrimRight(title, " "), "i 1 info") {
		t.Fatalf("title bar %q does not end in \"i 1 info\"", title)
	}
	mustContain(t, view, "│ 0 warnings and 1 info:")
	d.key("down", "down", "down", "down", "enter", "3")
	mustContain(t, screen(m), " 0 errors · 0 warnings · 1 info")
	for _, bad := range []string{"note", "infos"} {
		if strings.Contains(screen(m), bad) {
			t.Fatalf("%q on screen:\n%s", bad, screen(m))
		}
	}
}

// TestWrapBreaksOnlyAtSpaces: GUIDs, URLs and paths stay whole; a word that does not fit starts
// the next line, and only a word wider than the line is cut (QA U3).
func TestWrapBreaksOnlyAtSpaces(t *testing.T) {
	s := NewStyles(true)
	tests := []struct {
		in   string
		w    int
		want []string
	}{
		{"the agent API is 0b05c0de-a9e1-4000-8000-000000000003 / api://contoso-agent", 40,
			[]string{"the agent API is", "0b05c0de-a9e1-4000-8000-000000000003 /", "api://contoso-agent"}},
		{"metadata at /.well-known/oauth-protected-resource/mcp; issuer https://127.0.0.1:32985/0b05c0de-7e4a-4000-8000-000000000001/v2.0; the user's own token", 60,
			[]string{"metadata at /.well-known/oauth-protected-resource/mcp;", "issuer", "https://127.0.0.1:32985/", "0b05c0de-7e4a-4000-8000-000000000001/v2.0; the user's own", "token"}},
		{"https://login.microsoftonline.com/common/v2.0/authorize-with-a-very-long-hyphenated-segment", 40,
			[]string{"https://login.microsoftonline.com/", "common/v2.0/", "authorize-with-a-very-long-hyphenated-se", "gment"}},
		{"see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens", 30,
			[]string{"see", "https://learn.microsoft.com/", "en-us/entra/identity-platform/", "access-tokens"}},
		{"aaaaaaaaaa b", 4, []string{"aaaa", "aaaa", "aa b"}},
		{"  indented text stays", 40, []string{"  indented text stays"}},
		{"two  spaces  kept  inside", 40, []string{"two  spaces  kept  inside"}},
		{"word  break", 5, []string{"word", "break"}},
		{"line one\nline two", 40, []string{"line one", "line two"}},
		{"", 10, []string{""}},
		{s.Muted.Render("must raise: ") + "agent.aud-mismatch, obo.assertion-aud-mismatch", 32,
			[]string{"must raise: agent.aud-mismatch,", "obo.assertion-aud-mismatch"}},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.w)
		for i := range got {
			if ansi.StringWidth(got[i]) > tt.w {
				t.Errorf("wrap(%q, %d): line %q is wider than %d", tt.in, tt.w, got[i], tt.w)
			}
			got[i] = ansi.Strip(got[i])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d)\n got %q\nwant %q", tt.in, tt.w, got, tt.want)
		}
	}
}
