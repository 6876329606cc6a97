package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestLoadConcurrentFlows runs full flows — MSAL device code sign-in, the agent API (its own OBO
// and MCP call), the walk-side OBO with MSAL and an MCP tool call with the go-sdk client —
// concurrently against one sandbox, and requires zero errors and no leaked goroutines.
// It runs 20 flows by default; OBOSCOPE_LOAD=1 runs the required 200:
//
//	OBOSCOPE_LOAD=1 go test ./flows/sandbox -run TestLoadConcurrentFlows -v
func TestLoadConcurrentFlows(t *testing.T) {
	n := 20
	if os.Getenv("OBOSCOPE_LOAD") == "1" {
		n = 200
	}
	before := runtime.NumGoroutine()
	s, err := Start(context.Background(), Options{AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pc := publicClient(t, s)
	cc := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent")))
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := deviceCodeSignIn(ctx, pc, agentScope)
			if err != nil {
				errs <- err
				return
			}
			status, _, body := callAgent(t, s, res.AccessToken)
			if status != 200 {
				errs <- errorf("agent %d: %v", status, body)
				return
			}
			obo, err := cc.AcquireTokenOnBehalfOf(ctx, res.AccessToken, []string{MCPAppIDURI + "/tools.call"})
			if err != nil {
				errs <- err
				return
			}
			rep := (&components{s: s}).callMCP(ctx, obo.AccessToken, "whoami")
			if rep.Status != 200 || rep.Result["aud"] != MCPAppID {
				errs <- errorf("mcp %d %s", rep.Status, rep.Error)
			}
		}()
	}
	wg.Wait()
	close(errs)
	elapsed := time.Since(start)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d concurrent full flows in %v (%.0f flows/s)", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	s.client.CloseIdleConnections()
	// Goroutines wind down asynchronously (connection readers); give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutine leak: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// drain reads and closes a response body so the connection is reused.
func drain(r io.ReadCloser) error {
	_, err := io.Copy(io.Discard, r)
	_ = r.Close()
	return err
}

// BenchmarkTokenEndpoint measures the token endpoint's throughput on client credentials requests
// (the cheapest grant: the cost is the endpoint, the signing and the HTTP round trip). ns/op is
// the time per request; requests/s = 1e9 / ns/op (reported as req/s).
func BenchmarkTokenEndpoint(b *testing.B) {
	s := startSandbox(b, "healthy")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientAppID},
		"client_secret": {s.Secret("client")}, "scope": {AgentAppIDURI + "/.default"}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := s.HTTPClient().PostForm(s.TokenURL(), form)
			if err != nil {
				b.Error(err)
				return
			}
			_ = drain(resp.Body)
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkOBO measures On-Behalf-Of exchanges (secret client auth, assertion verification,
// consent and policy, signing) through the token endpoint.
func BenchmarkOBO(b *testing.B) {
	s := startSandbox(b, "healthy")
	res, err := deviceCodeSignIn(context.Background(), publicClient(b, s), agentScope)
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"grant_type": {grantJWTBearer}, "client_id": {AgentAppID}, "client_secret": {s.Secret("agent")},
		"assertion": {res.AccessToken}, "requested_token_use": {"on_behalf_of"}, "scope": {MCPAppIDURI + "/tools.call"}}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := s.HTTPClient().PostForm(s.TokenURL(), form)
			if err != nil {
				b.Error(err)
				return
			}
			_ = drain(resp.Body)
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkStartClose measures starting and stopping a sandbox once the process's keys exist
// (what a scenario switch in the TUI costs).
func BenchmarkStartClose(b *testing.B) {
	if _, err := processKeys(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Start(context.Background(), Options{Scenario: "healthy", AutoApprove: true})
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Close()
	}
}
