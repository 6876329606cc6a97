// Package flows is oboscope's engine: it loads the configuration, runs the hops of the
// delegated-auth chain (MSAL Go, HTTP, the MCP go-sdk) as one table per chain profile, records every
// exchange with secrets redacted, and emits complete facts — every token with its role and
// lineage, the findings inspect's rules raise from what was observed, the one map of app names.
// It prints nothing for people (flows/report renders, ui shows) and imports only inspect.
package flows

import (
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// Config is the validated configuration of a walk, in the schema of DESIGN.md ("Configuration").
// The sandbox writes one that points at itself; live mode reads one from a file, AZURE_* variables
// and flags.
type Config struct {
	// Chain is the chain profile to walk: agent-obo (default) or mcp-client.
	Chain         string       `yaml:"chain,omitempty" json:"chain,omitempty"`
	TenantID      string       `yaml:"tenant_id" json:"tenant_id"`
	AuthorityHost string       `yaml:"authority_host" json:"authority_host"`
	CAFile        string       `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	Signin        SigninConfig `yaml:"signin,omitempty" json:"signin,omitzero"`
	Agent         AgentConfig  `yaml:"agent,omitempty" json:"agent,omitzero"`
	OBO           OBOConfig    `yaml:"obo,omitempty" json:"obo,omitzero"`
	MCP           MCPConfig    `yaml:"mcp" json:"mcp"`

	// Dir is the folder of the config file; relative paths in the file are relative to it.
	Dir string `yaml:"-" json:"-"`
	// CAPEM is an extra CA held in memory (the embedded sandbox's), trusted like CAFile.
	CAPEM []byte `yaml:"-" json:"-"`
	// Env reads the environment variables that hold secrets (nil: os.Getenv). Tests inject it.
	Env func(string) string `yaml:"-" json:"-"`
}

// SigninConfig describes the first hop: how the user (or, in the app-only scenario, the client
// itself) obtains the token sent to the agent.
type SigninConfig struct {
	ClientID string `yaml:"client_id" json:"client_id"`
	// DisplayName names the client app in stories ("Contoso Chat Client"); optional.
	DisplayName string `yaml:"display_name,omitempty" json:"display_name,omitempty"`
	// Flow is device_code (default), browser, token (a token the user brings) or
	// client_credentials (app-only; this is what the app-only-token scenario shows going wrong).
	Flow      string   `yaml:"flow,omitempty" json:"flow,omitempty"`
	Scopes    []string `yaml:"scopes" json:"scopes"`
	TokenFile string   `yaml:"token_file,omitempty" json:"token_file,omitempty"`
	// Credentials for flow client_credentials only.
	ClientSecret     string `yaml:"client_secret,omitempty" json:"client_secret,omitempty"`
	ClientSecretEnv  string `yaml:"client_secret_env,omitempty" json:"client_secret_env,omitempty"`
	ClientSecretFile string `yaml:"client_secret_file,omitempty" json:"client_secret_file,omitempty"`
}

// AgentConfig describes the agent API the user token is sent to.
type AgentConfig struct {
	// URL is the agent API endpoint (kind generic); a Foundry agent is reached through
	// ProjectEndpoint instead.
	URL  string `yaml:"url,omitempty" json:"url,omitempty"`
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"` // generic | foundry
	// ProjectEndpoint is a Foundry project's endpoint
	// (https://<account>.services.ai.azure.com/api/projects/<project>); the agent hop POSTs to
	// its Responses API, {project_endpoint}/openai/v1/responses (kind foundry).
	ProjectEndpoint string `yaml:"project_endpoint,omitempty" json:"project_endpoint,omitempty"`
	// AgentName is the Foundry agent to call (the Responses API's agent_reference; kind foundry).
	AgentName string `yaml:"agent_name,omitempty" json:"agent_name,omitempty"`
	// DisplayName names the agent API in stories ("Contoso Agent API"); optional.
	DisplayName    string   `yaml:"display_name,omitempty" json:"display_name,omitempty"`
	ClientID       string   `yaml:"client_id" json:"client_id"`
	AppIDURI       string   `yaml:"app_id_uri,omitempty" json:"app_id_uri,omitempty"`
	RequiredScopes []string `yaml:"required_scopes,omitempty" json:"required_scopes,omitempty"`
	// Body is the JSON body POSTed to the agent (default {"message": "…"}), for agents that expect
	// another shape.
	Body map[string]any `yaml:"body,omitempty" json:"body,omitempty"`
	// AuthorizedClients are the client app IDs the agent API knows or pre-authorizes
	// (knownClientApplications / preAuthorizedApplications). Empty: not checked.
	AuthorizedClients []string `yaml:"authorized_clients,omitempty" json:"authorized_clients,omitempty"`
}

// OBOConfig describes the middle tier's On-Behalf-Of exchange, performed by oboscope as the agent.
type OBOConfig struct {
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"` // secret | certificate | agent_identity | passthrough | none
	// DisplayName names the middle tier (or agent identity) in stories; optional.
	DisplayName         string   `yaml:"display_name,omitempty" json:"display_name,omitempty"`
	ClientID            string   `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	ClientSecret        string   `yaml:"client_secret,omitempty" json:"client_secret,omitempty"` // sandbox authority only
	ClientSecretEnv     string   `yaml:"client_secret_env,omitempty" json:"client_secret_env,omitempty"`
	ClientSecretFile    string   `yaml:"client_secret_file,omitempty" json:"client_secret_file,omitempty"`
	CertificateFile     string   `yaml:"certificate_file,omitempty" json:"certificate_file,omitempty"`
	BlueprintClientID   string   `yaml:"blueprint_client_id,omitempty" json:"blueprint_client_id,omitempty"`
	BlueprintSecret     string   `yaml:"blueprint_secret,omitempty" json:"blueprint_secret,omitempty"` // sandbox authority only
	BlueprintSecretEnv  string   `yaml:"blueprint_secret_env,omitempty" json:"blueprint_secret_env,omitempty"`
	BlueprintSecretFile string   `yaml:"blueprint_secret_file,omitempty" json:"blueprint_secret_file,omitempty"`
	AgentIdentityID     string   `yaml:"agent_identity_id,omitempty" json:"agent_identity_id,omitempty"`
	Scopes              []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
}

// MCPConfig describes the MCP server the exchanged token is sent to.
type MCPConfig struct {
	URL string `yaml:"url" json:"url"`
	// DisplayName names the MCP server in stories ("Contoso MCP Server"); optional.
	DisplayName string         `yaml:"display_name,omitempty" json:"display_name,omitempty"`
	ClientID    string         `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	AppIDURI    string         `yaml:"app_id_uri,omitempty" json:"app_id_uri,omitempty"`
	Tool        string         `yaml:"tool,omitempty" json:"tool,omitempty"`
	Arguments   map[string]any `yaml:"arguments,omitempty" json:"arguments,omitempty"`
	// DownstreamTool is a tool that reports the server's own downstream OBO (the sandbox's
	// graph_me). Empty: the downstream hop is skipped.
	DownstreamTool string `yaml:"downstream_tool,omitempty" json:"downstream_tool,omitempty"`
	// NeedsUser says the server authorizes per user: an app-only token (an agent identity's, a
	// managed identity's) reaching it is wrong even when it is accepted.
	NeedsUser bool `yaml:"needs_user,omitempty" json:"needs_user,omitempty"`
	// Client is the MCP client's registration, for chain mcp-client (DESIGN.md: mcp.client).
	Client *MCPClientConfig `yaml:"client,omitempty" json:"client,omitempty"`
}

// ChainName returns the chain profile with its default (agent-obo).
func (c Config) ChainName() string {
	if c.Chain == "" {
		return ChainAgentOBO
	}
	return c.Chain
}

// secrets returns the exact secret values to redact anywhere (the configured client secrets).
func (c Config) secrets() []string {
	var out []string
	for _, s := range []struct{ inline, env, file string }{
		{c.Signin.ClientSecret, c.Signin.ClientSecretEnv, c.Signin.ClientSecretFile},
		{c.OBO.ClientSecret, c.OBO.ClientSecretEnv, c.OBO.ClientSecretFile},
		{c.OBO.BlueprintSecret, c.OBO.BlueprintSecretEnv, c.OBO.BlueprintSecretFile},
	} {
		if v, err := c.readSecret(s.inline, s.env, s.file); err == nil && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// AppNames maps the configuration's app IDs and App ID URIs to their display names, or to their
// roles ("the agent API") when no display name is configured: the one map every story, report and
// screen names apps by.
func (c Config) AppNames() inspect.AppNames {
	m := inspect.AppNames{}
	set := func(display, role string, ids ...string) {
		name := display
		if name == "" {
			name = role
		}
		for _, id := range ids {
			if id != "" {
				m[strings.ToLower(id)] = name
			}
		}
	}
	set(c.MCP.DisplayName, "the MCP server", c.MCP.ClientID, c.MCP.AppIDURI)
	set(c.Agent.DisplayName, "the agent API", c.Agent.ClientID, c.Agent.AppIDURI)
	if c.OBO.BlueprintClientID != "" {
		display := ""
		if strings.EqualFold(c.OBO.BlueprintClientID, c.Agent.ClientID) {
			display = c.Agent.DisplayName // the agent API is the blueprint: one app, one name
		}
		set(display, "the agent blueprint", c.OBO.BlueprintClientID, "api://"+c.OBO.BlueprintClientID)
	}
	if c.OBO.AgentIdentityID != "" {
		set(c.OBO.DisplayName, "the agent identity", c.OBO.AgentIdentityID)
	} else if c.OBO.DisplayName != "" && !strings.EqualFold(c.OBO.ClientID, c.Agent.ClientID) {
		set(c.OBO.DisplayName, "the middle tier", c.OBO.ClientID)
	}
	set(c.Signin.DisplayName, "the client app", c.Signin.ClientID)
	if mc := c.MCP.Client; mc != nil {
		set(mc.DisplayName, "the MCP client", mc.ClientID)
	}
	return m
}
