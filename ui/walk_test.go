package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// fixedSandbox starts real sandboxes on the tests' fixed clock, so tokens, times and goldens
// are the same on every run.
func fixedSandbox(t testing.TB) SandboxStarter {
	return func(ctx context.Context, scenario string) (flows.Config, func(), error) {
		s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true, Now: walkNow})
		if err != nil {
			return flows.Config{}, nil, err
		}
		return s.Config(""), func() { _ = s.Close() }, nil
	}
}

// sandboxModel is a walk-mode model on a real sandbox, not yet started.
func sandboxModel(t testing.TB, scenario string, w, h int) *Model {
	t.Helper()
	mc := modelConfig{
		mode:         "sandbox",
		ctx:          context.Background(),
		scenario:     scenario,
		startSandbox: fixedSandbox(t),
		walkOpts:     flows.WalkOptions{Now: walkNow},
		scenarios:    sandboxScenarios(),
		// A folder of a fixed name (the ? overlay names it, and goldens hold it); the tests that
		// export set one of their own.
		exportDir:   "/tmp/oboscope-exports",
		autoApprove: true,
		now:         walkNow,
		loc:         walkZone,
	}
	m := newTestModel(t, mc, w, h)
	t.Cleanup(m.shutdown)
	return m
}

// driver runs a model's commands for real (sandbox, walk, clipboard, export) and feeds their
// messages back one at a time, the way bubbletea's loop does.
type driver struct {
	t    testing.TB
	m    *Model
	msgs chan tea.Msg
}

func newDriver(t testing.TB, m *Model) *driver {
	return &driver{t: t, m: m, msgs: make(chan tea.Msg, 256)}
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// until feeds messages until cond holds, failing after a timeout.
func (d *driver) until(cond func() bool) {
	d.t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					d.exec(c)
				}
				continue
			}
			_, cmd := d.m.Update(msg)
			d.exec(cmd)
		case <-deadline:
			d.t.Fatalf("timed out; screen:\n%s", screen(d.m))
		}
	}
}

// key presses k and runs what it asks for.
func (d *driver) key(keys ...string) {
	for _, k := range keys {
		d.exec(typeKey(d.m, keyMsg(k)))
	}
}

// walkDone reports whether the last walk ended.
func (d *driver) walkDone() bool {
	return !d.m.walk.running && !d.m.walk.starting && d.m.walk.report != nil
}

// runWalk starts the model and waits for the walk to end.
func runWalk(t testing.TB, m *Model) *driver {
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(d.walkDone)
	return d
}

// volatile are the parts of a walk screen that change from run to run even on a fixed clock:
// the sandbox's port, timings, token lifetimes (Entra's are randomised, and so are the
// sandbox's), per-token random values, request IDs and signing keys. Goldens hold them masked.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`expires in \d+:\d\d`), "expires in MM:SS"},
	{regexp.MustCompile(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]`), "*"},
	{regexp.MustCompile(` *\d+\.\d+ (ms|s)\b`), " N ms"},
	// A length of time ("1h 15m", "4m 30s", "2d"), not a part of a GUID such as "-123d-".
	{regexp.MustCompile(`(^|[^\w-])\d+(?:y|mo|d|h|m|s)(?: \d+(?:mo|d|h|m|s)){0,2}([^\w-]|$)`), "${1}T${2}"},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`), "YYYY-MM-DD"},
	{regexp.MustCompile(`\b\d{2}:\d{2}:\d{2}(\b|Z)`), "hh:mm:ss"},
	{regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4}\b`), "DAY"},
	{regexp.MustCompile(`\b1[789]\d{8}\b`), "UNIXTIME"},
	{regexp.MustCompile(`(code\s+(?:\x1b\[[0-9;]*\x07)?)[A-Z0-9]{2,12}\b`), "${1}USERCODE"},
	{regexp.MustCompile(`(Also changed, as in every new token: (?:\x1b\[[0-9;]*\x07)*)[a-z_, ]+`), "${1}ROUTINE"},
	{regexp.MustCompile(`(?:[A-Z0-9] ){5,}[A-Z0-9]\b`), "U S E R C O D E"},
	{regexp.MustCompile(`\b(aio|rh|uti|jti|sid|kid|x5t|nonce)(\W+?)[A-Za-z0-9_\-\.]{8,}`), "${1}${2}RANDOM"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "GUID"},
	{regexp.MustCompile(`(Date: ).*GMT`), "${1}DATE"},
	{regexp.MustCompile(`eyJ[A-Za-z0-9_\-\.…]+`), "JWT"},
	{regexp.MustCompile(`\b\d+ chars\b`), "N chars"},
	{regexp.MustCompile(`("user_code"(?:\x1b\[[0-9;]*\x07)*:(?:\x1b\[[0-9;]*\x07)* (?:\x1b\[[0-9;]*\x07)*")[A-Z0-9]+`), "${1}USERCODE"},
	{regexp.MustCompile(`("(?:ext_)?expires_in"(?:\x1b\[[0-9;]*\x07)*:(?:\x1b\[[0-9;]*\x07)* (?:\x1b\[[0-9;]*\x07)*)\d+`), "${1}SECONDS"},
	{regexp.MustCompile(`[A-Za-z0-9_\-]{10,}…?`), "MIXED"},
}

// stableGUIDs are the sandbox directory's fixed IDs and Microsoft Graph's, kept in goldens.
var stableGUID = regexp.MustCompile(`^(0b05c0de|00000003)-`)

var (
	sgr       = regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	sgrMarked = regexp.MustCompile(`\x1b\[([0-9;]*)\x07`)
	padAfter  = regexp.MustCompile(`(T|hh:mm:ss|UNIXTIME|N ms|USERCODE|RANDOM|GUID|PORT)( {2,})`)
)

// normalize masks the volatile parts of a screen, collapses the padding after them (their
// widths vary) and trims the lines' right ends. SGR sequences end in BEL while it works, so
// word boundaries see the text and not the escape's final "m".
func normalize(view string) string {
	view = sgr.ReplaceAllString(view, "\x1b[${1}\x07")
	for _, v := range volatile {
		if v.with == "MIXED" {
			view = v.re.ReplaceAllStringFunc(view, func(w string) string {
				if strings.ContainsAny(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(w, "0123456789") {
					return "RANDOM"
				}
				return w
			})
			continue
		}
		if v.with == "GUID" {
			view = v.re.ReplaceAllStringFunc(view, func(g string) string {
				if stableGUID.MatchString(g) {
					return g
				}
				return "GUID"
			})
			continue
		}
		view = v.re.ReplaceAllString(view, v.with)
	}
	view = padAfter.ReplaceAllString(view, "$1 ")
	view = sgrMarked.ReplaceAllString(view, "\x1b[${1}m")
	lines := strings.Split(view, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// pinLifetimes gives every token of the walk the same lifetime. The sandbox, like Entra, picks
// a random 60–90 minutes, and "expires in 1h 5m" is narrower than "1h 25m": a line truncated
// after it would end at a different place on every run. Pinned, goldens hold the real text.
func pinLifetimes(m *Model) {
	exp := walkNow().Add(75 * time.Minute)
	for _, h := range m.walk.hops {
		for _, nt := range h.Tokens {
			if nt.Token == nil || nt.Token.ExpiresAt.IsZero() {
				continue
			}
			nt.Token.ExpiresAt = exp
			if _, ok := nt.Token.Claims["exp"]; ok {
				nt.Token.Claims["exp"] = float64(exp.Unix())
			}
		}
	}
	m.refresh()
}

// requireWalkGolden compares the normalised ASCII-profile view with the golden file.
func requireWalkGolden(t *testing.T, m *Model) {
	t.Helper()
	golden.RequireEqual(t, normalize(asciiView(m)))
}

func TestWalkScreens(t *testing.T) {
	type step struct {
		name string
		keys []string
		want []string
	}
	scenarios := []struct {
		scenario string
		steps    []step
	}{
		{"healthy", []step{
			{"overview", nil, []string{"The chain", "✓ 1 Sign-in", "aud Contoso Agent API", "aud Contoso MCP Server", "No error", "walk complete"}},
			{"obo_summary", []string{"down", "down", "enter"}, []string{"1 Summary", "On-Behalf-Of exchange", "OBO token"}},
			{"obo_claims", []string{"2"}, []string{"CLAIM", "aud", "0b05c0de-3c90-4000-8000-000000000004", "= Contoso MCP Server"}},
			{"obo_findings", []string{"3"}, []string{"No findings"}},
			{"obo_http", []string{"4", "down"}, []string{"REQUEST POST", "grant_type = urn:ietf:params:oauth:grant-type:jwt-bearer", "client_secret = [redacted]"}},
			{"obo_diff", []string{"5"}, []string{"user token (hop 1)", "aud", "Contoso Agent API (", "Contoso MCP Server (", "pairwise"}},
			{"obo_raw", []string{"6"}, []string{"HEADER", "PAYLOAD", `"aud": "0b05c0de-3c90-4000-8000-000000000004"`}},
			{"downstream_summary", []string{"]", "]", "1"}, []string{"token.graph-token", "Microsoft Graph"}},
			{"help", []string{"?"}, []string{"Keys", "scenarios", "re-run hop", "export Markdown"}},
			{"picker", []string{"esc", "esc", "g", "s"}, []string{"Sandbox scenarios", "● healthy", "wrong-audience", "must raise"}},
		}},
		{"wrong-audience", []step{
			{"overview", nil, []string{"First error", "agent.aud-mismatch", "✗ 2 Agent call", "aud Microsoft Graph"}},
			{"agent_findings", []string{"enter", "3"}, []string{"agent.aud-mismatch", "Fix:"}},
			{"agent_explain", []string{"enter"}, []string{"Explain", "What it means", "Observed at hop agent"}},
			{"obo_findings", []string{"esc", "]", "3"}, []string{"obo.assertion-aud-mismatch", "AADSTS50013"}},
		}},
	}
	for _, sc := range scenarios {
		for _, sz := range sizes {
			m := sandboxModel(t, sc.scenario, sz.w, sz.h)
			d := runWalk(t, m)
			pinLifetimes(m)
			for _, st := range sc.steps {
				t.Run(fmt.Sprintf("%s/%s_%dx%d", sc.scenario, st.name, sz.w, sz.h), func(t *testing.T) {
					d.key(st.keys...)
					view := screen(m)
					checkFrame(t, view, sz.w, sz.h)
					mustContain(t, view, st.want...)
					requireWalkGolden(t, m)
				})
			}
		}
	}
}

func TestWalkMouse(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	runWalk(t, m)
	// A click on the third hop's row selects it; a second click opens it.
	y := 1 + railTop + 2*2
	m.Update(tea.MouseClickMsg{X: 10, Y: y, Button: tea.MouseLeft})
	if m.overview.list.cursor != 2 || m.screen != screenOverview {
		t.Fatalf("first click: cursor %d screen %d", m.overview.list.cursor, m.screen)
	}
	m.Update(tea.MouseClickMsg{X: 10, Y: y, Button: tea.MouseLeft})
	if m.screen != screenHop || m.hop.hop != 2 {
		t.Fatalf("second click: screen %d hop %d", m.screen, m.hop.hop)
	}
	screen(m) // lays out the tab and hop spans
	tab := tabSpanOf(m.hop.tabBar, "HTTP")
	m.Update(tea.MouseClickMsg{X: tab.from + 1, Y: 1 + 1, Button: tea.MouseLeft})
	if m.hop.activeTab() != "HTTP" {
		t.Fatalf("click on the HTTP tab: tab %s", m.hop.activeTab())
	}
	hop := m.hop.hopSpans[0]
	m.Update(tea.MouseClickMsg{X: hop.from + 2, Y: 1, Button: tea.MouseLeft})
	if m.hop.hop != 0 || m.hop.activeTab() != "HTTP" {
		t.Fatalf("click on the first hop in the strip: hop %d tab %s", m.hop.hop, m.hop.activeTab())
	}
	http := tabOf[*httpPane](m.hop.tabBar)
	cur := http.list.cursor
	m.Update(tea.MouseWheelMsg{X: 10, Y: 1 + hopPaneTop + 1, Button: tea.MouseWheelDown})
	if http.list.cursor == cur && cur < len(http.exchanges)-1 {
		t.Fatal("the wheel over the list does not move through the exchanges")
	}
	m.Update(tea.MouseWheelMsg{X: 10, Y: 30, Button: tea.MouseWheelDown})
	if http.detail.offset == 0 && len(http.detail.lines) > http.detail.height+3 {
		t.Fatal("the wheel over the detail does not scroll it")
	}
	m.Update(keyMsg("esc"))
	typeKey(m, keyMsg("x"))
	if m.overlay != overlayExplain {
		t.Fatal("x on the overview does not explain the first error")
	}
	mustContain(t, screen(m), "Explain", "agent.aud-mismatch")
	m.Update(tea.MouseClickMsg{X: 1, Y: 1, Button: tea.MouseLeft})
	if m.overlay != overlayNone {
		t.Fatal("a click outside does not close the overlay")
	}
}

// TestLiveMode walks a config the way `oboscope --config FILE` does: no sandbox is started by
// the interface; the config points at a tenant (here a sandbox the test runs, as
// `oboscope sandbox --write-config` would).
func TestLiveMode(t *testing.T) {
	s, err := sandbox.Start(context.Background(), sandbox.Options{Scenario: "healthy", AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg := s.Config("")
	m := newTestModel(t, modelConfig{mode: "live", ctx: context.Background(), cfg: cfg, now: walkNow}, 120, 36)
	t.Cleanup(m.shutdown)
	runWalk(t, m)
	view := screen(m)
	mustContain(t, view, "live tenant "+cfg.TenantID, "walk complete", "✓ 5 Downstream OBO")
	press(m, "s")
	mustContain(t, screen(m), "Scenarios need the sandbox")
	if m.exitCode() != 0 {
		t.Fatalf("exit code %d on a healthy live walk", m.exitCode())
	}
}

// TestKeysAnswerWhileWalking shows that the interface answers while a hop is running: the walk
// runs in commands, never in Update.
func TestKeysAnswerWhileWalking(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := newDriver(t, m)
	d.exec(m.Init())
	d.until(func() bool { return m.walk.hops[0].Status == flows.StatusRunning })
	d.key("?")
	mustContain(t, screen(m), "Keys")
	d.key("esc", "down", "enter")
	if m.screen != screenHop || m.hop.hop != 1 {
		t.Fatalf("enter during the walk: screen %d hop %d", m.screen, m.hop.hop)
	}
	d.until(d.walkDone)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	checkFrame(t, screen(m), 80, 24)
}

// TestStartFailure shows what the sandbox's own error looks like when it cannot start: the
// sandbox refuses an address that is not loopback.
func TestStartFailure(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			start := func(ctx context.Context, scenario string) (flows.Config, func(), error) {
				s, err := sandbox.Start(ctx, sandbox.Options{Addr: "192.0.2.1:443", Scenario: scenario})
				if err != nil {
					return flows.Config{}, nil, err
				}
				return s.Config(""), func() { _ = s.Close() }, nil
			}
			m := newTestModel(t, modelConfig{mode: "sandbox", ctx: context.Background(), scenario: "healthy", startSandbox: start, now: walkNow}, sz.w, sz.h)
			d := newDriver(t, m)
			d.exec(m.Init())
			d.until(func() bool { return m.walk.err != "" })
			view := screen(m)
			mustContain(t, view, "Could not run the walk", "loopback", "could not run the walk")
			checkFrame(t, view, sz.w, sz.h)
			requireWalkGolden(t, m)
			if got := m.exitCode(); got != 2 {
				t.Fatalf("exit code %d, want 2 (could not run)", got)
			}
		})
	}
}
