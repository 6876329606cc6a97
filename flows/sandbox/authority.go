package sandbox

import (
	"net/http"
	"strings"
)

// routes wires every endpoint of the sandbox on one mux. Paths the sandbox does not serve answer
// 404 (never 5xx), which is what clients probing well-known paths need.
func (s *Sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	// Authority (per tenant: the GUID or the verified domain).
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleDiscoveryV2)
	mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.handleDiscoveryV1)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleJWKS)
	mux.HandleFunc("GET /{tenant}/discovery/keys", s.handleJWKS)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/token", s.handleToken)
	mux.HandleFunc("/{tenant}/oauth2/token", s.handleToken)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/devicecode", s.handleDeviceCode)
	mux.HandleFunc("/{tenant}/oauth2/devicecode", s.handleDeviceCode)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/authorize", s.handleAuthorize)
	mux.HandleFunc("/{tenant}/oauth2/authorize", s.handleAuthorize)
	mux.HandleFunc("GET /devicelogin", s.handleDeviceLoginPage)
	mux.HandleFunc("POST /devicelogin", s.handleDeviceLoginPost)
	// Graph subset.
	mux.HandleFunc("GET /v1.0/me", s.handleGraphMe)
	mux.HandleFunc("GET /v1.0/applications", s.handleGraphApplications)
	mux.HandleFunc("GET /oidc/userinfo", s.handleUserInfo)
	// Sample agent API and MCP server.
	mux.HandleFunc("/agent/api/chat", s.components.handleAgent)
	mux.HandleFunc("GET /.well-known/oauth-protected-resource/agent/api/chat", s.components.handleAgentPRM)
	mux.Handle("/mcp", s.components.mcpHandler())
	mux.HandleFunc("GET /.well-known/oauth-protected-resource/mcp", s.components.handleMCPPRM)
	s.foundryRoutes(mux)
	mux.HandleFunc("GET /{$}", s.handleIndex)
	return mux
}

// tenantOK checks the first path segment names this tenant; otherwise it answers Entra's
// invalid_tenant error and returns false.
func (s *Sandbox) tenantOK(w http.ResponseWriter, r *http.Request) bool {
	t := r.PathValue("tenant")
	if strings.EqualFold(t, TenantID) || strings.EqualFold(t, TenantDomain) || isMultiTenant(t) {
		return true
	}
	s.writeError(w, r, errTenantNotFound(t))
	return false
}

// isMultiTenant reports Entra's multi-tenant authorities; the sandbox has one tenant, so they
// sign users in to it, and their discovery documents carry Entra's "{tenantid}" issuer template.
func isMultiTenant(t string) bool {
	return strings.EqualFold(t, "common") || strings.EqualFold(t, "organizations")
}

// discoveryBase returns the authority the endpoints hang off and the issuers' tenant segment.
func (s *Sandbox) discoveryBase(r *http.Request) (authority, tenant string) {
	if t := r.PathValue("tenant"); isMultiTenant(t) {
		return s.base + "/" + strings.ToLower(t), "{tenantid}"
	}
	return s.AuthorityURL(), TenantID
}

// handleDiscoveryV2 serves the v2 OpenID Connect discovery document.
func (s *Sandbox) handleDiscoveryV2(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	a, t := s.discoveryBase(r)
	writeJSON(w, http.StatusOK, s.discovery(s.base+"/"+t+"/v2.0", a+"/oauth2/v2.0", a+"/discovery/v2.0/keys"))
}

// handleDiscoveryV1 serves the v1 OpenID Connect discovery document (issuer in the sts shape).
func (s *Sandbox) handleDiscoveryV1(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	a, t := s.discoveryBase(r)
	writeJSON(w, http.StatusOK, s.discovery(s.base+"/"+t+"/", a+"/oauth2", a+"/discovery/keys"))
}

// discovery builds an OpenID Provider Metadata document in Entra's shape, with every field OIDC
// Discovery requires plus the device authorization endpoint and the grant types. Like Entra's, it
// has no code_challenge_methods_supported (Entra supports S256 PKCE without saying so:
// modelcontextprotocol/typescript-sdk#832, anthropics/claude-ai-mcp#786, akuity/kargo#3359) and
// no registration_endpoint (no dynamic client registration).
func (s *Sandbox) discovery(issuer, oauth2, jwks string) map[string]any {
	return map[string]any{
		"token_endpoint":                        oauth2 + "/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              jwks,
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                issuer,
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     s.base + "/oidc/userinfo",
		"authorization_endpoint":                oauth2 + "/authorize",
		"device_authorization_endpoint":         oauth2 + "/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  oauth2 + "/logout",
		"grant_types_supported": []string{"authorization_code", "refresh_token", "client_credentials",
			"urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"claims_supported": []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
			"cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce",
			"preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"tenant_region_scope":      "NA",
		"cloud_instance_name":      "microsoftonline.com",
		"cloud_graph_host_name":    "graph.windows.net",
		"msgraph_host":             strings.TrimPrefix(s.base, "https://"),
		"rbac_url":                 "https://pas.windows.net",
		"kerberos_endpoint":        s.AuthorityURL() + "/kerberos",
		"sandbox_tenant_name":      TenantName,
		"sandbox_device_login_url": s.DeviceLoginURL(),
	}
}

// handleJWKS serves the signing keys: both the active key and the one a rotation switches to.
func (s *Sandbox) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	issuer := s.issuerV2()
	if !strings.Contains(r.URL.Path, "/v2.0/") {
		issuer = s.issuerV1()
	}
	var keys []jwk
	for _, k := range s.km.publishedKeys() {
		keys = append(keys, k.toJWK(issuer))
	}
	w.Header().Set("Cache-Control", "max-age=86400, private")
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// handleIndex lists the sandbox's endpoints for a person opening the base URL in a browser.
func (s *Sandbox) handleIndex(w http.ResponseWriter, r *http.Request) {
	renderPage(w, http.StatusOK, pageData{
		Title: "oboscope sandbox tenant",
		Lead:  TenantName + " — scenario " + s.scenario.Name,
		Links: [][2]string{
			{"Authority (v2 discovery)", s.AuthorityURL() + "/v2.0/.well-known/openid-configuration"},
			{"Device login", s.DeviceLoginURL()},
			{"Sample agent API (POST)", s.AgentURL()},
			{"Sample MCP server", s.MCPURL()},
			{"MCP protected resource metadata", s.base + "/.well-known/oauth-protected-resource/mcp"},
		},
	})
}
