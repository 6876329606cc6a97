package inspect

import (
	"fmt"
	"strings"
	"time"
)

// TapObservation is one request the tap forwarded to the server behind it, and the answer.
type TapObservation struct {
	// As is the server behind the tap: "agent" (an agent API) or "mcp" (an MCP server).
	As string
	// Token is the request's bearer token decoded without its signature (nil when there is none,
	// or it is no JWT); Credential says whether the request carried any credential at all.
	Token      *Token
	Credential bool
	// Status and WWWAuthenticate are the server's answer (Status 0: it never answered).
	Status          int
	WWWAuthenticate string
}

// TapExpectations are what the server behind the tap expects, from the configuration (empty
// fields are not checked: without a configuration the tap lints only the token itself).
type TapExpectations struct {
	Audiences       []string // the server's client id and App ID URI
	Scopes          []string // scopes (or app roles) every token must carry
	TenantID        string
	NeedsUser       bool   // mcp.needs_user
	AgentIdentityID string // obo.agent_identity_id
	BlueprintID     string // obo.blueprint_client_id
	Now             time.Time
}

// AnalyzeTap applies the rules that fit one request the tap saw, at the hop of the server behind
// it (agent or mcp): the token's own problems (expired, not yet valid …), then what the server
// expects of it and what the server answered.
func AnalyzeTap(obs TapObservation, exp TapExpectations) []Finding {
	hop := "mcp"
	if obs.As == "agent" {
		hop = "agent"
	}
	t := obs.Token
	var fs []Finding
	if t != nil {
		fs = LintToken(t, hop, Expectations{Now: exp.Now, Reported: t.SignatureRemoved})
	}
	if hop == "agent" {
		known := ExplainingIDs(fs)
		return append(fs, AnalyzeAgent(AgentObservation{Token: t, Status: obs.Status, WWWAuthenticate: obs.WWWAuthenticate, KnownProblems: known},
			AgentExpectations{Audiences: exp.Audiences, RequiredScopes: exp.Scopes, TenantID: exp.TenantID})...)
	}
	return tapMCP(fs, obs, exp)
}

// tapMCP applies the mcp rules that fit a single request to an MCP server.
func tapMCP(fs []Finding, obs TapObservation, exp TapExpectations) []Finding {
	t := obs.Token
	ok2xx := obs.Status >= 200 && obs.Status < 300
	if t != nil && len(exp.Audiences) > 0 && !anaAudienceOK(t, exp.Audiences) {
		fs = append(fs, NewFinding("mcp.aud-mismatch", "mcp",
			fmt.Sprintf("the token has aud %s; the MCP server is %s", anaAudList(t), strings.Join(anaNonEmpty(exp.Audiences), " / ")),
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " "), "expected": strings.Join(exp.Audiences, " ")}))
		if ok2xx {
			fs = append(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
				fmt.Sprintf("the MCP server answered %d to a token whose aud is %s, not its own", obs.Status, anaAudList(t)),
				map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " "), "status": fmt.Sprint(obs.Status)}))
		}
	} else if t != nil && anaAudienceOK(t, exp.Audiences) {
		for _, want := range lackedScopes(t, exp.Scopes) {
			fs = append(fs, NewFinding("token.missing-scope", "mcp",
				fmt.Sprintf("%s is in neither scp nor roles (the token has: %s)", want, anaOrNone(strings.Join(append(append([]string(nil), t.Scopes...), t.Roles...), " "))),
				map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " "), "roles": strings.Join(t.Roles, " "), "expected": want}))
		}
	}
	if f, ok := CheckNeedsUser(t, exp.NeedsUser, obs.Status, obs.WWWAuthenticate, "mcp"); ok {
		fs = append(fs, f)
	}
	if f, ok := CheckAgentIdentity(t, exp.AgentIdentityID, exp.BlueprintID, "mcp"); ok {
		fs = append(fs, f)
	}
	if obs.Status == 401 {
		if _, has := ParseBearerChallenge(obs.WWWAuthenticate); !has {
			fs = append(fs, NewFinding("mcp.no-www-authenticate", "mcp",
				"the MCP server answered 401 without a Bearer challenge: clients cannot find its metadata",
				map[string]string{"status": "401", "www_authenticate": anaFirstLine(obs.WWWAuthenticate)}))
		}
	}
	explained := len(ExplainingIDs(fs)) > 0 || hasID(fs, "mcp.aud-mismatch") || hasID(fs, "foundry.agent-identity-not-user")
	if (obs.Status == 401 || obs.Status == 403) && obs.Credential && !explained {
		detail := fmt.Sprintf("the MCP server answered %d to the credential presented", obs.Status)
		if obs.WWWAuthenticate != "" {
			detail += " with WWW-Authenticate: " + anaFirstLine(obs.WWWAuthenticate)
		}
		fs = append(fs, NewFinding("mcp.rejected", "mcp", detail, map[string]string{"status": fmt.Sprint(obs.Status)}))
	}
	return fs
}

// hasID reports whether fs holds a finding id.
func hasID(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}
