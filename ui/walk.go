package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// walkState is everything the walk screens show: the hops as the events built them, the device
// code, the report, and the running session (sandbox, walk, cancel).
type walkState struct {
	mode     string // sandbox | live
	scenario string
	gen      int
	starting bool // the sandbox or the walk is being started
	running  bool // events are arriving
	runHop   flows.HopID
	// lastRun names what ran last for the status bar: "walk", "hop 3 re-run", "sign-in with claims".
	lastRun  string
	err      string
	hops     []flows.HopResult
	device   *flows.DeviceCode
	consent  *flows.ConsentRequest // a Foundry agent's consent request of the last walk
	report   *flows.Report
	started  time.Time
	finished time.Time

	cfg    flows.Config
	walk   *flows.Walk
	stop   func()
	cancel context.CancelFunc
	names  inspect.AppNames
	// chain lists the hops of the chain being walked (the profile's table, from the engine).
	chain []flows.HopInfo
	// claims is the claims challenge Entra sent at the OBO hop of the last walk ("" when none).
	claims string
	// answering is what the claims challenge being answered asks for (claimsRequirement), while
	// a sign-in with it runs and after: "multi-factor authentication; …", or "" when not
	// answering one.
	answering *string
	// ranAt is when each hop last ran, counted in re-runs (0: with the whole walk); a hop that
	// ran before an earlier hop's re-run shows what it did with that hop's old output.
	ranAt  []int
	reruns int
	// late are the findings the clock raised since the walk, per hop (lintClock).
	late [][]inspect.Finding
	// inflight are the requests each hop sent that have no answer yet (EventRequest).
	inflight [][]flows.Exchange
	// previous marks the run kept as the previous one (keepRun).
	previous bool
	// held is the hop that waits for the person in step mode ("" when none), and heldLabel the
	// request it waits to send.
	held      flows.HopID
	heldLabel string
}

// reset empties the hops for a new walk of the chain it holds.
func (w *walkState) reset() {
	w.hops = make([]flows.HopResult, len(w.chain))
	for i, h := range w.chain {
		w.hops[i] = flows.HopResult{ID: h.ID, Title: h.Title, Short: h.Short, Status: flows.StatusPending}
	}
	w.device, w.report, w.err, w.claims, w.answering, w.consent = nil, nil, "", "", nil, nil
	w.held, w.heldLabel = "", ""
	w.ranAt, w.reruns = make([]int, len(w.chain)), 0
	w.late, w.inflight = make([][]inspect.Finding, len(w.chain)), make([][]flows.Exchange, len(w.chain))
}

// setChain takes the hops of the chain a walk follows; a different chain empties the hops.
func (w *walkState) setChain(hops []flows.HopInfo) {
	same := len(hops) == len(w.chain)
	for i := 0; same && i < len(hops); i++ {
		same = hops[i] == w.chain[i]
	}
	if !same {
		w.chain = hops
		w.reset()
	}
}

// rerunning records that hop i runs again on its own.
func (w *walkState) rerunning(i int) {
	w.reruns++
	if i < len(w.ranAt) {
		w.ranAt[i] = w.reruns
	}
}

// stale reports whether hop i shows an earlier run: an earlier hop ran again after it, so what
// hop i used (the token it presented or exchanged) is not what that hop holds now.
func (w *walkState) stale(i int) bool {
	for j := 0; j < i && i < len(w.ranAt); j++ {
		if w.ranAt[j] > w.ranAt[i] {
			return true
		}
	}
	return false
}

// staleText names the hops that show an earlier run ("hops 2–5", "hop 5"), or "".
func (w *walkState) staleText() string {
	var ns []int
	for i := range w.hops {
		if w.stale(i) && w.hops[i].Status != flows.StatusPending {
			ns = append(ns, i+1)
		}
	}
	switch {
	case len(ns) == 0:
		return ""
	case len(ns) == 1:
		return fmt.Sprintf("hop %d", ns[0])
	case ns[len(ns)-1]-ns[0] == len(ns)-1:
		return fmt.Sprintf("hops %d–%d", ns[0], ns[len(ns)-1])
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return "hops " + strings.Join(parts, ", ")
}

// index is the position of a hop in walk order, -1 when the chain has no such hop.
func (w *walkState) index(id flows.HopID) int {
	for i, h := range w.hops {
		if h.ID == id {
			return i
		}
	}
	return -1
}

// info returns the chain's row for hop id.
func (w *walkState) info(id flows.HopID) flows.HopInfo {
	for _, h := range w.chain {
		if h.ID == id {
			return h
		}
	}
	return flows.HopInfo{ID: id, Title: string(id), Short: string(id)}
}

// apply folds one event into the state.
func (w *walkState) apply(ev flows.Event, now time.Time) {
	i := w.index(ev.Hop)
	if i < 0 && ev.Kind != flows.EventWalkDone {
		return
	}
	switch ev.Kind {
	case flows.EventHopStarted:
		info := w.info(ev.Hop)
		w.hops[i] = flows.HopResult{ID: ev.Hop, Title: info.Title, Short: info.Short, Status: flows.StatusRunning, Started: now}
		w.setInflight(i, nil)
		if ev.Hop == flows.HopSignin {
			w.device = nil
		}
	case flows.EventRequest:
		if ev.Exchange != nil && i < len(w.inflight) {
			w.setInflight(i, append(w.inflight[i], displayExchange(*ev.Exchange)))
		}
	case flows.EventDeviceCode:
		w.device = ev.DeviceCode
	case flows.EventConsent:
		w.consent = ev.Consent
	case flows.EventExchange:
		if ev.Exchange != nil {
			x := displayExchange(*ev.Exchange)
			w.hops[i].Exchanges = append(w.hops[i].Exchanges, x)
			w.answered(i, x)
		}
	case flows.EventToken:
		if ev.Token != nil {
			w.hops[i].Tokens = append(w.hops[i].Tokens, displayNamedToken(*ev.Token))
		}
	case flows.EventFinding:
		if ev.Finding != nil {
			w.hops[i].Findings = append(w.hops[i].Findings, displayFinding(*ev.Finding))
		}
	case flows.EventHopFinished:
		if ev.Result != nil {
			w.hops[i] = displayHop(*ev.Result)
		}
		w.setInflight(i, nil)
	case flows.EventWalkDone:
		if ev.Report != nil {
			r := *ev.Report
			w.report = &r
		}
		w.finished = now
	}
}

// isHeld reports whether hop i waits for the person in step mode.
func (w *walkState) isHeld(i int) bool {
	return w.held != "" && w.hops[i].ID == w.held && w.hops[i].Status == flows.StatusRunning
}

// glyphOf is hop i's status symbol and word, ‖ waiting for a hop held in step mode.
func (w *walkState) glyphOf(s *Styles, i int, spin string) (glyph, word, plain string) {
	st := w.hops[i].Status
	if w.isHeld(i) {
		return s.Warning.Render("‖"), s.Warning.Render("waiting"), "‖"
	}
	glyph, word = statusGlyph(s, st, spin)
	return glyph, word, ansiStripGlyph(st, spin)
}

// setInflight sets hop i's requests without an answer yet.
func (w *walkState) setInflight(i int, xs []flows.Exchange) {
	if len(w.inflight) != len(w.hops) {
		w.inflight = make([][]flows.Exchange, len(w.hops))
	}
	w.inflight[i] = xs
}

// answered drops the request an answered exchange was sent as from hop i's requests in flight.
func (w *walkState) answered(i int, x flows.Exchange) {
	if i >= len(w.inflight) {
		return
	}
	fl := w.inflight[i]
	if j := slices.IndexFunc(fl, func(r flows.Exchange) bool { return r.Label == x.Label && r.Method == x.Method && r.URL == x.URL }); j >= 0 {
		w.inflight[i] = slices.Delete(slices.Clone(fl), j, j+1)
	}
}

// inFlight is the request hop i sent last that has no answer yet.
func (w *walkState) inFlight(i int) (flows.Exchange, bool) {
	if i >= len(w.inflight) || len(w.inflight[i]) == 0 {
		return flows.Exchange{}, false
	}
	return w.inflight[i][len(w.inflight[i])-1], true
}

// findings returns every finding of every hop, with those the clock raised since the walk, most
// severe first.
func (w *walkState) findings() []inspect.Finding {
	var all []inspect.Finding
	for i := range w.hops {
		all = append(all, w.hopAt(i).Findings...)
	}
	inspect.SortFindings(all)
	return all
}

// firstError returns where the walk first went wrong: the first error finding in walk order;
// failing that, the first failed hop with its most severe finding (a warning when what stopped
// the hop is only a warning, such as Entra's claims challenge), or with none.
func (w *walkState) firstError() (inspect.Finding, flows.HopResult, bool) {
	for _, h := range w.hops {
		for _, f := range h.Findings {
			if f.Severity == inspect.SeverityError {
				return f, h, true
			}
		}
	}
	for _, h := range w.hops {
		if h.Status == flows.StatusFailed {
			fs := append([]inspect.Finding(nil), h.Findings...)
			inspect.SortFindings(fs)
			if len(fs) > 0 {
				return fs[0], h, true
			}
			return inspect.Finding{}, h, true
		}
	}
	return inspect.Finding{}, flows.HopResult{}, false
}

// problemWord names what firstError found, the way the screens say it: "error" for an error
// finding, "failure" for a hop that failed without one.
func (w *walkState) problemWord() string {
	if f, _, bad := w.firstError(); bad && f.Severity != inspect.SeverityError {
		return "failure"
	}
	return "error"
}

// failedWithoutError counts the hops that failed while no hop raised an error finding, so the
// title bar says "1 hop failed" next to the warnings instead of looking like a pass.
func (w *walkState) failedWithoutError() int {
	n := 0
	for _, h := range w.hops {
		for _, f := range h.Findings {
			if f.Severity == inspect.SeverityError {
				return 0
			}
		}
		if h.Status == flows.StatusFailed {
			n++
		}
	}
	return n
}

// exitCode is the walk's exit code as DESIGN.md defines it: 2 when it could not run, 1 when an
// error finding was seen, 0 otherwise.
func (w *walkState) exitCode() int {
	if w.err != "" && w.report == nil {
		return 2 // could not run
	}
	if w.report != nil {
		return w.report.ExitCode() // the same code `oboscope check` returns
	}
	if _, _, bad := w.firstError(); bad {
		return 1
	}
	return 0
}

// Messages of the walk session. gen ties each to the session that sent it, so events of a
// walk that was replaced are dropped.
type (
	sessionMsg struct {
		gen      int
		scenario string
		cfg      flows.Config
		stop     func()
		walk     *flows.Walk
		events   <-chan flows.Event
		cancel   context.CancelFunc
		err      error
	}
	walkEventMsg struct {
		gen    int
		ev     flows.Event
		closed bool
		ch     <-chan flows.Event
	}
	hopRunMsg struct {
		gen    int
		hop    flows.HopID
		events <-chan flows.Event
		cancel context.CancelFunc
	}
	stoppedMsg struct{}
)

// waitEvent reads one event of the walk; the root model asks for the next one on arrival.
func waitEvent(gen int, ch <-chan flows.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		return walkEventMsg{gen: gen, ev: ev, closed: !ok, ch: ch}
	}
}

// startWalk runs a new walk on cfg (an already running sandbox or a live tenant).
func startWalk(ctx context.Context, gen int, scenario string, cfg flows.Config, stop func(), opts flows.WalkOptions) tea.Cmd {
	return func() tea.Msg {
		wctx, cancel := context.WithCancel(ctx)
		opts.Scenario = scenario
		w := flows.NewWalk(cfg, opts)
		return sessionMsg{gen: gen, scenario: scenario, cfg: cfg, stop: stop, walk: w, events: w.Run(wctx), cancel: cancel}
	}
}

// startSandbox starts an embedded sandbox on scenario, then a walk on it.
func startSandbox(ctx context.Context, gen int, scenario string, start SandboxStarter, opts flows.WalkOptions) tea.Cmd {
	return func() tea.Msg {
		cfg, stop, err := start(ctx, scenario)
		if err != nil {
			return sessionMsg{gen: gen, scenario: scenario, err: err}
		}
		return startWalk(ctx, gen, scenario, cfg, stop, opts)()
	}
}

// rerunHop re-runs one hop of the finished walk with the previous hops' outputs.
func rerunHop(ctx context.Context, gen int, w *flows.Walk, hop flows.HopID) tea.Cmd {
	return func() tea.Msg {
		hctx, cancel := context.WithCancel(ctx)
		return hopRunMsg{gen: gen, hop: hop, events: w.RunHop(hctx, hop), cancel: cancel}
	}
}

// retryWithClaims signs in again with the claims challenge and walks the later hops again.
func retryWithClaims(ctx context.Context, gen int, w *flows.Walk) tea.Cmd {
	return func() tea.Msg {
		wctx, cancel := context.WithCancel(ctx)
		return hopRunMsg{gen: gen, events: w.RetryWithClaims(wctx), cancel: cancel}
	}
}

// stopSession stops a replaced sandbox off the UI goroutine.
func stopSession(stop func()) tea.Cmd {
	if stop == nil {
		return nil
	}
	return func() tea.Msg {
		stop()
		return stoppedMsg{}
	}
}
