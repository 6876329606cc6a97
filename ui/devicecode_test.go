package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
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

// TestClaimsSignInSaysWhy: answering Entra's claims challenge (a), the device-code box says it is
// a second sign-in and what it must satisfy — MFA for AADSTS50076 and the policy the challenge
// names — not the same box as the first sign-in.
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
		if got := inspect.ClaimsRequirement(c.claims, nil); got != c.want {
			t.Errorf("inspect.ClaimsRequirement(%s) = %q, want %q", c.claims, got, c.want)
		}
	}
	if got, want := claimsSignInText(""), "Sign in again, satisfying the claims challenge."; got != want {
		t.Errorf("claimsSignInText(\"\") = %q", got)
	}
}
