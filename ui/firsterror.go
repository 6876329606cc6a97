package ui

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// The first error, fix first: the box on the overview leads with the finding's title and its fix
// — where to change it, from inspect's catalogue — and never cuts the fix; what was observed and
// the links follow in the room left. Links are OSC 8 hyperlinks.

// firstErrorBox is the overview's box for the walk's first error (or failure) f at hop, in w
// cells and at most h lines.
func firstErrorBox(c *common, ws *walkState, f inspect.Finding, hop flows.HopResult, w, h int) []string {
	s := c.styles
	bw := w - 6
	var head, rest []string
	if f.ID == "" {
		rest = wrap(s.Error.Render(hop.Err), bw)
	} else {
		head = append(head, findingHead(s, f, bw))
		head = append(head, fixLines(s, f.Fix, bw)...)
	}
	if ws.claims != "" && !ws.running {
		head = append(head, wrap(s.Warning.Render("Entra sent a claims challenge: press a to sign in again with it."), bw)...)
	}
	if f.ID != "" {
		rest = append(rest, evidenceLines(s, f, bw)...)
		rest = append(rest, linkLines(s, f, bw)...)
	}
	// The title names the keys that act on this box: enter opens the selected hop, which need
	// not be this one.
	title := s.Error.Render("First "+ws.problemWord()) + s.Muted.Render(fmt.Sprintf(" · hop %d %s", ws.index(hop.ID)+1, hop.Short))
	for _, k := range []string{" · x explains", " · y copies the fix"} {
		if f.ID != "" && lipgloss.Width(title+k)+6 <= w {
			title += s.Muted.Render(k)
		}
	}
	return boxLines(s.Box, w, title, append(head, clipRest(s, rest, h-2-len(head), bw)...))
}

// clipRest keeps what fits of the lines after the fix: on one line, the first one cut short.
func clipRest(s *Styles, rest []string, n, w int) []string {
	if n == 1 && len(rest) > 1 {
		return []string{truncWords(rest[0], w-2) + s.Faint.Render(" …")}
	}
	return clip(rest, n)
}

// findingHead is a finding's first line: its severity, its title and, when it fits, its ID.
func findingHead(s *Styles, f inspect.Finding, w int) string {
	lead, tail := severityBadge(s, f.Severity)+" ", s.Muted.Render("  "+f.ID)
	if room := w - ansi.StringWidth(lead) - ansi.StringWidth(tail); room >= 20 && ansi.StringWidth(f.Title) <= room {
		return lead + s.Bold.Render(f.Title) + tail
	}
	return lead + s.Bold.Render(truncWords(f.Title, w-ansi.StringWidth(lead)))
}

// fixLines is a fix, whole, under "Fix:".
func fixLines(s *Styles, fix string, w int) []string {
	var out []string
	for i, l := range wrap(fix, w-5) {
		if i == 0 {
			out = append(out, s.OK.Render("Fix: ")+l)
		} else {
			out = append(out, "     "+l)
		}
	}
	return out
}

// evidenceLines are what was observed: the finding's detail and its evidence, under hanging
// labels.
func evidenceLines(s *Styles, f inspect.Finding, w int) []string {
	var out []string
	hang := func(label, text string) {
		for i, l := range wrap(text, w-10) {
			if i == 0 {
				out = append(out, s.Muted.Render(label)+l)
			} else {
				out = append(out, "          "+l)
			}
		}
	}
	if f.Detail != "" {
		hang("Observed: ", f.Detail)
	}
	if len(f.Evidence) > 0 {
		keys := make([]string, 0, len(f.Evidence))
		for k := range f.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = s.Claim.Render(k) + "=" + f.Evidence[k]
		}
		hang("Evidence: ", strings.Join(parts, "  "))
	}
	return out
}

// linkLines are the finding's Entra code and documentation, the link an OSC 8 hyperlink whose
// text names the page (a terminal without hyperlinks still shows where it leads).
func linkLines(s *Styles, f inspect.Finding, w int) []string {
	var parts []string
	if f.AADSTS != 0 {
		parts = append(parts, fmt.Sprintf("AADSTS%d", f.AADSTS))
	}
	if f.Docs != "" {
		parts = append(parts, "Docs: "+hyperlink(f.Docs, docsName(f.Docs)))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{truncWords(s.Muted.Render(strings.Join(parts, " · ")), w)}
}

// docsName names a documentation page by its site and last path segment:
// "learn.microsoft.com › access-token-claims-reference".
func docsName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	name := path.Base(strings.TrimSuffix(u.Path, "/"))
	if name == "." || name == "/" || name == "" {
		return u.Host
	}
	if u.Fragment != "" {
		name += "#" + u.Fragment
	}
	return u.Host + " › " + name
}

// hyperlink is text as an OSC 8 hyperlink to target; the target's control characters are
// dropped, so a URL from a server cannot end the sequence early.
func hyperlink(target, text string) string {
	target = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, target)
	return ansi.SetHyperlink(target) + text + ansi.ResetHyperlink()
}
