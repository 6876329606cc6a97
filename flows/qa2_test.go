package flows_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// loopbackPort hides the sandbox's random port so that messages can be compared exactly.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// sandboxFormats runs one sandbox walk per report format and returns each report (stdout and
// stderr) with the port hidden.
func sandboxFormats(t *testing.T, scenario string, formats ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string]string{}
	for _, f := range formats {
		var o, e strings.Builder
		report.RunCheck(ctx, s.Config(""), report.CheckOptions{Mode: "sandbox", Scenario: scenario, Format: f}, &o, &e)
		out[f] = loopbackPort.ReplaceAllString(o.String(), "HOST") + loopbackPort.ReplaceAllString(e.String(), "HOST")
	}
	return out
}

// TestHopErrorsWhole (QA2 #1): a hop's error is stored whole — no GUID, URL or sentence cut — and
// the JSON, text and Markdown reports and check's stderr line carry all of it.
func TestHopErrorsWhole(t *testing.T) {
	tests := []struct {
		scenario, hop, want, tail string
	}{
		{"passthrough", "mcp",
			`mcp: HOST answered 401 — invalid token: audience "0b05c0de-a9e1-4000-8000-000000000003" is not this resource (expected 0b05c0de-3c90-4000-8000-000000000004 or api://contoso-mcp)`,
			"or api://contoso-mcp)"},
		{"v1-mcp-tokens", "mcp",
			`mcp: HOST answered 401 — invalid token: issuer "https://HOST/0b05c0de-7e4a-4000-8000-000000000001/" is not accepted (expected https://HOST/0b05c0de-7e4a-4000-8000-000000000001/v2.0)`,
			"0b05c0de-7e4a-4000-8000-000000000001/v2.0)"},
		{"bad-client-secret", "agent",
			`agent: the agent API answered 502: its own token exchange failed (AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '0b05c0de-a9e1-4000-8000-000000000003'.)`,
			"for a secret added to app '0b05c0de-a9e1-4000-8000-000000000003'."},
		{"bad-client-secret", "obo",
			`obo: Entra answered invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '0b05c0de-a9e1-4000-8000-000000000003'.`,
			"for a secret added to app '0b05c0de-a9e1-4000-8000-000000000003'."},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.hop, func(t *testing.T) {
			rep, _, _ := sandboxCheck(t, tt.scenario, sandbox.Options{})
			got := ""
			for _, h := range rep.Hops {
				if h.ID == tt.hop {
					got = loopbackPort.ReplaceAllString(h.Error, "HOST")
				}
			}
			if got != tt.want {
				t.Fatalf("%s hop error\n got %q\nwant %q", tt.hop, got, tt.want)
			}
			outs := sandboxFormats(t, tt.scenario, "text", "markdown", "json")
			for f, out := range outs {
				if !strings.Contains(out, tt.tail) {
					t.Errorf("%s report lacks the end of the error %q:\n%s", f, tt.tail, out)
				}
			}
			if !strings.Contains(outs["json"], "oboscope: "+tt.want+"\n") {
				t.Errorf("check's stderr line is not the whole error %q:\n%s", tt.want, outs["json"])
			}
		})
	}
}

// tokenNames returns each hop's token names, "hop: name, name".
func tokenNames(rep flows.Report) []string {
	var out []string
	for _, h := range rep.Hops {
		var names []string
		for _, tk := range h.Tokens {
			names = append(names, tk.Name)
		}
		out = append(out, string(h.ID)+": "+strings.Join(names, ", "))
	}
	return out
}

// TestAppOnlyTokenNames (QA2 #12): an app-only token is never named a user token — neither the
// client-credentials sign-in's nor an app-only token brought in a token file.
func TestAppOnlyTokenNames(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: "app-only-token", AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{HTTPClient: s.HTTPClient(), Mode: "sandbox", Scenario: "app-only-token", AutoApproved: true})
	collect(w.Run(ctx))
	w.Close()
	want := "signin: client token (app-only)|agent: app-only token presented|obo: assertion (app-only token)|mcp: |downstream: "
	if got := strings.Join(tokenNames(w.Report()), "|"); got != want {
		t.Errorf("app-only-token scenario\n got %s\nwant %s", got, want)
	}

	// An app-only token in a token file (flow: token).
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		over map[string]any
		want string
	}{
		{map[string]any{"scp": nil, "roles": []string{"Agent.Invoke"}, "idtyp": "app"}, "signin: app-only token|agent: app-only token presented"},
		{nil, "signin: user token|agent: user token presented"},
	} {
		cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
		cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.txt", fakeJWT(t, tt.over))
		w := flows.NewWalk(cfg, flows.WalkOptions{})
		collect(w.RunHop(ctx, flows.HopSignin))
		collect(w.RunHop(ctx, flows.HopAgent))
		w.Close()
		if got := strings.Join(tokenNames(w.Report())[:2], "|"); got != tt.want {
			t.Errorf("token file %v\n got %s\nwant %s", tt.over, got, tt.want)
		}
	}
}

// TestClaimsChallengeStory (QA2 #22): the obo story of a claims challenge says what to do, true
// in the headless check as in the TUI, instead of "re-sign-in with the claims is offered".
func TestClaimsChallengeStory(t *testing.T) {
	out := sandboxText(t, "mfa-required")
	want := "\n   Entra asks for a fresh sign-in satisfying a claims challenge: sign in again with the claims (oboscope's TUI does it: press a)\n"
	if !strings.Contains(out, want) || strings.Contains(out, "is offered") {
		t.Fatalf("mfa-required check output lacks %q:\n%s", want, out)
	}
}
