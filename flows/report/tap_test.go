package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// lockedBuffer is a buffer the tap writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func jwtFor(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

// freePort is a loopback address nobody listens on yet.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRunTapJSON: `oboscope tap --json` writes one object per request in DESIGN.md's shape, in
// arrival order, without the token's signature, and exits 1 after an error finding.
func TestRunTapJSON(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="http://x/.well-known/oauth-protected-resource/mcp"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	}))
	defer up.Close()
	addr := freePort(t)
	cfg := &flows.Config{MCP: flows.MCPConfig{ClientID: "0b05c0de-3c90-4000-8000-000000000004"}}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int)
	go func() {
		done <- report.RunTap(ctx, report.TapOptions{TapOptions: flows.TapOptions{Listen: addr, Upstream: up.URL, Config: cfg}, JSON: true}, &out, &errb)
	}()
	var err error
	for i := 0; i < 100; i++ {
		var resp *http.Response
		if resp, err = http.Post("http://"+addr+"/mcp", "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`)); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(-time.Hour).Unix()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+jwtFor(map[string]any{"aud": "0b05c0de-3c90-4000-8000-000000000004", "scp": "tools.call", "exp": exp, "idtyp": "user"}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("exit %d, want 1 (token.expired is an error); stderr %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), out.String())
	}
	var evs []map[string]any
	for _, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		evs = append(evs, ev)
	}
	first, second := evs[0], evs[1]
	for _, k := range []string{"time", "method", "path", "status", "duration_ms", "as", "caller", "token", "challenge", "findings"} {
		if _, ok := first[k]; !ok {
			t.Errorf("the event lacks %q: %v", k, first)
		}
	}
	if first["seq"] != 1.0 || first["status"] != 401.0 || first["token"] != nil || first["challenge"] == nil || first["rpc"] != "initialize" ||
		first["caller"].(map[string]any)["kind"] != "anonymous" {
		t.Errorf("first event %v", first)
	}
	tok, _ := second["token"].(map[string]any)
	if second["seq"] != 2.0 || tok == nil || !strings.HasSuffix(tok["raw_redacted"].(string), "(signature removed)") || strings.Contains(lines[1], "c2lnbmF0dXJl") {
		t.Errorf("second event %v", second)
	}
	if fs := second["findings"].([]any); len(fs) == 0 || fs[0].(map[string]any)["id"] != "token.expired" {
		t.Errorf("second event's findings %v", second["findings"])
	}
}

// TestRunTapRefusesRemote: the command says why it will not listen on every interface.
func TestRunTapRefusesRemote(t *testing.T) {
	var out, errb bytes.Buffer
	code := report.RunTap(context.Background(), report.TapOptions{TapOptions: flows.TapOptions{Listen: "0.0.0.0:0", Upstream: "https://mcp.example"}}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "not a loopback address") || !strings.Contains(errb.String(), "--allow-remote") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}
