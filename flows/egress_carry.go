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
	if body, ok := peekBody(req); !ok {
		found["a body too large to inspect"] = true
	} else if len(body) > 0 {
		text(string(body))
		fields(parseFormLenient(string(body)))
	}
	if len(found) == 0 {
		return ""
	}
	var list []string
	for w := range found {
		list = append(list, w)
	}
	sort.Strings(list)
	return joinWords(list)
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
