package inspect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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
		// Invalid UTF-8: 8-bit OSC 8 (a live link) and CSI (blinking text) as raw bytes.
		{"\x9d8;;https://evil.example\x9cclick\x9d8;;\x9c", false, `\x9d8;;https://evil.example\x9cclick\x9d8;;\x9c`},
		{"\x9b5mblink", true, `\x9b5mblink`},
		{"ok \xff\xfe and é", false, `ok \xff\xfe and é`},
		{"cut \xe2\x80", false, `cut \xe2\x80`},
	}
	for _, c := range cases {
		if got := Printable(c.in, c.keepLines); got != c.want {
			t.Errorf("Printable(%q, %v) = %q, want %q", c.in, c.keepLines, got, c.want)
		}
	}
}

func TestPrintableJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":"plain"}`:          `{"a":"plain"}`,
		"{\"a\":\"\u009b2J\"}":   `{"a":"\u009b2J"}`,
		"{\"a\":\"\u202eevil\"}": `{"a":"\u202eevil"}`,
		"{\"a\":\"\x9d8;;x\"}":   `{"a":"\ufffd8;;x"}`,
		"{\n  \"a\": 1\n}":       "{\n  \"a\": 1\n}",
	} {
		if got := PrintableJSON(in); got != want {
			t.Errorf("PrintableJSON(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPrintable: whatever the input, the output is valid UTF-8 without a C0 or C1 control or a
// bidi control (newlines and tabs aside when kept).
func FuzzPrintable(f *testing.F) {
	f.Add("\x9d8;;https://evil.example\x9c", false)
	f.Add("\x1b[31mred\u202e", true)
	f.Fuzz(func(t *testing.T, s string, keepLines bool) {
		out := Printable(s, keepLines)
		if !utf8.ValidString(out) {
			t.Fatalf("Printable(%q) = %q is not UTF-8", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return unsafeIn(r, keepLines) }) {
			t.Fatalf("Printable(%q) = %q keeps a control", s, out)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unsafeIn(r, keepLines) }) && out != s {
			t.Fatalf("Printable(%q) changed a safe string: %q", s, out)
		}
	})
}
