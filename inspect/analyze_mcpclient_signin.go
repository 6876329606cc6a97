package inspect

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the analyzers of the MCP-client chain's sign-in, MCP call and refresh: what a
// spec-following client sent to Entra and what Entra answered.

// MCPClientSigninObservation is what the sign-in of the MCP-client chain saw: the authorization
// request the client sent (scopes, resource) and the authorization server's answers.
type MCPClientSigninObservation struct {
	PRM *ResourceMetadata
	// Requested are the scopes the client asked for, and ScopesFrom where it took them ("its
	// challenge", "scopes_supported").
	Requested  []string
	ScopesFrom string
	Resource   string // the resource parameter the client sent ("" = none)
	// Spec is the answer to the client's authorization request as it sent it (nil: none was
	// sent); WithoutResource the answer to the same request without resource, sent when Spec
	// refused the resource.
	Spec, WithoutResource *ResourceProbe
	// Error is Entra's error that ended the sign-in (at the authorization or token endpoint), nil
	// when it worked or when only the resource was refused and the request without it worked.
	Error *EntraError
	Token *Token
	// KnownProblems are the IDs of findings earlier hops raised (mcp.challenge-scope-unqualified
	// explains a bare scope the client took from the challenge, and Entra's answers to it).
	KnownProblems []string
}

// AnalyzeMCPClientSignin applies the sign-in rules of the MCP-client chain: the resource
// parameter refused (mcp.prm-resource-scope-mismatch, confirmed by Entra's answer) and the
// signin.* findings Entra's errors name. A bare scope the client took from the server's challenge
// was reported at the probe hop: it explains Entra's refusals, and is not reported again.
func AnalyzeMCPClientSignin(obs MCPClientSigninObservation) []Finding {
	fromChallenge := obs.ScopesFrom == "its challenge" && slices.Contains(obs.KnownProblems, "mcp.challenge-scope-unqualified")
	fs := clientResourceRule(obs, fromChallenge, nil)
	more := AnalyzeSignin(SigninObservation{Flow: "authorization_code", RequestedScopes: obs.Requested, Error: obs.Error, Token: obs.Token})
	if fromChallenge {
		more = slices.DeleteFunc(more, func(f Finding) bool { return f.ID == "signin.scope-unqualified" })
	}
	return anaAddOnce(fs, more...)
}

// clientResourceRule raises mcp.prm-resource-scope-mismatch from Entra's answer to the client's
// authorization request: an error when Entra refused its resource parameter (AADSTS9010010 or
// 901002), with what the same request without resource got; a warning when the client sent no
// resource (send_resource off) and the metadata's resource is not the one its scopes are under.
func clientResourceRule(obs MCPClientSigninObservation, bareFromChallenge bool, fs []Finding) []Finding {
	scope := strings.Join(obs.Requested, " ")
	from := ""
	switch obs.ScopesFrom {
	case "its challenge":
		from = " (from the server's challenge)"
	case "":
	default:
		from = " (from " + obs.ScopesFrom + ")"
	}
	onlyOIDC := !slices.ContainsFunc(obs.Requested, func(s string) bool { return !IsOIDCScope(s) })
	switch {
	case obs.Spec.Refused() && onlyOIDC:
		// No resource scope was asked for (the metadata published none: mcp.prm-no-scopes), so
		// Entra took Microsoft Graph's, which no MCP server URL identifies.
		return fs
	case obs.Spec.Refused() && bareFromChallenge:
		// The challenge's bare scope, which Entra reads as Graph's, explains the refusal; the
		// metadata's own resource and scopes were not what the client sent.
		if p := obs.PRM; PRMNeedsResourceProbe(p) {
			f := NewFinding("mcp.prm-resource-scope-mismatch", "signin",
				fmt.Sprintf("the metadata's resource is %s but its scopes_supported are under %s: clients that send resource=%s with those scopes are refused unless it is also an identifierUri of the app owning them "+
					"(not confirmed: this client sent the challenge's bare scope, which alone explains Entra's refusal)", p.Resource, strings.Join(prmScopeOwners(p), ", "), p.Resource),
				map[string]string{"resource": p.Resource, "scopes_supported": strings.Join(p.ScopesSupported, " ")})
			f.Severity = SeverityWarning
			return append(fs, f)
		}
		return fs
	case obs.Spec.Refused():
		code := 9010010
		if len(obs.Spec.Codes) > 0 {
			code = obs.Spec.Codes[0]
		}
		detail := fmt.Sprintf("the client sent resource=%s with scope %q%s, as the MCP specification asks, and Entra refused it: %s AADSTS%d (%s)",
			obs.Resource, scope, from, anaOrNone(obs.Spec.Error), code, anaFirstLine(strings.TrimPrefix(obs.Spec.Description, fmt.Sprintf("AADSTS%d: ", code))))
		switch w := obs.WithoutResource; {
		case w == nil:
		case w.Code:
			detail += "; the same request without resource was accepted (an authorization code came back)"
		case w.Error != "":
			detail += fmt.Sprintf("; without resource Entra answered %s %s", w.Error, anaFirstLine(w.Description))
		}
		if p := obs.PRM; p != nil && p.Resource == obs.Resource && len(prmScopeOwners(p)) > 0 && !prmResourceOwnsScopes(p) {
			detail += fmt.Sprintf(" — the metadata's resource %s is not the identifier its scopes are written under (%s)", p.Resource, strings.Join(prmScopeOwners(p), ", "))
		}
		f := NewFinding("mcp.prm-resource-scope-mismatch", "signin", detail, map[string]string{"resource": obs.Resource, "scope": scope})
		f.AADSTS = code
		return append(fs, f)
	case obs.Resource == "" && PRMNeedsResourceProbe(obs.PRM):
		p := obs.PRM
		f := NewFinding("mcp.prm-resource-scope-mismatch", "signin",
			fmt.Sprintf("this client sends no resource parameter (mcp.client.send_resource: false), so Entra did not refuse it; but the metadata's resource is %s and its scopes are under %s: "+
				"clients that send resource=%s, as the MCP specification asks, are refused unless it is also an identifierUri of the app owning the scopes (not confirmed)",
				p.Resource, strings.Join(prmScopeOwners(p), ", "), p.Resource),
			map[string]string{"resource": p.Resource, "scopes_supported": strings.Join(p.ScopesSupported, " ")})
		f.Severity = SeverityWarning
		return append(fs, f)
	}
	return fs
}

// AnalyzeMCPCall applies the rules about the token a client presents to the MCP server it signed
// in to: its audience, what the server answered (mcp.rejected, mcp.accepts-foreign-token,
// mcp.insufficient-scope-status) and — when the server refused it — whether its issuer is among
// the metadata's authorization servers. The token is the user's own and meant for the server (no
// exchange happens in this chain), so passthrough does not apply.
func AnalyzeMCPCall(obs MCPObservation, exp MCPExpectations) []Finding {
	obs.TokenIsUserToken = true
	c := newMCPContext(obs, exp)
	accepted := obs.SessionOK && obs.Status >= 200 && obs.Status < 300
	rules := []func(*mcpContext, []Finding) []Finding{mcpAudienceRule}
	if !accepted {
		// A server that takes the token validates its issuer as it is: a metadata naming another
		// issuer (a façade adding what Entra's metadata lacks) breaks nothing then.
		rules = append(rules, mcpPRMIssuerRule)
	}
	var fs []Finding
	for _, rule := range append(rules, mcpForeignTokenRule, mcpScopeStatusRule, mcpRejectedRule) {
		fs = rule(c, fs)
	}
	return fs
}

// RefreshObservation is what the refresh hop saw: the refresh_token request the client sent (the
// scope and resource parameters it carried) and Entra's answer.
type RefreshObservation struct {
	Sent     bool   // a refresh request was sent
	Scope    string // the scope parameter sent, "" when none
	Resource string // the resource parameter sent, "" when none
	Error    *EntraError
	// Before is the token refreshed and After the token the refresh gave (nil when none).
	Before, After *Token
}

// refreshCodes maps Entra codes of a failed refresh to findings, once the missing scope or the v1
// resource parameter does not explain them.
func refreshCodes() codeFindings {
	return codeFindings{
		7000218: "signin.public-client-disabled",
		700016:  "signin.app-not-found",
		53003:   "signin.conditional-access",
		50076:   "signin.conditional-access",
		50079:   "signin.conditional-access",
		65001:   "signin.consent-required",
		650053:  "signin.scope-unqualified",
		9010010: "mcp.prm-resource-scope-mismatch",
		901002:  "mcp.prm-resource-scope-mismatch",
	}
}

// AnalyzeRefresh applies the refresh rules: signin.refresh-scope-dropped when the request carried
// no scope and Entra refused it or answered with a token for something else,
// signin.refresh-resource-v1 when it named the resource with the v1 parameter and Entra refused
// it, and the findings Entra's other refusals name.
func AnalyzeRefresh(obs RefreshObservation) []Finding {
	if !obs.Sent {
		return nil
	}
	answer := ""
	code := 0
	if e := obs.Error; e != nil {
		if len(e.Codes) > 0 {
			code = e.Codes[0]
		}
		answer = fmt.Sprintf("Entra answered %s", anaOrNone(e.Err))
		if code != 0 {
			answer += fmt.Sprintf(" AADSTS%d (%s)", code, anaFirstLine(strings.TrimPrefix(e.Description, fmt.Sprintf("AADSTS%d: ", code))))
		}
	} else if changed := refreshChanged(obs.Before, obs.After); changed != "" {
		answer = "the token it gave " + changed
	}
	switch {
	case obs.Scope == "" && obs.Resource == "" && answer != "":
		f := NewFinding("signin.refresh-scope-dropped", "refresh",
			"the refresh request (grant_type=refresh_token) carried no scope; "+answer, map[string]string{"grant_type": "refresh_token", "scope": "(none)"})
		if code != 0 {
			f.AADSTS = code
		}
		return []Finding{f}
	case obs.Scope == "" && obs.Resource != "" && obs.Error != nil:
		f := NewFinding("signin.refresh-resource-v1", "refresh",
			fmt.Sprintf("the refresh request named the resource with resource=%s and carried no scope; %s", obs.Resource, answer), map[string]string{"resource": obs.Resource})
		if code != 0 {
			f.AADSTS = code
		}
		return []Finding{f}
	}
	return anaFromEntraError(obs.Error, "refresh", refreshCodes(), "Entra's token endpoint (refresh)")
}

// refreshChanged says how the refreshed token differs in what it is for ("is for Microsoft Graph,
// not …", "lacks tools.call"), "" when it is for the same audience with the same scopes.
func refreshChanged(before, after *Token) string {
	if before == nil || after == nil {
		return ""
	}
	if !slices.EqualFunc(before.Audiences, after.Audiences, strings.EqualFold) {
		return fmt.Sprintf("is for %s, not %s as before", anaAudList(after), anaAudList(before))
	}
	var lost []string
	for _, s := range before.Scopes {
		if !containsFoldString(after.Scopes, s) {
			lost = append(lost, s)
		}
	}
	if len(lost) > 0 {
		return "lacks " + strings.Join(lost, ", ") + ", which the token before had"
	}
	return ""
}
