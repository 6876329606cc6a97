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
	"github.com/oboscope/oboscope/inspect"
)

// This file holds a stand-in for MCP servers written with the TypeScript MCP SDK; the tests that
// point the walk at it are in foreign_tsmcp_test.go.

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
	// prmScopes are mcpAuthMetadataRouter's scopesSupported (nil: the tool scope under the
	// resource, as Entra needs for spec clients that send resource=<it>; the sandbox's MCP app has
	// no identifierUri for this server's URL, so only the agent-obo chain, which asks for
	// obo.scopes, gets a token with them).
	prmScopes []string
	// path is the MCP endpoint's path ("" = /mcp); "/" serves it at the root, with the resource
	// "https://host:port/" as the TS SDK writes it.
	path string
	// verifierThrows: the verifier throws a plain Error, not InvalidTokenError, and
	// requireBearerAuth answers 500 server_error to every token.
	verifierThrows bool
	// callScope is a scope only tools/call requires (step-up): a call without it gets 403
	// insufficient_scope naming it.
	callScope string
	// authorizationServer replaces the PRM's authorization_servers entry ("" = the v2.0 issuer;
	// "{base}" stands for the server's base URL).
	authorizationServer string
	// handlers are more endpoints the server serves (a metadata façade of its own).
	handlers map[string]http.HandlerFunc
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
	for p, h := range tm.handlers {
		mux.HandleFunc(p, h)
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
			scopes := tm.prmScopes
			if scopes == nil {
				scopes = []string{strings.TrimSuffix(res, "/") + "/tools.call"}
			}
			as := strings.NewReplacer("{base}", srv.URL).Replace(valueOr(tm.authorizationServer, tm.issuer))
			json.NewEncoder(w).Encode(map[string]any{"resource": res, "authorization_servers": []string{as},
				"scopes_supported": scopes, "resource_name": "ts mcp"})
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
	if tm.verifierThrows {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(500)
		w.Write([]byte(`{"error":"server_error","error_description":"Internal Server Error"}`))
		return false
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
