package inspect

import "testing"

// testNames are the app names of a configuration: the agent API with a display name, the MCP
// server and the client app by their roles.
var testNames = AppNames{
	"22222222-aaaa-bbbb-cccc-000000000001": "Contoso Agent API",
	"api://contoso-agent":                  "Contoso Agent API",
	"44444444-aaaa-bbbb-cccc-000000000004": "the MCP server",
	"api://contoso-mcp":                    "the MCP server",
	"04b07795-8ddb-461a-bbee-02f9e1bf7b46": "the client app",
}

func TestAppNamesName(t *testing.T) {
	tok := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	tests := []struct {
		name  string
		names AppNames
		tok   *Token
		id    string
		want  string
	}{
		{"display name", testNames, tok, "22222222-aaaa-bbbb-cccc-000000000001", "Contoso Agent API"},
		{"display name, any case", testNames, tok, "API://Contoso-Agent", "Contoso Agent API"},
		{"role with the ID", testNames, tok, "api://contoso-mcp", "the MCP server (api://contoso-mcp)"},
		{"well-known name before a role", testNames, tok, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Azure CLI"},
		{"well-known name", testNames, tok, "https://graph.microsoft.com/", "Microsoft Graph"},
		{"well-known name without a token", testNames, nil, "00000003-0000-0000-c000-000000000000", "Microsoft Graph"},
		{"unknown ID", testNames, tok, "api://other", "api://other"},
		{"no names", nil, nil, "api://contoso-agent", "api://contoso-agent"},
		{"no ID", testNames, tok, "", "(unknown app)"},
	}
	for _, tt := range tests {
		if got := tt.names.Name(tt.tok, tt.id); got != tt.want {
			t.Errorf("%s: Name(%q) = %q, want %q", tt.name, tt.id, got, tt.want)
		}
	}
}

func TestAppNamesKnown(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"api://contoso-agent", "Contoso Agent API"},
		{"api://contoso-mcp", "the MCP server"},
		{"04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Azure CLI"},
		{"https://graph.microsoft.com", "Microsoft Graph"},
		{"api://other", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := testNames.Known(nil, tt.id); got != tt.want {
			t.Errorf("Known(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestAppNamesLookup(t *testing.T) {
	mixed := AppNames{"API://Mixed-Case": "Mixed"}
	tests := []struct {
		name   string
		names  AppNames
		id     string
		want   string
		wantOK bool
	}{
		{"lower-cased key", testNames, "api://contoso-agent", "Contoso Agent API", true},
		{"ID in another case", testNames, "API://CONTOSO-AGENT", "Contoso Agent API", true},
		{"key in another case", mixed, "api://mixed-case", "Mixed", true},
		{"absent", testNames, "api://other", "", false},
		{"nil map", nil, "api://contoso-agent", "", false},
	}
	for _, tt := range tests {
		got, ok := tt.names.Lookup(tt.id)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: Lookup(%q) = %q, %v; want %q, %v", tt.name, tt.id, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestIsExchangeCredential(t *testing.T) {
	tok := func(aud any) *Token {
		return mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", aud, "scp", nil, "roles", nil, "idtyp", "app")))
	}
	tests := []struct {
		name string
		tok  *Token
		want bool
	}{
		{"T1", tok("api://AzureADTokenExchange"), true},
		{"lower case", tok("api://azureadtokenexchange"), true},
		{"with .default", tok("api://AzureADTokenExchange/.default"), true},
		{"with a trailing slash", tok("api://AzureADTokenExchange/"), true},
		{"among several audiences", tok([]any{"api://other", "api://AzureADTokenExchange"}), true},
		{"another API", tok("api://contoso-agent"), false},
		{"a longer name", tok("api://AzureADTokenExchangeX"), false},
		{"no token", nil, false},
	}
	for _, tt := range tests {
		if got := IsExchangeCredential(tt.tok); got != tt.want {
			t.Errorf("%s: IsExchangeCredential = %v, want %v", tt.name, got, tt.want)
		}
	}
}
