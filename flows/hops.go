package flows

import (
	"context"

	"github.com/oboscope/oboscope/inspect"
)

// This file is the table of hops: one row per hop of each chain profile. A row names the hop and
// says, in its run function, which outputs of earlier hops it takes and which it hands on; the
// hop's own file holds its observe and analyze functions (observe talks to the world and records
// tokens and exchanges; analyze turns what it observed into findings with inspect's rules).
// Adding a hop is one row here plus its own file.

// Chain profiles: which chain a walk follows (config key `chain`).
const (
	// ChainAgentOBO is a client signing the user in, an agent API, the agent's On-Behalf-Of
	// exchange, an MCP server and the MCP server's own exchange.
	ChainAgentOBO = "agent-obo"
	// ChainMCPClient is an MCP client (VS Code, Claude Code, an SDK client) signing in straight
	// to an MCP server by the MCP authorization specification, run with the MCP Go SDK's own
	// client authorization: probe → metadata → registration → sign-in → MCP call → refresh →
	// downstream.
	ChainMCPClient = "mcp-client"
)

// HopInfo names a hop of a chain: its ID, its title and its short title (the rail's).
type HopInfo struct {
	ID    HopID
	Title string
	Short string
}

// hopDef is one row of a chain's table.
type hopDef struct {
	HopInfo
	// about says in a sentence or two what the hop does with the config (the step-by-step view).
	about func(Config) string
	// run observes the hop (I/O, tokens, exchanges), analyzes what it observed (findings) and
	// stores what it hands on in c.
	run func(ctx context.Context, h *hopRun, c *chain)
}

// chain is what the hops of one walk hand on to each other, one typed output per hop. Only the
// goroutine running the walk touches it.
type chain struct {
	signin signinOut
	agent  agentOut
	obo    oboOut
	mcp    mcpOut

	// The mcp-client chain's outputs (mcp is shared).
	probe   probeOut
	meta    metadataOut
	reg     registrationOut
	client  clientSigninOut
	refresh refreshOut
}

// heldToken is a token a hop hands on: its raw form (empty when oboscope holds it only without
// its signature), its decoded form, where it was recorded, and whether its signature was
// verified there.
type heldToken struct {
	raw      string
	tok      *inspect.Token
	ref      TokenRef
	verified bool
}

// ok reports whether there is a token to use.
func (t heldToken) ok() bool { return t.raw != "" }

// agentOBOHops is the agent-obo chain: sign-in → agent API → On-Behalf-Of → MCP → downstream. With
// agent.kind foundry the agent row calls a Foundry agent through its project's Responses API, and
// the rows after it observe what Foundry did in oboscope's place (its token for the tool, its
// MCP calls) through Foundry's answer.
func agentOBOHops(cfg Config) []hopDef {
	rows := []hopDef{
		{HopInfo{HopSignin, "User sign-in", "Sign-in"}, aboutSignin, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeSignin(ctx, h)
			c.signin = out
			h.add(analyzeSignin(h, obs)...)
		}},
		{HopInfo{HopAgent, "Call the agent API", "Agent call"}, aboutAgent, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeAgent(ctx, h, c.signin.user)
			c.agent = out
			h.add(analyzeAgent(h, obs)...)
		}},
		{HopInfo{HopOBO, "On-Behalf-Of exchange", "OBO exchange"}, aboutOBO, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeOBO(ctx, h, c.signin.user, c.agent.report)
			c.obo = out
			h.add(analyzeOBO(h, obs)...)
			h.res.Story = oboStory(h, obs)
		}},
		{HopInfo{HopMCP, "Call the MCP server", "MCP call"}, aboutMCP, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeMCP(ctx, h, c.signin.user, c.obo)
			c.mcp = out
			h.add(analyzeMCP(h, obs)...)
			finishMCP(h, obs)
		}},
		{HopInfo{HopDownstream, "MCP server's downstream exchange", "Downstream OBO"}, aboutDownstream, func(ctx context.Context, h *hopRun, c *chain) {
			obs := observeDownstream(ctx, h, c.obo.token, c.mcp)
			h.add(analyzeDownstream(h, obs)...)
		}},
	}
	if cfg.AgentKind() == AgentKindFoundry {
		rows[1], rows[2], rows[3], rows[4] = foundryRows()
	}
	return rows
}

// foundryRows are the agent, obo, mcp and downstream rows of a Foundry agent.
func foundryRows() (agent, obo, mcp, downstream hopDef) {
	agent = hopDef{HopInfo{HopAgent, "Call the Foundry agent (Responses API)", "Foundry agent"}, aboutFoundryAgent, func(ctx context.Context, h *hopRun, c *chain) {
		obs, out := observeFoundryAgent(ctx, h, c.signin.user)
		c.agent = out
		h.add(analyzeFoundryAgent(h, obs)...)
	}}
	obo = hopDef{HopInfo{HopOBO, "Foundry's token for the MCP tool", "Tool token"}, aboutFoundryToolToken, func(_ context.Context, h *hopRun, c *chain) {
		obs, out := observeFoundryToolToken(h, c.agent.foundry)
		c.obo = out
		h.add(analyzeFoundryToolToken(h, obs)...)
	}}
	mcp = hopDef{HopInfo{HopMCP, "Foundry's calls to the MCP server", "MCP call"}, aboutFoundryMCP, func(ctx context.Context, h *hopRun, c *chain) {
		obs, out := observeFoundryMCP(ctx, h, c.signin.user, c.agent.foundry, c.obo.reported)
		c.mcp = out
		h.add(analyzeFoundryMCP(h, obs)...)
		finishFoundryMCP(h, obs)
	}}
	downstream = hopDef{HopInfo{HopDownstream, "MCP server's downstream exchange", "Downstream OBO"}, aboutDownstream, func(_ context.Context, h *hopRun, c *chain) {
		obs := observeFoundryDownstream(h, c.agent.foundry, c.mcp)
		h.add(analyzeDownstream(h, obs)...)
	}}
	return agent, obo, mcp, downstream
}

// mcpClientHops is the mcp-client chain: an MCP client signing in straight to the MCP server
// with the MCP go-sdk's client authorization — probe → metadata → registration → sign-in → MCP
// call → refresh → downstream.
func mcpClientHops() []hopDef {
	return []hopDef{
		{HopInfo{HopProbe, "Call the MCP server without a token", "Probe"}, aboutProbe, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeProbe(ctx, h)
			c.probe = out
			h.add(analyzeProbe(obs)...)
		}},
		{HopInfo{HopMetadata, "Resource and authorization server metadata", "Metadata"}, aboutMetadata, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeMetadata(ctx, h, c.probe)
			c.meta = out
			h.add(analyzeMetadata(obs)...)
		}},
		{HopInfo{HopRegistration, "Client registration", "Registration"}, aboutRegistration, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeRegistration(ctx, h, c.meta)
			c.reg = out
			h.add(analyzeRegistration(obs)...)
		}},
		{HopInfo{HopSignin, "MCP client sign-in (authorization code + PKCE)", "Sign-in"}, aboutClientSignin, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeClientSignin(ctx, h, c.probe, c.meta, c.reg)
			c.client = out
			h.add(analyzeClientSignin(h, obs)...)
		}},
		{HopInfo{HopMCP, "Call the MCP server", "MCP call"}, aboutMCPCall, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeMCPCall(ctx, h, c.probe, c.meta, c.client)
			c.mcp = out
			h.add(analyzeMCPCall(h, obs)...)
			finishMCPCall(h, obs)
		}},
		{HopInfo{HopRefresh, "Refresh the token (as an hour later)", "Refresh"}, aboutRefresh, func(ctx context.Context, h *hopRun, c *chain) {
			obs, out := observeRefresh(ctx, h, c.client)
			c.refresh = out
			h.add(analyzeRefresh(h, obs)...)
		}},
		{HopInfo{HopDownstream, "MCP server's downstream exchange", "Downstream OBO"}, aboutDownstream, func(ctx context.Context, h *hopRun, c *chain) {
			// The latest token the client holds: the refreshed one when the refresh worked.
			tok, m := c.client.token, c.mcp
			if c.refresh.token.ok() {
				tok = c.refresh.token
				ref := tok.ref
				m.presented = &ref
			}
			obs := observeDownstream(ctx, h, tok, m)
			h.add(analyzeDownstream(h, obs)...)
		}},
	}
}

// hopsFor returns the table of the chain cfg names.
func hopsFor(cfg Config) []hopDef {
	if cfg.ChainName() == ChainMCPClient {
		return mcpClientHops()
	}
	return agentOBOHops(cfg)
}

// HopsFor lists the hops of the chain cfg names, in walk order.
func HopsFor(cfg Config) []HopInfo {
	defs := hopsFor(cfg)
	out := make([]HopInfo, len(defs))
	for i, d := range defs {
		out[i] = d.HopInfo
	}
	return out
}
