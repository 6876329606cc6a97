package sandbox

import (
	"sort"
	"time"
)

// The Foundry project of the sandbox tenant: the resource its Responses API is called with
// (https://ai.azure.com), the agent identity blueprint Foundry provisions for the project with
// the project's shared agent identity and a published agent's own, the project's managed
// identity, and the app registration of an OAuth identity passthrough connection.
const (
	FoundryAppID             = "0b05c0de-f0a1-4000-8000-000000000010" // the ai.azure.com resource
	FoundryAppIDURI          = "https://ai.azure.com"
	FoundryBlueprintAppID    = "0b05c0de-b1e9-4000-8000-000000000011" // the project's agent identity blueprint
	FoundryProjectIdentityID = "0b05c0de-a1d0-4000-8000-000000000012" // shared by the project's agents until published
	FoundryAgentIdentityID   = "0b05c0de-a1d0-4000-8000-000000000013" // the published contoso-agent's own
	FoundryManagedIdentityID = "0b05c0de-a1d0-4000-8000-000000000014" // the project's managed identity
	FoundryConnectionAppID   = "0b05c0de-c0ec-4000-8000-000000000015" // the passthrough connection's OAuth app

	// FoundryProject is the project's name in its endpoint, /api/projects/<project>.
	FoundryProject = "contoso"
	// FoundryServerLabel is the MCP tool's server_label in every sandbox agent.
	FoundryServerLabel = "contoso-mcp"

	foundryMIResourceID = "/subscriptions/0b05c0de-5b5c-4000-8000-000000000001/resourceGroups/contoso-ai/providers/Microsoft.CognitiveServices/accounts/contoso/projects/" + FoundryProject
	mcpRoleID           = "0b05c0de-5c0e-4000-8000-000000000042"
)

// foundrySecret is the fixed value of the Foundry secrets by name.
func foundrySecret(name string) string {
	switch name {
	case "foundry-blueprint":
		return "Fbp8Q~sandbox.foundry.blueprint.0b05c0de.0011"
	case "foundry-connection":
		return "Fcn8Q~sandbox.foundry.connection.0b05c0de.0015"
	case "mcp-key":
		return "mcpkey_sandbox_0b05c0de_contoso_mcp_api_key"
	}
	return ""
}

// addFoundry adds the Foundry project's registrations to the healthy directory: the clients may
// call https://ai.azure.com, the MCP server exposes an app role (tools.call) that the agent
// identities and the managed identity hold, and the passthrough connection may request the MCP
// server's scope (and, consented earlier, the agent API's: the wrong-audience scenario's).
func addFoundry(d *Directory, secret func(string) string, validTo time.Time) {
	d.Apps = append(d.Apps,
		&App{
			AppID: FoundryAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000010", DisplayName: "Azure AI Foundry",
			IdentifierURIs: []string{FoundryAppIDURI}, Kind: "app", AcceptedVersion: 1,
			Scopes: []Scope{{ID: "0b05c0de-5c0e-4000-8000-000000000101", Value: "user_impersonation"}},
		},
		&App{
			AppID: FoundryBlueprintAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000011", DisplayName: "Contoso Foundry project (agent identity blueprint)",
			Kind: "blueprint", AcceptedVersion: 2,
			Secrets: []Secret{{KeyID: "0b05c0de-5ec0-4000-8000-000000000011", Hint: secret("foundry-blueprint")[:3], Value: secret("foundry-blueprint"), End: validTo}},
		},
		&App{AppID: FoundryProjectIdentityID, ObjectID: FoundryProjectIdentityID, DisplayName: "Contoso Foundry project agent identity",
			Kind: "agent-identity", Blueprint: FoundryBlueprintAppID, AcceptedVersion: 2},
		&App{AppID: FoundryAgentIdentityID, ObjectID: FoundryAgentIdentityID, DisplayName: "contoso-agent (published agent identity)",
			Kind: "agent-identity", Blueprint: FoundryBlueprintAppID, AcceptedVersion: 2},
		&App{AppID: FoundryManagedIdentityID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000014", DisplayName: "Contoso Foundry project (managed identity)",
			Kind: "managed-identity", AcceptedVersion: 2},
		&App{
			AppID: FoundryConnectionAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000015", DisplayName: "Contoso Foundry MCP connection (OAuth)",
			Kind: "app", AcceptedVersion: 2,
			Secrets:        []Secret{{KeyID: "0b05c0de-5ec0-4000-8000-000000000015", Hint: secret("foundry-connection")[:3], Value: secret("foundry-connection"), End: validTo}},
			RequiredAccess: map[string][]string{MCPAppID: {"tools.call"}, AgentAppID: {"access_as_user"}},
		},
	)
	d.app(ClientAppID).RequiredAccess[FoundryAppID] = []string{"user_impersonation"}
	mcp := d.app(MCPAppID)
	mcp.AppRoles = append(mcp.AppRoles, Scope{ID: mcpRoleID, Value: "tools.call"})
	d.Grants = append(d.Grants,
		Grant{ClientID: ClientAppID, ResourceID: FoundryAppID, Scopes: []string{"user_impersonation"}},
		Grant{ClientID: FoundryConnectionAppID, ResourceID: MCPAppID, Scopes: []string{"tools.call"}},
		Grant{ClientID: FoundryConnectionAppID, ResourceID: AgentAppID, Scopes: []string{"access_as_user"}},
	)
	for _, id := range []string{FoundryProjectIdentityID, FoundryAgentIdentityID, FoundryManagedIdentityID} {
		d.Roles = append(d.Roles, RoleAssignment{ClientID: id, ResourceID: MCPAppID, Role: "tools.call"})
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
