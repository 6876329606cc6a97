package ui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Paste as paste. A terminal without bracketed paste (or a tmux send-keys) delivers a pasted token
// as key presses, and its letters would act as commands: e exports, s opens the picker, q quits.
// So a printable key waits a moment before it acts: keys that keep arriving faster than anyone
// types are a paste and are inspected as one; a key alone acts as a key.

const (
	// burstGap is the longest pause between two keys of one paste. People leave 50 ms or more
	// between keys, and key repeat 30 ms; a paste arrives all at once.
	burstGap = 12 * time.Millisecond
	// burstMin is the fewest keys that make a paste.
	burstMin = 4
	// pasteGrace is how long after a paste more keys still belong to it (a paste over a slow link
	// arrives in pieces).
	pasteGrace = 400 * time.Millisecond
)

// keyBurst holds the printable keys that arrived without a pause, and the paste they continue.
type keyBurst struct {
	keys []tea.KeyPressMsg
	seq  int
	// pasted is the text of the last paste while more of it may come (pasteOpen).
	pasted    string
	pasteOpen bool
	pasteSeq  int
}

type (
	// burstMsg ends a burst when no key followed for burstGap; seq ties it to the last key.
	burstMsg struct{ seq int }
	// pasteClosedMsg ends the grace of the paste with seq.
	pasteClosedMsg struct{ seq int }
)

// burstable reports whether a key may be part of a paste: printable text, or an enter or tab
// inside one. Keys typed into a field go to it at once.
func (m *Model) burstable(msg tea.KeyPressMsg) bool {
	if m.tooSmall() || m.capturing() || m.overlay == overlayScenarios {
		return false
	}
	if msg.Mod&^tea.ModShift == 0 && msg.Text != "" {
		return true
	}
	held := len(m.burst.keys) > 0 || m.burst.pasteOpen
	return held && msg.Mod == 0 && (msg.Code == tea.KeyEnter || msg.Code == tea.KeyTab)
}

// takeKey is where every key press arrives: ctrl+c quits at once, printable keys wait to see
// whether a paste follows, the others act after the keys that were waiting.
func (m *Model) takeKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if !m.burstable(msg) {
		m.burst.pasteOpen = false
		return tea.Batch(m.flushBurst(), m.handleKey(msg))
	}
	m.burst.keys = append(m.burst.keys, msg)
	m.burst.seq++
	seq := m.burst.seq
	return tea.Tick(burstGap, func(time.Time) tea.Msg { return burstMsg{seq: seq} })
}

// endBurst acts on the keys held when the last of them was followed by a pause.
func (m *Model) endBurst(msg burstMsg) tea.Cmd {
	if msg.seq != m.burst.seq {
		return nil
	}
	return m.flushBurst()
}

// flushBurst acts on the keys held: as a paste when there are enough of them or a paste is still
// arriving, else one key after the other.
func (m *Model) flushBurst() tea.Cmd {
	keys := m.burst.keys
	m.burst.keys = nil
	if len(keys) == 0 {
		return nil
	}
	if len(keys) < burstMin && !m.burst.pasteOpen {
		var cmds []tea.Cmd
		for _, k := range keys {
			cmds = append(cmds, m.handleKey(k))
		}
		return tea.Batch(cmds...)
	}
	var b strings.Builder
	if m.burst.pasteOpen {
		b.WriteString(m.burst.pasted)
	}
	for _, k := range keys {
		switch {
		case k.Code == tea.KeyEnter:
			b.WriteByte('\n')
		case k.Code == tea.KeyTab:
			b.WriteByte('\t')
		default:
			b.WriteString(k.Text)
		}
	}
	m.burst.pasted, m.burst.pasteOpen = b.String(), true
	m.burst.pasteSeq++
	seq := m.burst.pasteSeq
	closeGrace := tea.Tick(pasteGrace, func(time.Time) tea.Msg { return pasteClosedMsg{seq: seq} })
	return tea.Batch(m.handlePaste(b.String()), closeGrace)
}

// closePaste ends a paste's grace.
func (m *Model) closePaste(msg pasteClosedMsg) {
	if msg.seq == m.burst.pasteSeq {
		m.burst.pasteOpen, m.burst.pasted = false, ""
	}
}
