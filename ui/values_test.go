package ui

import (
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestValueText: claim values read as the token writes them — numbers in plain decimal, objects
// as JSON (QA2 #9).
func TestValueText(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{float64(1795652032), "1795652032"},
		{float64(1.5), "1.5"},
		{float64(-3), "-3"},
		{float64(1e21), "1000000000000000000000"},
		{json.Number("1795652032"), "1795652032"},
		{true, "true"},
		{nil, "null"},
		{"1.795652032e+09", "1.795652032e+09"},
		{[]any{float64(1795652032), "a"}, "[1795652032 a]"},
		{map[string]any{"essential": true, "values": []any{"urn:x<y>"}, "n": float64(1795652032)}, `{"essential":true,"n":1795652032,"values":["urn:x<y>"]}`},
	}
	for _, tt := range tests {
		if got := valueText(tt.in); got != tt.want {
			t.Errorf("valueText(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCopyNumericClaim: y on a numeric claim copies the integer as written in the token, and the
// claim's detail shows it so too (QA2 #9).
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
