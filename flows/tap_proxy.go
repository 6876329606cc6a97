package flows

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// tapRequest is one request going through the tap. Only the goroutine serving it writes it.
type tapRequest struct {
	seq, conn int64
	start     time.Time
	method    string
	path      string
	header    http.Header // the request's headers as they came (the proxy works on a copy)
	body      *capture
	err       string
	emitted   bool
}

// serve forwards one request and reports it: the event when the answer's headers go back to the
// client, the end when the last byte did.
func (t *Tap) serve(w http.ResponseWriter, r *http.Request) {
	req := &tapRequest{seq: t.seq.Add(1), start: t.opts.Now(), method: r.Method, path: r.URL.RequestURI(), header: r.Header.Clone()}
	req.conn, _ = r.Context().Value(tapConnKey{}).(int64)
	if r.Body != nil && r.Body != http.NoBody {
		req.body = &capture{limit: t.opts.BodyPreview}
		r.Body = &captureReader{rc: r.Body, c: req.body}
	}
	tw := &tapWriter{ResponseWriter: w, tap: t, req: req, body: capture{limit: t.opts.BodyPreview}}
	defer func() {
		// Whatever happened (a panic to abort the copy included), the request is reported.
		tw.emit(0)
		t.finish(tw)
	}()
	t.proxy.ServeHTTP(tw, r)
}

// finish reports the end of a request.
func (t *Tap) finish(tw *tapWriter) {
	if t.opts.OnDone == nil {
		return
	}
	d := TapDone{Seq: tw.req.seq, BytesOut: tw.body.n, Duration: t.opts.Now().Sub(tw.req.start), Err: tw.req.err, ResponseFlush: tw.flushes}
	d.ResponseBody, d.ResponseCut = tw.body.preview(tw.Header(), t.extra)
	if b := tw.req.body; b != nil {
		d.BytesIn = b.count()
		d.RequestBody, d.RequestCut = b.preview(tw.req.header, t.extra)
	}
	t.opts.OnDone(d)
}

// tapWriter passes the answer to the client and reports the request when its headers go out.
type tapWriter struct {
	http.ResponseWriter
	tap     *Tap
	req     *tapRequest
	body    capture
	wrote   bool
	flushes int
}

func (w *tapWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.emit(code)
	}
	if !w.wrote || code < 200 {
		w.wrote = code >= 200
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *tapWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	w.body.add(p)
	return w.ResponseWriter.Write(p)
}

// Flush keeps streams (SSE) streaming through the tap.
func (w *tapWriter) Flush() {
	w.flushes++
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection (upgrades, deadlines).
func (w *tapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// emit reports the request once, with the status the client gets (0: none).
func (w *tapWriter) emit(status int) {
	if w.req.emitted {
		return
	}
	w.req.emitted = true
	w.tap.order.put(w.tap.event(w.req, status, w.Header()))
}

// event builds the report of a request: who called with which token, what the server answered,
// and the findings that fit.
func (t *Tap) event(req *tapRequest, status int, respHeader http.Header) TapEvent {
	now := t.opts.Now()
	ev := TapEvent{Seq: req.seq, Conn: req.conn, Time: req.start, Method: req.method, Path: RedactURL(req.path, t.extra),
		Status: status, Duration: now.Sub(req.start), As: t.opts.As, Err: req.err}
	if req.err != "" && status == http.StatusBadGateway {
		ev.Status = 0 // the 502 is the tap's own answer: the upstream gave none
	}
	tok, credential := tapCredential(req.header)
	ev.Caller = inspect.ClassifyCaller(tok, credential)
	if tok != nil {
		ev.Token = &NamedToken{Name: "bearer token (signature removed)", Role: RolePresented, Token: tok,
			VerifyErr: "not verified by the tap: the server behind it checks the signature"}
	}
	if status == 401 || status == 403 {
		ev.Challenge = respHeader.Get("WWW-Authenticate")
	}
	if req.body != nil {
		ev.RPC = jsonRPCMethod(req.body.head())
	}
	exp := t.exp
	exp.Now = now
	ev.Findings = inspect.AnalyzeTap(inspect.TapObservation{As: t.opts.As, Token: tok, Credential: credential,
		Status: ev.Status, WWWAuthenticate: respHeader.Get("WWW-Authenticate")}, exp)
	for i, f := range ev.Findings {
		f.Detail = termSafe(RedactText(f.Detail, t.extra))
		ev.Findings[i] = f
	}
	u := *t.upstream
	label := "request"
	if ev.RPC != "" {
		label = "MCP " + ev.RPC
	}
	ev.Exchange = Exchange{Label: label, Method: req.method, URL: RedactURL(strings.TrimSuffix(u.String(), "/")+req.path, t.extra),
		RequestHeaders: RedactHeaders(keyHeadersRedacted(req.header), t.extra), Status: ev.Status,
		ResponseHeaders: RedactHeaders(respHeader.Clone(), t.extra), Duration: ev.Duration,
		DurationMS: float64(ev.Duration.Microseconds()) / 1000, Err: req.err, Started: req.start}
	return ev
}

// apiKeyHeaders are headers that carry a key instead of a bearer token (Foundry's key-based
// connections may name any header; these are the usual ones).
var apiKeyHeaders = []string{"Api-Key", "X-Api-Key", "Ocp-Apim-Subscription-Key", "X-Functions-Key"}

// tapCredential reads a request's credential: its bearer token decoded from header and payload
// only (the signature is dropped before anything else sees it), and whether it carried any
// credential at all.
func tapCredential(h http.Header) (*inspect.Token, bool) {
	credential := false
	for _, k := range apiKeyHeaders {
		if h.Get(k) != "" {
			credential = true
		}
	}
	a := strings.TrimSpace(h.Get("Authorization"))
	if a == "" {
		return nil, credential
	}
	scheme, rest, _ := strings.Cut(a, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, true
	}
	tok, err := inspect.DecodeUnverified(StripSignature(strings.TrimSpace(rest)))
	if err != nil || tok.Format != inspect.FormatJWS {
		return nil, true
	}
	return tok, true
}

// keyHeadersRedacted copies h with the values of API-key headers replaced.
func keyHeadersRedacted(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range apiKeyHeaders {
		if _, ok := out[k]; ok {
			out[k] = []string{Redacted}
		}
	}
	return out
}

// rpcMethodRE finds a JSON-RPC method near the start of a body that may be cut short.
var rpcMethodRE = regexp.MustCompile(`"method"\s*:\s*"([A-Za-z0-9_/.$-]{1,80})"`)

// jsonRPCMethod is the JSON-RPC method of a request body's beginning, "" when it names none.
func jsonRPCMethod(head []byte) string {
	if m := rpcMethod(string(head)); m != "" {
		return m
	}
	if bytes.Contains(head, []byte(`"jsonrpc"`)) {
		if m := rpcMethodRE.FindSubmatch(head); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// capture counts a body's bytes and keeps its first limit bytes. Safe for concurrent use (a
// request body is read by the transport's goroutine while the handler builds the event).
type capture struct {
	mu    sync.Mutex
	limit int
	n     int64
	buf   []byte
}

func (c *capture) add(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int64(len(p))
	if room := c.limit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
}

func (c *capture) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *capture) head() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.buf...)
}

// preview is the kept beginning, redacted, and whether the body went on past it. A compressed body
// is only measured: the tap forwards it as it is and decodes nothing.
func (c *capture) preview(h http.Header, extra []string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if enc := h.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return fmt.Sprintf("(%s-encoded body, %d bytes: the tap forwards it without decoding it)", enc, c.n), false
	}
	return RedactBody(h.Get("Content-Type"), c.buf, extra), c.n > int64(len(c.buf))
}

// captureReader passes a request body through, capturing as it goes.
type captureReader struct {
	rc io.ReadCloser
	c  *capture
}

func (r *captureReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if n > 0 {
		r.c.add(p[:n])
	}
	return n, err
}

func (r *captureReader) Close() error { return r.rc.Close() }

// tapOrder hands events to OnEvent in arrival order: an event that is ready before an earlier
// one waits for it. Delivery runs on one goroutine; a slow receiver slows the requests down
// (bounded memory) instead of piling events up.
type tapOrder struct {
	mu     sync.Mutex
	next   int64
	ready  map[int64]TapEvent
	out    chan TapEvent
	done   chan struct{}
	closed bool
}

func newTapOrder(on func(TapEvent)) *tapOrder {
	o := &tapOrder{next: 1, ready: map[int64]TapEvent{}, out: make(chan TapEvent, 256), done: make(chan struct{})}
	go func() {
		defer close(o.done)
		for ev := range o.out {
			if on != nil {
				on(ev)
			}
		}
	}()
	return o
}

func (o *tapOrder) put(ev TapEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return // a request the shutdown cut short, after the last delivery
	}
	o.ready[ev.Seq] = ev
	for {
		e, ok := o.ready[o.next]
		if !ok {
			return
		}
		delete(o.ready, o.next)
		o.next++
		o.out <- e
	}
}

// close delivers what is ready (in order, past the requests that never reported) and waits for
// the receiver to take it.
func (o *tapOrder) close() {
	o.mu.Lock()
	o.closed = true
	seqs := make([]int64, 0, len(o.ready))
	for s := range o.ready {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	for _, s := range seqs {
		o.out <- o.ready[s]
	}
	close(o.out)
	o.mu.Unlock()
	<-o.done
}
