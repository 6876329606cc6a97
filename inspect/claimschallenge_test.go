package inspect

import (
	"encoding/base64"
	"testing"
)

func TestChallengeClaims(t *testing.T) {
	const claims = `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`
	tests := []struct {
		name, header, want string
	}{
		{"base64 (Microsoft's form)", `Bearer error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte(claims)) + `"`, claims},
		{"base64url without padding", `Bearer claims="` + base64.RawURLEncoding.EncodeToString([]byte(claims)) + `"`, claims},
		{"plain JSON", `Bearer error="insufficient_claims", claims="{\"access_token\":{}}"`, `{"access_token":{}}`},
		{"not JSON once decoded", `Bearer claims="` + base64.StdEncoding.EncodeToString([]byte("not json")) + `"`, ""},
		{"no claims", `Bearer error="invalid_token"`, ""},
		{"not a Bearer challenge", `Basic claims="e30="`, ""},
		{"empty header", "", ""},
	}
	for _, tt := range tests {
		if got := ChallengeClaims(tt.header); got != tt.want {
			t.Errorf("%s: ChallengeClaims = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestClaimsRequirement(t *testing.T) {
	mfa := []Finding{NewFinding("obo.claims-challenge", "obo", "", nil)} // AADSTS50076
	tests := []struct {
		name   string
		claims string
		fs     []Finding
		want   string
	}{
		{"authentication context", `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`, nil, "authentication context c1"},
		{"amr mfa", `{"access_token":{"amr":{"values":["mfa"]}}}`, nil, "multi-factor authentication"},
		{"amr other methods", `{"access_token":{"amr":{"values":["pwd","rsa"]}}}`, nil, "sign-in method pwd, rsa"},
		{"policies", `{"access_token":{"capolids":{"values":["p1","p2"]}}}`, nil, "Conditional Access policy p1, p2"},
		{"id token request too", `{"access_token":{"acrs":{"value":"c1"}},"id_token":{"acrs":{"value":"c2"}}}`, nil, "authentication context c1; authentication context c2"},
		{"nothing said", `{"id_token":{"auth_time":{"essential":true}}}`, nil, ""},
		{"not JSON", `not json`, nil, ""},
		{"MFA code of Entra's error", `{"access_token":{"capolids":{"values":["p1"]}}}`, mfa, "multi-factor authentication; Conditional Access policy p1"},
		{"MFA said once", `{"access_token":{"amr":{"values":["mfa"]}}}`, []Finding{{AADSTS: 50074}, {AADSTS: 50079}}, "multi-factor authentication"},
		{"other code", "", []Finding{{AADSTS: 53003}, {AADSTS: 65001}}, ""},
		{"made printable", `{"access_token":{"acrs":{"value":"c1\u001b[31m"}}}`, nil, Printable("authentication context c1\x1b[31m", false)},
	}
	for _, tt := range tests {
		if got := ClaimsRequirement(tt.claims, tt.fs); got != tt.want {
			t.Errorf("%s: ClaimsRequirement = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAADSTSMFACodes(t *testing.T) {
	var got []int
	for _, a := range AADSTSCodes() {
		if a.MFA {
			got = append(got, a.Code)
		}
	}
	want := []int{50074, 50076, 50079}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("MFA codes = %v, want %v", got, want)
	}
}

func TestIsClaimsChallenge(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`Bearer error="insufficient_claims", claims="e30="`, true},
		{`Bearer error="insufficient_claims"`, false},
		{`Bearer error="invalid_token", claims="e30="`, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsClaimsChallenge(tt.header); got != tt.want {
			t.Errorf("IsClaimsChallenge(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
