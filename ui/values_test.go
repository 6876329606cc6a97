package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows/report"
)

// TestCopyNumericClaim: y on a numeric claim copies the integer as written in the token, and the
// claim's detail shows it so too.
func TestCopyNumericClaim(t *testing.T) {
	raw := userToken(t, jwt.MapClaims{"xms_num": 1795652032, "xms_obj": map[string]any{"n": 1795652032}})
	var got []string
	m := newTestModel(t, modelConfig{mode: "inspect", rawToken: raw, clipboard: func(s string) error { got = append(got, s); return nil }}, 120, 36)
	for _, c := range []struct{ filter, want string }{
		{"xms_num", "1795652032"},
		{"xms_obj", `{"n":1795652032}`},
	} {
		got = nil
		press(m, "/")
		for _, r := range c.filter {
			press(m, string(r))
		}
		press(m, "enter")
		mustContain(t, screen(m), " "+c.filter+"  "+c.want)
		press(m, "y")
		if len(got) != 1 || got[0] != c.want {
			t.Fatalf("y on %s copied %q, want %q", c.filter, got, c.want)
		}
		press(m, "esc")
	}
}

// TestClaimTimesShowDates: times show their date when one of the token's times is not today —
// also when iat and exp fall on different days — and only the time of day when all are today
// .
func TestClaimTimesShowDates(t *testing.T) {
	iat := time.Date(2025, 7, 24, 21, 24, 45, 0, time.UTC)
	old := userToken(t, jwt.MapClaims{"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(8*time.Hour + 5*time.Minute).Unix()})
	m := inspectModel(t, old, report.InspectOptions{}, 120, 36)
	press(m, "1")
	mustContain(t, screen(m), "  2025-07-24 21:24:45 · 1y 4mo ago  ", "  2025-07-25 05:29:45 · expired 1y 4mo ago  ")

	// Issued today at 21:00, expiring tomorrow at 00:30: both dated, so exp does not look earlier.
	late := userToken(t, jwt.MapClaims{"iat": testNow.Add(-time.Hour).Unix(), "nbf": testNow.Add(-time.Hour).Unix(), "exp": testNow.Add(150 * time.Minute).Unix()})
	m = inspectModel(t, late, report.InspectOptions{}, 120, 36)
	mustContain(t, screen(m), "  2026-11-25 21:00:00 · 1h 0m 0s ago  ", "  2026-11-26 00:30:00 · expires in 2h 30m 0s  ")

	// All today: the time of day alone.
	m = inspectModel(t, userToken(t, nil), report.InspectOptions{}, 120, 36)
	mustContain(t, screen(m), "  21:54:00 · 6m 0s ago  ", "  22:54:00 · expires in 54m 0s  ")
	if strings.Contains(screen(m), "2026-11-25 21:54:00 ·") {
		t.Fatalf("a token of today shows dates in the table:\n%s", screen(m))
	}
}
