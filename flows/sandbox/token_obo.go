package sandbox

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// grantOBO performs the On-Behalf-Of exchange (jwt-bearer, requested_token_use=on_behalf_of),
// for a middle tier with a secret or certificate, or an agent identity presenting its T1.
func (s *Sandbox) grantOBO(req *tokenRequest) (map[string]any, *entraError) {
	a := req.auth
	if a.method == "none" {
		return nil, errMissingCredential()
	}
	if use := req.form.Get("requested_token_use"); use != "on_behalf_of" {
		if use == "" {
			return nil, errMissingParam("requested_token_use")
		}
		return nil, newError("invalid_request", 9002313, "Invalid request. Request is malformed or invalid. requested_token_use '%s' is not supported.", use)
	}
	raw := req.form.Get("assertion")
	if raw == "" {
		return nil, errMissingParam("assertion")
	}
	p, err := s.parseVerified(raw, false)
	if errors.Is(err, errTokenMalformed) {
		return nil, newError("invalid_request", 50027, "JWT token is invalid or malformed.")
	}
	if p != nil && (p.str("nonce") != "" || (p.str("scp") == "" && len(p.roles()) == 0 && p.str("idtyp") == "")) {
		return nil, newError("invalid_grant", 240002, "Input id_token cannot be used as 'urn:ietf:params:oauth:grant-type:jwt-bearer' grant.")
	}
	// Entra validates the assertion's signature before its audience: a Microsoft Graph token
	// (header nonce) fails as "Assertion contains an invalid signature"
	// (AzureAD/azure-activedirectory-library-for-dotnet#1234).
	if err != nil {
		return nil, newError("invalid_grant", 50013, "Assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '%s']", headerString(p, "kid"))
	}
	if iss := p.str("iss"); iss != s.issuerV2() && iss != s.issuerV1() {
		return nil, newError("invalid_grant", 50013, "Assertion failed signature validation. [Reason - The issuer '%s' of the assertion is not this tenant's.]", iss)
	}
	if e := s.checkAssertionAudience(a, p); e != nil {
		return nil, e
	}
	now := s.now()
	if exp := p.time("exp"); now.After(exp) {
		return nil, newError("invalid_grant", 500133,
			"Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: %s, expiry time of assertion %s.",
			now.UTC().Format("2006-01-02T15:04:05.0000000Z"), exp.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	}
	if nbf := p.time("nbf"); nbf.After(now.Add(5 * time.Minute)) {
		return nil, newError("invalid_grant", 500133, "Assertion is not within its valid time range: it is not valid before %s.", nbf.UTC().Format(time.RFC3339))
	}
	if p.isAppOnly() {
		// AzureAD/microsoft-authentication-library-for-dotnet#2130, microsoft/mcp#2192.
		return nil, newError("unauthorized_client", 7000114, "Application '%s' is not allowed to make application on-behalf-of calls.", a.app.AppID)
	}
	user := s.dir.userByID(p.str("oid"))
	if user == nil {
		return nil, newError("invalid_grant", 50034, "The user account in the assertion does not exist in the %s directory.", TenantName)
	}
	q, e := s.resolveScopes(a.app, req.form.Get("scope"), flowOBO)
	if e != nil {
		return nil, e
	}
	amr := amrOf(p)
	d := delegated{client: a.app, clientACR: a.acr(), user: user, scope: q, amr: amr, via: p.clientApp()}
	if a.method == "fic" {
		d.agent = &agentClaims{parentAppID: a.app.Blueprint, actFacets: "11", subFacets: "1", idRel: "1 7"}
	}
	return s.issueDelegated(d)
}

// checkAssertionAudience requires the OBO assertion to be addressed to the client exchanging it:
// the middle tier itself, or for an agent identity, its blueprint. Entra compares exactly: an App
// ID URI differing only in case is refused with AADSTS500131
// (OfficeDev/microsoft-teams-apps-company-communicator#214).
func (s *Sandbox) checkAssertionAudience(a *clientAuth, p *parsedToken) *entraError {
	expected := a.app
	if a.app.Kind == "agent-identity" {
		expected = s.dir.app(a.app.Blueprint)
	}
	aud := p.audience()
	if strings.EqualFold(aud, expected.AppID) || slices.Contains(expected.IdentifierURIs, aud) {
		return nil
	}
	return newError("invalid_grant", 500131,
		"Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '%s' and the expected audience is '%s' or one of the Application Uris of this application with App ID '%s'(%s). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.",
		aud, expected.AppID, expected.AppID, expected.DisplayName)
}

// amrOf reads the amr claim (v1 tokens carry it; v2 tokens do not, so pwd is assumed, and mfa
// when the token says so through acrs).
func amrOf(p *parsedToken) []string {
	list, _ := p.claims["amr"].([]any)
	out := []string{}
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []string{"pwd"}
		if acrs, _ := p.claims["acrs"].([]any); len(acrs) > 0 {
			out = append(out, "mfa")
		}
	}
	return out
}

// headerString reads a string header field of a parsed token.
func headerString(p *parsedToken, name string) string {
	if p == nil {
		return ""
	}
	v, _ := p.header[name].(string)
	return v
}
