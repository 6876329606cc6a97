package flows_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// counted is a loopback TLS server that only counts the requests reaching it (and what they
// carried): the place a hostile document points at.
type counted struct {
	*httptest.Server
	hits   atomic.Int32
	bodies atomic.Value // string: every body received, concatenated
}

func newCounted(t *testing.T) *counted {
	t.Helper()
	c := &counted{}
	c.bodies.Store("")
	c.Server = quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		b := make([]byte, 1<<16)
		n, _ := r.Body.Read(b)
		c.bodies.Store(c.bodies.Load().(string) + r.URL.String() + " " + string(b[:n]) + "\n")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"error":"invalid_request"}`))
	}))
	t.Cleanup(c.Close)
	return c
}

// hostileAuthority serves an OpenID configuration for testTenant whose endpoints are what the
// test says (token_endpoint, authorization_endpoint), the rest on its own host.
func hostileAuthority(t *testing.T, endpoints map[string]string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := srv.URL + "/" + testTenant
		if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			doc := map[string]any{
				"issuer": base + "/v2.0", "authorization_endpoint": base + "/oauth2/v2.0/authorize", "token_endpoint": base + "/oauth2/v2.0/token",
				"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode", "jwks_uri": base + "/discovery/v2.0/keys",
				"response_types_supported": []string{"code"}, "subject_types_supported": []string{"pairwise"},
				"id_token_signing_alg_values_supported": []string{"RS256"},
			}
			u, _ := url.Parse(srv.URL)
			for k, v := range endpoints {
				// LOCALHOST stands for this very server under another name.
				doc[k] = strings.ReplaceAll(v, "LOCALHOST", "localhost:"+u.Port())
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(doc)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"invalid_request","error_description":"AADSTS900144: nothing here","error_codes":[900144]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func findingOf(rep flows.Report, hop flows.HopID, id string) (inspect.Finding, bool) {
	for _, f := range hop2(rep, hop).Findings {
		if f.ID == id {
			return f, true
		}
	}
	return inspect.Finding{}, false
}

func hop2(rep flows.Report, id flows.HopID) flows.HopResult {
	for _, h := range rep.Hops {
		if h.ID == id {
			return h
		}
	}
	return flows.HopResult{}
}

func walkReport(t *testing.T, cfg flows.Config, opts flows.WalkOptions) flows.Report {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, opts)
	defer w.Close()
	collect(w.Run(t.Context()))
	return w.Report()
}

// TestTokenEndpointOffHost: an authority whose discovery document names another port, another
// host name or plain http as its token endpoint receives no client secret, assertion or device
// code request there: the request is refused before it is sent, recorded as an exchange, and
// raised as authority.endpoint-off-host naming the discovery document.
func TestTokenEndpointOffHost(t *testing.T) {
	elsewhere := newCounted(t)
	for _, tt := range []struct {
		name, tokenEndpoint string
	}{
		{"another port", elsewhere.URL + "/" + testTenant + "/oauth2/v2.0/token"},
		{"plain http to a private address", "http://10.255.255.1/" + testTenant + "/oauth2/v2.0/token"},
		{"another host name, same port", "https://LOCALHOST/" + testTenant + "/oauth2/v2.0/token"}, // localhost instead of 127.0.0.1
	} {
		t.Run(tt.name, func(t *testing.T) {
			auth := hostileAuthority(t, map[string]string{"token_endpoint": tt.tokenEndpoint})
			ca := append(certPEM(auth), certPEM(elsewhere.Server)...)
			// The OBO hop: a token the user brings, then MSAL's jwt-bearer with the secret.
			cfg := tokenConfig(t, auth.URL, auth.URL+"/agent", ca)
			cfg.OBO = flows.OBOConfig{Mode: "secret", ClientID: testAgent, ClientSecret: canarySecret, Scopes: []string{"api://contoso-mcp/tools.call"}}
			cfg.Signin.Scopes = []string{"api://contoso-agent/access_as_user"}
			start := time.Now()
			rep := walkReport(t, cfg, flows.WalkOptions{Timeout: 5 * time.Second})
			// The device code sign-in against the same authority.
			dc := tokenConfig(t, auth.URL, auth.URL+"/agent", ca)
			dc.Signin = flows.SigninConfig{ClientID: testClient, Scopes: []string{"api://contoso-agent/access_as_user"}}
			drep := walkReport(t, dc, flows.WalkOptions{Timeout: 5 * time.Second})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusing took %s", d)
			}
			if n := elsewhere.hits.Load(); n != 0 {
				t.Fatalf("%d requests reached the host the discovery pointed at: %s", n, elsewhere.bodies.Load())
			}
			for _, c := range []struct {
				rep      flows.Report
				hop      flows.HopID
				carrying string
			}{{rep, flows.HopOBO, "a token request (grant_type jwt-bearer) with a client secret and the user's assertion"}, {drep, flows.HopSignin, "device code request"}} {
				f, ok := findingOf(c.rep, c.hop, "authority.endpoint-off-host")
				if !ok {
					t.Fatalf("%s: no authority.endpoint-off-host; findings %v, error %q", c.hop, hop2(c.rep, c.hop).Findings, hop2(c.rep, c.hop).Err)
				}
				if f.Severity != inspect.SeverityError || !strings.Contains(f.Detail, c.carrying) ||
					!strings.Contains(f.Detail, "openid-configuration") || !strings.Contains(f.Detail, "token_endpoint") {
					t.Errorf("%s: finding %q", c.hop, f.Detail)
				}
				h := hop2(c.rep, c.hop)
				if h.Status != flows.StatusFailed || strings.Contains(h.Err, "\n") {
					t.Errorf("%s: %s %q", c.hop, h.Status, h.Err)
				}
				refused := slices.IndexFunc(h.Exchanges, func(x flows.Exchange) bool {
					return x.Status == 0 && strings.HasPrefix(x.Err, "refused:")
				})
				if refused < 0 {
					t.Errorf("%s: the refusal is not recorded as an exchange: %+v", c.hop, h.Exchanges)
				}
			}
			// The secret never left and is in no report.
			if b, _ := json.Marshal(rep); strings.Contains(string(b), canarySecret) {
				t.Errorf("the secret is in the report")
			}
		})
	}
}

// TestBrowserOpensOnlyTheAuthority: an authorization_endpoint that is not the authority's https
// page — file:, javascript:, ms-msdt:, plain http to a remote host, another host — never reaches
// the browser; the sign-in fails with one line and authority.endpoint-off-host.
func TestBrowserOpensOnlyTheAuthority(t *testing.T) {
	elsewhere := newCounted(t)
	for _, ep := range []string{"file:///etc/passwd", "javascript:alert(document.cookie)", "ms-msdt:/id PCWDiagnostic /skip force",
		"http://login.contoso.example/authorize", elsewhere.URL + "/authorize"} {
		t.Run(ep, func(t *testing.T) {
			auth := hostileAuthority(t, map[string]string{"authorization_endpoint": ep})
			cfg := tokenConfig(t, auth.URL, auth.URL+"/agent", append(certPEM(auth), certPEM(elsewhere.Server)...))
			cfg.Signin = flows.SigninConfig{ClientID: testClient, Flow: "browser", Scopes: []string{"api://contoso-agent/access_as_user"}}
			var opened atomic.Int32
			rep := walkReport(t, cfg, flows.WalkOptions{Timeout: 5 * time.Second, OpenURL: func(string) error { opened.Add(1); return nil }})
			if opened.Load() != 0 {
				t.Fatalf("the browser was asked to open the URL")
			}
			h := hop2(rep, flows.HopSignin)
			if h.Status != flows.StatusFailed || strings.Contains(h.Err, "\n") || h.Err == "" {
				t.Fatalf("signin %s %q", h.Status, h.Err)
			}
			if f, ok := findingOf(rep, flows.HopSignin, "authority.endpoint-off-host"); !ok || !strings.Contains(f.Detail, "authorization_endpoint") {
				t.Errorf("no authority.endpoint-off-host naming the discovery's authorization_endpoint: %v", h.Findings)
			}
			t.Logf("%s", h.Err)
		})
	}
	// The authority's own page opens.
	for _, ok := range []string{"https://login.microsoftonline.com/t/oauth2/v2.0/authorize?x=1"} {
		if err := flows.CheckBrowserURL(flows.Config{}, ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	if err := flows.CheckBrowserURL(flows.Config{AuthorityHost: "https://127.0.0.1:8443"}, "http://127.0.0.1:8443/t/authorize"); err != nil {
		t.Errorf("http on the loopback authority refused: %v", err)
	}
}

// TestMetadataNotFetchedFromInternalAddresses: Protected Resource Metadata and authorization
// servers an MCP server names are not fetched from link-local, cloud metadata, private or
// unconfigured loopback addresses; the attempts are reported, and nothing reaches them.
func TestMetadataNotFetchedFromInternalAddresses(t *testing.T) {
	elsewhere := newCounted(t)
	var self string
	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/oauth-protected-resource") {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"resource": self, "scopes_supported": []string{"api://contoso-mcp/tools.call"},
				"authorization_servers": []string{"https://169.254.169.254/latest", "https://[fd00:ec2::254]/v2.0", elsewhere.URL + "/t/v2.0"}})
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="https://metadata.google.internal/computeMetadata/v1/"`)
		w.WriteHeader(401)
	})
	mux := http.NewServeMux()
	mux.Handle("/", mcp)
	mux.HandleFunc("/agent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	})
	srv := quietTLSServer(mux)
	t.Cleanup(srv.Close)
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.MCP = flows.MCPConfig{URL: srv.URL + "/mcp", AppIDURI: "api://contoso-mcp", Tool: "whoami"}
	self = cfg.MCP.URL
	cfg.CAPEM = append(cfg.CAPEM, certPEM(elsewhere.Server)...)
	rep := walkReport(t, cfg, flows.WalkOptions{Timeout: 5 * time.Second})
	if n := elsewhere.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached an unconfigured loopback host", n)
	}
	h := hop2(rep, flows.HopMCP)
	var refused []string
	for _, x := range h.Exchanges {
		if strings.HasPrefix(x.Err, "refused:") {
			refused = append(refused, x.URL+" "+x.Err)
		}
	}
	for _, want := range []string{"metadata.google.internal", "169.254.169.254", "fd00:ec2::254", strings.TrimPrefix(elsewhere.URL, "https://")} {
		if !slices.ContainsFunc(refused, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("no refused exchange for %s: %v", want, refused)
		}
	}
	if !strings.Contains(h.Story, "metadata at /.well-known/oauth-protected-resource") {
		t.Errorf("story %q", h.Story)
	}
	if _, ok := findingOf(rep, flows.HopMCP, "authority.endpoint-off-host"); ok {
		t.Errorf("a metadata GET carries nothing: no off-host finding expected")
	}
}

// TestWriteConfigFileModes: WritePrivateFile tightens an existing file to 0600, refuses a symbolic
// link and anything that is not a regular file without blocking.
func TestWriteConfigFileModes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.md")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := flows.WritePrivateFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if err := flows.WritePrivateFile(link, []byte("x")); err == nil {
		t.Errorf("wrote through a symbolic link")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was overwritten: %q", b)
	}
	if err := flows.WritePrivateFile(dir, []byte("x")); err == nil {
		t.Errorf("wrote to a directory")
	}
}
