package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Reasons a token fails verification against the sandbox's keys.
var (
	errTokenMalformed = errors.New("token is not a JWS of three base64url segments of JSON")
	errTokenAlg       = errors.New("token is not signed with RS256")
	errTokenKid       = errors.New("token's kid is not in the signing key set")
	errTokenSignature = errors.New("token signature is invalid")
)

// parsedToken is a JWT whose signature was checked against the sandbox's signing keys.
type parsedToken struct {
	raw    string
	header map[string]any
	claims map[string]any
}

// str returns a string claim ("" when absent or not a string).
func (p *parsedToken) str(name string) string {
	v, _ := p.claims[name].(string)
	return v
}

// time returns a NumericDate claim.
func (p *parsedToken) time(name string) time.Time {
	switch v := p.claims[name].(type) {
	case float64:
		return time.Unix(int64(v), 0)
	case json.Number:
		n, _ := v.Int64()
		return time.Unix(n, 0)
	}
	return time.Time{}
}

// scopes returns the space-separated scp claim as a list.
func (p *parsedToken) scopes() []string { return strings.Fields(p.str("scp")) }

// roles returns the roles claim.
func (p *parsedToken) roles() []string {
	list, _ := p.claims["roles"].([]any)
	out := make([]string, 0, len(list))
	for _, r := range list {
		if s, ok := r.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// audience returns the aud claim (a string in Entra tokens; the first of a list otherwise).
func (p *parsedToken) audience() string {
	switch v := p.claims["aud"].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// clientApp is azp (v2) or appid (v1).
func (p *parsedToken) clientApp() string {
	if v := p.str("azp"); v != "" {
		return v
	}
	return p.str("appid")
}

// isAppOnly reports an app-only token: idtyp app, or no scp at all.
func (p *parsedToken) isAppOnly() bool {
	return p.str("idtyp") == "app" || (p.str("scp") == "" && p.str("idtyp") != "user")
}

// parseVerified checks raw's RS256 signature against the sandbox's published keys. With
// asGraph, a header nonce is hashed first, the way only Graph validates its own tokens.
func (s *Sandbox) parseVerified(raw string, asGraph bool) (*parsedToken, error) {
	raw = strings.TrimSpace(raw)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errTokenMalformed
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errTokenMalformed
	}
	p := &parsedToken{raw: raw}
	if json.Unmarshal(hb, &p.header) != nil || json.Unmarshal(pb, &p.claims) != nil || p.header == nil || p.claims == nil {
		return nil, errTokenMalformed
	}
	if alg, _ := p.header["alg"].(string); alg != "RS256" {
		return nil, errTokenAlg
	}
	kid, _ := p.header["kid"].(string)
	var key *signingKey
	for _, k := range s.km.publishedKeys() {
		if k.kid == kid {
			key = k
		}
	}
	if key == nil {
		return nil, errTokenKid
	}
	signedHeader := parts[0]
	if nonce, ok := p.header["nonce"].(string); ok && nonce != "" {
		if !asGraph {
			return p, errTokenSignature
		}
		rawNonce, _ := json.Marshal(nonce)
		hashed, _ := json.Marshal(nonceHash(nonce))
		signedHeader = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(hb), `"nonce":`+string(rawNonce), `"nonce":`+string(hashed), 1)))
	}
	if err := jwt.SigningMethodRS256.Verify(signedHeader+"."+parts[1], sig, &key.key.PublicKey); err != nil {
		return p, errTokenSignature
	}
	return p, nil
}

// bearerCheck is what a resource server (the sample agent, the MCP server, Graph) requires.
type bearerCheck struct {
	audiences []string // any of these; empty = aud not checked (a misconfigured server)
	issuers   []string // any of these
	scopes    []string // every one in scp (or roles)
	asGraph   bool
}

// bearerError is why a resource server rejected a bearer token: status 401 (invalid_token) or
// 403 (insufficient_scope), with a description for WWW-Authenticate.
type bearerError struct {
	status      int
	code        string
	description string
}

func (e *bearerError) Error() string { return e.code + ": " + e.description }

// validateBearer verifies a bearer token as a careful resource server does: signature via the
// JWKS, issuer, audience, lifetime (5 minutes skew) and scopes.
func (s *Sandbox) validateBearer(raw string, chk bearerCheck) (*parsedToken, *bearerError) {
	invalid := func(format string, args ...any) *bearerError {
		return &bearerError{status: 401, code: "invalid_token", description: fmt.Sprintf(format, args...)}
	}
	p, err := s.parseVerified(raw, chk.asGraph)
	if err != nil {
		return p, invalid("%v", err)
	}
	if iss := p.str("iss"); !slices.Contains(chk.issuers, iss) {
		return p, invalid("issuer %q is not accepted (expected %s)", iss, strings.Join(chk.issuers, " or "))
	}
	if len(chk.audiences) > 0 {
		if aud := p.audience(); !containsFold(chk.audiences, aud) {
			return p, invalid("audience %q is not this resource (expected %s)", aud, strings.Join(chk.audiences, " or "))
		}
	}
	now := s.now()
	if exp := p.time("exp"); exp.IsZero() || now.After(exp.Add(5*time.Minute)) {
		return p, invalid("the token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if nbf := p.time("nbf"); !nbf.IsZero() && nbf.After(now.Add(5*time.Minute)) {
		return p, invalid("the token is not valid before %s", nbf.UTC().Format(time.RFC3339))
	}
	have := append(p.scopes(), p.roles()...)
	for _, want := range chk.scopes {
		if !slices.Contains(have, want) {
			return p, &bearerError{status: 403, code: "insufficient_scope", description: fmt.Sprintf("the token lacks the scope %q", want)}
		}
	}
	return p, nil
}
