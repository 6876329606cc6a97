package flows

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// probeOut is what the probe hop hands on: the MCP server's answer to a request without a token
// (status and headers: the challenge a client follows), or why there is none.
type probeOut struct {
	url         string
	status      int
	header      http.Header
	answered    bool   // the answer was an MCP result: the server needs no token
	unreachable string // why no answer came ("" when one did)
}

// challenge is the WWW-Authenticate of the answer.
func (p probeOut) challenge() string {
	if p.header == nil {
		return ""
	}
	return p.header.Get("WWW-Authenticate")
}

// request and response rebuild the probe's failed request and its answer for the MCP go-sdk's
// OAuthHandler.Authorize, which a client's transport calls with them on a 401.
func (p probeOut) request(ctx context.Context) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, http.MethodPost, p.url, nil)
}

func (p probeOut) response(req *http.Request) *http.Response {
	return &http.Response{StatusCode: p.status, Status: fmt.Sprintf("%d %s", p.status, http.StatusText(p.status)),
		Header: p.header.Clone(), Body: http.NoBody, Request: req}
}

// probeObs is what the probe hop observed.
type probeObs struct{ out probeOut }

// observeProbe sends the MCP server an initialize request without a token, as a client does
// first, and reads the challenge it answers with.
func observeProbe(ctx context.Context, h *hopRun) (probeObs, probeOut) {
	cfg := h.cfg
	out := probeOut{url: cfg.MCP.URL}
	switch {
	case cfg.MCP.URL == "":
		h.skip("skipped: no MCP server configured (mcp.url)")
		out.unreachable = "no MCP server configured"
		return probeObs{out}, out
	case !sendable(cfg.MCP.URL):
		h.fail(fmt.Sprintf("probe: refusing to send requests to %s (not https)", cfg.MCP.URL))
		out.unreachable = "the MCP URL is not https"
		return probeObs{out}, out
	}
	h.rec.setLabel("unauthenticated probe")
	status, hdr, answered, err := postInitialize(ctx, h, "")
	if err != nil {
		h.fail(describeFailure("probe", err, h.rec.snapshot()))
		h.res.Story = "the MCP server did not answer"
		out.unreachable = "the MCP server did not answer"
		return probeObs{out}, out
	}
	out.status, out.header, out.answered = status, hdr, answered
	h.res.Story = probeStory(out)
	return probeObs{out}, out
}

// analyzeProbe raises what the answer alone shows: a server that needs no token, or a 403
// without a challenge. A 401 without resource_metadata is judged at the metadata hop, where it
// shows whether clients can find the metadata anyway.
func analyzeProbe(obs probeObs) []inspect.Finding {
	if obs.out.status == 0 {
		return nil
	}
	return inspect.AnalyzeMCPProbe(obs.out.status, obs.out.challenge(), obs.out.answered)
}

// probeStory tells what the server answered without a token.
func probeStory(p probeOut) string {
	s := fmt.Sprintf("without a token: %d", p.status)
	c, ok := inspect.ParseBearerChallenge(p.challenge())
	switch {
	case p.answered:
		return s + " with an MCP result: the server needs no token"
	case !ok && p.challenge() == "":
		return s + " without a WWW-Authenticate challenge"
	case !ok:
		return s + " with WWW-Authenticate: " + oneLine(p.challenge()) + " (no Bearer challenge)"
	}
	var parts []string
	if md := c.Param("resource_metadata"); md != "" {
		parts = append(parts, "resource_metadata "+prmPath(md))
	}
	if sc := c.Param("scope"); sc != "" {
		parts = append(parts, "scope "+sc)
	}
	if len(parts) == 0 {
		return s + " with a Bearer challenge naming neither resource_metadata nor scope"
	}
	return s + " with a Bearer challenge: " + strings.Join(parts, ", ")
}

// aboutProbe says what the probe hop does, for the step-by-step view.
func aboutProbe(Config) string {
	return "An MCP client calls the server without a token, as it does first: the server must answer 401 with a WWW-Authenticate Bearer challenge naming its resource metadata (and the scope it needs)."
}
