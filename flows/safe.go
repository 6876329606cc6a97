package flows

import (
	"fmt"
	"strings"
	"unicode"
)

// termSafe returns s with every character that could drive a terminal or reorder text shown as
// a visible escape: C0 controls (newlines included: stories and errors are one line), DEL, C1
// controls and the Unicode bidi overrides and isolates. Claim values, server answers and error
// texts are attacker-controlled; every report format and the screen get them through here.
func termSafe(s string) string { return escapeUnsafe(s, false) }

// termSafeLines is termSafe for multi-line text (a report, a JSON block): it keeps newlines and
// tabs.
func termSafeLines(s string) string { return escapeUnsafe(s, true) }

func escapeUnsafe(s string, keepLines bool) string {
	unsafe := func(r rune) bool {
		if keepLines && (r == '\n' || r == '\t') {
			return false
		}
		return unsafeRune(r)
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

// unsafeRune mirrors inspect's text output (inspUnsafeRune): controls, C1, bidi controls.
func unsafeRune(r rune) bool {
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

// jsonTermSafe rewrites the C1 controls and bidi characters encoding/json leaves raw as \uXXXX
// escapes: the document decodes to the same values, and printing it cannot drive a terminal.
// (They can only occur inside JSON strings; encoding/json already escapes C0 controls.)
func jsonTermSafe(doc string) string {
	if strings.IndexFunc(doc, unsafeRune) < 0 {
		return doc
	}
	var b strings.Builder
	for _, r := range doc {
		if r != '\n' && r != '\t' && unsafeRune(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
