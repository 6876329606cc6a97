package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestEndToEndSandboxOBOClaims runs the real program loop on the embedded sandbox, as
// `oboscope` starts it (sandbox.StartForWalk, the real clock), walks to the OBO hop's Claims tab
// and finds the exchanged token's audience — the MCP server — on screen.
func TestEndToEndSandboxOBOClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox tenant")
	}
	mc := modelConfig{
		mode:         "sandbox",
		ctx:          context.Background(),
		scenario:     "healthy",
		startSandbox: sandbox.StartForWalk,
		scenarios:    sandboxScenarios(),
		exportDir:    t.TempDir(),
		isDark:       true,
	}
	m := newModel(mc)
	t.Cleanup(m.shutdown)
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(120, 36),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("walk complete")
	for _, k := range []string{"down", "down", "enter", "2"} {
		tm.Send(keyMsg(k))
	}
	waitFor("MEANING")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	view := screen(final)
	want := final.walk.cfg.MCP.ClientID
	if want == "" {
		t.Fatal("the sandbox config names no MCP client ID")
	}
	var audLine string
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " ▸!"), "aud ") {
			audLine = l
			break
		}
	}
	if !strings.Contains(audLine, want) {
		t.Fatalf("the OBO hop's Claims tab does not show aud %s:\n%s", want, view)
	}
	if final.hop.hop != final.walk.index("obo") || final.hop.activeTab() != "Claims" || final.screen != screenHop {
		t.Fatalf("not on the OBO hop's Claims tab: screen %d hop %d tab %s", final.screen, final.hop.hop, final.hop.activeTab())
	}
	mustContain(t, view, "OBO token", "= "+final.walk.names.Known(nil, want))
}
