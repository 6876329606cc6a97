package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// testNow is the fixed clock of every UI test, so relative times and goldens are stable.
var testNow = time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// walkStart is when this test binary started, to the second. Walks on the sandbox run on a
// clock frozen there rather than on testNow: parts of the chain (MSAL, the MCP SDK) read the
// real clock, so the sandbox's clock must stay close to it. Goldens mask dates and times.
var walkStart = time.Now().UTC().Truncate(time.Second)

func walkNow() time.Time { return walkStart }

// walkZone is the time zone of walk screens in tests: walkStart is 06:00 there, so every time of a
// walk (tokens live 60–90 minutes) falls on the same day, and whether the Claims tab shows dates
// (needsDate) does not depend on the hour the tests run.
var walkZone = time.FixedZone("WALK", int((6*time.Hour - walkStart.Sub(walkStart.Truncate(24*time.Hour))).Seconds()))

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// signToken signs claims with a test RSA key as an Entra-shaped JWS.
func signToken(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "test-kid-1"
	raw, err := tok.SignedString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testAgent  = "6f1c2a9e-1d9b-4c53-9a57-0b0e5a7e3a11"
	testClient = "04b07795-8ddb-461a-bbee-02f9e1bf7b46" // Azure CLI: a well-known app
)

// userToken is a v2 delegated access token for the agent API, issued at testNow-6m.
func userToken(t testing.TB, extra jwt.MapClaims) string {
	c := jwt.MapClaims{
		"aud":                testAgent,
		"iss":                "https://login.microsoftonline.com/" + testTenant + "/v2.0",
		"iat":                testNow.Add(-6 * time.Minute).Unix(),
		"nbf":                testNow.Add(-6 * time.Minute).Unix(),
		"exp":                testNow.Add(54 * time.Minute).Unix(),
		"azp":                testClient,
		"azpacr":             "0",
		"idtyp":              "user",
		"name":               "Alice Example",
		"oid":                "1a2b3c4d-0000-4000-8000-00000000a11c",
		"preferred_username": "alice@contoso.example",
		"scp":                "access_as_user",
		"sub":                "pairwise-sub-for-agent",
		"tid":                testTenant,
		"ver":                "2.0",
	}
	for k, v := range extra {
		c[k] = v
	}
	return signToken(t, c)
}

// groupsToken carries 250 group IDs: the heaviest Claims tab.
func groupsToken(t testing.TB) string {
	groups := make([]any, 250)
	for i := range groups {
		groups[i] = fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i*7919)
	}
	return userToken(t, jwt.MapClaims{"groups": groups})
}

// newTestModel builds a model on the fixed clock and sizes it.
func newTestModel(t testing.TB, mc modelConfig, w, h int) *Model {
	t.Helper()
	if mc.now == nil {
		mc.now = fixedNow
	}
	if mc.loc == nil {
		mc.loc = time.UTC
	}
	mc.isDark = true
	m := newModel(mc)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// tabOf returns the tab of type T of a screen's tab bar, for tests that look inside it.
func tabOf[T tabComponent](b tabBar) T {
	for _, tc := range b.tabs {
		if t, ok := tc.(T); ok {
			return t
		}
	}
	panic("no such tab")
}

// tabSpanOf is where the tab named name sat on the last tab line drawn.
func tabSpanOf(b tabBar, name string) tabSpan {
	for i, tc := range b.tabs {
		if tc.TabName() == name {
			return b.spans[i]
		}
	}
	panic("no tab " + name)
}

// keyMsg turns a key name as bubbletea prints it into a key press.
func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"pgdown":    {Code: tea.KeyPgDown},
		"pgup":      {Code: tea.KeyPgUp},
		"backspace": {Code: tea.KeyBackspace},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"space":     {Code: tea.KeySpace, Text: " "},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	}
	if m, ok := special[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press feeds keys to the model, running the commands that come back synchronously when they
// are plain messages (not ticks or I/O).
func press(m *Model, keys ...string) {
	for _, k := range keys {
		runQuick(m, typeKey(m, keyMsg(k)))
	}
}

// typeKey feeds one key as a person types it: a printable key that waits to see whether a
// paste follows acts after the pause, here at once. It returns the key's command.
func typeKey(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	_, cmd := m.Update(msg)
	if len(m.burst.keys) > 0 {
		_, cmd = m.Update(burstMsg{seq: m.burst.seq})
	}
	return cmd
}

// runQuick executes commands that finish at once (scenario choice, …); ticks are dropped.
func runQuick(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				runQuick(m, c)
			}
		case scenarioChosenMsg:
			m.Update(msg)
		}
	case <-time.After(50 * time.Millisecond):
	}
}

// screen returns the view without styles.
func screen(m *Model) string { return ansi.Strip(m.render()) }

// asciiView renders the view through the ASCII colour profile: styles (bold, reverse, underline)
// stay, colours go — what NO_COLOR shows, and what the golden files hold.
func asciiView(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	_, _ = w.WriteString(m.render())
	return buf.String()
}

// requireGolden compares the ASCII-profile view with testdata/<test name>.golden.
func requireGolden(t *testing.T, m *Model) {
	t.Helper()
	golden.RequireEqual(t, asciiView(m))
}

// mustContain fails unless every part is on screen.
func mustContain(t *testing.T, view string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(view, p) {
			t.Fatalf("screen lacks %q:\n%s", p, view)
		}
	}
}

// lineWidths fails when a line of the view is wider than w or the view has more than h lines.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Fatalf("line %d is %d cells wide (max %d): %q", i, got, w, l)
		}
	}
}

// sandboxScenarios lists the sandbox's scenarios for the picker, as main hands them over.
func sandboxScenarios() []scenarioInfo {
	var out []scenarioInfo
	for _, sc := range sandbox.Scenarios() {
		out = append(out, scenarioInfo{Name: sc.Name, Change: sc.Change, Expect: sc.Expect})
	}
	return out
}
