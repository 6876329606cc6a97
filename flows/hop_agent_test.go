package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestRejectedHopStatus: an agent API that rejects the user token fails the agent hop, even
// when an earlier finding (token.expired) explains the rejection and agent.rejected is not raised.
func TestRejectedHopStatus(t *testing.T) {
	rep, _, _ := sandboxCheck(t, "expired-user-token", sandbox.Options{})
	for _, h := range rep.Hops {
		if h.ID != "agent" {
			continue
		}
		if h.Status != "failed" {
			t.Fatalf("agent hop status %q, want failed", h.Status)
		}
		for _, f := range h.Findings {
			if f.ID == "agent.rejected" {
				t.Fatalf("agent.rejected raised although token.expired explains it")
			}
		}
		return
	}
	t.Fatal("no agent hop")
}

// TestAgentNonJSONSuccess: a 200 that is not the agent's JSON is told for what it is — an
// HTML page (a proxy's) or an empty body — as a warning, never "accepted" nor "truncated JSON".
func TestAgentNonJSONSuccess(t *testing.T) {
	for _, tt := range []struct {
		name, ct, body, want string
	}{
		{"html 200", "text/html", "<html><head><title>Welcome to nginx!</title></head></html>", "answered 200 with an HTML page (title: Welcome to nginx!), not the agent's JSON"},
		{"empty 200 json", "application/json", "", "answered 200 with an empty body, not the agent's JSON"},
		{"empty 200", "", "", "answered 200 with an empty body, not the agent's JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ct != "" {
					w.Header().Set("Content-Type", tt.ct)
				}
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
			w := flows.NewWalk(cfg, flows.WalkOptions{})
			defer w.Close()
			collect(w.Run(context.Background()))
			a := w.Report().Hops[1]
			if a.Status != flows.StatusWarning || !strings.Contains(a.Story, tt.want) || a.Err != "" {
				t.Fatalf("agent hop: %s, story %q, error %q; want warning with %q", a.Status, a.Story, a.Err, tt.want)
			}
		})
	}
}
