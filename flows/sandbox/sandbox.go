package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// Options configure a sandbox.
type Options struct {
	Addr        string           // "127.0.0.1:0" default; loopback only (others are refused)
	Scenario    string           // "" = "healthy"
	AutoApprove bool             // approve every device code at once, as the scenario's user
	Now         func() time.Time // nil = time.Now; the clock-skew scenario shifts it +10 min
	// Secrets overrides the fixed secret values by app name (client, agent, mcp, blueprint),
	// e.g. canary values for tests that check nothing leaks them.
	Secrets map[string]string
	// Log receives one line per request: method, path (never the query), status, duration.
	// Bodies, tokens and secrets are never logged.
	Log io.Writer
	// FoundryMCPURL is where the Foundry project's agents call the MCP server ("" = the sandbox's
	// own): an `oboscope tap` in front of it, as a developer points Foundry at a dev tunnel. Loopback
	// only.
	FoundryMCPURL string
}

// Sandbox is a running sandbox tenant: authority, Graph subset, sample agent API and MCP server on
// one loopback HTTPS port.
type Sandbox struct {
	opts     Options
	scenario *scenarioDef
	km       *keyMaterial
	dir      *Directory // built at Start from the scenario; read-only afterwards
	beh      behaviour

	ln     net.Listener
	srv    *http.Server
	base   string
	client *http.Client
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error

	active atomic.Int32 // index of the active signing key

	mu          sync.Mutex
	deviceCodes map[string]*deviceCode // by device_code
	userCodes   map[string]*deviceCode // by user_code
	authCodes   map[string]*authCode
	refresh     map[string]*refreshGrant
	sweeps      int // calls of sweepLocked

	logMu sync.Mutex

	components *components  // the sample agent API's and MCP server's state
	foundry    foundryState // the Foundry project's responses and consents
}

// Start starts a sandbox on opts.Addr and serves until ctx is cancelled or Close is called.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	addr, err := loopbackAddr(opts.Addr)
	if err != nil {
		return nil, err
	}
	if err := checkFoundryMCPURL(opts.FoundryMCPURL); err != nil {
		return nil, err
	}
	name := opts.Scenario
	if name == "" {
		name = "healthy"
	}
	def, ok := lookupDef(name)
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown scenario %q (see `oboscope scenarios`)", name)
	}
	km, err := processKeys()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{
		opts: opts, scenario: def, km: km, done: make(chan struct{}),
		deviceCodes: map[string]*deviceCode{}, userCodes: map[string]*deviceCode{},
		authCodes: map[string]*authCode{}, refresh: map[string]*refreshGrant{},
	}
	s.beh = defaultBehaviour()
	s.dir = newDirectory(opts.Secrets, km, s.now())
	if def.apply != nil {
		def.apply(s.dir, &s.beh)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("sandbox: %s is already in use (another sandbox?): pick another --addr, or leave it out for a free port: %w", addr, err)
		}
		return nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	s.ln = ln
	s.base = "https://" + ln.Addr().String()
	if s.beh.mcpURLIdentifier {
		// The healthy MCP app: its URL is an identifierUri too (Entra requires a verified domain
		// for an https identifierUri; the sandbox's loopback host stands for one).
		a := s.dir.app(MCPAppID)
		a.IdentifierURIs = append(a.IdentifierURIs, s.MCPURL())
	}
	pool := x509.NewCertPool()
	pool.AddCert(km.caCert)
	s.client = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
			ForceAttemptHTTP2:   true,
		},
	}
	s.components = newComponents(s)
	s.srv = &http.Server{
		Handler:           s.middleware(s.routes()),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{km.tlsCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		// net/http's own complaints (a client that drops a TLS handshake) go to the request
		// log, or nowhere; they never carry request content.
		ErrorLog: log.New(s.logWriter(), "sandbox: ", 0),
		// HTTP/1.1 only: an idle HTTP/2 connection of a client would hold Shutdown for up to
		// a second, and `check --sandbox` stops the sandbox at the end of every run.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	go func() {
		defer close(s.done)
		_ = s.srv.ServeTLS(ln, "", "")
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// loopbackAddr checks that addr is 127.0.0.1 or ::1 ("" means 127.0.0.1:0; "localhost" and an
// empty host are served as 127.0.0.1 so token issuers and the authority name the same host).
// Other loopback addresses (127.0.0.2 …) are refused too: the TLS certificate names only
// 127.0.0.1, ::1 and localhost, so no client could verify them.
func loopbackAddr(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: --addr %q: %w", addr, err)
	}
	switch {
	case host == "" || strings.EqualFold(host, "localhost"):
		host = "127.0.0.1"
	default:
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return "", fmt.Errorf("sandbox: --addr %q is not a loopback address: the sandbox serves only 127.0.0.1 (it hands out tokens and secrets)", addr)
		}
		if !ip.Equal(net.IPv4(127, 0, 0, 1)) && !ip.Equal(net.IPv6loopback) {
			return "", fmt.Errorf("sandbox: --addr %q: use 127.0.0.1, ::1 or localhost (its TLS certificate names only those)", addr)
		}
	}
	return net.JoinHostPort(host, port), nil
}

// Close stops the sandbox: it stops accepting, gives running requests a moment, then closes every
// connection. It is safe to call more than once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.components.close()
		// The sandbox's own client (agent, MCP server, tests) holds keep-alive connections to
		// it: close them first so Shutdown does not wait for them.
		if t, ok := s.client.Transport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		s.srv.SetKeepAlivesEnabled(false)
		if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			s.closeErr = err
		}
		_ = s.srv.Close()
		<-s.done
		if t, ok := s.client.Transport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
	})
	return s.closeErr
}

// Done is closed when the sandbox has stopped serving.
func (s *Sandbox) Done() <-chan struct{} { return s.done }

// now is the sandbox clock (shifted in the clock-skew scenario).
func (s *Sandbox) now() time.Time {
	t := time.Now()
	if s.opts.Now != nil {
		t = s.opts.Now()
	}
	return t.Add(s.beh.clockOffset)
}

// BaseURL is https://127.0.0.1:PORT.
func (s *Sandbox) BaseURL() string { return s.base }

// AuthorityURL is the authority MSAL is given: https://127.0.0.1:PORT/<tenant-guid>.
func (s *Sandbox) AuthorityURL() string { return s.base + "/" + TenantID }

// TokenURL is the v2 token endpoint.
func (s *Sandbox) TokenURL() string { return s.AuthorityURL() + "/oauth2/v2.0/token" }

// DeviceLoginURL is the page where a person approves a device code.
func (s *Sandbox) DeviceLoginURL() string { return s.base + "/devicelogin" }

// AgentURL is the sample agent API endpoint (POST).
func (s *Sandbox) AgentURL() string { return s.base + "/agent/api/chat" }

// MCPURL is the sample MCP server (streamable HTTP).
func (s *Sandbox) MCPURL() string { return s.base + "/mcp" }

// GraphURL is the base of the Graph subset (GraphURL()+"/v1.0/me").
func (s *Sandbox) GraphURL() string { return s.base }

// CAPEM is the ephemeral CA certificate in PEM.
func (s *Sandbox) CAPEM() []byte { return append([]byte(nil), s.km.caPEM...) }

// HTTPClient is a client that trusts the sandbox CA, with a timeout.
func (s *Sandbox) HTTPClient() *http.Client { return s.client }

// Directory is the sandbox's directory (read it; never change it while the sandbox runs).
func (s *Sandbox) Directory() *Directory { return s.dir }

// AgentCertificatePEM is the agent API's certificate credential (certificate and key, PEM), for
// OBO with a certificate client assertion.
func (s *Sandbox) AgentCertificatePEM() ([]byte, error) {
	c, err := s.km.agentCert()
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), c.pem...), nil
}

// Secret returns the registered value of a sandbox secret by name (client, agent, mcp, blueprint).
func (s *Sandbox) Secret(name string) string {
	if v := s.opts.Secrets[name]; v != "" {
		return v
	}
	return defaultSecret(name)
}

// RotateSigningKey makes the other signing key the active one, as Entra's key rollover does:
// both keys are then in the JWKS, and new tokens carry the new kid.
func (s *Sandbox) RotateSigningKey() error {
	if _, err := s.km.signing(); err != nil {
		return err
	}
	if _, err := s.km.next(); err != nil {
		return err
	}
	for {
		old := s.active.Load()
		if s.active.CompareAndSwap(old, 1-old) {
			return nil
		}
	}
}

// activeKey is the key new tokens are signed with.
func (s *Sandbox) activeKey() (*signingKey, error) {
	if s.active.Load() == 1 {
		return s.km.next()
	}
	return s.km.signing()
}

// statusRecorder captures the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush keeps streaming responses (MCP) working through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware sets the Date header from the sandbox clock, recovers from panics with Entra's
// server error shape (a 500 is a bug; this keeps the process alive), and logs requests redacted.
func (s *Sandbox) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				if rec.status == 0 {
					s.writeError(rec, r, &entraError{Status: 500, Err: "server_error", Code: 90033, Message: "A transient error has occurred. Please try again."})
				}
			}
			if s.opts.Log != nil {
				s.logMu.Lock()
				// The path is the client's, decoded: any local process can put escapes in it, so
				// it goes through the one sanitizer before it reaches the operator's terminal.
				fmt.Fprintf(s.opts.Log, "%s %s %s %d %s\n", start.UTC().Format(time.RFC3339), inspect.Printable(r.Method, false),
					inspect.Printable(r.URL.Path, false), rec.status, time.Since(start).Round(time.Microsecond))
				s.logMu.Unlock()
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// logWriter is where the server's own errors go: the request log (under the log's lock), or
// nowhere.
func (s *Sandbox) logWriter() io.Writer {
	if s.opts.Log == nil {
		return io.Discard
	}
	return lockedWriter{mu: &s.logMu, w: s.opts.Log}
}

// lockedWriter serializes writes to a shared writer, through the one sanitizer: the server's own
// error lines can quote what a client sent.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, inspect.Printable(string(p), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// logf writes an event line (never a token, code or secret) to the request log.
func (s *Sandbox) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, "%s %s\n", time.Now().UTC().Format(time.RFC3339), inspect.Printable(fmt.Sprintf(format, args...), false))
}
