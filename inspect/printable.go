package inspect

import (
	"fmt"
	"strings"
	"unicode"
)

// Printable returns s with every character that could drive a terminal or reorder the text shown
// as a visible escape (\x1b, \u202e): C0 controls, DEL, C1 controls and the Unicode bidi
// overrides and isolates. Claim values and server answers are attacker-controlled; everything
// that prints them (reports, the screen) passes them through here. keepLines keeps newlines and
// tabs for multi-line text.
func Printable(s string, keepLines bool) string {
	unsafe := func(r rune) bool {
		if keepLines && (r == '\n' || r == '\t') {
			return false
		}
		return UnsafeRune(r)
	}
	if strings.IndexFunc(s, unsafe) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafe(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// UnsafeRune reports whether r is a control character (C0, DEL, C1) or a bidi control that
// Printable escapes.
func UnsafeRune(r rune) bool {
	switch {
	case r == unicode.ReplacementChar:
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
