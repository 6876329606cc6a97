package inspect

import (
	"fmt"
	"strings"
)

// ResourceMetadata is the part of RFC 9728 Protected Resource Metadata the mcp rules read.
type ResourceMetadata struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
	ScopesSupported      []string `json:"scopes_supported"`
}

// MCPObservation is what the mcp hop saw.
type MCPObservation struct {
	URL string // the MCP server URL oboscope used

	// The unauthenticated probe: status and WWW-Authenticate of the answer (0: no answer).
	ProbeStatus          int
	ProbeWWWAuthenticate string
	// ProbeMCPAnswer is set when the unauthenticated probe got a JSON-RPC result: the server
	// requires no token at all.
	ProbeMCPAnswer bool
	// PRM is the Protected Resource Metadata found (nil: none at the challenge URL nor the
	// well-known paths) and PRMURL the URL it came from; PRMTried lists the URLs tried in order,
	// each with what it answered ("https://…/.well-known/oauth-protected-resource/mcp (404)").
	PRM      *ResourceMetadata
	PRMURL   string
	PRMTried []string

	Token            *Token // the token presented with the MCP requests
	TokenIsUserToken bool   // it is the very token the user signed in with (no exchange happened)
	// TokenSignatureVerified is set when oboscope verified the token's signature against its
	// issuer's published keys.
	TokenSignatureVerified bool
	// Status and WWWAuthenticate of the first authenticated MCP request (initialize), or of the
	// tool call when the server accepted the session but refused the call (RefusedCall names it).
	Status          int
	WWWAuthenticate string
	RefusedCall     string // "tools/call whoami" when the refusal came at the tool call
	// SessionOK is set when the MCP session with the token initialized (a real MCP answer).
	SessionOK bool
	// MCPError is the JSON-RPC error message the refused session's answer carried ("" when its
	// body was no JSON-RPC error): the MCP layer itself answered, past any authorization.
	MCPError string

	// The passthrough probe: the user token (another audience) presented to the server.
	ForeignProbeSent   bool
	ForeignProbeToken  *Token
	ForeignProbeStatus int
	// ForeignProbeMCPAnswer is set when the passthrough probe got a JSON-RPC result.
	ForeignProbeMCPAnswer bool

	// KnownProblems are the IDs of findings already raised about the presented token (at this
	// hop or earlier: obo.downstream-aud, token.version-mismatch …): they explain a rejection.
	KnownProblems []string
}

// MCPExpectations come from the configuration (and what earlier hops already reported).
type MCPExpectations struct {
	Audiences []string // mcp.client_id and mcp.app_id_uri
	// RequiredScopes are the scopes the server needs; the probe's challenge `scope` wins when present.
	RequiredScopes []string
	// AudienceReported is set when the obo hop already reported the exchanged token's audience
	// (obo.downstream-aud): a problem is reported once.
	AudienceReported bool
}

// AnalyzeMCP applies the mcp.* rules (all but mcp.downstream-passthrough) to what the mcp hop observed.
func AnalyzeMCP(obs MCPObservation, exp MCPExpectations) []Finding {
	var fs []Finding
	probeChallenge, hasChallenge := ParseBearerChallenge(obs.ProbeWWWAuthenticate)
	if obs.ProbeStatus == 401 && (!hasChallenge || probeChallenge.Param("resource_metadata") == "") {
		detail := "the unauthenticated request was answered 401 without a WWW-Authenticate header"
		if obs.ProbeWWWAuthenticate != "" {
			detail = "the unauthenticated request was answered 401 with WWW-Authenticate: " + anaFirstLine(obs.ProbeWWWAuthenticate) + " — no Bearer resource_metadata"
		}
		f := NewFinding("mcp.no-www-authenticate", "mcp", detail, map[string]string{"status": "401"})
		if hasChallenge && obs.PRM != nil && obs.PRMURL != "" {
			// MCP 2025-11-25 (SEP-985) lets a server rely on the well-known URLs, which clients
			// must try when the challenge names none: only clients of 2025-06-18 are stuck.
			f.Severity = SeverityWarning
			f.Detail += fmt.Sprintf("; the metadata is at %s, where clients of MCP 2025-11-25 look when the challenge names none, but clients of 2025-06-18 rely on the challenge", obs.PRMURL)
		}
		fs = append(fs, f)
	}
	// A server that answers an unauthenticated initialize with an MCP result requires no token;
	// one that answers 403 sends no challenge a client could follow.
	openServer := obs.ProbeStatus >= 200 && obs.ProbeStatus < 300 && obs.ProbeMCPAnswer
	switch {
	case openServer:
		fs = append(fs, NewFinding("mcp.no-www-authenticate", "mcp",
			fmt.Sprintf("the unauthenticated request was answered %d with an MCP result: the server requires no token at all", obs.ProbeStatus),
			map[string]string{"status": fmt.Sprint(obs.ProbeStatus)}))
	case obs.ProbeStatus == 403 && !hasChallenge:
		fs = append(fs, NewFinding("mcp.no-www-authenticate", "mcp",
			"the unauthenticated request was answered 403 without a WWW-Authenticate header (expected 401 with a Bearer challenge)",
			map[string]string{"status": "403"}))
	}
	// Only a server that refuses a request without a token shows, by taking a token for another
	// audience, that it does not check aud; the foreign token must get a real MCP answer.
	refusesAnonymous := obs.ProbeStatus == 401
	if obs.PRM == nil && obs.ProbeStatus != 0 {
		fs = append(fs, NewFinding("mcp.no-resource-metadata", "mcp",
			"no Protected Resource Metadata at "+anaOrNone(strings.Join(obs.PRMTried, ", ")), nil))
	}
	if p := obs.PRM; p != nil {
		if p.Resource != obs.URL {
			f := NewFinding("mcp.prm-resource-mismatch", "mcp",
				fmt.Sprintf("the metadata's resource is %q but the server URL used is %q", p.Resource, obs.URL),
				map[string]string{"resource": p.Resource, "url": obs.URL})
			if chURL := probeChallenge.Param("resource_metadata"); chURL != "" && obs.PRMURL != "" && chURL != obs.PRMURL {
				// The URL the challenge names served nothing: the metadata came from a fallback.
				f.Detail += fmt.Sprintf(" (found at %s; the challenge's resource_metadata %s serves none)", obs.PRMURL, chURL)
			}
			if anaSameRoot(p.Resource, obs.URL) {
				// "https://host" and "https://host/" are one URL (RFC 3986 §6.2.3); the TypeScript
				// SDK always writes the second. Only clients comparing strings refuse it.
				f.Severity = SeverityWarning
				f.Detail += " — the same URL (an empty path is \"/\"), but MCP clients that compare the strings (the go-sdk does) refuse the metadata"
				f.Fix = fmt.Sprintf("Configure clients (and mcp.url) with %s, the form the metadata names, or make the metadata's resource %s.", p.Resource, obs.URL)
			} else if obs.ProbeStatus == 404 {
				// Nothing answers at the configured URL while the metadata names another: the
				// configured URL is what is wrong, not the server's metadata.
				f.Detail = fmt.Sprintf("the configured URL %q answered 404 (no MCP endpoint there), and the server's metadata names its resource %q", obs.URL, p.Resource)
				f.Fix = fmt.Sprintf("Set mcp.url to %s, the resource the server's metadata names.", p.Resource)
			}
			fs = append(fs, f)
		}
		if t := obs.Token; t != nil && t.Issuer != "" && !anaContainsIssuer(p.AuthorizationServers, t.Issuer) {
			f := NewFinding("mcp.prm-issuer-mismatch", "mcp",
				fmt.Sprintf("the token's issuer %s is not among the metadata's authorization_servers %s", t.Issuer, strings.Join(p.AuthorizationServers, ", ")),
				map[string]string{"claim": "iss", "value": t.Issuer})
			if t.Version == "2.0" {
				// The token is already v2: only the metadata is wrong (often the authority
				// without its /v2.0 suffix, whose metadata names the v1 issuer).
				f.Fix = fmt.Sprintf("List the token's issuer %s in authorization_servers — Entra's v2.0 issuer, /v2.0 suffix included.", t.Issuer)
			}
			fs = append(fs, f)
		}
		var bare []string
		for _, s := range p.ScopesSupported {
			if ScopeResource(s) == "" && !IsOIDCScope(s) {
				bare = append(bare, s)
			}
		}
		if len(bare) > 0 {
			fs = append(fs, NewFinding("mcp.prm-unqualified-scopes", "mcp",
				"scopes_supported lists scopes without their resource: "+strings.Join(bare, ", "), map[string]string{"scopes_supported": strings.Join(p.ScopesSupported, " ")}))
		}
	}
	t := obs.Token
	audOK := t == nil || anaAudienceOK(t, exp.Audiences)
	if t != nil && !audOK && !exp.AudienceReported {
		fs = append(fs, NewFinding("mcp.aud-mismatch", "mcp",
			fmt.Sprintf("the token sent to the MCP server has aud %s; the server is %s", anaAudList(t), strings.Join(anaNonEmpty(exp.Audiences), " / ")),
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
	}
	if obs.TokenIsUserToken {
		fs = append(fs, NewFinding("mcp.token-passthrough", "mcp",
			"the token sent to the MCP server is the user's own token, passed through without an exchange", nil))
	}
	if t != nil && !audOK && refusesAnonymous && obs.SessionOK && obs.Status >= 200 && obs.Status < 300 {
		fs = append(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered %d to a token whose aud is %s", obs.Status, anaAudList(t)), map[string]string{"status": fmt.Sprint(obs.Status)}))
	}
	// As with the passthrough probe below: a 403 says the token was authenticated and only lacked
	// a permission.
	if t != nil && !audOK && refusesAnonymous && obs.Status == 403 {
		fs = append(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered 403 to a token whose aud is %s: it authenticated it and only lacked a permission (a server that validates aud answers 401 invalid_token)", anaAudList(t)),
			map[string]string{"status": "403", "aud": strings.Join(t.Audiences, " ")}))
	}
	// 401 means "not authenticated"; a 2xx, or a 403 (authenticated but short of a permission,
	// RFC 6750 insufficient_scope), means the server took the foreign token as one of its own.
	if fp := obs.ForeignProbeStatus; obs.ForeignProbeSent && refusesAnonymous && ((fp >= 200 && fp < 300 && obs.ForeignProbeMCPAnswer) || fp == 403) {
		how := "accepted it"
		if fp == 403 {
			how = "authenticated it and only lacked a permission (a server that validates aud answers 401 invalid_token)"
		}
		fs = anaAddOnce(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered %d to the user's token, whose aud is %s: it %s", fp, anaAudList(obs.ForeignProbeToken), how),
			map[string]string{"status": fmt.Sprint(obs.ForeignProbeStatus), "aud": strings.Join(anaTokenAuds(obs.ForeignProbeToken), " ")}))
	}
	// A 401 to a token for the server itself while the user's token for another API was
	// authenticated (403, or a real MCP answer): the server validates aud against that other API.
	fp := obs.ForeignProbeStatus
	serverAudWrong := obs.Status == 401 && t != nil && audOK && len(exp.Audiences) > 0 && obs.ForeignProbeSent && refusesAnonymous &&
		obs.ForeignProbeToken != nil && obs.ForeignProbeToken.Issuer == t.Issuer && !anaAudienceOK(obs.ForeignProbeToken, exp.Audiences) &&
		(fp == 403 || (fp >= 200 && fp < 300 && obs.ForeignProbeMCPAnswer))
	// The scopes the server requires (its challenge's scope, else the configured ones) that the
	// presented token lacks.
	var missing []string
	requiredFrom := "the configured obo.scopes"
	c, _ := ParseBearerChallenge(obs.WWWAuthenticate)
	scopeRefusal := obs.Status == 403 && strings.EqualFold(c.Param("error"), "insufficient_scope")
	if t != nil && audOK && obs.Status != 0 {
		required := exp.RequiredScopes
		switch {
		case c.Param("scope") != "":
			required, requiredFrom = strings.Fields(c.Param("scope")), "its challenge"
		case hasChallenge && probeChallenge.Param("scope") != "":
			required, requiredFrom = strings.Fields(probeChallenge.Param("scope")), "its challenge"
		}
		for _, s := range required {
			if !IsOIDCScope(s) && ScopeName(s) != ".default" && !anaHasScope(t, s) {
				missing = append(missing, ScopeName(s))
			}
		}
		// A 401 the audience explains says nothing of how the server answers a missing scope.
		if len(missing) > 0 && !scopeRefusal && !serverAudWrong {
			fs = append(fs, NewFinding("mcp.insufficient-scope-status", "mcp",
				fmt.Sprintf("the token lacks %s and the server answered %d (not 403 insufficient_scope)", strings.Join(missing, ", "), obs.Status),
				map[string]string{"status": fmt.Sprint(obs.Status)}))
		}
	}
	explained := len(obs.KnownProblems) > 0 || exp.AudienceReported
	for _, f := range fs {
		switch f.ID {
		// mcp.insufficient-scope-status is about the status code, not the rejection's cause.
		case "mcp.aud-mismatch", "mcp.token-passthrough", "mcp.prm-issuer-mismatch":
			explained = true
		}
	}
	// A 403 without a challenge whose body is a JSON-RPC error came from the MCP transport (a
	// Host or Origin check, a protocol error), after authorization let the token through.
	if obs.Status == 403 && obs.MCPError != "" && strings.TrimSpace(obs.WWWAuthenticate) == "" {
		explained = true
	}
	if (obs.Status == 401 || obs.Status == 403) && !explained {
		detail := fmt.Sprintf("the MCP server answered %d to the exchanged token", obs.Status)
		if obs.TokenIsUserToken {
			detail = fmt.Sprintf("the MCP server answered %d to the token presented", obs.Status)
		}
		if obs.WWWAuthenticate != "" {
			detail += " with WWW-Authenticate: " + anaFirstLine(obs.WWWAuthenticate)
		}
		f := NewFinding("mcp.rejected", "mcp", detail, map[string]string{"status": fmt.Sprint(obs.Status)})
		switch {
		case serverAudWrong:
			// Its own token refused as invalid, another API's token authenticated: the server
			// validates aud against the other API.
			other := anaAudList(obs.ForeignProbeToken)
			f.Detail = fmt.Sprintf("the MCP server answered 401 to a token for itself (aud %s) but authenticated the user's token for %s (answered %d): it validates aud against %s, not its own id",
				anaAudList(t), other, fp, other)
			if obs.WWWAuthenticate != "" {
				f.Detail += " (WWW-Authenticate: " + anaFirstLine(obs.WWWAuthenticate) + ")"
			}
			f.Evidence = map[string]string{"status": "401", "claim": "aud", "value": strings.Join(t.Audiences, " "), "accepted_aud": strings.Join(obs.ForeignProbeToken.Audiences, " ")}
			f.Fix = fmt.Sprintf("Set the audience the MCP server's token validation expects to its own application (%s), not %s.",
				strings.Join(anaNonEmpty(exp.Audiences), " or "), other)
		case obs.Status == 401 && t != nil && audOK && len(missing) == 0 && anaChallengeSays(obs.WWWAuthenticate, "issued for this resource", "resource indicator"):
			// The TS SDK's expectedResource: the token's resource must be the server's URL.
			f.Detail += fmt.Sprintf("; the token's aud %s is the MCP server's own, but Entra never puts the server's URL (%s) in aud: it ignores RFC 8707 resource indicators and issues tokens for the app (client id in v2, App ID URI in v1)", anaAudList(t), obs.URL)
			f.Fix = fmt.Sprintf("Check aud against the MCP server's application (%s), not against its URL: with the TypeScript MCP SDK, drop expectedResource or have the verifier report resource = the server URL once aud matches the app.",
				strings.Join(anaNonEmpty(exp.Audiences), " or "))
			f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
		case obs.Status == 401 && t != nil && audOK && len(anaNonEmpty(exp.Audiences)) > 0 && len(missing) == 0 && anaChallengeBlamesAudience(obs.WWWAuthenticate):
			f.Detail += fmt.Sprintf("; yet the token's aud %s is the MCP server's own (v%s token): its validator expects another audience", anaAudList(t), valueOrDefault(t.Version, "?"))
			f.Fix = anaAudienceFix("the MCP server", t, exp.Audiences)
			f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
		case obs.Status == 401 && t != nil && t.Issuer != "" && len(missing) == 0 && anaChallengeBlamesIssuer(obs.WWWAuthenticate):
			f.Detail += fmt.Sprintf("; the token's iss is %s (a v%s token from Entra)", t.Issuer, valueOrDefault(t.Version, "?"))
			if obs.PRM != nil && anaContainsIssuer(obs.PRM.AuthorizationServers, t.Issuer) {
				f.Detail += ", the issuer the server's own metadata lists"
			}
			f.Detail += ": its validator expects another issuer"
			f.Fix = anaIssuerFix("the MCP server", t)
			f.Evidence["claim"], f.Evidence["value"] = "iss", t.Issuer
		case scopeRefusal && len(missing) == 0 && t != nil && anaQualifiedOnly(strings.Fields(c.Param("scope"))):
			// It asks for the full scope string, and the token carries that permission: scp holds
			// bare names, so the server compares the wrong form.
			asked := c.Param("scope")
			f.Detail = fmt.Sprintf("the MCP server answered 403 insufficient_scope asking for %s, which the token carries: its scp is %q, and Entra puts bare permission names in scp, never the App ID URI prefix",
				asked, strings.Join(t.Scopes, " "))
			f.Evidence = map[string]string{"status": "403", "claim": "scp", "value": strings.Join(t.Scopes, " "), "asked": asked}
			var bare []string
			for _, sc := range strings.Fields(asked) {
				bare = append(bare, ScopeName(sc))
			}
			f.Fix = fmt.Sprintf("Make the MCP server require %s (the names in scp), not %s; keep the full form only in the metadata's scopes_supported, for clients to request.",
				strings.Join(bare, " "), asked)
		case obs.Status == 401 && t != nil && obs.TokenSignatureVerified && len(missing) == 0 && anaChallengeBlamesKeys(obs.WWWAuthenticate):
			// The server cannot check a signature oboscope checked against the issuer's keys.
			f.Detail += fmt.Sprintf("; oboscope verified this token's signature against its issuer's published keys (kid %s): the server checks it with other keys", anaOrNone(t.Kid()))
			f.Fix = anaKeysFix("the MCP server", t)
			f.Evidence["claim"], f.Evidence["value"] = "kid", t.Kid()
		case len(missing) > 0:
			// The server says what it wants, and the token indeed lacks it. A 403
			// insufficient_scope says that is why; a 401 may have another reason too, so its
			// own words are quoted.
			if scopeRefusal {
				f.Detail = fmt.Sprintf("the MCP server answered 403 insufficient_scope: it requires %s (%s) and the token presented has scp %q",
					strings.Join(missing, ", "), requiredFrom, strings.Join(t.Scopes, " "))
			} else {
				said := fmt.Sprint(obs.Status)
				if e := c.Param("error"); e != "" {
					said += " " + e
				}
				if d := c.Param("error_description"); d != "" {
					said += fmt.Sprintf(" (%q)", anaFirstLine(d))
				}
				f.Detail = fmt.Sprintf("the MCP server answered %s; it requires %s (%s), which the token presented lacks (scp %q)",
					said, strings.Join(missing, ", "), requiredFrom, strings.Join(t.Scopes, " "))
			}
			if p := obs.PRM; p != nil && len(p.ScopesSupported) > 0 && !anaListsScopes(p.ScopesSupported, missing) {
				f.Detail += fmt.Sprintf("; its metadata's scopes_supported (%s) does not list %s", strings.Join(p.ScopesSupported, ", "), strings.Join(missing, ", "))
			}
			f.Evidence = map[string]string{"status": fmt.Sprint(obs.Status), "claim": "scp", "value": strings.Join(t.Scopes, " "), "missing": strings.Join(missing, " ")}
			f.Fix = fmt.Sprintf("Either the server requires the wrong scope (make it require what the token carries, %s), or the token needs %s: expose it on the MCP server's app registration, add it to obo.scopes (and to the agent's own On-Behalf-Of request), and grant consent.",
				anaOrNone(strings.Join(t.Scopes, " ")), strings.Join(missing, ", "))
		}
		if obs.RefusedCall != "" {
			f.Detail += fmt.Sprintf(" (on %s: the session itself was accepted)", obs.RefusedCall)
		}
		fs = append(fs, f)
	}
	return fs
}

// anaSameRoot reports whether a and b differ only in that one has an empty path and the other
// the path "/" (same scheme, host and port, no query).
func anaSameRoot(a, b string) bool {
	if a == b {
		return false
	}
	trim := func(s string) string { return strings.TrimSuffix(s, "/") }
	if trim(a) != trim(b) || strings.ContainsAny(a+b, "?#") {
		return false
	}
	rest := trim(a)
	i := strings.Index(rest, "://")
	return i > 0 && !strings.Contains(rest[i+3:], "/")
}

// anaQualifiedOnly reports whether scopes is non-empty and every one carries its resource prefix
// (api://…/name, https://…/name).
func anaQualifiedOnly(scopes []string) bool {
	for _, s := range scopes {
		if ScopeResource(s) == "" {
			return false
		}
	}
	return len(scopes) > 0
}

// anaListsScopes reports whether every scope name in names is among list (bare or fully qualified).
func anaListsScopes(list, names []string) bool {
	for _, n := range names {
		found := false
		for _, s := range list {
			if strings.EqualFold(ScopeName(s), ScopeName(n)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func anaTokenAuds(t *Token) []string {
	if t == nil {
		return nil
	}
	return t.Audiences
}

func anaContainsIssuer(list []string, iss string) bool {
	for _, s := range list {
		if strings.TrimSuffix(s, "/") == strings.TrimSuffix(iss, "/") {
			return true
		}
	}
	return false
}
