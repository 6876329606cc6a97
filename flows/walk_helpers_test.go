package flows_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// sandboxWalkReport runs a whole sandbox walk and returns its report.
func sandboxWalkReport(t *testing.T, scenario string) flows.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := startSandbox(t, scenario)
	w := flows.NewWalk(s.Config(""), flows.WalkOptions{HTTPClient: s.HTTPClient(), Mode: "sandbox", Scenario: scenario, AutoApproved: true})
	defer w.Close()
	collect(w.Run(ctx))
	return w.Report()
}

// loopbackPort hides the sandbox's random port so that messages can be compared exactly.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// sandboxFormats runs one sandbox walk per report format and returns each report (stdout and
// stderr) with the port hidden.
func sandboxFormats(t *testing.T, scenario string, formats ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := startSandbox(t, scenario)
	out := map[string]string{}
	for _, f := range formats {
		var o, e strings.Builder
		report.RunCheck(ctx, s.Config(""), report.CheckOptions{Mode: "sandbox", Scenario: scenario, Format: f}, &o, &e)
		out[f] = loopbackPort.ReplaceAllString(o.String(), "HOST") + loopbackPort.ReplaceAllString(e.String(), "HOST")
	}
	return out
}

// tokenNames returns each hop's token names, "hop: name, name".
func tokenNames(rep flows.Report) []string {
	var out []string
	for _, h := range rep.Hops {
		var names []string
		for _, tk := range h.Tokens {
			names = append(names, tk.Name)
		}
		out = append(out, string(h.ID)+": "+strings.Join(names, ", "))
	}
	return out
}

// slowCloseSSE wraps a stateless streamable handler (it answers text/event-stream) and keeps each
// POST's body open for a while after the JSON-RPC answer was flushed, as a proxy or a slow server
// may: the SDK has its answer long before the body reaches EOF.
func slowCloseSSE(inner http.Handler, hold time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		if r.Method == http.MethodPost {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			time.Sleep(hold)
		}
	})
}

func whoamiServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "third-party", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "says hello"}, func(ctx context.Context, req *mcp.CallToolRequest, in map[string]any) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Hello: "anyone"}, nil
	})
	return server
}

// sandboxText runs `check --sandbox --scenario S` in-process and returns the text report.
func sandboxText(t *testing.T, scenario string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := sandbox.Start(ctx, sandbox.Options{Scenario: scenario, AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb strings.Builder
	report.RunCheck(ctx, s.Config(""), report.CheckOptions{Mode: "sandbox", Scenario: scenario, Format: "text"}, &out, &errb)
	return out.String() + errb.String()
}
