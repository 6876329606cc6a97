package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token issuers. The sandbox cannot sign as login.microsoftonline.com or sts.windows.net: MSAL
// checks that the discovery document's issuer host equals the authority host, and every validator
// (the sample agent, the MCP server, oboscope's walk, an app under test) fetches the JWKS from the
// issuer's own discovery document. So the sandbox keeps Entra's issuer *shapes* on its own host:
//
//	v2 tokens: iss = https://127.0.0.1:PORT/{tid}/v2.0   (Entra: https://login.microsoftonline.com/{tid}/v2.0)
//	v1 tokens: iss = https://127.0.0.1:PORT/{tid}/       (Entra: https://sts.windows.net/{tid}/)
//
// A v1 token is told from a v2 one exactly as with Entra: `ver` is "1.0" vs "2.0", the issuer
// lacks vs ends with "/v2.0", v1 carries appid/appidacr/unique_name/upn and v2 azp/azpacr/
// preferred_username. The v1 discovery document ({authority}/.well-known/openid-configuration)
// names the v1 issuer, the v2 one ({authority}/v2.0/.well-known/openid-configuration) the v2 issuer.

// claimSet is a JWT payload that keeps the order its claims were added in, so tokens read like
// Entra's (aud, iss, iat, nbf, exp first).
type claimSet struct {
	keys []string
	vals map[string]any
}

func newClaims() *claimSet { return &claimSet{vals: map[string]any{}} }

// set adds or replaces a claim; nil and empty values are skipped.
func (c *claimSet) set(k string, v any) *claimSet {
	switch x := v.(type) {
	case nil:
		return c
	case string:
		if x == "" {
			return c
		}
	case []string:
		if len(x) == 0 {
			return c
		}
	}
	if _, ok := c.vals[k]; !ok {
		c.keys = append(c.keys, k)
	}
	c.vals[k] = v
	return c
}

// MarshalJSON renders the claims in insertion order.
func (c *claimSet) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range c.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(c.vals[k])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// sign serializes and RS256-signs a token with the active signing key. extraHeader adds header
// fields (Graph's nonce).
func (s *Sandbox) sign(claims *claimSet, extraHeader map[string]string) (string, error) {
	key, err := s.activeKey()
	if err != nil {
		return "", err
	}
	header := func(nonce string) string {
		hdr := newClaims().set("typ", "JWT").set("nonce", nonce)
		hdr.set("alg", "RS256").set("x5t", key.kid).set("kid", key.kid)
		hb, _ := hdr.MarshalJSON()
		return base64.RawURLEncoding.EncodeToString(hb)
	}
	pb, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(pb)
	nonce := extraHeader["nonce"]
	// Like Graph's, a token with a header nonce is signed over the header holding the nonce's
	// hash, so it verifies only for the resource that knows to hash the nonce first (Graph).
	signed := header(nonceHash(nonce)) + "." + payload
	sig, err := jwt.SigningMethodRS256.Sign(signed, key.key)
	if err != nil {
		return "", fmt.Errorf("sandbox: signing: %w", err)
	}
	return header(nonce) + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// nonceHash is the value a Graph token's header nonce is replaced with before its signature
// is checked ("" stays "").
func nonceHash(nonce string) string {
	if nonce == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// issuerV2 and issuerV1 are the sandbox's issuers (see the comment at the top of this file).
func (s *Sandbox) issuerV2() string { return s.base + "/" + TenantID + "/v2.0" }
func (s *Sandbox) issuerV1() string { return s.base + "/" + TenantID + "/" }

// accessGrant is what an access token is issued for.
type accessGrant struct {
	user   *User // nil: app-only
	client *App  // the app the token is issued to (azp / appid)
	// clientACR is how that client authenticated (azpacr / appidacr): "0" public client,
	// "1" client secret, "2" certificate or federated assertion.
	clientACR string
	resource  *App
	scopes    []string // delegated scope values (scp)
	roles     []string // app roles (app-only)
	amr       []string
	// agent is set for tokens an agent identity obtains: the blueprint and the actor facets.
	agent *agentClaims
	// subject overrides sub for app tokens (T1 carries the agent identity as subject).
	subject string
	aud     string // overrides the audience (T1: api://AzureADTokenExchange)
	cnf     string // the key (thumbprint) a proof-of-possession token is bound to ("" = bearer)
	life    time.Duration
	start   time.Time // overrides the issue time (the expired-user-token scenario)
	// extra are claims added last (a managed identity's xms_mirid).
	extra map[string]string
}

// agentClaims are the Agent ID claims of a token.
type agentClaims struct {
	parentAppID string // xms_par_app_azp: the blueprint
	actFacets   string // xms_act_fct
	subFacets   string // xms_sub_fct
	idRel       string // xms_idrel
}

// tokenLifetime is Entra's default: a random 60–90 minutes.
func tokenLifetime() time.Duration {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return 60*time.Minute + time.Duration(int(b[0])%31)*time.Minute
}

// mintAccess issues an access token in the shape the resource accepts (v1 or v2) and returns it
// with its expiry. Like Entra, iat and nbf are 5 minutes before issuance.
func (s *Sandbox) mintAccess(g accessGrant) (string, time.Time, error) {
	now := s.now()
	if !g.start.IsZero() {
		now = g.start
	}
	life := g.life
	if life == 0 {
		life = tokenLifetime()
	}
	iat := now.Add(-5 * time.Minute)
	exp := now.Add(life)
	v2 := g.resource.AcceptedVersion == 2
	aud := g.aud
	if aud == "" {
		aud = g.resource.AppID
		if !v2 && g.resource.Kind != "first-party" {
			aud = g.resource.primaryURI()
		}
	}
	c := newClaims()
	c.set("aud", aud)
	if v2 {
		c.set("iss", s.issuerV2())
	} else {
		c.set("iss", s.issuerV1())
	}
	c.set("iat", iat.Unix()).set("nbf", iat.Unix()).set("exp", exp.Unix())
	if !v2 && g.user != nil {
		c.set("acr", "1")
	}
	c.set("aio", randomID(40))
	if g.user != nil {
		c.set("amr", g.amr)
	}
	if v2 {
		c.set("azp", g.client.AppID).set("azpacr", g.clientACR)
	} else {
		c.set("appid", g.client.AppID).set("appidacr", g.clientACR)
	}
	if g.user != nil {
		if !v2 {
			c.set("family_name", g.user.Surname).set("given_name", g.user.GivenName).set("ipaddr", "127.0.0.1")
		}
		if g.resource.GroupClaims {
			s.setGroups(c, g.user, v2)
		}
		if g.user.HomeTenant != TenantID {
			c.set("idp", "https://sts.windows.net/"+g.user.HomeTenant+"/")
		}
		c.set("idtyp", "user")
		c.set("name", g.user.DisplayName)
		c.set("oid", g.user.ID)
		if v2 {
			c.set("preferred_username", g.user.UPN)
		}
		c.set("rh", randomID(32))
		c.set("scp", strings.Join(g.scopes, " "))
		c.set("sid", randomGUIDLike(g.user.ID))
		c.set("sub", pairwiseSub(g.user.ID, g.client.AppID))
	} else {
		c.set("idp", s.issuerV1())
		c.set("idtyp", "app")
		c.set("oid", g.client.ObjectID)
		c.set("rh", randomID(32))
		if len(g.roles) > 0 {
			c.set("roles", g.roles)
		}
		sub := g.subject
		if sub == "" {
			sub = g.client.ObjectID
		}
		c.set("sub", sub)
	}
	if g.cnf != "" {
		c.set("cnf", map[string]string{"kid": g.cnf})
	}
	c.set("tid", TenantID)
	if !v2 && g.user != nil {
		c.set("unique_name", g.user.UPN).set("upn", g.user.UPN)
	}
	c.set("uti", randomID(22))
	if v2 {
		c.set("ver", "2.0")
	} else {
		c.set("ver", "1.0")
	}
	if g.agent != nil {
		c.set("xms_act_fct", g.agent.actFacets)
		c.set("xms_idrel", g.agent.idRel)
		c.set("xms_par_app_azp", g.agent.parentAppID)
		c.set("xms_sub_fct", g.agent.subFacets)
	}
	for _, k := range sortedKeys(g.extra) {
		c.set(k, g.extra[k])
	}
	var hdr map[string]string
	if g.resource.AppID == GraphAppID {
		// Graph tokens carry a nonce in the header: nobody but Graph can validate them.
		hdr = map[string]string{"nonce": randomID(43)}
	}
	tok, err := s.sign(c, hdr)
	return tok, exp, err
}

// setGroups adds the groups claim, or the overage indicator past 200 groups (v2 and v1 shapes).
func (s *Sandbox) setGroups(c *claimSet, u *User, v2 bool) {
	if len(u.Groups) == 0 {
		return
	}
	if len(u.Groups) <= 200 {
		c.set("groups", u.Groups)
		return
	}
	endpoint := "https://graph.microsoft.com/v1.0/users/" + u.ID + "/getMemberObjects"
	if !v2 {
		endpoint = "https://graph.windows.net/" + TenantID + "/users/" + u.ID + "/getMemberObjects"
	}
	c.set("_claim_names", map[string]string{"groups": "src1"})
	c.set("_claim_sources", map[string]any{"src1": map[string]string{"endpoint": endpoint}})
}

// mintID issues a v2 ID token for the client.
func (s *Sandbox) mintID(u *User, client *App, nonce string) (string, error) {
	now := s.now()
	iat := now.Add(-5 * time.Minute)
	c := newClaims()
	c.set("aud", client.AppID).set("iss", s.issuerV2())
	c.set("iat", iat.Unix()).set("nbf", iat.Unix()).set("exp", now.Add(time.Hour).Unix())
	c.set("name", u.DisplayName).set("nonce", nonce).set("oid", u.ID)
	c.set("preferred_username", u.UPN).set("rh", randomID(32))
	c.set("sub", pairwiseSub(u.ID, client.AppID)).set("tid", TenantID).set("uti", randomID(22)).set("ver", "2.0")
	return s.sign(c, nil)
}

// clientInfo is MSAL's client_info: base64url (unpadded) JSON of the user's uid and utid.
func clientInfo(u *User) string {
	b, _ := json.Marshal(map[string]string{"uid": u.ID, "utid": u.HomeTenant})
	return base64.RawURLEncoding.EncodeToString(b)
}

// pairwiseSub is the per-application subject Entra issues for a user.
func pairwiseSub(userID, appID string) string {
	sum := sha256.Sum256([]byte(userID + "|" + appID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

// randomID returns n random base64url characters (aio, uti, rh and opaque values).
func randomID(n int) string {
	b := make([]byte, (n*3)/4+3)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// randomGUIDLike returns a session ID that is stable per user within a process run.
func randomGUIDLike(seed string) string {
	sum := sha256.Sum256([]byte("sid|" + seed))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
