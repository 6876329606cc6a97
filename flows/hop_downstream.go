package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// hopDownstream calls the MCP server's downstream tool (mcp.downstream_tool, the sandbox's
// graph_me) and reads what the server reports of its own exchange: the token it obtained and
// whether it passed the incoming token through.
func (w *Walk) hopDownstream(ctx context.Context, h *hopRun) {
	cfg := w.cfg
	if cfg.MCP.URL == "" || cfg.MCP.DownstreamTool == "" {
		h.skip("skipped: no downstream tool configured (mcp.downstream_tool)")
		return
	}
	w.mu.Lock()
	oboRaw, obo, unreachable := w.st.oboRaw, w.st.obo, w.st.mcpUnreachable
	tools, listed := w.st.mcpTools, w.st.mcpToolsListed
	w.mu.Unlock()
	if oboRaw == "" {
		h.skip("skipped: no token for the MCP server")
		return
	}
	if unreachable != "" {
		h.skip("skipped: " + unreachable + " (see the mcp hop)")
		return
	}
	if listed && !slices.Contains(tools, cfg.MCP.DownstreamTool) {
		// A server without the tool reports nothing of its own exchange: the hop has nothing to
		// read, which is not a failure of the chain.
		h.skip(fmt.Sprintf("skipped: the MCP server has no tool %s (its tools: %s), so nothing reports its own downstream exchange; set mcp.downstream_tool to the tool that does, or remove it",
			cfg.MCP.DownstreamTool, valueOr(strings.Join(tools, ", "), "none")))
		return
	}
	if !sendable(cfg.MCP.URL) {
		h.fail(fmt.Sprintf("downstream: refusing to send requests to %s (not https)", cfg.MCP.URL))
		return
	}
	sc, status, _, _, err := w.mcpSession(ctx, h, oboRaw, cfg.MCP.DownstreamTool, nil, false)
	var rep *inspect.ExchangeReport
	if sc != nil {
		if b, merr := json.Marshal(sc); merr == nil {
			var out struct {
				Downstream json.RawMessage `json:"downstream"`
			}
			if json.Unmarshal(b, &out) == nil {
				rep, _ = parseExchangeReport(out.Downstream)
			}
		}
	}
	if err != nil {
		if status == 401 || status == 403 {
			h.skip(fmt.Sprintf("skipped: the MCP server answered %d to the token (see the mcp hop)", status))
			return
		}
		h.fail(describeFailure("downstream", err, h.rec.snapshot()))
	}
	if rep == nil {
		if err == nil {
			h.skip(fmt.Sprintf("skipped: %s reported no downstream exchange", cfg.MCP.DownstreamTool))
		}
		return
	}
	if rep.Token != nil {
		h.token("downstream token (reported by the MCP server, signature removed)", "", rep.Token, false, "reported without its signature")
		lint := inspect.LintToken(rep.Token, "downstream", inspect.Expectations{Now: w.opts.Now()})
		for _, f := range lint {
			// A reported token has no signature by design: only say what its claims show.
			if f.ID != "token.unsigned" && f.ID != "token.signature-invalid" {
				h.add(f)
			}
		}
	}
	h.add(inspect.AnalyzeDownstream(inspect.DownstreamObservation{Report: rep, Incoming: obo})...)
	switch {
	case rep.Passthrough || rep.Kind == "passthrough":
		h.res.Story = "the MCP server forwarded the incoming token downstream"
	case rep.Token != nil:
		h.res.Story = fmt.Sprintf("the MCP server did its own %s: %s", exchangeKindName(rep.Kind), tokenSummary(rep.Token, w.appNames()))
	case rep.Error != nil:
		h.res.Story = "the MCP server's own exchange failed: " + firstLine(rep.Error.Description)
	default:
		h.res.Story = fmt.Sprintf("the MCP server reports a %s exchange with status %d", valueOr(rep.Kind, "downstream"), rep.Status)
	}
}

// exchangeKindName names a reported exchange kind for a story ("obo" → "On-Behalf-Of exchange").
func exchangeKindName(kind string) string {
	switch strings.ToLower(kind) {
	case "", "exchange":
		return "exchange"
	case "obo":
		return "On-Behalf-Of exchange"
	case "client_credentials":
		return "client credentials request"
	}
	return kind + " exchange"
}
