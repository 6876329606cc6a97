package inspect

import "testing"

func TestIsTimeClaim(t *testing.T) {
	for _, name := range []string{"iat", "nbf", "exp", "auth_time", "updated_at", "pwd_exp", "xms_pftexp", "xms_tcdt"} {
		if !IsTimeClaim(name) {
			t.Errorf("IsTimeClaim(%q) = false", name)
		}
		if _, ok := ClaimMeaning(name); !ok {
			t.Errorf("time claim %q has no meaning in the claim catalogue", name)
		}
	}
	for _, name := range []string{"aud", "uti", "xms_ftd", "pwd_url", "EXP", ""} {
		if IsTimeClaim(name) {
			t.Errorf("IsTimeClaim(%q) = true", name)
		}
	}
}

func TestIsVolatileClaim(t *testing.T) {
	for _, name := range []string{"iat", "nbf", "exp", "aio", "uti", "rh", "jti", "xms_ftd", "xms_rd"} {
		if !IsVolatileClaim(name) {
			t.Errorf("IsVolatileClaim(%q) = false", name)
		}
	}
	for _, name := range []string{"aud", "scp", "sub", "auth_time", ""} {
		if IsVolatileClaim(name) {
			t.Errorf("IsVolatileClaim(%q) = true", name)
		}
	}
}
