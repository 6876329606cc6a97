package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pager shows pre-rendered lines in a window that scrolls.
type pager struct {
	lines          []string
	offset, height int
	// mark, when set, may restyle a visible line (i is its index in lines): a search marks
	// its matches.
	mark func(i int, line string) string
}

// setLines replaces the content, keeping the scroll position where possible.
func (p *pager) setLines(lines []string) {
	p.lines = lines
	p.clamp()
}

// setHeight changes the number of visible lines.
func (p *pager) setHeight(h int) {
	p.height = max(h, 1)
	p.clamp()
}

// room is the number of content lines that show: all of the height when everything fits, else
// one line less, since the position marker takes a line of its own.
func (p *pager) room() int {
	if len(p.lines) > p.height {
		return max(p.height-1, 1)
	}
	return p.height
}

func (p *pager) clamp() {
	p.offset = min(max(p.offset, 0), max(len(p.lines)-p.room(), 0))
}

// scroll moves the window by d lines.
func (p *pager) scroll(d int) {
	p.offset += d
	p.clamp()
}

// handleKey scrolls on the movement keys and reports whether it used the key.
func (p *pager) handleKey(k KeyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		p.scroll(-1)
	case key.Matches(msg, k.Down):
		p.scroll(1)
	case key.Matches(msg, k.PageUp):
		p.scroll(-p.room() + 1)
	case key.Matches(msg, k.PageDown):
		p.scroll(p.room() - 1)
	case key.Matches(msg, k.Top):
		p.offset = 0
	case key.Matches(msg, k.Bottom):
		p.offset = len(p.lines)
		p.clamp()
	default:
		return false
	}
	return true
}

// view returns the visible lines and, when the content does not fit, a position marker on a
// line of its own under them (right-aligned), so it never covers text.
func (p *pager) view(c *common, w int) string {
	to := min(p.offset+p.room(), len(p.lines))
	vis := append([]string(nil), p.lines[p.offset:to]...)
	if p.mark != nil {
		for i := range vis {
			vis[i] = p.mark(p.offset+i, vis[i])
		}
	}
	if len(p.lines) > p.height {
		for len(vis) < p.room() {
			vis = append(vis, "")
		}
		pos := c.styles.Faint.Render(fmt.Sprintf(" %d–%d of %d ", p.offset+1, to, len(p.lines)))
		vis = append(vis, joinLR("", pos, w))
	}
	return block(vis, w, p.height)
}

// reveal scrolls so that line i shows, a third of the way down when it was out of view.
func (p *pager) reveal(i int) {
	if i >= p.offset && i < p.offset+p.room() {
		return
	}
	p.offset = i - p.room()/3
	p.clamp()
}
