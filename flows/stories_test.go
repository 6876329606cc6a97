package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestHopErrorsWhole: a hop's error is stored whole — no GUID, URL or sentence cut — and
// the JSON, text and Markdown reports and check's stderr line carry all of it.
func TestHopErrorsWhole(t *testing.T) {
	tests := []struct {
		scenario, hop, want, tail string
	}{
		{"passthrough", "mcp",
			`mcp: HOST answered 401 — invalid token: audience "0b05c0de-a9e1-4000-8000-000000000003" is not this resource (expected 0b05c0de-3c90-4000-8000-000000000004 or api://contoso-mcp or https://HOST/mcp)`,
			"or https://HOST/mcp)"},
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

// TestAppOnlyTokenNames: an app-only token is never named a user token — neither the
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

// TestStoryNames: stories name apps by their display names — the app-only client, and
// the agent blueprint when it is the agent API itself.
func TestStoryNames(t *testing.T) {
	if out := sandboxText(t, "app-only-token"); !strings.Contains(out, "Contoso Chat Client obtained an app-only token") {
		t.Errorf("app-only-token:\n%s", out)
	}
	out := sandboxText(t, "agent-identity")
	if !strings.Contains(out, "signed in to Contoso Chat Client; token for Contoso Agent Blueprint") {
		t.Errorf("agent-identity:\n%s", out)
	}
	// W21: the obo story says the exchanged token is an Agent ID token, and whose.
	if !strings.Contains(out, "an Agent ID token (xms_par_app_azp Contoso Agent Blueprint)") {
		t.Errorf("agent-identity obo story does not name the Agent ID token:\n%s", out)
	}
}

// TestStoryWording: the reported exchange kind in words, nothing "offered" by check, a
// forwarded token not called exchanged, and the body of a challenge-less 401 shown.
func TestStoryWording(t *testing.T) {
	if out := sandboxText(t, "healthy"); !strings.Contains(out, "the MCP server did its own On-Behalf-Of exchange: ") {
		t.Errorf("healthy: downstream story:\n%s", out)
	}
	if out := sandboxText(t, "mfa-required"); strings.Contains(out, "(offered)") {
		t.Errorf("mfa-required: check offers nothing:\n%s", out)
	}
	if out := sandboxText(t, "passthrough"); strings.Contains(out, "own exchanged token") || !strings.Contains(out, "token the agent forwarded without an exchange") {
		t.Errorf("passthrough: the forwarded user token is not an exchanged one:\n%s", out)
	}
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"unauthorized"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.Run(context.Background()))
	if a := w.Report().Hops[1]; !strings.HasSuffix(a.Story, "with 401 — error: unauthorized") {
		t.Fatalf("agent story %q", a.Story)
	}
}
