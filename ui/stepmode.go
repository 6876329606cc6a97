package ui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
)

// Step mode is for demos and onboarding: the walk holds each hop before its first request of its
// own (flows.WalkOptions.HoldSteps) and the step screen shows, page by page, what the hop is about
// to do and the request it will send, then — once space sends it — what came back, the token
// handed on and the findings. b goes back over the pages already seen; with a pace the pages turn
// by themselves, for a presenter.

// stepPage is one page of the step screen: before hop's request (plan set) or after the hop.
type stepPage struct {
	hop  int
	plan *flows.StepPlan // the hop's plan; nil on the page after the hop
	sent bool            // the person sent the plan's request
}

// stepper is step mode's state: whether walks hold each hop, the pace, and the pages of the
// latest walk.
type stepper struct {
	on   bool
	pace time.Duration
	// left is set when the person went past the last page of a finished walk: the overview is
	// home again until the next walk.
	left bool
	// pages are the latest walk's pages in order, at the one on screen.
	pages []stepPage
	at    int
	// following is the hop whose request the person sent: its page after follows at once.
	following int
	paceSeq   int
}

// paces are the paces P cycles through (0: pages turn on a key press).
var paces = []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second}

// stepPaceMsg turns a page when the pace says so; seq ties it to the timer that sent it.
type stepPaceMsg struct{ seq int }

// restart empties the pages for a new walk.
func (s *stepper) restart() {
	s.pages, s.at, s.following, s.left = nil, 0, -1, false
}

// active reports whether the step screen is home: step mode is on and the walk's pages are not
// all behind the person.
func (s *stepper) active() bool { return s.on && !s.left }

// page is the page on screen.
func (s *stepper) page() (stepPage, bool) {
	if s.at < 0 || s.at >= len(s.pages) {
		return stepPage{}, false
	}
	return s.pages[s.at], true
}

// waiting is the plan the walk waits on, if any.
func (s *stepper) waiting() (*flows.StepPlan, bool) {
	for _, p := range s.pages {
		if p.plan != nil && !p.sent {
			return p.plan, true
		}
	}
	return nil, false
}

// release lets every held hop go on (step mode turned off, the walk replaced).
func (s *stepper) release() {
	for i := range s.pages {
		if p := s.pages[i].plan; p != nil && !s.pages[i].sent {
			s.pages[i].sent = true
			p.Proceed()
		}
	}
}

// stepEvent folds a walk event into the pages: a held hop's plan becomes a page (or, out of
// step mode, goes on at once); a finished hop gets its page after.
func (m *Model) stepEvent(ev flows.Event) {
	s := &m.step
	i := m.walk.index(ev.Hop)
	switch {
	case ev.Kind == flows.EventStep && ev.Step != nil:
		if !s.on || i < 0 {
			ev.Step.Proceed()
			return
		}
		s.pages = append(s.pages, stepPage{hop: i, plan: ev.Step})
		if len(s.pages) == 1 {
			s.at = 0
		}
		m.walk.held, m.walk.heldLabel = ev.Hop, ev.Step.Request.Method+" "+ev.Step.Request.Label
	case ev.Kind == flows.EventHopFinished && s.on && i >= 0:
		atEdge := s.at == len(s.pages)-1
		s.pages = append(s.pages, stepPage{hop: i})
		if (atEdge && s.following == i) || len(s.pages) == 1 {
			s.at = len(s.pages) - 1
		}
	}
}

// stepForward shows the next page; on the last one it sends the request shown, or, when the walk
// is over, leaves the steps for the overview.
func (m *Model) stepForward() tea.Cmd {
	s := &m.step
	switch pg, ok := s.page(); {
	case s.at < len(s.pages)-1:
		s.at++
	case ok && pg.plan != nil && !pg.sent:
		s.pages[s.at].sent = true
		s.following = pg.hop
		pg.plan.Proceed()
		m.walk.held, m.walk.heldLabel = "", ""
	case !m.walk.running && !m.walk.starting:
		s.left = true
		m.screen = screenOverview
		if ok {
			m.overview.selectHop(pg.hop)
		}
		return m.notify("Walk complete: the whole chain · r steps through it again, S turns step mode off", toastInfo)
	}
	return m.paceTimer()
}

// stepBack shows the page before.
func (m *Model) stepBack() tea.Cmd {
	if m.step.at > 0 {
		m.step.at--
	}
	return m.paceTimer()
}

// toggleStep turns step mode on (walking again, one hop at a time) or off (letting the walk run).
func (m *Model) toggleStep() tea.Cmd {
	s := &m.step
	if s.on {
		s.on = false
		s.release()
		m.walk.held, m.walk.heldLabel = "", ""
		m.screen = screenOverview
		return m.notify("Step mode off: the walk runs on by itself", toastInfo)
	}
	s.on = true
	m.latest()
	return tea.Batch(m.walkAgain("walk", "Step mode: each hop waits for space before it sends its request"), m.paceTimer())
}

// cyclePace sets the next pace: the pages turn by themselves after that long.
func (m *Model) cyclePace() tea.Cmd {
	s := &m.step
	next := paces[0]
	for i, p := range paces {
		if p == s.pace {
			next = paces[(i+1)%len(paces)]
		}
	}
	s.pace = next
	switch {
	case next == 0:
		return m.notify("Pace off: space turns the pages", toastInfo)
	case !s.on:
		return m.notify(fmt.Sprintf("Pace %s: S walks step by step at this pace", next), toastInfo)
	}
	return tea.Batch(m.notify(fmt.Sprintf("Pace %s: the steps turn by themselves (space still goes faster)", next), toastInfo), m.paceTimer())
}

// paceTimer starts the pace's timer again from now, when there is a pace.
func (m *Model) paceTimer() tea.Cmd {
	s := &m.step
	s.paceSeq++
	if s.pace <= 0 || !s.active() {
		return nil
	}
	seq := s.paceSeq
	return tea.Tick(s.pace, func(time.Time) tea.Msg { return stepPaceMsg{seq: seq} })
}

// paceStep turns the page when its timer is the latest one.
func (m *Model) paceStep(msg stepPaceMsg) tea.Cmd {
	if msg.seq != m.step.paceSeq || !m.step.active() || m.screen != screenStep || m.overlay != overlayNone {
		return nil
	}
	return m.stepForward()
}

// home is the screen esc returns to: the steps while they are on, else the overview.
func (m *Model) home() screenID {
	if m.step.active() && !m.viewPrev {
		return screenStep
	}
	return screenOverview
}
