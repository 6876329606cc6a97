package inspect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// tokenLifetimeRules are the token.* entries about times no issuer would write.
var tokenLifetimeRules = []Rule{
	{
		ID: "token.odd-lifetime", Severity: SeverityWarning, Title: "Token times are out of any real issuer's range", ExplainsRejection: true,
		Fix: "Entra's tokens live about an hour (up to a day with continuous access evaluation): this one comes from a test, a misconfigured issuer or a forger. " +
			"Do not accept it; a validator must reject exp beyond its own limits and lifetimes longer than it allows.",
		Docs: docsAccessTokens,
		Explanation: "The token decodes, but exp, nbf or iat names an instant before 1970 or beyond the year 9999, or exp is years after iat. " +
			"Entra issues access tokens for 60 to 90 minutes (a random lifetime in that range), 20 to 28 hours when continuous access evaluation applies, and ID tokens for an hour. " +
			"Test libraries (Microsoft.IdentityModel's among them) write exp 253402300800, the first second of the year 10000, for a token that never expires; " +
			"a validator that converts such a value to a date may overflow, and one that accepts it accepts a token that can be replayed forever.",
	},
}

// oddLifetimeYears is the lifetime from which a token's lifetime is odd: no issuer of access tokens
// grants a year.
const oddLifetimeYears = 1

// lintLifetime raises token.odd-lifetime for times outside 1970–9999 or a lifetime of years, read
// from the claims as written (the Token's times are clamped).
func lintLifetime(fs []Finding, t *Token, hop string) []Finding {
	var odd []string
	ev := map[string]string{}
	secs := map[string]float64{}
	for _, name := range []string{"exp", "nbf", "iat"} {
		f, ok := numericClaim(t.Claims[name])
		if !ok {
			continue
		}
		secs[name] = f
		switch {
		case f > maxNumericDate:
			odd = append(odd, fmt.Sprintf("%s %s is beyond the year 9999", name, numberText(f)))
			ev[name] = numberText(f)
		case f < 0:
			odd = append(odd, fmt.Sprintf("%s %s is before 1970", name, numberText(f)))
			ev[name] = numberText(f)
		}
	}
	exp, hasExp := secs["exp"]
	start, hasStart := secs["iat"]
	if !hasStart {
		start, hasStart = secs["nbf"]
	}
	if len(odd) == 0 && hasExp && hasStart {
		if life := exp - start; life >= oddLifetimeYears*365*86400 {
			d := time.Duration(math.Min(life, math.MaxInt64/1e9)) * time.Second
			odd = append(odd, fmt.Sprintf("exp is %s after %s", HumanDuration(d), startName(secs)))
			ev["exp"], ev["lifetime_seconds"] = numberText(exp), numberText(life)
		}
	}
	if len(odd) == 0 {
		return fs
	}
	return append(fs, NewFinding("token.odd-lifetime", hop,
		"The token's times are not a real issuer's: "+strings.Join(odd, "; ")+". It was decoded anyway.", ev))
}

// startName is the claim a lifetime is counted from: iat, else nbf.
func startName(secs map[string]float64) string {
	if _, ok := secs["iat"]; ok {
		return "iat"
	}
	return "nbf"
}

// numericClaim reads a NumericDate claim as written: a JSON number or a string holding one.
func numericClaim(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// numberText writes a NumericDate as the integer it usually is.
func numberText(f float64) string {
	if math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
