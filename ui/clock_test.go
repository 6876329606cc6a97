package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// clock is a clock the test moves on.
type clock struct{ at time.Time }

func (c *clock) now() time.Time { return c.at }

// TestClockTicksOnTheTokenScreen: the relative times move with the clock, and a token that
// expires while it is shown turns into inspect's token.expired finding.
func TestClockTicksOnTheTokenScreen(t *testing.T) {
	clk := &clock{at: testNow}
	tok := userToken(t, jwt.MapClaims{"exp": testNow.Add(90 * time.Second).Unix()})
	m := newTestModel(t, modelConfig{mode: "inspect", rawToken: tok, inspectOpts: report.InspectOptions{}, now: clk.now}, 120, 36)
	mustContain(t, screen(m), "expires in 1m 30s", "i 1 info")
	clk.at = clk.at.Add(2 * time.Second)
	m.Update(clockMsg{})
	mustContain(t, screen(m), "expires in 1m 28s", "22:01:30 · expires in 1m 28s")

	clk.at = testNow.Add(7 * time.Minute) // past exp and the allowed skew
	m.Update(clockMsg{})
	view := screen(m)
	mustContain(t, view, "expired 5m 30s ago", "✗ 1 error")
	found := false
	for _, f := range m.token.tokenFindings() {
		found = found || f.ID == "token.expired"
	}
	if !found {
		t.Fatalf("the expired token has no token.expired finding:\n%s", view)
	}
	press(m, "2")
	mustContain(t, screen(m), "token.expired", "Token has expired")
}

// TestClockTicksOverTheWalk: after the walk the arrows, the Claims tab and the status line count
// on, and a token that expires while shown is reported at the hop that obtained it, as found
// after the walk.
func TestClockTicksOverTheWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	clk := &clock{at: walkNow()}
	m.c.now = clk.now
	runWalk(t, m)
	before := screen(m)
	clk.at = clk.at.Add(3 * time.Second)
	m.Update(clockMsg{})
	after := screen(m)
	if before == after {
		t.Fatal("three seconds later the overview has not changed")
	}
	mustContain(t, after, "walk complete", ", 3s ago")

	clk.at = walkNow().Add(3 * time.Hour)
	m.Update(clockMsg{})
	mustContain(t, screen(m), "✗ ")
	press(m, "home", "enter", "3")
	view := screen(m)
	mustContain(t, view, "token.expired", "Now, after the walk: user token")
	if !strings.Contains(view, "ERROR") {
		t.Fatalf("the expired token is not an error:\n%s", view)
	}
	// The walk's own result is what it observed: the expiry came after it.
	if m.walk.report.Summary.Errors != 0 || m.exitCode() != 0 {
		t.Fatal("the report counts a token that expired after the walk")
	}
}

// TestRequestInFlight: while a hop runs, the rail and the status line show the request it sent
// that has no answer yet, and for how long; the answer clears it.
func TestRequestInFlight(t *testing.T) {
	clk := &clock{at: testNow}
	m := newTestModel(t, modelConfig{mode: "sandbox", scenario: "healthy", now: clk.now}, 120, 36)
	ws := &m.walk
	ws.running = true
	ws.apply(flows.Event{Kind: flows.EventHopStarted, Hop: flows.HopSignin}, clk.at)
	x := flows.Exchange{Method: "POST", Label: "device code token poll", URL: "https://login.example/t/oauth2/v2.0/token", Started: clk.at}
	ws.apply(flows.Event{Kind: flows.EventRequest, Hop: flows.HopSignin, Exchange: &x}, clk.at)
	clk.at = clk.at.Add(1200 * time.Millisecond)
	view := screen(m)
	mustContain(t, view, "POST device code token poll … 1.20 s", "hop 1/5 Sign-in · POST device code token poll 1.20 s")
	x.Status = 200
	ws.apply(flows.Event{Kind: flows.EventExchange, Hop: flows.HopSignin, Exchange: &x}, clk.at)
	if _, ok := ws.inFlight(0); ok {
		t.Fatal("the answered request is still in flight")
	}
}
