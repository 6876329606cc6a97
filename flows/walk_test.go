package flows_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
)

func startSandbox(t testing.TB, scenario string) *sandbox.Sandbox {
	t.Helper()
	s, err := sandbox.Start(context.Background(), sandbox.Options{Scenario: scenario, AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func collect(ch <-chan flows.Event) []flows.Event {
	var evs []flows.Event
	for ev := range ch {
		evs = append(evs, ev)
	}
	return evs
}

func TestWalkEvents(t *testing.T) {
	s := startSandbox(t, "healthy")
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	evs := collect(w.Run(context.Background()))
	last := evs[len(evs)-1]
	if last.Kind != flows.EventWalkDone || last.Report == nil || len(last.Report.Hops) != 5 {
		t.Fatalf("last event %+v", last)
	}
	// Per hop: started first, finished last, in walk order; one device code on signin.
	var order []flows.HopID
	started := map[flows.HopID]bool{}
	deviceCodes, exchanges, tokens := 0, 0, 0
	for _, ev := range evs[:len(evs)-1] {
		switch ev.Kind {
		case flows.EventHopStarted:
			started[ev.Hop] = true
			order = append(order, ev.Hop)
		case flows.EventHopFinished:
			if !started[ev.Hop] || ev.Result == nil || ev.Result.Status == flows.StatusRunning {
				t.Fatalf("hop %s finished badly: %+v", ev.Hop, ev.Result)
			}
		case flows.EventDeviceCode:
			deviceCodes++
			u, err := url.Parse(ev.DeviceCode.VerificationURL)
			if ev.Hop != flows.HopSignin || ev.DeviceCode.UserCode == "" || err != nil || u.Host == "" || !ev.DeviceCode.AutoApproved {
				t.Fatalf("device code event %+v", ev.DeviceCode)
			}
		case flows.EventExchange:
			exchanges++
			if ev.Exchange.Method == "" || ev.Exchange.URL == "" {
				t.Fatalf("exchange %+v", ev.Exchange)
			}
		case flows.EventToken:
			tokens++
		}
	}
	if strings.Join(hopStrings(order), ",") != "signin,agent,obo,mcp,downstream" {
		t.Fatalf("order %v", order)
	}
	if deviceCodes != 1 || exchanges < 10 || tokens < 4 {
		t.Fatalf("device codes %d, exchanges %d, tokens %d", deviceCodes, exchanges, tokens)
	}
	rep := w.Report()
	for _, h := range rep.Hops {
		if h.Status != flows.StatusOK && !(h.ID == flows.HopDownstream && h.Status == flows.StatusOK) {
			t.Fatalf("healthy hop %s: %s %s", h.ID, h.Status, h.Err)
		}
		if h.Story == "" {
			t.Fatalf("hop %s has no story", h.ID)
		}
	}
	wantStory := "alice@contoso.example signed in to " + valueOr(s.Config("").Signin.DisplayName, "the client app") + "; token for " + valueOr(s.Config("").Agent.DisplayName, "the agent API")
	if !strings.HasPrefix(rep.Hops[0].Story, wantStory) || !strings.Contains(rep.Hops[0].Story, "scp access_as_user") {
		t.Fatalf("signin story %q", rep.Hops[0].Story)
	}
	if !rep.Hops[0].Tokens[0].Verified || !rep.Hops[2].Tokens[0].Verified {
		t.Fatalf("the user token and the OBO token must be verified against the JWKS")
	}
}

func hopStrings(ids []flows.HopID) []string {
	var out []string
	for _, id := range ids {
		out = append(out, string(id))
	}
	return out
}

func TestWalkCancel(t *testing.T) {
	s := startSandbox(t, "healthy")
	before := runtime.NumGoroutine()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
		ch := w.Run(ctx)
		// Cancel as soon as the first hop starts, then stop reading: the walk must still end.
		<-ch
		cancel()
		deadline := time.After(10 * time.Second)
	drain:
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					break drain
				}
			case <-deadline:
				t.Fatal("the channel was not closed after cancel")
			}
		}
		rep := w.Report()
		if rep.Hops[4].Status == flows.StatusOK {
			t.Fatalf("downstream ran after cancel")
		}
		w.Close()
	}
	// An abandoned reader: cancel without draining — the walk goroutine must still exit.
	ctx, cancel := context.WithCancel(context.Background())
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	w.Run(ctx)
	time.Sleep(50 * time.Millisecond)
	cancel()
	var after int
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		w.Close()
		after = runtime.NumGoroutine()
		if after <= before+2 {
			return
		}
	}
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	t.Fatalf("goroutines: %d before, %d after\n%s", before, after, buf[:n])
}

func TestRunHopAndRetryWithClaims(t *testing.T) {
	s := startSandbox(t, "mfa-required")
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	collect(w.Run(context.Background()))
	rep := w.Report()
	if rep.Hops[2].Status != flows.StatusWarning && rep.Hops[2].Status != flows.StatusFailed {
		t.Fatalf("obo on mfa-required: %s", rep.Hops[2].Status)
	}
	if w.ClaimsChallenge() == "" {
		t.Fatal("no claims challenge kept for a re-sign-in")
	}
	// Re-running one hop uses the earlier hops' outputs and changes nothing else.
	evs := collect(w.RunHop(context.Background(), flows.HopOBO))
	for _, ev := range evs {
		if ev.Kind == flows.EventHopStarted && ev.Hop != flows.HopOBO {
			t.Fatalf("RunHop ran %s", ev.Hop)
		}
	}
	if w.ClaimsChallenge() == "" {
		t.Fatal("the re-run OBO hop lost the claims challenge")
	}
	// Signing in again with the claims satisfies the policy: the exchange now succeeds.
	collect(w.RetryWithClaims(context.Background()))
	rep = w.Report()
	if rep.Hops[2].Status != flows.StatusOK {
		t.Fatalf("after RetryWithClaims the obo hop is %s: %s %v", rep.Hops[2].Status, rep.Hops[2].Err, rep.Hops[2].Findings)
	}
	if rep.Hops[3].Status != flows.StatusOK {
		t.Fatalf("after RetryWithClaims the mcp hop is %s: %s", rep.Hops[3].Status, rep.Hops[3].Err)
	}
}

func TestReportFormats(t *testing.T) {
	s := startSandbox(t, "wrong-audience")
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{Mode: "sandbox", Scenario: "wrong-audience", AutoApproved: true})
	collect(w.Run(context.Background()))
	rep := w.Report()
	var md, txt, js bytes.Buffer
	for f, b := range map[string]*bytes.Buffer{"markdown": &md, "text": &txt, "json": &js} {
		if err := report.Write(b, rep, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"# oboscope report", "| 2 | agent | failed |", "`agent.aud-mismatch`", "Fix: ", "(signature removed)", "### HTTP exchanges", "```json"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	for _, want := range []string{"oboscope check — sandbox, scenario wrong-audience", "agent.aud-mismatch", "fix: ", "summary: "} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(txt.String(), "\x1b[") {
		t.Error("plain text report carries ANSI codes")
	}
	for _, want := range []string{`"raw_redacted": "eyJ`, `"duration_ms":`, `"summary": {`, `"id": "obo.assertion-aud-mismatch"`, `"aadsts": 50013`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("json lacks %q", want)
		}
	}
	if err := report.Write(&bytes.Buffer{}, rep, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestOBOWithCertificate(t *testing.T) {
	s := startSandbox(t, "healthy")
	pemData, err := s.AgentCertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := s.Config("")
	cfg.OBO.Mode, cfg.OBO.ClientSecret = "certificate", ""
	cfg.OBO.CertificateFile = writeFile(t, dir, "agent.pem", string(pemData))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	defer w.Close()
	collect(w.Run(context.Background()))
	rep := w.Report()
	obo := rep.Hops[2]
	if obo.Status != flows.StatusOK || len(obo.Tokens) == 0 {
		t.Fatalf("certificate OBO: %s %s %v", obo.Status, obo.Err, obo.Findings)
	}
	var sent string
	for _, x := range obo.Exchanges {
		if strings.Contains(x.RequestBody, "jwt-bearer") {
			sent = x.RequestBody
		}
	}
	if !strings.Contains(sent, "client_assertion=%5Bredacted%5D") || !strings.Contains(sent, "requested_token_use=on_behalf_of") || strings.Contains(sent, "client_secret") {
		t.Fatalf("the OBO form as recorded: %s", sent)
	}
}

// formPost plays the browser for MSAL's interactive sign-in: it opens the authorize URL and
// submits the sandbox's auto-posting form to MSAL's loopback listener.
func formPost(client *http.Client) func(string) error {
	input := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	action := regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	return func(u string) error {
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a := action.FindSubmatch(body)
		if a == nil {
			return fmt.Errorf("no form in the authorize answer (%d): %.200s", resp.StatusCode, body)
		}
		form := url.Values{}
		for _, m := range input.FindAllSubmatch(body, -1) {
			form.Set(html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
		}
		go func() {
			r, err := http.PostForm(html.UnescapeString(string(a[1])), form)
			if err == nil {
				r.Body.Close()
			}
		}()
		return nil
	}
}

func TestBrowserSignin(t *testing.T) {
	s := startSandbox(t, "healthy")
	cfg := s.Config("")
	cfg.Signin.Flow = "browser"
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", OpenURL: formPost(s.HTTPClient())})
	defer w.Close()
	collect(w.RunHop(context.Background(), flows.HopSignin))
	rep := w.Report()
	in := rep.Hops[0]
	if in.Status != flows.StatusOK || len(in.Tokens) != 1 || !strings.Contains(in.Story, "alice@contoso.example signed in") {
		t.Fatalf("browser sign-in: %s %q %q", in.Status, in.Err, in.Story)
	}
	var pkce bool
	for _, x := range in.Exchanges {
		if strings.Contains(x.RequestBody, "grant_type=authorization_code") && strings.Contains(x.RequestBody, "code_verifier=%5Bredacted%5D") {
			pkce = true
		}
	}
	if !pkce {
		t.Fatalf("no authorization_code + PKCE exchange recorded (redacted)")
	}
}

func TestAgentClaimsChallengeRetry(t *testing.T) {
	s := startSandbox(t, "mfa-required")
	cfg := s.Config("")
	cfg.OBO = flows.OBOConfig{Mode: "none"}
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	defer w.Close()
	collect(w.Run(context.Background()))
	if a := w.Report().Hops[1]; a.Status != flows.StatusWarning || len(a.Findings) != 0 || !strings.Contains(a.Story, "claims challenge") {
		t.Fatalf("agent hop %s %v %q, want a warning story about the relayed claims challenge and no finding", a.Status, a.Findings, a.Story)
	}
	if w.ClaimsChallenge() == "" {
		t.Fatal("the agent's claims challenge was not kept")
	}
	collect(w.RetryWithClaims(context.Background()))
	if a := w.Report().Hops[1]; a.Status != flows.StatusOK {
		t.Fatalf("after the re-sign-in with the agent's claims the agent hop is %s: %s", a.Status, a.Err)
	}
}

func valueOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestGroupsOverageOnce: the user's group overage is reported at the hop that first saw it
// (signin), not again for the OBO token of the same user.
func TestGroupsOverageOnce(t *testing.T) {
	rep, _, _ := sandboxCheck(t, "groups-overage", sandbox.Options{})
	if got := rep.placedFindings(); !slices.Contains(got, "signin:token.groups-overage") {
		t.Fatalf("no signin:token.groups-overage in %v", got)
	}
	n := 0
	for _, f := range rep.findings() {
		if f.ID == "token.groups-overage" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("token.groups-overage reported %d times: %v", n, rep.placedFindings())
	}
}
