package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// With agent.kind foundry, Foundry itself obtains the token for the agent's MCP tool and calls
// the MCP server: oboscope holds none of the credentials Foundry uses, so these hops observe
// what Foundry reported in its answer (and `oboscope tap` in front of the server shows the rest)
// instead of performing the steps.

// foundryExpectations are what the foundry rules hold Foundry's answer against.
func foundryExpectations(h *hopRun) inspect.FoundryExpectations {
	cfg := h.cfg
	return inspect.FoundryExpectations{MCPAudiences: mcpAudiences(cfg), NeedsUser: cfg.MCP.NeedsUser,
		AgentIdentityID: cfg.OBO.AgentIdentityID, BlueprintID: cfg.OBO.BlueprintClientID, Now: h.now()}
}

// observeFoundryToolToken is the obo row of a Foundry agent: the token Foundry obtained for the
// MCP tool, as the MCP server reports receiving it, and the auth mode it reveals.
func observeFoundryToolToken(h *hopRun, ans *foundryAnswer) (inspect.FoundryObservation, oboOut) {
	obs := ans.observation(h.cfg.MCP.Tool)
	switch {
	case ans == nil || len(ans.rounds) == 0:
		h.skip("skipped: Foundry did not answer (see the agent hop)")
		return obs, oboOut{}
	case len(obs.ConsentLinks) > 0:
		h.skip("skipped: Foundry waits for the user's consent (OAuth identity passthrough) before it can get the user's token for the tool")
		return obs, oboOut{}
	case obs.Token == nil && obs.Error != "":
		h.res.Story = "Foundry reports an error before or while calling the tool: " + firstLine(obs.Error)
		return obs, oboOut{}
	case obs.Token == nil && ans.reportedKey():
		h.res.Story = "Foundry authenticated to the MCP server with a key (key-based connection): the server sees no user and no Entra identity"
		return obs, oboOut{}
	case obs.Token == nil && refusedCall(obs):
		h.skip("skipped: the MCP server refused Foundry's token (see the mcp hop), so it reported none; oboscope tap in front of the server shows the token Foundry sends")
		return obs, oboOut{}
	case obs.Token == nil:
		h.skip("skipped: the MCP server reported no token through Foundry's answer (oboscope tap in front of the server shows the token Foundry sends)")
		return obs, oboOut{}
	}
	t := obs.Token
	kind := inspect.ClassifyCaller(t, true)
	held := h.hold(NamedToken{Name: "token Foundry obtained for the MCP tool (reported by the MCP server, signature removed)", Role: RoleReported,
		Token: t, VerifyErr: "reported by the MCP server without its signature", ReportedBy: "the MCP server (through Foundry's answer)"})
	h.res.Story = fmt.Sprintf("Foundry authenticated to the MCP server with %s (%s): %s", inspect.FoundryAuthMode(kind), inspect.CallerDescription(kind), inspect.Summarize(t, h.names).Text())
	return obs, oboOut{reported: held}
}

// analyzeFoundryToolToken applies the rules about Foundry's token for the tool.
func analyzeFoundryToolToken(h *hopRun, obs inspect.FoundryObservation) []inspect.Finding {
	return inspect.AnalyzeFoundryToolAuth(obs, foundryExpectations(h))
}

// foundryMCPObs is what the mcp row of a Foundry agent observed: oboscope's own discovery of the
// server (probe, metadata) and Foundry's calls.
type foundryMCPObs struct {
	discovery mcpObs
	foundry   inspect.FoundryObservation
	answered  bool
}

// observeFoundryMCP discovers the MCP server's authorization as the mcp hop always does (without
// a token: Foundry holds it), and reads Foundry's listing and calls of its tools.
func observeFoundryMCP(ctx context.Context, h *hopRun, user heldToken, ans *foundryAnswer, tok heldToken) (foundryMCPObs, mcpOut) {
	var obs foundryMCPObs
	var out mcpOut
	if h.cfg.MCP.URL != "" {
		obs.discovery, out = observeMCP(ctx, h, user, oboOut{})
	}
	if ans == nil || len(ans.rounds) == 0 {
		return obs, out
	}
	obs.answered = true
	obs.foundry = ans.observation(h.cfg.MCP.Tool)
	if tok.tok != nil {
		ref := h.present("token Foundry presented to the MCP server (reported, signature removed)", RolePresented, tok, true)
		out.presented = &ref
	}
	for _, it := range ans.of("mcp_list_tools") {
		out.listed = out.listed || errorText(it.Error) == ""
		for _, t := range it.Tools {
			out.tools = append(out.tools, t.Name)
		}
	}
	return obs, out
}

// analyzeFoundryMCP applies the mcp rules to oboscope's own discovery, lints the token the server
// reports, and applies the foundry rules to Foundry's calls.
func analyzeFoundryMCP(h *hopRun, obs foundryMCPObs) []inspect.Finding {
	var fs []inspect.Finding
	if obs.discovery.ProbeStatus != 0 {
		fs = analyzeMCP(h, obs.discovery)
	}
	if t := obs.foundry.Token; t != nil {
		fs = append(fs, inspect.LintToken(t, "mcp", inspect.Expectations{Now: h.now(), Reported: true})...)
	}
	return append(fs, inspect.AnalyzeFoundryMCP(obs.foundry, foundryExpectations(h))...)
}

// finishFoundryMCP tells the story of the mcp row of a Foundry agent.
func finishFoundryMCP(h *hopRun, obs foundryMCPObs) {
	var parts []string
	switch {
	case !obs.answered:
		if h.res.Status != StatusFailed && len(h.res.Findings) == 0 && h.res.Err == "" {
			h.skip("skipped: Foundry did not answer (see the agent hop)")
		}
	case len(obs.foundry.Calls) == 0 && len(obs.foundry.ConsentLinks) > 0:
		parts = append(parts, "Foundry did not call the MCP server yet: it waits for the user's consent")
	case len(obs.foundry.Calls) == 0:
		parts = append(parts, "Foundry reported no call of the MCP server")
	default:
		var steps []string
		reached := false
		for _, c := range obs.foundry.Calls {
			what := "listed the tools"
			if c.Item == "mcp_call" {
				what = "called " + c.Tool
			}
			switch {
			case c.Error != "" && inspect.NoTokenForTool(c.Error):
				steps = append(steps, "never reached the MCP server for "+valueOr(c.Tool, "its tools")+": it got no token for the tool (see the obo hop)")
				continue
			case c.Error != "":
				what = strings.Replace(strings.Replace(what, "listed", "listing", 1), "called", "calling", 1) + " failed"
				if status, _ := inspect.ParseToolError(c.Error); status != 0 {
					what += fmt.Sprintf(" (the server answered %d)", status)
				} else {
					what += ": " + firstLine(c.Error)
				}
			}
			reached = true
			steps = append(steps, what)
		}
		parts = append(parts, "Foundry "+strings.Join(steps, "; "))
		if !reached && len(h.res.Findings) == 0 && h.res.Err == "" {
			defer func() { h.skip(h.res.Story) }()
		}
	}
	if obs.discovery.ProbeStatus != 0 {
		parts = append(parts, "oboscope's own probe: "+mcpStory(obs.discovery.MCPObservation, obs.discovery.prmURL, obs.discovery.asIssuers, ""))
	}
	if obs.answered || obs.discovery.ProbeStatus != 0 {
		h.res.Story = strings.Join(parts, "; ")
	}
	if len(parts) > 0 && obs.answered && len(obs.foundry.Calls) == 0 && len(h.res.Findings) == 0 && h.res.Err == "" {
		h.skip(h.res.Story)
	}
}

// observeFoundryDownstream is the downstream row of a Foundry agent: the MCP server's own exchange
// as the configured downstream tool reported it in Foundry's answer, when Foundry called it.
func observeFoundryDownstream(h *hopRun, ans *foundryAnswer, mcp mcpOut) downstreamObs {
	var obs downstreamObs
	tool := h.cfg.MCP.DownstreamTool
	if tool == "" {
		h.skip("skipped: no downstream tool configured (mcp.downstream_tool)")
		return obs
	}
	for _, it := range ans.of("mcp_call") {
		if it.Name != tool || errorText(it.Error) != "" {
			continue
		}
		var out struct {
			Downstream json.RawMessage `json:"downstream"`
		}
		if json.Unmarshal([]byte(stringValue(it.Output)), &out) != nil {
			continue
		}
		rep, _ := parseExchangeReport(out.Downstream)
		if rep == nil {
			continue
		}
		obs.Report = rep
		if rep.Token != nil {
			h.record(NamedToken{Name: "downstream token (reported by the MCP server, signature removed)", Role: RoleReported, Token: rep.Token,
				From: mcp.presented, VerifyErr: "reported without its signature", ReportedBy: "the MCP server", HandedOn: true})
		}
		h.res.Story = "the MCP server reported its own exchange in Foundry's call of " + tool
		return obs
	}
	h.skip("skipped: Foundry did not call " + tool + ", so nothing reports the MCP server's own exchange")
	return obs
}

// refusedCall reports whether one of Foundry's MCP steps failed.
func refusedCall(obs inspect.FoundryObservation) bool {
	for _, c := range obs.Calls {
		if c.Error != "" {
			return true
		}
	}
	return false
}

// aboutFoundryToolToken says what the tool-token hop of a Foundry agent shows, for the
// step-by-step view.
func aboutFoundryToolToken(Config) string {
	return "Foundry obtains the token for the MCP tool itself (the agent identity's, the project's managed identity's, the user's after OAuth consent, or a key): oboscope reads what the MCP server reports it received."
}

// aboutFoundryMCP says what the MCP hop of a Foundry agent shows, for the step-by-step view.
func aboutFoundryMCP(Config) string {
	return "Foundry lists and calls the MCP server's tools; oboscope reads each call's outcome from Foundry's answer, and reads the server's metadata itself."
}
