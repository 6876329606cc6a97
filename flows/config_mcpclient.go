package flows

import (
	"net/url"
	"strings"
)

// MCPClientConfig is the MCP client's side of chain mcp-client: the registration a client such as
// VS Code, Claude Code or an SDK client uses against the authorization server the MCP server
// names, and how it shapes its requests.
type MCPClientConfig struct {
	// ClientID is the client's pre-registered client id (a GUID for Entra), or "" when the client
	// has none and needs dynamic registration or a client ID metadata document.
	ClientID string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	// DisplayName names the client in stories ("Contoso MCP Client"); optional.
	DisplayName string `yaml:"display_name,omitempty" json:"display_name,omitempty"`
	// RedirectURI is where the authorization response comes back: a loopback http URL with a
	// port, where oboscope listens during a live sign-in (default http://localhost:8400/callback).
	RedirectURI string `yaml:"redirect_uri,omitempty" json:"redirect_uri,omitempty"`
	// SendResource sends the RFC 8707 resource parameter, as the MCP specification asks (default
	// true); false is what clients with a --disable-resource-parameter switch do.
	SendResource *bool `yaml:"send_resource,omitempty" json:"send_resource,omitempty"`
	// RefreshScope sends the scopes again on refresh (default true), as Entra needs; false is what
	// golang.org/x/oauth2 and the TypeScript MCP SDK send by themselves.
	RefreshScope *bool `yaml:"refresh_scope,omitempty" json:"refresh_scope,omitempty"`
}

// DefaultRedirectURI is the MCP client's redirect URI when mcp.client.redirect_uri is not set.
const DefaultRedirectURI = "http://localhost:8400/callback"

// mcpClient is mcp.client with its defaults.
type mcpClient struct {
	clientID, redirectURI      string
	sendResource, refreshScope bool
}

// mcpClient returns mcp.client with its defaults filled in.
func (c Config) mcpClient() mcpClient {
	out := mcpClient{redirectURI: DefaultRedirectURI, sendResource: true, refreshScope: true}
	mc := c.MCP.Client
	if mc == nil {
		return out
	}
	out.clientID = mc.ClientID
	if mc.RedirectURI != "" {
		out.redirectURI = mc.RedirectURI
	}
	if mc.SendResource != nil {
		out.sendResource = *mc.SendResource
	}
	if mc.RefreshScope != nil {
		out.refreshScope = *mc.RefreshScope
	}
	return out
}

// validateMCPClient checks what chain mcp-client needs: the MCP server's URL and audience (the
// common mcp checks) and the client's registration. The signin, agent and obo sections are not
// used by this chain and are not checked.
func (c Config) validateMCPClient(bad func(string, string, ...any)) {
	if c.MCP.URL == "" {
		bad("mcp.url", "required for chain mcp-client (the MCP server the client signs in to)")
	}
	mc := c.MCP.Client
	if mc == nil {
		return
	}
	if id := mc.ClientID; id != "" && !IsGUID(id) {
		if u, err := url.Parse(id); err != nil || u.Scheme != "https" || u.Path == "" {
			bad("mcp.client.client_id", "%q is neither a GUID nor an https URL (a client ID metadata document)", id)
		}
	}
	if r := mc.RedirectURI; r != "" {
		u, err := url.Parse(r)
		switch {
		case err != nil || u.Host == "":
			bad("mcp.client.redirect_uri", "%q is not an absolute URL", r)
		case u.Scheme != "http" || !isLoopback(u.Hostname()) || u.Port() == "":
			bad("mcp.client.redirect_uri", "%q must be a loopback http URL with a port (http://localhost:8400/callback): oboscope listens there for the authorization response", r)
		case strings.Contains(u.RawQuery+u.Fragment, "="):
			bad("mcp.client.redirect_uri", "%q must not carry a query or fragment", r)
		}
	}
}
