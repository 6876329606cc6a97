package flows

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// WalkOptions are a walk's injected dependencies and settings.
type WalkOptions struct {
	// HTTPClient is the base client (nil: built from the Config's ca_file / CAPEM with Timeout).
	// Its Transport is wrapped by the trace; redirects are never followed.
	HTTPClient *http.Client
	Now        func() time.Time // nil: time.Now
	Mode       string           // sandbox | live
	Scenario   string
	// OpenURL opens the browser for signin.flow browser (MSAL's WithOpenURL); nil: MSAL's default.
	OpenURL func(string) error
	// Stdin is read for signin.token_file "-".
	Stdin io.Reader
	// Timeout bounds every network call, its answer's body included (default DefaultTimeout).
	Timeout time.Duration
	// WalkTimeout bounds a whole run (default DefaultWalkTimeout, 2 minutes), not counting the
	// time a person takes to complete an interactive sign-in.
	WalkTimeout time.Duration
	// AutoApproved tells the device-code event that the sandbox approves the code by itself.
	AutoApproved bool
	// Message is what the agent hop sends to the agent ("" = a fixed probe message).
	Message string
	// AwaitConsent, when set, is called when a Foundry agent asks the user to consent (after
	// EventConsent): it returns nil once the person consented, and the agent hop sends its
	// request again; an error (or nil AwaitConsent) leaves the consent pending in the report.
	AwaitConsent func(ctx context.Context, c ConsentRequest) error
	// HoldSteps holds every hop before its first request of its own: the walk sends EventStep
	// with the hop's plan and the request, redacted, and waits for StepPlan.Proceed. A hop's
	// duration leaves the wait out.
	HoldSteps bool
}

// Walk runs the hops of the chain in order and reports progress as events. One Walk can run
// again (Run, RunHop, RetryWithClaims); runs are serialised.
type Walk struct {
	cfg   Config
	opts  WalkOptions
	hops  []hopDef
	names inspect.AppNames

	runMu sync.Mutex // held for the whole of a run; guards c and keys
	c     chain      // what each hop handed on to the later ones
	keys  keyCache   // issuers' signing keys, fetched once per walk

	mu      sync.Mutex // guards results
	results map[HopID]*HopResult

	base    *http.Client
	ownBase bool // the walk built base, so Close releases its connections
	baseErr error
}

// NewWalk prepares a walk of cfg; nothing runs until Run or RunHop.
func NewWalk(cfg Config, opts WalkOptions) *Walk {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.WalkTimeout <= 0 {
		opts.WalkTimeout = DefaultWalkTimeout
	}
	w := &Walk{cfg: cfg, opts: opts, hops: hopsFor(cfg), names: cfg.AppNames(), results: map[HopID]*HopResult{}}
	w.keys = keyCache{}
	if opts.HTTPClient != nil {
		// An injected client gets the egress policy and the body cap too (without the check of
		// resolved addresses, which lives in NewHTTPClient's dialer).
		c := withEgress(opts.HTTPClient, newEgressPolicy(cfg))
		if c.Timeout == 0 || c.Timeout > opts.Timeout {
			c.Timeout = opts.Timeout
		}
		w.base = c
	} else {
		w.base, w.baseErr = NewHTTPClient(cfg, opts.Timeout)
		w.ownBase = true
	}
	for _, d := range w.hops {
		w.results[d.ID] = &HopResult{ID: d.ID, Title: d.Title, Short: d.Short, Status: StatusPending}
	}
	return w
}

// Close releases the walk's idle connections (when it built its own HTTP client). A walk may run
// again after Close; it then opens new connections.
func (w *Walk) Close() {
	if w.ownBase && w.base != nil {
		w.base.CloseIdleConnections()
	}
}

// Config returns the walk's configuration.
func (w *Walk) Config() Config { return w.cfg }

// Hops lists the walk's hops in order.
func (w *Walk) Hops() []HopInfo {
	out := make([]HopInfo, len(w.hops))
	for i, d := range w.hops {
		out[i] = d.HopInfo
	}
	return out
}

// AppNames is the one map the walk names apps by.
func (w *Walk) AppNames() inspect.AppNames { return w.names }

// ClaimsChallenge returns the claims challenge of the last run: Entra's at the OBO hop, or else
// the one the agent API passed back in its 401 ("" when none). The TUI offers RetryWithClaims
// when it is set.
func (w *Walk) ClaimsChallenge() string { return w.Report().ClaimsChallenge() }

// Run runs every hop in order. The channel is closed when the walk ends; its last event is
// EventWalkDone with the Report. Cancelling ctx stops the walk at once (the hop running fails
// with the cancellation) and the channel is still closed.
func (w *Walk) Run(ctx context.Context) <-chan Event {
	return w.start(ctx, w.hopIDs(), "")
}

// RunHop re-runs one hop with the earlier hops' outputs, then sends EventWalkDone.
func (w *Walk) RunHop(ctx context.Context, id HopID) <-chan Event {
	return w.start(ctx, []HopID{id}, "")
}

// RetryWithClaims signs in again passing the claims challenge of the last run (MSAL's
// WithClaims), then runs the later hops again.
func (w *Walk) RetryWithClaims(ctx context.Context) <-chan Event {
	return w.start(ctx, w.hopIDs(), w.ClaimsChallenge())
}

func (w *Walk) hopIDs() []HopID {
	ids := make([]HopID, len(w.hops))
	for i, d := range w.hops {
		ids[i] = d.ID
	}
	return ids
}

func (w *Walk) def(id HopID) (hopDef, bool) {
	for _, d := range w.hops {
		if d.ID == id {
			return d, true
		}
	}
	return hopDef{}, false
}

func (w *Walk) start(parent context.Context, hops []HopID, claims string) <-chan Event {
	ch := make(chan Event, 64)
	em := &emitter{ch: ch, ctx: parent}
	go func() {
		w.runMu.Lock()
		defer w.runMu.Unlock()
		defer em.close()
		ctx, deadline := newWalkDeadline(parent, w.opts.WalkTimeout)
		defer deadline.stop()
		for _, id := range hops {
			if ctx.Err() != nil {
				w.cancelRest(id, context.Cause(ctx))
				break
			}
			w.runOne(ctx, id, em, claims, deadline)
		}
		rep := w.Report()
		em.send(Event{Kind: EventWalkDone, Report: &rep})
	}()
	return ch
}

// cancelRest marks from and every later pending hop as cancelled (or stopped by the walk's
// deadline, when cause says so).
func (w *Walk) cancelRest(from HopID, cause error) {
	why, notRun := "cancelled", "not run: the walk was cancelled"
	de, deadline := cause.(*WalkDeadlineError)
	if deadline {
		why, notRun = "stopped: "+de.Error(), "not run: "+de.Error()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	on := false
	for _, d := range w.hops {
		if d.ID == from {
			on = true
		}
		if !on {
			continue
		}
		r := w.results[d.ID]
		switch r.Status {
		case StatusRunning:
			r.Status, r.Err = StatusSkipped, string(d.ID)+": "+why
		case StatusPending:
			// Only the hop that was running says "cancelled"; the rest simply did not run.
			r.Status, r.Story = StatusSkipped, notRun
			if deadline && d.ID == from {
				// The deadline broke the chain here, between two hops: the walk did not complete,
				// and a report that stops here must not read as a pass.
				r.Status, r.Err = StatusFailed, string(d.ID)+": "+why
			}
		}
	}
}

// Report returns a snapshot of the walk: every hop as it stands, findings sorted, counts.
func (w *Walk) Report() Report {
	w.mu.Lock()
	defer w.mu.Unlock()
	rep := Report{Mode: w.opts.Mode, Chain: w.cfg.ChainName(), Scenario: w.opts.Scenario, AppNames: w.names}
	if rep.Mode == "" {
		rep.Mode = "live"
		if w.cfg.IsSandboxAuthority() {
			rep.Mode = "sandbox"
		}
	}
	for _, d := range w.hops {
		r := *w.results[d.ID]
		r.Tokens = append([]NamedToken(nil), r.Tokens...)
		r.Exchanges = append([]Exchange(nil), r.Exchanges...)
		r.Findings = append([]inspect.Finding(nil), r.Findings...)
		rep.Hops = append(rep.Hops, r)
		e, wn, in := inspect.CountBySeverity(r.Findings)
		rep.Summary.Errors += e
		rep.Summary.Warnings += wn
		rep.Summary.Infos += in
		if r.Status == StatusFailed {
			rep.Summary.FailedHops = append(rep.Summary.FailedHops, r.ID)
		}
	}
	return rep
}

// findingsOf returns the findings the last run of hop id raised.
func (w *Walk) findingsOf(id HopID) []inspect.Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.results[id]; r != nil {
		return append([]inspect.Finding(nil), r.Findings...)
	}
	return nil
}

// emitter sends events unless the walk's context is done; sends after close are dropped (a late
// HTTP body close from a background goroutine must not panic).
type emitter struct {
	mu     sync.Mutex
	ch     chan Event
	ctx    context.Context
	closed bool
}

func (e *emitter) send(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.ch <- ev:
	case <-e.ctx.Done():
	}
}

func (e *emitter) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.ch)
	}
}

func (w *Walk) runOne(ctx context.Context, id HopID, em *emitter, claims string, deadline *walkDeadline) {
	d, ok := w.def(id)
	if !ok {
		return
	}
	started := w.opts.Now()
	res := &HopResult{ID: id, Title: d.Title, Short: d.Short, Status: StatusRunning, Started: started}
	w.mu.Lock()
	// The hop builds res on its own; readers of Report see this placeholder until it finishes.
	w.results[id] = &HopResult{ID: id, Title: d.Title, Short: d.Short, Status: StatusRunning, Started: started}
	w.mu.Unlock()
	em.send(Event{Kind: EventHopStarted, Hop: id})

	h := &hopRun{id: id, res: res, em: em, claims: claims, cfg: w.cfg, opts: &w.opts, names: w.names, keys: &w.keys, walk: w, deadline: deadline}
	h.rec = newRecorder(w.opts.Now, w.cfg.secrets(), func(x Exchange) {
		xx := x
		em.send(Event{Kind: EventExchange, Hop: id, Exchange: &xx})
	})
	if w.baseErr != nil {
		res.Err = string(id) + ": " + w.baseErr.Error()
		res.Status = StatusFailed
	} else {
		h.client, h.base = w.hopClient(h), w.base
		runGuarded(ctx, h, d, &w.c)
		if de, ok := context.Cause(ctx).(*WalkDeadlineError); ok && (res.Err != "" || h.rec.cut()) {
			// Whatever the hop made of its cancelled requests, the deadline is why it stopped.
			res.Err = string(id) + ": stopped: " + de.Error()
		}
	}
	w.finish(h)
}

// hopClient is the hop's HTTP client: it records every exchange and announces every request
// before it goes out; with HoldSteps it holds the hop's first request of its own, and bounds each
// request itself, since the client's timeout would count the wait.
func (w *Walk) hopClient(h *hopRun) *http.Client {
	c := h.rec.client(w.base)
	h.send = &sendTransport{next: c.Transport, h: h, hold: w.opts.HoldSteps}
	if w.opts.HoldSteps {
		h.send.timeout = c.Timeout
		c.Timeout = 0
	}
	c.Transport = h.send
	return c
}

// finish completes a hop: exchanges, clock skew, findings de-duplicated and sorted, status.
func (w *Walk) finish(h *hopRun) {
	res := h.res
	res.Exchanges = h.rec.flush()
	h.add(w.offHostFindings(h, res.Exchanges)...)
	if !w.skewReportedBefore(h.id) {
		for _, d := range h.rec.serverDates() {
			if f, ok := inspect.ClockSkew(string(h.id), d.host, d.date, d.local, 0); ok {
				h.add(f)
				break
			}
		}
	}
	res.Findings = dedupe(w.dropReportedUserFindings(h.id, res.Findings))
	inspect.SortFindings(res.Findings)
	if res.Status == StatusRunning {
		switch {
		case res.Err != "" || hasSeverity(res.Findings, inspect.SeverityError):
			res.Status = StatusFailed
		case hasSeverity(res.Findings, inspect.SeverityWarning):
			res.Status = StatusWarning
		default:
			res.Status = StatusOK
		}
	}
	if res.Err != "" && !strings.HasPrefix(res.Err, string(h.id)+":") {
		res.Err = string(h.id) + ": " + res.Err
	}
	// Stories, errors and details quote servers and claims: escape what could drive a terminal,
	// once, for the screen and every report format.
	res.Err = termSafe(RedactText(res.Err, h.rec.extra))
	res.Story = termSafe(res.Story)
	res.Finished = w.opts.Now()
	if h.send != nil {
		// The time the hop waited for a go-ahead is the person's, not the hop's.
		res.Started = res.Started.Add(min(h.send.waitedFor(), res.Finished.Sub(res.Started)))
	}
	for i := range res.Findings {
		f := res.Findings[i]
		f.Detail = termSafe(RedactText(f.Detail, h.rec.extra))
		if len(f.Evidence) > 0 {
			ev := make(map[string]string, len(f.Evidence))
			for k, v := range f.Evidence {
				ev[k] = termSafe(v)
			}
			f.Evidence = ev
		}
		res.Findings[i] = f
		h.em.send(Event{Kind: EventFinding, Hop: h.id, Finding: &f})
	}
	w.mu.Lock()
	w.results[h.id] = res
	snap := *res
	w.mu.Unlock()
	h.em.send(Event{Kind: EventHopFinished, Hop: h.id, Result: &snap})
}

// skewReportedBefore reports whether an earlier hop of the walk already reported the clock skew:
// one clock is reported once.
func (w *Walk) skewReportedBefore(id HopID) bool {
	for _, d := range w.hops {
		if d.ID == id {
			return false
		}
		for _, f := range w.findingsOf(d.ID) {
			if inspect.IsClockSkew(f) {
				return true
			}
		}
	}
	return false
}

// dropReportedUserFindings removes from fs the findings about the user (rather than one token)
// an earlier hop already reported: every later token of the same user repeats them.
func (w *Walk) dropReportedUserFindings(id HopID, fs []inspect.Finding) []inspect.Finding {
	earlier := map[string]bool{}
	for _, d := range w.hops {
		if d.ID == id {
			break
		}
		for _, f := range w.findingsOf(d.ID) {
			earlier[f.ID] = true
		}
	}
	out := fs[:0:0]
	for _, f := range fs {
		if !(inspect.IsPerUser(f.ID) && earlier[f.ID]) {
			out = append(out, f)
		}
	}
	return out
}

func hasSeverity(fs []inspect.Finding, s inspect.Severity) bool {
	for _, f := range fs {
		if f.Severity == s {
			return true
		}
	}
	return false
}

func dedupe(fs []inspect.Finding) []inspect.Finding {
	seen := map[string]bool{}
	var out []inspect.Finding
	for _, f := range fs {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}

// runGuarded runs a hop so that a bug tripped by what a server sent fails that hop, in one line,
// instead of ending the process (the TUI, a long check).
func runGuarded(ctx context.Context, h *hopRun, d hopDef, c *chain) {
	defer func() {
		if v := recover(); v != nil {
			h.res.Err = ""
			h.fail(fmt.Sprintf("%s: oboscope failed on what it received (%v); please report it", h.id, v))
		}
	}()
	d.run(ctx, h, c)
}
