package flows_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestMCPExchangeLabels: an MCP session's requests are named by their JSON-RPC method
// (server/discover is not "MCP initialize"); probes and metadata keep their own names.
func TestMCPExchangeLabels(t *testing.T) {
	tests := []struct {
		scenario, hop string
		want          []string
	}{
		{"healthy", "mcp", []string{
			"POST 401 unauthenticated probe", "GET 200 protected resource metadata", "GET 200 authorization server metadata",
			"POST 200 MCP server/discover", "POST 200 MCP tools/list", "POST 200 MCP tools/call whoami",
			"POST 401 passthrough probe (user token, must be rejected)"}},
		{"healthy", "downstream", []string{"POST 200 MCP server/discover", "POST 200 MCP tools/call graph_me"}},
		{"passthrough", "mcp", []string{
			"POST 401 unauthenticated probe", "GET 200 protected resource metadata", "GET 200 authorization server metadata",
			"POST 401 MCP server/discover", "POST 401 MCP initialize"}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.hop, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			s, err := sandbox.Start(ctx, sandbox.Options{Scenario: tt.scenario, AutoApprove: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			w := flows.NewWalk(s.Config(""), flows.WalkOptions{HTTPClient: s.HTTPClient(), Mode: "sandbox", Scenario: tt.scenario, AutoApproved: true})
			defer w.Close()
			collect(w.Run(ctx))
			var got []string
			for _, h := range w.Report().Hops {
				if string(h.ID) == tt.hop {
					for _, x := range h.Exchanges {
						got = append(got, x.Method+" "+strconv.Itoa(x.Status)+" "+x.Label)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("exchanges\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
