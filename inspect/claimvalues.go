package inspect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// tokenVersion returns ver when it is 1.0 or 2.0, else infers it from the issuer's form.
func tokenVersion(ver, iss string) string {
	switch ver {
	case "1.0", "2.0":
		return ver
	}
	switch {
	case strings.HasSuffix(strings.TrimRight(iss, "/"), "/v2.0"):
		return "2.0"
	case strings.Contains(iss, "://sts.windows.net/"), strings.Contains(iss, "://sts.chinacloudapi.cn/"):
		return "1.0"
	}
	return ""
}

// issuerTenant returns the first path segment of iss when it is a GUID.
func issuerTenant(iss string) string {
	i := strings.Index(iss, "://")
	if i < 0 {
		return ""
	}
	rest := iss[i+3:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return ""
	}
	seg := rest[j+1:]
	if k := strings.IndexByte(seg, '/'); k >= 0 {
		seg = seg[:k]
	}
	if IsGUID(seg) {
		return seg
	}
	return ""
}

// IsGUID reports whether s has the 8-4-4-4-12 hex form of a GUID.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// numericDate reads a NumericDate claim: a JSON number, or a string holding one.
func numericDate(c map[string]any, name string) (time.Time, error) {
	v, ok := c[name]
	if !ok || v == nil {
		return time.Time{}, nil
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return time.Time{}, &DecodeError{Segment: "payload", Reason: fmt.Sprintf("has claim %s = %q, which is not a NumericDate (seconds since 1970)", name, x)}
		}
		f = p
	default:
		return time.Time{}, &DecodeError{Segment: "payload", Reason: fmt.Sprintf("has claim %s as a JSON %s, not a NumericDate (seconds since 1970)", name, jsonType(v))}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, &DecodeError{Segment: "payload", Reason: fmt.Sprintf("has claim %s = %v, which is not a NumericDate (seconds since 1970)", name, v)}
	}
	// A time before 1970 or beyond 9999 is still a time: the token decodes, and LintToken says
	// token.odd-lifetime. Beyond what a time.Time can show it is held at ±2⁴⁰ s (about 34,800
	// years from 1970), which changes no verdict.
	f = max(-maxClampedDate, min(f, maxClampedDate))
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// stringOf returns v when it is a string, else "".
func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// stringsOf returns a string claim as one element, or the string elements of an array claim.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func firstString(c map[string]any, names ...string) string {
	for _, n := range names {
		if s := stringOf(c[n]); s != "" {
			return s
		}
	}
	return ""
}

// facetsOf reads a facet claim: space-separated numbers in a string, a number, or an array.
func facetsOf(v any) []int {
	var out []int
	switch x := v.(type) {
	case string:
		for _, f := range strings.Fields(x) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	case float64:
		out = append(out, int(x))
	case []any:
		for _, e := range x {
			out = append(out, facetsOf(e)...)
		}
	}
	return out
}
