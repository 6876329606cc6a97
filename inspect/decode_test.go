package inspect

import (
	"encoding/base64"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeUnverifiedView(t *testing.T) {
	tok := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	want := Token{Format: FormatJWS, Kind: KindAccess, Version: "2.0", Issuer: "https://login.microsoftonline.com/" + testTenant + "/v2.0",
		IssuerTenant: testTenant, TenantID: testTenant, Audiences: []string{"22222222-aaaa-bbbb-cccc-000000000001"},
		Scopes: []string{"access_as_user", "Files.Read"}, ClientAppID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Principal: PrincipalUser,
		Subject: "pairwise-sub", ObjectID: "33333333-0000-0000-0000-000000000001", Username: "alice@contoso.example", Name: "Alice Example",
		IssuedAt: fixedNow.Add(-10 * time.Minute), NotBefore: fixedNow.Add(-10 * time.Minute), ExpiresAt: fixedNow.Add(50 * time.Minute)}
	got := Token{Format: tok.Format, Kind: tok.Kind, Version: tok.Version, Issuer: tok.Issuer, IssuerTenant: tok.IssuerTenant, TenantID: tok.TenantID,
		Audiences: tok.Audiences, Scopes: tok.Scopes, Roles: tok.Roles, ClientAppID: tok.ClientAppID, Principal: tok.Principal, Subject: tok.Subject,
		ObjectID: tok.ObjectID, Username: tok.Username, Name: tok.Name, IssuedAt: tok.IssuedAt, NotBefore: tok.NotBefore, ExpiresAt: tok.ExpiresAt}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("token view:\n got %+v\nwant %+v", got, want)
	}
	if tok.Alg() != "RS256" || tok.Kid() != "key1" || tok.SignatureRemoved {
		t.Errorf("header: alg %q kid %q removed %v", tok.Alg(), tok.Kid(), tok.SignatureRemoved)
	}
}

func TestDecodeKindsAndPrincipals(t *testing.T) {
	agentApp := map[string]any{"aud": "f2510d34-8dca-4ab8-a0bc-aaec4d3a3e36", "iss": "https://sts.windows.net/" + testTenant + "/", "tid": testTenant,
		"appid": "aaaaaaaa-1111-2222-3333-444444444444", "appidacr": "2", "idtyp": "app", "ver": "1.0",
		"xms_act_fct": "3 9 11", "xms_sub_fct": "9 3 11", "xms_par_app_azp": "30cf4c22-9985-4ef7-8756-91cc888176bd"}
	tests := []struct {
		name      string
		claims    map[string]any
		kind      Kind
		principal Principal
		version   string
	}{
		{"v2 user", v2Claims(), KindAccess, PrincipalUser, "2.0"},
		{"app only roles", with(v2Claims(), "scp", nil, "idtyp", nil, "roles", []any{"Tools.Call"}), KindAccess, PrincipalApp, "2.0"},
		{"app by idtyp", with(v2Claims(), "scp", nil, "idtyp", "app"), KindAccess, PrincipalApp, "2.0"},
		{"agent identity (Microsoft Learn sample)", agentApp, KindAccess, PrincipalAgentIdentity, "1.0"},
		{"agent user", with(v2Claims(), "xms_sub_fct", "13", "xms_act_fct", "11"), KindAccess, PrincipalAgentUser, "2.0"},
		{"user via agent actor", with(v2Claims(), "xms_act_fct", "11", "xms_par_app_azp", "30cf4c22-9985-4ef7-8756-91cc888176bd"), KindAccess, PrincipalUser, "2.0"},
		{"id token by nonce", map[string]any{"aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3", "iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0",
			"sub": "s", "tid": testTenant, "nonce": "123", "ver": "2.0"}, KindID, PrincipalUser, "2.0"},
		{"id token by shape", map[string]any{"aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3", "iss": "https://sts.windows.net/" + testTenant + "/",
			"sub": "s", "tid": testTenant}, KindID, PrincipalUser, "1.0"},
		{"foreign jwt", map[string]any{"sub": "1234567890", "name": "John Doe", "iat": 1516239022}, KindUnknown, PrincipalUnknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := mustDecode(t, makeToken(t, v2Header(), tc.claims))
			if tok.Kind != tc.kind || tok.Principal != tc.principal || tok.Version != tc.version {
				t.Errorf("kind %s principal %s version %q; want %s %s %q", tok.Kind, tok.Principal, tok.Version, tc.kind, tc.principal, tc.version)
			}
		})
	}
}

func TestDecodeAgentFacets(t *testing.T) {
	tok := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "xms_act_fct", "3 9 11", "xms_sub_fct", []any{13.0, "9"}, "xms_par_app_azp", "bp")))
	if !reflect.DeepEqual(tok.ActorFacets, []int{3, 9, 11}) || !reflect.DeepEqual(tok.SubjectFacets, []int{13, 9}) || tok.ParentAppID != "bp" || !tok.IsAgent() {
		t.Errorf("facets act %v sub %v parent %q agent %v", tok.ActorFacets, tok.SubjectFacets, tok.ParentAppID, tok.IsAgent())
	}
}

// TestDecodeBadInput feeds the inputs the issue lists; each must decode correctly or fail with a
// DecodeError naming the segment — never panic.
func TestDecodeBadInput(t *testing.T) {
	good := makeToken(t, v2Header(), v2Claims())
	parts := strings.Split(good, ".")
	h := parts[0]
	tests := []struct {
		name    string
		in      string
		segment string // "" = must decode
		reason  string // substring of the reason
	}{
		{"empty", "", "token", "is empty"},
		{"whitespace", " \t\n ", "token", "is empty"},
		{"bearer prefix", "Bearer " + good, "", ""},
		{"lowercase bearer and newline", "bearer " + good + "\n", "", ""},
		{"authorization header", "Authorization: Bearer " + good, "", ""},
		{"quoted", `"` + good + `"`, "", ""},
		{"wrapped over lines", parts[0] + ".\n" + parts[1][:20] + "\n" + parts[1][20:] + "." + parts[2], "", ""},
		{"url encoded", url.QueryEscape(base64.URLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + parts[1] + "." + parts[2]), "", ""},
		{"bad url encoding", good + "%zz", "token", "URL encoding"},
		{"base64 padding", base64.URLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + parts[1] + "==." + parts[2], "", ""},
		{"standard base64 alphabet", base64.RawStdEncoding.EncodeToString([]byte(`{"alg":"RS256","x":"???>>>"}`)) + "." + parts[1] + "." + parts[2], "", ""},
		{"1 MB", strings.Repeat("a", 1<<20), "token", "is more than 262144 bytes long"},
		{"binary", "\x00\x01\xff\xfe.\x80\x81.\x00", "token", "contains binary or non-ASCII data (byte 0x00 at offset 0)"},
		{"non-ASCII", "eyJhbGciOiJSUzI1NiJ9.é.x", "token", "(byte 0xc3 at offset 21)"},
		{"binary no dots", "zz\xff\xfe\x80\x81zzzzzz", "token", "(byte 0xff at offset 2)"},
		{"2 segments", h + "." + parts[1], "", ""},
		{"4 segments", good + ".x", "token", "has 4 dot-separated segments"},
		{"6 segments", good + ".x.y.z", "token", "has 6"},
		{"invalid JSON payload", h + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":`)) + ".sig", "payload", "not valid JSON"},
		{"JSON array payload", h + "." + base64.RawURLEncoding.EncodeToString([]byte(`[1,2,3]`)) + ".sig", "payload", "a JSON array, not a JSON object"},
		{"JSON string payload", h + "." + base64.RawURLEncoding.EncodeToString([]byte(`"x"`)) + ".sig", "payload", "a JSON string"},
		{"numbers as strings", h + "." + segment(t, map[string]any{"exp": "1748779200", "iat": "1748775600", "aud": "x"}) + ".sig", "", ""},
		{"time not a number", h + "." + segment(t, map[string]any{"exp": "tomorrow"}) + ".sig", "payload", "not a NumericDate"},
		{"time is object", h + "." + segment(t, map[string]any{"nbf": map[string]any{}}) + ".sig", "payload", "as a JSON object, not a NumericDate"},
		// Times beyond 9999 or before 1970 decode: LintToken says token.odd-lifetime.
		{"huge exp", h + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1e300}`)) + ".sig", "", ""},
		{"negative exp", h + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":-5}`)) + ".sig", "", ""},
		{"time NaN", h + "." + segment(t, map[string]any{"exp": "NaN"}) + ".sig", "payload", "not a NumericDate"},
		{"time Inf", h + "." + segment(t, map[string]any{"iat": "+Inf"}) + ".sig", "payload", "not a NumericDate"},
		{"header without alg", segment(t, map[string]any{"typ": "JWT"}) + "." + parts[1] + ".sig", "header", "has no alg"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("hello")) + "." + parts[1] + ".sig", "header", "not JSON"},
		{"bearer abc.def", "Bearer abc.def", "header", "is not JSON"},
		{"empty payload", h + "..sig", "payload", "is empty"},
		{"bad signature base64", h + "." + parts[1] + ".a", "signature", "not base64url"},
		{"jwe", h + ".a.b.c.d", "", ""},
		{"opaque", "EwBwA8l6BAAUkj1oiJ0123456789abcdef", "", ""},
		{"too short", "abc", "token", "is only 3 characters long: not a JWT (no dots) and too short for any token"},
		{"az account get-access-token JSON", "{\n  \"accessToken\": \"" + good + "\",\n  \"tokenType\": \"Bearer\"\n}\n", "token", "is a JSON document, not a token; pass the value of its accessToken or access_token field"},
		{"JSON without a token", `{"error":"invalid_grant"}`, "token", "starts with { but is not a token"},
		{"truncated JSON", `{"accessToken": "` + good, "token", "starts with { but is not a token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := DecodeUnverified(tc.in)
			if tc.segment == "" {
				if err != nil {
					t.Fatalf("want a decode, got %v", err)
				}
				if tok == nil {
					t.Fatal("nil token")
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %v (token %+v)", err, tok)
			}
			if de.Segment != tc.segment || !strings.Contains(de.Reason, tc.reason) {
				t.Errorf("segment %q reason %q; want %q containing %q", de.Segment, de.Reason, tc.segment, tc.reason)
			}
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "inspect: ") {
				t.Errorf("error must be one line prefixed by the package: %q", err.Error())
			}
		})
	}
}

// TestUnwrapTokenResponse: the token is taken out of a pasted token response; anything else is
// returned unchanged (DecodeUnverified then judges it).
func TestUnwrapTokenResponse(t *testing.T) {
	good := makeToken(t, v2Header(), v2Claims())
	tests := []struct{ name, in, want string }{
		{"az JSON", "{\n  \"accessToken\": \"" + good + "\",\n  \"expiresOn\": \"2025-06-01 13:00:00.000000\"\n}\n", good},
		{"OAuth token response", `{"token_type":"Bearer","access_token":"` + good + `","refresh_token":"0.AAA"}`, good},
		{"token field", ` {"token": "` + good + `"}`, good},
		{"no token field", `{"error":"invalid_grant"}`, `{"error":"invalid_grant"}`},
		{"empty access_token", `{"access_token":""}`, `{"access_token":""}`},
		{"not JSON", `{"accessToken": "` + good, `{"accessToken": "` + good},
		{"plain token", good, good},
		{"bearer", "Bearer " + good, "Bearer " + good},
	}
	for _, tc := range tests {
		if got := UnwrapTokenResponse(tc.in); got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, got, tc.want)
		}
	}
}

// TestNormalizeToken: the form to send is the bare token, whatever surrounded the pasted one.
func TestNormalizeToken(t *testing.T) {
	good := makeToken(t, v2Header(), v2Claims())
	parts := strings.Split(good, ".")
	for _, in := range []string{good, "Bearer " + good, "Authorization: Bearer " + good + "\r\n", `"` + good + `"`,
		parts[0] + ".\n" + parts[1] + "\n." + parts[2], strings.ReplaceAll(good, ".", "%2E")} {
		if got, err := NormalizeToken(in); err != nil || got != good {
			t.Errorf("NormalizeToken(%q) = %q, %v; want the bare token", in, got, err)
		}
	}
	if _, err := NormalizeToken(" "); err == nil {
		t.Error("an empty input normalised without error")
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	h := segment(t, v2Header())
	for in, want := range map[string]string{
		"Bearer abc.def":       "inspect: a JWT has 3 segments (header.payload.signature), this one has 2, and the token's header (segment 1 of 2) is not JSON",
		"abc!.def.ghi":         "inspect: the token's header (segment 1 of 3) is not base64url: illegal base64 data at input byte 3",
		h + ".W10.c2ln":        "inspect: the token's payload (segment 2 of 3) is a JSON array, not a JSON object",
		h + ".W10":             "inspect: a JWT has 3 segments (header.payload.signature), this one has 2, and the token's payload (segment 2 of 2) is a JSON array, not a JSON object",
		h + ".e30.a":           "inspect: the token's signature (segment 3 of 3) is not base64url: illegal base64 data at input byte 0",
		"a.b.c.d":              "inspect: token has 4 dot-separated segments; a JWT has 3 (header.payload.signature) and an encrypted one 5",
		h + ".eyJleHAiOjF9XQ.": "inspect: the token's payload (segment 2 of 3) is not valid JSON: invalid character ']' after top-level value",
	} {
		if _, err := DecodeUnverified(in); err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

func TestDecodeNumbersAsStringsAndFormats(t *testing.T) {
	h := segment(t, v2Header())
	tok := mustDecode(t, h+"."+segment(t, map[string]any{"exp": "1748779200", "aud": []any{"a", "b", 3.0}})+".sig")
	if !tok.ExpiresAt.Equal(time.Unix(1748779200, 0)) || !reflect.DeepEqual(tok.Audiences, []string{"a", "b"}) {
		t.Errorf("exp %v aud %v", tok.ExpiresAt, tok.Audiences)
	}
	jwe := mustDecode(t, segment(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"})+".a.b.c.d")
	if jwe.Format != FormatJWE || jwe.Header["enc"] != "A256GCM" || jwe.Claims != nil {
		t.Errorf("jwe: %+v", jwe)
	}
	stripped := mustDecode(t, h+"."+segment(t, v2Claims()))
	if !stripped.SignatureRemoved || stripped.Kind != KindAccess {
		t.Errorf("stripped: removed %v kind %s", stripped.SignatureRemoved, stripped.Kind)
	}
	if op := mustDecode(t, "EwBwA8l6BAAUkj1oiJ0123456789abcdef"); op.Format != FormatOpaque {
		t.Errorf("opaque format %s", op.Format)
	}
}

func TestRedactToken(t *testing.T) {
	good := makeToken(t, v2Header(), v2Claims())
	parts := strings.Split(good, ".")
	red := RedactToken("Bearer " + good)
	if red != parts[0]+"."+parts[1]+".(signature removed)" || strings.Contains(red, parts[2]) {
		t.Fatalf("RedactToken = %q", red)
	}
	back := mustDecode(t, red)
	if !back.SignatureRemoved || back.Subject != "pairwise-sub" {
		t.Errorf("redacted token must decode without its signature: %+v", back)
	}
	if got := RedactToken("0.AAAAsecretrefreshtoken"); got != "0.AA…(24 characters redacted)" {
		t.Errorf("opaque redaction = %q", got)
	}
	if got := RedactToken(""); got != "" {
		t.Errorf("empty redaction = %q", got)
	}
}
