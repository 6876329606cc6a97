package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
)

// TestConsentPanel: a walk that ended on a Foundry agent's consent request shows the link, and c
// copies it; once Foundry got its token (the obo hop ran) the request is history.
func TestConsentPanel(t *testing.T) {
	cfg := flows.Config{Agent: flows.AgentConfig{Kind: flows.AgentKindFoundry}}
	var ws walkState
	ws.setChain(flows.HopsFor(cfg))
	link := "https://127.0.0.1:8443/foundry/consent?id=oauthreq_abc"
	ws.apply(flows.Event{Kind: flows.EventConsent, Hop: flows.HopAgent, Consent: &flows.ConsentRequest{Link: link, ServerLabel: "contoso-mcp", Agent: "contoso-agent-passthrough"}}, time.Now())
	ws.hops[ws.index(flows.HopOBO)].Status = flows.StatusSkipped
	if !ws.consentPending() {
		t.Fatal("the consent request is not pending")
	}
	c := newCommon(true, fixedNow, time.UTC)
	panel := ansi.Strip(strings.Join(consentPanel(c, &ws, 100), "\n"))
	for _, want := range []string{"Consent needed", "contoso-agent-passthrough", "contoso-mcp", link, "c copies the link", "r runs the walk again"} {
		if !strings.Contains(panel, want) {
			t.Errorf("panel lacks %q:\n%s", want, panel)
		}
	}
	ws.hops[ws.index(flows.HopOBO)].Status = flows.StatusOK
	if ws.consentPending() {
		t.Error("still pending after Foundry got its token")
	}
	ws.reset()
	if ws.consent != nil {
		t.Error("a new walk keeps the old consent request")
	}
}
