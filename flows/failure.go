package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/oboscope/oboscope/inspect"
)

// entraErrorFrom finds Entra's error answer among a hop's exchanges (the last answer of 400 or
// more that parses as Entra's error JSON) or, failing that, in MSAL's error text.
func entraErrorFrom(xs []Exchange, err error) *inspect.EntraError {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Status >= 400 {
			if e, perr := inspect.ParseEntraError([]byte(xs[i].ResponseBody)); perr == nil && isEntra(e) {
				return e
			}
		}
	}
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "reply status code was"); i >= 0 {
			if e, perr := inspect.ParseEntraError([]byte(msg[i:])); perr == nil && isEntra(e) {
				return e
			}
		}
	}
	return nil
}

// isEntra reports whether an OAuth error body is Entra's: it carries AADSTS codes.
func isEntra(e *inspect.EntraError) bool {
	return len(e.Codes) > 0 || strings.HasPrefix(e.Description, "AADSTS")
}

// describeFailure turns a failed step into one line naming the hop and the cause: Entra's error,
// a transport failure (unreachable, TLS, timeout), a redirect, an HTML page, a 5xx, broken JSON.
func describeFailure(hop string, err error, xs []Exchange) string {
	if errors.Is(err, context.Canceled) {
		return hop + ": cancelled"
	}
	var last *Exchange
	if len(xs) > 0 {
		last = &xs[len(xs)-1]
	}
	if e := entraErrorFrom(xs, err); e != nil {
		return fmt.Sprintf("%s: Entra answered %s: %s", hop, valueOr(e.Err, "an error"), firstLine(e.Description))
	}
	if last != nil {
		if s := describeExchange(*last); s != "" {
			return hop + ": " + s
		}
	}
	if err != nil {
		if s := issuerMismatch(err.Error()); s != "" {
			return hop + ": " + s
		}
		return hop + ": " + noTokens(RedactText(oneLine(DescribeNetError(err)), nil))
	}
	return hop + ": failed"
}

// msalIssuerMismatch matches MSAL's refusal of an authority whose metadata names another issuer.
var msalIssuerMismatch = regexp.MustCompile(`issuer '([^']*)' does not match authority '([^']*)'`)

// issuerMismatch explains MSAL's "TenantDiscoveryResponse: issuer … does not match authority …"
// in one line naming both hosts and the fix, or returns "" for other errors.
func issuerMismatch(msg string) string {
	m := msalIssuerMismatch.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	iss, auth := m[1], m[2]
	iu, err1 := url.Parse(iss)
	au, err2 := url.Parse(auth)
	if err1 != nil || err2 != nil || iu.Host == "" {
		return fmt.Sprintf("the authority's metadata names issuer %s, which does not match the authority %s", iss, auth)
	}
	if !strings.EqualFold(iu.Host, au.Host) {
		return fmt.Sprintf("the authority's metadata names issuer host %s but authority_host is %s://%s: use authority_host %s://%s",
			iu.Host, au.Scheme, au.Host, iu.Scheme, iu.Host)
	}
	return fmt.Sprintf("the authority's metadata names issuer %s, which does not match the authority %s: check tenant_id", iss, auth)
}

// describeExchange explains an exchange that went wrong, or returns "" when it looks fine.
func describeExchange(x Exchange) string {
	host := hostOfURL(x.URL)
	switch {
	case x.Err != "":
		return fmt.Sprintf("%s %s: %s", x.Method, host, x.Err)
	case x.Status >= 300 && x.Status < 400:
		loc := ""
		if x.ResponseHeaders != nil {
			loc = x.ResponseHeaders.Get("Location")
		}
		return fmt.Sprintf("%s answered %d redirecting to %s; oboscope does not follow redirects (a token must not travel to another host)", host, x.Status, valueOr(hostOfURL(loc), "another location"))
	case looksHTML(x):
		return fmt.Sprintf("%s answered %d with an HTML page instead of JSON (%s)", host, x.Status, htmlTitle(x.ResponseBody))
	case x.Status >= 500:
		return fmt.Sprintf("%s answered %d %s", host, x.Status, shortBody(x.ResponseBody))
	case x.Status >= 400:
		return fmt.Sprintf("%s answered %d %s", host, x.Status, shortBody(x.ResponseBody))
	case isJSONType(x) && x.ResponseBody != "" && !json.Valid([]byte(x.ResponseBody)):
		return fmt.Sprintf("%s answered %d with invalid or truncated JSON", host, x.Status)
	}
	return ""
}

func isJSONType(x Exchange) bool {
	return x.ResponseHeaders != nil && strings.Contains(strings.ToLower(x.ResponseHeaders.Get("Content-Type")), "json")
}

func looksHTML(x Exchange) bool {
	ct := ""
	if x.ResponseHeaders != nil {
		ct = strings.ToLower(x.ResponseHeaders.Get("Content-Type"))
	}
	b := strings.ToLower(strings.TrimSpace(x.ResponseBody))
	return strings.Contains(ct, "text/html") || strings.HasPrefix(b, "<!doctype html") || strings.HasPrefix(b, "<html")
}

func htmlTitle(body string) string {
	// Byte for byte (strings.ToLower turns each byte that is not UTF-8 into three): the offsets
	// found in l are body's.
	l := asciiLower(body)
	i := strings.Index(l, "<title>")
	j := strings.Index(l, "</title>")
	if i >= 0 && j > i {
		return "title: " + strings.TrimSpace(body[i+7:j])
	}
	return "no title"
}

// shortBody summarises a response body for a one-line error: Entra's code and description, an
// error or message field of other JSON, or a text body (whole up to maxTextBody bytes) — never a
// token, not even one whose signature was removed. Messages are kept whole: reports and the TUI
// show what the server said, and only a one-line display may shorten it.
func shortBody(b string) string {
	b = strings.TrimSpace(b)
	if b == "" {
		return "with an empty body"
	}
	if e, err := inspect.ParseEntraError([]byte(b)); err == nil && isEntra(e) {
		return "— " + firstLine(e.Description)
	}
	var obj map[string]any
	if json.Unmarshal([]byte(b), &obj) == nil {
		for _, k := range []string{"error_description", "message", "detail", "error", "title"} {
			switch v := obj[k].(type) {
			case string:
				return "— " + k + ": " + noTokens(oneLine(v))
			case map[string]any:
				if m, ok := v["message"].(string); ok {
					return "— " + k + ": " + noTokens(oneLine(m))
				}
			}
		}
		return fmt.Sprintf("with a JSON body (%d bytes)", len(b))
	}
	return "— " + clipWords(noTokens(oneLine(b)), maxTextBody)
}

// tokenLike matches anything shaped like a JWT, whole or with its signature removed.
var tokenLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_()\- ]*)?`)

// noTokens replaces every token-shaped string with [token].
func noTokens(s string) string { return tokenLike.ReplaceAllString(s, "[token]") }

// maxTextBody caps how much of a plain-text error body (not JSON, not HTML) a hop's error quotes:
// a server may answer a whole log or page as text; the exchange keeps the body.
const maxTextBody = 2000

// clipWords shortens s to at most n bytes at a space, so that no word, GUID, URL or AADSTS code is
// cut, and says how long the whole text was. A single word longer than n is kept whole.
func clipWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := strings.LastIndexByte(s[:n+1], ' ')
	if i <= 0 {
		return s
	}
	return fmt.Sprintf("%s … (%d bytes in all: the exchange holds the whole body)", strings.TrimRight(s[:i], " "), len(s))
}

// clip shortens s to n bytes (on a rune boundary) with an ellipsis. It is for comparisons of
// prefixes only: stored messages are never clipped.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.Join(strings.Fields(s), " ")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

func hostOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}
