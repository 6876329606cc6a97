package inspect

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type testKeys struct {
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	jwks *JWKS
}

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, NotBefore: fixedNow, NotAfter: fixedNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rk.PublicKey, rk)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	return testKeys{rsa: rk, ec: ek, jwks: &JWKS{Keys: []JWK{
		{Kty: "RSA", Kid: "rsa-ne", N: b64(rk.N.Bytes()), E: b64(big.NewInt(int64(rk.E)).Bytes())},
		{Kty: "RSA", Kid: "rsa-x5c", X5c: []string{base64.StdEncoding.EncodeToString(der)}},
		{Kty: "EC", Kid: "ec", Crv: "P-256", X: b64(ek.X.FillBytes(make([]byte, 32))), Y: b64(ek.Y.FillBytes(make([]byte, 32)))},
	}}}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, header map[string]any, claims map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifySignature(t *testing.T) {
	k := newTestKeys(t)
	claims := v2Claims()
	tamper := func(raw string) string {
		p := strings.Split(raw, ".")
		return p[0] + "." + segment(t, with(claims, "scp", "Everything.ReadWrite.All")) + "." + p[2]
	}
	tests := []struct {
		name    string
		raw     string
		algs    []string
		finding string // "" = verifies
		reason  string
	}{
		{"RS256 n/e", sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rsa-ne"}, claims), nil, "", ""},
		{"RS512 x5c", sign(t, jwt.SigningMethodRS512, k.rsa, map[string]any{"kid": "rsa-x5c"}, claims), nil, "", ""},
		{"PS256", sign(t, jwt.SigningMethodPS256, k.rsa, map[string]any{"kid": "rsa-ne"}, claims), nil, "", ""},
		{"ES256", sign(t, jwt.SigningMethodES256, k.ec, map[string]any{"kid": "ec"}, claims), nil, "", ""},
		{"no kid tries every key", sign(t, jwt.SigningMethodRS256, k.rsa, nil, claims), nil, "", ""},
		{"tampered payload", tamper(sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rsa-ne"}, claims)), nil, "token.signature-invalid", "does not verify with key rsa-ne"},
		{"wrong key for kid", sign(t, jwt.SigningMethodES256, k.ec, map[string]any{"kid": "rsa-ne"}, claims), nil, "token.signature-invalid", ""},
		{"unknown kid", sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rolled-away"}, claims), nil, "token.kid-unknown", "no key with kid rolled-away among the 3 keys of the set (rsa-ne, rsa-x5c, ec)"},
		{"alg not allowed", sign(t, jwt.SigningMethodPS256, k.rsa, map[string]any{"kid": "rsa-ne"}, claims), []string{"RS256"}, "token.signature-invalid", "alg PS256 is not allowed"},
		{"HS256", sign(t, jwt.SigningMethodHS256, []byte("secret"), nil, claims), nil, "token.unsigned", "shared-secret HMAC"},
		{"alg none", segment(t, map[string]any{"alg": "none"}) + "." + segment(t, claims) + ".", nil, "token.unsigned", `alg is "none"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(mustDecode(t, tc.raw), k.jwks, tc.algs)
			if tc.finding == "" {
				if err != nil {
					t.Fatalf("want verified, got %v", err)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.FindingID != tc.finding || !strings.Contains(ve.Reason, tc.reason) {
				t.Fatalf("got %v (%+v); want %s with %q", err, ve, tc.finding, tc.reason)
			}
			f, ok := SignatureFinding(err, "agent")
			if !ok || f.ID != tc.finding || f.Hop != "agent" || f.Detail != ve.Reason {
				t.Errorf("SignatureFinding = %+v %v", f, ok)
			}
		})
	}
}

func TestVerifySignatureUnverifiable(t *testing.T) {
	k := newTestKeys(t)
	raw := sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rsa-ne"}, v2Claims())
	for name, tok := range map[string]*Token{
		"signature removed": mustDecode(t, RedactToken(raw)),
		"jwe":               mustDecode(t, segment(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"})+".a.b.c.d"),
	} {
		err := VerifySignature(tok, k.jwks, nil)
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.FindingID != "" {
			t.Errorf("%s: got %v", name, err)
		}
		if _, ok := SignatureFinding(err, "token"); ok {
			t.Errorf("%s: no finding expected", name)
		}
	}
	if err := VerifySignature(mustDecode(t, raw), &JWKS{}, nil); err == nil || !strings.Contains(err.Error(), "key set is empty") {
		t.Errorf("empty set: %v", err)
	}
}

// TestVerifyGraphNonce checks the Microsoft Graph scheme: the signature covers the header with the
// nonce replaced by its SHA-256 in hex.
func TestVerifyGraphNonce(t *testing.T) {
	k := newTestKeys(t)
	nonce := "AQABAAAAAAD--DLA3VO7QrddgJg7WevrN7"
	sum := sha256.Sum256([]byte(nonce))
	signed := sign(t, jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rsa-ne", "nonce": hex.EncodeToString(sum[:])}, with(v2Claims(), "aud", "00000003-0000-0000-c000-000000000000"))
	p := strings.Split(signed, ".")
	h, _ := base64.RawURLEncoding.DecodeString(p[0])
	sent := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(h), hex.EncodeToString(sum[:]), nonce, 1))) + "." + p[1] + "." + p[2]
	if err := VerifySignature(mustDecode(t, sent), k.jwks, nil); err != nil {
		t.Fatalf("graph token: %v", err)
	}
}

// TestVerifyRealEntraToken verifies a real Entra ID v2 ID token against Entra's published keys,
// both taken from the CZ-NIC/pyoidc test suite (see testdata/realworld/README.md).
func TestVerifyRealEntraToken(t *testing.T) {
	raw, err := os.ReadFile("testdata/realworld/pyoidc-entra-id-v2.jwt")
	if err != nil {
		t.Fatal(err)
	}
	keysJSON, err := os.ReadFile("testdata/realworld/pyoidc-entra-jwks2.json")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseJWKS(keysJSON)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustDecode(t, string(raw))
	if err := VerifySignature(tok, keys, nil); err != nil {
		t.Fatalf("real Entra token does not verify: %v", err)
	}
	p := strings.Split(strings.TrimSpace(string(raw)), ".")
	altered := p[0] + "." + segment(t, with(tok.Claims, "name", "mallory")) + "." + p[2]
	var ve *VerifyError
	if err := VerifySignature(mustDecode(t, altered), keys, nil); !errors.As(err, &ve) || ve.FindingID != "token.signature-invalid" {
		t.Errorf("altered real token: %v", err)
	}
}

func TestParseJWKSErrors(t *testing.T) {
	for _, in := range []string{"", "<html>", `{"nokeys":[]}`, `[1]`} {
		if _, err := ParseJWKS([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "inspect: JWKS") {
			t.Errorf("%q: %v", in, err)
		}
	}
	for _, k := range []JWK{{Kty: "RSA", Kid: "a", N: "!!", E: "AQAB"}, {Kty: "EC", Kid: "b", Crv: "P-999"}, {Kty: "oct", Kid: "c"},
		{Kty: "EC", Kid: "d", Crv: "P-256", X: "AQ", Y: "AQ"}, {Kty: "RSA", Kid: "e", X5c: []string{"bm90IGEgY2VydA=="}}} {
		if _, err := k.PublicKey(); err == nil {
			t.Errorf("key %s: want an error", k.Kid)
		}
	}
}

// TestECKeyCoordinates checks that an EC key's x and y are read at the curve's width: padded
// when an issuer dropped leading zeros, trimmed of extra leading zeros, refused when too long or
// off the curve.
func TestECKeyCoordinates(t *testing.T) {
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, err := ek.PublicKey.Bytes() // 04 || x || y
	if err != nil {
		t.Fatal(err)
	}
	x, y := point[1:33], point[33:]
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name   string
		x, y   []byte
		wantOK bool
	}{
		{"full width", x, y, true},
		{"an extra leading zero", append([]byte{0}, x...), y, true},
		{"too long", append([]byte{1}, x...), y, false},
		{"off the curve", x, append(append([]byte{}, y[:31]...), y[31]^1), false},
	}
	for _, tt := range tests {
		pub, err := JWK{Kty: "EC", Kid: "ec", Crv: "P-256", X: b64(tt.x), Y: b64(tt.y)}.PublicKey()
		if (err == nil) != tt.wantOK {
			t.Errorf("%s: PublicKey error %v, want ok %v", tt.name, err, tt.wantOK)
			continue
		}
		if tt.wantOK && !pub.(*ecdsa.PublicKey).Equal(&ek.PublicKey) {
			t.Errorf("%s: PublicKey is another key", tt.name)
		}
	}
	for _, tt := range []struct {
		in, want []byte
		ok       bool
	}{
		{[]byte{1, 2}, []byte{0, 0, 1, 2}, true},
		{[]byte{0, 0, 1, 2, 3, 4}, []byte{1, 2, 3, 4}, true},
		{[]byte{1, 2, 3, 4, 5}, nil, false},
		{nil, []byte{0, 0, 0, 0}, true},
	} {
		got, ok := fixedWidth(tt.in, 4)
		if ok != tt.ok || string(got) != string(tt.want) {
			t.Errorf("fixedWidth(%v, 4) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
