package inspect

import (
	"fmt"
	"strings"
)

// mcpRejectedRule raises mcp.rejected when the server answered 401 or 403 to the token and no
// other finding explains why, then names the cause where the server's answer shows it.
func mcpRejectedRule(c *mcpContext, fs []Finding) []Finding {
	obs := c.obs
	if (obs.Status != 401 && obs.Status != 403) || mcpRejectionExplained(c, fs) {
		return fs
	}
	detail := fmt.Sprintf("the MCP server answered %d to the exchanged token", obs.Status)
	if obs.TokenIsUserToken {
		detail = fmt.Sprintf("the MCP server answered %d to the token presented", obs.Status)
	}
	if obs.WWWAuthenticate != "" {
		detail += " with WWW-Authenticate: " + anaFirstLine(obs.WWWAuthenticate)
	}
	f := NewFinding("mcp.rejected", "mcp", detail, map[string]string{"status": fmt.Sprint(obs.Status)})
	mcpRejectionCause(c, &f)
	if obs.RefusedCall != "" {
		f.Detail += fmt.Sprintf(" (on %s: the session itself was accepted)", obs.RefusedCall)
	}
	return append(fs, f)
}

// mcpRejectionExplained reports whether the rejection is already explained: by a problem an
// earlier hop (or this one) reported about the token, by a finding of this hop about the token
// (mcp.insufficient-scope-status is about the status code, not the rejection's cause), or by the
// MCP transport itself answering.
func mcpRejectionExplained(c *mcpContext, fs []Finding) bool {
	if len(c.obs.KnownProblems) > 0 || c.exp.AudienceReported {
		return true
	}
	for _, f := range fs {
		switch f.ID {
		case "mcp.aud-mismatch", "mcp.token-passthrough", "mcp.prm-issuer-mismatch":
			return true
		}
	}
	// A 403 without a challenge whose body is a JSON-RPC error came from the MCP transport (a
	// Host or Origin check, a protocol error), after authorization let the token through.
	return c.obs.Status == 403 && c.obs.MCPError != "" && strings.TrimSpace(c.obs.WWWAuthenticate) == ""
}

// mcpRejectionCause completes the mcp.rejected finding f with the cause the server's answer and
// the token show, when one does.
func mcpRejectionCause(c *mcpContext, f *Finding) {
	obs, t := c.obs, c.token
	status401 := obs.Status == 401 && t != nil && len(c.missing) == 0
	switch {
	case c.serverAudWrong:
		mcpBlameOtherAudience(c, f)
	case status401 && c.audOK && anaChallengeSays(obs.WWWAuthenticate, "issued for this resource", "resource indicator"):
		mcpBlameResourceIndicator(c, f)
	case status401 && c.audOK && len(anaNonEmpty(c.exp.Audiences)) > 0 && anaChallengeBlamesAudience(obs.WWWAuthenticate):
		f.Detail += fmt.Sprintf("; yet the token's aud %s is the MCP server's own (v%s token): its validator expects another audience", anaAudList(t), valueOrDefault(t.Version, "?"))
		f.Fix = anaAudienceFix("the MCP server", t, c.exp.Audiences)
		f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
	case status401 && t.Issuer != "" && anaChallengeBlamesIssuer(obs.WWWAuthenticate):
		mcpBlameIssuer(c, f)
	case c.scopeRefusal && len(c.missing) == 0 && t != nil && anaQualifiedOnly(strings.Fields(c.challenge.Param("scope"))):
		mcpBlameQualifiedScope(c, f)
	case status401 && obs.TokenSignatureVerified && anaChallengeBlamesKeys(obs.WWWAuthenticate):
		// The server cannot check a signature oboscope checked against the issuer's keys.
		f.Detail += fmt.Sprintf("; oboscope verified this token's signature against its issuer's published keys (kid %s): the server checks it with other keys", anaOrNone(t.Kid()))
		f.Fix = anaKeysFix("the MCP server", t)
		f.Evidence["claim"], f.Evidence["value"] = "kid", t.Kid()
	case len(c.missing) > 0:
		mcpBlameMissingScope(c, f)
	}
}

// mcpBlameOtherAudience says that the server refused its own token as invalid but authenticated
// another API's: it validates aud against the other API.
func mcpBlameOtherAudience(c *mcpContext, f *Finding) {
	obs, t := c.obs, c.token
	other := anaAudList(obs.ForeignProbeToken)
	f.Detail = fmt.Sprintf("the MCP server answered 401 to a token for itself (aud %s) but authenticated the user's token for %s (answered %d): it validates aud against %s, not its own id",
		anaAudList(t), other, obs.ForeignProbeStatus, other)
	if obs.WWWAuthenticate != "" {
		f.Detail += " (WWW-Authenticate: " + anaFirstLine(obs.WWWAuthenticate) + ")"
	}
	f.Evidence = map[string]string{"status": "401", "claim": "aud", "value": strings.Join(t.Audiences, " "), "accepted_aud": strings.Join(obs.ForeignProbeToken.Audiences, " ")}
	f.Fix = fmt.Sprintf("Set the audience the MCP server's token validation expects to its own application (%s), not %s.",
		strings.Join(anaNonEmpty(c.exp.Audiences), " or "), other)
}

// mcpBlameResourceIndicator says that the server wants its own URL in aud, as the TypeScript SDK's
// expectedResource does, which Entra never issues.
func mcpBlameResourceIndicator(c *mcpContext, f *Finding) {
	t := c.token
	f.Detail += fmt.Sprintf("; the token's aud %s is the MCP server's own, but Entra never puts the server's URL (%s) in aud: it ignores RFC 8707 resource indicators and issues tokens for the app (client id in v2, App ID URI in v1)", anaAudList(t), c.obs.URL)
	f.Fix = fmt.Sprintf("Check aud against the MCP server's application (%s), not against its URL: with the TypeScript MCP SDK, drop expectedResource or have the verifier report resource = the server URL once aud matches the app.",
		strings.Join(anaNonEmpty(c.exp.Audiences), " or "))
	f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
}

// mcpBlameIssuer says that the server refused the issuer of a token Entra issued as it should.
func mcpBlameIssuer(c *mcpContext, f *Finding) {
	t := c.token
	f.Detail += fmt.Sprintf("; the token's iss is %s (a v%s token from Entra)", t.Issuer, valueOrDefault(t.Version, "?"))
	if c.obs.PRM != nil && anaContainsIssuer(c.obs.PRM.AuthorizationServers, t.Issuer, t.TenantID) {
		f.Detail += ", the issuer the server's own metadata lists"
	}
	f.Detail += ": its validator expects another issuer"
	f.Fix = anaIssuerFix("the MCP server", t)
	f.Evidence["claim"], f.Evidence["value"] = "iss", t.Issuer
}

// mcpBlameQualifiedScope says that the server asks for the full scope string of a permission the
// token carries: scp holds bare names, so the server compares the wrong form.
func mcpBlameQualifiedScope(c *mcpContext, f *Finding) {
	t := c.token
	asked := c.challenge.Param("scope")
	f.Detail = fmt.Sprintf("the MCP server answered 403 insufficient_scope asking for %s, which the token carries: its scp is %q, and Entra puts bare permission names in scp, never the App ID URI prefix",
		asked, strings.Join(t.Scopes, " "))
	f.Evidence = map[string]string{"status": "403", "claim": "scp", "value": strings.Join(t.Scopes, " "), "asked": asked}
	var bare []string
	for _, sc := range strings.Fields(asked) {
		bare = append(bare, ScopeName(sc))
	}
	f.Fix = fmt.Sprintf("Make the MCP server require %s (the names in scp), not %s; keep the full form only in the metadata's scopes_supported, for clients to request.",
		strings.Join(bare, " "), asked)
}

// mcpBlameMissingScope says what the server requires and the token lacks. A 403
// insufficient_scope says that is why; a 401 may have another reason too, so its own words are
// quoted.
func mcpBlameMissingScope(c *mcpContext, f *Finding) {
	obs, t, missing := c.obs, c.token, strings.Join(c.missing, ", ")
	if c.scopeRefusal {
		f.Detail = fmt.Sprintf("the MCP server answered 403 insufficient_scope: it requires %s (%s) and the token presented has scp %q",
			missing, c.requiredFrom, strings.Join(t.Scopes, " "))
	} else {
		said := fmt.Sprint(obs.Status)
		if e := c.challenge.Param("error"); e != "" {
			said += " " + e
		}
		if d := c.challenge.Param("error_description"); d != "" {
			said += fmt.Sprintf(" (%q)", anaFirstLine(d))
		}
		f.Detail = fmt.Sprintf("the MCP server answered %s; it requires %s (%s), which the token presented lacks (scp %q)",
			said, missing, c.requiredFrom, strings.Join(t.Scopes, " "))
	}
	if p := obs.PRM; p != nil && len(p.ScopesSupported) > 0 && !anaListsScopes(p.ScopesSupported, c.missing) {
		f.Detail += fmt.Sprintf("; its metadata's scopes_supported (%s) does not list %s", strings.Join(p.ScopesSupported, ", "), missing)
	}
	f.Evidence = map[string]string{"status": fmt.Sprint(obs.Status), "claim": "scp", "value": strings.Join(t.Scopes, " "), "missing": strings.Join(c.missing, " ")}
	f.Fix = fmt.Sprintf("Either the server requires the wrong scope (make it require what the token carries, %s), or the token needs %s: expose it on the MCP server's app registration, add it to obo.scopes (and to the agent's own On-Behalf-Of request), and grant consent.",
		anaOrNone(strings.Join(t.Scopes, " ")), missing)
}
