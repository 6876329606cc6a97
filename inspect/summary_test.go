package inspect

import (
	"reflect"
	"testing"
	"time"
)

func TestSummarizeText(t *testing.T) {
	v1 := with(v2Claims(), "aud", "api://contoso-mcp", "iss", "https://sts.windows.net/"+testTenant+"/", "ver", "1.0")
	tests := []struct {
		name   string
		claims map[string]any
		names  AppNames
		want   string
	}{
		{"display name", v2Claims(), testNames, "token for Contoso Agent API, scp access_as_user Files.Read, v2.0"},
		{"role with the ID", v1, testNames, "token for the MCP server (api://contoso-mcp), scp access_as_user Files.Read, v1.0"},
		{"well-known audience", with(v2Claims(), "aud", "https://graph.microsoft.com", "scp", "User.Read"), testNames, "token for Microsoft Graph, scp User.Read, v2.0"},
		{"unknown audience, no names", v2Claims(), nil, "token for 22222222-aaaa-bbbb-cccc-000000000001, scp access_as_user Files.Read, v2.0"},
		{"roles", with(v2Claims(), "scp", nil, "roles", []any{"Tools.Call"}), testNames, "token for Contoso Agent API, roles Tools.Call, v2.0"},
		{"neither scp nor roles", with(v2Claims(), "scp", nil), testNames, "token for Contoso Agent API, no scp or roles, v2.0"},
		{"several audiences by ID", with(v2Claims(), "aud", []any{"api://contoso-agent", "api://contoso-mcp"}), testNames, "token for api://contoso-agent api://contoso-mcp, scp access_as_user Files.Read, v2.0"},
		{"no audience", with(v2Claims(), "aud", nil, "ver", nil, "iss", "https://example.com"), testNames, "token for no audience, scp access_as_user Files.Read"},
	}
	for _, tt := range tests {
		s := Summarize(mustDecode(t, makeToken(t, v2Header(), tt.claims)), tt.names)
		if got := s.Text(); got != tt.want {
			t.Errorf("%s: Text = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSummarizeParts(t *testing.T) {
	tok := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	got := Summarize(tok, testNames)
	want := TokenSummary{
		Format: FormatJWS, Kind: KindAccess, Version: "2.0",
		Audience: "22222222-aaaa-bbbb-cccc-000000000001", Audiences: []string{"22222222-aaaa-bbbb-cccc-000000000001"},
		AudienceName: "Contoso Agent API", AudienceKnown: "Contoso Agent API",
		Principal: PrincipalUser, Who: "alice@contoso.example",
		Client: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", ClientName: "Azure CLI",
		Scopes:   []string{"access_as_user", "Files.Read"},
		IssuedAt: fixedNow.Add(-10 * time.Minute), ExpiresAt: fixedNow.Add(50 * time.Minute),
	}
	got.IssuedAt, got.ExpiresAt = got.IssuedAt.UTC(), got.ExpiresAt.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize =\n %+v\nwant\n %+v", got, want)
	}

	noUsername := Summarize(mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "preferred_username", nil))), nil)
	if noUsername.Who != "Alice Example" || noUsername.AudienceKnown != "" || noUsername.AudienceName != noUsername.Audience {
		t.Errorf("without username or names: %+v", noUsername)
	}
	opaque := Summarize(mustDecode(t, "EwBwA8l6BAAUkj1oiJ0123456789abcdef"), testNames)
	if opaque.Format != FormatOpaque || opaque.Audience != "" || opaque.ClientName != "(unknown app)" {
		t.Errorf("opaque token: %+v", opaque)
	}
	if !reflect.DeepEqual(Summarize(nil, testNames), TokenSummary{}) {
		t.Error("Summarize(nil) is not the zero summary")
	}
}
