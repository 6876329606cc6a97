package inspect

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file holds the rules of what a Foundry project's Responses API answered: Foundry performs
// the middle hops itself (its tool connection's token, its MCP calls), so they are observed
// through its answer — the output items mcp_list_tools, mcp_call and oauth_consent_request, the
// answer's own error, and the token the MCP server reports receiving — and through the tap.

// CallerKind is who a bearer credential speaks for, as the server that receives it sees it. The
// values are part of the tap's JSON contract.
type CallerKind string

// Caller kinds.
const (
	CallerUser            CallerKind = "user"             // a delegated token: a person (OAuth identity passthrough, OBO)
	CallerAgentIdentity   CallerKind = "agent_identity"   // an Agent ID agent identity, app-only
	CallerManagedIdentity CallerKind = "managed_identity" // a managed identity (xms_mirid): Foundry's project identity
	CallerApp             CallerKind = "app"              // another application, app-only
	CallerAnonymous       CallerKind = "anonymous"        // no credential at all
	CallerKey             CallerKind = "key"              // a credential that is no JWT: an API key, a PAT
)

// ClassifyCaller says who a request speaks for: t is its bearer token decoded (nil when there is
// none or it is no JWT), credential whether the request carried any credential at all (an
// Authorization header, an API-key header).
func ClassifyCaller(t *Token, credential bool) CallerKind {
	switch {
	case t == nil || t.Format != FormatJWS:
		if credential {
			return CallerKey
		}
		return CallerAnonymous
	case !anaAppOnly(t):
		return CallerUser
	case t.IsAgent():
		return CallerAgentIdentity
	case t.HasClaim("xms_mirid"):
		return CallerManagedIdentity
	}
	return CallerApp
}

// CallerDescription says in a few words what a caller kind's credential is.
func CallerDescription(k CallerKind) string {
	switch k {
	case CallerUser:
		return "a user's delegated token"
	case CallerAgentIdentity:
		return "an agent identity's app-only token"
	case CallerManagedIdentity:
		return "a managed identity's app-only token"
	case CallerApp:
		return "an application's app-only token"
	case CallerKey:
		return "a key or PAT, not an Entra token"
	}
	return "no credential"
}

// FoundryAuthMode names the Foundry MCP tool authentication a caller kind reveals.
func FoundryAuthMode(k CallerKind) string {
	switch k {
	case CallerUser:
		return "OAuth identity passthrough"
	case CallerAgentIdentity:
		return "Entra agent identity"
	case CallerManagedIdentity:
		return "Entra project managed identity"
	case CallerApp:
		return "an application's own token"
	case CallerKey:
		return "key-based"
	}
	return "unauthenticated"
}

// FoundryToolCall is one MCP step Foundry reports in an output item: a tools listing or a call.
type FoundryToolCall struct {
	Item        string // mcp_list_tools | mcp_call
	ServerLabel string
	Tool        string // the tool called (mcp_call)
	Error       string // what Foundry reported as the error; "" when the step succeeded
}

// FoundryObservation is what the Responses API answered about the agent's MCP tool.
type FoundryObservation struct {
	// ConsentLinks are the consent_link of the oauth_consent_request items of the last answer:
	// Foundry waits for the user's consent before it can get a token for the tool.
	ConsentLinks []string
	ConsentLabel string // the server_label the consent is for
	Calls        []FoundryToolCall
	// Error is the answer's own error: a failed response's error, or the error body of an answer
	// that is not 2xx ("" when none).
	Error string
	// Token is the token the MCP server reports receiving from Foundry (its whoami output),
	// without its signature; nil when the server reported none.
	Token *Token
}

// FoundryExpectations come from the configuration.
type FoundryExpectations struct {
	MCPAudiences    []string // mcp.client_id and mcp.app_id_uri
	NeedsUser       bool     // mcp.needs_user
	AgentIdentityID string   // obo.agent_identity_id: the agent identity the agent should speak as
	BlueprintID     string   // obo.blueprint_client_id
	Now             time.Time
}

// AnalyzeFoundryAgent applies the rules of the agent hop to the Responses API's answer:
// foundry.consent-pending for a consent request still open.
func AnalyzeFoundryAgent(obs FoundryObservation) []Finding {
	var fs []Finding
	for _, link := range obs.ConsentLinks {
		server := anaOrNone(obs.ConsentLabel)
		fs = append(fs, NewFinding("foundry.consent-pending", "agent",
			fmt.Sprintf("the Responses API answered with an oauth_consent_request for the MCP tool %s: open %s, consent, then run again", server, link),
			map[string]string{"consent_link": link, "server_label": obs.ConsentLabel}))
	}
	return fs
}

// AnalyzeFoundryToolAuth applies the rules about the token Foundry obtained for the MCP tool,
// observed through its answer (the obo hop): obo.no-user-assertion when Foundry's runtime had no
// user token to exchange, agentid.wrong-agent-identity when the token speaks for another agent
// identity than the configured one.
func AnalyzeFoundryToolAuth(obs FoundryObservation, exp FoundryExpectations) []Finding {
	var fs []Finding
	for _, msg := range obs.errors() {
		if missingUserAssertion(msg) {
			fs = append(fs, NewFinding("obo.no-user-assertion", "obo",
				"Foundry reports its On-Behalf-Of request for the tool failed with no user assertion: "+anaFirstLine(msg),
				map[string]string{"source": "the Responses API's answer"}))
			break
		}
	}
	if f, ok := CheckAgentIdentity(obs.Token, exp.AgentIdentityID, exp.BlueprintID, "obo"); ok {
		fs = append(fs, f)
	}
	return fs
}

// AnalyzeFoundryMCP applies the rules of the mcp hop to Foundry's calls of the MCP server:
// foundry.tool-call-failed for each failed step, token.expired when the server's refusal says the
// token expired, and about the token the server reports receiving: mcp.aud-mismatch and
// foundry.agent-identity-not-user.
func AnalyzeFoundryMCP(obs FoundryObservation, exp FoundryExpectations) []Finding {
	var fs []Finding
	expired := false
	for _, c := range obs.Calls {
		if c.Error == "" || missingUserAssertion(c.Error) {
			// A call that failed for want of a user assertion never reached the server: the obo
			// hop reports why (obo.no-user-assertion).
			continue
		}
		status, details := ParseToolError(c.Error)
		what := "list the tools of " + anaOrNone(c.ServerLabel)
		if c.Item == "mcp_call" {
			what = "call " + anaOrNone(c.Tool) + " on " + anaOrNone(c.ServerLabel)
		}
		ev := map[string]string{"item": c.Item, "server_label": c.ServerLabel}
		detail := fmt.Sprintf("Foundry could not %s (%s): %s", what, c.Item, anaFirstLine(c.Error))
		if status != 0 {
			ev["status"] = strconv.Itoa(status)
			detail = fmt.Sprintf("Foundry could not %s (%s): the server answered %d", what, c.Item, status)
			if details != "" {
				detail += ": " + anaFirstLine(details)
			}
		}
		fs = anaAddOnce(fs, NewFinding("foundry.tool-call-failed", "mcp", detail, ev))
		if !expired && status == 401 && saysExpired(details) {
			expired = true
			fs = append(fs, NewFinding("token.expired", "mcp",
				fmt.Sprintf("the MCP server refused the token Foundry presented because it expired (it answered 401: %q)", anaFirstLine(details)),
				map[string]string{"claim": "exp", "status": "401"}))
		}
	}
	if obs.Error != "" && toolErrorText(obs.Error) && !missingUserAssertion(obs.Error) {
		fs = anaAddOnce(fs, NewFinding("foundry.tool-call-failed", "mcp",
			"the Responses API answered with an error about the agent's tool: "+anaFirstLine(obs.Error),
			map[string]string{"error": anaFirstLine(obs.Error)}))
	}
	if t := obs.Token; t != nil && len(exp.MCPAudiences) > 0 && !anaAudienceOK(t, exp.MCPAudiences) {
		fs = append(fs, NewFinding("mcp.aud-mismatch", "mcp",
			fmt.Sprintf("the token Foundry presented has aud %s; the MCP server is %s", anaAudList(t), strings.Join(anaNonEmpty(exp.MCPAudiences), " / ")),
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
	}
	if f, ok := CheckNeedsUser(obs.Token, exp.NeedsUser, 0, "", "mcp"); ok {
		fs = append(fs, f)
	}
	return fs
}

// CheckAgentIdentity raises agentid.wrong-agent-identity at hop when t is an agent identity's
// token for another agent identity (its client, azp or appid) or another blueprint
// (xms_par_app_azp) than the configured ones ("" checks nothing).
func CheckAgentIdentity(t *Token, agentIdentityID, blueprintID, hop string) (Finding, bool) {
	if t == nil || !t.IsAgent() || (agentIdentityID == "" && blueprintID == "") {
		return Finding{}, false
	}
	ev := map[string]string{"claim": "azp", "value": t.ClientAppID, "xms_par_app_azp": t.ParentAppID}
	switch {
	case agentIdentityID != "" && !strings.EqualFold(t.ClientAppID, agentIdentityID):
		ev["expected"] = agentIdentityID
		return NewFinding("agentid.wrong-agent-identity", hop,
			fmt.Sprintf("the token speaks for the agent identity %s (blueprint %s); the configured agent identity is %s",
				anaOrNone(t.ClientAppID), anaOrNone(t.ParentAppID), agentIdentityID), ev), true
	case blueprintID != "" && t.ParentAppID != "" && !strings.EqualFold(t.ParentAppID, blueprintID):
		ev["claim"], ev["value"], ev["expected"] = "xms_par_app_azp", t.ParentAppID, blueprintID
		return NewFinding("agentid.wrong-agent-identity", hop,
			fmt.Sprintf("the token's agent identity %s belongs to the blueprint %s; the configured blueprint is %s",
				anaOrNone(t.ClientAppID), t.ParentAppID, blueprintID), ev), true
	}
	return Finding{}, false
}

// CheckNeedsUser raises foundry.agent-identity-not-user at hop when t is app-only (an agent
// identity's or a managed identity's token) and the server needs the user: it is configured so
// (needsUser), or it refused the token asking for a scope (403 insufficient_scope).
func CheckNeedsUser(t *Token, needsUser bool, status int, challenge, hop string) (Finding, bool) {
	if t == nil || !anaAppOnly(t) {
		return Finding{}, false
	}
	c, _ := ParseBearerChallenge(challenge)
	refused := status == 403 && strings.EqualFold(c.Param("error"), "insufficient_scope")
	if !needsUser && !refused {
		return Finding{}, false
	}
	why := "the server is configured to need the user (mcp.needs_user)"
	if refused {
		why = "the server refused it with 403 insufficient_scope"
		if s := c.Param("scope"); s != "" {
			why += " (scope " + s + ")"
		}
	}
	kind := ClassifyCaller(t, true)
	return NewFinding("foundry.agent-identity-not-user", hop,
		fmt.Sprintf("the token is app-only (%s: %s, roles %s, no scp) and names no user; %s",
			kind, anaOrNone(t.ClientAppID), anaOrNone(strings.Join(t.Roles, " ")), why),
		map[string]string{"claim": "idtyp", "value": t.ClaimString("idtyp"), "caller": string(kind)}), true
}

// errors lists every error Foundry reported: the answer's own and each failed step's.
func (obs FoundryObservation) errors() []string {
	var out []string
	if obs.Error != "" {
		out = append(out, obs.Error)
	}
	for _, c := range obs.Calls {
		if c.Error != "" {
			out = append(out, c.Error)
		}
	}
	return out
}

// toolStatusRE finds the HTTP status Foundry quotes in a tool error ("Http status code: 401
// (Unauthorized)", "Http status: 424", "Status: 401").
var toolStatusRE = regexp.MustCompile(`(?i)(?:http status(?: code)?|status(?: code)?)\s*[:=]?\s*(\d{3})\b`)

// ParseToolError reads the HTTP status of the MCP server and the details Foundry quotes in a tool
// error ("Error retrieving tool list from MCP server: 'x'. Http status code: 401 (Unauthorized).
// Details: …"); status is 0 and details "" when the message names none.
func ParseToolError(msg string) (status int, details string) {
	if m := toolStatusRE.FindStringSubmatch(msg); m != nil {
		status, _ = strconv.Atoi(m[1])
	}
	if _, d, ok := strings.Cut(msg, "Details:"); ok {
		details = strings.TrimSpace(d)
	}
	return status, details
}

// saysExpired reports whether a server's refusal says the token expired.
func saysExpired(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "expired") || strings.Contains(l, "lifetime validation failed") || strings.Contains(l, "idx10223")
}

// toolErrorText reports whether an error of the Responses API is about the agent's tool (an MCP
// server Foundry could not list or call) rather than about the request.
func toolErrorText(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "mcp") || strings.Contains(l, "tool_user_error") || strings.Contains(l, "tool_server_error")
}

// NoTokenForTool reports whether a tool error says Foundry could not get a token for the tool at
// all (it then never reached the MCP server): a token request failed, with no HTTP status of the
// server quoted.
func NoTokenForTool(msg string) bool {
	status, _ := ParseToolError(msg)
	l := strings.ToLower(msg)
	return status == 0 && (strings.Contains(l, "access token") || missingUserAssertion(msg))
}

// missingUserAssertion reports whether an error says an On-Behalf-Of request had no user token to
// exchange: Foundry's runtime ("ARA OBO token request failed"), or Entra's AADSTS900144 about
// the assertion parameter.
func missingUserAssertion(s string) bool {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "ara obo token request failed"):
		return true
	case strings.Contains(l, "900144") && strings.Contains(l, "assertion"):
		return true
	case (strings.Contains(l, "obo") || strings.Contains(l, "on-behalf-of")) && strings.Contains(l, "no user"):
		return true
	}
	return false
}
