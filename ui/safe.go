package ui

import (
	"net/http"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// Claim values, server answers and headers are attacker-controlled: a claim holding "\x1b[2J"
// would wipe the screen, a bidi override would reorder what the person reads. Everything the
// screens show of them goes through these copies, made once when a value enters the ui, with such
// characters written as visible escapes (inspect.Printable). The raw token kept for copying is
// untouched.

// displayToken returns a copy of t whose strings are safe to print.
func displayToken(t *inspect.Token) *inspect.Token {
	if t == nil {
		return nil
	}
	c := *t
	p := func(s string) string { return inspect.Printable(s, false) }
	c.Issuer, c.IssuerTenant, c.TenantID = p(c.Issuer), p(c.IssuerTenant), p(c.TenantID)
	c.ClientAppID, c.Subject, c.ObjectID = p(c.ClientAppID), p(c.Subject), p(c.ObjectID)
	c.Username, c.Name, c.Version = p(c.Username), p(c.Name), p(c.Version)
	c.Audiences, c.Scopes, c.Roles = safeStrings(c.Audiences), safeStrings(c.Scopes), safeStrings(c.Roles)
	c.Header = safeMap(c.Header)
	c.Claims = safeMap(c.Claims)
	return &c
}

// displayNamedToken is displayToken for a hop's token; Raw stays as it is for the copy action.
func displayNamedToken(nt flows.NamedToken) flows.NamedToken {
	nt.Name = inspect.Printable(nt.Name, false)
	nt.Token = displayToken(nt.Token)
	nt.VerifyErr = inspect.Printable(nt.VerifyErr, false)
	return nt
}

// displayExchange returns x with its headers and bodies safe to print.
func displayExchange(x flows.Exchange) flows.Exchange {
	x.URL = inspect.Printable(x.URL, false)
	x.RequestBody = inspect.Printable(x.RequestBody, true)
	x.ResponseBody = inspect.Printable(x.ResponseBody, true)
	x.RequestHeaders = safeHeader(x.RequestHeaders)
	x.ResponseHeaders = safeHeader(x.ResponseHeaders)
	x.Err = inspect.Printable(x.Err, false)
	return x
}

// displayFinding returns f with its detail and evidence safe to print.
func displayFinding(f inspect.Finding) inspect.Finding {
	f.Detail = inspect.Printable(f.Detail, false)
	if len(f.Evidence) > 0 {
		ev := make(map[string]string, len(f.Evidence))
		for k, v := range f.Evidence {
			ev[inspect.Printable(k, false)] = inspect.Printable(v, false)
		}
		f.Evidence = ev
	}
	return f
}

// displayHop applies the copies above to a whole hop result.
func displayHop(h flows.HopResult) flows.HopResult {
	h.Story, h.Err = inspect.Printable(h.Story, false), inspect.Printable(h.Err, false)
	h.Tokens = mapSlice(h.Tokens, displayNamedToken)
	h.Exchanges = mapSlice(h.Exchanges, displayExchange)
	h.Findings = mapSlice(h.Findings, displayFinding)
	return h
}

func mapSlice[T any](in []T, f func(T) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func safeStrings(in []string) []string {
	return mapSlice(in, func(s string) string { return inspect.Printable(s, false) })
}

func safeHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		out[inspect.Printable(k, false)] = safeStrings(vs)
	}
	return out
}

func safeMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[inspect.Printable(k, false)] = safeValue(v)
	}
	return out
}

func safeValue(v any) any {
	switch x := v.(type) {
	case string:
		return inspect.Printable(x, false)
	case []any:
		return mapSlice(x, safeValue)
	case map[string]any:
		return safeMap(x)
	}
	return v
}
