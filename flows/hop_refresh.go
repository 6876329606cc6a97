package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/oboscope/oboscope/inspect"
)

// refreshOut is what the refresh hop hands on: the refreshed token (none when the refresh failed).
type refreshOut struct {
	token heldToken
}

// refreshObs is what the refresh hop observed.
type refreshObs struct {
	inspect.RefreshObservation
	decodeErr, verifyErr error
}

// clientTokenSource is the token source the MCP client keeps after signing in, built in the
// go-sdk's NewTokenSource hook: golang.org/x/oauth2's, which refreshes an expired token with
// grant_type=refresh_token and no scope by itself, with the scopes added again when the client
// sends them (mcp.client.refresh_scope, the fix of punkpeye/mcp-remote#357). ctx carries the HTTP
// client (oauth2.HTTPClient) the refreshes go through.
func clientTokenSource(ctx context.Context, cfg *oauth2.Config, tok *oauth2.Token, withScope bool) oauth2.TokenSource {
	if withScope {
		if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
			ctx = context.WithValue(ctx, oauth2.HTTPClient, withTransport(c, refreshScope(cfg.Scopes)))
		}
	}
	return cfg.TokenSource(ctx, tok)
}

// observeRefresh forces the refresh a client makes when its token expires, an hour after sign-in:
// the sign-in's token, marked expired, through the same token source the client keeps, with this
// hop's recording client. It records what the request carried (scope, resource) and Entra's
// answer, and the new token with the one it replaces as its lineage.
func observeRefresh(ctx context.Context, h *hopRun, sin clientSigninOut) (refreshObs, refreshOut) {
	var obs refreshObs
	var out refreshOut
	switch {
	case sin.oauth == nil || sin.tok == nil:
		h.skip("skipped: no token to refresh (see the signin hop)")
		return obs, out
	case sin.tok.RefreshToken == "":
		h.skip("skipped: the authorization server gave no refresh token (offline_access not granted)")
		return obs, out
	}
	expired := *sin.tok
	expired.Expiry = time.Now().Add(-time.Minute) // as an hour later: the access token has expired
	sent := &sentForm{}
	client := withTransport(withTransport(h.client, sent.wrap), labelTransport(h, "refresh", ""))
	mc := h.cfg.mcpClient()
	// The observer sits below the scope the client adds: it sees the request as it leaves.
	ts := clientTokenSource(context.WithValue(ctx, oauth2.HTTPClient, client), sin.oauth, &expired, mc.refreshScope)
	newTok, err := ts.Token()
	sent.mu.Lock()
	obs.Sent, obs.Scope, obs.Resource = sent.sent, sent.scope, sent.resource
	sent.mu.Unlock()
	obs.Before = sin.token.tok
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			if e, perr := inspect.ParseEntraError(re.Body); perr == nil && isEntra(e) {
				obs.Error = e
			}
		}
		if obs.Error != nil {
			h.fail(fmt.Sprintf("refresh: Entra answered %s: %s", valueOr(obs.Error.Err, "an error"), firstLine(obs.Error.Description)))
		} else {
			h.fail(describeFailure("refresh", err, h.rec.snapshot()))
		}
		h.res.Story = refreshStory(obs, nil, h)
		return obs, out
	}
	tok, derr := h.decodeObtained(newTok.AccessToken, "token")
	if derr != nil {
		obs.decodeErr = derr
		return obs, out
	}
	obs.After = tok
	from := sin.token.ref
	out.token, obs.verifyErr = h.holdObtained(ctx, NamedToken{Name: "refreshed access token", Raw: newTok.AccessToken, Token: tok, From: &from}, mcpAudiences(h.cfg))
	h.res.Story = refreshStory(obs, tok, h)
	return obs, out
}

// analyzeRefresh applies the refresh rules and lints the refreshed token.
func analyzeRefresh(h *hopRun, obs refreshObs) []inspect.Finding {
	fs := inspect.AnalyzeRefresh(obs.RefreshObservation)
	if obs.decodeErr != nil {
		fs = append(fs, inspect.MalformedTokenFinding("refresh", obs.decodeErr))
	}
	if f, ok := inspect.SignatureFinding(obs.verifyErr, "refresh"); ok {
		fs = append(fs, f)
	}
	if obs.After != nil {
		fs = append(fs, inspect.LintToken(obs.After, "refresh", inspect.Expectations{Now: h.now()})...)
	}
	return fs
}

// refreshStory tells what the refresh request carried and what came back.
func refreshStory(obs refreshObs, tok *inspect.Token, h *hopRun) string {
	carried := "no scope"
	if obs.Scope != "" {
		carried = "scope " + obs.Scope
	}
	if obs.Resource != "" {
		carried += ", resource=" + obs.Resource
	}
	s := "as an hour later, the expired token refreshed with grant_type=refresh_token and " + carried
	switch {
	case tok != nil:
		return s + "; " + inspect.Summarize(tok, h.names).Text()
	case obs.Error != nil:
		return s + "; Entra answered " + valueOr(obs.Error.Err, "an error") + ": " + firstLine(obs.Error.Description)
	}
	return s + "; " + strings.TrimPrefix(h.res.Err, "refresh: ")
}

// aboutRefresh says what the refresh hop does, for the step-by-step view.
func aboutRefresh(Config) string {
	return "An hour later the token has expired: the client refreshes it with its refresh token (grant_type=refresh_token), as golang.org/x/oauth2 does. Entra needs the scopes again on every refresh."
}
