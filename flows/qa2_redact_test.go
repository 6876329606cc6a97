package flows_test

import (
	"context"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestTokenResponseSummarised (QA2 #24): a token endpoint's answer records its tokens as a
// one-line summary, like a request's assertion — never lines of base64; refresh tokens say only
// <redacted>.
func TestTokenResponseSummarised(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	at := b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64([]byte(`{"aud":"api://contoso-mcp","scp":"tools.call tools.list","ver":"2.0"}`)) + ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	app := b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte(`{"aud":"api://contoso-agent","roles":["Agent.Invoke"]}`)) + ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	body := `{"token_type":"Bearer","access_token":"` + at + `","id_token":"` + app + `","refresh_token":"0.AAAArefreshrefresh","expires_in":3599}`
	got := flows.RedactBody("application/json; charset=utf-8", []byte(body), nil)
	strippedAT := len(flows.StripSignature(at))
	strippedApp := len(flows.StripSignature(app))
	want := `{"access_token":"<JWT, ` + strconv.Itoa(strippedAT) + ` chars · aud api://contoso-mcp · scp tools.call tools.list · signature removed>","expires_in":3599,` +
		`"id_token":"<JWT, ` + strconv.Itoa(strippedApp) + ` chars · aud api://contoso-agent · roles Agent.Invoke · signature removed>",` +
		`"refresh_token":"<redacted>","token_type":"Bearer"}`
	if got != want {
		t.Fatalf("redacted token response\n got %s\nwant %s", got, want)
	}
	if s := flows.SummariseToken("EwBopaqueMSAtoken"); s != "<opaque token, 17 chars · redacted>" {
		t.Errorf("opaque token summary %q", s)
	}

	// The walk records the OBO exchange's answer that way.
	rep := sandboxWalkReport(t, "healthy")
	var resp string
	for _, x := range rep.Hops[2].Exchanges {
		if x.Status == 200 && strings.Contains(x.ResponseBody, "access_token") {
			resp = x.ResponseBody
		}
	}
	if !regexp.MustCompile(`"access_token":"<JWT, \d+ chars · aud [^"]+ · scp tools\.call · signature removed>"`).MatchString(resp) {
		t.Errorf("obo token response not summarised: %s", resp)
	}
	if regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.`).MatchString(resp) || !strings.Contains(resp, `"refresh_token":"<redacted>"`) {
		t.Errorf("obo token response still holds token text: %s", resp)
	}
}

// sandboxWalkReport runs a whole sandbox walk and returns its report.
func sandboxWalkReport(t *testing.T, scenario string) flows.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{HTTPClient: s.HTTPClient(), Mode: "sandbox", Scenario: scenario, AutoApproved: true})
	defer w.Close()
	collect(w.Run(ctx))
	return w.Report()
}
