package inspect

import (
	"fmt"
	"net/url"
	"strings"
)

// This file holds the analyzers of the MCP-client chain's discovery hops (chain: mcp-client): the
// unauthenticated probe, the metadata (Protected Resource Metadata, then the authorization
// server's), and the client registration. The rules they reuse from the mcp hop's analyzer
// (analyze_mcp.go, analyze_mcp_prm.go) keep their IDs and wording; each is raised once, at the hop
// where what it is about was observed.

// ASMetadata is the part of an authorization server's metadata (RFC 8414, or OpenID Connect
// discovery, which Entra serves) the rules read.
type ASMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	ClientIDMetadataDocumentSupported bool     `json:"client_id_metadata_document_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
}

// MetadataAttempt is one URL a client tried for the authorization server's metadata, in the order
// the MCP specification gives (RFC 8414 with the issuer's path inserted, then OpenID Connect
// discovery inserted, then appended), and what it answered.
type MetadataAttempt struct {
	URL    string
	OIDC   bool   // an OpenID Connect discovery URL (else RFC 8414)
	Status int    // 0: no answer
	Err    string // the transport error, when there was no answer
}

// MCPMetadataObservation is what the metadata hop of the MCP-client chain saw: the probe's
// challenge (from the probe hop), the Protected Resource Metadata, and the authorization server's
// metadata as a spec client looks for it.
type MCPMetadataObservation struct {
	URL                  string // the MCP server URL
	ProbeStatus          int
	ProbeWWWAuthenticate string
	PRM                  *ResourceMetadata
	PRMURL               string
	PRMTried             []string
	// AuthorizationServer is the one a client uses: the metadata's first authorization_servers
	// entry ("" when there is no metadata).
	AuthorizationServer string
	Attempts            []MetadataAttempt
	AS                  *ASMetadata // the document found, nil when none answered
	ASURL               string      // where it came from
	// ClientRefusal is what the spec client (the MCP Go SDK) said of the metadata: "" when it
	// accepted it, else its error ("… does not implement PKCE").
	ClientRefusal string
}

// AnalyzeMCPMetadata applies the discovery rules to what the metadata hop saw: the challenge,
// the Protected Resource Metadata, and the authorization server's metadata.
func AnalyzeMCPMetadata(obs MCPMetadataObservation) []Finding {
	c := newMCPContext(MCPObservation{URL: obs.URL, ProbeStatus: obs.ProbeStatus, ProbeWWWAuthenticate: obs.ProbeWWWAuthenticate,
		PRM: obs.PRM, PRMURL: obs.PRMURL, PRMTried: obs.PRMTried}, MCPExpectations{})
	var fs []Finding
	for _, rule := range []func(*mcpContext, []Finding) []Finding{
		mcpChallenge401Rule, mcpNoMetadataRule, mcpPRMResourceRule, mcpPRMScopesRule, mcpPRMNoScopesRule,
	} {
		fs = rule(c, fs)
	}
	for _, rule := range []func(MCPMetadataObservation, []Finding) []Finding{
		asNotFoundRule, asOIDCOnlyRule, asIssuerRule, asPKCERule,
	} {
		fs = rule(obs, fs)
	}
	return fs
}

// AnalyzeMCPProbe applies the rules about the unauthenticated probe's answer alone: a server that
// needs no token, a 403 without a challenge, a challenge naming a scope without its resource.
func AnalyzeMCPProbe(status int, wwwAuthenticate string, mcpAnswer bool) []Finding {
	c := newMCPContext(MCPObservation{ProbeStatus: status, ProbeWWWAuthenticate: wwwAuthenticate, ProbeMCPAnswer: mcpAnswer}, MCPExpectations{})
	return challengeScopeRule(c, mcpProbeAnswerRule(c, nil))
}

// challengeScopeRule raises mcp.challenge-scope-unqualified when the probe's Bearer challenge
// names a scope that is neither fully qualified nor an OpenID scope.
func challengeScopeRule(c *mcpContext, fs []Finding) []Finding {
	if !c.hasProbe {
		return fs
	}
	var bare []string
	for _, s := range strings.Fields(c.probe.Param("scope")) {
		if ScopeResource(s) == "" && !IsOIDCScope(s) {
			bare = append(bare, s)
		}
	}
	if len(bare) == 0 {
		return fs
	}
	return append(fs, NewFinding("mcp.challenge-scope-unqualified", "probe",
		fmt.Sprintf("the 401's WWW-Authenticate names scope=%q: clients that take the challenge's scope (MCP 2025-11-25, the Go SDK) ask Entra for %s, which it reads as Microsoft Graph's", c.probe.Param("scope"), strings.Join(bare, ", ")),
		map[string]string{"scope": c.probe.Param("scope")}))
}

// asNotFoundRule raises mcp.prm-issuer-mismatch when the authorization server the metadata names
// serves no metadata at any URL a client tries: it is no issuer's URL.
func asNotFoundRule(obs MCPMetadataObservation, fs []Finding) []Finding {
	if obs.AuthorizationServer == "" || obs.AS != nil || len(obs.Attempts) == 0 || !allAnswered4xx(obs.Attempts) {
		return fs
	}
	var tried []string
	for _, a := range obs.Attempts {
		tried = append(tried, fmt.Sprintf("%s (%d)", a.URL, a.Status))
	}
	f := NewFinding("mcp.prm-issuer-mismatch", "metadata",
		fmt.Sprintf("the authorization server %s the metadata names serves no metadata at any URL a client tries: %s", obs.AuthorizationServer, strings.Join(tried, ", ")),
		map[string]string{"authorization_server": obs.AuthorizationServer})
	f.Fix = "List the issuer itself in authorization_servers: for Entra, https://login.microsoftonline.com/<tid>/v2.0 (the /v2.0 included), whose metadata is at …/v2.0/.well-known/openid-configuration."
	return append(fs, f)
}

func allAnswered4xx(as []MetadataAttempt) bool {
	for _, a := range as {
		if a.Status < 400 || a.Status >= 500 {
			return false
		}
	}
	return true
}

// asOIDCOnlyRule raises mcp.as-metadata-oidc-only when the RFC 8414 URL answered 4xx and the
// metadata came from OpenID Connect discovery (Entra's normal behaviour).
func asOIDCOnlyRule(obs MCPMetadataObservation, fs []Finding) []Finding {
	if obs.AS == nil {
		return fs
	}
	var rfc8414 []string
	found := false
	for _, a := range obs.Attempts {
		switch {
		case !a.OIDC && a.Status >= 400 && a.Status < 500:
			rfc8414 = append(rfc8414, fmt.Sprintf("%s (%d)", a.URL, a.Status))
		case a.OIDC && a.URL == obs.ASURL:
			found = true
		}
	}
	if len(rfc8414) == 0 || !found {
		return fs
	}
	return append(fs, NewFinding("mcp.as-metadata-oidc-only", "metadata",
		fmt.Sprintf("no RFC 8414 metadata at %s; the OpenID configuration at %s answered", strings.Join(rfc8414, ", "), obs.ASURL),
		map[string]string{"metadata_url": obs.ASURL}))
}

// asPKCERule raises mcp.as-no-pkce-metadata when the metadata lists no S256 in
// code_challenge_methods_supported, which strict MCP clients read as "no PKCE".
func asPKCERule(obs MCPMetadataObservation, fs []Finding) []Finding {
	as := obs.AS
	if as == nil || containsFoldString(as.CodeChallengeMethodsSupported, "S256") {
		return fs
	}
	what := "has no code_challenge_methods_supported"
	if len(as.CodeChallengeMethodsSupported) > 0 {
		what = "lists code_challenge_methods_supported " + strings.Join(as.CodeChallengeMethodsSupported, " ") + " without S256"
	}
	detail := fmt.Sprintf("the authorization server's metadata (%s) %s", obs.ASURL, what)
	if strings.Contains(obs.ClientRefusal, "PKCE") {
		detail += ": the MCP Go SDK refuses it (" + obs.ClientRefusal + ")"
	}
	return append(fs, NewFinding("mcp.as-no-pkce-metadata", "metadata", detail, map[string]string{"metadata_url": obs.ASURL}))
}

// asIssuerRule compares the metadata's issuer with the authorization server URL the client asked
// for (RFC 8414 §3.3): Entra's tenant template (…/{tenantid}/v2.0 for …/organizations/v2.0) is
// mcp.as-issuer-template; any other difference is mcp.prm-issuer-mismatch, which spec clients
// refuse.
func asIssuerRule(obs MCPMetadataObservation, fs []Finding) []Finding {
	as := obs.AS
	if as == nil || as.Issuer == "" || strings.TrimSuffix(as.Issuer, "/") == strings.TrimSuffix(obs.AuthorizationServer, "/") {
		return fs
	}
	refusal := ""
	if strings.Contains(obs.ClientRefusal, "issuer") {
		refusal = ": the MCP Go SDK refuses it (" + obs.ClientRefusal + ")"
	}
	if IsTenantTemplateIssuer(as.Issuer, obs.AuthorizationServer) {
		return append(fs, NewFinding("mcp.as-issuer-template", "metadata",
			fmt.Sprintf("the metadata of %s names the issuer %s, a template for each tenant's own issuer%s", obs.AuthorizationServer, as.Issuer, refusal),
			map[string]string{"issuer": as.Issuer, "authorization_server": obs.AuthorizationServer}))
	}
	f := NewFinding("mcp.prm-issuer-mismatch", "metadata",
		fmt.Sprintf("the authorization server %s the metadata names has metadata (%s) whose issuer is %s%s", obs.AuthorizationServer, obs.ASURL, as.Issuer, refusal),
		map[string]string{"issuer": as.Issuer, "authorization_server": obs.AuthorizationServer})
	f.Fix = fmt.Sprintf("List the issuer %s in authorization_servers (for Entra v2 tokens: https://login.microsoftonline.com/<tid>/v2.0), so that the URL and the issuer its metadata names are one.", as.Issuer)
	return append(fs, f)
}

// IsTenantTemplateIssuer reports whether issuer is Entra's tenant template ("…/{tenantid}/…")
// standing for the multi-tenant authority asked (…/common, …/organizations, …/consumers).
func IsTenantTemplateIssuer(issuer, asked string) bool {
	if !strings.Contains(strings.ToLower(issuer), "{tenantid}") {
		return false
	}
	u, err := url.Parse(asked)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	switch strings.ToLower(first) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// MCPRegistrationObservation is what the registration hop saw: what the authorization server
// offers and what the client has.
type MCPRegistrationObservation struct {
	ASFound              bool   // the authorization server's metadata was found
	RegistrationEndpoint string // dynamic client registration (RFC 7591), "" when not offered
	CIMDSupported        bool   // client ID metadata documents
	ClientID             string // the client's pre-registered client id ("" = none configured)
	Registered           string // the client id dynamic registration gave, "" when none
}

// AnalyzeMCPRegistration raises mcp.as-no-registration when the authorization server offers
// neither dynamic registration nor client ID metadata documents: information when the client has
// a pre-registered client id, a warning when it has none and so cannot sign in.
func AnalyzeMCPRegistration(obs MCPRegistrationObservation) []Finding {
	if !obs.ASFound || obs.RegistrationEndpoint != "" || obs.CIMDSupported {
		return nil
	}
	detail := "the authorization server's metadata has no registration_endpoint and no client_id_metadata_document_supported"
	f := NewFinding("mcp.as-no-registration", "registration", detail, nil)
	if obs.ClientID == "" {
		f.Severity = SeverityWarning
		f.Detail += ": the client has no pre-registered client id, so it cannot sign in"
	} else {
		f.Detail += fmt.Sprintf("; the client uses its pre-registered client id %s", obs.ClientID)
	}
	return []Finding{f}
}
