package report

import (
	"strings"
	"testing"
)

// TestInspectYear10000: a token whose exp is 253402300800 (the year 10000, as Microsoft's
// IdentityModel tests write it) is inspected — decoded, exit 0 — with token.odd-lifetime, not
// refused as malformed, in text and in JSON.
func TestInspectYear10000(t *testing.T) {
	claims := inspClaims(inspNow)
	claims["exp"], claims["iat"], claims["nbf"] = int64(253402300800), inspNow.Unix(), inspNow.Unix()
	tok := inspToken(t, claims)
	for _, asJSON := range []bool{false, true} {
		code, out, errs := runInspect(t, InspectOptions{Token: tok, Now: inspNow.Format("2006-01-02T15:04:05Z"), JSON: asJSON})
		if code != 0 || !strings.Contains(out, "token.odd-lifetime") || strings.Contains(out, "token.malformed") || errs != "" {
			t.Errorf("json %v: exit %d stderr %q\n%s", asJSON, code, errs, out)
		}
		if !asJSON && !strings.Contains(out, "10000-01-01") {
			t.Errorf("the expiry is not shown as the year 10000:\n%s", out)
		}
	}
}
