package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// scroller keeps a cursor inside a list of n rows and the window of rows that is visible. It is
// the one list of the interface: the claims table, the findings, the HTTP exchanges, the
// scenario picker and the overview's rail all move with its handleKey and map clicks with its
// rowAt.
type scroller struct {
	cursor, offset, n, height int
	// paged lists also answer the page keys, moving a window at a time (the claims table, the
	// scenario picker); a short list leaves them alone.
	paged bool
}

// handleKey moves the cursor on the list keys — ↑/↓ a row, home/end to the ends and, in a
// paged list, pgup/pgdn a window — and reports whether it used the key.
func (s *scroller) handleKey(k KeyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.Down):
		s.move(1)
	case s.paged && key.Matches(msg, k.PageUp):
		s.move(-s.height)
	case s.paged && key.Matches(msg, k.PageDown):
		s.move(s.height)
	case key.Matches(msg, k.Top):
		s.to(0)
	case key.Matches(msg, k.Bottom):
		s.to(s.n - 1)
	default:
		return false
	}
	return true
}

// rowAt maps a line of the window (0 is the first visible row) to a row of the list.
func (s *scroller) rowAt(y int) (int, bool) {
	from, to := s.window()
	if y < 0 || from+y >= to {
		return 0, false
	}
	return from + y, true
}

// setLen changes the number of rows and keeps the cursor inside them.
func (s *scroller) setLen(n int) {
	s.n = n
	s.clamp()
}

// setHeight changes the number of visible rows.
func (s *scroller) setHeight(h int) {
	s.height = max(h, 1)
	s.clamp()
}

// move moves the cursor by d rows.
func (s *scroller) move(d int) {
	s.cursor += d
	s.clamp()
}

// to moves the cursor to row i.
func (s *scroller) to(i int) {
	s.cursor = i
	s.clamp()
}

func (s *scroller) clamp() {
	if s.height < 1 {
		s.height = 1
	}
	s.cursor = min(max(s.cursor, 0), max(s.n-1, 0))
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+s.height {
		s.offset = s.cursor - s.height + 1
	}
	s.offset = min(max(s.offset, 0), max(s.n-s.height, 0))
}

// window returns the half-open range of visible rows.
func (s *scroller) window() (from, to int) {
	return s.offset, min(s.offset+s.height, s.n)
}
