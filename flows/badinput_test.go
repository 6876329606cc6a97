package flows_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

const (
	testTenant = "0b05c0de-7e4a-4000-8000-000000000001"
	testClient = "0b05c0de-c11e-4000-8000-000000000002"
	testAgent  = "0b05c0de-a9e1-4000-8000-000000000003"
)

// fakeJWT builds a token-shaped string for the token flow (its signature is not valid: the walk
// does not need it to be for these tests).
func fakeJWT(t *testing.T, over map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	claims := map[string]any{"aud": testAgent, "iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0", "tid": testTenant,
		"azp": testClient, "scp": "access_as_user", "ver": "2.0", "oid": "u1", "sub": "s1", "idtyp": "user",
		"iat": now, "nbf": now, "exp": now + 3600, "preferred_username": "alice@contoso.example"}
	for k, v := range over {
		claims[k] = v
	}
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

// quietTLSServer is an httptest TLS server that does not log the handshakes the tests make fail.
func quietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func certPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// tokenConfig is a walk with a token the user brings, presented to agentURL, no OBO, no MCP.
func tokenConfig(t *testing.T, authority, agentURL string, ca []byte) flows.Config {
	dir := t.TempDir()
	tf := writeFile(t, dir, "token.txt", fakeJWT(t, nil))
	return flows.Config{
		TenantID: testTenant, AuthorityHost: authority, CAPEM: ca,
		Signin: flows.SigninConfig{Flow: "token", TokenFile: tf},
		Agent:  flows.AgentConfig{URL: agentURL, ClientID: testAgent, RequiredScopes: []string{"access_as_user"}},
		OBO:    flows.OBOConfig{Mode: "none"},
	}
}

// mcpBeside serves mcpHandler at /mcp beside an agent API that answers {"reply":"ok"} and
// returns a token-you-bring config whose MCP hop calls it (tool whoami).
func mcpBeside(t *testing.T, mcpHandler http.Handler) flows.Config {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcpHandler)
	mux.HandleFunc("/agent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	})
	srv := quietTLSServer(mux)
	t.Cleanup(srv.Close)
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.MCP = flows.MCPConfig{URL: srv.URL + "/mcp", AppIDURI: "api://contoso-mcp", Tool: "whoami"}
	return cfg
}

func runCheck(t *testing.T, cfg flows.Config, timeout time.Duration) (flows.Report, int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: "json", Timeout: timeout}, &out, &errb)
	var rep struct {
		Hops []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"hops"`
	}
	if code != 2 || out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("report is not JSON: %v\n%s", err, out.String())
		}
	}
	r := flows.Report{}
	for _, h := range rep.Hops {
		r.Hops = append(r.Hops, flows.HopResult{ID: flows.HopID(h.ID), Status: flows.HopStatus(h.Status), Err: h.Error})
	}
	return r, code, errb.String()
}

func hop(r flows.Report, id flows.HopID) flows.HopResult {
	for _, h := range r.Hops {
		if h.ID == id {
			return h
		}
	}
	return flows.HopResult{}
}

func TestBadAgentAnswers(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.WriteHeader(200)
	}))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		w.Write([]byte("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		w.Write([]byte(`{"error":"boom"}`))
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"hel`))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(1 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/steal", http.StatusFound)
	})
	srv := quietTLSServer(mux)
	defer srv.Close()

	tests := []struct {
		name, url string
		ca        bool
		want      string
	}{
		{"html error page", srv.URL + "/html", true, "HTML page instead of JSON (title: 502 Bad Gateway)"},
		{"500", srv.URL + "/500", true, "answered 500"},
		{"truncated json", srv.URL + "/truncated", true, "invalid or truncated JSON"},
		{"slow server", srv.URL + "/slow", true, "timed out"},
		{"redirect to another host", srv.URL + "/redirect", true, "does not follow redirects"},
		{"unreachable host", "https://127.0.0.1:1/agent", true, "unreachable"},
		{"untrusted certificate", srv.URL + "/500", false, "TLS failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ca []byte
			if tt.ca {
				ca = certPEM(srv)
			}
			cfg := tokenConfig(t, "https://login.microsoftonline.com", tt.url, ca)
			rep, code, stderr := runCheck(t, cfg, 500*time.Millisecond)
			a := hop(rep, flows.HopAgent)
			if a.Status != flows.StatusFailed || !strings.HasPrefix(a.Err, "agent: ") || !strings.Contains(a.Err, tt.want) {
				t.Fatalf("agent hop: status %s, error %q; want failed with %q", a.Status, a.Err, tt.want)
			}
			if strings.Contains(a.Err, "\n") {
				t.Fatalf("error is not one line: %q", a.Err)
			}
			t.Logf("%s", a.Err)
			if code != 1 {
				t.Fatalf("exit code %d, want 1 (sign-in ran)", code)
			}
			if !strings.Contains(stderr, a.Err) {
				t.Fatalf("stderr %q lacks the hop error", stderr)
			}
		})
	}
	if n := otherHits.Load(); n != 0 {
		t.Fatalf("the redirect was followed: the other host got %d requests", n)
	}
}

func TestBadAuthority(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "html"):
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			w.Write([]byte("<html><title>Not here</title></html>"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"issuer":"https://`))
		}
	})
	srv := quietTLSServer(mux)
	defer srv.Close()
	tests := []struct {
		name, authority string
		ca              bool
		want            string
	}{
		{"unreachable", "https://127.0.0.1:1", true, "unreachable"},
		{"untrusted", srv.URL, false, "TLS failure"},
		{"truncated discovery", srv.URL, true, "signin: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ca []byte
			if tt.ca {
				ca = certPEM(srv)
			}
			cfg := flows.Config{TenantID: testTenant, AuthorityHost: tt.authority, CAPEM: ca,
				Signin: flows.SigninConfig{ClientID: testClient, Scopes: []string{"api://contoso-agent/access_as_user"}},
				Agent:  flows.AgentConfig{URL: srv.URL + "/agent", ClientID: testAgent}, OBO: flows.OBOConfig{Mode: "none"}}
			rep, code, _ := runCheck(t, cfg, 2*time.Second)
			s := hop(rep, flows.HopSignin)
			if s.Status != flows.StatusFailed || !strings.Contains(s.Err, tt.want) || strings.Contains(s.Err, "\n") {
				t.Fatalf("signin: %s %q; want failed, one line, with %q", s.Status, s.Err, tt.want)
			}
			t.Logf("%s", s.Err)
			if code != 2 {
				t.Fatalf("exit code %d, want 2 (nothing could run)", code)
			}
			if a := hop(rep, flows.HopAgent); a.Status != flows.StatusSkipped {
				t.Fatalf("agent hop %s, want skipped", a.Status)
			}
		})
	}
}

func TestInvalidConfigExits2(t *testing.T) {
	var out, errb bytes.Buffer
	code := report.RunCheck(context.Background(), flows.Config{TenantID: "nope"}, report.CheckOptions{Format: "json"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "tenant_id") || out.Len() != 0 {
		t.Fatalf("code %d stderr %q stdout %q", code, errb.String(), out.String())
	}
}

func TestTokenFromStdinAndOutputFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized) // the agent hop's probe without a token
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"hello"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.Signin.TokenFile = "-"
	out := filepath.Join(t.TempDir(), "report.md")
	var stdout, stderr bytes.Buffer
	code := report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: "markdown", Output: out, Stdin: strings.NewReader("Bearer " + fakeJWT(t, nil) + "\n")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Fatalf("stdout not empty with --output")
	}
}
