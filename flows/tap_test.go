package flows_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// received is a request as the upstream got it.
type received struct {
	method, path, query string
	header              http.Header
	sum                 [32]byte
	n                   int
}

// recordingUpstream is an MCP server written for the test: it keeps every request it receives,
// answers 401 with a challenge to a request without credentials or with an expired or foreign
// token, and echoes a body's checksum otherwise. /sse streams three events, one at a time.
type recordingUpstream struct {
	mu      sync.Mutex
	got     []received
	next    chan struct{} // /sse waits on it between events
	accepts bool          // accept any token (a server that skips the audience check)
}

func (u *recordingUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, _ := io.Copy(h, r.Body)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	u.mu.Lock()
	u.got = append(u.got, received{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone(), sum: sum, n: int(n)})
	u.mu.Unlock()
	if strings.HasSuffix(r.URL.Path, "/sse") {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			io.WriteString(w, "event: message\ndata: {\"n\":"+string(rune('0'+i))+"}\n\n")
			w.(http.Flusher).Flush()
			if i < 2 {
				<-u.next
			}
		}
		return
	}
	auth := r.Header.Get("Authorization")
	bad := auth == "" || strings.Contains(r.Header.Get("X-Kind"), "expired") || (!u.accepts && strings.Contains(r.Header.Get("X-Kind"), "wrong"))
	if bad {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp", scope="api://contoso-mcp/tools.call"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
}

// startTap runs a tap in front of up (at base path /base) with a config whose MCP server is
// testMCP, and collects its events in order.
func startTap(t *testing.T, up http.Handler, cfg *flows.Config) (*flows.Tap, func() []flows.TapEvent, func() []flows.TapDone) {
	t.Helper()
	srv := quietTLSServer(up)
	t.Cleanup(srv.Close)
	if cfg == nil {
		cfg = &flows.Config{TenantID: testTenant, MCP: flows.MCPConfig{URL: srv.URL + "/mcp", ClientID: testMCP},
			OBO: flows.OBOConfig{Scopes: []string{"api://contoso-mcp/tools.call"}, AgentIdentityID: testIdentity}}
	}
	cfg.CAPEM = certPEM(srv)
	var mu sync.Mutex
	var events []flows.TapEvent
	var dones []flows.TapDone
	tap, err := flows.StartTap(flows.TapOptions{Listen: "127.0.0.1:0", Upstream: srv.URL + "/base", As: "mcp", Config: cfg,
		OnEvent: func(ev flows.TapEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() },
		OnDone:  func(d flows.TapDone) { mu.Lock(); dones = append(dones, d); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tap.Close() })
	return tap, func() []flows.TapEvent {
			mu.Lock()
			defer mu.Unlock()
			return append([]flows.TapEvent(nil), events...)
		}, func() []flows.TapDone {
			mu.Lock()
			defer mu.Unlock()
			return append([]flows.TapDone(nil), dones...)
		}
}

// tapCase is a bearer token of the test: its kind, the Authorization value, the caller kind and
// the findings the tap must report.
type tapCase struct {
	kind, auth, caller string
	want               []string
}

// tokensOfEachKind are the requests' credentials: a user's, an agent identity's (the configured
// one and the project's), a managed identity's, one for another API, an expired one, a key, none.
func tokensOfEachKind(t *testing.T) []tapCase {
	now := time.Now()
	agent := map[string]any{"aud": testMCP, "azp": testIdentity, "idtyp": "app", "scp": nil, "roles": []string{"tools.call"},
		"xms_par_app_azp": "0b05c0de-b1e9-4000-8000-0000000000f5", "xms_act_fct": "3 9 11", "preferred_username": nil}
	return []tapCase{
		{"user", "Bearer " + fakeJWT(t, map[string]any{"aud": testMCP, "scp": "tools.call"}), "user", nil},
		{"agent identity", "Bearer " + fakeJWT(t, agent), "agent_identity", nil},
		{"project agent identity", "Bearer " + fakeJWT(t, with(agent, "azp", "0b05c0de-a1d0-4000-8000-0000000000f7")), "agent_identity", []string{"agentid.wrong-agent-identity"}},
		{"managed identity", "Bearer " + fakeJWT(t, with(agent, "xms_par_app_azp", nil, "xms_act_fct", nil, "azp", "0b05c0de-a1d0-4000-8000-0000000000f8",
			"xms_mirid", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a/projects/p")), "managed_identity", nil},
		{"wrong audience", "Bearer " + fakeJWT(t, nil), "user", []string{"mcp.aud-mismatch"}},
		{"expired", "Bearer " + fakeJWT(t, map[string]any{"aud": testMCP, "scp": "tools.call", "exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()}),
			"user", []string{"token.expired"}},
		{"key", "Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyz", "key", nil},
		{"anonymous", "", "anonymous", nil},
	}
}

// TestTapForwardsUnchanged: the upstream receives every request as the client sent it — method,
// path under the upstream's, query, end-to-end headers, body byte for byte — and each event names
// the caller and carries the findings that fit, without the token's signature.
func TestTapForwardsUnchanged(t *testing.T) {
	up := &recordingUpstream{}
	tap, events, dones := startTap(t, up, nil)
	body := make([]byte, 300<<10)
	rand.Read(body)
	kinds := tokensOfEachKind(t)
	for i, k := range kinds {
		req, _ := http.NewRequest(http.MethodPost, tap.URL()+"/mcp?x=1&y=%2F", bytes.NewReader(body))
		if k.auth != "" {
			req.Header.Set("Authorization", k.auth)
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("X-Kind", k.kind)
		req.Header["X-Multi"] = []string{"a", "b"}
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		req.Header.Set("Mcp-Session-Id", "sess-1")
		req.Header.Set("User-Agent", "oboscope-test/1")
		req.Header.Set("Accept-Encoding", "gzip, br")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		g := up.got[i]
		if g.method != http.MethodPost || g.path != "/base/mcp" || g.query != "x=1&y=%2F" || g.n != len(body) || g.sum != sha256.Sum256(body) {
			t.Errorf("%s: upstream got %s %s?%s, %d bytes (sum ok %v)", k.kind, g.method, g.path, g.query, g.n, g.sum == sha256.Sum256(body))
		}
		for _, h := range []string{"Authorization", "Content-Type", "X-Kind", "X-Multi", "X-Forwarded-For", "Mcp-Session-Id", "User-Agent", "Accept-Encoding"} {
			if !slices.Equal(g.header[h], req.Header[h]) {
				t.Errorf("%s: header %s reached the upstream as %q, sent %q", k.kind, h, g.header[h], req.Header[h])
			}
		}
	}
	tap.Close()
	evs := events()
	if len(evs) != len(kinds) {
		t.Fatalf("%d events for %d requests", len(evs), len(kinds))
	}
	for i, k := range kinds {
		ev := evs[i]
		var ids []string
		for _, f := range ev.Findings {
			ids = append(ids, f.ID)
		}
		if string(ev.Caller) != k.caller || !slices.Equal(ids, k.want) {
			t.Errorf("%s: caller %s findings %v, want %s %v", k.kind, ev.Caller, ids, k.caller, k.want)
		}
		if ev.Seq != int64(i+1) || ev.Path != "/mcp?x=1&y=%2F" {
			t.Errorf("%s: seq %d path %q", k.kind, ev.Seq, ev.Path)
		}
		if ev.Token != nil && (ev.Token.Raw != "" || !strings.HasSuffix(ev.Token.Redacted(), "(signature removed)")) {
			t.Errorf("%s: the event keeps a token it must not: %+v", k.kind, ev.Token)
		}
		if a := ev.Exchange.RequestHeaders.Get("Authorization"); strings.Contains(a, "c2lnbmF0dXJl") || strings.Contains(a, "ghp_") {
			t.Errorf("%s: the recorded Authorization leaks the signature or the key: %q", k.kind, a)
		}
		if (ev.Status == 401) != (ev.Challenge != "") {
			t.Errorf("%s: status %d challenge %q", k.kind, ev.Status, ev.Challenge)
		}
	}
	if ds := dones(); len(ds) != len(kinds) || ds[0].BytesIn != int64(len(body)) || !ds[0].RequestCut {
		t.Errorf("ends %+v", ds)
	}
}

// TestTapStreams: an SSE answer reaches the client event by event, before the upstream wrote the
// next one.
func TestTapStreams(t *testing.T) {
	up := &recordingUpstream{next: make(chan struct{})}
	tap, events, _ := startTap(t, up, nil)
	resp, err := http.Get(tap.URL() + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		line, err := r.ReadString('\n')
		if err != nil || !strings.Contains(line, "event: message") {
			t.Fatalf("event %d: %q %v", i, line, err)
		}
		r.ReadString('\n')
		r.ReadString('\n')
		if i < 2 {
			up.next <- struct{}{} // the upstream writes the next event only now
		}
	}
	if evs := events(); len(evs) != 1 || evs[0].Status != 200 {
		t.Errorf("events %+v", evs)
	}
}

// TestTapAcceptsForeignToken: a server that answers 200 to a token for another API is named.
func TestTapAcceptsForeignToken(t *testing.T) {
	tap, events, _ := startTap(t, &recordingUpstream{accepts: true}, nil)
	req, _ := http.NewRequest(http.MethodPost, tap.URL()+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+fakeJWT(t, nil))
	req.Header.Set("X-Kind", "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tap.Close()
	ev := events()[0]
	if ev.RPC != "tools/list" || len(ev.Findings) != 2 || ev.Findings[1].ID != "mcp.accepts-foreign-token" {
		t.Errorf("rpc %q findings %+v", ev.RPC, ev.Findings)
	}
}

// TestTapUpstreamDown: a request the upstream never answers is reported with why, and answered 502.
func TestTapUpstreamDown(t *testing.T) {
	var got []flows.TapEvent
	tap, err := flows.StartTap(flows.TapOptions{Listen: "127.0.0.1:0", Upstream: "http://127.0.0.1:1/mcp", OnEvent: func(ev flows.TapEvent) { got = append(got, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(tap.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tap.Close()
	if resp.StatusCode != 502 || len(got) != 1 || got[0].Status != 0 || !strings.Contains(got[0].Err, "unreachable") {
		t.Errorf("status %d events %+v", resp.StatusCode, got)
	}
}

// TestTapRefusesRemoteListen: the tap binds loopback unless told otherwise, and says why.
func TestTapRefusesRemoteListen(t *testing.T) {
	for _, tt := range []struct {
		listen string
		allow  bool
		ok     bool
	}{{"127.0.0.1:0", false, true}, {"localhost:0", false, true}, {"[::1]:0", false, true}, {"0.0.0.0:8080", false, false},
		{":8080", false, false}, {"192.0.2.1:8080", false, false}, {"0.0.0.0:8080", true, true}} {
		err := flows.CheckTapListen(tt.listen, tt.allow)
		if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), "dev tunnel")) {
			t.Errorf("%s (allow %v): %v", tt.listen, tt.allow, err)
		}
	}
	for _, up := range []string{"http://mcp.example/mcp", "ftp://x", "mcp.example", "https://user:pw@mcp.example/"} {
		if _, err := flows.StartTap(flows.TapOptions{Listen: "127.0.0.1:0", Upstream: up}); err == nil {
			t.Errorf("upstream %s accepted", up)
		}
	}
}
