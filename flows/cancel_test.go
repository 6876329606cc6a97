package flows_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// TestCancelSaysItOnce: a cancelled walk says "cancelled" at the hop that was running; the
// hops that never started have no error of their own.
func TestCancelSaysItOnce(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	ctx, cancel := context.WithCancel(context.Background())
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	ch := w.Run(ctx)
	<-arrived
	cancel()
	collect(ch)
	var errs []string
	for _, h := range w.Report().Hops {
		if h.Err != "" {
			errs = append(errs, h.Err)
		}
	}
	if len(errs) != 1 || errs[0] != "agent: cancelled" {
		t.Fatalf("hop errors %q, want only [agent: cancelled]", errs)
	}
	if h := w.Report().Hops[2]; h.Status != flows.StatusSkipped || h.Story != "not run: the walk was cancelled" {
		t.Fatalf("obo hop %s %q", h.Status, h.Story)
	}
}
