package flows

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// This file holds the small transports the MCP-client chain puts around a hop's recording client.
// Those above the trace change nothing the trace records but what they say they change (a client
// that drops resource, adds scope on refresh, or reads Entra's metadata leniently sends exactly
// what is recorded); the one below it (codeVault) keeps authorization codes out of the record.

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// withTransport returns a copy of c whose transport is wrap(c's transport).
func withTransport(c *http.Client, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	out := *c
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = wrap(next)
	return &out
}

// readForm returns the form a POST carries (and puts the body back), nil when it is no form.
func readForm(req *http.Request) url.Values {
	if req.Method != http.MethodPost || req.Body == nil || !strings.Contains(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil
	}
	var b []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil
		}
		b, err = io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil
		}
	} else {
		var err error
		b, err = io.ReadAll(io.LimitReader(req.Body, 1<<20))
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return nil
		}
	}
	f, err := url.ParseQuery(string(b))
	if err != nil {
		return nil
	}
	return f
}

// withForm returns a copy of req carrying form as its body.
func withForm(req *http.Request, form url.Values) *http.Request {
	body := form.Encode()
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	return r
}

// labelTransport names each request of the MCP go-sdk's client authorization in the hop's record
// by what it asks for, since the SDK sends several in one call (metadata, token); note, when set,
// follows the name ("authorization request (without resource)").
func labelTransport(h *hopRun, step, note string) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			label := requestPurpose(req, step)
			if note != "" {
				label += " (" + note + ")"
			}
			h.rec.setLabel(label)
			return next.RoundTrip(req)
		})
	}
}

// requestPurpose names a request of an OAuth client: metadata, registration, authorization or
// token (by grant), or step when it is none of them.
func requestPurpose(req *http.Request, step string) string {
	p := req.URL.Path
	switch {
	case strings.Contains(p, "/.well-known/oauth-protected-resource"):
		return "protected resource metadata"
	case strings.Contains(p, "/.well-known/oauth-authorization-server"):
		return "authorization server metadata (RFC 8414)"
	case strings.Contains(p, "/.well-known/openid-configuration"):
		return "authorization server metadata (OpenID configuration)"
	case req.Method == http.MethodGet && strings.HasSuffix(p, "/authorize"):
		return "authorization request"
	}
	if f := readForm(req); f != nil && f.Get("grant_type") != "" {
		return "token (" + f.Get("grant_type") + ")"
	}
	return step
}

// stripResource is a client that omits the RFC 8707 resource parameter from its token requests
// (mcp-remote's --disable-resource-parameter); the authorization request is stripped by the
// fetcher.
func stripResource(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if f := readForm(req); f != nil && f.Has("resource") {
			f.Del("resource")
			req = withForm(req, f)
		}
		return next.RoundTrip(req)
	})
}

// refreshScope is a client that sends its scopes again on a refresh_token request, as Entra needs
// (golang.org/x/oauth2 sends none by itself).
func refreshScope(scopes []string) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if f := readForm(req); f != nil && f.Get("grant_type") == "refresh_token" && f.Get("scope") == "" && len(scopes) > 0 {
				f.Set("scope", strings.Join(scopes, " "))
				req = withForm(req, f)
			}
			return next.RoundTrip(req)
		})
	}
}

// sentForm remembers the scope and resource of the last refresh_token request that went out.
type sentForm struct {
	mu                    sync.Mutex
	sent                  bool
	scope, resource, host string
}

func (s *sentForm) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if f := readForm(req); f != nil && f.Get("grant_type") == "refresh_token" {
			s.mu.Lock()
			s.sent, s.scope, s.resource, s.host = true, f.Get("scope"), f.Get("resource"), req.URL.Host
			s.mu.Unlock()
		}
		return next.RoundTrip(req)
	})
}

// capturedGet is one GET a client sent and what it answered (the body, up to 1 MiB).
type capturedGet struct {
	url    string
	status int
	err    string
	body   []byte
}

// getCapture keeps every GET answer passing through it, for the hop to read the documents the
// SDK fetched and judged (the SDK returns its verdict, not what it read).
type getCapture struct {
	mu   sync.Mutex
	gets []capturedGet
}

func (c *getCapture) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if req.Method != http.MethodGet {
			return resp, err
		}
		g := capturedGet{url: req.URL.String()}
		if err != nil {
			g.err = DescribeNetError(err)
		} else {
			g.status = resp.StatusCode
			b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(b))
			if rerr == nil {
				g.body = b
			}
		}
		c.mu.Lock()
		c.gets = append(c.gets, g)
		c.mu.Unlock()
		return resp, err
	})
}

// all returns the GETs captured so far, in order.
func (c *getCapture) all() []capturedGet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]capturedGet(nil), c.gets...)
}

// lenientMetadata reads an authorization server's metadata the way lenient MCP clients do where
// Entra's differs from what the MCP specification asks: code_challenge_methods_supported absent
// is read as S256 (the TypeScript MCP SDK since #992), and the issuer template …/{tenantid}/…
// of a multi-tenant authority as the authority asked (as MSAL does). The trace below it records
// Entra's answer as it was.
func lenientMetadata(pkce, issuer bool) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			p := req.URL.Path
			if err != nil || resp.StatusCode != http.StatusOK || req.Method != http.MethodGet ||
				!(strings.Contains(p, "/.well-known/openid-configuration") || strings.Contains(p, "/.well-known/oauth-authorization-server")) {
				return resp, err
			}
			b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(b))
			var doc map[string]any
			if rerr != nil || json.Unmarshal(b, &doc) != nil {
				return resp, nil
			}
			changed := false
			if _, ok := doc["code_challenge_methods_supported"]; pkce && !ok {
				doc["code_challenge_methods_supported"] = []string{"S256"}
				changed = true
			}
			if iss, _ := doc["issuer"].(string); issuer && strings.Contains(strings.ToLower(iss), "{tenantid}") {
				doc["issuer"] = authorityOfMetadataURL(req.URL)
				changed = true
			}
			if changed {
				if nb, err := json.Marshal(doc); err == nil {
					resp.Body = io.NopCloser(bytes.NewReader(nb))
					resp.ContentLength = int64(len(nb))
					resp.Header.Del("Content-Length")
				}
			}
			return resp, nil
		})
	}
}

// authorityOfMetadataURL returns the issuer URL a metadata URL was built from, with the
// well-known part taken out (inserted or appended).
func authorityOfMetadataURL(u *url.URL) string {
	p := u.Path
	for _, wk := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		if strings.HasPrefix(p, wk) {
			p = strings.TrimPrefix(p, wk)
			break
		}
		if strings.HasSuffix(p, wk) {
			p = strings.TrimSuffix(p, wk)
			break
		}
	}
	return u.Scheme + "://" + u.Host + p
}

// codeVault sits below the trace: it takes the authorization code out of a redirect's Location
// before the trace records it (a code never reaches an exchange) and keeps the real Location for
// the fetcher.
type codeVault struct {
	mu       sync.Mutex
	location string
}

func (v *codeVault) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, err
		}
		v.mu.Lock()
		v.location = loc
		v.mu.Unlock()
		if u, perr := url.Parse(loc); perr == nil {
			q := u.Query()
			if q.Has("code") {
				q.Set("code", Redacted)
				u.RawQuery = q.Encode()
			}
			if f, ferr := url.ParseQuery(u.Fragment); ferr == nil && f.Has("code") {
				f.Set("code", Redacted)
				u.Fragment = f.Encode()
			}
			resp.Header.Set("Location", u.String())
		}
		return resp, err
	})
}

// last returns the real Location of the last redirect.
func (v *codeVault) last() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.location
}
