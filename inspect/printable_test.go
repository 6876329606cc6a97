package inspect

import "testing"

func TestPrintable(t *testing.T) {
	cases := []struct {
		in        string
		keepLines bool
		want      string
	}{
		{"plain text", false, "plain text"},
		{"Zoë – ✓", false, "Zoë – ✓"},
		{"red\x1b[31m", false, `red\x1b[31m`},
		{"\u202eevil", false, `\u202eevil`},
		{"title\x1b]0;pwned\a", false, `title\x1b]0;pwned\x07`},
		{"c1\u009b", false, `c1\u009b`},
		{"a\nb\tc", false, `a\x0ab\x09c`},
		{"a\nb\tc", true, "a\nb\tc"},
		{"bad \uFFFD byte", false, "bad \uFFFD byte"},
	}
	for _, c := range cases {
		if got := Printable(c.in, c.keepLines); got != c.want {
			t.Errorf("Printable(%q, %v) = %q, want %q", c.in, c.keepLines, got, c.want)
		}
	}
}
