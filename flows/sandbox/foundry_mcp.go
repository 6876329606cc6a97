package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// foundryTransport sends Foundry's credential with every MCP request and keeps what the server
// answered when it refused: the status, the challenge and the first line of the body — what
// Foundry quotes in its error ("Http status code: 401 (Unauthorized). Details: …").
type foundryTransport struct {
	base  http.RoundTripper
	token string

	mu        sync.Mutex
	status    int
	challenge string
	details   string
}

func (t *foundryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	t.mu.Lock()
	if t.status == 0 {
		t.status, t.challenge = resp.StatusCode, resp.Header.Get("WWW-Authenticate")
		t.details = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	t.mu.Unlock()
	return resp, nil
}

// refusal is Foundry's error text for a step the server refused (or that failed otherwise).
func (t *foundryTransport) refusal(step string, err error) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.status == 0 {
		return fmt.Sprintf("%s: '%s'. %s", step, FoundryServerLabel, oneLineErr(err))
	}
	msg := fmt.Sprintf("%s: '%s'. Http status code: %d (%s).", step, FoundryServerLabel, t.status, http.StatusText(t.status))
	if t.details != "" {
		msg += " Details: " + t.details
	}
	return msg
}

// connect opens an MCP session with the sandbox's MCP server as Foundry does, with the tool's
// credential.
func (r *foundryRun) connect(ctx context.Context, token string) (*mcp.ClientSession, *foundryTransport, error) {
	tr := &foundryTransport{base: r.s.client.Transport, token: token}
	client := mcp.NewClient(&mcp.Implementation{Name: "azure-ai-foundry-agent-service", Version: "1.0.0"}, nil)
	ses, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: r.s.foundryMCPURL(), HTTPClient: &http.Client{Transport: tr, Timeout: 20 * time.Second},
		DisableStandaloneSSE: true, MaxRetries: -1,
	}, nil)
	return ses, tr, err
}

// listTools lists the server's tools into an mcp_list_tools item; false when it failed (the items
// say so and the run is over).
func (r *foundryRun) listTools(ctx context.Context, token string) bool {
	id := "mcpl_" + strings.ToLower(randomID(24))
	fail := func(msg string) bool {
		r.add(map[string]any{"type": "mcp_list_tools", "id": id, "server_label": FoundryServerLabel, "tools": []any{}, "error": msg})
		r.message("I could not use the " + FoundryServerLabel + " tool.")
		return false
	}
	ses, tr, err := r.connect(ctx, token)
	if err != nil {
		return fail(tr.refusal("Error retrieving tool list from MCP server", err))
	}
	defer ses.Close()
	res, err := ses.ListTools(ctx, nil)
	if err != nil {
		return fail(tr.refusal("Error retrieving tool list from MCP server", err))
	}
	tools := []any{}
	for _, t := range res.Tools {
		tools = append(tools, map[string]any{"name": t.Name, "description": t.Description, "input_schema": t.InputSchema, "annotations": nil})
	}
	r.add(map[string]any{"type": "mcp_list_tools", "id": id, "server_label": FoundryServerLabel, "tools": tools, "error": nil})
	return true
}

// callTool calls one tool into an mcp_call item, then writes the agent's answer.
func (r *foundryRun) callTool(ctx context.Context, token, tool string) {
	item := map[string]any{"type": "mcp_call", "id": "mcp_" + strings.ToLower(randomID(24)), "server_label": FoundryServerLabel,
		"name": tool, "arguments": "{}", "output": nil, "error": nil, "status": "completed"}
	out, errMsg := r.call(ctx, token, tool)
	if errMsg != "" {
		item["error"], item["status"] = errMsg, "failed"
		r.add(item)
		r.message(fmt.Sprintf("Calling %s failed.", tool))
		return
	}
	item["output"] = out
	r.add(item)
	r.message(fmt.Sprintf("I called %s on %s; it answered (%d bytes).", tool, FoundryServerLabel, len(out)))
}

// call calls one tool and returns its output, or Foundry's error text.
func (r *foundryRun) call(ctx context.Context, token, tool string) (string, string) {
	step := "Error calling tool '" + tool + "' on MCP server"
	ses, tr, err := r.connect(ctx, token)
	if err != nil {
		return "", tr.refusal(step, err)
	}
	defer ses.Close()
	res, err := ses.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{}})
	if err != nil {
		return "", tr.refusal(step, err)
	}
	out := toolText(res)
	if res.IsError {
		return "", "The tool '" + tool + "' returned an error: " + out
	}
	return out, ""
}

// toolText is a tool result as Foundry hands it to the model: the structured content as JSON, or
// the text content.
func toolText(res *mcp.CallToolResult) string {
	if res.StructuredContent != nil {
		if b, err := json.Marshal(res.StructuredContent); err == nil {
			return string(b)
		}
	}
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// foundryMCPURL is where the project's agents call the MCP server.
func (s *Sandbox) foundryMCPURL() string {
	if s.opts.FoundryMCPURL != "" {
		return s.opts.FoundryMCPURL
	}
	return s.MCPURL()
}

// checkFoundryMCPURL accepts "" or an http(s) URL on loopback: the sandbox sends its tokens there.
func checkFoundryMCPURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("sandbox: --foundry-mcp-url %q is not an http(s) URL", raw)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("sandbox: --foundry-mcp-url %q is not on loopback: the sandbox sends its agents' tokens there", raw)
	}
	return nil
}
