package flows

import (
	"bytes"
	"io"
	"net/http"
	"sort"
	"strings"
)

// maxInspectedBody is how much of a request body the egress policy reads to see what it carries;
// a longer body bound for a host the configuration does not name is refused unread.
const maxInspectedBody = 1 << 20

// carriedNames name, in words, what a request field carries ("a client secret").
var carriedNames = map[string]string{
	"clientsecret":    "a client secret",
	"clientassertion": "a client assertion",
	"assertion":       "the user's assertion",
	"refreshtoken":    "a refresh token",
	"code":            "an authorization code",
	"devicecode":      "a device code",
	"codeverifier":    "a PKCE code verifier",
	"subjecttoken":    "a token",
	"actortoken":      "a token",
	"accesstoken":     "a token",
	"idtoken":         "a token",
	"token":           "a token",
	"password":        "a password",
}

// carries says what req carries that may go only to the configured hosts — "a client secret and
// the user's assertion" — or "" when it carries nothing of the kind: credential headers
// (Authorization, cookies, API keys), secret form fields and query parameters, a token anywhere in
// its URL, headers or body, or a configured secret in any encoding.
func (p *egressPolicy) carries(req *http.Request) string {
	found := map[string]bool{}
	text := func(s string) {
		if jwtRE.MatchString(s) {
			found["a token"] = true
		}
		if redactSecrets(s, p.secrets) != s {
			found["a configured client secret"] = true
		}
	}
	fields := func(vals map[string][]string) {
		for k, vs := range vals {
			n := normKey(k)
			if what, ok := carriedNames[n]; ok {
				found[what] = true
			} else if isSecretField(k) {
				found["a secret ("+n+")"] = true
			}
			for _, v := range vs {
				text(v)
			}
		}
	}
	for k, vs := range req.Header {
		if isSecretHeader(k) {
			found["a credential header ("+http.CanonicalHeaderKey(k)+")"] = true
		}
		for _, v := range vs {
			text(v)
		}
	}
	text(req.URL.String())
	fields(parseFormLenient(req.URL.RawQuery))
	body, ok := peekBody(req)
	switch {
	case !ok:
		found["a body too large to inspect"] = true
	case len(body) > 0:
		text(string(body))
		form := parseFormLenient(string(body))
		fields(form)
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			// Metadata is fetched with GET; a request that sends something is one of the
			// flow's own (a token or device code request) and goes only where the config says.
			found[requestKind(req, form)] = true
		}
	}
	return describeCarried(found)
}

// describeCarried writes what a request carries in a few words: the kind of request first, then
// what it holds ("a token request (grant_type jwt-bearer) with a client secret and the user's
// assertion"), without saying one thing twice.
func describeCarried(found map[string]bool) string {
	if found["a client secret"] {
		delete(found, "a configured client secret")
	}
	if found["the user's assertion"] || found["a client assertion"] || found["a refresh token"] {
		delete(found, "a token")
	}
	kind := ""
	var items []string
	for w := range found {
		switch {
		case strings.HasPrefix(w, "a token request"), w == "a device code request", strings.HasSuffix(w, " request") && kind == "":
			kind = w
		default:
			items = append(items, w)
		}
	}
	sort.Strings(items)
	switch {
	case kind != "" && len(items) > 0:
		return kind + " with " + joinWords(items)
	case kind != "":
		return kind
	}
	return joinWords(items)
}

// peekBody returns req's body without consuming it (through GetBody, or by reading it and putting
// it back); ok is false when it is longer than maxInspectedBody or cannot be read.
func peekBody(req *http.Request) ([]byte, bool) {
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		return nil, true
	case req.GetBody != nil:
		rc, err := req.GetBody()
		if err != nil {
			return nil, false
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxInspectedBody+1))
		return b, err == nil && len(b) <= maxInspectedBody
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxInspectedBody+1))
	rest := req.Body
	req.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), rest}
	return b, err == nil && len(b) <= maxInspectedBody
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// requestKind names a request that sends a body: "a device code request", "a token request
// (grant_type client_credentials)", "a POST request".
func requestKind(req *http.Request, form map[string][]string) string {
	switch gt := form["grant_type"]; {
	case len(gt) > 0:
		g := gt[0]
		if i := strings.LastIndex(g, ":"); i >= 0 && i < len(g)-1 {
			g = g[i+1:] // urn:ietf:params:oauth:grant-type:jwt-bearer → jwt-bearer
		}
		return "a token request (grant_type " + g + ")"
	case strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/devicecode"):
		return "a device code request"
	}
	return "a " + req.Method + " request"
}
