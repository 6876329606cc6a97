package inspect

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultAllowedAlgs returns the asymmetric signature algorithms VerifySignature accepts when no
// allow-list is given. Entra uses RS256.
func DefaultAllowedAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
}

// JWK is one key of a JSON Web Key Set (RFC 7517), with the fields Entra publishes.
type JWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use,omitempty"`
	Kid    string   `json:"kid,omitempty"`
	X5t    string   `json:"x5t,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	X5c    []string `json:"x5c,omitempty"`
	Issuer string   `json:"issuer,omitempty"` // Entra: the issuer this key signs for
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// ParseJWKS decodes a JWKS document.
func ParseJWKS(b []byte) (*JWKS, error) {
	var ks JWKS
	if err := json.Unmarshal(b, &ks); err != nil {
		return nil, fmt.Errorf("inspect: JWKS: not a JSON key set (starts %q): %w", snippet(b), err)
	}
	if ks.Keys == nil {
		return nil, fmt.Errorf("inspect: JWKS: no \"keys\" array")
	}
	return &ks, nil
}

// PublicKey returns the key as a Go crypto public key: from x5c's first certificate when present,
// else from n/e (RSA) or crv/x/y (EC).
func (k JWK) PublicKey() (any, error) {
	if len(k.X5c) > 0 {
		pub, err := x5cPublicKey(k.X5c[0])
		if err == nil || (k.N == "" && k.X == "") {
			if err != nil {
				return nil, fmt.Errorf("inspect: JWK %s: %w", k.Kid, err)
			}
			return pub, nil
		}
		// Fall back to n/e or x/y when the certificate cannot be parsed.
	}
	switch k.Kty {
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("inspect: JWK %s: bad RSA n or e", k.Kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		return k.ecPublicKey()
	}
	return nil, fmt.Errorf("inspect: JWK %s: unsupported key type %q", k.Kid, k.Kty)
}

// ecPublicKey returns an EC key from crv, x and y. ecdsa.ParseUncompressedPublicKey refuses a
// point that is not on the curve.
func (k JWK) ecPublicKey() (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch k.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("inspect: JWK %s: unsupported curve %q", k.Kid, k.Crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.X, "="))
	y, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.Y, "="))
	x, okX := fixedWidth(x, size)
	y, okY := fixedWidth(y, size)
	if err1 != nil || err2 != nil || !okX || !okY {
		return nil, fmt.Errorf("inspect: JWK %s: bad EC x or y", k.Kid)
	}
	point := append(append([]byte{4}, x...), y...) // SEC 1 uncompressed form: 04 || x || y
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("inspect: JWK %s: point is not on %s: %w", k.Kid, k.Crv, err)
	}
	return pub, nil
}

// fixedWidth returns the big-endian number b in exactly size bytes: left-padded with zeros when
// shorter (RFC 7518 asks for the full length, some issuers drop leading zeros), without leading
// zeros beyond size; false when the number does not fit.
func fixedWidth(b []byte, size int) ([]byte, bool) {
	for len(b) > size && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > size {
		return nil, false
	}
	return append(make([]byte, size-len(b), size), b...), true
}

func x5cPublicKey(b64 string) (any, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("x5c is not base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("x5c certificate: %w", err)
	}
	return cert.PublicKey, nil
}

// VerifyError says why a signature could not be verified. FindingID is the finding it raises
// (token.unsigned, token.kid-unknown or token.signature-invalid), or "" when the token simply
// cannot be verified by anyone but its audience (encrypted, opaque, signature removed).
type VerifyError struct {
	FindingID string
	Alg, Kid  string
	Reason    string
	Err       error
}

// Error implements error.
func (e *VerifyError) Error() string { return "inspect: signature: " + e.Reason }

// Unwrap returns the underlying error.
func (e *VerifyError) Unwrap() error { return e.Err }

// KidUnknown reports whether the key that signed the token is not in the key set
// (token.kid-unknown): a key set cached before the issuer rolled its keys says so too, so a
// caller may fetch the set again and retry.
func (e *VerifyError) KidUnknown() bool { return e != nil && e.FindingID == "token.kid-unknown" }

// SignatureFinding turns a VerifySignature error into its finding at hop.
func SignatureFinding(err error, hop string) (Finding, bool) {
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.FindingID == "" {
		return Finding{}, false
	}
	ev := map[string]string{"header": "alg", "value": ve.Alg}
	if ve.Kid != "" {
		ev["kid"] = ve.Kid
	}
	return NewFinding(ve.FindingID, hop, ve.Reason, ev), true
}

// VerifySignature checks t's signature against keys, accepting only the algorithms in
// allowedAlgs (DefaultAllowedAlgs() when nil). It is pure: the caller fetches the issuer's JWKS.
// The key is chosen by kid (or x5t); a token without either is tried against every key.
// Microsoft Graph tokens (header nonce) are verified the way Graph does, over the SHA-256 of the
// nonce.
func VerifySignature(t *Token, keys *JWKS, allowedAlgs []string) error {
	alg, kid := t.Alg(), t.Kid()
	switch {
	case t.Format != FormatJWS:
		return &VerifyError{Alg: alg, Kid: kid, Reason: fmt.Sprintf("a %s token has no signature a client can check", t.Format)}
	case t.SignatureRemoved:
		return &VerifyError{Alg: alg, Kid: kid, Reason: "the signature was removed from this copy of the token"}
	case alg == "" || strings.EqualFold(alg, "none"):
		return &VerifyError{FindingID: "token.unsigned", Alg: alg, Kid: kid, Reason: "alg is \"" + alg + "\": the token is not signed"}
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return &VerifyError{FindingID: "token.unsigned", Alg: alg, Kid: kid, Reason: "alg " + alg + " is a shared-secret HMAC, which an issuer's public key set cannot verify"}
	}
	if allowedAlgs == nil {
		allowedAlgs = DefaultAllowedAlgs()
	}
	if !algAllowed(allowedAlgs, alg) {
		return &VerifyError{FindingID: "token.signature-invalid", Alg: alg, Kid: kid, Reason: fmt.Sprintf("alg %s is not allowed (allowed: %s)", alg, strings.Join(allowedAlgs, ", "))}
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return &VerifyError{FindingID: "token.signature-invalid", Alg: alg, Kid: kid, Reason: "alg " + alg + " is not a known signature algorithm"}
	}
	if len(t.signature) == 0 {
		return &VerifyError{FindingID: "token.unsigned", Alg: alg, Kid: kid, Reason: "the signature segment is empty"}
	}
	if keys == nil || len(keys.Keys) == 0 {
		return &VerifyError{FindingID: "token.kid-unknown", Alg: alg, Kid: kid, Reason: "the key set is empty"}
	}
	candidates, err := candidateKeys(t, keys)
	if err != nil {
		return err
	}
	inputs := []string{t.signingInput}
	if nonce := stringOf(t.Header["nonce"]); nonce != "" {
		if alt, ok := graphSigningInput(t.signingInput, nonce); ok {
			inputs = append(inputs, alt)
		}
	}
	var lastErr error
	for _, k := range candidates {
		pub, err := k.PublicKey()
		if err != nil {
			lastErr = err
			continue
		}
		for _, in := range inputs {
			if err := method.Verify(in, t.signature, pub); err == nil {
				return nil
			} else {
				lastErr = err
			}
		}
	}
	return &VerifyError{FindingID: "token.signature-invalid", Alg: alg, Kid: kid,
		Reason: fmt.Sprintf("the %s signature does not verify with key %s: %v", alg, orNone(kid), lastErr), Err: lastErr}
}

// candidateKeys returns the keys of the set that may have signed t: the one its kid names, else
// the one its x5t names, else every key; a *VerifyError (token.kid-unknown) when none is there.
func candidateKeys(t *Token, keys *JWKS) ([]JWK, error) {
	alg, kid := t.Alg(), t.Kid()
	x5t := stringOf(t.Header["x5t"])
	var candidates []JWK
	for _, k := range keys.Keys {
		if (kid != "" && k.Kid == kid) || (kid == "" && x5t != "" && k.X5t == x5t) || (kid == "" && x5t == "") {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		id := kid
		if id == "" {
			id = x5t
		}
		return nil, &VerifyError{FindingID: "token.kid-unknown", Alg: alg, Kid: kid,
			Reason: fmt.Sprintf("no key with kid %s among the %d keys of the set (%s)", id, len(keys.Keys), keyIDs(keys))}
	}
	return candidates, nil
}

// graphSigningInput rebuilds the signing input of a Microsoft Graph token, whose signature covers
// a header in which the nonce is replaced by the hex SHA-256 of the nonce.
func graphSigningInput(signingInput, nonce string) (string, bool) {
	dot := strings.IndexByte(signingInput, '.')
	if dot < 0 {
		return "", false
	}
	h, err := decodeSegment("header", signingInput[:dot])
	if err != nil {
		return "", false
	}
	sum := sha256.Sum256([]byte(nonce))
	quoted, _ := json.Marshal(nonce)
	replaced := strings.Replace(string(h), string(quoted), `"`+hex.EncodeToString(sum[:])+`"`, 1)
	if replaced == string(h) {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString([]byte(replaced)) + signingInput[dot:], true
}

func keyIDs(ks *JWKS) string {
	ids := make([]string, 0, len(ks.Keys))
	for _, k := range ks.Keys {
		ids = append(ids, orNone(k.Kid))
	}
	return strings.Join(ids, ", ")
}

func algAllowed(allowed []string, alg string) bool {
	for _, a := range allowed {
		if strings.EqualFold(a, alg) {
			return true
		}
	}
	return false
}
