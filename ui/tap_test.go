package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// tapEvent is a request as the tap reports it, with an agent identity's token.
func tapEvent(t *testing.T, seq int64, status int, findings ...string) flows.TapEvent {
	raw := signToken(t, jwt.MapClaims{"aud": "api://contoso-mcp", "azp": "0b05c0de-a1d0-4000-8000-000000000013", "idtyp": "app",
		"roles": []string{"tools.call"}, "xms_par_app_azp": "0b05c0de-b1e9-4000-8000-000000000011", "xms_act_fct": "3 9 11",
		"iss": "https://login.microsoftonline.com/0b05c0de-7e4a-4000-8000-000000000001/v2.0", "ver": "2.0",
		"exp": testNow.Add(time.Hour).Unix(), "iat": testNow.Unix(), "nbf": testNow.Unix()})
	tok, err := inspect.DecodeUnverified(flows.StripSignature(raw))
	if err != nil {
		t.Fatal(err)
	}
	ev := flows.TapEvent{Seq: seq, Conn: 1, Time: testNow, Method: http.MethodPost, Path: "/mcp", Status: status, Duration: 3 * time.Millisecond,
		As: "mcp", Caller: inspect.ClassifyCaller(tok, true), RPC: "tools/call", Token: &flows.NamedToken{Name: "bearer token", Token: tok},
		Exchange: flows.Exchange{Label: "MCP tools/call", Method: http.MethodPost, URL: "https://mcp.example/mcp", Status: status}}
	for _, id := range findings {
		ev.Findings = append(ev.Findings, inspect.NewFinding(id, "mcp", "the token is app-only and names no user", nil))
	}
	if status == 401 {
		ev.Challenge = `Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"`
	}
	return ev
}

func newTapTest(t *testing.T, w, h int) *tapModel {
	m := newTapModel(newCommon(true, fixedNow, time.UTC), "http://127.0.0.1:8808", "https://mcp.example/mcp", "mcp", nil)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func tapScreen(m *tapModel) string { return ansi.Strip(m.render()) }

func tapPress(m *tapModel, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

// TestTapList: requests appear as they come, the newest selected while following, its box
// naming the caller, the token and the first finding.
func TestTapList(t *testing.T) {
	m := newTapTest(t, 120, 36)
	mustContain(t, tapScreen(m), "Waiting for requests", "http://127.0.0.1:8808/…")
	m.Update(tapEventMsg{ev: tapEvent(t, 1, 200)})
	m.Update(tapEventMsg{ev: tapEvent(t, 2, 403, "foundry.agent-identity-not-user")})
	v := tapScreen(m)
	checkFrame(t, v, 120, 36)
	mustContain(t, v, "oboscope tap", "2 requests", "/mcp (tools/call)", "agent identity", "!1", "#2 POST /mcp → 403 Forbidden",
		"Foundry: Entra agent identity", "foundry.agent-identity-not-user")
	// Moving up stops following: a new request does not take the selection away.
	tapPress(m, "up")
	m.Update(tapEventMsg{ev: tapEvent(t, 3, 200)})
	if sel, _ := m.selected(); sel.ev.Seq != 1 {
		t.Errorf("selection moved to %d while not following", sel.ev.Seq)
	}
	tapPress(m, "f")
	if sel, _ := m.selected(); sel.ev.Seq != 3 {
		t.Errorf("f did not follow the newest: %d", sel.ev.Seq)
	}
}

// TestTapOpenRequest: enter opens a request like a hop — Claims, Findings, HTTP — and ] moves to
// the next one.
func TestTapOpenRequest(t *testing.T) {
	m := newTapTest(t, 100, 30)
	// A request's end may come before its event.
	m.Update(tapDoneMsg{d: flows.TapDone{Seq: 1, RequestBody: `{"jsonrpc":"2.0","method":"tools/call"}`, ResponseBody: "no"}})
	m.Update(tapEventMsg{ev: tapEvent(t, 1, 401, "mcp.rejected")})
	m.Update(tapEventMsg{ev: tapEvent(t, 2, 200)})
	tapPress(m, "up", "enter")
	v := tapScreen(m)
	checkFrame(t, v, 100, 30)
	mustContain(t, v, "#1 POST /mcp → 401 Unauthorized", "1 Claims", "2 Findings", "3 HTTP", "xms_par_app_azp")
	tapPress(m, "2")
	mustContain(t, tapScreen(m), "mcp.rejected")
	tapPress(m, "3")
	mustContain(t, tapScreen(m), "MCP tools/call", `"method": "tools/call"`)
	tapPress(m, "]")
	mustContain(t, tapScreen(m), "#2 POST /mcp → 200 OK")
	tapPress(m, "esc")
	mustContain(t, tapScreen(m), "2 requests", "findings")
	if m.open {
		t.Error("esc did not go back to the list")
	}
}

// TestTapSmallWindow: below 80×20 the screen says so instead of breaking its layout.
func TestTapSmallWindow(t *testing.T) {
	m := newTapTest(t, 60, 15)
	mustContain(t, tapScreen(m), "Make the window larger")
}

// TestTapDropsOldest: the screen keeps a bounded number of requests.
func TestTapDropsOldest(t *testing.T) {
	m := newTapTest(t, 120, 30)
	ev := tapEvent(t, 1, 200)
	for i := 1; i <= maxTapEntries+10; i++ {
		ev.Seq = int64(i)
		m.Update(tapEventMsg{ev: ev})
	}
	if len(m.entries) != maxTapEntries || m.dropped != 10 || m.entries[0].ev.Seq != 11 {
		t.Fatalf("%d entries, %d dropped, first %d", len(m.entries), m.dropped, m.entries[0].ev.Seq)
	}
	if !strings.Contains(tapScreen(m), "5010 requests") {
		t.Error("the count does not include the dropped requests")
	}
}
