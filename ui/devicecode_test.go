package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestDeviceCodePanel walks a sandbox that does not approve device codes by itself: the panel
// shows the real code, the /devicelogin URL and the countdown until the test approves the code
// the way a person would, then the walk goes on.
func TestDeviceCodePanel(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			var sb *sandbox.Sandbox
			start := func(ctx context.Context, scenario string) (flows.Config, func(), error) {
				s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, Now: walkNow})
				if err != nil {
					return flows.Config{}, nil, err
				}
				sb = s
				return s.Config(""), func() { _ = s.Close() }, nil
			}
			mc := modelConfig{mode: "sandbox", ctx: context.Background(), scenario: "healthy", startSandbox: start,
				walkOpts: flows.WalkOptions{Now: walkNow}, exportDir: t.TempDir(), now: walkNow}
			mc.mode = "sandbox"
			m := newTestModel(t, mc, sz.w, sz.h)
			t.Cleanup(m.shutdown)
			d := newDriver(t, m)
			d.exec(m.Init())
			d.until(func() bool { return m.walk.device != nil })
			view := screen(m)
			dc := m.walk.device
			spaced := strings.Join(strings.Split(dc.UserCode, ""), " ")
			mustContain(t, view, "Sign in with a device code", dc.VerificationURL, spaced, "expires in ")
			requireWalkGolden(t, m)
			// Until the sign-in succeeds, the hop says the code waits for approval (QA U7).
			if got, want := ansi.Strip(deviceSummary(m.c, &m.walk)[1]), "  code "+dc.UserCode+" at "+dc.VerificationURL+" (waiting for approval)"; got != want {
				t.Fatalf("while waiting, the device code line is %q, want %q", got, want)
			}
			if strings.Contains(view, "approved by you") {
				t.Fatalf("\"approved by you\" before the approval:\n%s", view)
			}

			// c copies the code while the panel is up.
			clip := make(chan string, 1)
			m.cfg.clipboard = func(s string) error { clip <- s; return nil }
			d.key("c")
			d.until(func() bool { return strings.Contains(screen(m), "Copied device code") })
			copied := <-clip
			if copied != dc.UserCode {
				t.Fatalf("copied %q, want the user code %q", copied, dc.UserCode)
			}

			if err := sb.Approve(dc.UserCode, sandbox.AliceUPN); err != nil {
				t.Fatal(err)
			}
			d.until(d.walkDone)
			mustContain(t, screen(m), "walk complete", "✓ 1 Sign-in")
			d.key("g", "enter")
			mustContain(t, screen(m), "  code "+dc.UserCode+" at "+dc.VerificationURL+" (approved by you)")
		})
	}
}

// TestExportReport writes the finished walk's report with e and E, redacted by flows.
func TestExportReport(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	d := runWalk(t, m)
	for _, k := range []string{"e", "E"} {
		d.key(k)
		d.until(func() bool { return strings.HasPrefix(m.toast.text, "Report written to ") })
		mustContain(t, screen(m), "Report written to")
		path := strings.TrimPrefix(m.toast.text, "Report written to ")
		if filepath.Dir(path) != m.cfg.exportDir {
			t.Fatalf("report at %s, want it in %s", path, m.cfg.exportDir)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "agent.aud-mismatch") {
			t.Fatalf("report %s lacks the walk's finding", path)
		}
		for _, h := range m.walk.hops {
			for _, nt := range h.Tokens {
				if sig := nt.Raw[strings.LastIndex(nt.Raw, ".")+1:]; len(sig) > 20 && strings.Contains(string(b), sig) {
					t.Fatalf("report %s holds a token signature", path)
				}
			}
		}
		m.Update(toastExpiredMsg{id: m.toast.id})
	}
}

// TestKeysAnswerWhileWalking shows that the interface answers while a hop is running: the walk
// runs in commands, never in Update.
func TestKeysAnswerWhileWalking(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(func() bool { return m.walk.hops[0].Status == flows.StatusRunning })
	d.key("?")
	mustContain(t, screen(m), "Keys")
	d.key("esc", "down", "enter")
	if m.screen != screenHop || m.hop.hop != 1 {
		t.Fatalf("enter during the walk: screen %d hop %d", m.screen, m.hop.hop)
	}
	d.until(d.walkDone)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	checkFrame(t, screen(m), 80, 24)
}

// TestScenarioSwitch chooses another scenario in the picker: the sandbox restarts on it and the
// walk runs again, live.
func TestScenarioSwitch(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("s")
	for i, sc := range m.picker.scenarios {
		if sc.Name == "passthrough" {
			m.picker.list.to(i)
		}
	}
	d.key("enter")
	d.until(func() bool { return m.walk.scenario == "passthrough" && d.walkDone() })
	view := screen(m)
	mustContain(t, view, "scenario passthrough", "First error", "mcp.aud-mismatch")
}

// TestStartFailure shows what the sandbox's own error looks like when it cannot start: the
// sandbox refuses an address that is not loopback.
func TestStartFailure(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			start := func(ctx context.Context, scenario string) (flows.Config, func(), error) {
				s, err := sandbox.Start(ctx, sandbox.Options{Addr: "192.0.2.1:443", Scenario: scenario})
				if err != nil {
					return flows.Config{}, nil, err
				}
				return s.Config(""), func() { _ = s.Close() }, nil
			}
			m := newTestModel(t, modelConfig{mode: "sandbox", ctx: context.Background(), scenario: "healthy", startSandbox: start, now: walkNow}, sz.w, sz.h)
			d := newDriver(t, m)
			d.exec(m.Init())
			d.until(func() bool { return m.walk.err != "" })
			view := screen(m)
			mustContain(t, view, "Could not run the walk", "loopback", "could not run the walk")
			checkFrame(t, view, sz.w, sz.h)
			requireWalkGolden(t, m)
			if got := m.exitCode(); got != 2 {
				t.Fatalf("exit code %d, want 2 (could not run)", got)
			}
		})
	}
}

// TestPasteOverWalk inspects a pasted token on top of the walk; esc returns to it.
func TestPasteOverWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	now := walkNow()
	m.Update(tea.PasteMsg{Content: userToken(t, jwt.MapClaims{"iat": now.Add(-6 * time.Minute).Unix(),
		"nbf": now.Add(-6 * time.Minute).Unix(), "exp": now.Add(54 * time.Minute).Unix()})})
	view := screen(m)
	mustContain(t, view, "pasted token · esc returns to the walk", "1 Claims", "alice@contoso.example")
	requireWalkGolden(t, m)
	m.Update(keyMsg("esc"))
	mustContain(t, screen(m), "The chain")
}

// TestSwitchWhileWalking switches scenarios before the first walk ends: the old walk's events
// are dropped and only the last scenario's results show.
func TestSwitchWhileWalking(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(func() bool { return m.walk.hops[0].Status == flows.StatusRunning })
	_, cmd := m.Update(scenarioChosenMsg{name: "wrong-audience"})
	d.exec(cmd)
	_, cmd = m.Update(scenarioChosenMsg{name: "missing-scope"})
	d.exec(cmd)
	d.until(func() bool { return m.walk.scenario == "missing-scope" && d.walkDone() })
	view := screen(m)
	mustContain(t, view, "scenario missing-scope", "agent.missing-scope")
	if strings.Contains(view, "agent.aud-mismatch") {
		t.Fatalf("a replaced walk's finding shows:\n%s", view)
	}
}

// TestClaimsSignInSaysWhy: answering Entra's claims challenge (a), the device-code box says it is
// a second sign-in and what it must satisfy — MFA for AADSTS50076 and the policy the challenge
// names — not the same box as the first sign-in (QA2 #25).
func TestClaimsSignInSaysWhy(t *testing.T) {
	m := sandboxModel(t, "mfa-required", 120, 36)
	d := runWalk(t, m)
	if m.walk.claims == "" {
		t.Fatal("no claims challenge after the mfa-required walk")
	}
	d.key("a")
	d.until(func() bool { return m.walk.device != nil })
	view := flat(screen(m))
	mustContain(t, view, "╭─ Sign in again with a device code ─",
		"Sign in again, satisfying the claims challenge: multi-factor authentication; Conditional Access policy ")
	d.until(d.walkDone)
	if m.walk.hops[2].Status != flows.StatusOK {
		t.Fatalf("after answering the challenge the OBO hop is %s", m.walk.hops[2].Status)
	}

	for _, c := range []struct{ claims, want string }{
		{`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`, "authentication context c1"},
		{`{"access_token":{"amr":{"values":["mfa"]}}}`, "multi-factor authentication"},
		{`{"id_token":{"auth_time":{"essential":true}}}`, ""},
		{`not json`, ""},
	} {
		if got := claimsRequirement(c.claims, nil); got != c.want {
			t.Errorf("claimsRequirement(%s) = %q, want %q", c.claims, got, c.want)
		}
	}
	if got, want := claimsSignInText(""), "Sign in again, satisfying the claims challenge."; got != want {
		t.Errorf("claimsSignInText(\"\") = %q", got)
	}
}
