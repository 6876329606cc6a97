package inspect

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable returns s with everything that could drive a terminal or reorder the text shown
// written as a visible escape: bytes that are not valid UTF-8 (\x9d — a terminal reads a lone
// 0x9b, 0x9d or 0x9c as the 8-bit CSI, OSC or ST), C0 controls, DEL, C1 controls (\u009b) and the
// Unicode bidi overrides and isolates (\u202e). Claim values, headers, bodies, paths, config keys
// and server answers are attacker-controlled; everything that shows or prints them (reports, the
// screen, logs) passes them through here, the one sanitizer. keepLines keeps newlines and tabs
// for multi-line text.
func Printable(s string, keepLines bool) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unsafeIn(r, keepLines) }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unsafeIn(r, keepLines) && r < 0x80:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unsafeIn(r, keepLines):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// PrintableJSON makes a JSON document safe to print as it is: the C1 and bidi controls
// encoding/json leaves raw inside strings become \uXXXX escapes (the document decodes to the same
// values) and bytes that are not UTF-8 become \ufffd. encoding/json already escapes C0 controls
// inside strings; outside them a document holds only its own newlines and indentation.
func PrintableJSON(doc string) string {
	unsafe := func(r rune) bool { return r != '\n' && r != '\t' && r != '\r' && UnsafeRune(r) }
	if utf8.ValidString(doc) && !strings.ContainsFunc(doc, unsafe) {
		return doc
	}
	var b strings.Builder
	b.Grow(len(doc) + 16)
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRuneInString(doc[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case unsafe(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(doc[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unsafeIn(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return false
	}
	return UnsafeRune(r)
}

// UnsafeRune reports whether r is a control character (C0, DEL, C1) or a bidi control that
// Printable escapes. A rune decoded from bytes that are not UTF-8 is utf8.RuneError, which is
// harmless as a character: code that ranges over a string must check utf8.ValidString as well
// (Printable and PrintableJSON do), since the raw bytes behind it are not.
func UnsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
