package inspect

import (
	"encoding/json"
	"testing"
)

// TestDisplayValue: claim values read as the token writes them — numbers in plain decimal,
// arrays comma-separated, objects as JSON without HTML escaping.
func TestDisplayValue(t *testing.T) {
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
		{[]any{float64(1795652032), "a"}, "1795652032, a"},
		{map[string]any{"essential": true, "values": []any{"urn:x<y>"}, "n": float64(1795652032)}, `{"essential":true,"n":1795652032,"values":["urn:x<y>"]}`},
	}
	for _, tt := range tests {
		if got := DisplayValue(tt.in); got != tt.want {
			t.Errorf("DisplayValue(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
