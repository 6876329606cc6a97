package flows

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestDialerChecksResolvedAddress: the check runs on the address a name resolved to, in the
// dialer's Control hook, so a name of the DNS (here localhost, resolved by the system) that leads
// to a loopback or private address is refused like the address itself; a configured host:port
// connects whatever it resolves to.
func TestDialerChecksResolvedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p := newEgressPolicy(Config{AuthorityHost: "https://login.microsoftonline.com", MCP: MCPConfig{URL: "https://127.0.0.1:" + port + "/mcp"}})
	dial := p.dialContext(&net.Dialer{Timeout: 2 * time.Second})
	ctx := context.Background()
	// Configured: connects.
	if c, err := dial(ctx, "tcp", "127.0.0.1:"+port); err != nil {
		t.Fatalf("configured host refused: %v", err)
	} else {
		c.Close()
	}
	// The same listener under a name the configuration does not name: refused after resolution.
	for _, addr := range []string{"localhost:" + port, "127.0.0.2:" + port, "[::1]:" + port} {
		_, err := dial(ctx, "tcp", addr)
		var eg *EgressError
		if !errors.As(err, &eg) {
			t.Errorf("%s: %v, want a refusal", addr, err)
			continue
		}
		if !strings.Contains(eg.Error(), "loopback") {
			t.Errorf("%s: %v", addr, eg)
		}
	}
}

func TestBlockedAddresses(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "::1", "0.0.0.0", "::", "169.254.169.254", "169.254.1.1", "fe80::1", "10.1.2.3", "172.16.0.1",
		"192.168.1.1", "fc00::1", "fd00:ec2::254", "100.100.100.200", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "224.0.0.1"} {
		if blockedAddr(netip.MustParseAddr(a)) == "" {
			t.Errorf("%s is not blocked", a)
		}
	}
	for _, a := range []string{"20.190.151.1", "2603:1020::1", "8.8.8.8"} {
		if why := blockedAddr(netip.MustParseAddr(a)); why != "" {
			t.Errorf("%s blocked: %s", a, why)
		}
	}
	for _, h := range []string{"metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "localhost", "a.localhost", "169.254.169.254"} {
		if blockedHost(h) == "" {
			t.Errorf("host %s is not blocked", h)
		}
	}
}

// TestEgressSchemes: https anywhere public, http only to loopback, nothing else; a request that
// carries a credential goes only to a configured origin.
func TestEgressSchemes(t *testing.T) {
	p := newEgressPolicy(Config{AuthorityHost: "https://login.microsoftonline.com", Agent: AgentConfig{URL: "http://127.0.0.1:8080/agent"}})
	req := func(method, u string, hdr ...string) *http.Request {
		r, _ := http.NewRequest(method, u, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
	for _, tt := range []struct {
		r  *http.Request
		ok bool
	}{
		{req("GET", "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"), true},
		{req("POST", "http://127.0.0.1:8080/agent", "Authorization", "Bearer x"), true},
		{req("GET", "https://mcp.example/.well-known/oauth-protected-resource"), true},
		{req("GET", "https://mcp.example/x", "Authorization", "Bearer x"), false},
		{req("GET", "https://mcp.example/x?code=abc"), false},
		{req("GET", "http://mcp.example/.well-known/oauth-protected-resource"), false},
		{req("GET", "ftp://mcp.example/x"), false},
		{req("GET", "https://login.microsoftonline.com:8443/t"), true}, // no credential: a public host
		{req("GET", "https://login.microsoftonline.com:8443/t", "Cookie", "a=b"), false},
		{req("GET", "http://login.microsoftonline.com/t"), false},
		// MSAL's instance discovery may send to the cloud's preferred host whichever alias is
		// configured.
		{req("POST", "https://login.windows.net/t/oauth2/v2.0/token", "Authorization", "Basic x"), true},
		{req("POST", "https://login.microsoftonline.us/t/oauth2/v2.0/token", "Authorization", "Basic x"), false},
	} {
		err := p.check(tt.r)
		if (err == nil) != tt.ok {
			t.Errorf("%s %s %v: %v", tt.r.Method, tt.r.URL, tt.r.Header, err)
		}
	}
}
