package ui

import (
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// clockText formats a claim time for a table cell: the time of day alone, or with its date when
// dated (see needsDate) — "21:24:45" or "2025-07-24 21:24:45".
func clockText(t time.Time, loc *time.Location, dated bool) string {
	if dated {
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	return t.In(loc).Format("15:04:05")
}

// needsDate reports whether the times of these tokens must show their dates: when one of them
// is not today, or when they fall on different days (an iat late in the evening next to an exp
// the morning after would otherwise read as if the token expired before it was issued).
func needsDate(now time.Time, loc *time.Location, toks ...*inspect.Token) bool {
	today := now.In(loc).Format("2006-01-02")
	for _, tok := range toks {
		if tok == nil {
			continue
		}
		for name, v := range tok.Claims {
			if t, ok := claimTime(inspect.ExplainedClaim{Claim: name, Value: v}); ok && t.In(loc).Format("2006-01-02") != today {
				return true
			}
		}
	}
	return false
}
