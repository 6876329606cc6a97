package flows_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/oboscope/oboscope/flows"
)

type echoOut struct {
	Hello string `json:"hello"`
}

// TestForeignMCPServerWithoutAuth points the walk at an MCP server nobody on this project wrote:
// the go-sdk's plain streamable handler with no authorization at all. The findings must follow
// from what it does: it serves no metadata and answers without any token (that is not
// "accepts a foreign token", it is "requires no token").
func TestForeignMCPServerWithoutAuth(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "open-server", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "says hello"}, func(ctx context.Context, req *mcp.CallToolRequest, in map[string]any) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Hello: "anyone"}, nil
	})
	cfg := mcpBeside(t, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
	cfg.OBO = flows.OBOConfig{Mode: "passthrough"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.Run(context.Background()))
	m := w.Report().Hops[3]
	var got []string
	for _, f := range m.Findings {
		got = append(got, f.ID)
	}
	want := map[string]bool{"mcp.no-resource-metadata": true, "mcp.aud-mismatch": true, "mcp.token-passthrough": true, "mcp.no-www-authenticate": true}
	if len(got) != len(want) {
		t.Fatalf("mcp findings %v (story %q, error %q)", got, m.Story, m.Err)
	}
	for _, id := range got {
		if !want[id] {
			t.Fatalf("unexpected %s in %v", id, got)
		}
	}
}

// TestFoundryAgentAudience: a Foundry agent expects tokens for https://ai.azure.com.
func TestFoundryAgentAudience(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"resp_1","object":"response","status":"completed","output":[]}`))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		aud      string
		mismatch bool
	}{{"https://ai.azure.com", false}, {testAgent, true}} {
		cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
		cfg.Agent = flows.AgentConfig{Kind: "foundry", ProjectEndpoint: srv.URL + "/api/projects/p", AgentName: "contoso-agent"}
		cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.jwt", fakeJWT(t, map[string]any{"aud": tt.aud}))
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		w := flows.NewWalk(cfg, flows.WalkOptions{})
		collect(w.Run(context.Background()))
		w.Close()
		got := false
		for _, f := range w.Report().Hops[1].Findings {
			if f.ID == "agent.aud-mismatch" {
				got = true
			}
		}
		if got != tt.mismatch {
			t.Errorf("aud %s: agent.aud-mismatch %v, want %v", tt.aud, got, tt.mismatch)
		}
	}
}

// TestAgentBody: an agent that expects its own JSON shape gets agent.body as configured.
func TestAgentBody(t *testing.T) {
	got := make(chan string, 1)
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 256)
		n, _ := r.Body.Read(b)
		got <- string(b[:n])
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.Agent.Body = map[string]any{"input": []any{map[string]any{"role": "user", "content": "hi"}}}
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.RunHop(context.Background(), flows.HopSignin))
	collect(w.RunHop(context.Background(), flows.HopAgent))
	if b := <-got; b != `{"input":[{"content":"hi","role":"user"}]}` {
		t.Fatalf("body sent: %s", b)
	}
}
