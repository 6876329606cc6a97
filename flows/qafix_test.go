package flows_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
)

// slowCloseSSE wraps a stateless streamable handler (it answers text/event-stream) and keeps each
// POST's body open for a while after the JSON-RPC answer was flushed, as a proxy or a slow server
// may: the SDK has its answer long before the body reaches EOF.
func slowCloseSSE(inner http.Handler, hold time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		if r.Method == http.MethodPost {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			time.Sleep(hold)
		}
	})
}

func whoamiServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "third-party", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "says hello"}, func(ctx context.Context, req *mcp.CallToolRequest, in map[string]any) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Hello: "anyone"}, nil
	})
	return server
}

// TestMCPStatusFromResponseHead (W1): the MCP session's initialize status comes from the response
// as it arrived, not from the exchange completed when the SDK closes the SSE body.
func TestMCPStatusFromResponseHead(t *testing.T) {
	server := whoamiServer()
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true})
	cfg := mcpBeside(t, slowCloseSSE(h, 300*time.Millisecond))
	cfg.OBO = flows.OBOConfig{Mode: "passthrough"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.Run(context.Background()))
	m := w.Report().Hops[3]
	if !strings.Contains(m.Story, "with the token: 200, 1 tool (whoami); whoami answered") {
		t.Fatalf("mcp story %q (error %q)", m.Story, m.Err)
	}
}

// TestServersThatAcceptNothing (W2): an MCP URL that answers every request — the unauthenticated
// probe included — with an HTML page, an empty 200 or a 403 has not shown that it takes a token
// for another audience; mcp.accepts-foreign-token needs a 401 without a token and an MCP answer
// with the foreign one.
func TestServersThatAcceptNothing(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		ct     string
		body   string
		want   string // a finding the mcp hop must raise ("" none in particular)
	}{
		{"html 200", 200, "text/html", "<html><body>Welcome to nginx!</body></html>", ""},
		{"empty 200", 200, "application/json", "", ""},
		{"truncated json", 200, "application/json", `{"jsonrpc":"2.0","id":1,"resu`, ""},
		{"403 to everything", 403, "application/json", `{"error":"forbidden"}`, "mcp.no-www-authenticate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mcpBeside(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			w := flows.NewWalk(cfg, flows.WalkOptions{})
			defer w.Close()
			collect(w.Run(context.Background()))
			m := w.Report().Hops[3]
			found := false
			for _, f := range m.Findings {
				if f.ID == "mcp.accepts-foreign-token" {
					t.Fatalf("mcp.accepts-foreign-token raised: %s", f.Detail)
				}
				found = found || f.ID == tt.want
			}
			if tt.want != "" && !found {
				t.Fatalf("want %s in %+v", tt.want, m.Findings)
			}
			if strings.Contains(m.Story, "accepted") {
				t.Fatalf("story %q", m.Story)
			}
		})
	}
}

// TestDownstreamSkippedWhenMCPFailed (W3): when the mcp hop got no MCP session going (a hanging
// server, an HTML 500), the downstream hop does not knock again (no second timeout, no duplicate
// error): it is skipped and points at the mcp hop.
func TestDownstreamSkippedWhenMCPFailed(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"hangs", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		}},
		{"html 500", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			w.Write([]byte("<html><h1>500 Internal Server Error</h1></html>"))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mcpBeside(t, tt.h)
			cfg.OBO = flows.OBOConfig{Mode: "passthrough"}
			cfg.MCP.DownstreamTool = "graph_me"
			w := flows.NewWalk(cfg, flows.WalkOptions{Timeout: 300 * time.Millisecond})
			defer w.Close()
			collect(w.Run(context.Background()))
			rep := w.Report()
			if rep.Hops[3].Err == "" {
				t.Fatalf("mcp hop has no error: %+v", rep.Hops[3])
			}
			d := rep.Hops[4]
			if d.Status != flows.StatusSkipped || !strings.HasSuffix(d.Story, "(see the mcp hop)") || d.Err != "" || len(d.Exchanges) != 0 {
				t.Fatalf("downstream: status %s, story %q, error %q, %d exchanges", d.Status, d.Story, d.Err, len(d.Exchanges))
			}
		})
	}
}

// TestRejectedHopStatus (W4): an agent API that rejects the user token fails the agent hop, even
// when an earlier finding (token.expired) explains the rejection and agent.rejected is not raised.
func TestRejectedHopStatus(t *testing.T) {
	rep, _, _ := sandboxCheck(t, "expired-user-token", sandbox.Options{})
	for _, h := range rep.Hops {
		if h.ID != "agent" {
			continue
		}
		if h.Status != "failed" {
			t.Fatalf("agent hop status %q, want failed", h.Status)
		}
		for _, f := range h.Findings {
			if f.ID == "agent.rejected" {
				t.Fatalf("agent.rejected raised although token.expired explains it")
			}
		}
		return
	}
	t.Fatal("no agent hop")
}

// TestReportsAreTerminalSafe (W12): an agent's reply and a token's claims are attacker-controlled;
// no report format carries their escape sequences, C1 controls or bidi overrides raw.
func TestReportsAreTerminalSafe(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"hi \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u202eevil"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.jwt", fakeJWT(t, map[string]any{"name": "\u202eevil\a\x1b[2J\u009b31m", "preferred_username": "x\x1b[31m@contoso.example"}))
	for _, format := range []string{"text", "markdown", "json"} {
		var out, errb strings.Builder
		report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: format}, &out, &errb)
		all := out.String() + errb.String()
		if i := strings.IndexFunc(all, func(r rune) bool {
			return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		}); i >= 0 {
			t.Fatalf("%s report carries %q at %d:\n%s", format, all[i:min(i+12, len(all))], i, all)
		}
		if format == "text" && !strings.Contains(all, `answered 200: hi \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 \u202eevil`) {
			t.Fatalf("text report does not show the reply escaped:\n%s", all)
		}
	}
}

// sandboxText runs `check --sandbox --scenario S` in-process and returns the text report.
func sandboxText(t *testing.T, scenario string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb strings.Builder
	report.RunCheck(ctx, s.Config(""), report.CheckOptions{Mode: "sandbox", Scenario: scenario, Format: "text"}, &out, &errb)
	return out.String() + errb.String()
}

// TestTextReportSaysErrorOnce (W6): the hop's error line is left out when its story already says
// it (same text or same AADSTS code); the finding keeps the detail.
func TestTextReportSaysErrorOnce(t *testing.T) {
	for _, scenario := range []string{"wrong-audience", "consent-missing"} {
		out := sandboxText(t, scenario)
		if strings.Contains(out, "error: obo:") {
			t.Errorf("%s: the obo error repeats the story:\n%s", scenario, out)
		}
		if !strings.Contains(out, "Entra refused the exchange: AADSTS") {
			t.Errorf("%s: the story no longer tells the Entra error:\n%s", scenario, out)
		}
	}
}

// TestExitCodeConfigFindingsOnly (W11): findings about the configuration (an unqualified scope)
// do not make a walk that reached nothing "ran": the exit code stays 2.
func TestExitCodeConfigFindingsOnly(t *testing.T) {
	for _, scopes := range [][]string{{"access_as_user"}, {"api://contoso-agent/access_as_user"}} {
		cfg := flows.Config{TenantID: testTenant, AuthorityHost: "https://127.0.0.1:1",
			Signin: flows.SigninConfig{ClientID: testClient, Scopes: scopes},
			Agent:  flows.AgentConfig{URL: "https://127.0.0.1:1/agent", ClientID: testAgent}, OBO: flows.OBOConfig{Mode: "none"}}
		if _, code, _ := runCheck(t, cfg, 2*time.Second); code != 2 {
			t.Fatalf("scopes %v: exit code %d, want 2 (nothing could run)", scopes, code)
		}
	}
	tests := []struct {
		name string
		rep  flows.Report
		want int
	}{
		{"config finding only", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Findings:  []inspect.Finding{inspect.NewFinding("signin.scope-unqualified", "signin", "x", nil)},
			Exchanges: []flows.Exchange{{Method: "GET", Err: "unreachable"}}}}, Summary: flows.Summary{Warnings: 1}}, 2},
		{"an answer without a finding (truncated discovery)", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Exchanges: []flows.Exchange{{Method: "GET", Status: 200}}}}}, 2},
		{"an Entra error answered", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Findings:  []inspect.Finding{inspect.NewFinding("signin.scope-unqualified", "signin", "x", nil)},
			Exchanges: []flows.Exchange{{Method: "POST", Status: 400}}}}, Summary: flows.Summary{Warnings: 1}}, 1},
		{"a token, no problem", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusOK,
			Tokens: []flows.NamedToken{{Name: "user token"}}}}}, 0},
	}
	for _, tt := range tests {
		if got := tt.rep.ExitCode(); got != tt.want {
			t.Errorf("%s: exit code %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestGroupsOverageOnce (W7): the user's group overage is reported at the hop that first saw it
// (signin), not again for the OBO token of the same user.
func TestGroupsOverageOnce(t *testing.T) {
	rep, _, _ := sandboxCheck(t, "groups-overage", sandbox.Options{})
	if got := rep.placedFindings(); !slices.Contains(got, "signin:token.groups-overage") {
		t.Fatalf("no signin:token.groups-overage in %v", got)
	}
	n := 0
	for _, f := range rep.findings() {
		if f.ID == "token.groups-overage" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("token.groups-overage reported %d times: %v", n, rep.placedFindings())
	}
}

// TestAgentNonJSONSuccess (W5): a 200 that is not the agent's JSON is told for what it is — an
// HTML page (a proxy's) or an empty body — as a warning, never "accepted" nor "truncated JSON".
func TestAgentNonJSONSuccess(t *testing.T) {
	for _, tt := range []struct {
		name, ct, body, want string
	}{
		{"html 200", "text/html", "<html><head><title>Welcome to nginx!</title></head></html>", "answered 200 with an HTML page (title: Welcome to nginx!), not the agent's JSON"},
		{"empty 200 json", "application/json", "", "answered 200 with an empty body, not the agent's JSON"},
		{"empty 200", "", "", "answered 200 with an empty body, not the agent's JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ct != "" {
					w.Header().Set("Content-Type", tt.ct)
				}
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
			w := flows.NewWalk(cfg, flows.WalkOptions{})
			defer w.Close()
			collect(w.Run(context.Background()))
			a := w.Report().Hops[1]
			if a.Status != flows.StatusWarning || !strings.Contains(a.Story, tt.want) || a.Err != "" {
				t.Fatalf("agent hop: %s, story %q, error %q; want warning with %q", a.Status, a.Story, a.Err, tt.want)
			}
		})
	}
}

// TestStoryWording (W8): the reported exchange kind in words, nothing "offered" by check, a
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

// TestAuthorityHostAlias (W10): authority_host https://localhost:PORT for a sandbox whose issuer
// says 127.0.0.1 — MSAL refuses the metadata; the sign-in error names both hosts and the fix.
func TestAuthorityHostAlias(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config("")
	cfg.AuthorityHost = strings.Replace(cfg.AuthorityHost, "127.0.0.1", "localhost", 1)
	issuerHost := strings.TrimPrefix(s.BaseURL(), "https://")
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	defer w.Close()
	collect(w.RunHop(ctx, flows.HopSignin))
	got := w.Report().Hops[0].Err
	want := "signin: the authority's metadata names issuer host " + issuerHost + " but authority_host is " + cfg.AuthorityHost + ": use authority_host " + s.BaseURL()
	if got != want {
		t.Fatalf("signin error\n got %q\nwant %q", got, want)
	}
}

// TestTokenFileSentAsDecoded (W17): a token file holding the token in quotes, wrapped, or behind
// "Authorization: Bearer " is sent to the agent exactly as decoded, not as the file's text.
func TestTokenFileSentAsDecoded(t *testing.T) {
	tok := fakeJWT(t, nil)
	got := make(chan string, 4)
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	}))
	defer srv.Close()
	for _, content := range []string{`"` + tok + `"`, tok[:40] + "\n" + tok[40:], "Authorization: Bearer " + tok} {
		cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
		cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.txt", content)
		w := flows.NewWalk(cfg, flows.WalkOptions{})
		collect(w.RunHop(context.Background(), flows.HopSignin))
		collect(w.RunHop(context.Background(), flows.HopAgent))
		w.Close()
		if h := <-got; h != "Bearer "+tok {
			t.Fatalf("file %q: agent got %q", content, h)
		}
	}
}

// TestOBOStoryWithAgentFailure (W16): when oboscope's exchange works but the agent API reports
// its own failed, the failed obo hop's story says both.
func TestOBOStoryWithAgentFailure(t *testing.T) {
	out := sandboxText(t, "token-exchange-grant")
	if !strings.Contains(out, "oboscope's exchange as Contoso Agent API worked (a token for Contoso MCP Server") ||
		!strings.Contains(out, "; but the agent API reports its own exchange failed: AADSTS70003") {
		t.Fatalf("obo story:\n%s", out)
	}
}
