package flows_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
)

// tsMCP reproduces, byte for byte where it matters, what an MCP server written with the
// TypeScript MCP SDK (v1.32: requireBearerAuth, mcpAuthMetadataRouter,
// getOAuthProtectedResourceMetadataUrl, a stateless StreamableHTTPServerTransport) answers. The
// fields are the misconfigurations a developer makes with it. The walk was pointed at the real
// SDK (node) to learn these answers; the tests do not need node.
type tsMCP struct {
	audience       string   // the verifier's expected aud ("" = not checked)
	requiredScopes []string // requireBearerAuth's requiredScopes
	// prmResource is mcpAuthMetadataRouter's resourceServerUrl ("" = the MCP URL; "-" = no router;
	// "{base}" and "{port}" stand for the server's base URL and port).
	prmResource string
	// challengeMetadata: requireBearerAuth's resourceMetadataUrl (default the MCP URL's
	// path-specific well-known URL; "-" = none).
	challengeMetadata string
	bareUnauthorized  bool // a hand-written middleware answering 401 {"error":"Unauthorized"} without a challenge
	// verifierScope is a scope the verifier itself demands, throwing InvalidTokenError (401) when
	// the token lacks it, before requireBearerAuth's own 403 check.
	verifierScope string
	// verifierIssuer is the issuer the verifier expects ("" = the authority's, as discovered).
	verifierIssuer string
	// expectedResource: requireBearerAuth's expectedResource is the MCP URL while the verifier
	// reports the token's aud as its resource (an Entra token's aud is never the URL).
	expectedResource bool
	// otherKeys: the verifier checks signatures with a key set that is not the issuer's.
	otherKeys bool
	// path is the MCP endpoint's path ("" = /mcp); "/" serves it at the root, with the resource
	// "https://host:port/" as the TS SDK writes it.
	path string
	// callScope is a scope only tools/call requires (step-up): a call without it gets 403
	// insufficient_scope naming it.
	callScope string
	// authorizationServer replaces the PRM's authorization_servers entry ("" = the v2.0 issuer).
	authorizationServer string
	// allowedHost turns on the transport's DNS rebinding protection: a POST whose Host differs
	// is refused with 403 and a JSON-RPC error, after authorization.
	allowedHost string
	issuer      string
	mcpServer   *mcp.Server
}

// tsMCPServer starts tm on a TLS test server and returns it with its MCP URL.
func tsMCPServer(t *testing.T, tm tsMCP) (*httptest.Server, string) {
	t.Helper()
	var srv *httptest.Server
	mcpHandler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return tm.mcpServer }, &mcp.StreamableHTTPOptions{Stateless: true})
	mux := http.NewServeMux()
	path := valueOr(tm.path, "/mcp")
	// new URL(…).href: a root URL gets its "/".
	mcpURL := func() string { return srv.URL + path }
	wellKnown := func(resource string) string {
		i := strings.Index(resource[len("https://"):], "/")
		if i < 0 {
			return resource + "/.well-known/oauth-protected-resource"
		}
		base, path := resource[:len("https://")+i], resource[len("https://")+i:]
		if path == "/" {
			path = ""
		}
		return base + "/.well-known/oauth-protected-resource" + path
	}
	if tm.prmResource != "-" {
		mux.HandleFunc("/.well-known/", func(w http.ResponseWriter, r *http.Request) {
			res := tm.prmResource
			if res == "" {
				res = mcpURL()
			}
			res = strings.NewReplacer("{base}", srv.URL, "{port}", srv.URL[strings.LastIndex(srv.URL, ":")+1:]).Replace(res)
			// Express matches the mount path alone (host aside), one trailing slash ignored.
			want := strings.TrimSuffix(wellKnown(res)[strings.Index(wellKnown(res)[len("https://"):], "/")+len("https://"):], "/")
			if r.Method != http.MethodGet || strings.TrimSuffix(r.URL.Path, "/") != want {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(404)
				fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET %s</pre>\n</body>\n</html>\n", r.URL.Path)
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			json.NewEncoder(w).Encode(map[string]any{"resource": res, "authorization_servers": []string{valueOr(tm.authorizationServer, tm.issuer)},
				"scopes_supported": []string{"api://contoso-mcp/tools.call"}, "resource_name": "ts mcp"})
		})
	}
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		if tm.bareUnauthorized {
			if claims, ok := tsBearerClaims(r); !ok || (tm.audience != "" && claims["aud"] != tm.audience) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(401)
				w.Write([]byte(`{"error":"Unauthorized"}`))
				return
			}
		} else if !tm.authorize(w, r, mcpURL, wellKnown) {
			return
		}
		if tm.allowedHost != "" && r.Host != tm.allowedHost {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(403)
			fmt.Fprintf(w, `{"error":{"code":-32000,"message":"Invalid Host header: %s"},"id":null,"jsonrpc":"2.0"}`, r.Host)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			w.WriteHeader(405)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var rpc struct {
			Method string `json:"method"`
		}
		json.Unmarshal(body, &rpc)
		if rpc.Method == "server/discover" || r.Header.Get("Mcp-Protocol-Version") == "2026-07-28" {
			// The TS SDK knows no protocol after 2025-11-25: the go-sdk's first request is refused.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			w.Write([]byte(`{"error":{"code":-32000,"message":"Bad Request: Unsupported protocol version: 2026-07-28 (supported versions: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05, 2024-10-07)"},"id":null,"jsonrpc":"2.0"}`))
			return
		}
		if claims, _ := tsBearerClaims(r); rpc.Method == "tools/call" && tm.callScope != "" {
			if scp, _ := claims["scp"].(string); !strings.Contains(" "+scp+" ", " "+tm.callScope+" ") {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", error_description="tools/call needs %s", scope="%s"`, tm.callScope, tm.callScope))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(403)
				w.Write([]byte(`{"error":"insufficient_scope"}`))
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		mcpHandler.ServeHTTP(w, r)
	})
	srv = quietTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv, strings.TrimSuffix(srv.URL+path, "/")
}

// authorize is requireBearerAuth with a jose-style verifier: 401 invalid_token (with the SDK's
// challenge) for a missing or unacceptable token, 403 insufficient_scope for a missing scope.
func (tm tsMCP) authorize(w http.ResponseWriter, r *http.Request, mcpURL func() string, wellKnown func(string) string) bool {
	fail := func(status int, code, msg string) bool {
		h := fmt.Sprintf(`Bearer error="%s", error_description="%s"`, code, msg)
		if len(tm.requiredScopes) > 0 {
			h += fmt.Sprintf(`, scope="%s"`, strings.Join(tm.requiredScopes, " "))
		}
		switch md := tm.challengeMetadata; md {
		case "-":
		case "":
			h += fmt.Sprintf(`, resource_metadata="%s"`, wellKnown(mcpURL()))
		default:
			h += fmt.Sprintf(`, resource_metadata="%s"`, md)
		}
		w.Header().Set("WWW-Authenticate", h)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": msg})
		return false
	}
	claims, ok := tsBearerClaims(r)
	if !ok {
		return fail(401, "invalid_token", "Missing Authorization header")
	}
	if tm.otherKeys {
		return fail(401, "invalid_token", "no applicable key found in the JSON Web Key Set")
	}
	if tm.verifierIssuer != "" && claims["iss"] != tm.verifierIssuer {
		return fail(401, "invalid_token", `unexpected "iss" claim value`)
	}
	if tm.audience != "" && claims["aud"] != tm.audience {
		return fail(401, "invalid_token", `unexpected "aud" claim value`)
	}
	if tm.expectedResource && claims["aud"] != mcpURL() {
		return fail(401, "invalid_token", "Token was not issued for this resource")
	}
	scp, _ := claims["scp"].(string)
	if v := tm.verifierScope; v != "" && !strings.Contains(" "+scp+" ", " "+v+" ") {
		return fail(401, "invalid_token", "token lacks scope "+v)
	}
	for _, s := range tm.requiredScopes {
		if !strings.Contains(" "+scp+" ", " "+s+" ") {
			return fail(403, "insufficient_scope", "Insufficient scope")
		}
	}
	return true
}

// tsBearerClaims decodes the bearer token's payload (the sandbox signed it; these tests are about
// what the server answers, not about its signature check).
func tsBearerClaims(r *http.Request) (map[string]any, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, false
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	return claims, json.Unmarshal(b, &claims) == nil
}

// tsWalk runs the whole walk against the healthy sandbox with mcp.url pointing at a TS-SDK-like
// server configured by tm, and returns the report.
func tsWalk(t *testing.T, tm tsMCP, edit func(*flows.Config)) (flows.Report, string) {
	t.Helper()
	s := startSandbox(t, "healthy")
	tm.issuer = s.AuthorityURL() + "/v2.0"
	if tm.authorizationServer == "{authority}" {
		tm.authorizationServer = s.AuthorityURL()
	}
	if tm.mcpServer == nil {
		tm.mcpServer = whoamiServer()
	}
	srv, mcpURL := tsMCPServer(t, tm)
	cfg := s.Config("")
	cfg.CAPEM = append(append([]byte{}, s.CAPEM()...), certPEM(srv)...)
	cfg.MCP.URL = mcpURL
	if edit != nil {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.Run(context.Background()))
	return w.Report(), mcpURL
}

func findingIDs(fs []inspect.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

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
			if code := flows.ExitCode(rep); code != 0 {
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
			if code := flows.ExitCode(rep); code != wantCode {
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
	if code := flows.ExitCode(rep); code != 0 {
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
		if code := flows.ExitCode(rep); code != 0 {
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
	if code := flows.ExitCode(rep); code != 0 {
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
	want := `the MCP server answered 403 insufficient_scope: it requires tools.write (its challenge) and the token presented has scp "tools.call"; its metadata's scopes_supported (api://contoso-mcp/tools.call) does not list tools.write (on tools/call whoami: the session itself was accepted)`
	if d := m.Findings[0].Detail; d != want {
		t.Fatalf("detail\n got %s\nwant %s", d, want)
	}
	if !strings.Contains(m.Story, "with the token: session started, 1 tool (whoami); tools/call whoami refused (403)") {
		t.Fatalf("story %q", m.Story)
	}
}
