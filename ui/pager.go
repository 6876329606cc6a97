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

func (p *pager) clamp() {
	p.offset = min(max(p.offset, 0), max(len(p.lines)-p.height, 0))
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
		p.scroll(-p.height + 1)
	case key.Matches(msg, k.PageDown):
		p.scroll(p.height - 1)
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

// view returns the visible lines, with a position marker in the last line when the content
// does not fit.
func (p *pager) view(c *common, w int) string {
	to := min(p.offset+p.height, len(p.lines))
	vis := append([]string(nil), p.lines[p.offset:to]...)
	if len(p.lines) > p.height && len(vis) > 0 {
		pos := c.styles.Faint.Render(fmt.Sprintf(" %d–%d of %d ", p.offset+1, to, len(p.lines)))
		last := len(vis) - 1
		vis[last] = joinLR(vis[last], pos, w)
	}
	return block(vis, w, p.height)
}
