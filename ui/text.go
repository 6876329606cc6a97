package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// fit truncates s (which may hold styles) to w cells with an ellipsis and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// trunc truncates s to w cells with an ellipsis, without padding.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// fitWords is fit that cuts at a word boundary: see truncWords.
func fitWords(s string, w int) string {
	return fit(truncWords(s, w), w)
}

// truncWords truncates s (which may hold styles) to w cells with an ellipsis, cutting at the
// last space that leaves room for it, so an AADSTS code, a GUID, a URL or a finding ID is never
// cut into something that looks like another one. When no space falls in the last cells of the
// room (two thirds of it, at least 20 and at most 40 cells: enough to skip a GUID), it cuts after
// a punctuation mark that starts a word ("(", "/", a quote), and failing that where trunc does.
func truncWords(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	window := max(20, min(40, w*2/3))
	// cut is the cell where the last fitting space starts; mark the last cell after a
	// punctuation mark that starts a word ("(", "/", a quote), the second choice.
	cut, mark, col := -1, -1, 0
	var prev rune
	for _, r := range ansi.Strip(s) {
		if col > w-1 {
			break
		}
		if col >= w-1-window && col > 0 {
			switch {
			case r == ' ':
				cut = col
			case wordRune(r) && prev != ' ' && !wordRune(prev):
				mark = col
			}
		}
		prev = r
		col += ansi.StringWidth(string(r))
	}
	if cut < 0 {
		cut = mark
	}
	if cut < 0 {
		return ansi.Truncate(s, w, "…")
	}
	// Spaces and separators before the cut go too, so the ellipsis follows the last word.
	keep := ansi.StringWidth(strings.TrimRight(ansi.Strip(ansi.Truncate(s, cut, "")), " ,;:.·(\"'"))
	if keep == 0 {
		return ansi.Truncate(s, w, "…")
	}
	return ansi.Truncate(s, keep+1, "…")
}

// wordRune reports whether r belongs to a word as truncWords sees one: a GUID, an AADSTS code, a
// host name or a finding ID (agent.aud-mismatch) is one word.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'
}

// wrap wraps plain or styled text to w cells and returns the lines. It breaks only at spaces, so
// a GUID, a URL or a path stays whole: a word longer than the rest of a line starts the next
// one, and only a word wider than w itself is cut (on lines of its own, after a '/' where one
// fits).
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapSpaces(para, w)...)
	}
	return out
}

// wrapSpaces wraps one paragraph at its spaces. Escape sequences hold no spaces, so splitting the
// styled text at spaces keeps every sequence inside its word.
func wrapSpaces(s string, w int) []string {
	var out []string
	line, lineW := "", 0
	broke := false // the line was started by a break, so spaces at its start are dropped
	flush := func() {
		out = append(out, strings.TrimRight(line, " "))
		line, lineW, broke = "", 0, true
	}
	for i, word := range strings.Split(s, " ") {
		ww := ansi.StringWidth(word)
		if i > 0 && !(broke && lineW == 0) {
			// The space before this word.
			if lineW+1+ww > w && lineW > 0 {
				flush()
			} else {
				line += " "
				lineW++
			}
		}
		if broke && lineW == 0 && ww == 0 {
			continue
		}
		if lineW > 0 && lineW+ww > w {
			flush()
		}
		if ww > w {
			// Wider than a whole line: on lines of its own, cut after a '/' where one fits (a
			// URL's path, never inside a GUID at its '-'), else at w.
			parts := cutAtSlashes(word, w)
			for _, p := range parts[:len(parts)-1] {
				line = p
				flush()
			}
			word, ww = parts[len(parts)-1], ansi.StringWidth(parts[len(parts)-1])
		}
		line += word
		lineW += ww
	}
	return append(out, line)
}

// cutAtSlashes cuts a word wider than w into pieces of at most w cells, each ending after the
// last '/' that fits, or at w when none does.
func cutAtSlashes(word string, w int) []string {
	var parts []string
	for ansi.StringWidth(word) > w {
		head := ansi.Truncate(word, w, "")
		plain := ansi.Strip(head)
		cut := w
		if i := strings.LastIndex(plain, "/"); i >= 0 && i+1 < len(plain) {
			cut = ansi.StringWidth(plain[:i+1])
		}
		parts = append(parts, ansi.Truncate(word, cut, ""))
		word = ansi.TruncateLeft(word, cut, "")
	}
	return append(parts, word)
}

// joinLR places left and right on one line of width w, truncating left if they collide.
func joinLR(left, right string, w int) string {
	rw := lipgloss.Width(right)
	if rw >= w {
		return fit(right, w)
	}
	return fit(left, w-rw-1) + " " + right
}

// block pads or cuts a list of lines to exactly h lines of width w.
func block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// relative says how t stands against now for a given time claim, to the second, since the
// screens tick: "expires in 1h 3m 20s", "expired 3m 10s ago", "issued 6m 2s ago", "valid since
// 6m 2s", "not valid for another 2m". Beyond a day it says inspect.HumanDuration's two units,
// as the reports do.
func relative(claim string, t, now time.Time) string {
	d := t.Sub(now)
	switch claim {
	case "exp":
		if d >= 0 {
			return "expires in " + clockDuration(d)
		}
		return "expired " + clockDuration(d) + " ago"
	case "nbf":
		if d > 0 {
			return "not valid for another " + clockDuration(d)
		}
		return "valid since " + clockDuration(d)
	default:
		if d > 0 {
			return "in " + clockDuration(d)
		}
		return clockDuration(d) + " ago"
	}
}

// clockDuration is the length of d to the second under a day ("45s", "4m 5s", "1h 3m 20s"), and
// inspect.HumanDuration's beyond.
func clockDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		return inspect.HumanDuration(d)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm %ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// localTime formats t in loc the way every screen shows times.
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// durationText formats an exchange or hop duration: "3.1 ms", "1.24 s".
func durationText(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// severityCount counts findings of a severity the way the reports do: "1 error", "2 warnings",
// "3 info" (info is the severity's name, not a countable noun).
func severityCount(n int, sev inspect.Severity) string {
	if sev == inspect.SeverityInfo {
		return fmt.Sprintf("%d info", n)
	}
	return plural(n, string(sev))
}

// plural returns "1 error" or "3 errors".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
