package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxTokenLength is the longest input DecodeUnverified accepts. Entra tokens are a few kilobytes
// (tens with many claims); anything far larger is not a token.
const MaxTokenLength = 256 << 10

// signatureRemovedMarker is the third segment RedactToken writes in place of the signature.
const signatureRemovedMarker = "(signature removed)"

// maxNumericDate is 9999-12-31T23:59:59Z: a NumericDate beyond it is odd (token.odd-lifetime).
const maxNumericDate = 253402300799

// maxClampedDate bounds the NumericDates a Token holds as time.Time (±2⁴⁰ seconds from 1970).
const maxClampedDate = 1 << 40

// DecodeError says why a token could not be decoded and which part of it is at fault.
type DecodeError struct {
	Segment string // "token", "header", "payload" or "signature"
	Reason  string // a short, human sentence fragment
	Err     error  // the underlying error, if any
	Index   int    // 1-based position of the broken segment; 0 for the token as a whole
	Count   int    // how many dot-separated segments the token has; 0 when not split
}

// Error implements error: one line that names the broken part as a person would.
func (e *DecodeError) Error() string {
	if e.Segment == "token" || e.Segment == "" {
		return "inspect: token " + e.Reason
	}
	where := "the token's " + e.Segment
	if e.Index > 0 && e.Count > 0 {
		where += fmt.Sprintf(" (segment %d of %d)", e.Index, e.Count)
	}
	if e.Count == 2 {
		return "inspect: a JWT has 3 segments (header.payload.signature), this one has 2, and " + where + " " + e.Reason
	}
	return "inspect: " + where + " " + e.Reason
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Finding returns the token.malformed finding for this error at hop.
func (e *DecodeError) Finding(hop string) Finding {
	return NewFinding("token.malformed", hop, strings.TrimPrefix(e.Error(), "inspect: "),
		map[string]string{"segment": e.Segment, "reason": e.Reason})
}

// MalformedTokenFinding returns the token.malformed finding at hop for an error of
// DecodeUnverified: DecodeError.Finding when err is (or wraps) a *DecodeError, else a finding
// whose detail is err's text.
func MalformedTokenFinding(hop string, err error) Finding {
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Finding(hop)
	}
	detail := ""
	if err != nil {
		detail = err.Error()
	}
	return NewFinding("token.malformed", hop, detail, nil)
}

// DecodeUnverified decodes a token without checking its signature. It accepts a compact JWS
// (header.payload.signature), a JWS whose signature was removed (header.payload, or the marker
// RedactToken writes), a JWE (five segments: only its header is read) and an opaque token (one
// segment). It trims whitespace, surrounding quotes, a "Bearer " prefix and URL encoding, and
// tolerates base64 padding. Anything else returns a *DecodeError naming the broken segment.
func DecodeUnverified(raw string) (*Token, error) {
	t, err := decodeUnverified(raw)
	var de *DecodeError
	if err != nil && errors.As(err, &de) && de.Segment != "token" {
		de.Count = strings.Count(strings.TrimSuffix(mustClean(raw), "."+signatureRemovedMarker), ".") + 1
		switch de.Segment {
		case "header":
			de.Index = 1
		case "payload":
			de.Index = 2
		case "signature":
			de.Index = 3
		}
	}
	return t, err
}

// mustClean returns the cleaned input, or raw when cleaning fails.
func mustClean(raw string) string {
	s, err := cleanTokenInput(raw)
	if err != nil {
		return raw
	}
	return s
}

func decodeUnverified(raw string) (*Token, error) {
	s, err := cleanTokenInput(raw)
	if err != nil {
		return nil, err
	}
	t := &Token{Raw: raw, Kind: KindUnknown, Principal: PrincipalUnknown}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 1:
		if !isOpaqueToken(s) {
			if len(s) < 8 {
				return nil, &DecodeError{Segment: "token", Reason: fmt.Sprintf("is only %d characters long: not a JWT (no dots) and too short for any token", len(s))}
			}
			return nil, &DecodeError{Segment: "token", Reason: "is not a JWT (no dots) and contains characters no token uses"}
		}
		t.Format = FormatOpaque
		return t, nil
	case 2, 3:
		if len(parts) == 2 && looksLikeRefreshToken(parts[0]) && isOpaqueToken(s) {
			// Entra refresh tokens are opaque and start with a version digit and a dot ("0.A…").
			t.Format = FormatOpaque
			return t, nil
		}
		t.Format = FormatJWS
		return t.decodeJWS(s, parts)
	case 5:
		t.Format = FormatJWE
		h, err := decodeJSONSegment("header", parts[0])
		if err != nil {
			return nil, err
		}
		t.Header = h
		return t, nil
	default:
		return nil, &DecodeError{Segment: "token", Reason: fmt.Sprintf("has %d dot-separated segments; a JWT has 3 (header.payload.signature) and an encrypted one 5", len(parts))}
	}
}

// decodeJWS decodes the header, payload and signature of a compact JWS s split into parts (the
// signature may be missing: removed) and fills t's view of its claims.
func (t *Token) decodeJWS(s string, parts []string) (*Token, error) {
	h, err := decodeJSONSegment("header", parts[0])
	if err != nil {
		return nil, err
	}
	if _, ok := h["alg"]; !ok {
		return nil, &DecodeError{Segment: "header", Reason: "has no alg: it is not a JOSE header"}
	}
	payload, err := decodeSegment("payload", parts[1])
	if err != nil {
		return nil, err
	}
	claims, err := unmarshalObject("payload", payload)
	if err != nil {
		return nil, err
	}
	t.Header, t.Claims, t.payload = h, claims, payload
	t.signingInput = s[:len(parts[0])+1+len(parts[1])]
	switch {
	case len(parts) == 2:
		t.SignatureRemoved = true
	case parts[2] == "":
		// alg none tokens end in an empty signature; LintToken reports them.
	default:
		sig, err := decodeSegment("signature", parts[2])
		if err != nil {
			return nil, err
		}
		t.signature = sig
	}
	if err := t.fill(); err != nil {
		return nil, err
	}
	return t, nil
}

// NormalizeToken returns the token DecodeUnverified would read in raw: without surrounding
// whitespace, quotes, "Authorization:"/"Bearer " prefixes, line breaks or URL encoding. Whoever
// sends a token it decoded must send this form — the server would reject the pasted one.
func NormalizeToken(raw string) (string, error) {
	return cleanTokenInput(raw)
}

// cleanTokenInput strips what commonly surrounds a pasted token and rejects what cannot be one.
func cleanTokenInput(raw string) (string, error) {
	if len(raw) > MaxTokenLength {
		return "", &DecodeError{Segment: "token", Reason: fmt.Sprintf("is more than %d bytes long; tokens are at most a few tens of kilobytes", MaxTokenLength)}
	}
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "{") {
		// A whole token response (e.g. `az account get-access-token` without -o tsv). The caller
		// decides whether to take the token out of it (UnwrapTokenResponse): a walk must never
		// send the document — with its refresh token — as a bearer token.
		reason := "is a JSON document, not a token; pass the value of its accessToken or access_token field"
		if _, err := tokenFromJSON(s); err != nil {
			reason = "starts with { but is not a token; pass the token itself (header.payload.signature)"
		}
		return "", &DecodeError{Segment: "token", Reason: reason}
	}
	for _, p := range []string{"Authorization:", "authorization:"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	if len(s) >= 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = s[1 : len(s)-1]
	}
	// RedactToken's marker holds a space: drop it before joining wrapped lines (leaves header.payload).
	s = strings.TrimSuffix(s, "."+signatureRemovedMarker)
	if strings.ContainsAny(s, " \t\r\n") {
		// Words separated by spaces on one line are prose ("hello world not a token"), not a
		// token: joined, they would pass for an opaque token. A JWT has dots to show for itself.
		if spacedWords(s) && !strings.Contains(s, ".") {
			return "", &DecodeError{Segment: "token", Reason: "is text (words separated by spaces), not a token"}
		}
		// A token wrapped over several lines: JWTs contain no whitespace, so joining is safe.
		s = strings.Join(strings.Fields(s), "")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return "", &DecodeError{Segment: "token", Reason: fmt.Sprintf("contains binary or non-ASCII data (byte 0x%02x at offset %d); tokens are plain ASCII", c, i)}
		}
	}
	if strings.Contains(s, "%") {
		u, err := url.QueryUnescape(s)
		if err != nil {
			return "", &DecodeError{Segment: "token", Reason: "contains % but is not valid URL encoding", Err: err}
		}
		s = u
	}
	if s == "" {
		return "", &DecodeError{Segment: "token", Reason: "is empty"}
	}
	return s, nil
}

// spacedWords reports whether a line of s holds two or more words separated by spaces or tabs
// (a wrapped token has line breaks, and at most spaces at a line's ends).
func spacedWords(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.ContainsAny(strings.TrimSpace(line), " \t") {
			return true
		}
	}
	return false
}

// tokenResponseKeys are the fields that hold the access token in the JSON people paste: `az
// account get-access-token` (accessToken), an OAuth token response (access_token), and a few
// tools' {"token": …}.
var tokenResponseKeys = []string{"accessToken", "access_token", "token"}

// UnwrapTokenResponse returns the access token held by raw when raw is a JSON token response —
// the output of `az account get-access-token` without `--query accessToken -o tsv`, or an OAuth
// token response ({"access_token": …}) — and raw unchanged otherwise. DecodeUnverified itself
// refuses a JSON document, so that nothing sends a whole token response as a bearer token.
func UnwrapTokenResponse(raw string) string {
	s := strings.TrimSpace(raw)
	if !strings.HasPrefix(s, "{") || len(s) > MaxTokenLength {
		return raw
	}
	tok, err := tokenFromJSON(s)
	if err != nil {
		return raw
	}
	return tok
}

// tokenFromJSON returns the access token held by a JSON token response.
func tokenFromJSON(s string) (string, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return "", &DecodeError{Segment: "token", Reason: "starts with { but is not a JSON token response; paste the token itself (header.payload.signature)", Err: err}
	}
	for _, k := range tokenResponseKeys {
		if v, ok := doc[k].(string); ok && strings.TrimSpace(v) != "" {
			return v, nil
		}
	}
	return "", &DecodeError{Segment: "token", Reason: "is a JSON object without an accessToken or access_token field; paste the token itself (header.payload.signature)"}
}

// isOpaqueToken reports whether s looks like an opaque token: printable token characters only.
func isOpaqueToken(s string) bool {
	if len(s) < 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.~+/=!*$:|", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// looksLikeRefreshToken reports whether the first dot-separated part of a token is the one- or
// two-digit version prefix of an Entra refresh token.
func looksLikeRefreshToken(first string) bool {
	if first == "" || len(first) > 2 {
		return false
	}
	for i := 0; i < len(first); i++ {
		if first[i] < '0' || first[i] > '9' {
			return false
		}
	}
	return true
}

// decodeSegment decodes one base64url segment, tolerating padding and the standard alphabet.
func decodeSegment(name, seg string) ([]byte, error) {
	if seg == "" {
		return nil, &DecodeError{Segment: name, Reason: "is empty"}
	}
	seg = strings.TrimRight(seg, "=")
	enc := base64.RawURLEncoding
	if strings.ContainsAny(seg, "+/") {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(seg)
	if err != nil {
		return nil, &DecodeError{Segment: name, Reason: "is not base64url: " + err.Error(), Err: err}
	}
	return b, nil
}

func decodeJSONSegment(name, seg string) (map[string]any, error) {
	b, err := decodeSegment(name, seg)
	if err != nil {
		return nil, err
	}
	return unmarshalObject(name, b)
}

// unmarshalObject decodes a JSON object, with reasons a person can act on.
func unmarshalObject(name string, b []byte) (map[string]any, error) {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &DecodeError{Segment: name, Reason: "decodes to nothing"}
	}
	if trimmed[0] != '{' {
		reason := "is not JSON"
		switch {
		case trimmed[0] == '[':
			reason = "is a JSON array, not a JSON object"
		case trimmed[0] == '"':
			reason = "is a JSON string, not a JSON object"
		case json.Valid(trimmed):
			reason = "is a JSON value, not a JSON object"
		}
		return nil, &DecodeError{Segment: name, Reason: reason}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &DecodeError{Segment: name, Reason: "is not valid JSON: " + err.Error(), Err: err}
	}
	return m, nil
}

// fill derives the Token view from its claims.
func (t *Token) fill() error {
	c := t.Claims
	t.Issuer = stringOf(c["iss"])
	t.IssuerTenant = issuerTenant(t.Issuer)
	t.TenantID = stringOf(c["tid"])
	t.Audiences = stringsOf(c["aud"])
	t.Scopes = strings.Fields(strings.Join(stringsOf(c["scp"]), " "))
	t.Roles = stringsOf(c["roles"])
	t.ClientAppID = firstString(c, "azp", "appid")
	t.Subject = stringOf(c["sub"])
	t.ObjectID = stringOf(c["oid"])
	t.Username = firstString(c, "preferred_username", "upn", "unique_name", "email")
	t.Name = stringOf(c["name"])
	t.ParentAppID = stringOf(c["xms_par_app_azp"])
	t.ActorFacets = facetsOf(c["xms_act_fct"])
	t.SubjectFacets = facetsOf(c["xms_sub_fct"])
	var err error
	if t.IssuedAt, err = numericDate(c, "iat"); err != nil {
		return err
	}
	if t.NotBefore, err = numericDate(c, "nbf"); err != nil {
		return err
	}
	if t.ExpiresAt, err = numericDate(c, "exp"); err != nil {
		return err
	}
	t.Version = tokenVersion(stringOf(c["ver"]), t.Issuer)
	t.Kind = t.kind()
	t.Principal = t.principal()
	return nil
}

func (t *Token) kind() Kind {
	c := t.Claims
	_, nonce := c["nonce"]
	_, atHash := c["at_hash"]
	_, cHash := c["c_hash"]
	_, scp := c["scp"]
	_, roles := c["roles"]
	_, idtyp := c["idtyp"]
	_, appid := c["appid"]
	_, azp := c["azp"]
	switch {
	case (nonce || atHash || cHash) && !scp && !roles:
		return KindID
	case scp || roles || idtyp || appid || azp && !nonce:
		return KindAccess
	case t.Issuer != "" && t.Subject != "" && len(t.Audiences) > 0 && (t.IssuerTenant != "" || t.TenantID != ""):
		// An Entra token with neither scopes, roles nor a client app is an ID token.
		return KindID
	}
	return KindUnknown
}

func (t *Token) principal() Principal {
	switch {
	case containsInt(t.SubjectFacets, FacetAgentUser):
		return PrincipalAgentUser
	case containsInt(t.SubjectFacets, FacetAgentIdentity):
		return PrincipalAgentIdentity
	}
	switch stringOf(t.Claims["idtyp"]) {
	case "app":
		if t.ParentAppID != "" || containsInt(t.ActorFacets, FacetAgentIdentity) {
			return PrincipalAgentIdentity
		}
		return PrincipalApp
	case "user":
		return PrincipalUser
	}
	switch {
	case len(t.Scopes) > 0:
		return PrincipalUser
	case len(t.Roles) > 0:
		if t.ParentAppID != "" {
			return PrincipalAgentIdentity
		}
		return PrincipalApp
	case t.Kind == KindID:
		return PrincipalUser
	}
	return PrincipalUnknown
}
