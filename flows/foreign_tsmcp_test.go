package flows_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
)

// TestTSSDKInitializeStatus: the go-sdk client first sends server/discover, which a TS SDK server
// refuses with 400 "Unsupported protocol version", then initializes. The initialize answer (200)
// is the session's status, not the discovery's 400.
func TestTSSDKInitializeStatus(t *testing.T) {
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}}, nil)
	m := rep.Hops[3]
	if m.Status != flows.StatusOK || len(m.Findings) != 0 {
		t.Fatalf("mcp hop %s, findings %v, error %q", m.Status, findingIDs(m.Findings), m.Err)
	}
	if !strings.Contains(m.Story, "with the token: 200, 1 tool (whoami); whoami answered") {
		t.Fatalf("mcp story %q", m.Story)
	}
}

// TestConfiguredToolsTheServerLacks: a third-party server has its own tools. A configured
// mcp.tool it does not list is a configuration warning (not a failed chain), and a
// mcp.downstream_tool it does not list leaves nothing to report: the downstream hop is skipped,
// and a healthy chain exits 0.
func TestConfiguredToolsTheServerLacks(t *testing.T) {
	echo := mcp.NewServer(&mcp.Implementation{Name: "ts-like", Version: "1"}, nil)
	mcp.AddTool(echo, &mcp.Tool{Name: "echo", Description: "echoes"}, func(ctx context.Context, req *mcp.CallToolRequest, in map[string]any) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Hello: "echo"}, nil
	})
	for _, tt := range []struct {
		name       string
		server     *mcp.Server
		mcpStatus  flows.HopStatus
		mcpStory   string
		downstream string
	}{
		{"whoami only", whoamiServer(), flows.StatusOK, "1 tool (whoami); whoami answered",
			"skipped: the MCP server has no tool graph_me (its tools: whoami), so nothing reports its own downstream exchange; set mcp.downstream_tool to the tool that does, or remove it"},
		{"echo only", echo, flows.StatusWarning, "1 tool (echo); no tool whoami: set mcp.tool to one of them",
			"skipped: the MCP server has no tool graph_me (its tools: echo), so nothing reports its own downstream exchange; set mcp.downstream_tool to the tool that does, or remove it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, mcpServer: tt.server}, func(c *flows.Config) {
				c.MCP.Tool, c.MCP.DownstreamTool = "whoami", "graph_me"
			})
			m, d := rep.Hops[3], rep.Hops[4]
			if m.Status != tt.mcpStatus || len(m.Findings) != 0 || m.Err != "" || !strings.Contains(m.Story, tt.mcpStory) {
				t.Fatalf("mcp hop %s, findings %v, error %q, story %q", m.Status, findingIDs(m.Findings), m.Err, m.Story)
			}
			if d.Status != flows.StatusSkipped || d.Story != tt.downstream {
				t.Fatalf("downstream %s %q (error %q)", d.Status, d.Story, d.Err)
			}
			if code := rep.ExitCode(); code != 0 {
				t.Fatalf("exit code %d", code)
			}
		})
	}
}

// TestTSSDKMisconfigurations: each misconfiguration a developer makes with the TypeScript MCP SDK
// raises exactly the mcp findings its answers imply, with a cause and fix true for that server.
func TestTSSDKMisconfigurations(t *testing.T) {
	for _, tt := range []struct {
		name   string
		server tsMCP
		want   []string          // the mcp hop's finding IDs, sorted as reported
		detail map[string]string // a finding's detail must contain this
	}{
		{"correct", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}}, nil, nil},
		{"no audience check", tsMCP{requiredScopes: []string{"tools.call"}}, []string{"mcp.accepts-foreign-token"},
			map[string]string{"mcp.accepts-foreign-token": "the server answered 403 to the user's token, whose aud is " + testAgent + ": it authenticated it and only lacked a permission"}},
		{"agent's audience expected", tsMCP{audience: testAgent, requiredScopes: []string{"tools.call"}}, []string{"mcp.accepts-foreign-token", "mcp.rejected"},
			map[string]string{"mcp.rejected": "the MCP server answered 401 to a token for itself (aud " + sandbox.MCPAppID + ") but authenticated the user's token for " + testAgent + " (answered 403): it validates aud against " + testAgent}},
		{"scope the token lacks", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.admin"}}, []string{"mcp.rejected"},
			map[string]string{"mcp.rejected": `the MCP server answered 403 insufficient_scope: it requires tools.admin (its challenge) and the token presented has scp "tools.call"`}},
		{"scope the token lacks, answered 401 by the verifier", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.admin"}, verifierScope: "tools.admin"},
			[]string{"mcp.rejected", "mcp.insufficient-scope-status"},
			map[string]string{"mcp.rejected": `the MCP server answered 401 invalid_token ("token lacks scope tools.admin"); it requires tools.admin (its challenge), which the token presented lacks (scp "tools.call")`}},
		{"agent's audience expected and a scope the token lacks", tsMCP{audience: testAgent, requiredScopes: []string{"tools.admin"}}, []string{"mcp.accepts-foreign-token", "mcp.rejected"},
			map[string]string{"mcp.rejected": "it validates aud against " + testAgent}},
		{"v1 issuer expected", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, verifierIssuer: "https://sts.windows.net/" + testTenant + "/"},
			[]string{"mcp.rejected"},
			map[string]string{"mcp.rejected": "v2.0 token from Entra), the issuer the server's own metadata lists: its validator expects another issuer"}},
		{"App ID URI expected as aud of v2 tokens", tsMCP{audience: "api://contoso-mcp", requiredScopes: []string{"tools.call"}},
			[]string{"mcp.rejected"},
			map[string]string{"mcp.rejected": "; yet the token's aud " + sandbox.MCPAppID + " is the MCP server's own (v2.0 token): its validator expects another audience"}},
		{"expectedResource against Entra tokens", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, expectedResource: true},
			[]string{"mcp.rejected"},
			map[string]string{"mcp.rejected": "; the token's aud " + sandbox.MCPAppID + " is the MCP server's own, but Entra never puts the server's URL (https://127.0.0.1:{port}/mcp) in aud"}},
		{"full scope string required", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"api://contoso-mcp/tools.call"}},
			[]string{"mcp.rejected"},
			map[string]string{"mcp.rejected": `the MCP server answered 403 insufficient_scope asking for api://contoso-mcp/tools.call, which the token carries: its scp is "tools.call"`}},
		{"signing keys not the issuer's", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, otherKeys: true},
			[]string{"mcp.rejected"},
			map[string]string{"mcp.rejected": "; oboscope verified this token's signature against its issuer's published keys (kid "}},
		{"authority without /v2.0 as authorization server", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, authorizationServer: "{authority}"},
			[]string{"mcp.prm-issuer-mismatch"},
			map[string]string{"mcp.prm-issuer-mismatch": "/v2.0 is not among the metadata's authorization_servers https://127.0.0.1:"}},
		{"metadata only for another path", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmResource: "{base}/other-mcp"},
			[]string{"mcp.no-resource-metadata"},
			map[string]string{"mcp.no-resource-metadata": "/.well-known/oauth-protected-resource/mcp (404), https://127.0.0.1:{port}/.well-known/oauth-protected-resource (404)"}},
		{"metadata at the root only", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmResource: "{base}/"},
			[]string{"mcp.prm-resource-mismatch"},
			map[string]string{"mcp.prm-resource-mismatch": `the metadata's resource is "https://127.0.0.1:{port}/" but the server URL used is "https://127.0.0.1:{port}/mcp" (found at https://127.0.0.1:{port}/.well-known/oauth-protected-resource; the challenge's resource_metadata https://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp serves none)`}},
		{"public URL says localhost", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmResource: "https://localhost:{port}/mcp"},
			[]string{"mcp.prm-resource-mismatch"},
			map[string]string{"mcp.prm-resource-mismatch": `the metadata's resource is "https://localhost:{port}/mcp" but the server URL used is "https://127.0.0.1:{port}/mcp"`}},
		{"trailing slash", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmResource: "{base}/mcp/"},
			[]string{"mcp.prm-resource-mismatch"}, nil},
		{"no metadata, challenge without resource_metadata", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmResource: "-", challengeMetadata: "-"},
			[]string{"mcp.no-resource-metadata", "mcp.no-www-authenticate"}, nil},
		{"401 without WWW-Authenticate", tsMCP{audience: sandbox.MCPAppID, prmResource: "-", bareUnauthorized: true},
			[]string{"mcp.no-resource-metadata", "mcp.no-www-authenticate"},
			map[string]string{"mcp.no-www-authenticate": "the unauthenticated request was answered 401 without a WWW-Authenticate header"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, mcpURL := tsWalk(t, tt.server, nil)
			port := mcpURL[strings.LastIndex(mcpURL, ":")+1 : strings.LastIndex(mcpURL, "/")]
			m := rep.Hops[3]
			got := findingIDs(m.Findings)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("mcp findings %v, want %v (story %q, error %q)", got, tt.want, m.Story, m.Err)
			}
			for _, f := range m.Findings {
				if want, ok := tt.detail[f.ID]; ok && !strings.Contains(f.Detail, strings.ReplaceAll(want, "{port}", port)) {
					t.Errorf("%s detail %q lacks %q", f.ID, f.Detail, want)
				}
			}
			wantCode := 0
			if len(tt.want) > 0 {
				wantCode = 1
			}
			// How the story ends: what the user's own token got.
			storyEnd := map[string]string{
				"correct":                   "the user's own token rejected (401)",
				"no audience check":         "the user's own token authenticated, refused only for a permission (403)",
				"agent's audience expected": "the user's own token authenticated, refused only for a permission (403)",
			}[tt.name]
			if !strings.HasSuffix(m.Story, storyEnd) {
				t.Errorf("story %q does not end with %q", m.Story, storyEnd)
			}
			if code := rep.ExitCode(); code != wantCode {
				t.Errorf("exit code %d, want %d", code, wantCode)
			}
		})
	}
}

// TestTSSDKPassthroughToServerWithoutAudienceCheck: the user's token forwarded as-is (obo.mode
// passthrough) to a server that checks no aud gets 403 insufficient_scope: the server
// authenticated a token for the agent API. To a server that checks aud it gets 401.
func TestTSSDKPassthroughToServerWithoutAudienceCheck(t *testing.T) {
	for _, tt := range []struct {
		audience string
		want     string
	}{
		{"", "mcp.accepts-foreign-token mcp.aud-mismatch mcp.token-passthrough"},
		{sandbox.MCPAppID, "mcp.aud-mismatch mcp.token-passthrough"},
	} {
		rep, _ := tsWalk(t, tsMCP{audience: tt.audience, requiredScopes: []string{"tools.call"}}, func(c *flows.Config) {
			c.OBO = flows.OBOConfig{Mode: "passthrough"}
		})
		m := rep.Hops[3]
		if got := strings.Join(findingIDs(m.Findings), " "); got != tt.want {
			t.Errorf("audience %q: mcp findings %s, want %s (story %q)", tt.audience, got, tt.want, m.Story)
		}
	}
}

// TestTSSDKHostCheck: a server whose transport refuses the Host header (DNS rebinding protection)
// answers the authorized session 403 with a JSON-RPC error and no challenge: that is not a
// rejection of the token, and the story quotes the MCP error.
func TestTSSDKHostCheck(t *testing.T) {
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, allowedHost: "localhost:3000"}, nil)
	m := rep.Hops[3]
	if len(m.Findings) != 0 || m.Status != flows.StatusFailed {
		t.Fatalf("mcp hop %s, findings %v", m.Status, findingIDs(m.Findings))
	}
	if !strings.Contains(m.Story, "with the token: 403 (MCP error: Invalid Host header: 127.0.0.1:") {
		t.Fatalf("story %q", m.Story)
	}
}

// TestTSSDKChallengeWithoutMetadataURL: requireBearerAuth without resourceMetadataUrl, metadata
// served at the MCP URL's well-known path. MCP 2025-11-25 clients find it there, 2025-06-18
// clients do not: mcp.no-www-authenticate is a warning, and the walk exits 0.
func TestTSSDKChallengeWithoutMetadataURL(t *testing.T) {
	rep, mcpURL := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, challengeMetadata: "-"}, nil)
	m := rep.Hops[3]
	if len(m.Findings) != 1 || m.Findings[0].ID != "mcp.no-www-authenticate" || m.Findings[0].Severity != inspect.SeverityWarning || m.Status != flows.StatusWarning {
		t.Fatalf("mcp hop %s, findings %+v", m.Status, m.Findings)
	}
	wk := strings.Replace(mcpURL, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)
	if !strings.HasSuffix(m.Findings[0].Detail, "; the metadata is at "+wk+", where clients of MCP 2025-11-25 look when the challenge names none, but clients of 2025-06-18 rely on the challenge") {
		t.Fatalf("detail %q", m.Findings[0].Detail)
	}
	if code := rep.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestTSSDKAtTheRoot: a TS SDK server at the root writes its resource "https://host:port/"; with
// mcp.url "https://host:port" that is the same URL, which only string-comparing clients refuse: a
// warning, exit 0. With the slash configured, nothing at all.
func TestTSSDKAtTheRoot(t *testing.T) {
	for _, slash := range []bool{false, true} {
		rep, mcpURL := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, path: "/"}, func(c *flows.Config) {
			if slash {
				c.MCP.URL += "/"
			}
		})
		m := rep.Hops[3]
		if slash {
			if len(m.Findings) != 0 || m.Status != flows.StatusOK {
				t.Fatalf("with the slash: mcp hop %s, findings %v (story %q)", m.Status, findingIDs(m.Findings), m.Story)
			}
			continue
		}
		if len(m.Findings) != 1 || m.Findings[0].ID != "mcp.prm-resource-mismatch" || m.Findings[0].Severity != inspect.SeverityWarning {
			t.Fatalf("mcp findings %+v (story %q)", m.Findings, m.Story)
		}
		if f := m.Findings[0]; f.Fix != "Configure clients (and mcp.url) with "+mcpURL+"/, the form the metadata names, or make the metadata's resource "+mcpURL+"." {
			t.Fatalf("fix %q", f.Fix)
		}
		if code := rep.ExitCode(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	}
}

// TestTSSDKToolRefusesArguments: a tool whose input schema the configured arguments do not meet
// answers a JSON-RPC error (the TS SDK: -32602 "Input validation error"); the server and its
// authorization work, so the hop is a warning that names mcp.arguments, and the walk exits 0.
func TestTSSDKToolRefusesArguments(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "ts-like", Version: "1"}, nil)
	type nameIn struct {
		Name string `json:"name" jsonschema:"who to greet"`
	}
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "needs a name"}, func(ctx context.Context, req *mcp.CallToolRequest, in nameIn) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Hello: in.Name}, nil
	})
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, mcpServer: server}, nil)
	m := rep.Hops[3]
	if m.Status != flows.StatusWarning || len(m.Findings) != 0 || m.Err != "" || !strings.Contains(m.Story, "1 tool (whoami); whoami answered with an error (check mcp.arguments): ") {
		t.Fatalf("mcp hop %s, findings %v, error %q, story %q", m.Status, findingIDs(m.Findings), m.Err, m.Story)
	}
	if code := rep.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestTSSDKToolCallScopeChallenge: the session is accepted but tools/call answers 403
// insufficient_scope for a scope only the call needs (step-up): mcp.rejected names the scope and
// the call, and the story says the session started.
func TestTSSDKToolCallScopeChallenge(t *testing.T) {
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, callScope: "tools.write"}, nil)
	m := rep.Hops[3]
	if got := strings.Join(findingIDs(m.Findings), " "); got != "mcp.rejected" {
		t.Fatalf("mcp findings %s (story %q)", got, m.Story)
	}
	want := `the MCP server answered 403 insufficient_scope: it requires tools.write (its challenge) and the token presented has scp "tools.call"; its metadata's scopes_supported (MCPURL/tools.call) does not list tools.write (on tools/call whoami: the session itself was accepted)`
	if d := regexp.MustCompile(`https://127\.0\.0\.1:\d+/mcp`).ReplaceAllString(m.Findings[0].Detail, "MCPURL"); d != want {
		t.Fatalf("detail\n got %s\nwant %s", d, want)
	}
	if !strings.Contains(m.Story, "with the token: session started, 1 tool (whoami); tools/call whoami refused (403)") {
		t.Fatalf("story %q", m.Story)
	}
}

// TestMetadataURLsThatHang: metadata URLs that never answer are named with "timed out" (the
// walk's per-request timeout bounds each), not a bare "no answer".
func TestMetadataURLsThatHang(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", resource_metadata="https://`+r.Host+`/.well-known/oauth-protected-resource/mcp"`)
		w.WriteHeader(401)
	})
	mux.HandleFunc("/.well-known/", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/agent", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"reply":"ok"}`)) })
	srv := quietTLSServer(mux)
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.OBO = flows.OBOConfig{Mode: "passthrough"}
	cfg.MCP = flows.MCPConfig{URL: srv.URL + "/mcp", AppIDURI: "api://contoso-mcp"}
	w := flows.NewWalk(cfg, flows.WalkOptions{Timeout: 300 * time.Millisecond})
	defer w.Close()
	collect(w.Run(context.Background()))
	m := w.Report().Hops[3]
	want := "no Protected Resource Metadata at " + srv.URL + "/.well-known/oauth-protected-resource/mcp (timed out), " + srv.URL + "/.well-known/oauth-protected-resource (timed out)"
	for _, f := range m.Findings {
		if f.ID == "mcp.no-resource-metadata" {
			if f.Detail != want {
				t.Fatalf("detail\n got %s\nwant %s", f.Detail, want)
			}
			return
		}
	}
	t.Fatalf("no mcp.no-resource-metadata in %v", findingIDs(m.Findings))
}

// TestTSSDKVerifierThrows: a verifier that throws a plain Error makes requireBearerAuth answer 500
// with a JSON body the go-sdk closes unread; the hop's error still quotes it (it said "empty body").
func TestTSSDKVerifierThrows(t *testing.T) {
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, verifierThrows: true}, nil)
	m := rep.Hops[3]
	if !strings.HasSuffix(m.Err, "answered 500 — error_description: Internal Server Error") {
		t.Fatalf("mcp error %q", m.Err)
	}
}
