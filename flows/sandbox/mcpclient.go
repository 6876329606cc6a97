package sandbox

import (
	"net/url"
	"strings"
)

// This file holds what the sandbox tenant has and answers for MCP clients that sign in straight
// to the MCP server (chain mcp-client): the client's app registration, and Entra's answers to the
// requests such clients send that MSAL never does — a code redeemed with resource and no scope,
// and a refresh without scope.

// MCPClientAppID is the Contoso MCP Client: a public client registered for an MCP client (as one
// registers VS Code's or Claude Code's client id), pre-authorized on the MCP server's app.
const MCPClientAppID = "0b05c0de-c11e-4000-8000-000000000008"

// mcpClientApp is the MCP client's registration: a public client with loopback redirect URIs
// (Entra ignores the port of http://localhost and http://127.0.0.1), asking for the MCP server's
// tools.call. The MCP server's app pre-authorizes it, as Microsoft's guidance for VS Code does.
func mcpClientApp(d *Directory) {
	d.Apps = append(d.Apps, &App{
		AppID: MCPClientAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000008", DisplayName: "Contoso MCP Client",
		PublicClient: true, Kind: "app", AcceptedVersion: 2,
		RedirectURIs:   []string{"http://localhost/callback", "http://127.0.0.1/callback"},
		RequiredAccess: map[string][]string{MCPAppID: {"tools.call"}},
	})
	if mcp := d.app(MCPAppID); mcp != nil {
		mcp.PreAuthorized = append(mcp.PreAuthorized, PreAuthorized{AppID: MCPClientAppID, Scopes: []string{"tools.call"}})
	}
}

// checkRequestShape applies, before the grant is decided, Entra's rules about how a token request
// names what it is for: the resource parameter (checkResource, and codeResource for a code
// redeemed without scope) and a refresh without scope (refreshShape).
func (s *Sandbox) checkRequestShape(path string, form url.Values, client *App) *entraError {
	if e := s.checkResource(path, form); e != nil {
		return e
	}
	if form.Get("grant_type") == "authorization_code" {
		s.mu.Lock()
		ac := s.authCodes[form.Get("code")]
		var q *scopeRequest
		if ac != nil {
			q = ac.scope
		}
		s.mu.Unlock()
		if e := s.codeResource(path, form, q); e != nil {
			return e
		}
	}
	return s.refreshShape(path, form, client)
}

// codeResource applies Entra's resource rule to a code redeemed with resource and no scope (what
// MCP clients send: the go-sdk's and the TypeScript SDK's token requests carry resource, never
// scope): the resource must identify the app the code's scopes belong to, or Entra answers
// invalid_target AADSTS9010010. With a scope, checkResource has judged the request already.
func (s *Sandbox) codeResource(path string, form url.Values, q *scopeRequest) *entraError {
	resource := form.Get("resource")
	if resource == "" || form.Get("scope") != "" || !strings.Contains(path, "/v2.0/") || q == nil || q.resource == nil {
		return nil
	}
	if r := s.dir.resource(resource); r != nil && r.AppID == q.resource.AppID {
		return nil
	}
	return newError("invalid_target", 9010010, "The resource parameter provided in the request doesn't match with the requested scopes.")
}

// refreshShape answers a refresh_token request as Entra does when it names no resource scope.
//
// At the v2 endpoint, a refresh without scope takes the client itself as the resource and is
// refused with invalid_request AADSTS90009 "Application '<id>'(<id>) is requesting a token for
// itself. This scenario is supported only if resource is specified using the GUID based App
// Identifier." (bluesky/tiled#1384 quotes the whole body; modelcontextprotocol/typescript-sdk#2718,
// punkpeye/mcp-remote#357 and anthropics/claude-ai-mcp#228 report it from MCP clients, whose
// libraries — golang.org/x/oauth2, the TypeScript SDK — send no scope on refresh). The reports
// are of a client that is also the resource app; the sandbox answers the same for any client, as
// claude-ai-mcp#228 reads it ("Entra treats the resource as the client app itself").
//
// At the v1 endpoint, resource=<the client's own App ID URI> is refused the same way; only the
// client id (GUID) names the app itself (DuendeArchive/IdentityModel#528).
func (s *Sandbox) refreshShape(path string, form url.Values, client *App) *entraError {
	if form.Get("grant_type") != "refresh_token" || client == nil || strings.TrimSpace(form.Get("scope")) != "" {
		return nil
	}
	forItself := func(named string) *entraError {
		return newError("invalid_request", 90009,
			"Application '%s'(%s) is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier.", client.AppID, named)
	}
	resource := form.Get("resource")
	switch {
	case strings.Contains(path, "/v2.0/") && resource == "":
		return forItself(client.AppID)
	case !strings.Contains(path, "/v2.0/") && resource != "" && !strings.EqualFold(resource, client.AppID):
		if r := s.dir.resource(resource); r != nil && r.AppID == client.AppID {
			return forItself(resource)
		}
	}
	return nil
}
