package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/inspect"
)

// explainView is the overlay with the long explanation of a finding: what `oboscope explain ID`
// prints, plus what was observed this time.
type explainView struct {
	c       *common
	finding inspect.Finding
	pager   pager
	width   int
	height  int
}

func newExplainView(c *common, f inspect.Finding) explainView {
	e := explainView{c: c, finding: f}
	e.setSize(c.width, c.height)
	return e
}

// boxSize is the size of the overlay for a window of w×h.
func (e explainView) boxSize() (int, int) {
	return min(e.c.width-4, 100), e.c.height - 4
}

func (e *explainView) setSize(w, h int) {
	e.width, e.height = w, h
	bw, bh := e.boxSize()
	e.pager.setHeight(bh - 4)
	e.pager.setLines(e.lines(bw - 4))
}

func (e explainView) lines(w int) []string {
	s := e.c.styles
	f := e.finding
	var out []string
	rule, known := inspect.LookupRule(f.ID)
	out = append(out, severityBadge(s, f.Severity)+" "+s.Bold.Render(f.ID))
	title := f.Title
	if title == "" {
		title = rule.Title
	}
	out = append(out, wrap(s.Header.Render(title), w)...)
	out = append(out, "")
	section := func(name, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		out = append(out, s.Accent.Render(name))
		out = append(out, wrap(text, w)...)
		out = append(out, "")
	}
	section("Observed at hop "+f.Hop, f.Detail)
	if known {
		section("What it means", rule.Explanation)
	}
	fix := f.Fix
	if fix == "" {
		fix = rule.Fix
	}
	section("Fix", fix)
	if known && len(rule.AADSTS) > 0 {
		codes := make([]string, len(rule.AADSTS))
		for i, c := range rule.AADSTS {
			codes[i] = fmt.Sprintf("AADSTS%d", c)
		}
		text := strings.Join(codes, ", ")
		if rule.Community {
			text += " — community-observed, not documented by Microsoft"
		}
		section("Entra error codes", text)
	}
	docs := f.Docs
	if docs == "" {
		docs = rule.Docs
	}
	section("Documentation", docs)
	if !known {
		out = append(out, s.Muted.Render("This ID is not in oboscope's catalogue."))
	}
	return out
}

// Update scrolls the explanation.
func (e explainView) Update(msg tea.Msg) (explainView, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		e.pager.handleKey(e.c.keys, km)
	}
	return e, nil
}

// View renders the overlay box.
func (e explainView) View() string {
	s := e.c.styles
	bw, bh := e.boxSize()
	body := e.pager.view(e.c, bw-4)
	foot := s.Faint.Render("↑/↓ scroll · esc close")
	content := lipgloss.JoinVertical(lipgloss.Left, s.Title.Render("Explain")+"  "+s.Muted.Render(e.finding.ID), body, foot)
	return s.FocusBox.Width(bw).Height(bh).Render(content)
}
