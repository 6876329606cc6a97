package flows

import "testing"

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want, lines string }{
		{"plain text, ünïcode ✓", "plain text, ünïcode ✓", "plain text, ünïcode ✓"},
		{"hi \x1b[31mRED\x1b[0m", `hi \x1b[31mRED\x1b[0m`, `hi \x1b[31mRED\x1b[0m`},
		{"\x1b]0;pwned\a", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"a\nb\tc\r", `a\x0ab\x09c\x0d`, "a\nb\tc\\x0d"},
		{"\u202eevil\u2066", `\u202eevil\u2066`, `\u202eevil\u2066`},
		{"c1 \u009b2J del \x7f", `c1 \u009b2J del \x7f`, `c1 \u009b2J del \x7f`},
		{"\ufffd stays", "\ufffd stays", "\ufffd stays"},
	}
	for _, tt := range tests {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := termSafeLines(tt.in); got != tt.lines {
			t.Errorf("termSafeLines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

func TestJSONTermSafe(t *testing.T) {
	in := "{\n\t\"name\": \"\u202eevil\u0085\"\n}"
	got := jsonTermSafe(in)
	if want := "{\n\t\"name\": \"\\u202eevil\\u0085\"\n}"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
