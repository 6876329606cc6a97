package flows

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// This file holds the MCP session the mcp and downstream hops open with the go-sdk client.

// bearerTransport adds the Authorization header; it sits above the trace, so the trace records
// the header (redacted) and the 401's WWW-Authenticate.
type bearerTransport struct {
	token string
	next  http.RoundTripper
}

func (b *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// session is what an MCP session with the go-sdk client showed: the structured content of the
// tool call, the status and WWW-Authenticate of the initialize answer, a one-line note of what
// happened, and the tools the server listed (listed: the list arrived, possibly empty).
type session struct {
	structured any
	status     int
	challenge  string
	note       string
	tools      []string
	listed     bool
}

// mcpSession connects with the MCP go-sdk (streamable HTTP) presenting token, lists the tools
// (when listTools) and calls tool (when set).
func mcpSession(ctx context.Context, h *hopRun, token, tool string, args map[string]any, listTools bool) (session, error) {
	hc := *h.client
	hc.Transport = &bearerTransport{token: token, next: h.client.Transport}
	return mcpSessionWith(ctx, h, &mcp.StreamableClientTransport{
		Endpoint: h.cfg.MCP.URL, HTTPClient: &hc, MaxRetries: -1, DisableStandaloneSSE: true,
	}, tool, args, listTools)
}

// mcpSessionWith runs the session of mcpSession over transport (which adds the token: a bearer
// header, or a client's OAuthHandler).
func mcpSessionWith(ctx context.Context, h *hopRun, transport *mcp.StreamableClientTransport, tool string, args map[string]any, listTools bool) (session, error) {
	h.rec.setLabel("MCP initialize")
	before := h.rec.headCount()
	client := mcp.NewClient(&mcp.Implementation{Name: "oboscope", Version: "1"}, nil)
	sess, err := client.Connect(ctx, transport, nil)
	// The initialize answer's status comes from the response head, recorded when it arrived: the
	// exchange itself completes only when the SDK closes the (possibly SSE) body.
	var out session
	out.status, out.challenge = sessionStart(h.rec.headsSince(before))
	if err != nil {
		return out, fmt.Errorf("MCP initialize: %w", err)
	}
	defer sess.Close()
	if listTools {
		h.rec.setLabel("MCP tools/list")
		list, err := sess.ListTools(ctx, nil)
		if err != nil {
			return out, fmt.Errorf("MCP tools/list: %w", err)
		}
		var names []string
		for _, t := range list.Tools {
			names = append(names, t.Name)
		}
		noun := "tools"
		if len(names) == 1 {
			noun = "tool"
		}
		out.note = fmt.Sprintf("%d %s (%s)", len(names), noun, strings.Join(names, ", "))
		out.tools, out.listed = names, true
		if tool != "" && !slices.Contains(names, tool) {
			return out, &noSuchToolError{Tool: tool, Tools: names}
		}
	}
	if tool == "" {
		return out, nil
	}
	h.rec.setLabel("MCP tools/call " + tool)
	var a any = args
	if args == nil {
		a = map[string]any{}
	}
	callStart := h.rec.headCount()
	res, err := sess.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: a})
	if err != nil {
		err = fmt.Errorf("MCP tools/call %s: %w", tool, err)
		// A JSON-RPC error the server answered (unknown arguments …) is the tool's answer; an
		// HTTP refusal of the call is not.
		switch st, ch := sessionStart(h.rec.headsSince(callStart)); {
		case st >= 200 && st < 300:
			err = &toolError{Tool: tool, err: err}
		case st == 401 || st == 403:
			err = &callRefusedError{Tool: tool, Status: st, Challenge: ch, err: err}
		}
		return out, err
	}
	out.structured = res.StructuredContent
	if res.IsError {
		return out, &toolError{Tool: tool, err: fmt.Errorf("MCP tool %s returned an error: %s", tool, toolText(res))}
	}
	out.note = strings.TrimPrefix(out.note+"; "+tool+" answered", "; ")
	return out, nil
}

// toolError is a tool call the server answered with an error (a tool result flagged isError, or
// a JSON-RPC error such as invalid arguments): the session and its authorization worked.
type toolError struct {
	Tool string
	err  error
}

func (e *toolError) Error() string { return e.err.Error() }
func (e *toolError) Unwrap() error { return e.err }

// callRefusedError is a tool call the server refused with 401 or 403 after the session was
// accepted (a scope challenge for that tool, MCP 2025-11-25 step-up authorization).
type callRefusedError struct {
	Tool      string
	Status    int
	Challenge string
	err       error
}

func (e *callRefusedError) Error() string { return e.err.Error() }
func (e *callRefusedError) Unwrap() error { return e.err }

// noSuchToolError says the server's tools/list does not name a configured tool: the server works,
// the configuration names a tool it does not have.
type noSuchToolError struct {
	Tool  string
	Tools []string
}

func (e *noSuchToolError) Error() string {
	return fmt.Sprintf("the MCP server has no tool %s (its tools: %s)", e.Tool, valueOr(strings.Join(e.Tools, ", "), "none"))
}

// sessionStart returns the status and WWW-Authenticate of the answer that decided whether an MCP
// session started. The go-sdk first tries the stateless server/discover request and, when the
// server answers it with an error (an SDK that only knows initialize answers 400 "Unsupported
// protocol version"), falls back to initialize: the initialize answer then decides, not the
// discovery's 400. Without an initialize request, the first POST's answer decides.
func sessionStart(heads []responseHead) (int, string) {
	pick := -1
	for i, x := range heads {
		if x.Method != http.MethodPost {
			continue
		}
		if x.RPCMethod == "initialize" {
			pick = i
			break
		}
		if pick < 0 {
			pick = i
		}
	}
	if pick < 0 {
		return 0, ""
	}
	challenge := ""
	if heads[pick].Header != nil {
		challenge = heads[pick].Header.Get("WWW-Authenticate")
	}
	return heads[pick].Status, challenge
}

func toolText(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			return oneLine(RedactText(t.Text, nil))
		}
	}
	return "(no text)"
}
