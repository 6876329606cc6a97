package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// consentingStderr plays the person at the terminal of `check --wait-consent`: when the consent
// link is printed, it consents on the sandbox's page and presses Enter.
type consentingStderr struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	s     *sandbox.Sandbox
	enter *io.PipeWriter
	done  bool
}

var consentLinkRE = regexp.MustCompile(`https://\S+/foundry/consent\?id=(oauthreq_\S+)`)

func (c *consentingStderr) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if m := consentLinkRE.FindStringSubmatch(c.buf.String()); m != nil && !c.done && strings.Contains(c.buf.String(), "press Enter") {
		c.done = true
		go func() {
			resp, err := c.s.HTTPClient().PostForm(c.s.BaseURL()+"/foundry/consent", url.Values{"id": {m[1]}})
			if err == nil {
				resp.Body.Close()
			}
			c.enter.Write([]byte("\n"))
		}()
	}
	return len(p), nil
}

// TestCheckWaitsForConsent: with --wait-consent, check prints the consent link, waits for the
// person, asks Foundry again and reports the tool call made with the user's token.
func TestCheckWaitsForConsent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: "foundry-passthrough", AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, enter := io.Pipe()
	defer enter.Close()
	stderr := &consentingStderr{s: s, enter: enter}
	var out bytes.Buffer
	code := report.RunCheck(ctx, s.Config(""), report.CheckOptions{Mode: "sandbox", Scenario: "foundry-passthrough", Format: "json", Stdin: in, WaitConsent: true}, &out, stderr)
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if code != 0 || len(rep.findingIDs()) != 0 {
		t.Fatalf("exit %d, findings %v; stderr %s", code, rep.findingIDs(), stderr.buf.String())
	}
	if !strings.Contains(stderr.buf.String(), "asks your consent for contoso-mcp: open https://") {
		t.Errorf("stderr %q", stderr.buf.String())
	}
	var calls int
	for _, x := range rep.Hops[1].Exchanges {
		if x.Method == http.MethodPost && strings.HasSuffix(x.URL, "/openai/v1/responses") {
			calls++
		}
	}
	if calls != 2 || rep.Hops[2].Status != "ok" {
		t.Errorf("%d Responses API calls, obo hop %s", calls, rep.Hops[2].Status)
	}
}
