package inspect

import (
	"errors"
	"fmt"
	"strings"
)

// Challenge is one authentication challenge of a WWW-Authenticate header (RFC 7235 §4.1): a
// scheme and either auth-params (names lower-cased) or a token68.
type Challenge struct {
	Scheme  string
	Params  map[string]string
	Token68 string `json:",omitempty"`
}

// Param returns the value of the auth-param name (case-insensitive), "" when absent.
func (c Challenge) Param(name string) string { return c.Params[strings.ToLower(name)] }

// IsBearer reports whether the challenge's scheme is Bearer (RFC 6750).
func (c Challenge) IsBearer() bool { return strings.EqualFold(c.Scheme, "Bearer") }

// BearerChallenge returns the first Bearer challenge of cs.
func BearerChallenge(cs []Challenge) (Challenge, bool) {
	for _, c := range cs {
		if c.IsBearer() {
			return c, true
		}
	}
	return Challenge{}, false
}

// ParseBearerChallenge returns the first Bearer challenge of a WWW-Authenticate header. On a
// syntax error the challenges read up to it still count: what a server said before its mistake
// is what clients act on.
func ParseBearerChallenge(header string) (Challenge, bool) {
	if strings.TrimSpace(header) == "" {
		return Challenge{}, false
	}
	cs, _ := ParseWWWAuthenticate(header)
	return BearerChallenge(cs)
}

// ErrEmptyChallenge is returned for a WWW-Authenticate header with no challenge in it.
var ErrEmptyChallenge = errors.New("inspect: WWW-Authenticate: empty header")

// ParseWWWAuthenticate parses a WWW-Authenticate header value into its challenges. Several
// challenges may share one header, separated by commas ("Bearer realm=\"a\", Basic realm=\"b\"").
// Quoted-string values are unescaped. On a syntax error it returns the challenges read so far
// and an error that names the position.
func ParseWWWAuthenticate(h string) ([]Challenge, error) {
	p := challengeParser{s: h}
	var out []Challenge
	for {
		p.skipSpaceAndCommas()
		if p.eof() {
			break
		}
		scheme := p.token()
		if scheme == "" {
			return out, p.errorf("expected an auth scheme")
		}
		c := Challenge{Scheme: scheme}
		if err := p.challengeBody(&c); err != nil {
			out = append(out, c)
			return out, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrEmptyChallenge
	}
	return out, nil
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) eof() bool { return p.i >= len(p.s) }

func (p *challengeParser) errorf(format string, a ...any) error {
	return fmt.Errorf("inspect: WWW-Authenticate: %s at offset %d", fmt.Sprintf(format, a...), p.i)
}

func (p *challengeParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *challengeParser) skipSpaceAndCommas() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

// isTchar reports whether c may appear in an RFC 7230 token.
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// challengeBody reads the token68 or the auth-params after a scheme, up to the next challenge.
func (p *challengeParser) challengeBody(c *Challenge) error {
	c.Params = map[string]string{}
	p.skipSpace()
	if p.token68(c) {
		return nil
	}
	for {
		p.skipSpaceAndCommas()
		if p.eof() {
			return nil
		}
		save := p.i
		name := p.token()
		if name == "" {
			return p.errorf("expected a parameter name")
		}
		p.skipSpace()
		if p.eof() || p.s[p.i] != '=' {
			// A bare token: the scheme of the next challenge.
			p.i = save
			return nil
		}
		p.i++ // '='
		p.skipSpace()
		var val string
		if !p.eof() && p.s[p.i] == '"' {
			v, err := p.quoted()
			if err != nil {
				return err
			}
			val = v
		} else {
			val = p.token()
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; !dup {
			c.Params[key] = val
		}
		p.skipSpace()
		if !p.eof() && p.s[p.i] != ',' {
			return p.errorf("expected a comma after parameter %s", name)
		}
	}
}

// token68 reads a token68 (RFC 7235 §2.1) at p.i into c when the text there is one: token68
// characters, optional '=' padding, then the end or a comma. Otherwise it leaves p.i alone.
func (p *challengeParser) token68(c *Challenge) bool {
	j := p.i
	for j < len(p.s) && (isToken68Char(p.s[j])) {
		j++
	}
	if j == p.i {
		return false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return false
	}
	c.Token68 = p.s[p.i:j]
	p.i = k
	return true
}

func isToken68Char(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

// closesQuoted reports whether a quote just before j can end a quoted-string: what follows it,
// past spaces, is the end of the header or a comma, as in every well-formed header, or the next
// parameter's "name=" (a missing comma, reported as such).
func (p *challengeParser) closesQuoted(j int) bool {
	skip := func() {
		for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
			j++
		}
	}
	skip()
	if j >= len(p.s) || p.s[j] == ',' {
		return true
	}
	start := j
	for j < len(p.s) && isTchar(p.s[j]) {
		j++
	}
	if j == start {
		return false
	}
	skip()
	return j < len(p.s) && p.s[j] == '='
}

// quoted reads an RFC 7230 quoted-string at p.i and returns it unescaped. A quote that the
// sender forgot to escape (one not followed by a comma or the end) is kept in the value.
func (p *challengeParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return b.String(), p.errorf("unterminated quoted string")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case '"':
			if !p.closesQuoted(p.i + 1) {
				// A quote inside the value that its sender did not escape (the TypeScript MCP
				// SDK copies jose's `unexpected "aud" claim value` as is): it is part of the value.
				b.WriteByte(c)
				p.i++
				continue
			}
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return b.String(), p.errorf("unterminated quoted string")
}
