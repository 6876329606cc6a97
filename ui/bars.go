package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// titleBar says where the walk runs — the sandbox and its scenario, or the live tenant and the
// config file (named as picked up when it was ./oboscope.yaml) — and which run is shown, on the
// left; it counts findings on the right.
func (m *Model) titleBar() string {
	s := m.c.styles
	ws := m.shown()
	left := s.StatusMode.Render("oboscope")
	// The parts of the context in the order they read; keep ranks them: what does not fit goes,
	// lowest first.
	type part struct {
		text string
		keep int
	}
	var parts []part
	var fs []inspect.Finding
	switch m.cfg.mode {
	case "inspect":
		parts = []part{{"inspect one token", 9}}
		fs = m.token.tokenFindings()
	case "sandbox":
		parts = []part{{"sandbox tenant", 1}, {"scenario " + s.Bold.Render(ws.scenario), 8}}
		fs = ws.findings()
	default:
		parts = []part{{"live tenant " + m.cfg.cfg.TenantID, 1}}
		if cfg := m.cfg.configPath; cfg != "" {
			parts = []part{{"live · " + s.Bold.Render(cfg), 8}}
			if m.cfg.configImplicit {
				parts = append(parts, part{s.Warning.Render("found in this folder"), 7})
			}
			parts = append(parts, part{"tenant " + m.cfg.cfg.TenantID, 1})
		}
		fs = ws.findings()
	}
	if m.screen == screenToken && m.cfg.mode != "inspect" {
		parts = []part{{"pasted token · esc returns to the walk", 9}}
		fs = m.token.tokenFindings()
	}
	if m.viewPrev && m.screen != screenToken {
		parts = append([]part{{s.Warning.Render("previous run"), 9}}, parts...)
	}
	if m.step.on && m.cfg.mode != "inspect" {
		step := "step mode"
		if m.step.pace > 0 {
			step += fmt.Sprintf(" · pace %s", m.step.pace)
		}
		parts = append(parts, part{s.Info.Render(step), 5})
	}
	e, wn, in := inspect.CountBySeverity(fs)
	var counts []string
	if e > 0 {
		counts = append(counts, s.Error.Render("✗ "+severityCount(e, inspect.SeverityError)))
	} else if n := ws.failedWithoutError(); n > 0 && m.cfg.mode != "inspect" && m.screen != screenToken {
		counts = append(counts, s.Error.Render("✗ "+plural(n, "hop")+" failed"))
	}
	if wn > 0 {
		counts = append(counts, s.Warning.Render("! "+severityCount(wn, inspect.SeverityWarning)))
	}
	if in > 0 {
		counts = append(counts, s.Info.Render("i "+severityCount(in, inspect.SeverityInfo)))
	}
	right := strings.Join(counts, "  ")
	if v := m.cfg.version; v != "" {
		right += s.Faint.Render("  " + v)
	}
	sep := s.Faint.Render(" · ")
	text := func() string {
		ts := make([]string, len(parts))
		for i, p := range parts {
			ts[i] = p.text
		}
		return strings.Join(ts, sep)
	}
	fits := func() bool { return lipgloss.Width(left+" "+text())+lipgloss.Width(right+" ")+1 <= m.c.width }
	version := m.cfg.version != ""
	for len(parts) > 1 && !fits() {
		low := 0
		for i, p := range parts {
			if p.keep < parts[low].keep {
				low = i
			}
		}
		if parts[low].keep >= 5 && version {
			// Past the least of the context, the version gives way before what matters.
			right, version = strings.Join(counts, "  "), false
			continue
		}
		parts = slices.Delete(parts, low, low+1)
	}
	return joinLR(left+" "+s.Muted.Render(text()), right+" ", m.c.width)
}

// statusBar says what is happening (walk progress, result, a hop waiting in step mode) and shows
// the toast.
func (m *Model) statusBar() string {
	s := m.c.styles
	ws := m.shown()
	var state, compact string // compact: the state in fewer cells, when a toast needs them
	switch {
	case m.cfg.mode == "inspect" || m.screen == screenToken:
		state, compact = m.token.status()
	case ws.err != "":
		state = s.StatusErr.Render(" ✗ could not run the walk")
	case ws.starting:
		state = s.StatusBar.Render(" " + m.spin.View() + " starting the sandbox tenant (" + ws.scenario + ") …")
	case !m.viewPrev && m.waitingState() != "":
		state = m.waitingState()
	case ws.running:
		state = s.StatusBar.Render(" " + m.progress(ws))
	default:
		state, compact = m.result(ws)
	}
	if m.viewPrev && m.screen != screenToken && m.cfg.mode != "inspect" {
		state = s.StatusWarn.Render(" previous run") + s.StatusBar.Render(" · f returns to the latest ·") + state
		compact = s.StatusWarn.Render(" previous run") + s.StatusBar.Render(" · f: latest")
	}
	right := ""
	if m.toast.text != "" {
		st := s.Toast
		if m.toast.level == toastError {
			st = s.StatusErr
		}
		if compact != "" && lipgloss.Width(state)+ansi.StringWidth(m.toast.text)+3 > m.c.width {
			// The toast is what just happened: the walk's result gives it room.
			state = compact
		}
		room := max(m.c.width-lipgloss.Width(state)-2, m.c.width*2/3)
		right = st.Render(fitToast(m.toast, room-1) + " ")
	}
	return s.StatusBar.Render(joinLR(state, right, m.c.width))
}

// progress says which hop runs and how many are done.
func (m *Model) progress(ws *walkState) string {
	label := "walking"
	done := 0
	for i, hr := range ws.hops {
		if hr.Status == flows.StatusRunning {
			label = fmt.Sprintf("hop %d/%d %s", i+1, len(ws.hops), hr.Short)
			if x, ok := ws.inFlight(i); ok {
				label += " · " + x.Method + " " + x.Label
				if d := m.c.now().Sub(x.Started); d >= 0 {
					label += " " + durationText(d)
				}
			}
		}
		if hr.Status != flows.StatusPending && hr.Status != flows.StatusRunning {
			done++
		}
	}
	if ws.runHop != "" {
		label = "re-running " + label
	}
	return fmt.Sprintf("%s %s · %d of %d hops done", m.spin.View(), label, done, len(ws.hops))
}

// waitingState says which hop waits for the person in step mode and what sends it ("" when none).
func (m *Model) waitingState() string {
	s := m.c.styles
	plan, ok := m.step.waiting()
	if !ok {
		return ""
	}
	i := m.walk.index(plan.Hop)
	what := ""
	switch m.screen {
	case screenStep:
		what = " · space sends its request"
		if pg, ok := m.step.page(); ok && (pg.plan != plan || m.step.at != len(m.step.pages)-1) {
			what = " · space turns the pages up to it"
		}
	case screenOverview:
		what = " · space returns to the steps"
	case screenHop:
		what = " · esc returns to the steps"
	}
	return s.StatusWarn.Render(fmt.Sprintf(" ‖ hop %d/%d %s waits for you", i+1, len(m.walk.hops), m.walk.hops[i].Short)) + s.StatusBar.Render(what)
}

// result says how the run ended: complete, in how long, and where it first went wrong.
func (m *Model) result(ws *walkState) (state, compact string) {
	s := m.c.styles
	took := ""
	if !ws.finished.IsZero() && !ws.started.IsZero() && ws.finished.After(ws.started) {
		took = " in " + durationText(ws.finished.Sub(ws.started))
	}
	if ago := m.c.now().Sub(ws.finished); !ws.finished.IsZero() && ago >= time.Second {
		took += ", " + clockDuration(ago) + " ago"
	}
	what := ws.lastRun
	if what == "" {
		what = "walk"
	}
	if _, hop, bad := ws.firstError(); bad {
		state = s.StatusErr.Render(" ✗ "+what+" complete"+took) + s.StatusBar.Render(fmt.Sprintf(" · first %s at hop %d %s", ws.problemWord(), ws.index(hop.ID)+1, hop.Short))
		compact = s.StatusErr.Render(" ✗ " + what + " complete")
	} else {
		state = s.StatusOK.Render(" ✓ "+what+" complete"+took) + s.StatusBar.Render(" · no error")
		compact = s.StatusOK.Render(" ✓ " + what + " complete")
	}
	if st := ws.staleText(); st != "" {
		state += s.StatusBar.Render(" · " + st + " show the earlier run (r re-runs the walk)")
	}
	return state, compact
}
