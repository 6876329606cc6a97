package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// TestHoldStepsHoldsEachHop: with HoldSteps every hop waits before its first request of its own
// (after MSAL's discovery, past the MCP handshake) and shows it redacted; the wait counts neither
// in the hop's duration nor against the request timeout, and every request is announced before
// its exchange is recorded.
func TestHoldStepsHoldsEachHop(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const timeout, wait = 2 * time.Second, 2500 * time.Millisecond
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true, HoldSteps: true, Timeout: timeout})
	defer w.Close()
	held := map[flows.HopID]string{}
	announced := map[string]int{}
	var rep *flows.Report
	for ev := range w.Run(ctx) {
		switch ev.Kind {
		case flows.EventStep:
			p := ev.Step
			if _, again := held[ev.Hop]; again || p.Hop != ev.Hop {
				t.Fatalf("hop %s held twice, or a plan for another hop (%s)", ev.Hop, p.Hop)
			}
			held[ev.Hop] = p.Request.Label
			if p.About == "" || p.Request.Method == "" || p.Request.URL == "" || p.Request.Status != 0 {
				t.Errorf("hop %s: plan %+v", ev.Hop, p)
			}
			all := p.Request.URL + p.Request.RequestBody + strings.Join(p.Request.RequestHeaders.Values("Authorization"), " ")
			if strings.Contains(all, s.Secret("agent")) || fullJWT.MatchString(all) {
				t.Errorf("hop %s: the planned request is not redacted: %s", ev.Hop, all)
			}
			if ev.Hop == flows.HopSignin {
				time.Sleep(wait) // longer than the request timeout: it must not count
			}
			p.Proceed()
			p.Proceed() // a second go-ahead does nothing
		case flows.EventRequest:
			announced[string(ev.Hop)+" "+ev.Exchange.Label]++
		case flows.EventExchange:
			k := string(ev.Hop) + " " + ev.Exchange.Label
			if announced[k] == 0 {
				t.Errorf("exchange %q recorded without being announced", k)
			}
			announced[k]--
		case flows.EventWalkDone:
			rep = ev.Report
		}
	}
	want := map[flows.HopID]string{
		flows.HopSignin: "device code", flows.HopAgent: "agent call", flows.HopOBO: "OBO (jwt-bearer)",
		flows.HopMCP: "unauthenticated probe", flows.HopDownstream: "MCP tools/call graph_me",
	}
	for hop, label := range want {
		if held[hop] != label {
			t.Errorf("hop %s held before %q, want %q", hop, held[hop], label)
		}
	}
	if rep == nil || rep.Summary.Errors != 0 || len(rep.Summary.FailedHops) != 0 {
		t.Fatalf("the held walk did not pass: %+v", rep)
	}
	if d := rep.Hops[0].Finished.Sub(rep.Hops[0].Started); d >= wait {
		t.Errorf("sign-in took %v: the wait for the go-ahead counts in it", d)
	}
}

// TestHoldStepsCancelled: a walk cancelled while a hop is held ends, the hop cancelled.
func TestHoldStepsCancelled(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx, cancel := context.WithCancel(context.Background())
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true, HoldSteps: true})
	defer w.Close()
	done := make(chan struct{})
	ch := w.Run(ctx)
	go func() {
		defer close(done)
		for ev := range ch {
			if ev.Kind == flows.EventStep {
				cancel()
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the walk did not end when cancelled while a hop was held")
	}
	if st := w.Report().Hops[0].Status; st == flows.StatusOK || st == flows.StatusRunning {
		t.Fatalf("the held sign-in is %s after the walk was cancelled", st)
	}
}
