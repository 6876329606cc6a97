package ui

// scroller keeps a cursor inside a list of n rows and the window of rows that is visible.
type scroller struct {
	cursor, offset, n, height int
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
