package inspect

import (
	"fmt"
	"strings"
)

// RedactToken returns a form of raw that is safe to print in reports: for a JWT, the header and
// payload (which reports show decoded anyway) followed by ".(signature removed)", so the result
// can be decoded but never replayed; for anything else, the first four characters and its length.
func RedactToken(raw string) string {
	s := strings.TrimSpace(raw)
	if len(s) >= 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	if s == "" {
		return ""
	}
	parts := strings.Split(s, ".")
	if (len(parts) == 3 || len(parts) == 2) && strings.HasPrefix(parts[0], "eyJ") && parts[1] != "" {
		return parts[0] + "." + parts[1] + "." + signatureRemovedMarker
	}
	head := s
	if len(head) > 4 {
		head = head[:4]
	}
	return fmt.Sprintf("%s…(%d characters redacted)", head, len(s))
}
