package inspect

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestLintTokenRules checks every token.* rule with a token that raises it and one that does not.
func TestLintTokenRules(t *testing.T) {
	exp := Expectations{Now: fixedNow}
	hs := map[string]any{"typ": "JWT", "alg": "HS256"}
	tests := []struct {
		name   string
		raw    string
		exp    Expectations
		want   []string // the finding IDs, in LintToken's order
		detail string   // substring of the first finding's detail
	}{
		{"healthy v2 token", makeToken(t, v2Header(), v2Claims()), exp, nil, ""},
		{"encrypted", segment(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"}) + ".a.b.c.d", exp, []string{"token.encrypted"}, "alg RSA-OAEP, enc A256GCM"},
		{"opaque", "EwBwA8l6BAAUkj1oiJ0123456789abcdef", exp, []string{"token.opaque"}, "34 characters"},
		{"refresh token", "0.AXEAiXCnPrivateRefreshTokenLooking", exp, []string{"token.opaque"}, `looks like an Entra refresh token (it starts with "0.")`},
		{"alg none", makeToken(t, map[string]any{"alg": "none"}, v2Claims()), exp, []string{"token.unsigned"}, `alg is "none"`},
		{"HS256 from Entra", makeToken(t, hs, v2Claims()), exp, []string{"token.unsigned"}, "HS256"},
		{"HS256 from elsewhere", makeToken(t, hs, map[string]any{"iss": "https://example.com", "sub": "x"}), exp, nil, ""},
		{"expired", makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(-time.Hour).Unix())), exp, []string{"token.expired"}, "exp is 2025-06-01T11:00:00Z, 1h before now (2025-06-01T12:00:00Z); allowed skew 5m."},
		{"expired within skew", makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(-2*time.Minute).Unix())), exp, []string{"token.near-expiry"}, "2m ago, within the allowed skew"},
		{"expired with zero skew allowance", makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(-2*time.Minute).Unix())), Expectations{Now: fixedNow, Skew: time.Second}, []string{"token.expired"}, "2m before now"},
		{"near expiry", makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(4*time.Minute).Unix())), exp, []string{"token.near-expiry"}, "4m from now"},
		{"not near expiry", makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(6*time.Minute).Unix())), exp, nil, ""},
		{"not yet valid", makeToken(t, v2Header(), with(v2Claims(), "nbf", fixedNow.Add(10*time.Minute).Unix())), exp, []string{"token.not-yet-valid"}, "10m after now"},
		{"nbf within skew", makeToken(t, v2Header(), with(v2Claims(), "nbf", fixedNow.Add(4*time.Minute).Unix())), exp, nil, ""},
		{"no clock: times skipped", makeToken(t, v2Header(), with(v2Claims(), "exp", 1.0)), Expectations{}, nil, ""},
		{"clock skew", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, ServerTime: fixedNow.Add(10 * time.Minute)}, []string{"token.clock-skew"}, "10m apart"},
		{"clock in sync", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, ServerTime: fixedNow.Add(-time.Minute)}, nil, ""},
		{"id token presented", makeToken(t, v2Header(), map[string]any{"aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3", "iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0", "sub": "s", "tid": testTenant, "nonce": "n"}), exp, []string{"token.id-token-as-access"}, "has a nonce claim"},
		{"id token only looked at", makeToken(t, v2Header(), map[string]any{"aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3", "iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0", "sub": "s", "tid": testTenant, "nonce": "n"}), Expectations{Now: fixedNow, AllowIDToken: true}, nil, ""},
		{"graph by aud", makeToken(t, v2Header(), with(v2Claims(), "aud", "https://graph.microsoft.com")), exp, []string{"token.graph-token"}, "aud is Microsoft Graph"},
		{"graph by header nonce", makeToken(t, map[string]any{"alg": "RS256", "nonce": "abc"}, with(v2Claims(), "aud", "00000003-0000-0000-c000-000000000000")), exp, []string{"token.graph-token"}, "aud is Microsoft Graph and the header carries a nonce"},
		{"issuer tenant mismatch", makeToken(t, v2Header(), with(v2Claims(), "tid", "99999999-2222-3333-4444-555555555555")), exp, []string{"token.issuer-tenant-mismatch"}, "iss names tenant " + testTenant + " but tid is 99999999"},
		{"issuer tenant not a GUID", makeToken(t, v2Header(), with(v2Claims(), "iss", "https://sts.windows.net/fa15d692-e9c7-4460-a743-29f29522229/")), exp, []string{"token.issuer-tenant-mismatch"}, `iss names tenant "fa15d692-e9c7-4460-a743-29f29522229", which is not even a GUID, but tid is ` + testTenant},
		{"non-Entra issuer names no tenant", makeToken(t, v2Header(), with(v2Claims(), "iss", "https://issuer.example/common/v2.0")), exp, nil, ""},
		{"version mismatch", makeToken(t, v2Header(), with(v2Claims(), "ver", "1.0", "iss", "https://sts.windows.net/"+testTenant+"/")), Expectations{Now: fixedNow, Version: "2.0"}, []string{"token.version-mismatch"}, "v1.0"},
		{"version as expected", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, Version: "2.0"}, nil, ""},
		{"groups overage", makeToken(t, v2Header(), with(v2Claims(), "_claim_names", map[string]any{"groups": "src1"}, "_claim_sources", map[string]any{"src1": map[string]any{"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}})), exp, []string{"token.groups-overage"}, "no groups claim"},
		{"hasgroups", makeToken(t, v2Header(), with(v2Claims(), "hasgroups", true)), exp, []string{"token.groups-overage"}, ""},
		{"groups present", makeToken(t, v2Header(), with(v2Claims(), "groups", []any{"g1"}, "_claim_names", map[string]any{"groups": "src1"})), exp, nil, ""},
		{"unexpected audience", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, Audiences: []string{"api://contoso-agent"}}, []string{"token.unexpected-audience"}, "expected api://contoso-agent"},
		{"audience by client id", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, Audiences: []string{"api://contoso-agent", "22222222-AAAA-bbbb-cccc-000000000001"}}, nil, ""},
		{"missing scope", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, Scopes: []string{"api://contoso-agent/access_as_user", "Mail.Send"}}, []string{"token.missing-scope"}, "Mail.Send is in neither scp nor roles (the token has: access_as_user Files.Read)"},
		{"role satisfies scope", makeToken(t, v2Header(), with(v2Claims(), "scp", nil, "roles", []any{"Tools.Call"})), Expectations{Now: fixedNow, Scopes: []string{"Tools.Call"}}, nil, ""},
		{"unexpected tenant", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, TenantID: "aaaaaaaa-2222-3333-4444-555555555555"}, []string{"token.unexpected-tenant"}, "tid is " + testTenant},
		{"expected tenant", makeToken(t, v2Header(), v2Claims()), Expectations{Now: fixedNow, TenantID: strings.ToUpper(testTenant)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := mustDecode(t, tc.raw)
			fs := LintToken(tok, "token", tc.exp)
			if got := findingIDs(fs); !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("findings %v; want %v (%+v)", got, tc.want, fs)
			}
			for _, f := range fs {
				if f.Hop != "token" || f.Title == "" || f.Fix == "" || f.Docs == "" || f.Severity == "" {
					t.Errorf("finding not filled from the catalogue: %+v", f)
				}
			}
			if tc.detail != "" && !strings.Contains(fs[0].Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", fs[0].Detail, tc.detail)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	day := 24 * time.Hour
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", -4*time.Minute - 30*time.Second: "4m 30s", 5 * time.Minute: "5m", 54*time.Minute + 10*time.Second: "54m",
		3 * time.Hour: "3h", 3*time.Hour + 20*time.Minute: "3h 20m", 2*day + 4*time.Hour: "2d 4h", 12 * day: "12d", 150 * day: "5mo",
		5*365*day + 95*day: "5y 3mo", 46341 * time.Hour: "5y 3mo", 365 * day: "1y",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q; want %q", d, got, want)
		}
	}
}

func TestLintExpiredCarriesAADSTS(t *testing.T) {
	tok := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "exp", fixedNow.Add(-time.Hour).Unix())))
	fs := LintToken(tok, "obo", Expectations{Now: fixedNow})
	if len(fs) != 1 || fs[0].AADSTS != 500133 || fs[0].Hop != "obo" || fs[0].Evidence["claim"] != "exp" {
		t.Errorf("got %+v", fs)
	}
}

// TestLintUnreadableTokenNamesUncheckedExpectations: a JWE or opaque token cannot be held against
// --expect-*; the finding says so instead of letting "no error" pass for "as expected".
func TestLintUnreadableTokenNamesUncheckedExpectations(t *testing.T) {
	jwe := mustDecode(t, segment(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"})+".a.b.c.d")
	opaque := mustDecode(t, "EwBwA8l6BAAUkj1oiJ0123456789abcdef")
	exp := Expectations{Audiences: []string{"api://x"}, Scopes: []string{"s"}, TenantID: testTenant, Now: fixedNow}
	tests := []struct {
		name string
		tok  *Token
		exp  Expectations
		want string
	}{
		{"jwe with expectations", jwe, exp, "The token is a JWE (alg RSA-OAEP, enc A256GCM): only its audience can decrypt it. Its claims cannot be read, so the expected audience, scopes, tenant could not be checked."},
		{"jwe without", jwe, Expectations{Now: fixedNow}, "The token is a JWE (alg RSA-OAEP, enc A256GCM): only its audience can decrypt it."},
		{"opaque with audience", opaque, Expectations{Audiences: []string{"api://x"}}, "The token is a single opaque value of 34 characters, not a JWT. Its claims cannot be read, so the expected audience could not be checked."},
	}
	for _, tc := range tests {
		fs := LintToken(tc.tok, "token", tc.exp)
		if len(fs) != 1 || fs[0].Detail != tc.want {
			t.Errorf("%s: got %+v; want detail %q", tc.name, fs, tc.want)
		}
	}
}

// TestUnexpectedAudienceShapeHint: a client ID against an App ID URI (or the reverse) gets a hint
// that it may be the same API named two ways; two URIs get none.
func TestUnexpectedAudienceShapeHint(t *testing.T) {
	const guid = "0b05c0de-a9e1-4000-8000-000000000003"
	tests := []struct{ aud, expect, want string }{
		{guid, "api://contoso-agent", "aud is " + guid + "; expected api://contoso-agent. The token names its API by client ID (as v2 tokens do) and the expectation is an App ID URI: if that URI is this API's, expect its client ID instead."},
		{"api://contoso-agent", guid, "aud is api://contoso-agent; expected " + guid + ". The token names its API by App ID URI (as v1 tokens may) and the expectation is a client ID: if that ID is this API's, expect its App ID URI too."},
		{"api://a", "api://b", "aud is api://a; expected api://b."},
	}
	for _, tc := range tests {
		tok := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", tc.aud)))
		var got string
		for _, f := range LintToken(tok, "token", Expectations{Audiences: []string{tc.expect}, Now: fixedNow}) {
			if f.ID == "token.unexpected-audience" {
				got = f.Detail
			}
		}
		if got != tc.want {
			t.Errorf("aud %s expect %s:\n got %q\nwant %q", tc.aud, tc.expect, got, tc.want)
		}
	}
}
