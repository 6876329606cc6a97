package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/oboscope/oboscope/flows"
)

// TestMCPStatusFromResponseHead: the MCP session's initialize status comes from the response
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

// TestServersThatAcceptNothing: an MCP URL that answers every request — the unauthenticated
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

// TestDownstreamSkippedWhenMCPFailed: when the mcp hop got no MCP session going (a hanging
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
