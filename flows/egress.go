package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// This file is the walk's egress policy: where its requests may go. It sits in the transport,
// under the trace (so a refusal is recorded as an exchange), and is configured from the Config:
//
//   - https only; http only to a loopback host (the sandbox, a local test server);
//   - a request carrying a token, an assertion or a secret (an Authorization header, a form field
//     such as client_secret, assertion, refresh_token, code or device_code, a token anywhere in
//     it, a configured secret in any encoding) goes only to an origin — scheme, host and port —
//     the configuration names: the authority, the agent API, the MCP server (and what a caller
//     adds, e.g. a tap's upstream). Anything else is refused before it is sent, whatever a
//     discovery or metadata document said; the hop turns the refusal into
//     authority.endpoint-off-host;
//   - a request to a host the configuration does not name (metadata an MCP server points at) is
//     refused when the host is, or resolves to, a loopback, link-local, private or cloud
//     metadata address. The address is checked where the connection is made (the dialer's
//     Control hook), after resolution, so a DNS name rebinding to 169.254.169.254 is refused too.
//     (Through an HTTP proxy of the environment the proxy resolves the name: only literal
//     addresses and metadata names are refused then.)

// EgressError is a request the egress policy refused before sending it.
type EgressError struct {
	URL string // the request's URL, without its query
	// Carrying names what the request carried that may go only to the configured hosts ("a
	// client secret and an assertion"); "" when it carried nothing of the kind.
	Carrying string
	Reason   string // why, in words
}

func (e *EgressError) Error() string {
	if e.Carrying != "" {
		return fmt.Sprintf("refused: oboscope does not send %s to %s (%s)", e.Carrying, e.URL, e.Reason)
	}
	return fmt.Sprintf("refused: oboscope does not fetch %s (%s)", e.URL, e.Reason)
}

// OffHost reports whether the refused request carried a token, an assertion or a secret: the
// refusal is then the finding authority.endpoint-off-host.
func (e *EgressError) OffHost() bool { return e.Carrying != "" }

// egressPolicy is where a walk's requests may go: the origins of the configuration.
type egressPolicy struct {
	origins map[string]bool // "https://host:443", lower case, port explicit
	dial    map[string]bool // "host:port" a connection may always be made to (configured, proxies)
	secrets []string        // the configured secret values
}

// newEgressPolicy builds the policy of cfg: its authority, agent API (or Foundry project) and MCP
// server, plus the URLs in allow (a tap's upstream).
func newEgressPolicy(cfg Config, allow ...string) *egressPolicy {
	p := &egressPolicy{origins: map[string]bool{}, dial: map[string]bool{}, secrets: cfg.secrets()}
	for _, u := range append(append([]string{cfg.authorityHost(), cfg.Agent.URL, cfg.Agent.ProjectEndpoint, cfg.MCP.URL}, entraAliases(cfg.authorityHost())...), allow...) {
		if o, hp, ok := originOf(u); ok {
			p.origins[o] = true
			p.dial[hp] = true
		}
	}
	// The proxies of the environment are the person's own: the connection to them is theirs to
	// make (the proxy then reaches the host the request names).
	for _, name := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if v := os.Getenv(name); v != "" {
			if !strings.Contains(v, "://") {
				v = "http://" + v
			}
			if _, hp, ok := originOf(v); ok {
				p.dial[hp] = true
			}
		}
	}
	return p
}

// entraHostGroups are the host names of each Microsoft cloud's authority that MSAL's instance
// discovery treats as one (it may send a request to the group's preferred_network host whichever
// alias was configured).
var entraHostGroups = [][]string{
	{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"},
	{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"},
	{"login.microsoftonline.us", "login.usgovcloudapi.net"},
}

// entraAliases returns the https URLs of the other hosts of authority's cloud, or nil when the
// authority is not one of Microsoft's.
func entraAliases(authority string) []string {
	u, err := url.Parse(authority)
	if err != nil || u.Scheme != "https" || u.Port() != "" {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	for _, g := range entraHostGroups {
		for _, h := range g {
			if h == host {
				var out []string
				for _, a := range g {
					out = append(out, "https://"+a)
				}
				return out
			}
		}
	}
	return nil
}

// originOf returns the origin ("https://host:443") and host:port of a URL, lower case, the port
// explicit.
func originOf(raw string) (origin, hostport string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		case "socks5":
			port = "1080"
		default:
			return "", "", false
		}
	}
	hp := net.JoinHostPort(host, port)
	return scheme + "://" + hp, hp, true
}

// check decides whether req may be sent; a refusal is an *EgressError.
func (p *egressPolicy) check(req *http.Request) error {
	u := req.URL
	where := u.Scheme + "://" + u.Host + u.EscapedPath()
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(host):
	case u.Scheme == "http":
		return &EgressError{URL: where, Carrying: p.carries(req), Reason: "plain http to " + host + ": https only (http only to loopback)"}
	default:
		return &EgressError{URL: where, Carrying: p.carries(req), Reason: "scheme " + u.Scheme + ": https only"}
	}
	if o, _, ok := originOf(u.String()); ok && p.origins[o] {
		return nil
	}
	if c := p.carries(req); c != "" {
		return &EgressError{URL: where, Carrying: c, Reason: "the configuration names no such host: tokens and secrets go only to the authority, the agent API and the MCP server"}
	}
	if why := blockedHost(host); why != "" {
		return &EgressError{URL: where, Reason: why + ", and the configuration does not name it"}
	}
	return nil
}

// blockedHost says why a host the configuration does not name must not be fetched from: a
// loopback, link-local, private or cloud metadata address, or a metadata service's name; "" when
// it may (its addresses are checked again when the connection is made).
func blockedHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	switch h {
	case "localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal":
		return h + " is a loopback or cloud metadata name"
	}
	if strings.HasSuffix(h, ".localhost") {
		return h + " is a loopback name"
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return blockedAddr(a)
	}
	return ""
}

// metadataAddrs are the cloud instance metadata services outside the link-local and private
// ranges (AWS's IPv6 one is in fc00::/7 and Alibaba's in 100.64/10).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("100.100.100.200"),
}

// nat64 is the well-known NAT64 prefix: 64:ff9b::a9fe:a9fe reaches 169.254.169.254.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// blockedAddr says why an address the configuration does not name must not be connected to, or "".
func blockedAddr(a netip.Addr) string {
	a = a.Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		if why := blockedAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); why != "" {
			return why + " (through NAT64)"
		}
	}
	for _, m := range metadataAddrs {
		if a == m {
			return a.String() + " is a cloud metadata address"
		}
	}
	switch {
	case a.IsLoopback(), a.IsUnspecified():
		return a.String() + " is a loopback address"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return a.String() + " is a link-local address"
	case a.IsPrivate():
		return a.String() + " is a private address"
	case !a.IsGlobalUnicast():
		return a.String() + " is not a public unicast address"
	}
	return ""
}

// dialContext returns a DialContext that connects freely to the configured hosts and the
// environment's proxies, and to any other host only when the address it resolved to is public:
// the check runs in the dialer's Control hook, on the address actually connected to.
func (p *egressPolicy) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := *d
	guarded.Control = func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return &EgressError{URL: address, Reason: "not an IP address"}
		}
		if why := blockedAddr(a); why != "" {
			return &EgressError{URL: address, Reason: why + ", and the configuration does not name the host that resolved to it"}
		}
		return nil
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && p.dial[net.JoinHostPort(strings.TrimSuffix(strings.ToLower(host), "."), port)] {
			return d.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// egressTransport applies the policy to every request and caps every response body.
type egressTransport struct {
	policy *egressPolicy
	next   http.RoundTripper
	limit  int64 // the response body cap; 0 for none (the tap streams what it forwards)
}

func (t *egressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.policy.check(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if t.limit > 0 {
		resp.Body = &cappedBody{rc: resp.Body, left: t.limit, limit: t.limit, host: req.URL.Host, length: resp.ContentLength}
	}
	return resp, nil
}

// CloseIdleConnections passes the call on, so http.Client.CloseIdleConnections reaches the
// transport below.
func (t *egressTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// withEgress returns a copy of c whose transport applies the policy (c's own transport below it),
// unless it already does.
func withEgress(c *http.Client, p *egressPolicy) *http.Client {
	out := *c
	if _, ok := out.Transport.(*egressTransport); ok {
		return &out
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = &egressTransport{policy: p, next: next, limit: MaxResponseBody}
	return &out
}

// MaxResponseBody caps every response body the walk reads: token answers, metadata, MCP answers
// and SSE streams are kilobytes, so 8 MiB is generous, and a server answering more cannot grow
// oboscope's memory (MSAL and the MCP SDK read whole bodies).
const MaxResponseBody = 8 << 20

// BodyTooLargeError is a response body cut at the cap.
type BodyTooLargeError struct {
	Host  string
	Limit int64
	// Length is the Content-Length the server announced, -1 when it did not.
	Length int64
}

func (e *BodyTooLargeError) Error() string {
	if e.Length > e.Limit {
		return fmt.Sprintf("%s announced a %s answer, over the %s cap on a response body: not read", e.Host, byteSize(e.Length), byteSize(e.Limit))
	}
	return fmt.Sprintf("%s's answer exceeded the %s cap on a response body: reading stopped there", e.Host, byteSize(e.Limit))
}

// byteSize writes n bytes as a person reads it: 8 MiB, 1.0 GiB, 512 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cappedBody is a response body that fails once more than limit bytes arrive.
type cappedBody struct {
	rc          io.ReadCloser
	left, limit int64
	length      int64
	host        string
	err         error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.length > b.limit {
		return 0, b.fail()
	}
	if b.left <= 0 {
		// At the cap: one more byte means the answer is larger.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, b.fail()
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) fail() error {
	b.err = &BodyTooLargeError{Host: b.host, Limit: b.limit, Length: b.length}
	b.rc.Close()
	return b.err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// isEgressError reports whether err is (or wraps) a refusal of the egress policy.
func isEgressError(err error) (*EgressError, bool) {
	var e *EgressError
	ok := errors.As(err, &e)
	return e, ok
}
