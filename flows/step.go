package flows

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// This file lets a person watch a walk one hop at a time. Every request a hop sends is announced
// before it goes out (EventRequest), so a screen can show what is in flight and for how long; and
// with WalkOptions.HoldSteps each hop waits before its first request of its own until the person
// says go (EventStep). Both sit in front of the recording transport, so what they show is the
// request the hop really sends, redacted as the record is.

// StepPlan is what a hop is about to do, sent as EventStep when the walk holds each hop
// (WalkOptions.HoldSteps): what the hop does and the request it is about to send, redacted and
// not yet sent. The hop waits until Proceed is called or the walk's context ends.
type StepPlan struct {
	Hop HopID
	// About says in a sentence or two what the hop does (HopAbout).
	About string
	// Request is the hop's first request of its own, redacted: Label, Method, URL, headers and
	// body are set; it has no response yet.
	Request Exchange

	proceed chan struct{}
	once    sync.Once
}

// Proceed lets the hop send its request. Calling it again does nothing.
func (p *StepPlan) Proceed() { p.once.Do(func() { close(p.proceed) }) }

// preliminary are the requests a hop may send before its first request of its own without being
// held: the discovery documents MSAL fetches by itself and the MCP session's handshake. Showing
// them as "the request this hop sends" would hide the one that matters.
var preliminary = map[string]bool{
	"authority discovery (OpenID configuration)": true,
	"instance discovery":                         true,
	"MCP server/discover":                        true,
	"MCP initialize":                             true,
	"MCP notifications/initialized":              true,
}

// holdsFor reports whether a request with this label is one a hop is held before.
func holdsFor(label string) bool { return !preliminary[label] }

// sendTransport announces each request of a hop before it goes out and, when the walk holds
// hops, holds the hop's first request of its own until the person's go-ahead. While it holds a
// request the client's own timeout must not run, so with holding on the hop's client has none and
// this transport bounds each request (and the reading of its body) by timeout instead, from the
// moment it is sent.
type sendTransport struct {
	next    http.RoundTripper
	h       *hopRun
	hold    bool
	timeout time.Duration // 0: the client bounds requests itself

	mu     sync.Mutex
	held   bool          // the hop's request was held already
	waited time.Duration // how long the hop waited for the go-ahead
}

// waitedFor is how long the hop waited for the person's go-ahead.
func (t *sendTransport) waitedFor() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.waited
}

func (t *sendTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	x, req, err := t.preview(req)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	hold := t.hold && !t.held && holdsFor(x.Label)
	if hold {
		t.held = true
	}
	t.mu.Unlock()
	if hold {
		plan := &StepPlan{Hop: t.h.id, About: HopAbout(t.h.cfg, t.h.id), Request: x, proceed: make(chan struct{})}
		start := time.Now()
		t.h.em.send(Event{Kind: EventStep, Hop: t.h.id, Step: plan})
		select {
		case <-plan.proceed:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		t.mu.Lock()
		t.waited += time.Since(start)
		t.mu.Unlock()
		x.Started = t.h.now()
	}
	sent := x
	t.h.em.send(Event{Kind: EventRequest, Hop: t.h.id, Exchange: &sent})
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// preview is the request as the record will show it, redacted, before it is sent. A body that
// cannot be read again (no GetBody) is read here and put back.
func (t *sendTransport) preview(req *http.Request) (Exchange, *http.Request, error) {
	rec := t.h.rec
	rec.mu.Lock()
	step := rec.label
	rec.mu.Unlock()
	x := Exchange{
		Method:         req.Method,
		URL:            strings.TrimSuffix(RedactURL(req.URL.String(), rec.extra), "?"),
		RequestHeaders: RedactHeaders(req.Header, rec.extra),
		Started:        t.h.now(),
	}
	var body []byte
	switch {
	case req.Body == nil || req.Body == http.NoBody:
	case req.GetBody != nil:
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(io.LimitReader(rc, maxRecordedBody))
			rc.Close()
		}
	default:
		b, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
		req.Body.Close()
		if err != nil {
			return Exchange{}, req, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		body = truncate(b)
	}
	x.RequestBody = RedactBody(req.Header.Get("Content-Type"), body, rec.extra)
	x.Label = mcpLabel(requestLabel(step, req), req, rpcMethod(x.RequestBody))
	return x, req, nil
}

// cancelOnClose ends a request's context when its body is read to the end or closed, as the
// client's own timeout would.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil {
		c.cancel()
	}
	return n, err
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// HopAbout says in a sentence or two what hop id does with cfg ("" for a hop it knows nothing
// about).
func HopAbout(cfg Config, id HopID) string {
	for _, d := range hopsFor(cfg) {
		if d.ID == id && d.about != nil {
			return d.about(cfg)
		}
	}
	return ""
}
