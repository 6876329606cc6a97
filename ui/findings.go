package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// severityBadge renders a severity as a fixed-width word, coloured when colour is available.
func severityBadge(s *Styles, sev inspect.Severity) string {
	switch sev {
	case inspect.SeverityError:
		return s.Error.Render("ERROR")
	case inspect.SeverityWarning:
		return s.Warning.Render("WARN ")
	default:
		return s.Info.Render("INFO ")
	}
}

// findingsPane is the Findings tab: findings ordered by severity, the selected one in full below
// with its detail, fix, evidence and documentation; enter opens the long explanation.
type findingsPane struct {
	c        *common
	findings []inspect.Finding
	list     scroller
	width    int
	height   int
	showHop  bool
	// noCopyHint leaves y out of the hint line, where the token screen has no room for it
	// next to esc and q; y copies the fix all the same.
	noCopyHint bool
}

func newFindingsPane(c *common) *findingsPane { return &findingsPane{c: c} }

// TabName is the tab's name on the tab line.
func (p *findingsPane) TabName() string { return "Findings" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap).
func (p *findingsPane) ShortHelp() []key.Binding {
	if len(p.findings) == 0 {
		return nil // nothing to explain or copy
	}
	if p.noCopyHint {
		return []key.Binding{p.c.keys.Explain}
	}
	return []key.Binding{p.c.keys.Explain, p.c.keys.CopyValue}
}

// FullHelp groups the tab's keys (help.KeyMap).
func (p *findingsPane) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// load shows the findings of the hop or the token.
func (p *findingsPane) load(d tabData) { p.setFindings(d.findings) }

// badge counts the findings after the tab's name, in the error colour when one is an error.
func (p *findingsPane) badge() string {
	if len(p.findings) == 0 {
		return ""
	}
	b := fmt.Sprintf("(%d)", len(p.findings))
	if e, _, _ := inspect.CountBySeverity(p.findings); e > 0 {
		b = p.c.styles.Error.Render(b)
	}
	return b
}

// setFindings shows fs, most severe first.
func (p *findingsPane) setFindings(fs []inspect.Finding) {
	p.findings = append([]inspect.Finding(nil), fs...)
	inspect.SortFindings(p.findings)
	p.list.setLen(len(p.findings))
}

// SetSize gives the tab its room.
func (p *findingsPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.setHeight(p.listHeight())
}

func (p *findingsPane) listHeight() int {
	n := len(p.findings)
	return max(min(n, p.height/2-1), 1)
}

// selectedFinding returns the selected finding, which enter and x explain.
func (p *findingsPane) selectedFinding() (inspect.Finding, bool) {
	if len(p.findings) == 0 {
		return inspect.Finding{}, false
	}
	return p.findings[p.list.cursor], true
}

// Update moves the selection.
func (p *findingsPane) Update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		p.list.handleKey(p.c.keys, km)
	}
	return nil
}

// copyValue is the selected finding's fix, as y copies it.
func (p *findingsPane) copyValue() (what, text string, ok bool) {
	f, ok := p.selectedFinding()
	if !ok {
		return "", "", false
	}
	return "the fix for " + f.ID, f.Fix, true
}

// click selects the finding under a click at line y of the tab.
func (p *findingsPane) click(_, y int) {
	if i, ok := p.rowAt(y); ok {
		p.list.to(i)
	}
}

// View renders the list and the selected finding.
func (p *findingsPane) View() string {
	s := p.c.styles
	w := p.width
	if len(p.findings) == 0 {
		return block([]string{"", "  " + s.OK.Render("✓ No findings.") + s.Muted.Render(" Nothing observed here needs fixing.")}, w, p.height)
	}
	var lines []string
	e, wn, in := inspect.CountBySeverity(p.findings)
	lines = append(lines, " "+s.Faint.Render(fmt.Sprintf("%s · %s · %s", severityCount(e, inspect.SeverityError), severityCount(wn, inspect.SeverityWarning), severityCount(in, inspect.SeverityInfo))))
	idW := 12
	for _, f := range p.findings {
		idW = max(idW, len(f.ID))
	}
	idW = min(idW, 36) + 2
	from, to := p.list.window()
	for i := from; i < to; i++ {
		f := p.findings[i]
		hop := ""
		if p.showHop {
			hop = fit(f.Hop, 11)
		}
		if i == p.list.cursor {
			lines = append(lines, s.Selected.Render(fit(" ▸ "+strings.ToUpper(sevWord(f.Severity))+" "+hop+fit(f.ID, idW)+f.Title, w)))
			continue
		}
		lines = append(lines, fit("   "+severityBadge(s, f.Severity)+" "+s.Muted.Render(hop)+s.Bold.Render(fit(f.ID, idW))+f.Title, w))
	}
	for len(lines) < p.listHeight()+1 {
		lines = append(lines, "")
	}
	lines = append(lines, s.Rule.Render(strings.Repeat("─", w)))
	f, _ := p.selectedFinding()
	detail := findingDetail(s, f, w)
	lines = append(lines, detail[:len(detail)-1]...)
	if rule, ok := inspect.LookupRule(f.ID); ok && rule.Explanation != "" {
		room := p.height - len(lines) - 2
		if room >= 3 {
			lines = append(lines, "", "   "+s.Accent.Render("What it means"))
			lines = append(lines, indent(clip(wrap(rule.Explanation, w-4), room-2), "   ")...)
		}
	}
	lines = append(lines, detail[len(detail)-1])
	return block(lines, w, p.height)
}

// findingRow is a finding on one line of w cells: its severity, its ID whole, and as much of its
// title as fits, cut at a word.
func findingRow(s *Styles, indent string, f inspect.Finding, w int) string {
	lead := indent + severityBadge(s, f.Severity) + " " + s.Bold.Render(f.ID) + "  "
	if room := w - ansi.StringWidth(lead); room >= 8 {
		return lead + truncWords(f.Title, room)
	}
	return truncWords(lead+f.Title, w)
}

// sevWord is the fixed-width severity word used on a selected (reverse video) row.
func sevWord(sev inspect.Severity) string {
	switch sev {
	case inspect.SeverityError:
		return "error"
	case inspect.SeverityWarning:
		return "warn "
	}
	return "info "
}

// findingDetail renders one finding in full, fix first: title, fix, what was observed, the
// Entra code and the docs (a hyperlink), and the key to the long explanation.
func findingDetail(s *Styles, f inspect.Finding, w int) []string {
	var out []string
	// The finding's ID stays whole: the title gives way.
	where := " · hop " + f.Hop
	if f.Hop == "token" || f.Hop == "" {
		where = "" // `inspect` checks one token, not a hop of the chain
	}
	lead, tail := " "+severityBadge(s, f.Severity)+" ", s.Muted.Render("  "+f.ID+where)
	room := w - ansi.StringWidth(lead) - ansi.StringWidth(tail)
	if room >= 12 {
		out = append(out, lead+s.Bold.Render(truncWords(f.Title, room))+tail)
	} else {
		out = append(out, truncWords(lead+s.Bold.Render(f.Title)+tail, w))
	}
	out = append(out, indent(fixLines(s, f.Fix, w-4), "   ")...)
	out = append(out, indent(evidenceLines(s, f, w-4), "   ")...)
	if f.AADSTS != 0 || f.Docs != "" {
		// The docs link stays whole (on a line of its own when it must), each line a hyperlink.
		meta := ""
		if f.AADSTS != 0 {
			meta = fmt.Sprintf("AADSTS%d", f.AADSTS)
		}
		if f.Docs != "" && meta != "" {
			meta += " · "
		}
		lines := wrap(meta+f.Docs, w-4)
		for _, l := range lines {
			if f.Docs != "" {
				if i := strings.Index(l, "http"); i >= 0 || !strings.HasPrefix(l, "AADSTS") {
					i = max(i, 0)
					l = l[:i] + hyperlink(f.Docs, l[i:])
				}
			}
			out = append(out, "   "+s.Muted.Render(l))
		}
	}
	out = append(out, "   "+s.Faint.Render("enter: full explanation"))
	return out
}

// rowAt maps a mouse row (relative to the pane) to a finding.
func (p *findingsPane) rowAt(y int) (int, bool) {
	return p.list.rowAt(y - 1) // under the line of counts
}
