package flows_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// TestCancelSaysItOnce (W20): a cancelled walk says "cancelled" at the hop that was running; the
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

// TestStoryNames (W19, W21): stories name apps by their display names — the app-only client, and
// the agent blueprint when it is the agent API itself.
func TestStoryNames(t *testing.T) {
	if out := sandboxText(t, "app-only-token"); !strings.Contains(out, "Contoso Chat Client obtained an app-only token") {
		t.Errorf("app-only-token:\n%s", out)
	}
	out := sandboxText(t, "agent-identity")
	if !strings.Contains(out, "signed in to Contoso Chat Client; token for Contoso Agent Blueprint") {
		t.Errorf("agent-identity:\n%s", out)
	}
	// W21: the obo story says the exchanged token is an Agent ID token, and whose.
	if !strings.Contains(out, "an Agent ID token (xms_par_app_azp Contoso Agent Blueprint)") {
		t.Errorf("agent-identity obo story does not name the Agent ID token:\n%s", out)
	}
}

// TestBrowserWithoutOpener (W22): when no browser opens, the authorize URL is shown (as a device
// code event that `check` prints) and the sign-in still completes once someone opens it.
func TestBrowserWithoutOpener(t *testing.T) {
	s := startSandbox(t, "healthy")
	cfg := s.Config("")
	cfg.Signin.Flow = "browser"
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", OpenURL: func(string) error {
		return errors.New(`exec: "xdg-open": executable file not found in $PATH`)
	}})
	defer w.Close()
	post := formPost(s.HTTPClient())
	shown := ""
	for ev := range w.RunHop(context.Background(), flows.HopSignin) {
		if ev.Kind == flows.EventDeviceCode {
			shown = ev.DeviceCode.Message
			if err := post(ev.DeviceCode.VerificationURL); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.HasPrefix(shown, `signin: could not open a browser (exec: "xdg-open": executable file not found in $PATH); open this URL yourself: https://`) {
		t.Fatalf("message %q", shown)
	}
	if in := w.Report().Hops[0]; in.Status != flows.StatusOK || len(in.Tokens) != 1 {
		t.Fatalf("sign-in: %s %q", in.Status, in.Err)
	}
}

// TestMarkdownInert (W18): server text in the Markdown report cannot inject HTML or markup.
func TestMarkdownInert(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"col1 | col2 <img src=x onerror=alert(1)> ` + "`tick`" + ` **bold** [l](http://x)"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	var out, errb strings.Builder
	report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: "markdown"}, &out, &errb)
	md := out.String()
	for _, bad := range []string{"<img", "**bold**", "`tick`", "[l](http"} {
		if strings.Contains(md, bad) {
			t.Fatalf("markdown carries %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "&lt;img src=x onerror=alert(1)&gt; \\`tick\\` \\*\\*bold\\*\\* \\[l\\](http://x)") {
		t.Fatalf("reply not shown escaped:\n%s", md)
	}
}
