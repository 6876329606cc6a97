package flows_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// TestCancelDuringHangingAgentCall: an agent API that never answers holds the walk only until the
// person cancels (q or a scenario switch in the TUI), not until the 15 s request timeout.
func TestCancelDuringHangingAgentCall(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	ch := w.Run(ctx)
	done := make(chan struct{})
	go func() { collect(ch); close(done) }()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the agent call never reached the server")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the walk still waits for the hanging agent API 5 s after cancel")
	}
	if h := hop(w.Report(), flows.HopAgent); h.Status == flows.StatusOK {
		t.Fatalf("agent hop %s after cancel", h.Status)
	}
}
