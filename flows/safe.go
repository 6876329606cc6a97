package flows

import (
	"fmt"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// termSafe returns s with every character that could drive a terminal or reorder text shown as
// a visible escape: C0 controls (newlines included: stories and errors are one line), DEL, C1
// controls and the Unicode bidi overrides and isolates. Claim values, server answers and error
// texts are attacker-controlled; every report format and the screen get them through here.
func termSafe(s string) string { return escapeUnsafe(s, false) }

// termSafeLines is termSafe for multi-line text (a report, a JSON block): it keeps newlines and
// tabs.
func termSafeLines(s string) string { return escapeUnsafe(s, true) }

func escapeUnsafe(s string, keepLines bool) string { return inspect.Printable(s, keepLines) }

// unsafeRune is inspect.UnsafeRune: controls, C1, bidi controls.
func unsafeRune(r rune) bool { return inspect.UnsafeRune(r) }

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
