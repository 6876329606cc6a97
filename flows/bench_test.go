package flows_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	s.b.Reset()
	s.mu.Unlock()
}

// tokenIssued matches the sandbox log line of a token the authority signed.
var tokenIssued = regexp.MustCompile(`(?m) POST /[^ ]*/oauth2/v2\.0/token 200 `)

func runWalk(b *testing.B, cfg flows.Config, client *http.Client) flows.Report {
	return runWalkOpts(b, cfg, flows.WalkOptions{Mode: "sandbox", AutoApproved: true, HTTPClient: client})
}

func runWalkOpts(b *testing.B, cfg flows.Config, opts flows.WalkOptions) flows.Report {
	w := flows.NewWalk(cfg, opts)
	var rep flows.Report
	for ev := range w.Run(context.Background()) {
		if ev.Kind == flows.EventWalkDone {
			rep = *ev.Report
		}
	}
	w.Close()
	if rep.Summary.Errors > 0 || rep.Summary.Warnings > 0 {
		b.Fatalf("healthy walk raised findings: %+v", rep.Findings())
	}
	return rep
}

// BenchmarkWalk is one full healthy walk per iteration (new client, new TLS connections, JWKS
// fetched again — what one `oboscope check` does), the sandbox started once outside the timer.
func BenchmarkWalk(b *testing.B) {
	s, err := sandbox.Start(context.Background(), sandbox.Options{AutoApprove: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config("")
	runWalk(b, cfg, nil) // warm the sandbox's own connections and caches
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runWalk(b, cfg, nil)
	}
}

// BenchmarkWalkBrowser is BenchmarkWalk with the browser sign-in (auth code + PKCE, the browser
// played by formPost): the same chain without MSAL's fixed device-code poll wait.
func BenchmarkWalkBrowser(b *testing.B) {
	s, err := sandbox.Start(context.Background(), sandbox.Options{AutoApprove: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config("")
	cfg.Signin.Flow = "browser"
	opts := flows.WalkOptions{Mode: "sandbox", OpenURL: formPost(s.HTTPClient())}
	runWalkOpts(b, cfg, opts)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runWalkOpts(b, cfg, opts)
	}
}

// walkWork counts the unavoidable work of one steady-state walk: RS256 signatures (two per token
// answer: access and ID token, an upper bound), and the TLS handshakes of the walk's own client.
// The sandbox's internal clients (agent API, MCP server) keep their connections alive, so they
// add no handshake once warm.
func walkWork(b *testing.B) (signatures, handshakes int) {
	var log syncBuffer
	s, err := sandbox.Start(context.Background(), sandbox.Options{AutoApprove: true, Log: &log})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config("")
	runWalk(b, cfg, nil)
	log.Reset()
	client, err := flows.NewHTTPClient(cfg, 0)
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int32
	tr := client.Transport.(*http.Transport)
	tr.TLSClientConfig.VerifyConnection = func(tls.ConnectionState) error { n.Add(1); return nil }
	runWalk(b, cfg, client)
	client.CloseIdleConnections()
	return 2 * len(tokenIssued.FindAllString(log.String(), -1)), int(n.Load())
}

// BenchmarkWalkFloor does only the unavoidable work of one walk: its RS256 signatures (and as
// many verifications) with a 2048-bit key, and its TLS handshakes on loopback to a server with a
// P-256 certificate like the sandbox's.
func BenchmarkWalkFloor(b *testing.B) { benchFloor(b, 0) }

// msalFirstPollDelay is MSAL Go's fixed wait before its first device-code poll
// (internal/oauth/oauth.go: interval starts at 50 ms); no MSAL device-code sign-in is faster.
const msalFirstPollDelay = 50 * time.Millisecond

// BenchmarkWalkFloorWithMSALWait is the floor plus MSAL's fixed first-poll wait.
func BenchmarkWalkFloorWithMSALWait(b *testing.B) { benchFloor(b, msalFirstPollDelay) }

func benchFloor(b *testing.B, wait time.Duration) {
	sigs, hs := walkWork(b)
	b.Logf("one walk: %d RS256 signatures (upper bound), %d TLS handshakes", sigs, hs)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &srvKey.PublicKey, srvKey)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: srvKey}}})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	digest := sha256.Sum256([]byte("header.payload"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		time.Sleep(wait)
		for j := 0; j < sigs; j++ {
			sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
			if err != nil {
				b.Fatal(err)
			}
			if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
		for j := 0; j < hs; j++ {
			c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool})
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	}
}

// BenchmarkProcessCheckSandbox is the whole process `oboscope check --sandbox` (healthy), to hold
// against BenchmarkProcessVersion (`oboscope --version`).
func BenchmarkProcessCheckSandbox(b *testing.B) {
	bin := oboscopeBinary(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := exec.Command(bin, "check", "--sandbox", "--format", "json").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

// BenchmarkProcessVersion is the cost of starting the oboscope process at all.
func BenchmarkProcessVersion(b *testing.B) {
	bin := oboscopeBinary(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := exec.Command(bin, "--version").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
