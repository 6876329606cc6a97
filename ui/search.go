package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// textSearch is / in a tab that shows text (the HTTP and Raw tabs): typing finds the text in
// every document of the tab (each exchange, the token), the match shown scrolled into view; n
// and N move between the matches; esc ends the search. Matching lines are marked in the margin,
// the one shown highlighted.
type textSearch struct {
	c       *common
	input   textinput.Model
	editing bool
	query   string
	matches []searchMatch
	cur     int
}

// searchMatch is a line that matches: in which document, at which line.
type searchMatch struct{ doc, line int }

// searchable is a tab whose text a textSearch searches.
type searchable interface {
	// searchDocs are the tab's documents, as the lines it renders.
	searchDocs() [][]string
	// showMatch brings line of doc into view.
	showMatch(doc, line int)
}

func newTextSearch(c *common, placeholder string) textSearch {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = placeholder
	return textSearch{c: c, input: ti}
}

// on reports whether there is a search (typed, or kept after enter).
func (s *textSearch) on() bool { return s.editing || s.query != "" }

// takesKey reports whether the search takes msg before the screen: n, N and esc while a search is
// kept.
func (s *textSearch) takesKey(msg tea.KeyPressMsg) bool {
	k := s.c.keys
	return !s.editing && s.query != "" &&
		(key.Matches(msg, k.SearchNext) || key.Matches(msg, k.SearchPrev) || msg.Code == tea.KeyEscape)
}

// update handles a key for the search and reports whether it used it: / starts one, typing
// searches, enter keeps the search and closes the field, esc ends it, n and N move.
func (s *textSearch) update(t searchable, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := s.c.keys
	if s.editing {
		switch msg.Code {
		case tea.KeyEnter:
			s.editing = false
			s.input.Blur()
			return nil, true
		case tea.KeyEscape:
			s.clear()
			return nil, true
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		s.find(t, s.input.Value())
		return cmd, true
	}
	switch {
	case key.Matches(msg, k.Filter):
		s.editing = true
		s.input.SetValue(s.query)
		s.input.CursorEnd()
		return s.input.Focus(), true
	case s.query == "":
		return nil, false
	case key.Matches(msg, k.SearchNext):
		s.step(t, 1)
	case key.Matches(msg, k.SearchPrev):
		s.step(t, -1)
	case msg.Code == tea.KeyEscape:
		s.clear()
	default:
		return nil, false
	}
	return nil, true
}

// paste searches for pasted text while the field is open.
func (s *textSearch) paste(t searchable, text string) {
	s.input.SetValue(s.input.Value() + strings.TrimSpace(text))
	s.find(t, s.input.Value())
}

func (s *textSearch) clear() {
	s.editing, s.query, s.matches, s.cur = false, "", nil, 0
	s.input.Blur()
	s.input.SetValue("")
}

// find searches for q (case-insensitive) and shows the first match.
func (s *textSearch) find(t searchable, q string) {
	s.query, s.cur = q, 0
	s.collect(t)
	if len(s.matches) > 0 {
		t.showMatch(s.matches[0].doc, s.matches[0].line)
	}
}

// collect finds the lines that match the query.
func (s *textSearch) collect(t searchable) {
	s.matches = nil
	if strings.TrimSpace(s.query) == "" {
		return
	}
	lq := strings.ToLower(s.query)
	for d, lines := range t.searchDocs() {
		for i, l := range lines {
			if strings.Contains(strings.ToLower(ansi.Strip(l)), lq) {
				s.matches = append(s.matches, searchMatch{d, i})
			}
		}
	}
}

// refind finds the matches again after the text changed (a new exchange, a resize, the clock),
// leaving the view where it is.
func (s *textSearch) refind(t searchable) {
	if s.query == "" {
		return
	}
	cur := s.cur
	s.collect(t)
	s.cur = min(cur, max(len(s.matches)-1, 0))
}

// step shows the next (1) or previous (-1) match, round the end.
func (s *textSearch) step(t searchable, d int) {
	if len(s.matches) == 0 {
		return
	}
	s.cur = (s.cur + d + len(s.matches)) % len(s.matches)
	m := s.matches[s.cur]
	t.showMatch(m.doc, m.line)
}

// mark marks line i of document doc when it matches: the match shown highlighted, the others
// with a › in the margin.
func (s *textSearch) mark(doc, i int, line string) string {
	if s.query == "" {
		return line
	}
	for j, m := range s.matches {
		if m.doc != doc || m.line != i {
			continue
		}
		if j == s.cur {
			return s.c.styles.Highlight.Render("›" + ansi.Strip(ansi.TruncateLeft(line, 1, "")))
		}
		return s.c.styles.Highlight.Render("›") + ansi.TruncateLeft(line, 1, "")
	}
	return line
}

// bar is the search's line: the field while typing, else the query and where the match is.
func (s *textSearch) bar(w int) string {
	st := s.c.styles
	info := ""
	switch {
	case s.query == "":
	case len(s.matches) == 0:
		info = st.Warning.Render("no match")
	default:
		info = st.Muted.Render(fmt.Sprintf("match %d of %d", s.cur+1, len(s.matches)))
	}
	if s.editing {
		return joinLR(" "+s.input.View(), info+st.Faint.Render(" · enter keeps it · esc ends it "), w)
	}
	return joinLR(" "+st.Accent.Render("/ ")+s.query, info+st.Faint.Render(" · n/N next/previous · esc ends it "), w)
}

// keys are what the search adds to the hint line.
func (s *textSearch) keys() []key.Binding {
	if s.query != "" && !s.editing {
		return []key.Binding{s.c.keys.SearchNext}
	}
	b := s.c.keys.Filter
	b.SetHelp("/", "search")
	return []key.Binding{b}
}
