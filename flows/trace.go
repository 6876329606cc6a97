package flows

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds every network call of a walk (one request and its response body).
const DefaultTimeout = 15 * time.Second

// maxRecordedBody caps how much of a body an exchange keeps.
const maxRecordedBody = 64 << 10

// NewHTTPClient builds the walk's HTTP client: TLS verified against the system roots plus the
// config's CA (ca_file or the in-memory sandbox CA) — never skipped — a per-request timeout,
// redirects never followed, every response body capped at MaxResponseBody, and the egress policy
// of cfg (egress.go): tokens and secrets only to the origins cfg names (and those in allow, e.g.
// a tap's upstream), https only (http to loopback), nothing fetched from a loopback, link-local,
// private or metadata address the configuration does not name.
func NewHTTPClient(cfg Config, timeout time.Duration, allow ...string) (*http.Client, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := ReadInputFile(context.Background(), cfg.CAFile, MaxInputFile)
		if err != nil {
			return nil, fmt.Errorf("flows: ca_file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("flows: ca_file %s holds no PEM certificate", cfg.CAFile)
		}
	}
	if len(cfg.CAPEM) > 0 && !pool.AppendCertsFromPEM(cfg.CAPEM) {
		return nil, errors.New("flows: the sandbox CA is not a PEM certificate")
	}
	policy := newEgressPolicy(cfg, allow...)
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           policy.dialContext(&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}),
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return withEgress(&http.Client{Transport: tr, Timeout: timeout, CheckRedirect: noRedirect}, policy), nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// recorder collects the exchanges of one hop. It is safe for concurrent use (the MCP client may
// send requests concurrently).
type recorder struct {
	mu        sync.Mutex
	exchanges []Exchange
	pending   map[*recordingBody]struct{}
	extra     []string // exact secret values to redact anywhere
	now       func() time.Time
	onDone    func(Exchange)
	label     string
	dates     []serverDate   // server Date headers seen, for clock-skew detection
	heads     []responseHead // every answer's status line and headers, recorded at RoundTrip time
	refusals  []refusal      // requests the egress policy refused because of what they carried
}

// responseHead is what a response said before its body was read: callers that need a status do
// not depend on when (or whether) the body is closed — an SSE body may stay open long after.
type responseHead struct {
	Method string
	// RPCMethod is the JSON-RPC method of the request ("initialize", "server/discover" …), "" when
	// the request body was not a JSON-RPC request.
	RPCMethod string
	Status    int
	Header    http.Header
}

// rpcMethod returns the JSON-RPC method named by a request body, or "".
func rpcMethod(body string) string {
	var m struct {
		Method string `json:"method"`
	}
	if json.Unmarshal([]byte(body), &m) != nil {
		return ""
	}
	return m.Method
}

// headCount returns how many answers have arrived so far.
func (r *recorder) headCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.heads)
}

// headsSince returns the answers that arrived after the first n.
func (r *recorder) headsSince(n int) []responseHead {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n > len(r.heads) {
		return nil
	}
	return append([]responseHead(nil), r.heads[n:]...)
}

func newRecorder(now func() time.Time, extra []string, onDone func(Exchange)) *recorder {
	return &recorder{pending: map[*recordingBody]struct{}{}, extra: extra, now: now, onDone: onDone}
}

// setLabel names the exchanges recorded from now on ("MCP initialize", "OBO token request" …).
func (r *recorder) setLabel(l string) {
	r.mu.Lock()
	r.label = l
	r.mu.Unlock()
}

func (r *recorder) add(x Exchange) {
	r.mu.Lock()
	r.exchanges = append(r.exchanges, x)
	cb := r.onDone
	r.mu.Unlock()
	if cb != nil {
		cb(x)
	}
}

// flush finalises exchanges whose response body was never read to the end nor closed.
func (r *recorder) flush() []Exchange {
	r.mu.Lock()
	var open []*recordingBody
	for b := range r.pending {
		open = append(open, b)
	}
	r.mu.Unlock()
	for _, b := range open {
		b.finish()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// cut reports whether an exchange of the hop was cut short (no answer, or a body that ended in an
// error): with the walk's deadline passed, such a hop did not complete.
func (r *recorder) cut() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.exchanges {
		if x.Err != "" {
			return true
		}
	}
	return len(r.pending) > 0
}

// snapshot returns the exchanges completed so far, leaving open bodies open.
func (r *recorder) snapshot() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// serverDate is a server's Date header, our clock when it arrived, and the server's host.
type serverDate struct {
	date, local time.Time
	host        string
}

// serverDates returns the Date headers seen so far.
func (r *recorder) serverDates() []serverDate {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]serverDate(nil), r.dates...)
}

// client returns an http.Client sending through base and recording into r.
func (r *recorder) client(base *http.Client) *http.Client {
	c := *base
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &traceTransport{next: next, rec: r}
	c.CheckRedirect = noRedirect
	return &c
}

// traceTransport records every request and response passing through it, redacted.
type traceTransport struct {
	next http.RoundTripper
	rec  *recorder
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := t.rec
	r.mu.Lock()
	label := r.label
	r.mu.Unlock()
	x := Exchange{
		Method:         req.Method,
		URL:            strings.TrimSuffix(RedactURL(req.URL.String(), r.extra), "?"),
		RequestHeaders: RedactHeaders(req.Header, r.extra),
		Started:        r.now(),
	}
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b, rerr := io.ReadAll(io.LimitReader(rc, maxRecordedBody))
			rc.Close()
			if rerr != nil {
				x.RequestBody = "(the request body could not be read for the record: " + rerr.Error() + ")"
			} else {
				x.RequestBody = RedactBody(req.Header.Get("Content-Type"), b, r.extra)
			}
		}
	} else if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		x.RequestBody = RedactBody(req.Header.Get("Content-Type"), truncate(b), r.extra)
	}
	rpc := rpcMethod(x.RequestBody)
	x.Label = mcpLabel(requestLabel(label, req), req, rpc)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	x.setDuration(time.Since(start))
	if err != nil {
		x.Err = RedactText(DescribeNetError(err), r.extra)
		if eg, ok := isEgressError(err); ok && eg.OffHost() {
			r.mu.Lock()
			r.refusals = append(r.refusals, refusal{url: RedactURL(eg.URL, r.extra), carrying: eg.Carrying, label: x.Label})
			r.mu.Unlock()
		}
		switch cerr := req.Context().Err(); {
		case errors.Is(cerr, context.DeadlineExceeded):
			x.Err = "timed out: the server did not answer in time"
		case errors.Is(cerr, context.Canceled):
			x.Err = "cancelled"
		}
		r.add(x)
		return nil, err
	}
	x.Status = resp.StatusCode
	x.ResponseHeaders = RedactHeaders(resp.Header, r.extra)
	r.mu.Lock()
	r.heads = append(r.heads, responseHead{Method: req.Method, RPCMethod: rpc, Status: resp.StatusCode, Header: x.ResponseHeaders})
	r.mu.Unlock()
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		r.mu.Lock()
		r.dates = append(r.dates, serverDate{date: d, local: r.now(), host: req.URL.Host})
		r.mu.Unlock()
	}
	rb := &recordingBody{rc: resp.Body, rec: r, x: x, ct: resp.Header.Get("Content-Type"), start: start}
	if resp.StatusCode >= 400 && resp.ContentLength > 0 && resp.ContentLength <= maxRecordedBody {
		rb.errorLength = resp.ContentLength
	}
	r.mu.Lock()
	r.pending[rb] = struct{}{}
	r.mu.Unlock()
	resp.Body = rb
	return resp, nil
}

// requestLabel names an exchange: MSAL's own discovery requests get their own name whatever step
// of the hop sent them (the step's label otherwise).
func requestLabel(step string, req *http.Request) string {
	switch p := req.URL.Path; {
	case req.Method != http.MethodGet || strings.Contains(step, "metadata"):
		return step
	case strings.HasSuffix(p, "/.well-known/openid-configuration"):
		return "authority discovery (OpenID configuration)"
	case strings.HasSuffix(p, "/discovery/instance"):
		return "instance discovery"
	}
	return step
}

// mcpLabel names an MCP session's request by what it asks for — its JSON-RPC method, from the
// body or the Mcp-Method header — since one SDK call sends several (server/discover before
// initialize, notifications/initialized after it); a request without a method is named by its
// HTTP method. step is the session's label ("MCP initialize", "MCP tools/call graph_me"), m
// the request body's JSON-RPC method.
func mcpLabel(step string, req *http.Request, m string) string {
	if !strings.HasPrefix(step, "MCP ") {
		return step
	}
	if m == "" {
		m = req.Header.Get("Mcp-Method")
	}
	switch {
	case m == "" && req.Method == http.MethodDelete:
		return "MCP session end (DELETE)"
	case m == "" && req.Method == http.MethodGet:
		return "MCP event stream (GET)"
	case m == "":
		return step
	case m == "tools/call" && strings.HasPrefix(step, "MCP tools/call "):
		return step // names the tool too
	}
	return "MCP " + m
}

func truncate(b []byte) []byte {
	if len(b) > maxRecordedBody {
		return b[:maxRecordedBody]
	}
	return b
}

// recordingBody keeps what the reader reads of a response body and finalises the exchange at
// EOF, on error or on Close, whichever comes first.
type recordingBody struct {
	rc   io.ReadCloser
	rec  *recorder
	x    Exchange
	ct   string
	buf  bytes.Buffer
	once sync.Once
	mu   sync.Mutex
	// start is when the request was sent: the exchange's duration runs until its body ends (a
	// server trickling its answer for 15 s took 15 s, not the milliseconds to its headers).
	start time.Time
	// errorLength is the Content-Length of an error answer small enough to keep: a client that
	// closes it unread (the MCP go-sdk does with a 500) still leaves its body in the record.
	errorLength int64
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.mu.Lock()
		if room := maxRecordedBody - b.buf.Len(); room > 0 {
			b.buf.Write(p[:min(n, room)])
		}
		b.mu.Unlock()
	}
	if err != nil {
		if !errors.Is(err, io.EOF) {
			b.mu.Lock()
			b.x.Err = RedactText("reading the response: "+DescribeNetError(err), b.rec.extra)
			b.mu.Unlock()
		}
		b.finish()
	}
	return n, err
}

func (b *recordingBody) Close() error {
	b.mu.Lock()
	unread := b.errorLength > 0 && int64(b.buf.Len()) < b.errorLength
	b.mu.Unlock()
	if unread {
		// The length is known and small: reading it cannot block for long, and the per-request
		// timeout still bounds it.
		io.Copy(io.Discard, io.LimitReader(readerFunc(b.Read), b.errorLength))
	}
	err := b.rc.Close()
	b.finish()
	return err
}

// readerFunc adapts a Read method to io.Reader.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func (b *recordingBody) finish() {
	b.once.Do(func() {
		b.mu.Lock()
		x := b.x
		x.ResponseBody = RedactBody(b.ct, b.buf.Bytes(), b.rec.extra)
		b.mu.Unlock()
		x.setDuration(time.Since(b.start))
		b.rec.mu.Lock()
		delete(b.rec.pending, b)
		b.rec.mu.Unlock()
		b.rec.add(x)
	})
}

// DescribeNetError turns a transport error into one line naming the cause: unreachable host,
// TLS failure, timeout, redirect.
func DescribeNetError(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var netErr net.Error
	var egress *EgressError
	var tooLarge *BodyTooLargeError
	switch {
	case errors.As(err, &egress):
		return egress.Error()
	case errors.As(err, &tooLarge):
		return tooLarge.Error()
	case errors.As(err, &certErr), errors.As(err, &unknownAuth):
		return "TLS failure: the server's certificate is not trusted (" + shortCause(err) + "); add its CA with ca_file"
	case errors.As(err, &hostErr):
		return "TLS failure: " + hostErr.Error()
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:"):
		return "TLS failure: " + shortCause(err)
	case errors.As(err, &dnsErr):
		return "host not found: " + dnsErr.Name
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "Client.Timeout"), strings.Contains(msg, "request canceled"):
		return "timed out: the server did not answer in time"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "unreachable: cannot connect to " + addrOf(opErr) + " (" + shortCause(opErr.Err) + ")"
	}
	return shortCause(err)
}

func addrOf(op *net.OpError) string {
	if op.Addr != nil {
		return op.Addr.String()
	}
	return "the server"
}

// shortCause returns the innermost message of an error chain (url.Error and friends repeat the URL).
func shortCause(err error) string {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		inner := u.Unwrap()
		if inner == nil {
			break
		}
		err = inner
	}
	return err.Error()
}

// setDuration sets the exchange's duration in both its forms.
func (x *Exchange) setDuration(d time.Duration) {
	x.Duration = d
	x.DurationMS = float64(d.Microseconds()) / 1000
}
