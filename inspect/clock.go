package inspect

import "time"

// LintTokenTimes applies only the rules of LintToken that depend on the clock — the token has
// expired, expires soon, or is not valid yet — to t as presented at hop, judged against exp.Now
// and exp.Skew. A screen that shows a token for a while asks again as time passes, so a token
// that expires while it is shown turns into the finding LintToken would raise at that moment.
func LintTokenTimes(t *Token, hop string, exp Expectations) []Finding {
	if t == nil || t.Format != FormatJWS || exp.Now.IsZero() {
		return nil
	}
	skew := exp.Skew
	if skew == 0 {
		skew = DefaultSkew
	}
	exp.ServerTime = time.Time{} // the clock of a server is not the passing of time
	return lintTimes(nil, t, hop, exp, skew)
}
