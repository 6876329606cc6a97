package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// valueText writes one claim value (as decoded from a token's JSON) the way the token writes it,
// for the screens and the clipboard: numbers in plain decimal — 1795652032, never 1.795652032e+09
// — objects as compact JSON, never Go's map[…] form.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool, int, int64, int32, uint, uint64, uint32:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}

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
