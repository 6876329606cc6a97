package flows_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestBrowserWithoutOpener: when no browser opens, the authorize URL is shown (as a device
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

// TestAuthorityHostAlias: authority_host https://localhost:PORT for a sandbox whose issuer
// says 127.0.0.1 — MSAL refuses the metadata; the sign-in error names both hosts and the fix.
func TestAuthorityHostAlias(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config("")
	cfg.AuthorityHost = strings.Replace(cfg.AuthorityHost, "127.0.0.1", "localhost", 1)
	issuerHost := strings.TrimPrefix(s.BaseURL(), "https://")
	w := flows.NewWalk(cfg, flows.WalkOptions{Mode: "sandbox", AutoApproved: true})
	defer w.Close()
	collect(w.RunHop(ctx, flows.HopSignin))
	got := w.Report().Hops[0].Err
	want := "signin: the authority's metadata names issuer host " + issuerHost + " but authority_host is " + cfg.AuthorityHost + ": use authority_host " + s.BaseURL()
	if got != want {
		t.Fatalf("signin error\n got %q\nwant %q", got, want)
	}
}

// TestTokenFileSentAsDecoded: a token file holding the token in quotes, wrapped, or behind
// "Authorization: Bearer " is sent to the agent exactly as decoded, not as the file's text.
func TestTokenFileSentAsDecoded(t *testing.T) {
	tok := fakeJWT(t, nil)
	got := make(chan string, 4)
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized) // the agent hop's probe without a token
			return
		}
		got <- r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"ok"}`))
	}))
	defer srv.Close()
	for _, content := range []string{`"` + tok + `"`, tok[:40] + "\n" + tok[40:], "Authorization: Bearer " + tok} {
		cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
		cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.txt", content)
		w := flows.NewWalk(cfg, flows.WalkOptions{})
		collect(w.RunHop(context.Background(), flows.HopSignin))
		collect(w.RunHop(context.Background(), flows.HopAgent))
		w.Close()
		if h := <-got; h != "Bearer "+tok {
			t.Fatalf("file %q: agent got %q", content, h)
		}
	}
}
