package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// The tap is `oboscope tap`: a reverse proxy in front of an agent API or an MCP server that the
// developer runs. It forwards every request unchanged — streaming, byte for byte, bodies never
// held whole — and for each one reports who called, the bearer token decoded (never kept with its
// signature) and checked against what the server expects, and the server's answer. It sees the
// hops oboscope cannot perform itself: what Foundry sends an MCP server, with which identity.

// Tap roles: the kind of server behind the tap.
const (
	TapAsAgent = "agent"
	TapAsMCP   = "mcp"
)

// DefaultTapBodyPreview is how much of each body the tap keeps for display.
const DefaultTapBodyPreview = 8 << 10

// TapOptions configure a tap.
type TapOptions struct {
	Listen string // host:port to listen on; loopback unless AllowRemote
	// AllowRemote lets Listen be an address other machines can reach.
	AllowRemote bool
	Upstream    string // the server's base URL; the request's path is appended to its path
	As          string // agent | mcp (default mcp)
	// Config, when set, says what the server expects (audience, scopes, the agent identity,
	// needs_user) and which CA to trust for the upstream; nil: only the tokens themselves are
	// checked.
	Config *Config
	Now    func() time.Time // nil: time.Now
	// OnEvent receives one event per request, in arrival order, as soon as the upstream's answer
	// (status and headers) or the proxy's failure is known. One call at a time.
	OnEvent func(TapEvent)
	// OnDone receives each request's end (bytes, body previews), in completion order. It may be
	// called from many goroutines at once.
	OnDone func(TapDone)
	// Transport is the upstream's transport (nil: one built from Config's CA, compression off).
	Transport http.RoundTripper
	// BodyPreview is how many bytes of each body are kept for display (0: DefaultTapBodyPreview).
	BodyPreview int
}

// TapEvent is one request the tap forwarded, as known when the upstream answered.
type TapEvent struct {
	Seq      int64 // arrival order, from 1
	Conn     int64 // the client connection it came on, from 1
	Time     time.Time
	Method   string
	Path     string // the request's path and query, redacted
	Status   int    // the answer's status; 0 when none came (Err says why)
	Duration time.Duration
	As       string
	Caller   inspect.CallerKind
	// Token is the bearer token decoded without its signature (Raw is always ""); nil when the
	// request carried none, or one that is no JWT (Caller says key).
	Token     *NamedToken
	Challenge string // the answer's WWW-Authenticate
	RPC       string // the JSON-RPC method of an MCP request ("tools/call" …), "" when none
	Findings  []inspect.Finding
	// Exchange is the request and answer redacted, without bodies (TapDone has their previews).
	Exchange Exchange
	Err      string
}

// TapDone is the end of a request: how much went each way and the beginning of each body,
// redacted.
type TapDone struct {
	Seq           int64
	BytesIn       int64 // request body bytes forwarded
	BytesOut      int64 // response body bytes forwarded
	Duration      time.Duration
	RequestBody   string
	ResponseBody  string
	Err           string
	RequestCut    bool // the preview holds only the beginning
	ResponseCut   bool
	ResponseFlush int // times the answer was flushed to the client (SSE events, roughly)
}

// Tap is a running tap.
type Tap struct {
	opts     TapOptions
	upstream *url.URL
	exp      inspect.TapExpectations
	extra    []string
	ln       net.Listener
	srv      *http.Server
	proxy    *httputil.ReverseProxy
	done     chan struct{}
	seq      atomic.Int64
	conns    atomic.Int64
	order    *tapOrder
	closeMu  sync.Once
	closeErr error
}

// CheckTapListen refuses an address other machines could reach unless allowRemote: the tap shows
// every token it forwards.
func CheckTapListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("tap: --listen %q: %w", addr, err)
	}
	if allowRemote || strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("tap: --listen %s is not a loopback address: the tap forwards requests with your server's trust and shows every "+
		"bearer token it sees to whoever can reach it; keep it on 127.0.0.1 and expose it through a dev tunnel (see the README), "+
		"or pass --allow-remote if you mean it", addr)
}

// checkTapUpstream accepts an absolute https URL, or http to loopback (tokens go over it).
func checkTapUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return nil, fmt.Errorf("tap: --upstream %q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return nil, errors.New("tap: --upstream must not carry credentials")
	case !sendable(raw):
		return nil, fmt.Errorf("tap: --upstream %s is http:// to a host that is not loopback: tokens would cross the network in clear text; use https", raw)
	}
	return u, nil
}

// StartTap checks the options, listens and serves until Close.
func StartTap(opts TapOptions) (*Tap, error) {
	if opts.As == "" {
		opts.As = TapAsMCP
	}
	if opts.As != TapAsMCP && opts.As != TapAsAgent {
		return nil, fmt.Errorf("tap: --as must be agent or mcp, not %q", opts.As)
	}
	if err := CheckTapListen(opts.Listen, opts.AllowRemote); err != nil {
		return nil, err
	}
	up, err := checkTapUpstream(opts.Upstream)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BodyPreview <= 0 {
		opts.BodyPreview = DefaultTapBodyPreview
	}
	t := &Tap{opts: opts, upstream: up, done: make(chan struct{}), order: newTapOrder(opts.OnEvent)}
	if opts.Config != nil {
		t.exp, t.extra = tapExpectations(*opts.Config, opts.As), opts.Config.secrets()
	}
	tr := opts.Transport
	if tr == nil {
		cfg := Config{}
		if opts.Config != nil {
			cfg = *opts.Config
		}
		if tr, err = tapTransport(cfg, up.String()); err != nil {
			return nil, err
		}
	}
	t.proxy = &httputil.ReverseProxy{
		Rewrite:       t.rewrite,
		Transport:     tr,
		FlushInterval: -1, // stream: every write reaches the client at once (SSE)
		BufferPool:    &tapBuffers{},
		ErrorLog:      log.New(io.Discard, "", 0),
		ErrorHandler:  t.proxyError,
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("tap: listen on %s: %w", opts.Listen, err)
	}
	t.ln = ln
	t.srv = &http.Server{
		Handler:           http.HandlerFunc(t.serve),
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, tapConnKey{}, t.conns.Add(1))
		},
	}
	go func() {
		defer close(t.done)
		_ = t.srv.Serve(ln)
	}()
	return t, nil
}

// URL is where clients reach the tap: http://HOST:PORT.
func (t *Tap) URL() string { return "http://" + t.ln.Addr().String() }

// Upstream is the server behind the tap.
func (t *Tap) Upstream() string { return t.upstream.String() }

// As is the kind of server behind the tap.
func (t *Tap) As() string { return t.opts.As }

// Done is closed when the tap stopped serving.
func (t *Tap) Done() <-chan struct{} { return t.done }

// Close stops accepting, lets running requests end for a moment, then closes every connection and
// delivers the events still in order.
func (t *Tap) Close() error {
	t.closeMu.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := t.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.closeErr = err
		}
		_ = t.srv.Close()
		<-t.done
		t.order.close()
	})
	return t.closeErr
}

// tapConnKey carries a connection's number in its requests' context.
type tapConnKey struct{}

// tapTransport is the upstream transport: TLS verified against the system roots and the
// config's CA, the walk's egress policy with the upstream as a configured origin, compression left
// to the client (the tap must not decode what it forwards), no overall timeout and no body cap
// (streams last, and the tap streams what it forwards without holding it), bounded waits for a
// connection and for the answer's headers.
func tapTransport(cfg Config, upstream string) (http.RoundTripper, error) {
	c, err := NewHTTPClient(cfg, 30*time.Second, upstream)
	if err != nil {
		return nil, err
	}
	et, ok := c.Transport.(*egressTransport)
	if !ok {
		return nil, errors.New("tap: unexpected transport")
	}
	base, ok := et.next.(*http.Transport)
	if !ok {
		return nil, errors.New("tap: unexpected transport")
	}
	tr := base.Clone()
	tr.DisableCompression = true
	tr.ResponseHeaderTimeout = 2 * time.Minute
	tr.MaxIdleConnsPerHost = 256
	tr.IdleConnTimeout = 90 * time.Second
	return &egressTransport{policy: et.policy, next: tr}, nil
}

// tapExpectations are what the server behind the tap expects, from the config.
func tapExpectations(cfg Config, as string) inspect.TapExpectations {
	exp := inspect.TapExpectations{NeedsUser: cfg.MCP.NeedsUser, AgentIdentityID: cfg.OBO.AgentIdentityID, BlueprintID: cfg.OBO.BlueprintClientID}
	if IsGUID(cfg.TenantID) {
		exp.TenantID = cfg.TenantID
	}
	if as == TapAsAgent {
		exp.Audiences, exp.Scopes = agentAudiences(cfg), cfg.Agent.RequiredScopes
		exp.NeedsUser, exp.AgentIdentityID, exp.BlueprintID = false, "", ""
		return exp
	}
	exp.Audiences, exp.Scopes = mcpAudiences(cfg), cfg.OBO.Scopes
	return exp
}

// rewrite points the outbound request at the upstream (path appended, query merged, Host the
// upstream's) and keeps the client's X-Forwarded-* and Forwarded headers, which ReverseProxy
// drops before Rewrite: the request goes on as it came.
func (t *Tap) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(t.upstream)
	for _, k := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"} {
		if v, ok := pr.In.Header[k]; ok {
			pr.Out.Header[k] = v
		}
	}
}

// proxyError answers 502 when the upstream could not be reached or failed mid-way, and records why.
func (t *Tap) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	msg := DescribeNetError(err)
	if errors.Is(r.Context().Err(), context.Canceled) {
		msg = "the client went away"
	}
	if tw, ok := w.(*tapWriter); ok {
		tw.req.err = msg
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, "oboscope tap: the upstream did not answer: "+msg+"\n")
}

// tapBuffers lends the proxy its 32 KiB copy buffers again and again instead of one per request.
type tapBuffers struct{ pool sync.Pool }

func (b *tapBuffers) Get() []byte {
	if p, ok := b.pool.Get().(*[]byte); ok {
		return *p
	}
	return make([]byte, 32<<10)
}

func (b *tapBuffers) Put(p []byte) { b.pool.Put(&p) }
