package flows_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// mcpClientWalk runs the walk of a sandbox scenario of chain mcp-client in-process.
func mcpClientWalk(t *testing.T, scenario string) (flows.Report, *sandbox.Sandbox) {
	t.Helper()
	s := startSandbox(t, scenario)
	cfg := s.Config("")
	if cfg.ChainName() != flows.ChainMCPClient {
		t.Fatalf("%s: chain %s", scenario, cfg.ChainName())
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", Scenario: scenario})
	defer w.Close()
	collect(w.Run(context.Background()))
	return w.Report(), s
}

// hopOf returns the hop id of a report.
func hopOf(t *testing.T, rep flows.Report, id flows.HopID) flows.HopResult {
	t.Helper()
	for _, h := range rep.Hops {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("no hop %s", id)
	return flows.HopResult{}
}

// exchangesLabelled returns the hop's exchanges whose label starts with prefix.
func exchangesLabelled(h flows.HopResult, prefix string) []flows.Exchange {
	var out []flows.Exchange
	for _, x := range h.Exchanges {
		if strings.HasPrefix(x.Label, prefix) {
			out = append(out, x)
		}
	}
	return out
}

// TestMCPClientChainHopsAndLineage: the profile's hops in order, the report naming the chain, and
// each token's lineage: the MCP call presents the very token sign-in obtained, the refreshed token
// comes from it (so the Diff tab compares before and after refresh), and the downstream token is
// reported for the refreshed one.
func TestMCPClientChainHopsAndLineage(t *testing.T) {
	rep, _ := mcpClientWalk(t, "mcp-client-healthy")
	var ids []flows.HopID
	for _, h := range rep.Hops {
		ids = append(ids, h.ID)
		if h.Status != flows.StatusOK {
			t.Errorf("hop %s %s: %q %v", h.ID, h.Status, h.Err, findingIDs(h.Findings))
		}
	}
	want := []flows.HopID{"probe", "metadata", "registration", "signin", "mcp", "refresh", "downstream"}
	if !slices.Equal(ids, want) || rep.Chain != "mcp-client" {
		t.Fatalf("hops %v chain %q", ids, rep.Chain)
	}
	signin, mcpHop, refresh, down := hopOf(t, rep, "signin"), hopOf(t, rep, "mcp"), hopOf(t, rep, "refresh"), hopOf(t, rep, "downstream")
	if len(signin.Tokens) != 1 || signin.Tokens[0].Role != flows.RoleObtained || !signin.Tokens[0].Verified || !signin.Tokens[0].HandedOn {
		t.Fatalf("signin tokens %+v", signin.Tokens)
	}
	if len(mcpHop.Tokens) != 1 || mcpHop.Tokens[0].Role != flows.RolePresented || *mcpHop.Tokens[0].Origin != (flows.TokenRef{Hop: "signin", Index: 0}) {
		t.Fatalf("mcp tokens %+v", mcpHop.Tokens)
	}
	if len(refresh.Tokens) != 1 || refresh.Tokens[0].From == nil || *refresh.Tokens[0].From != (flows.TokenRef{Hop: "signin", Index: 0}) ||
		refresh.Tokens[0].Raw == signin.Tokens[0].Raw {
		t.Fatalf("refresh tokens %+v", refresh.Tokens)
	}
	if len(down.Tokens) != 1 || down.Tokens[0].From == nil || *down.Tokens[0].From != (flows.TokenRef{Hop: "refresh", Index: 0}) {
		t.Fatalf("downstream tokens %+v", down.Tokens)
	}
	for _, h := range rep.Hops {
		for _, f := range h.Findings {
			if f.Severity != "info" {
				t.Errorf("healthy mcp-client chain: %s %s at %s: %s", f.Severity, f.ID, h.ID, f.Detail)
			}
		}
	}
}

// TestMCPClientRequestsAsTheGoSDKSendsThem: the requests are the MCP go-sdk's own — the
// authorization request with PKCE (S256), the challenge's scope plus offline_access and resource
// (RFC 8707); the code redeemed with resource and no scope; the refresh (x/oauth2) with
// grant_type and refresh_token only, and the scopes when the client adds them — while codes,
// verifiers and refresh tokens never reach the record.
func TestMCPClientRequestsAsTheGoSDKSendsThem(t *testing.T) {
	for _, tc := range []struct {
		scenario     string
		refreshScope bool
	}{{"mcp-client-healthy", true}, {"mcp-client-refresh-no-scope", false}} {
		t.Run(tc.scenario, func(t *testing.T) {
			rep, s := mcpClientWalk(t, tc.scenario)
			signin := hopOf(t, rep, "signin")
			authz := exchangesLabelled(signin, "authorization request")
			if len(authz) != 1 {
				t.Fatalf("authorization requests: %+v", authz)
			}
			u, _ := url.Parse(authz[0].URL)
			q := u.Query()
			scope := s.MCPURL() + "/tools.call offline_access"
			q.Set("scope", sortedScope(q.Get("scope")))
			for k, v := range map[string]string{"response_type": "code", "client_id": sandbox.MCPClientAppID, "redirect_uri": flows.DefaultRedirectURI,
				"code_challenge_method": "S256", "resource": s.MCPURL(), "scope": sortedScope(scope)} {
				if q.Get(k) != v {
					t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), v)
				}
			}
			if q.Get("code_challenge") == "" || q.Get("state") == "" {
				t.Errorf("authorization request without PKCE or state: %s", authz[0].URL)
			}
			if loc := authz[0].ResponseHeaders.Get("Location"); !strings.Contains(loc, "code=%5Bredacted%5D") {
				t.Errorf("the code reached the record: %s", loc)
			}
			tokenReq := exchangesLabelled(signin, "token (authorization_code)")
			if len(tokenReq) != 1 {
				t.Fatalf("token requests %+v", tokenReq)
			}
			form, _ := url.ParseQuery(tokenReq[0].RequestBody)
			want := url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.MCPClientAppID}, "code": {flows.Redacted},
				"code_verifier": {flows.Redacted}, "redirect_uri": {flows.DefaultRedirectURI}, "resource": {s.MCPURL()}}
			if form.Encode() != want.Encode() {
				t.Errorf("token request\n got %s\nwant %s", form.Encode(), want.Encode())
			}
			refresh := exchangesLabelled(hopOf(t, rep, "refresh"), "token (refresh_token)")
			if len(refresh) != 1 {
				t.Fatalf("refresh requests %+v", hopOf(t, rep, "refresh").Exchanges)
			}
			form, _ = url.ParseQuery(refresh[0].RequestBody)
			if form.Has("scope") {
				form.Set("scope", sortedScope(form.Get("scope")))
			}
			want = url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.MCPClientAppID}, "refresh_token": {flows.Redacted}}
			if tc.refreshScope {
				want.Set("scope", sortedScope(scope))
			}
			if form.Encode() != want.Encode() {
				t.Errorf("refresh request\n got %s\nwant %s", form.Encode(), want.Encode())
			}
			if !tc.refreshScope {
				r := hopOf(t, rep, "refresh")
				if got := findingIDs(r.Findings); !slices.Equal(got, []string{"signin.refresh-scope-dropped"}) || r.Findings[0].AADSTS != 90009 ||
					!strings.Contains(r.Findings[0].Detail, "carried no scope; Entra answered invalid_request AADSTS90009 (Application '") {
					t.Errorf("refresh findings %v: %+v", got, r.Findings)
				}
			}
		})
	}
}

// sortedScope sorts a scope parameter's values: the go-sdk joins them in map order.
func sortedScope(s string) string {
	f := strings.Fields(s)
	slices.Sort(f)
	return strings.Join(f, " ")
}

// TestMCPClientResourceRefusedThenWithout: the spec client's authorization request is refused for
// its resource (AADSTS9010010, as a redirect error), and the same request without resource is sent
// and recorded too; the finding is confirmed by Entra's answer and says what worked.
func TestMCPClientResourceRefusedThenWithout(t *testing.T) {
	rep, s := mcpClientWalk(t, "mcp-client-resource-mismatch")
	signin := hopOf(t, rep, "signin")
	authz := exchangesLabelled(signin, "authorization request")
	if len(authz) != 2 {
		t.Fatalf("authorization requests: %d", len(authz))
	}
	first, _ := url.Parse(authz[0].URL)
	second, _ := url.Parse(authz[1].URL)
	if first.Query().Get("resource") != s.MCPURL() || second.Query().Has("resource") || authz[1].Label != "authorization request (again, without resource)" {
		t.Errorf("requests: %s / %s (%s)", authz[0].URL, authz[1].URL, authz[1].Label)
	}
	if loc := authz[0].ResponseHeaders.Get("Location"); !strings.Contains(loc, "error=invalid_target") || !strings.Contains(loc, "error_codes=9010010") {
		t.Errorf("first answer %s", loc)
	}
	if got := findingIDs(signin.Findings); !slices.Equal(got, []string{"mcp.prm-resource-scope-mismatch"}) {
		t.Fatalf("signin findings %v", got)
	}
	f := signin.Findings[0]
	if f.AADSTS != 9010010 || !strings.Contains(f.Detail, "Entra refused it: invalid_target AADSTS9010010") ||
		!strings.Contains(f.Detail, "the same request without resource was accepted") || !strings.Contains(f.Detail, "written under (api://contoso-mcp)") {
		t.Errorf("finding %+v", f)
	}
	if len(signin.Tokens) != 1 || hopOf(t, rep, "mcp").Status != flows.StatusOK {
		t.Errorf("the request without resource should have signed in and the MCP call worked: %+v", signin.Tokens)
	}
}

// TestMCPClientNoClientID: without a pre-registered client id and with no registration offered,
// the registration hop fails with the warning, and the later hops are skipped.
func TestMCPClientNoClientID(t *testing.T) {
	rep, _ := mcpClientWalk(t, "mcp-client-needs-dcr")
	reg := hopOf(t, rep, "registration")
	if reg.Status != flows.StatusFailed || len(reg.Findings) != 1 || reg.Findings[0].ID != "mcp.as-no-registration" || reg.Findings[0].Severity != "warning" {
		t.Fatalf("registration %s %+v", reg.Status, reg.Findings)
	}
	for _, id := range []flows.HopID{"signin", "mcp", "refresh", "downstream"} {
		if h := hopOf(t, rep, id); h.Status != flows.StatusSkipped {
			t.Errorf("%s: %s", id, h.Status)
		}
	}
	if rep.ExitCode() != 1 {
		t.Errorf("exit %d", rep.ExitCode())
	}
}

// TestMCPClientBrowserSignin: when the authorization request shows a sign-in page (a sandbox
// without auto-approve, or Entra), the client opens it in the browser and listens on its loopback
// redirect URI, as MCP clients do; the person's choice comes back there.
func TestMCPClientBrowserSignin(t *testing.T) {
	s, err := sandbox.Start(context.Background(), sandbox.Options{Scenario: "mcp-client-healthy"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := s.Config("")
	cfg.MCP.Client.RedirectURI = fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	var opened string
	browser := func(u string) error {
		// The person picks alice on the sign-in page: the form posts the same parameters back with
		// the user chosen, and the sandbox redirects the browser to the redirect URI.
		opened = u
		go func() {
			c := *s.HTTPClient()
			resp, err := c.Get(u + "&sandbox_user=" + url.QueryEscape(sandbox.AliceUPN))
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{OpenURL: browser})
	defer w.Close()
	collect(w.Run(context.Background()))
	rep := w.Report()
	signin := hopOf(t, rep, "signin")
	if signin.Status != flows.StatusOK || len(signin.Tokens) != 1 || !strings.Contains(opened, "/oauth2/v2.0/authorize?") {
		t.Fatalf("signin %s %q tokens %d (opened %q)", signin.Status, signin.Err, len(signin.Tokens), opened)
	}
	if page := exchangesLabelled(signin, "authorization request"); len(page) != 1 || page[0].Status != 200 {
		t.Errorf("the sign-in page the sandbox answered first: %+v", page)
	}
}

// TestMCPClientRedirectNotRegistered: Entra shows an error it cannot send to an untrusted redirect
// URI as a page (AADSTS50011); the sign-in reads it there instead of waiting for a browser.
func TestMCPClientRedirectNotRegistered(t *testing.T) {
	s := startSandbox(t, "mcp-client-healthy")
	cfg := s.Config("")
	cfg.MCP.Client.RedirectURI = "http://localhost:8400/elsewhere"
	w := flows.NewWalk(cfg, flows.WalkOptions{OpenURL: func(string) error { t.Error("a browser was opened"); return nil }})
	defer w.Close()
	collect(w.Run(context.Background()))
	signin := hopOf(t, w.Report(), "signin")
	if got := findingIDs(signin.Findings); !slices.Equal(got, []string{"signin.redirect-uri-mismatch"}) || signin.Status != flows.StatusFailed ||
		!strings.Contains(signin.Err, "AADSTS50011: The redirect URI 'http://localhost:8400/elsewhere' specified in the request does not match") {
		t.Fatalf("signin %s %q %v", signin.Status, signin.Err, got)
	}
}
