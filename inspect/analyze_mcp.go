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
	// ResourceProbe is the authorization server's answer to a spec client's authorization
	// request with resource=<PRM resource> (nil: none was sent, PRMNeedsResourceProbe says when).
	ResourceProbe *ResourceProbe

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

// AnalyzeMCP applies the mcp.* rules (all but mcp.downstream-passthrough) to what the mcp hop
// observed. Each rule reads the context computed once from the observation and appends its
// findings; the order of the rules is the order of the findings.
func AnalyzeMCP(obs MCPObservation, exp MCPExpectations) []Finding {
	c := newMCPContext(obs, exp)
	var fs []Finding
	for _, rule := range []func(*mcpContext, []Finding) []Finding{
		mcpChallengeRule,
		mcpNoMetadataRule,
		mcpPRMResourceRule,
		mcpPRMIssuerRule,
		mcpPRMScopesRule,
		mcpPRMResourceScopeRule,
		mcpPRMNoScopesRule,
		mcpAudienceRule,
		mcpPassthroughRule,
		mcpForeignTokenRule,
		mcpScopeStatusRule,
		mcpRejectedRule,
	} {
		fs = rule(c, fs)
	}
	return fs
}

// mcpContext is what the mcp rules share, computed once from the observation and the
// expectations.
type mcpContext struct {
	obs MCPObservation
	exp MCPExpectations

	// probe is the Bearer challenge of the unauthenticated probe's answer (hasProbe: there is one);
	// challenge is the Bearer challenge of the answer to the presented token.
	probe     Challenge
	hasProbe  bool
	challenge Challenge

	token *Token // the token presented, nil when none
	// audOK is set when there is no token or its audience is the MCP server's.
	audOK bool
	// refusesAnonymous is set when the server answered the unauthenticated probe 401: only such a
	// server shows, by taking a token for another audience, that it does not check aud.
	refusesAnonymous bool
	// scopeRefusal is set when the server answered the token 403 insufficient_scope.
	scopeRefusal bool
	// serverAudWrong is set when the server answered 401 to a token for itself while it
	// authenticated the user's token for another API: it validates aud against that other API.
	serverAudWrong bool
	// missing are the scopes the server requires (its challenge's scope, else the configured ones)
	// that the presented token lacks; requiredFrom says where the requirement came from.
	missing      []string
	requiredFrom string
}

func newMCPContext(obs MCPObservation, exp MCPExpectations) *mcpContext {
	c := &mcpContext{obs: obs, exp: exp, token: obs.Token, refusesAnonymous: obs.ProbeStatus == 401}
	c.probe, c.hasProbe = ParseBearerChallenge(obs.ProbeWWWAuthenticate)
	c.challenge, _ = ParseBearerChallenge(obs.WWWAuthenticate)
	c.audOK = c.token == nil || anaAudienceOK(c.token, exp.Audiences)
	c.scopeRefusal = obs.Status == 403 && strings.EqualFold(c.challenge.Param("error"), "insufficient_scope")
	c.serverAudWrong = obs.Status == 401 && c.token != nil && c.audOK && len(exp.Audiences) > 0 && c.foreignTokenAuthenticated() &&
		obs.ForeignProbeToken.Issuer == c.token.Issuer && !anaAudienceOK(obs.ForeignProbeToken, exp.Audiences)
	c.requiredFrom = "the configured obo.scopes"
	if c.token != nil && c.audOK && obs.Status != 0 {
		c.missing = c.missingScopes()
	}
	return c
}

// foreignTokenAuthenticated reports whether a server that refuses anonymous requests
// authenticated the user's token for another API: it answered 403 (authenticated, short of a
// permission) or a real MCP answer.
func (c *mcpContext) foreignTokenAuthenticated() bool {
	fp := c.obs.ForeignProbeStatus
	return c.obs.ForeignProbeSent && c.refusesAnonymous && c.obs.ForeignProbeToken != nil &&
		(fp == 403 || (fp >= 200 && fp < 300 && c.obs.ForeignProbeMCPAnswer))
}

// missingScopes returns the scopes the server requires that the presented token lacks, and sets
// requiredFrom when the requirement is the server's own challenge.
func (c *mcpContext) missingScopes() []string {
	required := c.exp.RequiredScopes
	switch {
	case c.challenge.Param("scope") != "":
		required, c.requiredFrom = strings.Fields(c.challenge.Param("scope")), "its challenge"
	case c.hasProbe && c.probe.Param("scope") != "":
		required, c.requiredFrom = strings.Fields(c.probe.Param("scope")), "its challenge"
	}
	return scopeNames(lackedScopes(c.token, required))
}

// mcpChallengeRule raises mcp.no-www-authenticate for an unauthenticated request answered
// without a usable Bearer challenge: 401 without resource_metadata, an MCP result (the server
// requires no token at all), or 403 without a challenge.
func mcpChallengeRule(c *mcpContext, fs []Finding) []Finding {
	return mcpProbeAnswerRule(c, mcpChallenge401Rule(c, fs))
}

// mcpChallenge401Rule raises mcp.no-www-authenticate for a 401 without a Bearer challenge naming
// resource_metadata: an error, or a warning when the metadata is at a well-known URL.
func mcpChallenge401Rule(c *mcpContext, fs []Finding) []Finding {
	obs := c.obs
	if obs.ProbeStatus == 401 && (!c.hasProbe || c.probe.Param("resource_metadata") == "") {
		detail := "the unauthenticated request was answered 401 without a WWW-Authenticate header"
		if obs.ProbeWWWAuthenticate != "" {
			detail = "the unauthenticated request was answered 401 with WWW-Authenticate: " + anaFirstLine(obs.ProbeWWWAuthenticate) + " — no Bearer resource_metadata"
		}
		f := NewFinding("mcp.no-www-authenticate", "mcp", detail, map[string]string{"status": "401"})
		if c.hasProbe && obs.PRM != nil && obs.PRMURL != "" {
			// MCP 2025-11-25 (SEP-985) lets a server rely on the well-known URLs, which clients
			// must try when the challenge names none: only clients of 2025-06-18 are stuck.
			f.Severity = SeverityWarning
			f.Detail += fmt.Sprintf("; the metadata is at %s, where clients of MCP 2025-11-25 look when the challenge names none, but clients of 2025-06-18 rely on the challenge", obs.PRMURL)
		}
		fs = append(fs, f)
	}
	return fs
}

// mcpProbeAnswerRule raises mcp.no-www-authenticate when the unauthenticated request got an MCP
// result (the server requires no token at all) or a 403 without a challenge a client could follow.
func mcpProbeAnswerRule(c *mcpContext, fs []Finding) []Finding {
	obs := c.obs
	switch {
	case obs.ProbeStatus >= 200 && obs.ProbeStatus < 300 && obs.ProbeMCPAnswer:
		fs = append(fs, NewFinding("mcp.no-www-authenticate", "mcp",
			fmt.Sprintf("the unauthenticated request was answered %d with an MCP result: the server requires no token at all", obs.ProbeStatus),
			map[string]string{"status": fmt.Sprint(obs.ProbeStatus)}))
	case obs.ProbeStatus == 403 && !c.hasProbe:
		fs = append(fs, NewFinding("mcp.no-www-authenticate", "mcp",
			"the unauthenticated request was answered 403 without a WWW-Authenticate header (expected 401 with a Bearer challenge)",
			map[string]string{"status": "403"}))
	}
	return fs
}

// mcpNoMetadataRule raises mcp.no-resource-metadata when the server answered but no Protected
// Resource Metadata was found.
func mcpNoMetadataRule(c *mcpContext, fs []Finding) []Finding {
	if c.obs.PRM == nil && c.obs.ProbeStatus != 0 {
		fs = append(fs, NewFinding("mcp.no-resource-metadata", "mcp",
			"no Protected Resource Metadata at "+anaOrNone(strings.Join(c.obs.PRMTried, ", ")), nil))
	}
	return fs
}

// mcpPRMResourceRule raises mcp.prm-resource-mismatch when the metadata's resource is not the
// server URL used: a warning when the two differ only by an empty path and "/", and a wrong
// configured URL when nothing answers there.
func mcpPRMResourceRule(c *mcpContext, fs []Finding) []Finding {
	obs, p := c.obs, c.obs.PRM
	if p == nil || p.Resource == obs.URL {
		return fs
	}
	f := NewFinding("mcp.prm-resource-mismatch", "mcp",
		fmt.Sprintf("the metadata's resource is %q but the server URL used is %q", p.Resource, obs.URL),
		map[string]string{"resource": p.Resource, "url": obs.URL})
	if chURL := c.probe.Param("resource_metadata"); chURL != "" && obs.PRMURL != "" && chURL != obs.PRMURL {
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
	return append(fs, f)
}

// mcpPRMIssuerRule raises mcp.prm-issuer-mismatch when the metadata's authorization_servers do
// not list the presented token's issuer.
func mcpPRMIssuerRule(c *mcpContext, fs []Finding) []Finding {
	p, t := c.obs.PRM, c.token
	if p == nil || t == nil || t.Issuer == "" || anaContainsIssuer(p.AuthorizationServers, t.Issuer, t.TenantID) {
		return fs
	}
	f := NewFinding("mcp.prm-issuer-mismatch", "mcp",
		fmt.Sprintf("the token's issuer %s is not among the metadata's authorization_servers %s", t.Issuer, strings.Join(p.AuthorizationServers, ", ")),
		map[string]string{"claim": "iss", "value": t.Issuer})
	if t.Version == "2.0" {
		// The token is already v2: only the metadata is wrong (often the authority
		// without its /v2.0 suffix, whose metadata names the v1 issuer).
		f.Fix = fmt.Sprintf("List the token's issuer %s in authorization_servers — Entra's v2.0 issuer, /v2.0 suffix included.", t.Issuer)
	}
	return append(fs, f)
}

// mcpPRMScopesRule raises mcp.prm-unqualified-scopes when scopes_supported lists scopes without
// their resource.
func mcpPRMScopesRule(c *mcpContext, fs []Finding) []Finding {
	p := c.obs.PRM
	if p == nil {
		return fs
	}
	var bare []string
	for _, s := range p.ScopesSupported {
		if ScopeResource(s) == "" && !IsOIDCScope(s) {
			bare = append(bare, s)
		}
	}
	if len(bare) == 0 {
		return fs
	}
	return append(fs, NewFinding("mcp.prm-unqualified-scopes", "mcp",
		"scopes_supported lists scopes without their resource: "+strings.Join(bare, ", "), map[string]string{"scopes_supported": strings.Join(p.ScopesSupported, " ")}))
}

// mcpAudienceRule raises mcp.aud-mismatch when the token presented is not for the MCP server,
// unless the obo hop already reported the exchanged token's audience.
func mcpAudienceRule(c *mcpContext, fs []Finding) []Finding {
	t := c.token
	if t == nil || c.audOK || c.exp.AudienceReported {
		return fs
	}
	return append(fs, NewFinding("mcp.aud-mismatch", "mcp",
		fmt.Sprintf("the token sent to the MCP server has aud %s; the server is %s", anaAudList(t), strings.Join(anaNonEmpty(c.exp.Audiences), " / ")),
		map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
}

// mcpPassthroughRule raises mcp.token-passthrough when the token presented is the user's own.
func mcpPassthroughRule(c *mcpContext, fs []Finding) []Finding {
	if !c.obs.TokenIsUserToken {
		return fs
	}
	return append(fs, NewFinding("mcp.token-passthrough", "mcp",
		"the token sent to the MCP server is the user's own token, passed through without an exchange", nil))
}

// mcpForeignTokenRule raises mcp.accepts-foreign-token when a server that refuses anonymous
// requests took a token for another audience as one of its own: 401 means "not authenticated";
// a 2xx, or a 403 (authenticated but short of a permission, RFC 6750 insufficient_scope), means
// it authenticated the token.
func mcpForeignTokenRule(c *mcpContext, fs []Finding) []Finding {
	obs, t := c.obs, c.token
	foreign := t != nil && !c.audOK && c.refusesAnonymous
	if foreign && obs.SessionOK && obs.Status >= 200 && obs.Status < 300 {
		fs = append(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered %d to a token whose aud is %s", obs.Status, anaAudList(t)), map[string]string{"status": fmt.Sprint(obs.Status)}))
	}
	if foreign && obs.Status == 403 {
		fs = append(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered 403 to a token whose aud is %s: it authenticated it and only lacked a permission (a server that validates aud answers 401 invalid_token)", anaAudList(t)),
			map[string]string{"status": "403", "aud": strings.Join(t.Audiences, " ")}))
	}
	if fp := obs.ForeignProbeStatus; obs.ForeignProbeSent && c.refusesAnonymous && ((fp >= 200 && fp < 300 && obs.ForeignProbeMCPAnswer) || fp == 403) {
		how := "accepted it"
		if fp == 403 {
			how = "authenticated it and only lacked a permission (a server that validates aud answers 401 invalid_token)"
		}
		fs = anaAddOnce(fs, NewFinding("mcp.accepts-foreign-token", "mcp",
			fmt.Sprintf("the server answered %d to the user's token, whose aud is %s: it %s", fp, anaAudList(obs.ForeignProbeToken), how),
			map[string]string{"status": fmt.Sprint(obs.ForeignProbeStatus), "aud": strings.Join(anaTokenAuds(obs.ForeignProbeToken), " ")}))
	}
	return fs
}

// mcpScopeStatusRule raises mcp.insufficient-scope-status when the token lacks a required scope
// and the server answered other than 403 insufficient_scope. A 401 the audience explains says
// nothing of how the server answers a missing scope.
func mcpScopeStatusRule(c *mcpContext, fs []Finding) []Finding {
	if len(c.missing) == 0 || c.scopeRefusal || c.serverAudWrong {
		return fs
	}
	return append(fs, NewFinding("mcp.insufficient-scope-status", "mcp",
		fmt.Sprintf("the token lacks %s and the server answered %d (not 403 insufficient_scope)", strings.Join(c.missing, ", "), c.obs.Status),
		map[string]string{"status": fmt.Sprint(c.obs.Status)}))
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

// anaContainsIssuer reports whether list names iss: exactly, or through a multi-tenant template
// (…/common/v2.0, …/organizations/v2.0, …/consumers/v2.0) for the token's tenant tid, the way
// Entra issues every token with the tenant's own issuer.
func anaContainsIssuer(list []string, iss, tid string) bool {
	for _, s := range list {
		s = issuerFromTemplate(s, tid)
		if strings.TrimSuffix(s, "/") == strings.TrimSuffix(iss, "/") {
			return true
		}
	}
	return false
}
