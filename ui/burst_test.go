package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows/report"
)

// burst feeds text to the model as key presses without a pause, then the pause.
func burst(m *Model, text string) {
	for _, r := range text {
		if r == '\n' {
			m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
			continue
		}
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if len(m.burst.keys) > 0 {
		_, cmd := m.Update(burstMsg{seq: m.burst.seq})
		runQuick(m, cmd)
	}
}

// TestBurstIsAPaste: keys that arrive without a pause are a paste — a token among them is
// inspected and none of them acts — while a key or two are keys.
func TestBurstIsAPaste(t *testing.T) {
	m := inspectModel(t, "", report.InspectOptions{}, 120, 36)
	tok := userToken(t, nil)
	burst(m, "Bearer "+tok+"\n")
	if m.token.decoded == nil || !strings.HasSuffix(strings.TrimSpace(m.token.decoded.Raw), tok) {
		t.Fatalf("the burst was not inspected as a token:\n%s", screen(m))
	}
	mustContain(t, screen(m), "Inspecting the pasted token")

	// A second burst while the paste may still be arriving continues it.
	m = inspectModel(t, "", report.InspectOptions{}, 120, 36)
	burst(m, tok[:200])
	burst(m, tok[200:])
	if m.token.decoded == nil || m.token.decoded.Raw != tok {
		t.Fatal("a paste that arrived in two pieces was not taken whole")
	}

	// Two keys typed together act as keys: 3 then 2 bring Raw, then Findings, forward.
	m.Update(pasteClosedMsg{seq: m.burst.pasteSeq})
	burst(m, "32")
	if m.token.activeTab() != "Findings" {
		t.Fatalf("3 2 as keys: tab %s", m.token.activeTab())
	}
	// ctrl+c never waits.
	if _, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); cmd == nil {
		t.Fatal("ctrl+c did not quit at once")
	}
}

// TestBurstOverWalkActsOnNothing: over the walk a burst that is a token opens it; one that is
// not says so and leaves the walk as it was — the e, s, r and q in it never act.
func TestBurstOverWalkActsOnNothing(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	gen := m.walk.gen
	burst(m, "this is some text, not a token: e s r q")
	if m.screen != screenOverview || m.overlay != overlayNone || m.walk.gen != gen {
		t.Fatalf("a burst acted: screen %d overlay %d gen %d", m.screen, m.overlay, m.walk.gen)
	}
	if !strings.HasPrefix(m.toast.text, "The pasted text is not a token") {
		t.Fatalf("toast %q", m.toast.text)
	}
}
