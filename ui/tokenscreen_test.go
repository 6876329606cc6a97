package ui

import (
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows/report"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 36}}

func inspectModel(t *testing.T, raw string, opts report.InspectOptions, w, h int) *Model {
	return newTestModel(t, modelConfig{mode: "inspect", rawToken: raw, inspectOpts: opts}, w, h)
}

func TestInspectScreens(t *testing.T) {
	raw := userToken(t, nil)
	wrongAud := report.InspectOptions{ExpectAud: "api://contoso-mcp", ExpectScopes: []string{"tools.call"}}
	tests := []struct {
		name string
		opts report.InspectOptions
		keys []string
		want []string
	}{
		{"claims", report.InspectOptions{}, nil, []string{"1 Claims", "aud", testAgent, "expires in 54m", "22:54:00", "Audience"}},
		{"claims_filter", report.InspectOptions{}, []string{"/", "s", "c", "p"}, []string{"/ scp", "1 of 15 claims", "access_as_user"}},
		{"claims_selected_exp", report.InspectOptions{}, []string{"down", "down", "down"}, []string{"2026-11-25 22:54:00 UTC", "expires in 54m"}},
		{"findings", wrongAud, nil, []string{"token.unexpected-audience", "token.missing-scope", "Fix:"}},
		{"explain", wrongAud, []string{"enter"}, []string{"Explain", "What it means", "Fix"}},
		{"raw", report.InspectOptions{}, []string{"3"}, []string{"HEADER", "\"alg\": \"RS256\"", "PAYLOAD", "\"aud\": \"" + testAgent}},
		{"raw_end", report.InspectOptions{}, []string{"3", "G"}, []string{"\"ver\": \"2.0\"", "SIGNATURE", "not shown"}},
		{"help", report.InspectOptions{}, []string{"?"}, []string{"Keys", "filter", "copy token", "copy value"}},
	}
	for _, tc := range tests {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, sz.w, sz.h), func(t *testing.T) {
				m := inspectModel(t, raw, tc.opts, sz.w, sz.h)
				press(m, tc.keys...)
				view := screen(m)
				checkFrame(t, view, sz.w, sz.h)
				mustContain(t, view, tc.want...)
				requireGolden(t, m)
			})
		}
	}
}

func TestInspectFindingsFirstWhenError(t *testing.T) {
	raw := userToken(t, jwt.MapClaims{"exp": testNow.Add(-30 * time.Minute).Unix()})
	m := inspectModel(t, raw, report.InspectOptions{}, 120, 36)
	view := screen(m)
	mustContain(t, view, "token.expired", "expired 30m 0s ago")
	if got := m.token.activeTab(); got != "Findings" {
		t.Fatalf("tab = %s, want the Findings tab first when the token has an error", got)
	}
	if got := m.exitCode(); got != 1 {
		t.Fatalf("exit code = %d, want 1", got)
	}
}

func TestInspectHighlightsClaimsNamedByFindings(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{ExpectAud: "api://other"}, 120, 36)
	press(m, "1")
	view := screen(m)
	var audLine string
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "aud ") && strings.Contains(l, testAgent) && audLine == "" && !strings.Contains(l, "v2.0") {
			audLine = l
		}
	}
	if !strings.Contains(audLine, "! aud") {
		t.Fatalf("aud row is not marked as named by a finding: %q\n%s", audLine, view)
	}
}

func TestInspectPasteReplacesToken(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 120, 36)
	other := userToken(t, jwt.MapClaims{"preferred_username": "bob@contoso.example", "name": "Bob"})
	m.Update(tea.PasteMsg{Content: "Bearer " + other + "\n"})
	mustContain(t, screen(m), "bob@contoso.example")
	azJSON := `{"accessToken": "` + other + `", "expiresOn": "2026-11-25 23:00:00.000000", "subscription": "x", "tenant": "` + testTenant + `", "tokenType": "Bearer"}`
	m.Update(tea.PasteMsg{Content: azJSON})
	mustContain(t, screen(m), "bob@contoso.example", "1 Claims")
	m.Update(tea.PasteMsg{Content: "not-a-jwt-just-an-opaque-string"})
	mustContain(t, screen(m), "opaque token", "not a JWT", "token.opaque")
	// Text that is not a token leaves the token shown and says so.
	m.Update(tea.PasteMsg{Content: "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"})
	mustContain(t, screen(m), "token.opaque", " ✗ the paste was not a token ")
	if !strings.HasPrefix(m.toast.text, "Not a token: ") {
		t.Fatalf("toast %q", m.toast.text)
	}
	m.toast.text = ""
	mustContain(t, screen(m), " ✗ the paste was not a token · still showing the previous token")
	if strings.Contains(screen(m), "Could not decode this token") {
		t.Fatalf("the previous token was discarded:\n%s", screen(m))
	}
	m.Update(tea.PasteMsg{Content: other})
	mustContain(t, screen(m), "bob@contoso.example", " decoded, signature not verified")
	m.Update(tea.PasteMsg{Content: "hello world not a token"})
	m.toast.text = ""
	mustContain(t, screen(m), "bob@contoso.example", " ✗ the paste was not a token · still showing the previous token")
}

// TestInspectUndecodable: with nothing decoded, the screen says so, its hint and help bar offer
// only what works, and over the walk a paste that is not a token leaves the walk on screen.
func TestInspectUndecodable(t *testing.T) {
	m := inspectModel(t, "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", report.InspectOptions{}, 120, 36)
	lines := strings.Split(screen(m), "\n")
	mustContain(t, screen(m), "Could not decode this token", "Paste a token (your terminal's paste) to inspect another one, or q to quit.")
	if got, want := strings.TrimRight(lines[35], " "), " ? help • q quit"; got != want {
		t.Fatalf("help bar %q, want %q", got, want)
	}

	w := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, w)
	w.Update(tea.PasteMsg{Content: "hello.world.not-a-token"})
	if w.screen != screenOverview {
		t.Fatalf("a paste that is not a token left the walk for screen %v", w.screen)
	}
	if !strings.HasPrefix(w.toast.text, "The pasted text is not a token: ") {
		t.Fatalf("toast %q", w.toast.text)
	}
}

func TestInspectFilterKeepsKeysFromQuitting(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 80, 24)
	press(m, "/")
	cmd := typeKey(m, keyMsg("q"))
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q quit while typing a filter")
		}
	}
	mustContain(t, screen(m), "/ q")
	press(m, "esc")
	if tabOf[*claimsPane](m.token.tabBar).filter.Value() != "" {
		t.Fatal("esc did not clear the filter")
	}
}

func TestSizeGuard(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{79, 24}, {80, 23}, {40, 10}} {
		m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, sz.w, sz.h)
		view := screen(m)
		mustContain(t, view, "Make the window larger", fmt.Sprintf("it is %d×%d now", sz.w, sz.h))
		checkFrame(t, view, sz.w, sz.h)
	}
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 60, 20)
	requireGolden(t, m)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	mustContain(t, screen(m), "1 Claims")
}

func TestMouseSelectsTabAndRow(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 120, 36)
	x := m.token.spans
	if len(x) == 0 {
		screen(m)
		x = m.token.spans
	}
	m.Update(tea.MouseClickMsg{X: x[2].from + 1, Y: 2, Button: tea.MouseLeft})
	if got := m.token.activeTab(); got != "Raw" {
		t.Fatalf("click on the Raw tab: tab = %s", got)
	}
	m.Update(tea.MouseClickMsg{X: x[0].from + 1, Y: 2, Button: tea.MouseLeft})
	m.Update(tea.MouseClickMsg{X: 5, Y: 3 + 1 + 3, Button: tea.MouseLeft})
	claims := tabOf[*claimsPane](m.token.tabBar)
	if got := claims.list.cursor; got != 3 {
		t.Fatalf("click on the 4th claim row: cursor = %d", got)
	}
	m.Update(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelDown})
	if got := claims.list.cursor; got != 4 {
		t.Fatalf("wheel down: cursor = %d", got)
	}
}

func TestCopyTokenAndValue(t *testing.T) {
	raw := userToken(t, nil)
	var got []string
	mc := modelConfig{mode: "inspect", rawToken: raw, clipboard: func(s string) error { got = append(got, s); return nil }}
	m := newTestModel(t, mc, 120, 36)
	cmd := typeKey(m, keyMsg("c"))
	for _, c := range cmd().(tea.BatchMsg) {
		if msg := c(); msg != nil {
			if cm, ok := msg.(copiedMsg); ok {
				m.Update(cm)
			}
		}
	}
	if len(got) != 1 || got[0] != raw {
		t.Fatalf("clipboard got %d writes; want the token", len(got))
	}
	mustContain(t, screen(m), "Copied the token", "(OSC 52)")
}

func TestLightBackground(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{ExpectAud: "api://other"}, 120, 36)
	dark := m.render()
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.c.styles.IsDark {
		t.Fatal("a white background did not switch to the light styles")
	}
	light := m.render()
	// The error red is #FF5F87 on dark backgrounds and #C0002A on light ones.
	if !strings.Contains(dark, "255;95;135") || !strings.Contains(light, "192;0;42") || strings.Contains(light, "255;95;135") {
		t.Fatal("the error colour does not follow the background")
	}
	if ansi.Strip(dark) != ansi.Strip(light) {
		t.Fatal("the text differs between light and dark")
	}
}

func TestInspectWaitsForPaste(t *testing.T) {
	m := inspectModel(t, "", report.InspectOptions{}, 80, 24)
	mustContain(t, screen(m), "Paste a token to inspect it")
	if got := m.exitCode(); got != 0 {
		t.Fatalf("exit code %d with no token yet", got)
	}
	m.Update(tea.PasteMsg{Content: userToken(t, nil)})
	mustContain(t, screen(m), "1 Claims", "alice@contoso.example")
}

// TestInspectWording: a finding of `inspect` names no hop ("· hop token"), and a token whose
// signature was removed is not called "signature not verified".
func TestInspectWording(t *testing.T) {
	raw := userToken(t, jwt.MapClaims{"exp": testNow.Add(-time.Hour).Unix()})
	m := inspectModel(t, raw[:strings.LastIndex(raw, ".")], report.InspectOptions{}, 120, 36) // header.payload
	view := screen(m)
	mustContain(t, view, " ERROR Token has expired  token.expired    ",
		" decoded; its signature was removed, so there is nothing to verify · paste another token")
	if strings.Contains(view, "hop token") || strings.Contains(view, "signature not verified") {
		t.Fatalf("wording:\n%s", view)
	}
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
