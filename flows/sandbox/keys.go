package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint (RFC 7517 §4.8).
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// keyMaterial is everything a sandbox needs that is slow to generate: the ephemeral CA, the TLS
// certificate it signs for 127.0.0.1 and localhost, the token signing keys and the agent API's
// certificate credential. It is generated once per process and shared by every sandbox the process
// starts, so switching scenarios in the TUI costs no key generation. It is never modified after
// generation.
type keyMaterial struct {
	caCert  *x509.Certificate
	caPEM   []byte
	tlsCert tls.Certificate

	// signing is the token signing key. Its generation starts with the process's key material
	// and runs in the background: the first discovery and device code requests do not wait for
	// it, the first token (or JWKS) does. next is the key a rotation switches to, made on first
	// use (nextMade tells whether it exists, so the JWKS can publish it).
	signing  func() (*signingKey, error)
	next     func() (*signingKey, error)
	nextMade atomic.Bool

	// agentCert is the certificate credential registered on the agent API app, made on first
	// use (a certificate client assertion, the Graph applications list, AgentCertificatePEM).
	agentCert func() (*credentialCert, error)
}

// signingKey is one RSA token signing key with its key ID (the base64url SHA-1 thumbprint of its
// self-signed certificate, as Entra's kid and x5t are).
type signingKey struct {
	kid  string
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// credentialCert is an app's certificate credential: the key the app signs client assertions with
// and the certificate registered on the app registration.
type credentialCert struct {
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	x5t     string // base64url SHA-1 thumbprint
	x5tS256 string // base64url SHA-256 thumbprint
	pem     []byte // certificate and PKCS#8 key, the shape MSAL's confidential.CertFromPEM reads
}

// processKeys memoizes the key material of this process (a pure, once-only computation: the value
// is never changed after it is made).
var processKeys = sync.OnceValues(generateKeyMaterial)

// generateKeyMaterial makes the CA (ECDSA P-256, fast) and the TLS certificate, and starts the
// RSA-2048 token signing key in the background; the second signing key and the agent's
// certificate credential are made on first use. A process pays for one RSA key generation, and
// not before its first token.
func generateKeyMaterial() (*keyMaterial, error) {
	km := &keyMaterial{}
	km.signing = sync.OnceValues(func() (*signingKey, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("sandbox: RSA key: %w", err)
		}
		return newSigningKey(k, "oboscope sandbox token signing 1", time.Now())
	})
	// Warm the key in the background; a failure is returned again to the first caller that needs it.
	go km.signing()

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sandbox: CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "oboscope sandbox CA (ephemeral)", Organization: []string{"oboscope"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sandbox: CA certificate: %w", err)
	}
	if km.caCert, err = x509.ParseCertificate(caDER); err != nil {
		return nil, fmt.Errorf("sandbox: CA certificate: %w", err)
	}
	km.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sandbox: TLS key: %w", err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, km.caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sandbox: TLS certificate: %w", err)
	}
	km.tlsCert = tls.Certificate{Certificate: [][]byte{srvDER, caDER}, PrivateKey: srvKey}

	km.next = sync.OnceValues(func() (*signingKey, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("sandbox: RSA key: %w", err)
		}
		sk, err := newSigningKey(k, "oboscope sandbox token signing 2", time.Now())
		if err == nil {
			km.nextMade.Store(true)
		}
		return sk, err
	})
	km.agentCert = sync.OnceValues(func() (*credentialCert, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("sandbox: RSA key: %w", err)
		}
		return newCredentialCert(k, "CN=Contoso Agent API credential", now, now.AddDate(1, 0, 0))
	})
	return km, nil
}

// newSigningKey wraps an RSA key in a self-signed certificate; the kid is its thumbprint.
func newSigningKey(key *rsa.PrivateKey, cn string, now time.Time) (*signingKey, error) {
	cert, err := selfSigned(key, cn, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	return &signingKey{kid: thumbprintSHA1(cert.Raw), key: key, cert: cert}, nil
}

// publishedKeys are the signing keys in the JWKS: the first, and the second once it exists.
func (km *keyMaterial) publishedKeys() []*signingKey {
	var keys []*signingKey
	if k, err := km.signing(); err == nil {
		keys = append(keys, k)
	}
	if km.nextMade.Load() {
		if k, err := km.next(); err == nil {
			keys = append(keys, k)
		}
	}
	return keys
}

// newCredentialCert wraps an RSA key in a self-signed certificate usable as an app credential.
func newCredentialCert(key *rsa.PrivateKey, cn string, notBefore, notAfter time.Time) (*credentialCert, error) {
	cert, err := selfSigned(key, cn, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: credential key: %w", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	pemBytes = append(pemBytes, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	sum := sha256.Sum256(cert.Raw)
	return &credentialCert{
		key: key, cert: cert, pem: pemBytes,
		x5t:     thumbprintSHA1(cert.Raw),
		x5tS256: base64.RawURLEncoding.EncodeToString(sum[:]),
	}, nil
}

// selfSigned makes a self-signed certificate for key.
func selfSigned(key crypto.Signer, cn string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: self-signed certificate %q: %w", cn, err)
	}
	return x509.ParseCertificate(der)
}

// thumbprintSHA1 is the base64url (unpadded) SHA-1 hash of a DER certificate: Entra's kid and x5t.
func thumbprintSHA1(der []byte) string {
	sum := sha1.Sum(der) //nolint:gosec // thumbprint, not a security hash
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomSerial returns a random 128-bit certificate serial number.
func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// jwk is one key of a JSON Web Key Set in the shape Entra publishes.
type jwk struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	Kid    string   `json:"kid"`
	X5t    string   `json:"x5t"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X5c    []string `json:"x5c"`
	Issuer string   `json:"issuer,omitempty"`
}

// toJWK renders a signing key as a JWK.
func (k *signingKey) toJWK(issuer string) jwk {
	pub := k.key.PublicKey
	return jwk{
		Kty: "RSA", Use: "sig", Kid: k.kid, X5t: k.kid,
		N:      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c:    []string{base64.StdEncoding.EncodeToString(k.cert.Raw)},
		Issuer: issuer,
	}
}

// sha1Sum is the SHA-1 digest of b (certificate thumbprints as Graph shows them).
func sha1Sum(b []byte) []byte {
	sum := sha1.Sum(b) //nolint:gosec // thumbprint, not a security hash
	return sum[:]
}
