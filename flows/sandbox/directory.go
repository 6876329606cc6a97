package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The sandbox tenant's fixed identifiers. They never change, so a config written by one run of
// `oboscope sandbox` stays valid for the next (the port and the CA are what a restart changes).
const (
	TenantID     = "0b05c0de-7e4a-4000-8000-000000000001"
	TenantDomain = "contoso.example"
	TenantName   = "Contoso (oboscope sandbox)"

	ClientAppID     = "0b05c0de-c11e-4000-8000-000000000002" // Contoso Chat Client (public client)
	AgentAppID      = "0b05c0de-a9e1-4000-8000-000000000003" // Contoso Agent API (middle tier)
	MCPAppID        = "0b05c0de-3c90-4000-8000-000000000004" // Contoso MCP Server
	BlueprintAppID  = "0b05c0de-b1e9-4000-8000-000000000005" // Contoso Agent ID blueprint
	AgentIdentityID = "0b05c0de-a1d0-4000-8000-000000000006" // agent identity of the blueprint
	// OtherAgentIdentityID is a second agent identity of the blueprint (another agent's).
	OtherAgentIdentityID = "0b05c0de-a1d0-4000-8000-000000000007"
	GraphAppID           = "00000003-0000-0000-c000-000000000000" // Microsoft Graph
	AgentAppIDURI        = "api://contoso-agent"
	MCPAppIDURI          = "api://contoso-mcp"
	GraphAppIDURI        = "https://graph.microsoft.com"
	TokenExchangeAudID   = "api://AzureADTokenExchange" // the audience of federated credentials (T1)

	AliceUPN = "alice@contoso.example" // member
	DanaUPN  = "dana@fabrikam.example" // guest from another tenant, never invited here
	ErinUPN  = "erin@contoso.example"  // member of 250 groups
	CarolUPN = "carol@contoso.example" // member a conditional access policy requires MFA for
	BobUPN   = "bob@contoso.example"   // member a conditional access policy blocks from the MCP API

	fabrikamTenantID = "0b05c0de-fab0-4000-8000-000000000099"
	mfaPolicyID      = "0b05c0de-ca00-4000-8000-0000000000c1"
	blockPolicyID    = "0b05c0de-ca00-4000-8000-0000000000c2"
)

// User is a person in (or, for the guest, outside) the directory.
type User struct {
	ID          string
	UPN         string
	DisplayName string
	GivenName   string
	Surname     string
	HomeTenant  string
	InTenant    bool     // false: the account exists only in its home tenant (never invited)
	Groups      []string // group object IDs
	// NoMFAMethod: the user has registered no MFA method, so a policy requiring MFA asks them
	// to enroll (AADSTS50079) instead of to use MFA (AADSTS50076).
	NoMFAMethod bool
}

// Scope is a delegated permission an API exposes (oauth2PermissionScopes).
type Scope struct {
	ID    string
	Value string
}

// PreAuthorized is one preAuthorizedApplications entry: a client that needs no consent for scopes.
type PreAuthorized struct {
	AppID  string
	Scopes []string
}

// Secret is a client secret credential (passwordCredentials). Value is what the app must send;
// KeyID is the credential's ID (sending it instead of the value is a classic mistake).
type Secret struct {
	KeyID string
	Hint  string
	Value string
	End   time.Time
}

// CertCredential is a certificate credential (keyCredentials). The certificate itself is made
// on first use (load).
type CertCredential struct {
	KeyID string
	End   time.Time
	load  func() (*credentialCert, error)
}

// App is an app registration with its service principal in this tenant.
type App struct {
	AppID          string
	ObjectID       string
	DisplayName    string
	IdentifierURIs []string
	PublicClient   bool // "Allow public client flows"
	RedirectURIs   []string
	// SPARedirectURIs are the redirect URIs registered under the Single-page application
	// platform: codes for them are redeemed only cross-origin (with an Origin header).
	SPARedirectURIs []string
	Scopes          []Scope
	AppRoles        []Scope
	AcceptedVersion int // accessTokenAcceptedVersion: 1 (or unset) or 2
	KnownClients    []string
	PreAuthorized   []PreAuthorized
	Secrets         []Secret
	Certificates    []CertCredential
	GroupClaims     bool   // groupMembershipClaims: SecurityGroup
	Kind            string // "app" | "first-party" | "blueprint" | "agent-identity"
	Blueprint       string // agent identity: its blueprint's app ID
	// RequiredAccess lists the delegated permissions the app asks for ("API permissions"):
	// resource app ID → scope values.
	RequiredAccess map[string][]string
}

// Grant is an oauth2PermissionGrant: consent for Client to call Resource with Scopes, for every
// user (AllPrincipals) or one (Principal).
type Grant struct {
	ClientID    string
	ResourceID  string
	Scopes      []string
	PrincipalID string // "" = AllPrincipals (admin consent)
}

// RoleAssignment gives an application an app role of a resource (application permission).
type RoleAssignment struct {
	ClientID   string
	ResourceID string
	Role       string
}

// Policy is a conditional access policy for a resource: it requires MFA or blocks access.
type Policy struct {
	ID         string
	Name       string
	ResourceID string
	Users      []string // user IDs, or "All"
	Enabled    bool
	Block      bool // grant control "block access"; otherwise "require multifactor authentication"
}

// Directory is the sandbox tenant's state. Every answer of the authority is decided from it.
type Directory struct {
	TenantID string
	Domain   string
	Name     string
	Users    []*User
	Apps     []*App
	Grants   []Grant
	Roles    []RoleAssignment
	Policies []Policy
}

// defaultSecret is the fixed value of a sandbox secret by name (client, agent, mcp, blueprint);
// Options.Secrets overrides it. Fixed values keep a written config valid across restarts.
func defaultSecret(name string) string {
	switch name {
	case "client":
		return "Cli8Q~sandbox.client.secret.0b05c0de.0002"
	case "agent":
		return "Agt8Q~sandbox.agent.secret.0b05c0de.0003"
	case "mcp":
		return "Mcp8Q~sandbox.mcp.secret.0b05c0de.0004"
	case "blueprint":
		return "Blu8Q~sandbox.blueprint.secret.0b05c0de.0005"
	case "foundry-blueprint", "foundry-connection", "mcp-key":
		return foundrySecret(name)
	}
	return ""
}

// The key IDs of the secrets above (what the portal shows as "Secret ID").
const (
	clientSecretKeyID    = "0b05c0de-5ec0-4000-8000-000000000002"
	agentSecretKeyID     = "0b05c0de-5ec0-4000-8000-000000000003"
	mcpSecretKeyID       = "0b05c0de-5ec0-4000-8000-000000000004"
	blueprintSecretKeyID = "0b05c0de-5ec0-4000-8000-000000000005"
	agentCertKeyID       = "0b05c0de-ce70-4000-8000-000000000003"
)

// newDirectory builds the healthy directory. secrets overrides generated secret values by name
// (client, agent, mcp, blueprint); now dates the credentials.
func newDirectory(secrets map[string]string, km *keyMaterial, now time.Time) *Directory {
	secret := func(name string) string {
		if v := secrets[name]; v != "" {
			return v
		}
		return defaultSecret(name)
	}
	validTo := now.AddDate(1, 0, 0)
	groups := func(user, n int) []string {
		gs := make([]string, n)
		for i := range gs {
			gs[i] = fmt.Sprintf("0b05c0de-6%03x-4000-8000-%012x", i, user)
		}
		return gs
	}
	d := &Directory{TenantID: TenantID, Domain: TenantDomain, Name: TenantName}
	d.Users = []*User{
		{ID: "0b05c0de-0000-4000-8000-000000000101", UPN: AliceUPN, DisplayName: "Alice Wilson", GivenName: "Alice", Surname: "Wilson", HomeTenant: TenantID, InTenant: true, Groups: groups(1, 3)},
		{ID: "0b05c0de-0000-4000-8000-000000000102", UPN: DanaUPN, DisplayName: "Dana Guest", GivenName: "Dana", Surname: "Guest", HomeTenant: fabrikamTenantID, InTenant: false},
		{ID: "0b05c0de-0000-4000-8000-000000000103", UPN: ErinUPN, DisplayName: "Erin Groups", GivenName: "Erin", Surname: "Groups", HomeTenant: TenantID, InTenant: true, Groups: groups(3, 250), NoMFAMethod: true},
		{ID: "0b05c0de-0000-4000-8000-000000000104", UPN: CarolUPN, DisplayName: "Carol MFA", GivenName: "Carol", Surname: "MFA", HomeTenant: TenantID, InTenant: true, Groups: groups(4, 2)},
		{ID: "0b05c0de-0000-4000-8000-000000000105", UPN: BobUPN, DisplayName: "Bob Blocked", GivenName: "Bob", Surname: "Blocked", HomeTenant: TenantID, InTenant: true, Groups: groups(5, 1)},
	}
	d.Apps = []*App{
		{
			AppID: ClientAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000002", DisplayName: "Contoso Chat Client",
			PublicClient: true, Kind: "app", AcceptedVersion: 2,
			RedirectURIs: []string{"http://localhost", "https://login.microsoftonline.com/common/oauth2/nativeclient"},
			// A browser client's redirect URI, registered under the Single-page application
			// platform (its codes are redeemed cross-origin only).
			SPARedirectURIs: []string{"http://localhost:5173"},
			Secrets:         []Secret{{KeyID: clientSecretKeyID, Hint: secret("client")[:3], Value: secret("client"), End: validTo}},
			RequiredAccess:  map[string][]string{AgentAppID: {"access_as_user"}, GraphAppID: {"User.Read"}},
		},
		{
			AppID: AgentAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000003", DisplayName: "Contoso Agent API",
			IdentifierURIs: []string{AgentAppIDURI}, Kind: "app", AcceptedVersion: 2, GroupClaims: true,
			Scopes: []Scope{
				{ID: "0b05c0de-5c0e-4000-8000-000000000031", Value: "access_as_user"},
				{ID: "0b05c0de-5c0e-4000-8000-000000000033", Value: "Chat.Read"},
			},
			AppRoles:       []Scope{{ID: "0b05c0de-5c0e-4000-8000-000000000032", Value: "Agent.Invoke"}},
			KnownClients:   []string{ClientAppID},
			PreAuthorized:  []PreAuthorized{{AppID: ClientAppID, Scopes: []string{"access_as_user", "Chat.Read"}}},
			Secrets:        []Secret{{KeyID: agentSecretKeyID, Hint: secret("agent")[:3], Value: secret("agent"), End: validTo}},
			Certificates:   []CertCredential{{KeyID: agentCertKeyID, End: now.AddDate(1, 0, 0), load: km.agentCert}},
			RequiredAccess: map[string][]string{MCPAppID: {"tools.call"}},
		},
		{
			AppID: MCPAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000004", DisplayName: "Contoso MCP Server",
			IdentifierURIs: []string{MCPAppIDURI}, Kind: "app", AcceptedVersion: 2, GroupClaims: true,
			Scopes:         []Scope{{ID: "0b05c0de-5c0e-4000-8000-000000000041", Value: "tools.call"}},
			Secrets:        []Secret{{KeyID: mcpSecretKeyID, Hint: secret("mcp")[:3], Value: secret("mcp"), End: validTo}},
			RequiredAccess: map[string][]string{GraphAppID: {"User.Read"}},
		},
		{
			AppID: GraphAppID, ObjectID: "0b05c0de-0b1e-4000-8000-0000000000f0", DisplayName: "Microsoft Graph",
			IdentifierURIs: []string{GraphAppIDURI, "https://graph.microsoft.com/"}, Kind: "first-party", AcceptedVersion: 1,
			Scopes: []Scope{{ID: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", Value: "User.Read"}},
		},
		{
			AppID: BlueprintAppID, ObjectID: "0b05c0de-0b1e-4000-8000-000000000005", DisplayName: "Contoso Agent Blueprint",
			IdentifierURIs: []string{"api://" + BlueprintAppID}, Kind: "blueprint", AcceptedVersion: 2,
			Scopes:        []Scope{{ID: "0b05c0de-5c0e-4000-8000-000000000051", Value: "access_as_user"}},
			PreAuthorized: []PreAuthorized{{AppID: ClientAppID, Scopes: []string{"access_as_user"}}},
			Secrets:       []Secret{{KeyID: blueprintSecretKeyID, Hint: secret("blueprint")[:3], Value: secret("blueprint"), End: validTo}},
		},
		{
			AppID: AgentIdentityID, ObjectID: AgentIdentityID, DisplayName: "Contoso Agent Identity",
			Kind: "agent-identity", Blueprint: BlueprintAppID, AcceptedVersion: 2,
		},
		{
			AppID: OtherAgentIdentityID, ObjectID: OtherAgentIdentityID, DisplayName: "Contoso Other Agent Identity",
			Kind: "agent-identity", Blueprint: BlueprintAppID, AcceptedVersion: 2,
		},
	}
	d.Grants = []Grant{
		{ClientID: ClientAppID, ResourceID: GraphAppID, Scopes: []string{"User.Read", "openid", "profile", "offline_access"}},
		{ClientID: AgentAppID, ResourceID: MCPAppID, Scopes: []string{"tools.call"}},
		{ClientID: MCPAppID, ResourceID: GraphAppID, Scopes: []string{"User.Read"}},
		{ClientID: AgentIdentityID, ResourceID: MCPAppID, Scopes: []string{"tools.call"}},
		{ClientID: AgentIdentityID, ResourceID: GraphAppID, Scopes: []string{"User.Read"}},
		{ClientID: OtherAgentIdentityID, ResourceID: MCPAppID, Scopes: []string{"tools.call"}},
	}
	mcpClientApp(d)
	d.Roles = []RoleAssignment{{ClientID: ClientAppID, ResourceID: AgentAppID, Role: "Agent.Invoke"}}
	d.Policies = []Policy{
		{
			ID: mfaPolicyID, Name: "Require MFA for Contoso MCP Server", ResourceID: MCPAppID,
			Users: []string{"0b05c0de-0000-4000-8000-000000000104"}, Enabled: true,
		},
		{
			ID: blockPolicyID, Name: "Block Bob from Contoso MCP Server", ResourceID: MCPAppID,
			Users: []string{"0b05c0de-0000-4000-8000-000000000105"}, Enabled: true, Block: true,
		},
	}
	addFoundry(d, secret, validTo)
	return d
}

// app returns the registration with this app ID (client_id), or nil.
func (d *Directory) app(appID string) *App {
	for _, a := range d.Apps {
		if strings.EqualFold(a.AppID, appID) {
			return a
		}
	}
	return nil
}

// resource finds the API a resource identifier names: an app ID GUID, an identifier URI, or
// api://<appID>. Trailing slashes are ignored as Entra ignores them.
func (d *Directory) resource(id string) *App {
	id = strings.TrimSuffix(id, "/")
	for _, a := range d.Apps {
		if a.Kind == "agent-identity" {
			continue
		}
		if strings.EqualFold(a.AppID, id) || strings.EqualFold("api://"+a.AppID, id) {
			return a
		}
		for _, u := range a.IdentifierURIs {
			if strings.EqualFold(strings.TrimSuffix(u, "/"), id) {
				return a
			}
		}
	}
	return nil
}

// userByName finds a user by UPN (case-insensitive) or object ID, in the tenant or not.
func (d *Directory) userByName(name string) *User {
	for _, u := range d.Users {
		if strings.EqualFold(u.UPN, name) || strings.EqualFold(u.ID, name) {
			return u
		}
	}
	return nil
}

// userByID finds a user by object ID.
func (d *Directory) userByID(id string) *User { return d.userByName(id) }

// hasScope reports whether the API exposes the delegated scope (case-insensitive, as Entra).
func (a *App) hasScope(value string) (string, bool) {
	for _, s := range a.Scopes {
		if strings.EqualFold(s.Value, value) {
			return s.Value, true
		}
	}
	return "", false
}

// primaryURI is the identifier a token's v1 aud carries: the first identifier URI, or the app ID.
func (a *App) primaryURI() string {
	if len(a.IdentifierURIs) > 0 {
		return a.IdentifierURIs[0]
	}
	return a.AppID
}

// consented reports whether client may call resource with scope for user: pre-authorized, an
// admin or user consent grant, or (for the middle tier) a known client application of the
// resource the client belongs to — combined consent given at the client's sign-in.
func (d *Directory) consented(client, resource *App, scope string, user *User, viaClient string) bool {
	for _, p := range resource.PreAuthorized {
		if strings.EqualFold(p.AppID, client.AppID) && containsFold(p.Scopes, scope) {
			return true
		}
	}
	for _, g := range d.Grants {
		if strings.EqualFold(g.ClientID, client.AppID) && strings.EqualFold(g.ResourceID, resource.AppID) &&
			containsFold(g.Scopes, scope) && (g.PrincipalID == "" || (user != nil && g.PrincipalID == user.ID)) {
			return true
		}
	}
	if viaClient != "" && slices.ContainsFunc(client.KnownClients, func(c string) bool { return strings.EqualFold(c, viaClient) }) {
		return containsFold(client.RequiredAccess[resource.AppID], scope)
	}
	return false
}

// consentedScopes lists every scope of resource client may use for user (what .default yields).
func (d *Directory) consentedScopes(client, resource *App, user *User, viaClient string) []string {
	var out []string
	for _, s := range resource.Scopes {
		if d.consented(client, resource, s.Value, user, viaClient) {
			out = append(out, s.Value)
		}
	}
	return out
}

// rolesFor lists the app roles of resource assigned to client.
func (d *Directory) rolesFor(client, resource *App) []string {
	var out []string
	for _, r := range d.Roles {
		if strings.EqualFold(r.ClientID, client.AppID) && strings.EqualFold(r.ResourceID, resource.AppID) {
			out = append(out, r.Role)
		}
	}
	return out
}

// mfaPolicy returns the enabled policy requiring MFA of user for resource, or nil.
func (d *Directory) mfaPolicy(resource *App, user *User) *Policy {
	return d.policy(resource, user, false)
}

// blockPolicy returns the enabled policy blocking user from resource, or nil.
func (d *Directory) blockPolicy(resource *App, user *User) *Policy {
	return d.policy(resource, user, true)
}

func (d *Directory) policy(resource *App, user *User, block bool) *Policy {
	for i, p := range d.Policies {
		if !p.Enabled || p.Block != block || !strings.EqualFold(p.ResourceID, resource.AppID) || user == nil {
			continue
		}
		if slices.Contains(p.Users, "All") || slices.Contains(p.Users, user.ID) {
			return &d.Policies[i]
		}
	}
	return nil
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
