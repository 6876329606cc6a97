package flows

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// secretNames are the names of values redacted wherever they are written as name=value or as a
// JSON member in free text, in any casing and with or without '_' or '-' (refresh_token,
// refreshToken, Refresh-Token). The short generic names (code, secret, token …) are matched only
// as a form field or a quoted JSON member, never as a word of prose.
const secretNames = `client[_-]?secret|client[_-]?assertion|refresh[_-]?token|access[_-]?token|id[_-]?token|device[_-]?code|` +
	`code[_-]?verifier|subject[_-]?token|actor[_-]?token|api[_-]?key|subscription[_-]?key|functions[_-]?key|` +
	`assertion|password|secret|token|code|sig`

// formValueRE finds name=value where name is a secret's (after the start of the text, a space, a
// quote, '?', '&', ';' or '(' — so error_code=… is left alone), and the value runs to the next
// separator.
var formValueRE = regexp.MustCompile(`(?i)((?:^|[\s"'?&;(,<>\[{])(?:` + secretNames + `)=)([^&;\s"'<>]+)`)

// jsonValueRE finds a quoted JSON member "name": "value" of a secret's name, its value up to the
// closing quote (escaped quotes included).
var jsonValueRE = regexp.MustCompile(`(?i)("(?:` + secretNames + `)"\s*:\s*")((?:[^"\\]|\\.)*)(")`)

// redactNamedValues redacts the values of secret-named form fields and JSON members in free text:
// an HTML or plain-text body echoing a request (refresh_token=…&client_secret=…&code=…), an SSE
// stream, an error message.
func redactNamedValues(s string) string {
	if !strings.Contains(s, "=") && !strings.Contains(s, `"`) {
		return s
	}
	s = formValueRE.ReplaceAllStringFunc(s, func(m string) string {
		name, value, _ := strings.Cut(m, "=")
		if value == Redacted || value == url.QueryEscape(Redacted) {
			return m // already redacted (a URL's query, re-encoded)
		}
		if isErrorCodeParam(name, value) {
			return m // Entra's error page link: error?code=65001 is an AADSTS number, not a credential
		}
		return name + "=" + Redacted
	})
	return jsonValueRE.ReplaceAllString(s, "${1}"+Redacted+"${3}")
}

// isErrorCodeParam reports whether name=value is a numeric code parameter (Entra's error_uri,
// https://login.microsoftonline.com/error?code=65001): an authorization code is never a short
// number.
func isErrorCodeParam(name, value string) bool {
	n := strings.ToLower(strings.TrimLeft(name, " \t\n\"'?&;(,<>[{"))
	if n != "code" || len(value) > 10 {
		return false
	}
	return strings.Trim(value, "0123456789") == ""
}

// minSecretLength is the shortest configured secret redacted in free text: shorter values would
// redact ordinary words.
const minSecretLength = 6

// redactSecrets replaces every configured secret in s, in every form a server may echo it:
// as is, URL-encoded (query or path escaping), JSON-escaped, base64-encoded (standard or URL
// alphabet, padded or not, at any alignment inside a longer encoding), and in any ASCII case.
func redactSecrets(s string, extra []string) string {
	for _, x := range extra {
		if len(x) < minSecretLength {
			continue
		}
		for _, v := range secretVariants(x) {
			s = replaceFold(s, v, Redacted)
		}
	}
	return s
}

// secretVariants returns the forms of secret to look for, longest first.
func secretVariants(secret string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if len(v) >= minSecretLength && !seen[strings.ToLower(v)] {
			seen[strings.ToLower(v)] = true
			out = append(out, v)
		}
	}
	add(secret)
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	if b, err := json.Marshal(secret); err == nil {
		add(strings.Trim(string(b), `"`))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		// The secret k bytes into a longer encoded value: only the characters that depend on
		// the secret's bytes alone are the same whatever surrounds it.
		for k := 0; k < 3; k++ {
			full := enc.EncodeToString(append(make([]byte, k), secret...))
			from := (8*k + 5) / 6
			to := 8 * (k + len(secret)) / 6
			if to > from {
				add(full[from:to])
			}
		}
		add(strings.TrimRight(enc.EncodeToString([]byte(secret)), "="))
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// replaceFold replaces every occurrence of old in s, ASCII case ignored, by repl.
func replaceFold(s, old, repl string) string {
	ls, lo := asciiLower(s), asciiLower(old)
	i := strings.Index(ls, lo)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for i >= 0 {
		b.WriteString(s[at : at+i])
		b.WriteString(repl)
		at += i + len(lo)
		i = strings.Index(ls[at:], lo)
	}
	b.WriteString(s[at:])
	return b.String()
}

// asciiLower lower-cases ASCII letters only, byte by byte, so byte offsets stay those of s (even
// where s is not UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// parseFormLenient reads a form body field by field whatever its flaws: '&' and ';' both
// separate fields, and a name or value whose %-escapes are broken is kept as written.
func parseFormLenient(s string) url.Values {
	out := url.Values{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out[k] = append(out[k], v)
	}
	return out
}
