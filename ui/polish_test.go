package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// TestSearchHTTPTab: / searches every exchange of the hop, selects the exchange of the match
// and scrolls to it; n moves to the next; esc ends the search, then leaves the hop.
func TestSearchHTTPTab(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("home", "enter", "4")
	http := tabOf[*httpPane](m.hop.tabBar)
	d.key("/", "k", "t", "y")
	if !http.capturing() || len(http.search.matches) == 0 {
		t.Fatalf("searching kty found nothing: %+v", http.search.matches)
	}
	if x := http.exchanges[http.list.cursor]; !strings.Contains(x.Label, "JWKS") {
		t.Fatalf("the search selected %q, not the key set that holds kty", x.Label)
	}
	d.key("enter")
	mustContain(t, screen(m), "/ kty", "match 1 of", "n/N next/previous")
	first := http.search.cur
	d.key("n")
	if len(http.search.matches) > 1 && http.search.cur == first {
		t.Fatal("n did not move to the next match")
	}
	if m.hop.shown() != 0 {
		t.Fatalf("n moved to hop %d instead of the next match", m.hop.shown()+1)
	}
	d.key("esc")
	if http.search.on() || m.screen != screenHop {
		t.Fatal("esc did not end the search first")
	}
	d.key("n")
	if m.hop.shown() != 1 {
		t.Fatalf("without a search n is the next hop: hop %d", m.hop.shown()+1)
	}
}

// TestSearchRawTab: / in the Raw tab finds a claim and scrolls to it.
func TestSearchRawTab(t *testing.T) {
	m := inspectModel(t, groupsToken(t), report.InspectOptions{}, 80, 24)
	press(m, "3", "/")
	for _, r := range "preferred" {
		press(m, string(r))
	}
	press(m, "enter")
	raw := tabOf[*rawPane](m.token.tabBar)
	if len(raw.search.matches) != 1 {
		t.Fatalf("matches %v", raw.search.matches)
	}
	mustContain(t, screen(m), `›    "preferred_username": "alice@contoso.example"`, "match 1 of 1")
}

// TestCopyRequestAsCurl: y on the HTTP tab copies the exchange's request as curl, as recorded:
// the secret stays redacted.
func TestCopyRequestAsCurl(t *testing.T) {
	copied := make(chan string, 1)
	m := sandboxModel(t, "healthy", 120, 36)
	m.cfg.clipboard = func(s string) error { copied <- s; return nil }
	d := runWalk(t, m)
	d.key("home", "down", "down", "enter", "4")
	http := tabOf[*httpPane](m.hop.tabBar)
	for i, x := range http.exchanges {
		if strings.Contains(x.Label, "OBO") {
			http.list.to(i)
		}
	}
	d.key("y")
	var curl string
	d.until(func() bool {
		select {
		case curl = <-copied:
			return true
		default:
			return false
		}
	})
	for _, want := range []string{"curl \\\n  -X POST \\\n  'https://", "/oauth2/v2.0/token'", "--data-raw '", "client_secret=%5Bredacted%5D", "grant_type=urn"} {
		if !strings.Contains(curl, want) {
			t.Fatalf("curl lacks %q:\n%s", want, curl)
		}
	}
	if strings.Contains(curl, m.walk.cfg.OBO.ClientSecret) && m.walk.cfg.OBO.ClientSecret != "" {
		t.Fatalf("curl holds the secret:\n%s", curl)
	}
}

// TestPickerFiltersAsYouType: typing filters the scenarios (q and s are letters there), a typo
// gets a did-you-mean, esc clears the filter, then closes.
func TestPickerFiltersAsYouType(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	press(m, "s")
	for _, r := range "consent" {
		press(m, string(r))
	}
	if n := len(m.picker.scenarios); n == 0 || n == len(m.picker.all) || !slices.ContainsFunc(m.picker.scenarios, func(sc scenarioInfo) bool { return sc.Name == "consent-missing" }) {
		t.Fatalf("consent matches %d scenarios", n)
	}
	press(m, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	for _, r := range "wrnog-aud" {
		press(m, string(r))
	}
	mustContain(t, screen(m), `No scenario matches "wrnog-aud".`, "Did you mean wrong-audience")
	press(m, "esc")
	if m.overlay != overlayScenarios || m.picker.filter != "" {
		t.Fatal("esc with a filter closed the picker")
	}
	press(m, "esc")
	if m.overlay != overlayNone {
		t.Fatal("esc without a filter did not close the picker")
	}
}

// TestExportNeverClashes: two exports in the same second both succeed, side by side, and an
// export that cannot be written says why in plain words.
func TestExportNeverClashes(t *testing.T) {
	dir := t.TempDir()
	r := flows.Report{Mode: "sandbox", Scenario: "healthy"}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := exportCmd(dir, r, "markdown", at, "v1")().(exportedMsg)
	b := exportCmd(dir, r, "markdown", at, "v1")().(exportedMsg)
	if a.problem != "" || b.problem != "" || a.path == b.path {
		t.Fatalf("two exports in one second: %+v %+v", a, b)
	}
	if filepath.Base(b.path) != "oboscope-report-healthy-20260102-030405-2.md" {
		t.Fatalf("second export at %s", b.path)
	}
	md, _ := os.ReadFile(a.path)
	if !strings.Contains(string(md), "oboscope v1 · 2026-01-02 03:04:05 UTC") {
		t.Fatalf("the report does not say its version and time:\n%s", md)
	}
	missing := exportCmd(filepath.Join(dir, "nope"), r, "json", at, "v1")().(exportedMsg)
	if !strings.Contains(missing.problem, "the folder does not exist (--export-dir sets another folder)") || strings.Contains(missing.problem, "ui:") {
		t.Fatalf("problem %q", missing.problem)
	}
}

// TestTitleNamesTheConfig: a live walk names its config in the title, and says when it was
// picked up from the folder.
func TestTitleNamesTheConfig(t *testing.T) {
	m := newTestModel(t, modelConfig{mode: "live", cfg: flows.Config{TenantID: "contoso.example"}, configPath: "./oboscope.yaml", configImplicit: true}, 120, 36)
	title := strings.Split(screen(m), "\n")[0]
	for _, want := range []string{"live · ./oboscope.yaml", "found in this folder", "tenant contoso.example"} {
		if !strings.Contains(title, want) {
			t.Fatalf("title %q lacks %q", title, want)
		}
	}
}

// TestMouseToggle: m turns mouse capture off, so the terminal can select text, and on again.
func TestMouseToggle(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 120, 36)
	press(m, "m")
	if v := m.View(); v.MouseMode != 0 {
		t.Fatalf("mouse mode %v after m", v.MouseMode)
	}
	mustContain(t, screen(m), "Mouse off")
	press(m, "m")
	if v := m.View(); v.MouseMode == 0 {
		t.Fatal("m did not turn the mouse back on")
	}
}

// TestHintsOnlyKeysThatAct: the hint line offers y only where something can be copied, c only
// with a token, and t only with more than one token.
func TestHintsOnlyKeysThatAct(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	hints := func() string { lines := strings.Split(screen(m), "\n"); return lines[len(lines)-1] }
	if strings.Contains(hints(), "y copy") {
		t.Fatalf("the overview of a healthy walk offers y: %q", hints())
	}
	d.key("home", "enter", "5") // the sign-in's Diff tab: nothing to copy there
	if strings.Contains(hints(), "y copy") || strings.Contains(hints(), "t next token") {
		t.Fatalf("the sign-in's Diff tab offers y or t: %q", hints())
	}
	d.key("2")
	if !strings.Contains(hints(), "y copy value") {
		t.Fatalf("the Claims tab does not offer y: %q", hints())
	}
}
