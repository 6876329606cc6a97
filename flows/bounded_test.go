package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// oneGiB is what the hostile servers below offer to send.
const oneGiB = 1 << 30

// streamZeros answers with contentType, prefix and then zeros up to 1 GiB (or until the client
// stops reading), chunked: the size is never announced.
func streamZeros(w http.ResponseWriter, status int, contentType, prefix string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write([]byte(prefix))
	chunk := bytes.Repeat([]byte("0"), 64<<10)
	for sent := len(prefix); sent < oneGiB; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// allocatedDuring returns how many bytes the process allocated while f ran (an upper bound of
// what it held at any moment).
func allocatedDuring(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOversizedAnswersAreCut: a 1 GiB discovery document, a 1 GiB MCP answer as JSON and as an SSE
// stream, and a 1 GiB agent answer are each cut at the body cap: the hop that read it fails with
// one line naming the cap, the walk ends in seconds, and the walk allocates far less than 200 MB.
func TestOversizedAnswersAreCut(t *testing.T) {
	for _, tt := range []struct {
		name string
		hop  flows.HopID
		cfg  func(t *testing.T) flows.Config
		want string // in the hop's error
	}{
		{"discovery", flows.HopSignin, func(t *testing.T) flows.Config {
			auth := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				streamZeros(w, 200, "application/json", `{"issuer":"`)
			}))
			t.Cleanup(auth.Close)
			cfg := tokenConfig(t, auth.URL, auth.URL+"/agent", certPEM(auth))
			cfg.Signin = flows.SigninConfig{ClientID: testClient, Scopes: []string{"api://contoso-agent/access_as_user"}}
			return cfg
		}, "8 MiB cap"},
		{"MCP answer as JSON", flows.HopMCP, func(t *testing.T) flows.Config {
			cfg := mcpBeside(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
					w.WriteHeader(401)
					return
				}
				streamZeros(w, 200, "application/json", `{"jsonrpc":"2.0","id":1,"result":{"x":"`)
			}))
			cfg.OBO.Mode = "passthrough"
			return cfg
		}, "8 MiB cap"},
		{"MCP answer as an SSE stream", flows.HopMCP, func(t *testing.T) flows.Config {
			cfg := mcpBeside(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					w.WriteHeader(401)
					return
				}
				streamZeros(w, 200, "text/event-stream", "event: message\ndata: ")
			}))
			cfg.OBO.Mode = "passthrough"
			return cfg
		}, "8 MiB cap"},
		{"agent answer", flows.HopAgent, func(t *testing.T) flows.Config {
			srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				streamZeros(w, 200, "application/json", `{"reply":"`)
			}))
			t.Cleanup(srv.Close)
			return tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
		}, "8 MiB cap"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg(t)
			var rep flows.Report
			start := time.Now()
			alloc := allocatedDuring(func() {
				rep = walkReport(t, cfg, flows.WalkOptions{Timeout: 10 * time.Second})
			})
			took := time.Since(start)
			h := hop2(rep, tt.hop)
			t.Logf("%s: %s in %s, %d MB allocated: %s", tt.hop, h.Status, took.Round(time.Millisecond), alloc>>20, h.Err)
			if alloc > 200<<20 {
				t.Errorf("the walk allocated %d MB", alloc>>20)
			}
			if took > 15*time.Second {
				t.Errorf("the walk took %s", took)
			}
			if h.Status != flows.StatusFailed && h.Status != flows.StatusWarning || !strings.Contains(h.Err, tt.want) || strings.Contains(h.Err, "\n") {
				t.Errorf("%s: %s %q; want it stopped with %q", tt.hop, h.Status, h.Err, tt.want)
			}
			for _, x := range h.Exchanges {
				if len(x.ResponseBody) > 70<<10 {
					t.Errorf("an exchange kept %d bytes of body", len(x.ResponseBody))
				}
			}
		})
	}
}

// TestDurationIncludesTheBody: an answer whose body trickles for over a second is recorded with
// that duration, not the milliseconds to its headers.
func TestDurationIncludesTheBody(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":`))
		w.(http.Flusher).Flush()
		time.Sleep(1200 * time.Millisecond)
		w.Write([]byte(`"slow"}`))
	}))
	defer srv.Close()
	rep := walkReport(t, tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv)), flows.WalkOptions{Timeout: 5 * time.Second})
	for _, x := range hop2(rep, flows.HopAgent).Exchanges {
		if x.Label == "agent call" {
			if x.DurationMS < 1100 || x.Duration < 1100*time.Millisecond {
				t.Fatalf("agent call took %.1f ms by the record; the body took 1.2 s", x.DurationMS)
			}
			return
		}
	}
	t.Fatal("no agent call recorded")
}

// TestWalkDeadline: servers that each answer just inside the per-request timeout cannot hold the
// walk past its deadline; the hop that ran says so, the later ones did not run.
func TestWalkDeadline(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server sees the client go only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.MCP = flows.MCPConfig{URL: srv.URL + "/mcp", AppIDURI: "api://contoso-mcp"}
	start := time.Now()
	rep := walkReport(t, cfg, flows.WalkOptions{Timeout: 15 * time.Second, WalkTimeout: time.Second})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the walk took %s with a 1 s deadline", d)
	}
	a := hop2(rep, flows.HopAgent)
	if !strings.Contains(a.Err, "deadline") {
		t.Errorf("agent: %s %q (story %q, exchanges %+v)", a.Status, a.Err, a.Story, a.Exchanges)
	}
	if m := hop2(rep, flows.HopMCP); m.Status != flows.StatusSkipped || !strings.Contains(m.Story, "deadline") {
		t.Errorf("mcp: %s %q %q", m.Status, m.Story, m.Err)
	}
	// check exits 2 or 1, never hangs, and the report still renders.
	var out, errb bytes.Buffer
	start = time.Now()
	code := report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: "json", WalkTimeout: time.Second}, &out, &errb)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("check took %s with a 1 s deadline", d)
	}
	if code == 0 {
		t.Errorf("exit 0 for a walk against hanging servers")
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil && code != 2 {
		t.Errorf("report: %v", err)
	}
}
