package ui

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows/report"
)

// A claim value that carries terminal controls or a bidi override is shown as visible escapes in
// every tab, never sent to the terminal.
func TestInspectEscapesHostileClaims(t *testing.T) {
	raw := userToken(t, jwt.MapClaims{"name": "\u202eevil\a\x1b[31mred", "title\x1b]0;pwned\a": "x\u009by"})
	for _, tab := range []string{"1", "2", "3"} {
		m := inspectModel(t, raw, report.InspectOptions{}, 120, 36)
		press(m, tab)
		out := m.render()
		for _, bad := range []string{"\u202e", "\x1b[31mred", "\x1b]0;pwned", "\a", "\u009b"} {
			if strings.Contains(out, bad) {
				t.Errorf("tab %s: the screen carries %q raw", tab, bad)
			}
		}
	}
	m := inspectModel(t, raw, report.InspectOptions{}, 120, 36)
	mustContain(t, screen(m), `\u202eevil\x07\x1b[31mred`)
}
