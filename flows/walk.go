package flows

import (
	"context"
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
	// Timeout bounds every network call (default DefaultTimeout).
	Timeout time.Duration
	// AutoApproved tells the device-code event that the sandbox approves the code by itself.
	AutoApproved bool
	// Message is what the agent hop sends to the agent ("" = a fixed probe message).
	Message string
}

// Walk runs the hops of the chain in order and reports progress as events. One Walk can run
// again (Run, RunHop, RetryWithClaims); runs are serialised.
type Walk struct {
	cfg  Config
	opts WalkOptions

	runMu sync.Mutex // held for the whole of a run

	mu      sync.Mutex // guards everything below
	results map[HopID]*HopResult
	st      walkState
	jwks    map[string]*inspect.JWKS // per issuer
	base    *http.Client
	ownBase bool // the walk built base, so Close releases its connections
	baseErr error
}

// walkState carries the outputs of earlier hops to later ones.
type walkState struct {
	userRaw      string
	user         *inspect.Token
	oboRaw       string
	obo          *inspect.Token
	oboFromUser  bool   // passthrough: the "OBO token" is the user token
	claims       string // the claims challenge Entra sent at the OBO hop
	agentClaims  string // the claims challenge the agent API returned (WWW-Authenticate claims=, decoded)
	agentReport  *inspect.ExchangeReport
	skewReported HopID // the hop token.clock-skew was reported at, "" when none
	// mcpUnreachable says why the last mcp hop got no MCP session going ("" when it did or did
	// not try): the downstream hop does not knock on the same door again.
	mcpUnreachable string
	// mcpTools are the tools the server's tools/list named at the last mcp hop (mcpToolsListed:
	// the list arrived, possibly empty).
	mcpTools       []string
	mcpToolsListed bool
}

// NewWalk prepares a walk of cfg; nothing runs until Run or RunHop.
func NewWalk(cfg Config, opts WalkOptions) *Walk {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	w := &Walk{cfg: cfg, opts: opts, results: map[HopID]*HopResult{}, jwks: map[string]*inspect.JWKS{}}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		if c.Timeout == 0 || c.Timeout > opts.Timeout {
			c.Timeout = opts.Timeout
		}
		w.base = &c
	} else {
		w.base, w.baseErr = NewHTTPClient(cfg, opts.Timeout)
		w.ownBase = true
	}
	for _, id := range Hops {
		w.results[id] = &HopResult{ID: id, Title: hopTitle(id), Status: StatusPending}
	}
	return w
}

// hopTitle is a hop's display title.
func hopTitle(id HopID) string {
	switch id {
	case HopSignin:
		return "User sign-in"
	case HopAgent:
		return "Call the agent API"
	case HopOBO:
		return "On-Behalf-Of exchange"
	case HopMCP:
		return "Call the MCP server"
	case HopDownstream:
		return "MCP server's downstream exchange"
	}
	return string(id)
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

// ClaimsChallenge returns the claims challenge Entra sent at the OBO hop, or else the one the
// agent API passed back in its 401 ("" when none): the TUI offers RetryWithClaims when it is set.
func (w *Walk) ClaimsChallenge() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st.claims != "" {
		return w.st.claims
	}
	return w.st.agentClaims
}

// Run runs every hop in order. The channel is closed when the walk ends; its last event is
// EventWalkDone with the Report. Cancelling ctx stops the walk at once (the hop running fails
// with the cancellation) and the channel is still closed.
func (w *Walk) Run(ctx context.Context) <-chan Event {
	return w.start(ctx, Hops, "")
}

// RunHop re-runs one hop with the earlier hops' outputs, then sends EventWalkDone.
func (w *Walk) RunHop(ctx context.Context, id HopID) <-chan Event {
	return w.start(ctx, []HopID{id}, "")
}

// RetryWithClaims signs in again passing the claims challenge Entra sent at the OBO hop (MSAL's
// WithClaims), then runs the later hops again.
func (w *Walk) RetryWithClaims(ctx context.Context) <-chan Event {
	return w.start(ctx, Hops, w.ClaimsChallenge())
}

func (w *Walk) start(ctx context.Context, hops []HopID, claims string) <-chan Event {
	ch := make(chan Event, 64)
	em := &emitter{ch: ch, ctx: ctx}
	go func() {
		w.runMu.Lock()
		defer w.runMu.Unlock()
		defer em.close()
		for _, id := range hops {
			if ctx.Err() != nil {
				w.cancelRest(id, ctx.Err())
				break
			}
			w.runOne(ctx, id, em, claims)
		}
		rep := w.Report()
		em.send(Event{Kind: EventWalkDone, Report: &rep})
	}()
	return ch
}

// cancelRest marks id and every later pending hop as cancelled.
func (w *Walk) cancelRest(from HopID, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	on := false
	for _, id := range Hops {
		if id == from {
			on = true
		}
		if on {
			r := w.results[id]
			switch r.Status {
			case StatusRunning:
				r.Status, r.Err = StatusSkipped, string(id)+": cancelled"
			case StatusPending:
				// Only the hop that was running says "cancelled"; the rest simply did not run.
				r.Status, r.Story = StatusSkipped, "not run: the walk was cancelled"
			}
		}
	}
}

// Report returns a snapshot of the walk: every hop as it stands, findings sorted, counts.
func (w *Walk) Report() Report {
	w.mu.Lock()
	defer w.mu.Unlock()
	rep := Report{Mode: w.opts.Mode, Scenario: w.opts.Scenario, AppNames: w.appNames()}
	if rep.Mode == "" {
		rep.Mode = "live"
		if w.cfg.IsSandboxAuthority() {
			rep.Mode = "sandbox"
		}
	}
	for _, id := range Hops {
		r := *w.results[id]
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

// Findings returns every finding of the walk so far, sorted.
func (r Report) Findings() []inspect.Finding {
	var out []inspect.Finding
	for _, h := range r.Hops {
		out = append(out, h.Findings...)
	}
	inspect.SortFindings(out)
	return out
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

// hopRun is one hop being run: its result under construction, its recorder and its client.
type hopRun struct {
	w      *Walk
	id     HopID
	res    *HopResult
	rec    *recorder
	client *http.Client
	em     *emitter
	claims string
}

// secrets returns the exact secret values to redact anywhere (configured client secrets).
func (w *Walk) secrets() []string {
	var out []string
	for _, s := range []struct{ inline, env, file string }{
		{w.cfg.Signin.ClientSecret, w.cfg.Signin.ClientSecretEnv, w.cfg.Signin.ClientSecretFile},
		{w.cfg.OBO.ClientSecret, w.cfg.OBO.ClientSecretEnv, w.cfg.OBO.ClientSecretFile},
		{w.cfg.OBO.BlueprintSecret, w.cfg.OBO.BlueprintSecretEnv, w.cfg.OBO.BlueprintSecretFile},
	} {
		if v, err := w.cfg.readSecret(s.inline, s.env, s.file); err == nil && v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (w *Walk) runOne(ctx context.Context, id HopID, em *emitter, claims string) {
	started := w.opts.Now()
	res := &HopResult{ID: id, Title: hopTitle(id), Status: StatusRunning, Started: started}
	w.mu.Lock()
	// The hop builds res on its own; readers of Report see this placeholder until it finishes.
	w.results[id] = &HopResult{ID: id, Title: hopTitle(id), Status: StatusRunning, Started: started}
	w.mu.Unlock()
	em.send(Event{Kind: EventHopStarted, Hop: id})

	h := &hopRun{w: w, id: id, res: res, em: em, claims: claims}
	h.rec = newRecorder(w.opts.Now, w.secrets(), func(x Exchange) {
		xx := x
		em.send(Event{Kind: EventExchange, Hop: id, Exchange: &xx})
	})
	if w.baseErr != nil {
		res.Err = string(id) + ": " + w.baseErr.Error()
		res.Status = StatusFailed
	} else {
		h.client = h.rec.client(w.base)
		switch id {
		case HopSignin:
			w.hopSignin(ctx, h)
		case HopAgent:
			w.hopAgent(ctx, h)
		case HopOBO:
			w.hopOBO(ctx, h)
		case HopMCP:
			w.hopMCP(ctx, h)
		case HopDownstream:
			w.hopDownstream(ctx, h)
		}
	}
	w.finish(h)
}

// finish completes a hop: exchanges, clock skew, findings de-duplicated and sorted, status.
func (w *Walk) finish(h *hopRun) {
	res := h.res
	res.Exchanges = h.rec.flush()
	dates := h.rec.serverDates()
	w.mu.Lock()
	skewAt := w.st.skewReported
	w.mu.Unlock()
	if skewAt == "" || skewAt == h.id {
		for _, d := range dates {
			if f, ok := inspect.ClockSkew(string(h.id), d.host, d.date, d.local, 0); ok {
				h.add(f)
				w.mu.Lock()
				w.st.skewReported = h.id
				w.mu.Unlock()
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

// isUserFinding reports token findings about the signed-in user rather than one token: every later
// token for the same user repeats them, so they are reported at the first hop that saw them.
func isUserFinding(id string) bool { return id == "token.groups-overage" }

// dropReportedUserFindings removes from fs the user findings an earlier hop already reported.
func (w *Walk) dropReportedUserFindings(id HopID, fs []inspect.Finding) []inspect.Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	earlier := map[string]bool{}
	for _, hid := range Hops {
		if hid == id {
			break
		}
		if r := w.results[hid]; r != nil {
			for _, f := range r.Findings {
				earlier[f.ID] = true
			}
		}
	}
	out := fs[:0:0]
	for _, f := range fs {
		if !(isUserFinding(f.ID) && earlier[f.ID]) {
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

// add records findings at this hop.
func (h *hopRun) add(fs ...inspect.Finding) {
	for _, f := range fs {
		f.Hop = string(h.id)
		h.res.Findings = append(h.res.Findings, f)
	}
}

// fail records the one-line error that stopped the hop.
func (h *hopRun) fail(msg string) {
	if h.res.Err == "" {
		h.res.Err = msg
	}
}

// skip marks the hop skipped with the reason as its story.
func (h *hopRun) skip(why string) {
	h.res.Status = StatusSkipped
	h.res.Story = why
}

// token records a token the hop obtained or presented and sends EventToken.
func (h *hopRun) token(name, raw string, t *inspect.Token, verified bool, verifyErr string) {
	nt := NamedToken{Name: name, Raw: raw, Token: t, Verified: verified, VerifyErr: verifyErr}
	h.res.Tokens = append(h.res.Tokens, nt)
	h.em.send(Event{Kind: EventToken, Hop: h.id, Token: &nt})
}
