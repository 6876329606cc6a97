// Package report runs oboscope's headless commands (check, inspect, explain) and renders what
// the engine produced as text, Markdown and JSON. It prints; it decides nothing about tokens or
// Entra (inspect does) and runs no hop (flows does). It imports no terminal UI library: its one
// ANSI style is plain SGR sequences, used only when the output is a terminal.
package report

import (
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// Style is the one style of every text this package prints: colours (only on a terminal with
// NO_COLOR unset), the time zone of times and the wrap width.
type Style struct {
	Color    bool           // ANSI colours
	Location *time.Location // time zone of times; nil = time.Local
	Width    int            // wrap width; 0 = 100
}

// ANSI SGR sequences; used only when Style.Color is set.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
)

// paint wraps text in an SGR sequence when colours are on.
func (s Style) paint(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return code + text + sgrReset
}

func (s Style) bold(t string) string  { return s.paint(sgrBold, t) }
func (s Style) dim(t string) string   { return s.paint(sgrDim, t) }
func (s Style) red(t string) string   { return s.paint(sgrRed, t) }
func (s Style) green(t string) string { return s.paint(sgrGreen, t) }
func (s Style) amber(t string) string { return s.paint(sgrYellow, t) }

func (s Style) width() int {
	if s.Width <= 0 {
		return 100
	}
	return s.Width
}

func (s Style) loc() *time.Location {
	if s.Location == nil {
		return time.Local
	}
	return s.Location
}

// severity renders a severity as a label of one width, coloured by severity.
func (s Style) severity(sev inspect.Severity) string {
	switch sev {
	case inspect.SeverityError:
		return s.paint(sgrRed+sgrBold, "error  ")
	case inspect.SeverityWarning:
		return s.paint(sgrYellow+sgrBold, "warning")
	}
	return s.paint(sgrCyan, "info   ")
}

// status renders a hop status as a label of one width.
func (s Style) status(st flows.HopStatus) string {
	switch st {
	case flows.StatusOK:
		return s.green("✓ ok     ")
	case flows.StatusWarning:
		return s.amber("! warning")
	case flows.StatusFailed:
		return s.red("✗ failed ")
	case flows.StatusSkipped:
		return s.dim("- skipped")
	}
	return string(st)
}

// safe makes text from a token, a server or a config printable on a terminal: controls, C1
// controls and bidi overrides become visible escapes; safeLines keeps newlines and tabs.
func safe(s string) string      { return inspect.Printable(s, false) }
func safeLines(s string) string { return inspect.Printable(s, true) }
