package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientAuth is how a client authenticated at the token endpoint.
type clientAuth struct {
	app    *App
	method string // none | secret | certificate | fic (an agent identity presenting T1)
	// fic is the verified T1 an agent identity presented.
	fic *parsedToken
}

// acr is the client authentication class Entra writes in azpacr / appidacr: 0 for a public
// client (no credential), 1 for a client secret, 2 for a certificate or a federated assertion.
func (a *clientAuth) acr() string {
	switch a.method {
	case "secret":
		return "1"
	case "certificate", "fic":
		return "2"
	}
	return "0"
}

// authenticateClient identifies and authenticates the client of a token request: client_id with
// client_secret (post or HTTP Basic), a certificate-signed client_assertion (PS256/RS256, x5t#S256
// or x5t, aud = the token endpoint), or — for an agent identity — its blueprint's T1 as the
// client_assertion. No credential yields method "none"; the grant decides if that is allowed.
func (s *Sandbox) authenticateClient(form url.Values, basicUser, basicPass string, tokenURL string) (*clientAuth, *entraError) {
	clientID := form.Get("client_id")
	secret := form.Get("client_secret")
	if basicUser != "" {
		u, _ := url.QueryUnescape(basicUser)
		p, _ := url.QueryUnescape(basicPass)
		if clientID == "" {
			clientID = u
		}
		if secret == "" {
			secret = p
		}
	}
	assertion := form.Get("client_assertion")
	if clientID == "" && assertion != "" {
		clientID = unverifiedClaim(assertion, "sub")
	}
	if clientID == "" {
		return nil, errMissingParam("client_id")
	}
	app := s.dir.app(clientID)
	if app == nil {
		return nil, errAppNotFound(clientID)
	}
	switch {
	case secret != "" && assertion != "":
		return nil, newError("invalid_request", 9002313, "Invalid request. Request is malformed or invalid. Only one client credential may be sent: client_secret or client_assertion.")
	case secret != "":
		return s.checkSecret(app, secret)
	case assertion != "":
		if t := form.Get("client_assertion_type"); t != clientAssertionType {
			if t == "" {
				return nil, errMissingParam("client_assertion_type")
			}
			return nil, newError("invalid_request", 50027, "Invalid client_assertion_type '%s'. Expected '%s'.", t, clientAssertionType)
		}
		if app.Kind == "agent-identity" {
			return s.checkFIC(app, assertion)
		}
		return s.checkCertAssertion(app, assertion, tokenURL)
	}
	return &clientAuth{app: app, method: "none"}, nil
}

// checkSecret compares a client secret with the app's password credentials.
func (s *Sandbox) checkSecret(app *App, secret string) (*clientAuth, *entraError) {
	for _, c := range app.Secrets {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(secret)) == 1 {
			if s.now().After(c.End) {
				return nil, newError("invalid_client", 7000222,
					"The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.AppID)
			}
			return &clientAuth{app: app, method: "secret"}, nil
		}
	}
	return nil, newError("invalid_client", 7000215,
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.AppID)
}

// checkCertAssertion verifies a certificate client assertion (RFC 7523 §2.2, Entra's rules).
func (s *Sandbox) checkCertAssertion(app *App, assertion, tokenURL string) (*clientAuth, *entraError) {
	parts := strings.Split(assertion, ".")
	var hdr map[string]any
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if len(parts) != 3 || err != nil || json.Unmarshal(hb, &hdr) != nil {
		return nil, newError("invalid_client", 50027, "JWT token is invalid or malformed.")
	}
	alg, _ := hdr["alg"].(string)
	if alg != "PS256" && alg != "RS256" {
		return nil, newError("invalid_client", 5002738, "Invalid JWT token. '%s' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, RS384, RS512, PS256, PS384, PS512'", alg)
	}
	thumb, _ := hdr["x5t#S256"].(string)
	useS256 := thumb != ""
	if !useS256 {
		thumb, _ = hdr["x5t"].(string)
	}
	var cred *CertCredential
	var cc *credentialCert
	got := decodeThumb(thumb)
	for i, c := range app.Certificates {
		lc, err := c.load()
		if err != nil {
			return nil, serverError(err)
		}
		want := lc.x5t
		if useS256 {
			want = lc.x5tS256
		}
		if got != "" && decodeThumb(want) == got {
			cred, cc = &app.Certificates[i], lc
		}
	}
	if cred == nil {
		return nil, newError("invalid_client", 700027,
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", thumb, app.AppID)
	}
	if s.now().After(cred.End) {
		return nil, newError("invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '%s']", thumb)
	}
	claims := jwt.MapClaims{}
	_, perr := jwt.NewParser(jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return &cc.key.PublicKey, nil })
	if perr != nil {
		return nil, newError("invalid_client", 700027, "Client assertion failed signature validation. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '%s']", thumb)
	}
	pc := &parsedToken{claims: claims}
	if iss, sub := pc.str("iss"), pc.str("sub"); !strings.EqualFold(iss, app.AppID) || !strings.EqualFold(sub, app.AppID) {
		return nil, newError("invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	if aud := pc.audience(); !s.isTokenEndpoint(aud, tokenURL) {
		return nil, newError("invalid_client", 700212, "The audience '%s' of the client assertion is invalid: it must be the token endpoint '%s'.", aud, tokenURL)
	}
	now := s.now()
	if exp := pc.time("exp"); exp.IsZero() || now.After(exp.Add(5*time.Minute)) {
		return nil, newError("invalid_client", 700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.UTC().Format(time.RFC3339), pc.time("nbf").UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))
	}
	return &clientAuth{app: app, method: "certificate"}, nil
}

// isTokenEndpoint accepts the token endpoint under either the tenant GUID or domain, v1 or v2.
func (s *Sandbox) isTokenEndpoint(aud, tokenURL string) bool {
	if aud == tokenURL {
		return true
	}
	for _, t := range []string{TenantID, TenantDomain, "common", "organizations"} {
		for _, p := range []string{"/oauth2/v2.0/token", "/oauth2/token"} {
			if strings.EqualFold(aud, s.base+"/"+t+p) {
				return true
			}
		}
	}
	return false
}

// checkFIC verifies the T1 an agent identity presents as its client assertion: a token from its
// blueprint's client_credentials request with fmi_path naming this agent identity.
func (s *Sandbox) checkFIC(app *App, assertion string) (*clientAuth, *entraError) {
	p, err := s.parseVerified(assertion, false)
	if err != nil {
		return nil, newError("invalid_client", 700211, "No matching federated identity record found for presented assertion issuer. The assertion could not be validated: %v.", err)
	}
	if p.str("idtyp") == "user" || p.str("scp") != "" {
		return nil, newError("invalid_client", 700229,
			"The presented client assertion is a token issued to a user. An agent identity's credential must be the token its agent identity blueprint obtains with client_credentials and fmi_path (T1), not a user's access token.")
	}
	if aud := p.audience(); aud != TokenExchangeAudID {
		return nil, newError("invalid_client", 700212, "No matching federated identity record found for presented assertion audience '%s'.", aud)
	}
	if p.clientApp() != app.Blueprint || !strings.EqualFold(p.str("sub"), app.AppID) {
		return nil, newError("invalid_client", 700213, "No matching federated identity record found for presented assertion subject '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", p.str("sub"))
	}
	if exp := p.time("exp"); s.now().After(exp) {
		return nil, newError("invalid_client", 700024, "Client assertion is not within its valid time range.")
	}
	return &clientAuth{app: app, method: "fic", fic: p}, nil
}

// unverifiedClaim reads a string claim of a JWT without verifying it ("" on any problem).
func unverifiedClaim(raw, name string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}

// decodeThumb decodes a certificate thumbprint sent base64url or (as MSAL Go does) standard
// base64 with padding; "" when it is neither.
func decodeThumb(t string) string {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(t); err == nil && len(b) > 0 {
			return string(b)
		}
	}
	return ""
}
