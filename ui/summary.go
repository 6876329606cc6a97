package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// summaryTab is the hop screen's Summary tab: the hop's story, its findings first, then its
// tokens and exchanges, in a pager.
type summaryTab struct {
	c     *common
	pager pager
	width int
	last  tabData
}

func newSummaryTab(c *common) *summaryTab { return &summaryTab{c: c} }

// TabName is the tab's name on the tab line.
func (t *summaryTab) TabName() string { return "Summary" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap): nothing but scrolling.
func (t *summaryTab) ShortHelp() []key.Binding { return nil }

// FullHelp groups the tab's keys (help.KeyMap).
func (t *summaryTab) FullHelp() [][]key.Binding { return nil }

// SetSize gives the tab its room.
func (t *summaryTab) SetSize(w, h int) {
	t.width = w
	t.pager.setHeight(h)
}

// load tells the hop's story.
func (t *summaryTab) load(d tabData) {
	t.last = d
	if d.ws != nil {
		t.pager.setLines(hopSummaryLines(t.c, d.ws, d.res, t.width))
	}
}

// tick tells the story again with the times of now.
func (t *summaryTab) tick() { t.load(t.last) }

// tokenTab marks the Summary tab, which lists the hop's tokens, as one where t selects one.
func (t *summaryTab) tokenTab() {}

// Update scrolls.
func (t *summaryTab) Update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		t.pager.handleKey(t.c.keys, km)
	}
	return nil
}

// View renders the visible lines.
func (t *summaryTab) View() string { return t.pager.view(t.c, t.width) }

// summarySection is one part of a hop's story: its heading and the items under it, each item
// one or more lines. The Summary tab shows every section; the overview's hop box shows as many
// as fit and names what it left out.
type summarySection struct {
	head  []string
	items [][]string
	// noun counts the items when some are left out ("finding" → "2 more findings"); hidden
	// names the section when none of it shows ("the rest of the story").
	noun, hidden string
}

// hopSummaryLines tells a hop's story for a width of w: its first line is the hop's heading.
func hopSummaryLines(c *common, ws *walkState, r flows.HopResult, w int) []string {
	head, secs := hopSummarySections(c, ws, r, w)
	return append([]string{head}, flattenSections(secs)...)
}

// hopSummarySections is a hop's heading and the sections of its story: what happened, the
// findings, the device code, the tokens and the HTTP exchanges.
func hopSummarySections(c *common, ws *walkState, r flows.HopResult, w int) (string, []summarySection) {
	s := c.styles
	glyph, word := statusGlyph(s, r.Status, "…")
	head := " " + glyph + " " + s.Header.Render(r.Title) + "  " + word
	if d := hopDuration(r); d > 0 {
		head += s.Muted.Render("  in " + durationText(d))
	}
	var secs []summarySection
	story := summarySection{hidden: "the rest of the story"}
	if r.Story != "" {
		for _, l := range wrap(r.Story, w-4) {
			story.items = append(story.items, []string{"   " + l})
		}
	}
	if r.Err != "" && !r.StoryTellsError() {
		for _, l := range wrap(r.Err, w-4) {
			story.items = append(story.items, []string{"   " + s.Error.Render(l)})
		}
	}
	if len(story.items) > 0 {
		secs = append(secs, story)
	}
	fs := append([]inspect.Finding(nil), r.Findings...)
	inspect.SortFindings(fs)
	switch {
	case len(fs) > 0:
		sec := summarySection{head: []string{" " + s.Accent.Render("Findings") + s.Muted.Render("  the Findings tab explains them")}, noun: "finding"}
		for _, f := range fs {
			item := []string{findingRow(s, "   ", f, w)}
			for i, l := range wrap(f.Fix, w-14) {
				pre := "         " + s.OK.Render("Fix: ")
				if i > 0 {
					pre = strings.Repeat(" ", 14)
				}
				item = append(item, pre+l)
			}
			sec.items = append(sec.items, item)
		}
		secs = append(secs, sec)
	case r.Status == flows.StatusFailed:
		secs = append(secs, summarySection{head: []string{" " + s.Muted.Render("No findings at this hop: the error above is the cause.")}})
	case r.Status != flows.StatusPending && r.Status != flows.StatusRunning:
		secs = append(secs, summarySection{head: []string{" " + s.OK.Render("✓ No findings at this hop.")}})
	}
	if r.ID == flows.HopSignin {
		if ds := deviceSummary(c, ws); ds != nil {
			for i := range ds {
				ds[i] = " " + ds[i]
			}
			secs = append(secs, summarySection{head: ds[:1], items: [][]string{ds[1:]}, hidden: "the device code"})
		}
	}
	if len(r.Tokens) > 0 {
		sec := summarySection{head: []string{" " + s.Accent.Render("Tokens") + s.Muted.Render("  t selects one for Claims, Diff and Raw")}, noun: "token"}
		for _, nt := range r.Tokens {
			line := "   " + s.Bold.Render(nt.Name)
			if nt.Token != nil {
				line += s.Faint.Render(" · ") + strings.TrimSpace(tokenSummary(c, nt.Token, ws.names))
			}
			sec.items = append(sec.items, []string{truncWords(line, w), "     " + s.Muted.Render(verifyNote(ws, nt))})
		}
		secs = append(secs, sec)
	}
	if len(r.Exchanges) > 0 {
		sec := summarySection{head: []string{" " + s.Accent.Render("HTTP") + s.Muted.Render(fmt.Sprintf("  %s, the HTTP tab shows them", plural(len(r.Exchanges), "exchange")))}, noun: "HTTP exchange"}
		for _, x := range r.Exchanges {
			sec.items = append(sec.items, []string{truncWords(fmt.Sprintf("   %-6s %s %9s  %s", x.Method, statusText(s, x), exchangeDuration(x), x.Label), w)})
		}
		secs = append(secs, sec)
	}
	return head, secs
}

// flattenSections lays the sections out one after the other, a blank line between two.
func flattenSections(secs []summarySection) []string {
	var out []string
	for i, sec := range secs {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, sec.head...)
		for _, it := range sec.items {
			out = append(out, it...)
		}
	}
	return out
}

// fitSections lays the sections out in at most n lines. When they do not fit, it keeps whole
// items in order, drops a heading that could not show one of its items, and ends with a line
// that names what it left out by kind ("… 2 more findings, 4 HTTP exchanges"), so a count
// never stands for lines of another kind.
func fitSections(s *Styles, secs []summarySection, n, w int) []string {
	all := flattenSections(secs)
	if len(all) <= n {
		return all
	}
	if n < 1 {
		return nil
	}
	budget := n - 1 // the last line says what is left out
	var out, left []string
	for i, sec := range secs {
		sep := 0
		if len(out) > 0 {
			sep = 1
		}
		shown := 0
		if cost := sep + len(sec.head) + firstLen(sec.items); cost <= budget {
			if sep == 1 {
				out = append(out, "")
			}
			out = append(out, sec.head...)
			budget -= sep + len(sec.head)
			for _, it := range sec.items {
				if len(it) > budget {
					break
				}
				out = append(out, it...)
				budget -= len(it)
				shown++
			}
			if shown == len(sec.items) {
				continue
			}
		}
		left = append(left, leftOut(sec, shown))
		for _, later := range secs[i+1:] {
			if d := leftOut(later, 0); d != "" {
				left = append(left, d)
			}
		}
		break
	}
	// What was left out, by kind, when that fits on the line; else only that there is more.
	more := "   … more: enter opens the hop"
	if left = compact(left); len(left) > 0 {
		if named := "   … " + strings.Join(left, ", ") + "; enter opens the hop"; lipgloss.Width(named) <= w {
			more = named
		}
	}
	return append(out, s.Muted.Render(more))
}

// firstLen is the number of lines of the first item (0 when there are none).
func firstLen(items [][]string) int {
	if len(items) == 0 {
		return 0
	}
	return len(items[0])
}

// leftOut names the part of a section that did not show, after its first shown items.
func leftOut(sec summarySection, shown int) string {
	rest := len(sec.items) - shown
	switch {
	case rest <= 0:
		return ""
	case sec.noun == "":
		return sec.hidden
	case shown > 0:
		return fmt.Sprintf("%d more %s", rest, pluralWord(rest, sec.noun))
	}
	return plural(rest, sec.noun)
}

// pluralWord is word for one and its plural otherwise.
func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// compact drops the empty strings.
func compact(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
