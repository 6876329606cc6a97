package inspect

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWWWAuthenticate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Challenge
		err  string
	}{
		{"mcp challenge", `Bearer resource_metadata="https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"resource_metadata": "https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp"}}}, ""},
		{"rfc 6750 error", `Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}}}, ""},
		{"insufficient scope, token values, case", `bearer Error=insufficient_scope, Scope="tools.call files.read"`,
			[]Challenge{{Scheme: "bearer", Params: map[string]string{"error": "insufficient_scope", "scope": "tools.call files.read"}}}, ""},
		{"claims challenge (Microsoft's form)", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": "", "authorization_uri": "https://login.microsoftonline.com/common/oauth2/authorize",
				"client_id": "00000003-0000-0000-c000-000000000000", "error": "insufficient_claims", "claims": "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"}}}, ""},
		{"several challenges", `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
			[]Challenge{{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
				{Scheme: "Basic", Params: map[string]string{"realm": "simple"}}}, ""},
		{"token68 then bearer", `Negotiate abc+/def==, Bearer error="invalid_token"`,
			[]Challenge{{Scheme: "Negotiate", Params: map[string]string{}, Token68: "abc+/def=="}, {Scheme: "Bearer", Params: map[string]string{"error": "invalid_token"}}}, ""},
		{"bare schemes", `Bearer, Basic`, []Challenge{{Scheme: "Bearer", Params: map[string]string{}}, {Scheme: "Basic", Params: map[string]string{}}}, ""},
		{"duplicate param keeps first", `Bearer error="a", error="b"`, []Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "a"}}}, ""},
		{"empty", "  ", nil, "empty header"},
		{"unterminated quote", `Bearer error="invalid`, []Challenge{{Scheme: "Bearer", Params: map[string]string{}}}, "unterminated quoted string"},
		{"garbage", `"quoted"`, nil, "expected an auth scheme"},
		{"missing comma", `Bearer a="1" b="2"`, []Challenge{{Scheme: "Bearer", Params: map[string]string{"a": "1"}}}, "expected a comma after parameter a"},
		// The TypeScript MCP SDK's requireBearerAuth copies jose's message without escaping it.
		{"unescaped quotes (TS MCP SDK)", `Bearer error="invalid_token", error_description="unexpected "aud" claim value", scope="tools.call", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "invalid_token", "error_description": `unexpected "aud" claim value`, "scope": "tools.call", "resource_metadata": "https://mcp.example/.well-known/oauth-protected-resource/mcp"}}}, ""},
		{"unescaped quote at the end of a value", `Bearer error_description="bad "kid"", realm="r"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error_description": `bad "kid"`, "realm": "r"}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWWWAuthenticate(tc.in)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v; want %q", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestBearerChallengeHelpers(t *testing.T) {
	cs, _ := ParseWWWAuthenticate(`Basic realm="x", Bearer Resource_Metadata="https://m/prm"`)
	b, ok := BearerChallenge(cs)
	if !ok || b.Param("resource_metadata") != "https://m/prm" || b.Param("RESOURCE_METADATA") != "https://m/prm" || !b.IsBearer() {
		t.Errorf("bearer %+v %v", b, ok)
	}
	if _, ok := BearerChallenge([]Challenge{{Scheme: "Basic"}}); ok {
		t.Error("no bearer expected")
	}
}

// TestParseBearerChallengeKeepsWhatCameBeforeAnError: what a server said before its syntax
// mistake is still read (clients act on it too).
func TestParseBearerChallengeKeepsWhatCameBeforeAnError(t *testing.T) {
	c, ok := ParseBearerChallenge(`Bearer error="invalid_token", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource" realm="x"`)
	if !ok || c.Param("error") != "invalid_token" || c.Param("resource_metadata") != "https://mcp.example/.well-known/oauth-protected-resource" {
		t.Fatalf("got %+v, %v", c, ok)
	}
	if _, ok := ParseBearerChallenge("  "); ok {
		t.Fatal("a blank header has a challenge")
	}
	if _, ok := ParseBearerChallenge(`Basic realm="r"`); ok {
		t.Fatal("a Basic challenge is taken for Bearer")
	}
}
