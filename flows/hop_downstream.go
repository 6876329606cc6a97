package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// downstreamObs is what the downstream hop observed: the MCP server's report of its own exchange
// and the token oboscope had presented to the server.
type downstreamObs struct {
	inspect.DownstreamObservation
}

// observeDownstream calls the MCP server's downstream tool (mcp.downstream_tool, the sandbox's
// graph_me) and reads what the server reports of its own exchange: the token it obtained and
// whether it passed the incoming token through.
func observeDownstream(ctx context.Context, h *hopRun, token heldToken, mcp mcpOut) downstreamObs {
	cfg := h.cfg
	var obs downstreamObs
	switch {
	case cfg.MCP.URL == "" || cfg.MCP.DownstreamTool == "":
		h.skip("skipped: no downstream tool configured (mcp.downstream_tool)")
		return obs
	case !token.ok():
		h.skip("skipped: no token for the MCP server")
		return obs
	case mcp.unreachable != "":
		h.skip("skipped: " + mcp.unreachable + " (see the mcp hop)")
		return obs
	case mcp.listed && !slices.Contains(mcp.tools, cfg.MCP.DownstreamTool):
		// A server without the tool reports nothing of its own exchange: the hop has nothing to
		// read, which is not a failure of the chain.
		h.skip(fmt.Sprintf("skipped: the MCP server has no tool %s (its tools: %s), so nothing reports its own downstream exchange; set mcp.downstream_tool to the tool that does, or remove it",
			cfg.MCP.DownstreamTool, valueOr(strings.Join(mcp.tools, ", "), "none")))
		return obs
	case !sendable(cfg.MCP.URL):
		h.fail(fmt.Sprintf("downstream: refusing to send requests to %s (not https)", cfg.MCP.URL))
		return obs
	}
	ses, err := mcpSession(ctx, h, token.raw, cfg.MCP.DownstreamTool, nil, false)
	var rep *inspect.ExchangeReport
	if ses.structured != nil {
		if b, merr := json.Marshal(ses.structured); merr == nil {
			var out struct {
				Downstream json.RawMessage `json:"downstream"`
			}
			if json.Unmarshal(b, &out) == nil {
				rep, _ = parseExchangeReport(out.Downstream)
			}
		}
	}
	if err != nil {
		if ses.status == 401 || ses.status == 403 {
			h.skip(fmt.Sprintf("skipped: the MCP server answered %d to the token (see the mcp hop)", ses.status))
			return obs
		}
		h.fail(describeFailure("downstream", err, h.rec.snapshot()))
	}
	if rep == nil {
		if err == nil {
			h.skip(fmt.Sprintf("skipped: %s reported no downstream exchange", cfg.MCP.DownstreamTool))
		}
		return obs
	}
	obs.Report, obs.Incoming = rep, token.tok
	if rep.Token != nil {
		// The token the MCP server sent on downstream: the last one the chain hands on.
		h.record(NamedToken{Name: "downstream token (reported by the MCP server, signature removed)", Role: RoleReported, Token: rep.Token,
			From: mcp.presented, VerifyErr: "reported without its signature", ReportedBy: "the MCP server", HandedOn: true})
	}
	switch {
	case rep.Passthrough || rep.Kind == "passthrough":
		h.res.Story = "the MCP server forwarded the incoming token downstream"
	case rep.Token != nil:
		h.res.Story = fmt.Sprintf("the MCP server did its own %s: %s", exchangeKindName(rep.Kind), inspect.Summarize(rep.Token, h.names).Text())
	case rep.Error != nil:
		h.res.Story = "the MCP server's own exchange failed: " + firstLine(rep.Error.Description)
	default:
		h.res.Story = fmt.Sprintf("the MCP server reports a %s exchange with status %d", valueOr(rep.Kind, "downstream"), rep.Status)
	}
	return obs
}

// analyzeDownstream lints the reported token (its claims only: a reported token has no signature
// by design) and applies the downstream rules.
func analyzeDownstream(h *hopRun, obs downstreamObs) []inspect.Finding {
	if obs.Report == nil {
		return nil
	}
	var fs []inspect.Finding
	if t := obs.Report.Token; t != nil {
		fs = inspect.LintToken(t, "downstream", inspect.Expectations{Now: h.now(), Reported: true})
	}
	return append(fs, inspect.AnalyzeDownstream(obs.DownstreamObservation)...)
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

// aboutDownstream says what the downstream hop does, for the step-by-step view.
func aboutDownstream(_ Config) string {
	return "The MCP server calls its own API (Microsoft Graph) with its own On-Behalf-Of exchange; oboscope calls the tool that reports what the server did and checks it did not pass the token on."
}
