package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/inspect"
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
		{"exp", 63 * time.Minute, "expires in 1h 3m"},
		{"exp", -(2*time.Hour + 35*time.Minute), "expired 2h 35m ago"},
		{"exp", 4*time.Minute + 30*time.Second, "expires in 4m 30s"},
		{"iat", -6 * time.Minute, "6m ago"},
		{"nbf", 2 * time.Minute, "not valid for another 2m"},
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

// TestRunToastEndsWithTheRun: "Walking scenario X" shows while the walk runs and goes when it
// completes, so it never sits next to "walk complete" (QA U4).
func TestRunToastEndsWithTheRun(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
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

// TestOverviewHintsOneMeaningPerKey: on the overview enter opens the hop and x explains the
// first error, and the hints say so; the hop's Findings tab keeps "x/enter explain finding"
// (QA U6).
func TestOverviewHintsOneMeaningPerKey(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	runWalk(t, m)
	lines := strings.Split(screen(m), "\n")
	if got, want := lines[35], " ? help • ↑/k up • enter open hop • x explain first error • c copy token • s scenarios • r re-run walk …"; got != want {
		t.Fatalf("overview hints\n%q\nwant\n%q", got, want)
	}
	press(m, "?")
	mustContain(t, screen(m), "enter   open hop", "x  explain first error")
	if strings.Contains(screen(m), "x/enter") {
		t.Fatalf("the overview's help gives enter two meanings:\n%s", screen(m))
	}
	press(m, "esc", "enter", "3")
	mustContain(t, screen(m), "x/enter explain finding")
}

// TestHTTPLabelsKeepAGap: in the HTTP tab a label cut to fit still ends two spaces before the
// path (QA U9, at 80×24).
func TestHTTPLabelsKeepAGap(t *testing.T) {
	m := sandboxModel(t, "v1-mcp-tokens", 80, 24)
	d := runWalk(t, m)
	d.key("g", "down", "down", "down", "enter", "4")
	view := screen(m)
	mustContain(t, view,
		"  unauthenticated probe       /mcp",
		"  protected resource metada…  /.well-known/oauth-p…",
		"  authorization server meta…  /0b05c0de-7e4a-4000-…",
		"  passthrough probe (user t…  /mcp")
}

// TestJWEInspectWording: an encrypted token is called encrypted, not signed and not "not a JWT",
// and a cut explanation says so in line with its text (QA U11).
func TestJWEInspectWording(t *testing.T) {
	const jwe = "eyJhbGciOiAiUlNBLU9BRVAiLCAiZW5jIjogIkEyNTZHQ00ifQ.a.b.c.d" // {"alg": "RSA-OAEP", "enc": "A256GCM"}
	m := inspectModel(t, jwe, report.InspectOptions{}, 80, 24)
	lines := strings.Split(screen(m), "\n")
	if got, want := strings.TrimRight(lines[22], " "), " encrypted: only its audience can decrypt it · paste another token"; got != want {
		t.Fatalf("status line %q, want %q", got, want)
	}
	// The Findings tab: "What it means" is cut at 80×24; the line that says so starts where the
	// explanation's lines start.
	press(m, "2")
	lines = strings.Split(screen(m), "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, "more line") {
			at = i
		}
	}
	if at < 1 {
		t.Fatalf("no cut explanation at 80×24:\n%s", screen(m))
	}
	if got, prev := lines[at], lines[at-1]; !strings.HasPrefix(got, "   … ") || !strings.HasPrefix(prev, "   ") || strings.HasPrefix(prev, "    ") {
		t.Fatalf("the cut line %q is not in line with the text above it %q", got, prev)
	}
	press(m, "3")
	view := screen(m)
	mustContain(t, view,
		" HEADER  alg and enc: how the token was encrypted (the protected header)",
		`     "alg": "RSA-OAEP",`,
		" PAYLOAD  encrypted: only its audience can decrypt it",
		" SIGNATURE  none: a JWE is encrypted, not signed; whoever decrypts it checks",
		" encrypted: only its audience can decrypt it · paste another token")
	for _, bad := range []string{"signed\n", "how the token was signed", "not a JWT", "Decoded without verifying"} {
		if strings.Contains(view, bad) {
			t.Fatalf("%q on the JWE's Raw tab:\n%s", bad, view)
		}
	}
}

// TestPasteTokenResponseOverWalk: a JSON token response pasted over the walk (az account
// get-access-token's output, an OAuth token response) is inspected as the token it holds (QA U8).
func TestPasteTokenResponseOverWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	tok := userToken(t, nil)
	for _, doc := range []string{
		"{\n  \"accessToken\": \"" + tok + "\",\n  \"tokenType\": \"Bearer\"\n}\n",
		`{"token_type":"Bearer","expires_in":3599,"access_token":"` + tok + `"}`,
	} {
		m.Update(tea.PasteMsg{Content: doc})
		if m.token.err != nil {
			t.Fatalf("pasted %q: %v", doc[:20], m.token.err)
		}
		if m.token.tok == nil || m.token.tok.Raw != tok {
			t.Fatalf("pasted %q: the token inspected is not the one the response holds", doc[:20])
		}
		mustContain(t, screen(m), "pasted token · esc returns to the walk", "user alice@contoso.example", "Inspecting the pasted token")
		press(m, "esc")
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

// TestFindingDocsLinkWhole: a finding's docs link is wrapped onto a line of its own, never cut
// with "…" (QA U3).
func TestFindingDocsLinkWhole(t *testing.T) {
	s := NewStyles(true)
	f := inspect.Finding{ID: "mcp.aud-mismatch", Severity: inspect.SeverityError, Title: "T", Hop: "mcp", AADSTS: 50013,
		Docs: "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization"}
	var got []string
	for _, l := range findingDetail(s, f, 84) {
		got = append(got, strings.TrimRight(ansi.Strip(l), " "))
	}
	want := []string{"   AADSTS50013 ·", "   https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization", "   enter: full explanation"}
	if tail := got[len(got)-3:]; strings.Join(tail, "|") != strings.Join(want, "|") {
		t.Fatalf("finding detail ends\n%q\nwant\n%q", tail, want)
	}
}

// TestRefusedExchangeToldOnce: when the hop's story already tells Entra's error (its AADSTS
// code), the rail, the overview's hop box and the Summary tab show the story, not the same error
// again as "obo: Entra answered …".
func TestRefusedExchangeToldOnce(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	d := runWalk(t, m)
	d.key("down")
	overview := screen(m)
	d.key("enter")
	summary := screen(m)
	for _, c := range []struct {
		view string
		want int // the rail's line and the hop box on the overview; the story on the Summary tab
	}{{overview, 2}, {summary, 1}} {
		if n := strings.Count(c.view, "Entra refused the exchange: AADSTS50013"); n != c.want {
			t.Fatalf("the story is shown %d times, want %d:\n%s", n, c.want, c.view)
		}
		if strings.Contains(c.view, "Entra answered invalid_grant") {
			t.Fatalf("the error is repeated after the story:\n%s", c.view)
		}
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

// TestPresentedTokenVerifiedEarlier: the agent call presents the very token sign-in verified, and
// its Summary says so instead of "not verified".
func TestPresentedTokenVerifiedEarlier(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("down", "enter")
	view := screen(m)
	mustContain(t, view, "user token presented", "Signature verified at hop 1, where this token was obtained.")
	if strings.Contains(view, "decoded only") {
		t.Fatalf("the presented token is said to be unverified:\n%s", view)
	}
}

// TestAuthorizationHeaderSummarised: the HTTP tab shows a bearer token in the Authorization
// header as what it is (size, audience, scopes), like tokens in bodies, not as base64 lines.
func TestAuthorizationHeaderSummarised(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("down", "enter", "4")
	view := screen(m)
	mustContain(t, view, "Authorization: Bearer <JWT, ", "signature removed>")
	if strings.Contains(view, "Authorization: Bearer eyJ") {
		t.Fatalf("the bearer token is printed as base64:\n%s", view)
	}
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

// TestRailNamesTheFindingOfAFailedHop: a hop that failed on what a rule found (no transport
// error) names the finding on the rail, before its story (QA2 #18).
func TestRailNamesTheFindingOfAFailedHop(t *testing.T) {
	m := sandboxModel(t, "mcp-accepts-any-audience", 120, 36)
	runWalk(t, m)
	if row := railRow(t, m, 4); !strings.Contains(row, "failed   MCP server accepted a token meant for another API · without a token") {
		t.Fatalf("mcp row %q", row)
	}
	if row := railRow(t, m, 1); !strings.Contains(row, "ok       alice@contoso.example signed in") {
		t.Fatalf("an ok hop's row changed: %q", row)
	}
}
