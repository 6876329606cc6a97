package flows

import "github.com/oboscope/oboscope/inspect"

// termSafe returns s with everything that could drive a terminal or reorder text shown as a
// visible escape (inspect.Printable, the one sanitizer): bytes that are not UTF-8, C0 controls
// (newlines included: stories and errors are one line), DEL, C1 controls and the Unicode bidi
// overrides and isolates. Claim values, server answers and error texts are attacker-controlled;
// every report format and the screen get them through here.
func termSafe(s string) string { return inspect.Printable(s, false) }

// termSafeLines is termSafe for multi-line text (a report, a JSON block): it keeps newlines and
// tabs.
func termSafeLines(s string) string { return inspect.Printable(s, true) }

// jsonTermSafe is inspect.PrintableJSON: the C1 and bidi controls encoding/json leaves raw become
// \uXXXX escapes, so printing the document cannot drive a terminal.
func jsonTermSafe(doc string) string { return inspect.PrintableJSON(doc) }
