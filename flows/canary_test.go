package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// wireSecrets sits under the walk's trace and collects, from the raw traffic, every value that
// must never be shown: refresh tokens, client assertions, device codes, auth codes, secrets.
type wireSecrets struct {
	next     http.RoundTripper
	mu       sync.Mutex
	vals     map[string]string // value → what it is
	captured int               // values taken from the wire
}

var secretKeys = []string{"refresh_token", "client_assertion", "client_secret", "device_code", "code", "code_verifier", "password"}

func (c *wireSecrets) add(kind, v string) {
	if len(v) < 8 {
		return
	}
	c.mu.Lock()
	c.vals[v] = kind
	c.captured++
	c.mu.Unlock()
}

func (c *wireSecrets) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(rc)
			if q, err := url.ParseQuery(string(b)); err == nil {
				for _, k := range secretKeys {
					c.add(k, q.Get(k))
				}
			}
		}
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		for _, k := range []string{"refresh_token", "device_code"} {
			if s, ok := m[k].(string); ok {
				c.add(k, s)
			}
		}
	}
	return resp, nil
}

// fullJWT matches a compact JWS with its signature.
var fullJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`)

func TestCanaries(t *testing.T) {
	canaries := map[string]string{
		"client": "CANARY-client-7f3a9d21-secret", "agent": "CANARY-agent-5b8e0c44-secret",
		"mcp": "CANARY-mcp-91d2e6f0-secret", "blueprint": "CANARY-blueprint-3c7a1b55-secret",
	}
	for _, scenario := range []string{"healthy", "app-only-token", "mfa-required", "agent-identity", "bad-client-secret", "mcp-downstream-passthrough", "passthrough"} {
		t.Run(scenario, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var sandboxLog bytes.Buffer
			s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true, Secrets: canaries, Log: &sandboxLog})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cfg := s.Config("")
			base := s.HTTPClient()
			wire := &wireSecrets{next: base.Transport, vals: map[string]string{}}
			for k, v := range canaries {
				wire.vals[v] = "canary " + k
			}
			client := *base
			client.Transport = wire
			w := flows.NewWalk(cfg, flows.WalkOptions{HTTPClient: &client, Mode: "sandbox", Scenario: scenario, AutoApproved: true})
			var outputs []string
			var rawTokens []string
			for ev := range w.Run(ctx) {
				if ev.Token != nil {
					rawTokens = append(rawTokens, ev.Token.Raw)
					tok := *ev.Token
					tok.Raw = "" // the copy source the person asks for; never rendered
					ev.Token = &tok
				}
				if ev.Result != nil {
					r := *ev.Result
					r.Tokens = nil
					ev.Result = &r
				}
				if ev.Report != nil {
					ev.Report = nil
				}
				b, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, string(b))
			}
			rep := w.Report()
			for _, f := range []string{"text", "json", "markdown"} {
				var b bytes.Buffer
				if err := report.Write(&b, rep, f); err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, b.String())
			}
			for _, h := range rep.Hops {
				outputs = append(outputs, h.Err, h.Story)
			}
			outputs = append(outputs, sandboxLog.String())
			if wire.captured == 0 {
				t.Fatalf("no wire secrets captured: the test would prove nothing")
			}
			for i, out := range outputs {
				for v, kind := range wire.vals {
					if strings.Contains(out, v) {
						t.Errorf("output %d shows a %s: %.200s", i, kind, out)
					}
				}
				if m := fullJWT.FindString(out); m != "" {
					t.Errorf("output %d shows a full JWT with its signature: %.80s…", i, m)
				}
				for _, raw := range rawTokens {
					if raw != "" && strings.Contains(out, raw) {
						t.Errorf("output %d shows a raw token", i)
					}
				}
			}
			// Secrets never travel in the tokens the person may copy either.
			for _, raw := range rawTokens {
				for v, kind := range wire.vals {
					if strings.Contains(raw, v) {
						t.Errorf("a token holds a %s", kind)
					}
				}
			}
			t.Logf("%s: %d outputs scanned for %d wire secrets", scenario, len(outputs), len(wire.vals))
		})
	}
}
