package flows_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// TestTapLoad sends requests from 200 clients at once through the tap, each client on its own
// connection sending its requests one after the other: every request reaches the upstream whole,
// every one is reported once, the reports of one connection keep its order, and memory stays
// bounded (bodies stream, never held whole). OBOSCOPE_TAP_LOAD=1 runs the heavy version (more
// requests, 256 KiB bodies) and logs the figures.
func TestTapLoad(t *testing.T) {
	clients, perClient, bodySize := 200, 5, 4<<10
	if v := os.Getenv("OBOSCOPE_TAP_LOAD"); v != "" {
		perClient, bodySize = 25, 256<<10
		if n, err := strconv.Atoi(v); err == nil && n > 1 {
			perClient = n // OBOSCOPE_TAP_LOAD=N: N requests per client
		}
	} else if testing.Short() {
		perClient = 2
	}
	body := make([]byte, bodySize)
	for i := range body {
		body[i] = byte(i * 7)
	}
	want := sha256.Sum256(body)
	// The upstream and the event receiver check as they go and keep only counts: the memory
	// measured is the tap's.
	var received, altered atomic.Int64
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		received.Add(1)
		if n != int64(len(body)) || [32]byte(h.Sum(nil)) != want {
			altered.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	})
	srv := quietTLSServer(up)
	defer srv.Close()
	var mu sync.Mutex
	var reported int64
	var orderErr error
	lastSeq := map[int64]int{}     // connection → last X-Seq reported
	clientOf := map[int64]string{} // connection → client
	tap, err := flows.StartTap(flows.TapOptions{Listen: "127.0.0.1:0", Upstream: srv.URL, Config: &flows.Config{CAPEM: certPEM(srv), MCP: flows.MCPConfig{ClientID: testMCP}},
		OnEvent: func(ev flows.TapEvent) {
			mu.Lock()
			defer mu.Unlock()
			reported++
			cl, seq := ev.Exchange.RequestHeaders.Get("X-Client"), ev.Exchange.RequestHeaders.Get("X-Seq")
			n, _ := strconv.Atoi(seq)
			switch prev, ok := lastSeq[ev.Conn]; {
			case orderErr != nil:
			case ev.Seq != reported:
				orderErr = fmt.Errorf("event %d has seq %d: not in arrival order", reported, ev.Seq)
			case ok && (n != prev+1 || clientOf[ev.Conn] != cl):
				orderErr = fmt.Errorf("connection %d: request %s of client %s after request %d of client %s", ev.Conn, seq, cl, prev, clientOf[ev.Conn])
			case ev.Status != 200 || len(ev.Findings) != 0:
				orderErr = fmt.Errorf("event %d: status %d findings %v", ev.Seq, ev.Status, ev.Findings)
			}
			lastSeq[ev.Conn], clientOf[ev.Conn] = n, cl
		}})
	if err != nil {
		t.Fatal(err)
	}
	token := "Bearer " + fakeJWT(t, map[string]any{"aud": testMCP, "scp": "tools.call"})

	// The live heap (as of each GC) is what the tap holds; the heap objects also count the
	// garbage not collected yet.
	var peak, peakLive atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(samples)
			if v := samples[0].Value.Uint64(); v > peakLive.Load() {
				peakLive.Store(v)
			}
			if v := samples[1].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var failures atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			// One connection per client, kept alive across its requests.
			client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}}
			defer client.CloseIdleConnections()
			for i := 0; i < perClient; i++ {
				req, _ := http.NewRequest(http.MethodPost, tap.URL()+"/mcp", &slowReader{b: body})
				req.ContentLength = int64(len(body))
				req.Header.Set("Authorization", token)
				req.Header.Set("X-Client", strconv.Itoa(c))
				req.Header.Set("X-Seq", strconv.Itoa(i))
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	tap.Close()
	close(stop)
	<-sampled
	total := clients * perClient
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d of %d requests failed", n, total)
	}
	if received.Load() != int64(total) || altered.Load() != 0 {
		t.Fatalf("the upstream received %d of %d requests, %d altered", received.Load(), total, altered.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if reported != int64(total) || orderErr != nil {
		t.Fatalf("%d events for %d requests: %v", reported, total, orderErr)
	}
	live, heap := float64(peakLive.Load())/(1<<20), float64(peak.Load())/(1<<20)
	rate := float64(total) / elapsed.Seconds()
	t.Logf("tap load: %d clients × %d requests (%d KiB bodies): %d requests in %s, %.0f requests/s, %.1f MiB/s through; peak live heap %.1f MiB, peak heap objects %.1f MiB (garbage included)",
		clients, perClient, bodySize>>10, total, elapsed.Round(time.Millisecond), rate, rate*float64(bodySize)/(1<<20), live, heap)
	// Per request in flight: two previews, a copy buffer and the connections' buffers; the test's
	// own records of every request come on top. Nothing grows with the bodies' size.
	if limit := 48 + float64(clients)*float64(2*flows.DefaultTapBodyPreview+128<<10)/(1<<20); live > limit {
		t.Errorf("peak live heap %.1f MiB is over %.0f MiB: the tap holds more than its previews", live, limit)
	}
}

// slowReader hands out a body in 32 KiB pieces, as a client streaming it does.
type slowReader struct {
	b   []byte
	off int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 32<<10)], r.b[r.off:])
	r.off += n
	return n, nil
}
