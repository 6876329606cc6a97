package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// keyCache holds each issuer's signing keys for the life of a walk.
type keyCache map[string]*inspect.JWKS

// verify checks t's signature against its issuer's JWKS when t is meant for one of audiences (an
// API of the configuration). Tokens for others (Graph above all: header nonce) are not verified:
// only their resource can. It returns whether the signature was verified, a note saying why not,
// and the verification error (an *inspect.VerifyError the hop's analysis turns into a finding).
func (h *hopRun) verify(ctx context.Context, t *inspect.Token, audiences []string) (bool, string, error) {
	if t == nil || t.Format != inspect.FormatJWS {
		return false, "not a signed JWT", nil
	}
	if _, nonce := t.Header["nonce"]; nonce {
		return false, "header nonce: only the resource (Graph) can validate it", nil
	}
	if len(audiences) == 0 || !inspect.AudienceMatches(t.Audiences, audiences) {
		return false, "not verified: the token is not for an API of the configuration", nil
	}
	keys, err := h.jwksFor(ctx, t, false)
	if err != nil {
		return false, "not verified: " + err.Error(), nil
	}
	err = inspect.VerifySignature(t, keys, inspect.DefaultAllowedAlgs())
	var ve *inspect.VerifyError
	if err != nil && errors.As(err, &ve) && ve.KidUnknown() {
		// Keys rotate: fetch the set again once before concluding.
		if keys, ferr := h.jwksFor(ctx, t, true); ferr == nil {
			err = inspect.VerifySignature(t, keys, inspect.DefaultAllowedAlgs())
		}
	}
	if err != nil {
		return false, err.Error(), err
	}
	return true, "", nil
}

// jwksFor returns the issuer's key set, fetched from its OpenID configuration's jwks_uri and
// cached per issuer for the life of the Walk. Only issuers of the configured authority are
// fetched (an Entra v1 issuer, sts.windows.net, is looked up on the authority host).
func (h *hopRun) jwksFor(ctx context.Context, t *inspect.Token, refresh bool) (*inspect.JWKS, error) {
	iss := t.Issuer
	if cached, ok := (*h.keys)[iss]; ok && !refresh {
		return cached, nil
	}
	metaURL, err := discoveryURL(h.cfg, t)
	if err != nil {
		return nil, err
	}
	h.rec.setLabel("issuer metadata")
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, h, metaURL, &meta); err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, fmt.Errorf("%s has no jwks_uri", metaURL)
	}
	ju, err := url.Parse(meta.JWKSURI)
	if err != nil || ju.Scheme != "https" {
		return nil, fmt.Errorf("jwks_uri %q is not https", meta.JWKSURI)
	}
	h.rec.setLabel("issuer keys (JWKS)")
	body, err := getBody(ctx, h, meta.JWKSURI)
	if err != nil {
		return nil, err
	}
	keys, err := inspect.ParseJWKS(body)
	if err != nil {
		return nil, err
	}
	(*h.keys)[iss] = keys
	return keys, nil
}

// discoveryURL maps a token's issuer to its OpenID configuration on the configured authority.
func discoveryURL(cfg Config, t *inspect.Token) (string, error) {
	iss, err := url.Parse(t.Issuer)
	if err != nil || iss.Host == "" {
		return "", fmt.Errorf("issuer %q is not a URL", t.Issuer)
	}
	auth, err := url.Parse(cfg.authorityHost())
	if err != nil {
		return "", err
	}
	switch {
	case strings.EqualFold(iss.Host, auth.Host):
		return strings.TrimSuffix(t.Issuer, "/") + "/.well-known/openid-configuration", nil
	case strings.EqualFold(iss.Host, "sts.windows.net") && t.IssuerTenant != "":
		return strings.TrimSuffix(cfg.authorityHost(), "/") + "/" + t.IssuerTenant + "/.well-known/openid-configuration", nil
	}
	return "", fmt.Errorf("issuer %s is not the configured authority %s", t.Issuer, auth.Host)
}
