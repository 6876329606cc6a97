package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// allowedAlgs are the signature algorithms accepted for Entra-issued tokens.
func allowedAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
}

// verifyIfConfigured verifies t's signature against its issuer's JWKS when t is meant for one of
// audiences (an API of the configuration). Tokens for others (Graph above all: header nonce) are
// not verified: only their resource can. A failed verification is recorded as a finding at h.
func (w *Walk) verifyIfConfigured(ctx context.Context, h *hopRun, t *inspect.Token, audiences []string) (bool, string) {
	if t == nil || t.Format != inspect.FormatJWS {
		return false, "not a signed JWT"
	}
	if _, nonce := t.Header["nonce"]; nonce {
		return false, "header nonce: only the resource (Graph) can validate it"
	}
	if len(audiences) == 0 || !inspect.AudienceMatches(t.Audiences, audiences) {
		return false, "not verified: the token is not for an API of the configuration"
	}
	keys, err := w.jwksFor(ctx, h, t, false)
	if err != nil {
		return false, "not verified: " + err.Error()
	}
	err = inspect.VerifySignature(t, keys, allowedAlgs())
	var ve *inspect.VerifyError
	if err != nil && errors.As(err, &ve) && ve.FindingID == "token.kid-unknown" {
		// Keys rotate: fetch the set again once before concluding.
		if keys, ferr := w.jwksFor(ctx, h, t, true); ferr == nil {
			err = inspect.VerifySignature(t, keys, allowedAlgs())
		}
	}
	if err != nil {
		if f, ok := inspect.SignatureFinding(err, string(h.id)); ok {
			h.add(f)
		}
		return false, err.Error()
	}
	return true, ""
}

// jwksFor returns the issuer's key set, fetched from its OpenID configuration's jwks_uri and
// cached per issuer for the life of the Walk. Only issuers of the configured authority are
// fetched (an Entra v1 issuer, sts.windows.net, is looked up on the authority host).
func (w *Walk) jwksFor(ctx context.Context, h *hopRun, t *inspect.Token, refresh bool) (*inspect.JWKS, error) {
	iss := t.Issuer
	w.mu.Lock()
	cached, ok := w.jwks[iss]
	w.mu.Unlock()
	if ok && !refresh {
		return cached, nil
	}
	metaURL, err := w.discoveryURL(t)
	if err != nil {
		return nil, err
	}
	h.rec.setLabel("issuer metadata")
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := w.getJSON(ctx, h, metaURL, &meta); err != nil {
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
	body, err := w.getBody(ctx, h, meta.JWKSURI)
	if err != nil {
		return nil, err
	}
	keys, err := inspect.ParseJWKS(body)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.jwks[iss] = keys
	w.mu.Unlock()
	return keys, nil
}

// discoveryURL maps a token's issuer to its OpenID configuration on the configured authority.
func (w *Walk) discoveryURL(t *inspect.Token) (string, error) {
	iss, err := url.Parse(t.Issuer)
	if err != nil || iss.Host == "" {
		return "", fmt.Errorf("issuer %q is not a URL", t.Issuer)
	}
	auth, err := url.Parse(w.cfg.authorityHost())
	if err != nil {
		return "", err
	}
	switch {
	case strings.EqualFold(iss.Host, auth.Host):
		return strings.TrimSuffix(t.Issuer, "/") + "/.well-known/openid-configuration", nil
	case strings.EqualFold(iss.Host, "sts.windows.net") && t.IssuerTenant != "":
		return strings.TrimSuffix(w.cfg.authorityHost(), "/") + "/" + t.IssuerTenant + "/.well-known/openid-configuration", nil
	}
	return "", fmt.Errorf("issuer %s is not the configured authority %s", t.Issuer, auth.Host)
}
