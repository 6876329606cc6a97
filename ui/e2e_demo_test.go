package ui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows"
)

// These run the real program loop (teatest): real timers tell a paste from typing, real timers
// turn the steps, and the walks run on real sandboxes.

// program starts m in teatest at 120×36 and returns it with a waitFor on its output.
func program(t *testing.T, m *Model) (*teatest.TestModel, func(string)) {
	t.Helper()
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(120, 36),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	return tm, waitFor
}

// finish quits the program and returns the model as it ended.
func finish(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
}

// typeBurst sends text as key presses, one after the other without a pause, as a terminal
// without bracketed paste delivers a paste.
func typeBurst(tm *teatest.TestModel, text string) {
	for _, r := range text {
		k := tea.KeyPressMsg{Code: r, Text: string(r)}
		if r >= 'A' && r <= 'Z' {
			k.Code, k.ShiftedCode, k.Mod = r+'a'-'A', r, tea.ModShift
		}
		tm.Send(k)
	}
}

// burstToken is a token whose text holds the letters of commands: e exports, s opens the picker,
// r walks again, q quits.
func burstToken(t *testing.T) string {
	tok := userToken(t, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix(), "quest": "esrq", "name": "Reese Quinn"})
	for _, c := range "esrqc" {
		if !strings.ContainsRune(tok, c) {
			t.Fatalf("the token lacks %q: the test needs it", c)
		}
	}
	return tok
}

// TestEndToEndPasteBurst: a token typed as a burst of keys over the walk opens the inspect screen
// and nothing else: no export, no picker, no new walk, no quit.
func TestEndToEndPasteBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox tenant")
	}
	m := sandboxModel(t, "healthy", 120, 36)
	m.cfg.exportDir = t.TempDir()
	tm, waitFor := program(t, m)
	waitFor("walk complete")
	tok := burstToken(t)
	typeBurst(tm, tok)
	waitFor("pasted token · esc returns to the walk")
	final := finish(t, tm)
	if final.screen != screenToken || final.token.decoded == nil || final.token.decoded.Raw != tok {
		t.Fatalf("the burst did not open the token: screen %d", final.screen)
	}
	if final.overlay != overlayNone || final.walk.gen != 1 || final.walk.lastRun != "walk" {
		t.Fatalf("the burst acted as keys: overlay %d, walk generation %d (%s)", final.overlay, final.walk.gen, final.walk.lastRun)
	}
	if files, _ := os.ReadDir(final.cfg.exportDir); len(files) > 0 {
		t.Fatalf("the burst exported a report: %v", files)
	}
}

// TestEndToEndPasteBurstInspect: in `oboscope inspect` waiting for a paste, a burst is the token
// to inspect, and its q does not quit.
func TestEndToEndPasteBurstInspect(t *testing.T) {
	m := newTestModel(t, modelConfig{mode: "inspect", now: time.Now}, 120, 36)
	tm, waitFor := program(t, m)
	waitFor("Paste a token to inspect it")
	tok := burstToken(t)
	typeBurst(tm, tok)
	waitFor("Reese Quinn")
	// A key typed alone (after the paste's grace) still acts: 2 brings the Findings tab forward.
	time.Sleep(pasteGrace + 100*time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: '2', Text: "2"})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("No findings")) || bytes.Contains(b, []byte("full explanation"))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	final := finish(t, tm)
	if final.token.decoded == nil || final.token.decoded.Raw != tok || final.token.activeTab() != "Findings" {
		t.Fatalf("token %v, tab %s", final.token.decoded != nil, final.token.activeTab())
	}
}

// TestEndToEndStepMode walks healthy one hop at a time: every hop waits for space before its
// request, the pages turn on space, and past the last page the overview returns.
func TestEndToEndStepMode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox tenant")
	}
	m := stepModel(t, "healthy", 120, 36)
	tm, waitFor := program(t, m)
	waitFor("Step 1 of 5")
	for i := 0; i < 14; i++ {
		tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		time.Sleep(250 * time.Millisecond)
	}
	waitFor("Walk complete: the whole chain")
	final := finish(t, tm)
	if final.screen != screenOverview || final.walk.report == nil || final.walk.report.Summary.Errors != 0 {
		t.Fatalf("screen %d, report %v", final.screen, final.walk.report != nil)
	}
	held := map[flows.HopID]bool{}
	for _, p := range final.step.pages {
		if p.plan != nil {
			if !p.sent {
				t.Fatalf("hop %s went on without space", p.plan.Hop)
			}
			held[p.plan.Hop] = true
		}
	}
	if len(held) != len(final.walk.hops) {
		t.Fatalf("held hops %v, want all %d", held, len(final.walk.hops))
	}
}

// TestEndToEndBeforeAfter answers a claims challenge (a), flips to the run before it (f) and back,
// and compares the sign-in's token across the runs on the Diff tab (v): the new token carries
// the multi-factor authentication the challenge asked for.
func TestEndToEndBeforeAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox tenant")
	}
	m := sandboxModel(t, "mfa-required", 120, 36)
	m.cfg.ctx = context.Background()
	tm, waitFor := program(t, m)
	waitFor("walk complete")
	tm.Send(tea.KeyPressMsg{Code: 'a', Text: "a"})
	waitFor("retry with claims complete")
	time.Sleep(50 * time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: 'f', Text: "f"})
	waitFor("previous run")
	time.Sleep(50 * time.Millisecond)
	tm.Send(tea.KeyPressMsg{Code: 'f', Text: "f"})
	waitFor("Showing the latest run")
	for _, k := range []tea.KeyPressMsg{{Code: 'g', Text: "g"}, {Code: tea.KeyEnter}, {Code: '5', Text: "5"}, {Code: 'v', Text: "v"}} {
		time.Sleep(50 * time.Millisecond)
		tm.Send(k)
	}
	waitFor("(previous run)")
	final := finish(t, tm)
	if final.prev == nil || final.viewPrev || final.screen != screenHop || final.hop.activeTab() != "Diff" {
		t.Fatalf("prev %v viewPrev %v screen %d tab %s", final.prev != nil, final.viewPrev, final.screen, final.hop.activeTab())
	}
	diff := tabOf[*diffPane](final.hop.tabBar)
	if !diff.acrossRuns || !diff.has {
		t.Fatalf("the Diff tab does not compare the runs: %q", diff.note)
	}
	changed := map[string]bool{}
	for _, ch := range diff.changes {
		changed[ch.Claim] = true
	}
	if !changed["amr"] && !changed["acrs"] {
		t.Fatalf("the sign-in's token did not gain MFA across the runs: %v\n%s", changed, screen(final))
	}
}
