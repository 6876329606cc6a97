package inspect

import "strings"

// wellKnownApps maps Microsoft first-party application IDs and resource URIs to their names.
// Read-only.
var wellKnownApps = map[string]string{
	"00000003-0000-0000-c000-000000000000":      "Microsoft Graph",
	"https://graph.microsoft.com":               "Microsoft Graph",
	"https://canary.graph.microsoft.com":        "Microsoft Graph (canary)",
	"https://graph.microsoft.us":                "Microsoft Graph (US Government)",
	"https://microsoftgraph.chinacloudapi.cn":   "Microsoft Graph (China, 21Vianet)",
	"00000002-0000-0000-c000-000000000000":      "Azure AD Graph (retired)",
	"https://graph.windows.net":                 "Azure AD Graph (retired)",
	"04b07795-8ddb-461a-bbee-02f9e1bf7b46":      "Azure CLI",
	"1950a258-227b-4e31-a9cf-717495945fc2":      "Azure PowerShell",
	"1b730954-1685-4b74-9bfd-dac224a7b894":      "Azure AD PowerShell",
	"14d82eec-204b-4c2f-b7e8-296a70dab67e":      "Microsoft Graph Command Line Tools",
	"de8bc8b5-d9f9-48b1-a8ad-b748da725064":      "Graph Explorer",
	"c44b4083-3bb0-49c1-b47d-974e53cbdf3c":      "Azure Portal",
	"797f4846-ba00-4fd7-ba43-dac1f8f63013":      "Azure Resource Manager (Windows Azure Service Management API)",
	"https://management.azure.com":              "Azure Resource Manager",
	"https://management.core.windows.net":       "Azure Resource Manager (classic endpoint)",
	"d3590ed6-52b3-4102-aeff-aad2292ab01c":      "Microsoft Office",
	"1fec8e78-bce4-4aaf-ab1b-5451cc387264":      "Microsoft Teams",
	"5e3ce6c0-2b1f-4285-8d4b-75ee78787346":      "Microsoft Teams Web Client",
	"cc15fd57-2c6c-4117-a88c-83b1d56b4bbe":      "Microsoft Teams Services",
	"00000002-0000-0ff1-ce00-000000000000":      "Office 365 Exchange Online",
	"https://outlook.office.com":                "Office 365 Exchange Online",
	"https://outlook.office365.com":             "Office 365 Exchange Online",
	"00000003-0000-0ff1-ce00-000000000000":      "Office 365 SharePoint Online",
	"00000004-0000-0ff1-ce00-000000000000":      "Skype for Business Online",
	"00000006-0000-0ff1-ce00-000000000000":      "Microsoft Office 365 Portal",
	"00000007-0000-0000-c000-000000000000":      "Dynamics 365 / Dataverse",
	"00000009-0000-0000-c000-000000000000":      "Power BI Service",
	"https://analysis.windows.net/powerbi/api":  "Power BI Service",
	"0000000a-0000-0000-c000-000000000000":      "Microsoft Intune",
	"0000000c-0000-0000-c000-000000000000":      "Microsoft App Access Panel",
	"c5393580-f805-4401-95e8-94b7a6ef2fc2":      "Office 365 Management APIs",
	"4765445b-32c6-49b0-83e6-1d93765276ca":      "OfficeHome",
	"27922004-5251-4030-b22d-91ecd9a37ea4":      "Outlook Mobile",
	"29d9ed98-a469-4536-ade2-f981bc1d605e":      "Microsoft Authentication Broker",
	"872cd9fa-d31f-45e0-9eab-6e460a02d1f1":      "Visual Studio",
	"aebc6443-996d-45c2-90f0-388ff96faa56":      "Visual Studio Code",
	"a0c73c16-a7e3-4564-9a95-2bdf47383716":      "Exchange Online Remote PowerShell",
	"cfa8b339-82a2-471a-a3c9-0fc0be7a4093":      "Azure Key Vault",
	"https://vault.azure.net":                   "Azure Key Vault",
	"e406a681-f3d4-42a8-90b6-c2b029497af1":      "Azure Storage",
	"https://storage.azure.com":                 "Azure Storage",
	"022907d3-0f1b-48f7-badc-1ba6abab6d66":      "Azure SQL Database",
	"https://database.windows.net":              "Azure SQL Database",
	"https://ossrdbms-aad.database.windows.net": "Azure Database for PostgreSQL / MySQL",
	"2ff814a6-3304-4ab8-85cb-cd0e6f879c1d":      "Azure Databricks",
	"7d312290-28c8-473c-a0ed-8e53749b6d6d":      "Azure AI services (Cognitive Services)",
	"https://cognitiveservices.azure.com":       "Azure AI services (Cognitive Services, Azure OpenAI)",
	"https://ai.azure.com":                      "Azure AI Foundry (Agent Service)",
	"https://servicebus.azure.net":              "Azure Service Bus",
	"https://eventhubs.azure.net":               "Azure Event Hubs",
	"https://api.loganalytics.io":               "Azure Log Analytics",
	"https://monitor.azure.com":                 "Azure Monitor",
	"https://search.azure.com":                  "Azure AI Search",
	"https://api.fabric.microsoft.com":          "Microsoft Fabric",
	"api://azureadtokenexchange":                "Entra token exchange (federated identity credentials)",
}

// wellKnownTenants maps notable tenant IDs to what they are. Read-only.
var wellKnownTenants = map[string]string{
	"9188040d-6c67-4c5b-b112-36a304b66dad": "the tenant of personal Microsoft accounts (MSA, 'consumers')",
	"72f988bf-86f1-41af-91ab-2d7cd011db47": "Microsoft's corporate tenant",
	"f8cdef31-a31e-4b4a-93e4-5f571e91255a": "the Microsoft Services tenant (first-party apps)",
}

// AppName returns the name of a well-known Microsoft application or resource, given its app ID
// or resource URI (a trailing slash and a "/.default" scope suffix are ignored), or "" when the
// ID is not one oboscope knows.
func (t *Token) AppName(id string) string { return AppName(id) }

// AppName returns the name of a well-known Microsoft application or resource; see Token.AppName.
func AppName(id string) string {
	k := strings.ToLower(strings.TrimSpace(id))
	k = strings.TrimSuffix(k, "/.default")
	k = strings.TrimRight(k, "/")
	return wellKnownApps[k]
}

// TenantName returns what a notable tenant ID is, or "".
func TenantName(tid string) string { return wellKnownTenants[strings.ToLower(tid)] }

// TokenExchangeAudience is the audience of Entra's token exchange: a token for it is a
// credential (a federated identity credential, such as the Agent ID blueprint's T1), exchanged
// with Entra and presented to no API.
const TokenExchangeAudience = "api://AzureADTokenExchange"

// IsExchangeCredential reports whether t is for Entra's token exchange (TokenExchangeAudience, in
// any case, with or without a "/.default" suffix): a credential such as the Agent ID blueprint's
// T1, which only Entra checks.
func IsExchangeCredential(t *Token) bool {
	if t == nil {
		return false
	}
	for _, aud := range t.Audiences {
		a := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(aud)), "/.default")
		if strings.TrimRight(a, "/") == strings.ToLower(TokenExchangeAudience) {
			return true
		}
	}
	return false
}

// AppNames names the applications of a configuration. Its keys are lower-cased app IDs and App
// ID URIs; its values are display names ("Contoso Agent API") or, where the configuration names
// none, the app's role in the chain ("the agent API").
type AppNames map[string]string

// Lookup returns the name n holds for id, comparing IDs without regard to case.
func (n AppNames) Lookup(id string) (string, bool) {
	if v, ok := n[strings.ToLower(id)]; ok {
		return v, true
	}
	for k, v := range n {
		if strings.EqualFold(k, id) {
			return v, true
		}
	}
	return "", false
}

// Name names an app ID or App ID URI for people: its configured display name, else its
// well-known name (Microsoft Graph), else its role in the configuration with the ID ("the agent
// API (…)"), else the ID itself; "(unknown app)" for an empty ID. t is the token the ID comes
// from and may be nil: the well-known names are the catalogue's (AppName), the same for every
// token.
func (n AppNames) Name(t *Token, id string) string {
	if id == "" {
		return "(unknown app)"
	}
	name, _ := n.Lookup(id)
	if name != "" && !isRoleName(name) {
		return name
	}
	if wk := AppName(id); wk != "" && wk != id {
		return wk
	}
	if name != "" {
		return name + " (" + id + ")"
	}
	return id
}

// Known returns the name of an app ID or App ID URI alone, without the ID, in the order Name
// prefers them (display name, well-known name, role), or "" when none is known: a presentation
// that shows the ID beside it ("Contoso MCP (api://contoso-mcp)") asks for this.
func (n AppNames) Known(t *Token, id string) string {
	if id == "" {
		return ""
	}
	name, _ := n.Lookup(id)
	if name != "" && !isRoleName(name) {
		return name
	}
	if wk := AppName(id); wk != "" && wk != id {
		return wk
	}
	return name
}

// isRoleName reports whether an AppNames value is a role ("the agent API") rather than a display
// name.
func isRoleName(name string) bool { return strings.HasPrefix(name, "the ") }
