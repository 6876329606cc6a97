package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// Redacted replaces a secret value in every recorded exchange and report.
const Redacted = "[redacted]"

// normKey folds a form field, query parameter, JSON key or header name to one spelling: lower
// case, without '_' and '-' (client_secret, clientSecret, ClientSecret and client-secret are one
// key).
func normKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '_' || r == '-':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, k)
}

// isSecretField reports whether a form field, query parameter or JSON key (in any casing) holds a
// secret, a code or a token. Such values never reach an exchange, an event or a report.
func isSecretField(k string) bool {
	n := normKey(k)
	switch n {
	case "clientsecret", "clientassertion", "assertion", "code", "devicecode", "codeverifier", "refreshtoken",
		"password", "accesstoken", "idtoken", "subjecttoken", "actortoken", "token", "secret", "sessionstate",
		"subscriptionkey", "functionskey", "accesskey", "sharedaccesskey", "masterkey", "privatekey", "clientkey", "sig", "signature":
		return true
	}
	return strings.Contains(n, "secret") || strings.Contains(n, "password") || strings.HasSuffix(n, "token") || strings.HasSuffix(n, "apikey")
}

// isTokenField reports whether a field holds a token that is redacted keeping its header and
// payload (signature removed), so a person can still read what was issued.
func isTokenField(k string) bool {
	switch normKey(k) {
	case "accesstoken", "idtoken", "assertion", "subjecttoken", "actortoken", "token":
		return true
	}
	return false
}

// isSecretHeader reports whether a header is redacted whole (Authorization and
// Proxy-Authorization keep their scheme): cookies, and every header whose name says it holds a
// key, a token, a secret, a password or a credential (Ocp-Apim-Subscription-Key, Api-Key,
// X-Api-Key, X-Functions-Key, X-Ms-Client-Secret, X-Ms-Token-Aad-Id-Token …). WWW-Authenticate is
// a challenge, not a credential, and is kept.
func isSecretHeader(k string) bool {
	n := normKey(k)
	switch n {
	case "authorization", "proxyauthorization", "cookie", "setcookie":
		return true
	case "wwwauthenticate", "proxyauthenticate", "authenticationinfo":
		return false
	}
	return strings.HasSuffix(n, "key") || strings.Contains(n, "apikey") || strings.Contains(n, "token") || strings.Contains(n, "secret") ||
		strings.Contains(n, "password") || strings.Contains(n, "credential") || strings.Contains(n, "signature")
}

// jwtRE finds anything that looks like a compact JWS (three base64url segments, the first two
// JSON objects starting with '{"'), wherever it is.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}`)

// StripSignature keeps a JWT's header and payload and removes its signature, so the result can be
// decoded and read but never replayed. Anything that is not a three-part token becomes [redacted].
func StripSignature(raw string) string {
	raw = strings.TrimSpace(raw)
	parts := strings.Split(raw, ".")
	if len(parts) >= 2 && len(parts) <= 3 && strings.HasPrefix(parts[0], "eyJ") {
		return parts[0] + "." + parts[1] + ".(signature removed)"
	}
	return Redacted
}

// RedactText removes every JWT signature, every secret-named value written as a form field or a
// JSON member (refresh_token=…, "clientSecret": "…", in any casing) and every extra secret (the
// configured client secrets, also URL-encoded, base64-encoded or in another case) from free text:
// error messages, HTML pages, plain-text bodies, SSE streams.
func RedactText(s string, extra []string) string {
	s = jwtRE.ReplaceAllStringFunc(s, func(m string) string {
		p := strings.Split(m, ".")
		return p[0] + "." + p[1] + ".(signature removed)"
	})
	s = redactNamedValues(s)
	return redactSecrets(s, extra)
}

// RedactHeaders copies h with secrets removed: Authorization keeps its scheme and a stripped
// token, credential headers are redacted whole, URLs (Location) lose their secret parameters, and
// every other value and name is redacted as text.
func RedactHeaders(h http.Header, extra []string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			switch {
			case ck == "Authorization" || ck == "Proxy-Authorization":
				scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
				switch {
				case ok && strings.EqualFold(scheme, "Bearer"):
					v = RedactText(scheme, extra) + " " + redactSecrets(StripSignature(rest), extra)
				case ok || isAuthScheme(scheme):
					v = RedactText(scheme, extra) + " " + Redacted
				default:
					v = Redacted
				}
			case isSecretHeader(ck):
				v = Redacted
			case ck == "Location" || ck == "Content-Location" || ck == "Referer":
				v = RedactURL(v, extra)
			default:
				v = RedactText(v, extra)
			}
			rk := RedactText(ck, extra)
			out[rk] = append(out[rk], v)
		}
	}
	return out
}

// isAuthScheme reports whether s is an HTTP authentication scheme name on its own ("Bearer"),
// not a credential written without one.
func isAuthScheme(s string) bool {
	switch strings.ToLower(s) {
	case "bearer", "basic", "digest", "negotiate", "ntlm", "pop", "dpop", "mac", "hoba", "mutual":
		return true
	}
	return false
}

// RedactURL removes secret query parameters (code, tokens …) from a URL.
func RedactURL(raw string, extra []string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return RedactText(raw, extra)
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		u.RawQuery = redactForm(u.Query(), extra).Encode()
	}
	if u.Fragment != "" {
		if q, err := url.ParseQuery(u.Fragment); err == nil {
			u.Fragment = redactForm(q, extra).Encode()
		}
	}
	return RedactText(u.String(), extra)
}

func redactForm(q url.Values, extra []string) url.Values {
	out := make(url.Values, len(q))
	for k, vs := range q {
		rk := RedactText(k, extra) // a malformed body can carry a token where a key should be
		for _, v := range vs {
			out[rk] = append(out[rk], redactValue(k, v, extra))
		}
	}
	return out
}

func redactValue(key, v string, extra []string) string {
	if isTokenField(key) {
		return redactSecrets(StripSignature(v), extra)
	}
	if isSecretField(key) {
		return Redacted
	}
	return RedactText(v, extra)
}

// RedactBody redacts a request or response body by its content type: form fields and JSON keys
// that hold secrets, then every JWT signature and every extra secret anywhere in the text.
func RedactBody(contentType string, body []byte, extra []string) string {
	if len(body) == 0 {
		return ""
	}
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		// A malformed form (a ';' separator, a bad %-escape) is still read field by field: falling
		// back to text would keep what a field named client_secret holds.
		return encodeSorted(redactForm(parseFormLenient(string(body)), extra))
	case strings.Contains(ct, "json"):
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			// Not HTML-escaped: a token's summary reads <JWT, …>, not \u003cJWT, …\u003e.
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(redactJSON("", v, extra)); err == nil {
				return strings.TrimSuffix(b.String(), "\n")
			}
		}
	}
	return RedactText(string(body), extra)
}

func encodeSorted(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

func redactJSON(key string, v any, extra []string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[RedactText(k, extra)] = redactJSON(k, x, extra)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = redactJSON(key, x, extra)
		}
		return out
	case string:
		if isTokenField(key) {
			return redactSecrets(SummariseToken(t), extra)
		} else if normKey(key) == "refreshtoken" {
			return "<redacted>"
		}
		if key != "" {
			return redactValue(key, t, extra)
		}
		return RedactText(t, extra)
	default:
		return v
	}
}

// SummariseToken stands for a token in a recorded JSON body (a token endpoint's access_token and
// id_token): its size, audience, scopes or roles, and that its signature was removed — what a
// person reads an exchange for — instead of lines of base64. The hop's tokens hold the decoded
// token. Anything that is not a JWT is only measured: "<opaque token, N chars · redacted>".
func SummariseToken(v string) string {
	v = strings.TrimSpace(v)
	stripped := StripSignature(v)
	tok, err := inspect.DecodeUnverified(stripped)
	if stripped == Redacted || err != nil || tok.Format != inspect.FormatJWS {
		if v == "" {
			return "<redacted>"
		}
		return fmt.Sprintf("<opaque token, %d chars · redacted>", len(v))
	}
	parts := []string{fmt.Sprintf("JWT, %d chars", len(stripped))}
	if len(tok.Audiences) > 0 {
		parts = append(parts, "aud "+tok.Audiences[0])
	}
	switch {
	case len(tok.Scopes) > 0:
		parts = append(parts, "scp "+strings.Join(tok.Scopes, " "))
	case len(tok.Roles) > 0:
		parts = append(parts, "roles "+strings.Join(tok.Roles, " "))
	}
	parts = append(parts, "signature removed")
	return RedactText("<"+strings.Join(parts, " · ")+">", nil)
}
