package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Grant types the token endpoint knows.
const (
	grantDeviceCodeURN   = "urn:ietf:params:oauth:grant-type:device_code"
	grantJWTBearer       = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	grantTokenExchange   = "urn:ietf:params:oauth:grant-type:token-exchange"
	refreshTokenLifetime = 90 * 24 * time.Hour
)

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	client  *App
	user    *User
	amr     []string
	via     string // the client app the user signed in with (for OBO refresh tokens)
	agent   *agentClaims
	expires time.Time
}

// tokenRequest is one parsed token request.
type tokenRequest struct {
	form     url.Values
	auth     *clientAuth
	tokenURL string
	origin   string // the Origin header: a browser redeeming cross-origin
}

// handleToken is the token endpoint (v2 and v1).
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	form, e := s.readForm(w, r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	resp, e := s.token(r, form)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// token decides one token request.
func (s *Sandbox) token(r *http.Request, form url.Values) (map[string]any, *entraError) {
	grant := form.Get("grant_type")
	if grant == "" {
		return nil, errMissingParam("grant_type")
	}
	switch grant {
	case "device_code", grantDeviceCodeURN, "authorization_code", "refresh_token", "client_credentials", grantJWTBearer:
	default:
		if a := s.dir.app(form.Get("client_id")); grant == grantTokenExchange && a != nil && a.Kind == "agent-identity" {
			return nil, errAgentIdentityDirect(a)
		}
		// RFC 8693 token exchange included: Entra does not support it.
		return nil, errUnsupportedGrant(grant)
	}
	tokenURL := s.base + r.URL.Path
	user, pass, _ := r.BasicAuth()
	auth, e := s.authenticateClient(form, user, pass, tokenURL)
	if e != nil {
		return nil, e
	}
	if e := s.checkRequestShape(r.URL.Path, form, auth.app); e != nil {
		return nil, e
	}
	if form.Get("scope") == "" && form.Get("resource") != "" && !strings.Contains(r.URL.Path, "/v2.0/") {
		// v1 endpoint: a resource instead of scopes.
		form.Set("scope", form.Get("resource")+"/.default")
	}
	req := &tokenRequest{form: form, auth: auth, tokenURL: tokenURL, origin: r.Header.Get("Origin")}
	switch grant {
	case "device_code", grantDeviceCodeURN:
		return s.grantDeviceCode(req)
	case "authorization_code":
		return s.grantAuthCode(req)
	case "refresh_token":
		return s.grantRefresh(req)
	case "client_credentials":
		return s.grantClientCredentials(req)
	default:
		return s.grantOBO(req)
	}
}

// requirePublicOrConfidential refuses a credential-less request from an app that is not a public
// client (AADSTS7000218: "Allow public client flows" is off).
func requirePublicOrConfidential(a *clientAuth) *entraError {
	if a.method == "none" && !a.app.PublicClient {
		return errMissingCredential()
	}
	return nil
}

// grantDeviceCode redeems a device code (RFC 8628 §3.4).
func (s *Sandbox) grantDeviceCode(req *tokenRequest) (map[string]any, *entraError) {
	code := req.form.Get("device_code")
	if code == "" {
		return nil, errMissingParam("device_code")
	}
	if e := requirePublicOrConfidential(req.auth); e != nil {
		return nil, e
	}
	s.mu.Lock()
	dc := s.deviceCodes[code]
	var state string
	if dc != nil {
		state = dc.state
		if dc.state == "approved" {
			dc.state = "redeemed" // one redemption only
		}
	}
	s.mu.Unlock()
	switch {
	case dc == nil || dc.client.AppID != req.auth.app.AppID:
		return nil, newError("invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.")
	case state == "redeemed":
		return nil, newError("invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid. The device code has already been redeemed.")
	case s.now().After(dc.expires):
		return nil, newError("expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
	case state == "pending":
		return nil, newError("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	case state == "denied":
		if dc.deny != nil {
			return nil, dc.deny
		}
		return nil, newError("authorization_declined", 70000, "The user declined the authorization request.")
	}
	claims := dc.claims
	if c := req.form.Get("claims"); c != "" {
		claims = c
	}
	amr := dc.amr
	if claims != "" && !slices.Contains(amr, "mfa") {
		amr = []string{"pwd", "mfa"}
	}
	return s.issueDelegated(delegated{client: req.auth.app, clientACR: req.auth.acr(), user: dc.approved, scope: dc.scope, amr: amr})
}

// grantAuthCode redeems an authorization code, checking PKCE and the redirect URI.
func (s *Sandbox) grantAuthCode(req *tokenRequest) (map[string]any, *entraError) {
	code := req.form.Get("code")
	if code == "" {
		return nil, errMissingParam("code")
	}
	if e := requirePublicOrConfidential(req.auth); e != nil {
		return nil, e
	}
	s.mu.Lock()
	ac := s.authCodes[code]
	used := ac != nil && ac.used
	if ac != nil {
		ac.used = true
	}
	s.mu.Unlock()
	switch {
	case ac == nil:
		return nil, newError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid. The provided authorization code is not valid.")
	case used:
		return nil, newError("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case ac.client.AppID != req.auth.app.AppID:
		return nil, newError("invalid_grant", 70000, "The provided authorization code was issued to another client.")
	case s.now().After(ac.expires):
		return nil, newError("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case req.form.Get("redirect_uri") != ac.redirectURI:
		return nil, newError("invalid_grant", 50011, "The redirect URI '%s' specified in the request does not match the redirect URI used in the authorization request.", req.form.Get("redirect_uri"))
	case !pkceOK(ac.challenge, ac.method, req.form.Get("code_verifier")):
		return nil, newError("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	if e := checkRedemptionOrigin(ac.client, ac.redirectURI, req.origin); e != nil {
		return nil, e
	}
	return s.issueDelegated(delegated{client: req.auth.app, clientACR: req.auth.acr(), user: ac.user, scope: ac.scope, amr: ac.amr, nonce: ac.nonce})
}

// grantRefresh redeems a refresh token for any resource the user consented to, applying the same
// consent and conditional access policy as a fresh sign-in.
func (s *Sandbox) grantRefresh(req *tokenRequest) (map[string]any, *entraError) {
	rt := req.form.Get("refresh_token")
	if rt == "" {
		return nil, errMissingParam("refresh_token")
	}
	if e := requirePublicOrConfidential(req.auth); e != nil {
		return nil, e
	}
	s.mu.Lock()
	g := s.refresh[rt]
	s.mu.Unlock()
	switch {
	case g == nil:
		return nil, newError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid. The refresh token is not valid.")
	case g.client.AppID != req.auth.app.AppID:
		return nil, newError("invalid_grant", 70000, "The refresh token was issued to a different client.")
	case s.now().After(g.expires):
		return nil, newError("invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on %s and was inactive for 90.00:00:00.", g.expires.Add(-refreshTokenLifetime).UTC().Format(time.RFC3339))
	}
	flow := flowSignin
	if g.via != "" {
		flow = flowOBO
	}
	q, e := s.resolveScopes(req.auth.app, req.form.Get("scope"), flow)
	if e != nil {
		return nil, e
	}
	amr := g.amr
	if req.form.Get("claims") != "" {
		// A refresh cannot satisfy a claims challenge: the user must sign in again.
		if pol := s.dir.mfaPolicy(q.resource, g.user); pol != nil && !slices.Contains(amr, "mfa") {
			return nil, s.mfaError(q.resource, pol)
		}
	}
	return s.issueDelegated(delegated{client: req.auth.app, clientACR: req.auth.acr(), user: g.user, scope: q, amr: amr, via: g.via, agent: g.agent})
}

// grantClientCredentials issues app-only tokens; with fmi_path to api://AzureADTokenExchange it
// issues an Agent ID blueprint's T1 for that agent identity.
func (s *Sandbox) grantClientCredentials(req *tokenRequest) (map[string]any, *entraError) {
	a := req.auth
	if a.app.Kind == "agent-identity" && a.method != "fic" {
		return nil, errAgentIdentityDirect(a.app)
	}
	if a.method == "none" {
		// MicrosoftDocs/azure-docs#30777: the client_credentials grant's own wording.
		return nil, newError("invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
	}
	scope := req.form.Get("scope")
	if containsFold(strings.Fields(scope), TokenExchangeAudID+"/.default") {
		return s.issueT1(a, req.form.Get("fmi_path"))
	}
	q, e := s.resolveScopes(a.app, scope, flowApp)
	if e != nil {
		return nil, e
	}
	g := accessGrant{client: a.app, clientACR: a.acr(), resource: q.resource, roles: s.dir.rolesFor(a.app, q.resource)}
	if a.method == "fic" {
		g.agent = &agentClaims{parentAppID: a.app.Blueprint, actFacets: "3 9 11", subFacets: "9 3 11", idRel: "7 10"}
	}
	tok, exp, err := s.mintAccess(g)
	if err != nil {
		return nil, serverError(err)
	}
	return s.tokenResponse(tok, exp), nil
}

// issueT1 issues the blueprint's federated credential token for an agent identity (leg 1). Without
// fmi_path the token's subject is the blueprint itself, which no agent identity trusts.
func (s *Sandbox) issueT1(a *clientAuth, fmiPath string) (map[string]any, *entraError) {
	if a.app.Kind != "blueprint" {
		return nil, newError("invalid_request", 82001, "The application '%s' is not an agent identity blueprint: only a blueprint can request a token for %s.", a.app.AppID, TokenExchangeAudID)
	}
	if fmiPath == "" {
		// microsoft/Agent365-Samples#116 (an empty fmi_path) and #230 (the answer).
		return nil, newError("invalid_request", 82008, "All agentic applications requesting a token exchange token must include the fmipath parameter on the token request.")
	}
	sub := a.app.ObjectID
	if fmiPath != "" {
		agent := s.dir.app(fmiPath)
		if agent == nil || agent.Kind != "agent-identity" || agent.Blueprint != a.app.AppID {
			return nil, newError("invalid_request", 82002, "The fmi_path '%s' does not name an agent identity of the blueprint '%s'.", fmiPath, a.app.AppID)
		}
		sub = agent.AppID
	}
	res := &App{AppID: TokenExchangeAudID, AcceptedVersion: 2, Kind: "first-party"}
	tok, exp, err := s.mintAccess(accessGrant{client: a.app, clientACR: a.acr(), resource: res, aud: TokenExchangeAudID, subject: sub,
		agent: &agentClaims{parentAppID: a.app.AppID, actFacets: "3 9", subFacets: "3 9", idRel: "7"}})
	if err != nil {
		return nil, serverError(err)
	}
	return s.tokenResponse(tok, exp), nil
}

// tokenResponse is the body of an app-only token response (no scope: MSAL treats it as granted).
func (s *Sandbox) tokenResponse(tok string, exp time.Time) map[string]any {
	in := int(time.Until(exp).Seconds())
	if s.beh.clockOffset != 0 || s.opts.Now != nil {
		in = int(exp.Sub(s.now()).Seconds())
	}
	return map[string]any{"token_type": "Bearer", "expires_in": in, "ext_expires_in": in, "access_token": tok}
}

// serverError wraps an internal failure in Entra's server error shape.
func serverError(err error) *entraError {
	return &entraError{Status: 500, Err: "server_error", Code: 90033, Message: "A transient error has occurred. Please try again. " + err.Error()}
}

// delegated is a user token to issue.
type delegated struct {
	client    *App
	clientACR string // how the client authenticated: azpacr / appidacr
	user      *User
	scope     *scopeRequest
	amr       []string
	nonce     string
	via       string // OBO: the client app the user signed in with
	agent     *agentClaims
}

// issueDelegated applies the directory's rules to a user token request — the user belongs to the
// tenant, consent, conditional access — and answers with access, ID and refresh tokens.
func (s *Sandbox) issueDelegated(d delegated) (map[string]any, *entraError) {
	if !d.user.InTenant {
		return nil, errUserNotInTenant(d.user)
	}
	q := d.scope
	scopes := q.values
	if q.isDefault {
		scopes = s.dir.consentedScopes(d.client, q.resource, d.user, d.via)
		if len(scopes) == 0 {
			if _, listed := d.client.RequiredAccess[q.resource.AppID]; !listed && d.via != "" {
				// Static consent (.default) for an API the middle tier never listed.
				return nil, newError("invalid_client", 65005,
					"Misconfigured application. The client app '%s' has requested access to resource '%s', which isn't specified in its required resource access list.", d.client.AppID, q.resource.AppID)
			}
			return nil, errConsent(d.client)
		}
	}
	for _, sc := range scopes {
		if !s.dir.consented(d.client, q.resource, sc, d.user, d.via) {
			return nil, errConsent(d.client)
		}
	}
	if pol := s.dir.blockPolicy(q.resource, d.user); pol != nil {
		return nil, newError("invalid_grant", 53003,
			"Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
	}
	if pol := s.dir.mfaPolicy(q.resource, d.user); pol != nil && !slices.Contains(d.amr, "mfa") {
		if d.user.NoMFAMethod {
			e := newError("invalid_grant", 50079,
				"Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '%s'.", q.resource.AppID)
			e.Suberror, e.Claims = "basic_action", s.mfaError(q.resource, pol).Claims
			return nil, e
		}
		return nil, s.mfaError(q.resource, pol)
	}
	g := accessGrant{user: d.user, client: d.client, clientACR: d.clientACR, resource: q.resource, scopes: scopes, amr: d.amr, agent: d.agent}
	if q.resource.AcceptedVersion != 2 && q.resource.Kind != "first-party" && containsFold(q.resource.IdentifierURIs, q.written) {
		// A v1 token's aud is the App ID URI as the client wrote it, case included
		// (OfficeDev/microsoft-teams-apps-company-communicator#214).
		g.aud = q.written
	}
	if s.beh.popUserTokens && d.client.AppID == ClientAppID && d.via == "" {
		g.cnf = randomID(43) // bound to the client's key (proof of possession)
	}
	tok, exp, err := s.mintAccess(g)
	if err != nil {
		return nil, serverError(err)
	}
	resp := s.tokenResponse(tok, exp)
	resp["scope"] = q.responseScope()
	resp["client_info"] = clientInfo(d.user)
	if q.has("openid") || q.has("profile") || len(q.oidc) > 0 {
		idt, err := s.mintID(d.user, d.client, d.nonce)
		if err != nil {
			return nil, serverError(err)
		}
		resp["id_token"] = idt
	}
	if q.has("offline_access") {
		rt := "1.AQ" + randomID(180)
		s.mu.Lock()
		s.refresh[rt] = &refreshGrant{client: d.client, user: d.user, amr: d.amr, via: d.via, agent: d.agent, expires: s.now().Add(refreshTokenLifetime)}
		s.mu.Unlock()
		resp["refresh_token"] = rt
	}
	return resp, nil
}

// mfaError is the claims challenge Entra sends when a conditional access policy needs MFA.
//
// On a token request (OBO, refresh) Entra answers it as invalid_grant with suberror basic_action
// and the claims, not as interaction_required (PROTOCOL.md; MSAL treats invalid_grant with
// basic_action as "interaction required").
func (s *Sandbox) mfaError(resource *App, pol *Policy) *entraError {
	e := newError("invalid_grant", 50076,
		"Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '%s'.", resource.AppID)
	claims, _ := json.Marshal(map[string]any{"access_token": map[string]any{"capolids": map[string]any{"essential": true, "values": []string{pol.ID}}}})
	e.Claims = string(claims)
	e.Suberror = "basic_action"
	return e
}
