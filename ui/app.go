package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// SandboxStarter starts an embedded sandbox on a scenario and returns the config pointing at it
// and the function that stops it (sandbox.StartForWalk in the real program).
type SandboxStarter func(ctx context.Context, scenario string) (flows.Config, func(), error)

// Screens and overlays of the root model.
type (
	screenID  int
	overlayID int
)

const (
	screenOverview screenID = iota
	screenHop
	screenToken
	screenStep
)

const (
	overlayNone overlayID = iota
	overlayHelp
	overlayScenarios
	overlayExplain
)

// modelConfig is what the root model is built from; Run and RunInspect fill it, tests too.
type modelConfig struct {
	mode         string // inspect | sandbox | live
	version      string
	ctx          context.Context
	scenario     string
	cfg          flows.Config
	inspectOpts  report.InspectOptions
	rawToken     string
	startSandbox SandboxStarter
	walkOpts     flows.WalkOptions
	scenarios    []scenarioInfo
	exportDir    string
	clipboard    ClipboardWriter
	now          func() time.Time
	loc          *time.Location
	isDark       bool
	// autoApprove says the sandbox approves device codes by itself (sandbox.StartForWalk does).
	autoApprove bool
	// configPath is the live config's file, configImplicit set when it was ./oboscope.yaml picked
	// up without --config: the title names it.
	configPath     string
	configImplicit bool
	// step starts in step mode; pace turns its pages by themselves (and implies step).
	step bool
	pace time.Duration
}

// Model is oboscope's one root tea.Model. It owns the shared state, routes messages to the
// screen in front, and runs every piece of I/O (walks, sandbox, clipboard, export) as commands.
type Model struct {
	c        *common
	cfg      modelConfig
	screen   screenID
	back     screenID
	overlay  overlayID
	token    tokenScreen
	walk     walkState
	overview overviewScreen
	hop      hopScreen
	picker   scenarioPicker
	explain  explainView
	help     help.Model
	spin     spinner.Model
	toast    toast
	toastSeq int
	// prev is the run before the latest, kept for before-and-after; viewPrev shows it.
	prev     *walkState
	viewPrev bool
	step     stepper
	burst    keyBurst
	// mouseOff turns mouse capture off, so the terminal selects text.
	mouseOff bool
	// frame is the last frame drawn.
	frame string
}

func newModel(mc modelConfig) *Model {
	if mc.ctx == nil {
		mc.ctx = context.Background()
	}
	c := newCommon(mc.isDark, mc.now, mc.loc)
	m := &Model{c: c, cfg: mc, help: help.New()}
	m.help.Styles = helpStyles(c.styles, mc.isDark)
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.token = newTokenScreen(c, mc.inspectOpts, mc.mode != "inspect")
	m.overview = newOverviewScreen(c, mc.mode == "sandbox")
	m.hop = newHopScreen(c)
	m.walk.mode = mc.mode
	m.walk.scenario = mc.scenario
	m.walk.chain = flows.HopsFor(mc.cfg)
	m.walk.reset()
	m.overview.setHops(len(m.walk.hops))
	m.step.on, m.step.pace = mc.step || mc.pace > 0, mc.pace
	m.step.restart()
	if mc.mode == "inspect" {
		m.screen = screenToken
		if strings.TrimSpace(mc.rawToken) != "" {
			m.token.load(mc.rawToken)
		}
	} else {
		m.screen = m.home()
		m.walk.names = mc.cfg.AppNames()
	}
	return m
}

// Init starts the walk (or nothing more for a single token) and asks for the background colour.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, clockTick()}
	if m.cfg.mode != "inspect" {
		cmds = append(cmds, m.startSession(m.walk.scenario, true), m.paceTimer())
	}
	if m.cfg.configImplicit {
		cmds = append(cmds, m.notify("Walking "+m.cfg.configPath+" from this folder (--sandbox: the sandbox)", toastInfo))
	}
	return tea.Batch(cmds...)
}

// startSession begins a new walk generation: on a new sandbox (scenario switch or first start),
// on the running sandbox, or on the live tenant.
func (m *Model) startSession(scenario string, newSandbox bool) tea.Cmd {
	ws := &m.walk
	if ws.cancel != nil {
		ws.cancel()
		ws.cancel = nil
	}
	m.keepRun()
	m.step.release()
	m.step.restart()
	var cmds []tea.Cmd
	ws.gen++
	ws.starting, ws.running = true, true
	ws.runHop = ""
	ws.lastRun = "walk"
	ws.started = m.c.now()
	ws.finished = time.Time{}
	ws.reset()
	ws.scenario = scenario
	m.hop.invalidate()
	switch {
	case m.cfg.mode == "live":
		cmds = append(cmds, startWalk(m.cfg.ctx, ws.gen, "", m.cfg.cfg, nil, m.walkOptions()))
	case newSandbox || ws.stop == nil:
		cmds = append(cmds, stopSession(ws.stop))
		ws.stop = nil
		cmds = append(cmds, startSandbox(m.cfg.ctx, ws.gen, scenario, m.cfg.startSandbox, m.walkOptions()))
	default:
		cmds = append(cmds, startWalk(m.cfg.ctx, ws.gen, scenario, ws.cfg, ws.stop, m.walkOptions()))
	}
	cmds = append(cmds, m.spin.Tick)
	return tea.Batch(cmds...)
}

func (m *Model) walkOptions() flows.WalkOptions {
	o := m.cfg.walkOpts
	o.Mode = m.cfg.mode
	o.AutoApproved = m.cfg.mode == "sandbox" && m.cfg.autoApprove
	o.HoldSteps = m.step.on
	return o
}

// walkAgain walks the chain again on the running sandbox (or the live tenant), keeping the run on
// screen as the previous one; what names the run on the status bar.
func (m *Model) walkAgain(what, toast string) tea.Cmd {
	m.latest()
	cmd := m.startSession(m.walk.scenario, false)
	m.walk.lastRun = what
	m.screen = m.home()
	return tea.Batch(cmd, m.notifyRun(toast))
}

// shutdown cancels the walk and stops the sandbox; Run calls it after the program ends.
func (m *Model) shutdown() {
	if m.walk.cancel != nil {
		m.walk.cancel()
	}
	if m.walk.stop != nil {
		m.walk.stop()
		m.walk.stop = nil
	}
}

// exitCode is 1 when the walk or the token has an error finding, as everywhere in oboscope.
func (m *Model) exitCode() int {
	if m.cfg.mode == "inspect" {
		if m.token.hasErrors() {
			return 1
		}
		return 0
	}
	return m.walk.exitCode()
}

// notify shows a toast and schedules its end.
func (m *Model) notify(text string, level toastLevel) tea.Cmd {
	m.toastSeq++
	m.toast = toast{id: m.toastSeq, text: text, level: level}
	return expireToast(m.toastSeq)
}

// notifyRun announces a run that starts now (a walk, a hop re-run): the toast goes when the
// run ends, or after the usual few seconds if that is sooner.
func (m *Model) notifyRun(text string) tea.Cmd {
	cmd := m.notify(text, toastInfo)
	m.toast.whileRunning = true
	return cmd
}

// runEnded drops the toast that announced the run that just ended.
func (m *Model) runEnded() {
	if m.toast.whileRunning {
		m.toast = toast{}
	}
}

// resize passes the window size on to every screen.
func (m *Model) resize() {
	bodyH := max(m.c.height-3, 1)
	w := m.c.width
	m.token.setSize(w, bodyH)
	m.overview.setSize(w, bodyH)
	m.hop.setSize(w, bodyH)
	m.help.SetWidth(w - 8)
	if m.overlay == overlayExplain {
		m.explain.setSize(w, m.c.height)
	}
	if m.overlay == overlayScenarios {
		m.picker.setSize()
	}
	m.refresh()
}

// refresh rebuilds what the panes pre-render, after a resize or a change of colours.
func (m *Model) refresh() {
	m.token.rebuildTabs()
	m.hop.invalidate()
	m.reloadHop()
}

// tooSmall reports whether the window is below the 80×24 the layout needs.
func (m *Model) tooSmall() bool { return m.c.width < 80 || m.c.height < 24 }

// Update is the one place state changes.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.styles = NewStyles(msg.IsDark())
		m.help.Styles = helpStyles(m.c.styles, msg.IsDark())
		m.refresh()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.takeKey(msg)
	case burstMsg:
		return m, m.endBurst(msg)
	case pasteClosedMsg:
		m.closePaste(msg)
		return m, nil
	case clockMsg:
		m.tickClock()
		return m, clockTick()
	case stepPaceMsg:
		return m, m.paceStep(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case tea.PasteMsg:
		return m, m.handlePaste(msg.Content)
	case spinner.TickMsg:
		if !m.walk.running {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case toastExpiredMsg:
		if msg.id == m.toast.id {
			m.toast = toast{}
		}
		return m, nil
	case copiedMsg:
		return m, m.notify(copiedText(msg), toastInfo)
	case exportedMsg:
		if msg.problem != "" {
			return m, m.notify(msg.problem, toastError)
		}
		cmd := m.notify("Report written to "+msg.path, toastInfo)
		m.toast.path = msg.path
		return m, cmd
	case scenarioChosenMsg:
		m.overlay = overlayNone
		m.latest()
		cmd := m.startSession(msg.name, true)
		m.screen = m.home()
		return m, tea.Batch(cmd, m.notifyRun("Walking scenario "+msg.name))
	}
	return m, m.handleWalkMsg(msg)
}

// handleWalkMsg folds the walk's messages into the state and asks for the next event.
func (m *Model) handleWalkMsg(msg tea.Msg) tea.Cmd {
	ws := &m.walk
	switch msg := msg.(type) {
	case sessionMsg:
		if msg.gen != ws.gen {
			if msg.cancel != nil {
				msg.cancel()
			}
			if msg.stop != nil {
				return stopSession(msg.stop)
			}
			return nil
		}
		ws.starting = false
		if msg.err != nil {
			m.runEnded()
			ws.running = false
			ws.err = msg.err.Error()
			return nil
		}
		ws.cfg, ws.stop, ws.walk, ws.cancel = msg.cfg, msg.stop, msg.walk, msg.cancel
		ws.names = msg.walk.AppNames()
		ws.setChain(msg.walk.Hops())
		m.overview.setHops(len(ws.hops))
		return waitEvent(msg.gen, msg.events)
	case hopRunMsg:
		if msg.gen != ws.gen {
			msg.cancel()
			return nil
		}
		ws.cancel = msg.cancel
		return waitEvent(msg.gen, msg.events)
	case walkEventMsg:
		if msg.gen != ws.gen {
			return nil
		}
		if msg.closed {
			// A re-run of one hop keeps the selection on that hop, so its new result is what
			// shows; only a run of the whole walk jumps to the first error.
			wholeWalk := ws.runHop == ""
			ws.running = false
			ws.runHop = ""
			m.runEnded()
			if ws.finished.IsZero() {
				ws.finished = m.c.now()
			}
			if ws.walk != nil {
				if ws.report == nil {
					r := ws.walk.Report()
					ws.report = &r
				}
				ws.claims = ws.walk.ClaimsChallenge()
			}
			if _, hop, bad := ws.firstError(); bad && wholeWalk && m.screen != screenHop {
				m.overview.selectHop(ws.index(hop.ID))
			}
			m.reloadHop()
			return nil
		}
		ws.apply(msg.ev, m.c.now())
		m.stepEvent(msg.ev)
		var cmds []tea.Cmd
		if msg.ev.Kind == flows.EventWalkDone {
			if ws.walk != nil {
				r := ws.walk.Report()
				ws.report = &r
			}
		}
		m.reloadHop()
		cmds = append(cmds, waitEvent(msg.gen, msg.ch))
		return tea.Batch(cmds...)
	}
	return nil
}

// reloadHop refreshes the hop screen when its hop changed.
func (m *Model) reloadHop() {
	if m.cfg.mode != "inspect" {
		m.hop.load(m.shown(), m.other())
	}
}

// helpStyles are bubbles' help styles with oboscope's key and description colours.
func helpStyles(s *Styles, isDark bool) help.Styles {
	h := help.DefaultStyles(isDark)
	h.ShortKey, h.FullKey = s.HelpKey, s.HelpKey
	h.ShortDesc, h.FullDesc = s.HelpDesc, s.HelpDesc
	return h
}

// keyHelp is the help.KeyMap of the screen in front.
type keyHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyHelp) ShortHelp() []key.Binding  { return k.short }
func (k keyHelp) FullHelp() [][]key.Binding { return k.full }
