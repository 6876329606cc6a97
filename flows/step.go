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

// hopAbouts say what each hop does, for the step-by-step view, from what the config asks of it.
var hopAbouts = map[HopID]func(Config) string{
	HopSignin: func(c Config) string {
		scopes := strings.Join(c.Signin.Scopes, " ")
		switch c.Signin.Flow {
		case "browser":
			return "The client app signs the user in in a browser (authorization code with PKCE) and redeems the code at Entra's /token endpoint, asking for " + scopes + "."
		case "token":
			return "No sign-in: oboscope takes the token you brought (signin.token_file) as the user token and checks it before the agent sees it."
		case "client_credentials":
			return "The client app gets a token with its own secret (client credentials): no user signs in, so the token speaks for the app, asking for " + scopes + "."
		}
		return "The client app signs the user in with a device code: MSAL asks Entra's /devicecode endpoint for a code, then polls /token until the user approves it. It asks for " + scopes + "."
	},
	HopAgent: func(Config) string {
		return "The client calls the agent API with the user token as its Bearer token. The agent must check the token's audience and scope before acting; then oboscope calls it once without a token, which it must refuse."
	},
	HopOBO: func(c Config) string {
		scopes := strings.Join(c.OBO.Scopes, " ")
		switch c.OBO.Mode {
		case "agent_identity":
			return "Agent ID: the blueprint gets T1 (client credentials with fmi_path), then the agent identity exchanges the user token On-Behalf-Of, T1 as its credential, for " + scopes + "."
		case "passthrough":
			return "Passthrough: the agent forwards the user token to the MCP server as it is; no exchange happens here, and the MCP hop shows what the server makes of it."
		case "none":
			return "No agent credentials are configured: the exchange is not run, but the user token is checked for what an On-Behalf-Of exchange needs."
		case "certificate":
			return "The agent, as the middle tier, trades the user token for a token for " + scopes + ": an On-Behalf-Of request (jwt-bearer) to Entra's /token, signed with its certificate."
		}
		return "The agent, as the middle tier, trades the user token for a token for " + scopes + ": an On-Behalf-Of request (jwt-bearer) to Entra's /token, with its client secret."
	},
	HopMCP: func(Config) string {
		return "oboscope calls the MCP server as the agent: first without a token (it must answer 401 and point to its metadata), then with the exchanged token; last with the user's own token, which it must refuse."
	},
	HopDownstream: func(Config) string {
		return "The MCP server calls its own API (Microsoft Graph) with its own On-Behalf-Of exchange; oboscope calls the tool that reports what the server did and checks it did not pass the token on."
	},
}

// HopAbout says in a sentence or two what hop id does with cfg ("" for a hop it knows nothing
// about).
func HopAbout(cfg Config, id HopID) string {
	if f, ok := hopAbouts[id]; ok {
		return f(cfg)
	}
	return ""
}
