package inspect

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOddLifetime: a token whose exp is the year 10000 (Microsoft.IdentityModel's tests write
// 253402300800), before 1970, or years after iat decodes and raises token.odd-lifetime; an Entra
// token's hour or a CAE day does not.
func TestOddLifetime(t *testing.T) {
	iat := fixedNow.Add(-10 * time.Minute).Unix()
	exp := Expectations{Now: fixedNow}
	tests := []struct {
		name   string
		claims map[string]any
		odd    bool
		detail string
		others []string // other findings that must be raised too
	}{
		{"year 10000", with(v2Claims(), "exp", int64(253402300800)), true, "exp 253402300800 is beyond the year 9999", nil},
		{"year 10000 as a string", with(v2Claims(), "exp", "253402300800"), true, "beyond the year 9999", nil},
		{"1e308", with(v2Claims(), "exp", 1e308), true, "exp 1e+308 is beyond the year 9999", nil},
		{"before 1970", with(v2Claims(), "exp", -3600, "iat", -7200, "nbf", -7200), true, "exp -3600 is before 1970", []string{"token.expired"}},
		{"ten years", with(v2Claims(), "exp", iat+10*365*86400), true, "exp is 10y after iat", nil},
		{"from nbf when no iat", with(v2Claims(), "iat", nil, "exp", iat+2*365*86400), true, "after nbf", nil},
		{"an hour", v2Claims(), false, "", nil},
		{"a CAE day", with(v2Claims(), "exp", iat+28*3600), false, "", nil},
		{"no times", with(v2Claims(), "exp", nil, "iat", nil, "nbf", nil), false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := DecodeUnverified(makeToken(t, v2Header(), tt.claims))
			if err != nil {
				t.Fatalf("the token must decode: %v", err)
			}
			fs := LintToken(tok, "token", exp)
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.ID == "token.odd-lifetime" })
			if (i >= 0) != tt.odd {
				t.Fatalf("token.odd-lifetime raised %v, want %v: %v", i >= 0, tt.odd, findingIDs(fs))
			}
			if tt.odd {
				if f := fs[i]; f.Severity != SeverityWarning || !strings.Contains(f.Detail, tt.detail) {
					t.Errorf("finding %s %q; want a warning saying %q", f.Severity, f.Detail, tt.detail)
				}
			}
			for _, id := range tt.others {
				if !slices.Contains(findingIDs(fs), id) {
					t.Errorf("%s not raised: %v", id, findingIDs(fs))
				}
			}
			if slices.Contains(findingIDs(fs), "token.expired") && tt.name == "year 10000" {
				t.Errorf("a token valid until the year 10000 is not expired")
			}
		})
	}
	// The decoded time is the year 10000, not an overflow.
	tok := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "exp", int64(253402300800))))
	if tok.ExpiresAt.Year() != 10000 {
		t.Fatalf("exp decoded as %v", tok.ExpiresAt)
	}
	_ = tok.Explain()
}
