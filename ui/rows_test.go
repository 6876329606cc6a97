package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// TestTruncWords: a one-line row is cut at a word and ends in "…", so an AADSTS code, a GUID or a
// finding ID is never cut into something that looks like another one; without a space near the
// end it cuts where trunc does.
func TestTruncWords(t *testing.T) {
	s := NewStyles(true)
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"agent: the agent API answered 502: its own token exchange failed (AADSTS7000215: Invalid client secret)", 80,
			"agent: the agent API answered 502: its own token exchange failed…"},
		{"Contoso Agent API rejected the user token: AADSTS50013 assertion audience", 40,
			"Contoso Agent API rejected the user…"},
		{"aud Contoso MCP Server (0b05c0de-3c90-4000-8000-000000000004) · scp tools.call", 60,
			"aud Contoso MCP Server…"},
		{"user token · aud Contoso Agent API · scp access_as_user · user alice", 60,
			"user token · aud Contoso Agent API · scp access_as_user…"},
		{"short enough", 20, "short enough"},
		{"https://127.0.0.1:40257/0b05c0de-7e4a-4000-8000-000000000001/v2.0/token", 30,
			"https://127.0.0.1:40257/…"},
		{"x https://127.0.0.1:40257/0b05c0de-7e4a-4000-8000-000000000001/v2.0/token", 30,
			"x https://127.0.0.1:40257/…"},
		{"x https://127.0.0.1:40257/0b05c0de-7e4a-4000-8000-000000000001/v2.0/token", 50,
			"x https://127.0.0.1:40257/…"},
		{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 30,
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"},
		{s.Error.Render("Entra refused the exchange: AADSTS7000215: Invalid client secret provided."), 48,
			"Entra refused the exchange: AADSTS7000215…"},
	}
	for _, tt := range tests {
		got := truncWords(tt.in, tt.w)
		if ansi.StringWidth(got) > tt.w {
			t.Errorf("truncWords(%q, %d) = %q is wider than %d", tt.in, tt.w, got, tt.w)
		}
		if plain := ansi.Strip(got); plain != tt.want {
			t.Errorf("truncWords(%q, %d)\n got %q\nwant %q", tt.in, tt.w, plain, tt.want)
		}
	}
}

// railRow is the overview's rail row of hop n (1-based), without styles.
func railRow(t *testing.T, m *Model, n int) string {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	return strings.TrimRight(lines[railTop+1+2*(n-1)], " ")
}

// TestRailNeverCutsACode: the overview's rail, its arrows and the rows that list findings cut at
// a word; finding IDs show whole and their titles give way.
func TestRailNeverCutsACode(t *testing.T) {
	m := sandboxModel(t, "bad-client-secret", 120, 36)
	runWalk(t, m)
	row := railRow(t, m, 2)
	if !strings.HasSuffix(row, "failed   agent: the agent API answered 502: its own token exchange failed…") {
		t.Fatalf("agent row %q does not end at a word", row)
	}
	if row := railRow(t, m, 3); !strings.HasSuffix(row, "Entra refused the exchange: AADSTS7000215: Invalid client secret provided…") {
		t.Fatalf("obo row %q does not end at a word", row)
	}

	m = sandboxModel(t, "wrong-audience", 80, 24)
	runWalk(t, m)
	for n, want := range map[int]string{
		2: "▸ ✗ 2 Agent call      failed   User token is not for the agent API…",
		3: "  ✗ 3 OBO exchange    failed   Entra refused the exchange…",
	} {
		if row := railRow(t, m, n); !strings.HasPrefix(row, " "+want) {
			t.Errorf("row %d is %q, want it to start %q", n, row, want)
		}
	}
	if v := screen(m); strings.Contains(v, "AADSTS500…") || strings.Contains(v, "user alice@c…") {
		t.Fatalf("a code or a name is cut inside:\n%s", v)
	}

	m = sandboxModel(t, "passthrough", 80, 24)
	d := runWalk(t, m)
	d.key("g", "down", "down", "down", "enter")
	mustContain(t, screen(m),
		"   ERROR mcp.aud-mismatch  Token sent to the MCP server is not for it",
		"   ERROR mcp.token-passthrough  The user's token was passed through to the MCP…")
}

// TestFindingRowKeepsID: a finding's line keeps its ID whole, in a list row and in the detail's
// heading, however long its title.
func TestFindingRowKeepsID(t *testing.T) {
	s := NewStyles(true)
	f := finding("mcp.downstream-passthrough", "The MCP server forwarded the token it received to its downstream API")
	if got, want := ansi.Strip(findingRow(s, "   ", f, 60)), "   ERROR mcp.downstream-passthrough  The MCP server…"; got != want {
		t.Fatalf("row %q, want %q", got, want)
	}
	if got, want := strings.TrimRight(ansi.Strip(findingDetail(s, f, 70)[0]), " "), " ERROR The MCP server forwarded…  mcp.downstream-passthrough · hop mcp"; got != want {
		t.Fatalf("detail heading %q, want %q", got, want)
	}
}

// finding is an error finding at the mcp hop, for row tests.
func finding(id, title string) inspect.Finding {
	return inspect.Finding{ID: id, Severity: inspect.SeverityError, Title: title, Hop: "mcp"}
}

// TestRailNamesTheFindingOfAFailedHop: a hop that failed on what a rule found (no transport
// error) names the finding on the rail, before its story.
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
